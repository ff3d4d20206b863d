/*
 * prompts: what each agent is told, one plain-text file per role under src/prompts/,
 * compiled into the binary by the Makefile (so a person reads exactly what the agent reads).
 */
#ifndef LSP_PROXY_PROMPTS_H
#define LSP_PROXY_PROMPTS_H

extern const char prompt_prover[];   /* src/prompts/prover.txt: the Worker (prove) */
extern const char prompt_repairer[]; /* src/prompts/repairer.txt: the Refiner (repair) */
extern const char prompt_reviewer[]; /* src/prompts/reviewer.txt: the Target-Reviewer */
extern const char prompt_statement[]; /* src/prompts/statement.txt: the statement Refiner */

#endif
