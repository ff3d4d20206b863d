/*
 * e2e: one end-to-end session: build/<variant>/lsp-proxy running the fake Lean server,
 * played from the editor side with lsp_client. Every session has its own temporary
 * directory holding the fake's record (every message it received, one per line), its pid
 * file and the proxy's log.
 */
#ifndef LSP_PROXY_TESTS_E2E_H
#define LSP_PROXY_TESTS_E2E_H

#include <stdlib.h>

#include "lsp_client.h"

/* Timeouts grow under valgrind. */
#define VALGRIND_SCALE (getenv("VALGRIND") && *getenv("VALGRIND") == '1' ? 10 : 1)

struct e2e {
    char *dir;
    char record[512];   /* the fake's record file */
    char pid_file[512];
    char log[512];      /* the proxy's log */
    char stderr_path[512];
    struct lsp_client *c;
};

/* Starts the proxy with extra proxy_args, running the fake with extra fake_args (both
 * NULL-terminated, may be NULL). Returns 0, or -1 when the binaries are missing. */
int e2e_start(struct e2e *e, const char *const *proxy_args, const char *const *fake_args);
/* initialize (with client capabilities JSON and initializationOptions JSON, NULL for
 * defaults) then initialized. Returns the initialize response (owned by the client). */
const cJSON *e2e_initialize(struct e2e *e, const char *capabilities, const char *init_options);
/* didOpen uri with text (version 1). */
void e2e_open(struct e2e *e, const char *uri, const char *text);
/* didChange with one whole-text change. */
void e2e_change_full(struct e2e *e, const char *uri, int version, const char *text);
/* Sends a request and waits for its response (NULL on timeout). */
const cJSON *e2e_call(struct e2e *e, const char *method, const char *params, int timeout_ms);
/* workspace/executeCommand with one argument object. */
const cJSON *e2e_command(struct e2e *e, const char *command, const char *arg_json);
/* shutdown + exit; returns the proxy's exit code. */
int e2e_stop(struct e2e *e);
/* The byte offset of an LSP position in text whose lines are ASCII (characters = bytes). */
size_t e2e_offset_ascii(const char *text, int line, int character);
/* Frees the client and removes nothing (the directory is left for post-mortems). */
void e2e_free(struct e2e *e);
/* The fake's pid from its pid file (the newest instance), or -1. */
int e2e_fake_pid(struct e2e *e);
/* Waits until the record has at least n lines containing needle; returns the count. */
int e2e_wait_record(struct e2e *e, const char *needle, int n, int timeout_ms);

/* The job of this id in marathon.status (a copy: cJSON_Delete it), or NULL. */
cJSON *e2e_job(struct e2e *e, const char *id);
/* Polls marathon.status until the job has left queued/running/verifying (or timeout_ms
 * passed: NULL); returns it (a copy). */
cJSON *e2e_job_wait(struct e2e *e, const char *id, int timeout_ms);
/* A string member of a job copy ("" when absent). */
const char *e2e_job_str(const cJSON *job, const char *member);

#endif
