/* e2e: spawning lsp-proxy with the fake Lean server and playing the editor. */
#include "e2e.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
e2e_start(struct e2e *e, const char *const *proxy_args, const char *const *fake_args)
{
    memset(e, 0, sizeof *e);
    const char *proxy = test_bin("LSP_PROXY_BIN");
    const char *fake = test_bin("FAKE_LEAN_BIN");
    if (proxy == NULL || fake == NULL)
        return -1;
    e->dir = test_tmpdir();
    snprintf(e->record, sizeof e->record, "%s/record.jsonl", e->dir);
    snprintf(e->pid_file, sizeof e->pid_file, "%s/fake.pid", e->dir);
    snprintf(e->log, sizeof e->log, "%s/proxy.log", e->dir);
    snprintf(e->stderr_path, sizeof e->stderr_path, "%s/stderr.txt", e->dir);
    const char *argv[64];
    int n = 0;
    argv[n++] = proxy;
    argv[n++] = "--log";
    argv[n++] = e->log;
    argv[n++] = "--log-level";
    argv[n++] = "debug";
    for (int i = 0; proxy_args && proxy_args[i] && n < 40; i++)
        argv[n++] = proxy_args[i];
    argv[n++] = "--";
    argv[n++] = fake;
    argv[n++] = "--record";
    argv[n++] = e->record;
    argv[n++] = "--pid-file";
    argv[n++] = e->pid_file;
    argv[n++] = "--report-delay-ms";
    argv[n++] = "5";
    for (int i = 0; fake_args && fake_args[i] && n < 62; i++)
        argv[n++] = fake_args[i];
    argv[n] = NULL;
    e->c = lsp_client_spawn((char *const *)argv, e->dir, e->stderr_path);
    return e->c ? 0 : -1;
}

const cJSON *
e2e_initialize(struct e2e *e, const char *capabilities, const char *init_options)
{
    char *params = NULL;
    size_t n = 256 + (capabilities ? strlen(capabilities) : 0) + (init_options ? strlen(init_options) : 0);
    params = malloc(n);
    snprintf(params, n,
             "{\"processId\":null,\"rootUri\":null,\"capabilities\":%s,"
             "\"initializationOptions\":%s}",
             capabilities ? capabilities
                          : "{\"workspace\":{\"workspaceEdit\":{\"documentChanges\":true}},"
                            "\"lean\":{\"silentDiagnosticSupport\":true}}",
             init_options ? init_options : "{\"hasWidgets\":true}");
    int id = lsp_client_request(e->c, "initialize", params);
    free(params);
    const cJSON *r = lsp_client_wait_response(e->c, id, 10000);
    lsp_client_notify(e->c, "initialized", "{}");
    return r;
}

void
e2e_open(struct e2e *e, const char *uri, const char *text)
{
    char *t = test_json_string(text);
    size_t n = strlen(uri) + strlen(t) + 200;
    char *params = malloc(n);
    snprintf(params, n,
             "{\"textDocument\":{\"uri\":\"%s\",\"languageId\":\"lean4\",\"version\":1,\"text\":%s},"
             "\"dependencyBuildMode\":\"never\"}",
             uri, t);
    lsp_client_notify(e->c, "textDocument/didOpen", params);
    free(params);
    free(t);
}

void
e2e_change_full(struct e2e *e, const char *uri, int version, const char *text)
{
    char *t = test_json_string(text);
    size_t n = strlen(uri) + strlen(t) + 200;
    char *params = malloc(n);
    snprintf(params, n,
             "{\"textDocument\":{\"uri\":\"%s\",\"version\":%d},\"contentChanges\":[{\"text\":%s}]}",
             uri, version, t);
    lsp_client_notify(e->c, "textDocument/didChange", params);
    free(params);
    free(t);
}

const cJSON *
e2e_call(struct e2e *e, const char *method, const char *params, int timeout_ms)
{
    int id = lsp_client_request(e->c, method, params);
    return lsp_client_wait_response(e->c, id, timeout_ms);
}

const cJSON *
e2e_command(struct e2e *e, const char *command, const char *arg_json)
{
    size_t n = strlen(command) + (arg_json ? strlen(arg_json) : 0) + 64;
    char *params = malloc(n);
    if (arg_json)
        snprintf(params, n, "{\"command\":\"%s\",\"arguments\":[%s]}", command, arg_json);
    else
        snprintf(params, n, "{\"command\":\"%s\",\"arguments\":[]}", command);
    const cJSON *r = e2e_call(e, "workspace/executeCommand", params, 5000);
    free(params);
    return r;
}

int
e2e_stop(struct e2e *e)
{
    const cJSON *r = e2e_call(e, "shutdown", NULL, 5000);
    (void)r;
    lsp_client_notify(e->c, "exit", "{}");
    return lsp_client_wait_exit(e->c, VALGRIND_SCALE * 10000);
}

void
e2e_free(struct e2e *e)
{
    lsp_client_free(e->c);
    e->c = NULL;
    free(e->dir);
    e->dir = NULL;
}

int
e2e_fake_pid(struct e2e *e)
{
    char *s = test_read_file(e->pid_file);
    int pid = s ? atoi(s) : -1;
    free(s);
    return pid;
}

int
e2e_wait_record(struct e2e *e, const char *needle, int n, int timeout_ms)
{
    double end = test_now_ms() + timeout_ms;
    int got;
    while ((got = test_count_lines(e->record, needle)) < n && test_now_ms() < end)
        usleep(5000);
    return got;
}

cJSON *
e2e_job(struct e2e *e, const char *id)
{
    const cJSON *r = e2e_command(e, "marathon.status", "{}");
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(r, "result.jobs"))
    {
        const char *jid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
        if (jid && id && strcmp(jid, id) == 0)
            return cJSON_Duplicate(it, true);
    }
    return NULL;
}

cJSON *
e2e_job_wait(struct e2e *e, const char *id, int timeout_ms)
{
    double end = test_now_ms() + (double)timeout_ms * VALGRIND_SCALE;
    while (test_now_ms() < end) {
        cJSON *j = e2e_job(e, id);
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state"));
        if (st && strcmp(st, "queued") && strcmp(st, "running") && strcmp(st, "verifying"))
            return j;
        cJSON_Delete(j);
        usleep(20000);
    }
    return NULL;
}

const char *
e2e_job_str(const cJSON *job, const char *member)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(job, member));
    return s ? s : "";
}

size_t
e2e_offset_ascii(const char *text, int line, int character)
{
    size_t i = 0;
    for (int l = 0; l < line && text[i]; i++)
        if (text[i] == '\n')
            l++;
    return i + (size_t)character;
}
