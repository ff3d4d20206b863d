/*
 * statedir: what the proxy keeps across restarts under <stateDir> (shared/INTERFACE.md,
 * "Settings": caches, dismissals, audit log). Layer 0: plain files, no loop.
 *
 *   <stateDir>/review/<key>.json   one cached verdict per key: {"key","sha256","value"}
 *   <stateDir>/dismissed.jsonl     {"uri","name","code","statement"} per dismissal
 *   <stateDir>/audit.jsonl         the agents' audit log: {"t","event",...} per event
 *   <stateDir>/audit.jsonl.1       the previous audit log, once the log passed its cap
 *   <stateDir>/.lock               flock()ed while the dismissals or the audit log are
 *                                  rewritten or rotated (held for one small file write)
 *
 * Writes: whole files go to a temporary file in the same directory (unique per process
 * and call) and are renamed, so a reader never sees half a file (no fsync: losing the last
 * entry on power loss is acceptable for a cache; an empty file left behind reads as
 * corrupt, i.e. empty). Appends (dismissals, audit) are one write() per line with
 * O_APPEND, so two proxies on one project keep lines whole.
 * Reads: a corrupt, truncated or foreign file or line is reported (logged once where it is
 * found, and kept as statedir_last_problem()) and treated as empty, never fatal; a corrupt
 * cache entry is removed. Dismissals are re-read when the file changed on disk, so a
 * second proxy on the project sees them.
 * Bounds: at most STATEDIR_CACHE_MAX cache entries (the oldest removed), values up to
 * STATEDIR_VALUE_MAX bytes, STATEDIR_DISMISSALS_MAX dismissals (the oldest dropped; the
 * file is compacted when it holds twice as many lines as live dismissals), an audit log
 * rotated at STATEDIR_AUDIT_MAX bytes, audit strings cut at STATEDIR_AUDIT_STRING_MAX.
 * Blocking: every call does synchronous I/O on small local files; the proxy makes them on
 * open, save, commands and job events, never per keystroke.
 * Secrets: nothing secret is written here. The API key never reaches this module, and the
 * audit writer takes structured fields and redacts, in every string: the values of the
 * key variables (MARATHON_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY and any registered
 * with statedir_add_secret()), and whole values of members whose name says key, token,
 * secret, password or authorization.
 * The cache rule is the caller's: a failed review is never put (INTERFACE.md, "Review").
 *
 * statedir_hash() is SHA-256 (FIPS 180-4), written here: a cache key must not collide for
 * different statements (a 64-bit FNV would, by the birthday bound, long before a cache
 * of any size is trustworthy), and the proxy has no crypto library otherwise: libcurl's
 * TLS backend is not part of its API, and libssl-dev or nettle-dev would be a new build
 * dependency for 80 lines. Checked against the FIPS 180-4 test vectors (test_statedir).
 *
 * Return codes: 0 (or a count) on success, a negative errno value on failure (-EINVAL for
 * a bad key or hash, -E2BIG for a value over the cap, the system call's errno otherwise),
 * with the message logged and kept as statedir_last_problem().
 * Ownership: statedir_open() returns a handle freed with statedir_close() (NULL: no-op);
 * strings passed in are borrowed, strings returned are new (free()).
 */
#ifndef LSP_PROXY_STATEDIR_H
#define LSP_PROXY_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;
struct statedir;

#define STATEDIR_CACHE_MAX 2000                /* cache entries kept */
#define STATEDIR_VALUE_MAX ((size_t)256 << 10) /* bytes of one cached value */
#define STATEDIR_DISMISSALS_MAX 5000           /* dismissals kept */
#define STATEDIR_AUDIT_MAX ((long)8 << 20)     /* audit.jsonl bytes before rotation */
#define STATEDIR_AUDIT_STRING_MAX (64 << 10)   /* bytes of one audit string value */

/* Opens (creating it, mode 0700, parents too) the state directory dir. Returns NULL with
 * the reason in err when it cannot be created or is not a directory. */
struct statedir *statedir_open(const char *dir, char *err, size_t errlen);
void statedir_close(struct statedir *sd);
/* The last problem met (a failed write, a corrupt file skipped), one line; "" when none. */
const char *statedir_last_problem(const struct statedir *sd);

/* ---- the review cache ---- */

/* The cached value of key (64 lowercase hex digits), a new string; NULL when there is
 * none, or when the entry is corrupt (reported and removed). */
char *statedir_cache_get(struct statedir *sd, const char *key);
/* Stores value[0, len) (text, no NUL byte) under key, replacing any entry; removes the
 * oldest entries past STATEDIR_CACHE_MAX. Returns 0 or a negative errno (logged). */
int statedir_cache_put(struct statedir *sd, const char *key, const char *value, size_t len);

/* ---- dismissals ---- */

/* Whether finding code of (uri, name) is dismissed for the statement whose hash is given:
 * a dismissal made for another statement text is void. Re-reads the file when it changed. */
bool statedir_dismissed(struct statedir *sd, const char *uri, const char *name, const char *code,
                        const char *statement_hash);
/* Records a dismissal (statement_hash: 64 hex digits); one for the same (uri, name, code)
 * and another statement is replaced. Returns 0 or a negative errno (logged). */
int statedir_dismiss(struct statedir *sd, const char *uri, const char *name, const char *code,
                     const char *statement_hash);
/* Removes the void dismissals of (uri, name): those made for a statement other than
 * statement_hash (NULL: all of them). Returns how many were removed, or a negative errno. */
int statedir_dismissals_prune(struct statedir *sd, const char *uri, const char *name,
                              const char *statement_hash);

/* ---- the audit log ---- */

/* Appends {"t": ISO-8601 UTC time, "event": event, <the members of fields>} to the audit log
 * (fields: a cJSON object, borrowed, copied and redacted; NULL for none). One write() per
 * line; the log is rotated to audit.jsonl.1 past STATEDIR_AUDIT_MAX. Returns 0 or a
 * negative errno (logged). */
int statedir_audit(struct statedir *sd, const char *event, const struct cJSON *fields);
/* Registers a value the audit log must never hold (copied; at most 8; shorter than 8
 * bytes ignored). Process-wide, like log_add_secret(). */
void statedir_add_secret(const char *secret);

/* ---- hashing ---- */

/* SHA-256 of data[0, len) as 64 lowercase hex digits and a NUL. */
void statedir_hash(const void *data, size_t len, char out[65]);

#endif
