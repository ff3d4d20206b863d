/*
 * lsp_client: the editor side of an LSP conversation, for end-to-end tests.
 *
 * Spawns a program (normally build/<variant>/lsp-proxy -- fake_lean ...) with pipes on its
 * stdin/stdout, its stderr sent to a file, and exchanges frames with it using blocking I/O
 * with timeouts. Its framing code is deliberately independent of src/frame.c.
 * Every message received is kept (the history) so a test can look back at what arrived.
 * With VALGRIND=1 in the environment the spawned program runs under valgrind, which exits
 * 99 on any error or leak.
 */
#ifndef LSP_PROXY_TESTS_LSP_CLIENT_H
#define LSP_PROXY_TESTS_LSP_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct lsp_client;

/* Spawns argv (argv[0] a path) with stderr to stderr_path (NULL: inherit); cwd may be NULL. */
struct lsp_client *lsp_client_spawn(char *const argv[], const char *cwd, const char *stderr_path);
/* Closes the pipes, kills the process if still running, frees everything. */
void lsp_client_free(struct lsp_client *c);
pid_t lsp_client_pid(const struct lsp_client *c);

/* Frames and sends a JSON body. Returns 0 or -1. */
int lsp_client_send(struct lsp_client *c, const char *json);
/* Sends raw bytes (for framing tests). */
int lsp_client_send_raw(struct lsp_client *c, const char *bytes, size_t len);
/* Sends a request with an integer id; returns the id. params_json may be NULL. */
int lsp_client_request(struct lsp_client *c, const char *method, const char *params_json);
void lsp_client_notify(struct lsp_client *c, const char *method, const char *params_json);

/* The next message, or NULL after timeout_ms or at EOF. Owned by the client (history). */
const cJSON *lsp_client_recv(struct lsp_client *c, int timeout_ms);
/* The raw body of the last message received (owned by the client). */
const char *lsp_client_last_raw(const struct lsp_client *c);
/* Reads until a message satisfies match (previously received ones are checked first
 * when from_history is set); NULL on timeout. */
typedef bool lsp_match_fn(const cJSON *msg, void *arg);
const cJSON *lsp_client_wait(struct lsp_client *c, int timeout_ms, lsp_match_fn *match,
                             void *arg);
/* Like lsp_client_wait, but first looks through the history from index `from` on (messages
 * that arrived while the test waited for something else). */
const cJSON *lsp_client_seen(struct lsp_client *c, size_t from, int timeout_ms,
                             lsp_match_fn *match, void *arg);
/* Waits for the response to integer id. */
const cJSON *lsp_client_wait_response(struct lsp_client *c, int id, int timeout_ms);
/* Waits for a notification or request with this method (only new messages). */
const cJSON *lsp_client_wait_method(struct lsp_client *c, const char *method, int timeout_ms);
/* Waits for a publishDiagnostics for uri satisfying pred (NULL: any). */
const cJSON *lsp_client_wait_diagnostics(struct lsp_client *c, const char *uri, int timeout_ms,
                                         lsp_match_fn *pred, void *arg);
/* Number of messages received so far, and the i-th. */
size_t lsp_client_history_len(const struct lsp_client *c);
const cJSON *lsp_client_history(const struct lsp_client *c, size_t i);

/* Closes the client's end of the program's stdin (EOF). */
void lsp_client_close_stdin(struct lsp_client *c);
/* Waits for the program to exit; returns its exit code, 128+signal, or -1 on timeout. */
int lsp_client_wait_exit(struct lsp_client *c, int timeout_ms);

/* ---- small helpers for tests ---- */

/* A fresh temporary directory (mkdtemp); free() the path. */
char *test_tmpdir(void);
/* Path of a built program from env var (e.g. "LSP_PROXY_BIN"), or NULL with a diagnostic. */
const char *test_bin(const char *env);
/* Reads a whole file into a new string; NULL when missing. */
char *test_read_file(const char *path);
/* Writes a string to a file. Returns 0 or -1. */
int test_write_file(const char *path, const char *text);
/* Counts lines of path that contain needle. */
int test_count_lines(const char *path, const char *needle);
/* Milliseconds, monotonic. */
double test_now_ms(void);
/* qsort comparator for doubles (benchmarks sort their samples). */
int test_cmp_double(const void *a, const void *b);
/* A JSON string literal for s (new string). */
char *test_json_string(const char *s);
/* s, or "" when s is NULL. */
static inline const char *
test_str(const char *s)
{
    return s ? s : "";
}
/* Member lookup by dotted path ("params.diagnostics"); NULL when absent. */
const cJSON *test_json_path(const cJSON *obj, const char *path);

#endif
