/*
 * statedir: what the proxy keeps across restarts under <stateDir> (shared/INTERFACE.md,
 * "Settings": caches, dismissals, audit log).
 *
 *   <stateDir>/review/<key>.json   one cached reviewer reply per key (review.h makes keys)
 *   <stateDir>/dismissed.jsonl     {"uri","name","code","statement"} per dismissal
 *   <stateDir>/audit.jsonl         the agents' audit log: {"t","event",...} per event
 *
 * Files are written whole to a temporary file in the same directory and renamed, so a
 * reader never sees half a file; the dismissal log is appended one write() per line
 * (O_APPEND), so two proxies on one project keep lines whole. A corrupt line or file is
 * logged and skipped, never fatal. The calls do synchronous I/O on small local files; the
 * proxy makes them on open, save and commands, never per keystroke.
 * Nothing secret is ever written here (the API key never reaches this module).
 *
 * statedir_hash() is SHA-256 (FIPS 180-4), written here: a cache key must not collide
 * for different statements, and the proxy has no crypto library otherwise (libcurl's TLS
 * backend is not part of its API). Checked against the FIPS test vectors.
 *
 * Ownership: statedir_open() returns a handle freed with statedir_close().
 */
#ifndef LSP_PROXY_STATEDIR_H
#define LSP_PROXY_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

struct statedir;

/* Opens (creating it, mode 0700, parents too) the state directory dir. Returns NULL with
 * the reason in err when it cannot be created or is not a directory. */
struct statedir *statedir_open(const char *dir, char *err, size_t errlen);
void statedir_close(struct statedir *sd);

/* The cached value of key (64 hex digits), a new string; NULL when none. */
char *statedir_cache_get(struct statedir *sd, const char *key);
/* Stores value[0, len) under key. Returns 0 or -1 (logged). */
int statedir_cache_put(struct statedir *sd, const char *key, const char *value, size_t len);

/* Whether finding code of (uri, name) is dismissed for the statement whose hash is given;
 * a dismissal made for another statement text does not count. */
bool statedir_dismissed(const struct statedir *sd, const char *uri, const char *name,
                        const char *code, const char *statement_hash);
/* Records a dismissal. Returns 0 or -1 (logged). */
int statedir_dismiss(struct statedir *sd, const char *uri, const char *name, const char *code,
                     const char *statement_hash);

/* Appends {"t": ISO-8601 UTC time, "event": event, <the members of fields>} to the audit log
 * (fields: a cJSON object, borrowed; NULL for none). One write() per line. Returns 0 or -1
 * (logged). */
struct cJSON;
int statedir_audit(struct statedir *sd, const char *event, const struct cJSON *fields);

/* SHA-256 of data[0, len) as 64 lowercase hex digits and a NUL. */
void statedir_hash(const void *data, size_t len, char out[65]);

#endif
