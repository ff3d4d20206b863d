/*
 * bench_live: the blueprint engine inside the running proxy, on a synthetic 15,000-line /
 * 200-node blueprint (tests/bench/gen_blueprint): the proxy's RSS with the file open, and
 * the time from a one-character edit (didChange) to the DAG reflecting it (marathon.dag,
 * which forces the pending re-analysis), over 200 edits. Figures only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

static long
status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0)
            kb = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}


int
main(void)
{
    const char *build = getenv("LSP_PROXY_BUILD");
    if (build == NULL) {
        fprintf(stderr, "bench_live: run through `make bench`\n");
        return 1;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tests/bench/gen_blueprint", build);
    FILE *p = popen(cmd, "r");
    size_t cap = 4 << 20, len = 0, n;
    char *text = malloc(cap);
    while (p && (n = fread(text + len, 1, cap - len - 1, p)) > 0)
        len += n;
    text[len] = '\0';
    if (p == NULL || pclose(p) != 0 || len == 0) {
        fprintf(stderr, "bench_live: cannot run %s\n", cmd);
        return 1;
    }
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';

    struct e2e e;
    const char *fake_args[] = {"--report-delay-ms", "200", NULL};
    if (e2e_start(&e, NULL, fake_args) < 0)
        return 1;
    e2e_initialize(&e, NULL, NULL);
    long rss0 = status_kb(lsp_client_pid(e.c), "VmRSS:");
    const char *uri = "file:///tmp/bench/Synthetic.lean";
    e2e_open(&e, uri, text);
    const cJSON *dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/bench/Synthetic.lean\"}");
    int nodes = cJSON_GetArraySize(test_json_path(dag, "result.nodes"));
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/bench/Synthetic.lean\",\"version\":1}", 30000);
    long rss1 = status_kb(lsp_client_pid(e.c), "VmRSS:");

    enum { EDITS = 200 };
    double t[EDITS];
    char change[512];
    for (int i = 0; i < EDITS; i++) {
        /* Type one character at the end of a line in the middle of the file. */
        snprintf(change, sizeof change,
                 "{\"textDocument\":{\"uri\":\"%s\",\"version\":%d},\"contentChanges\":[{\"range\":"
                 "{\"start\":{\"line\":%d,\"character\":0},\"end\":{\"line\":%d,\"character\":0}},"
                 "\"text\":\"%s\"}]}",
                 uri, i + 2, lines / 2, lines / 2, i % 2 ? "" : " ");
        double t0 = test_now_ms();
        lsp_client_notify(e.c, "textDocument/didChange", change);
        e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/bench/Synthetic.lean\"}");
        t[i] = test_now_ms() - t0;
    }
    qsort(t, EDITS, sizeof t[0], test_cmp_double);
    long hwm = status_kb(lsp_client_pid(e.c), "VmHWM:");
    printf("synthetic blueprint: %d lines, %zu bytes, %d DAG nodes\n", lines, len, nodes);
    printf("proxy RSS: %ld kB idle, %ld kB with the file open, peak %ld kB\n", rss0, rss1, hwm);
    printf("edit -> DAG round-trip (didChange + marathon.dag, %d edits): p50 %.2f ms, p99 %.2f ms\n",
           EDITS, t[EDITS / 2], t[EDITS * 99 / 100]);
    e2e_stop(&e);
    e2e_free(&e);
    free(text);
    return 0;
}
