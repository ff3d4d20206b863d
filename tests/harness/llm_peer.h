/*
 * llm_peer: the fake LLM endpoint (tests/fake_llm) run by a test: spawned with a script,
 * its port read from the port file, its record (one JSON line per request) kept in the
 * test's directory.
 */
#ifndef LSP_PROXY_TESTS_LLM_PEER_H
#define LSP_PROXY_TESTS_LLM_PEER_H

#include <sys/types.h>

struct llm_peer {
    pid_t pid;
    int port;
    char record[512];
    char script[512];
    char port_file[512];
};

/* Writes script_jsonl to dir/llm-script.jsonl and starts the fake there. Returns 0, or -1
 * when FAKE_LLM_BIN is not built or the fake did not come up. */
int llm_peer_start(struct llm_peer *l, const char *dir, const char *script_jsonl);
/* SIGTERM and reap. */
void llm_peer_stop(struct llm_peer *l);
/* Requests recorded so far (lines of the record after the first). */
int llm_peer_requests(const struct llm_peer *l);

#endif
