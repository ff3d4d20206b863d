/*
 * End to end: backpressure. A writer floods Lean with 120 requests of 1 MB (each echoed
 * back by the fake) while the editor does not read for a while. The proxy must stop reading
 * the side whose peer is slow instead of buffering without bound: every response arrives,
 * intact and in order, and the proxy's peak memory stays far below the 240 MB that passed
 * through it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

#define N 120
#define PAD (1u << 20)

static long
vm_hwm_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

int
main(void)
{
    struct e2e e;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("backpressure", "binaries not built");
        return done_testing();
    }
    e2e_initialize(&e, NULL, NULL);
    char *msg = malloc(PAD + 256);
    pid_t writer = fork();
    if (writer == 0) {
        for (int i = 0; i < N; i++) {
            int n = snprintf(msg, 256,
                             "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"completionItem/resolve\","
                             "\"params\":{\"label\":\"item%d\",\"pad\":\"",
                             1000 + i, i);
            memset(msg + n, 'a' + i % 26, PAD);
            strcpy(msg + n + PAD, "\"}}");
            if (lsp_client_send(e.c, msg) < 0)
                _exit(1);
        }
        _exit(0);
    }
    usleep(1500 * 1000); /* the editor is busy: nothing read */
    int got = 0, intact = 0, in_order = 1, last = 999;
    while (got < N) {
        const cJSON *m = lsp_client_recv(e.c, 20000);
        if (m == NULL)
            break;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        const char *pad = cJSON_GetStringValue(test_json_path(m, "result.pad"));
        if (!cJSON_IsNumber(id) || pad == NULL)
            continue;
        got++;
        int i = id->valueint - 1000;
        if (id->valueint != last + 1)
            in_order = 0;
        last = id->valueint;
        if (strlen(pad) == PAD && pad[0] == 'a' + i % 26 && pad[PAD - 1] == 'a' + i % 26)
            intact++;
    }
    int st = 0;
    waitpid(writer, &st, 0);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer sent all %d requests", N);
    is_int(got, N, "every response arrived");
    is_int(intact, N, "every response intact");
    ok(in_order, "responses in order");
    const char *vg = getenv("VALGRIND");
    const char *variant = getenv("LSP_PROXY_VARIANT");
    if ((vg && strcmp(vg, "1") == 0) || (variant && strcmp(variant, "release") != 0)) {
        skip("peak memory bounded", "measured only in the release build without valgrind");
    } else {
        long kb = vm_hwm_kb(lsp_client_pid(e.c));
        diag("proxy peak RSS: %ld kB for %u MB through it", kb, 2 * N * PAD >> 20);
        ok(kb > 0 && kb < 100 * 1024, "the proxy's peak RSS stays bounded (%ld kB < 100 MB; 155 MB without backpressure)", kb);
    }
    free(msg);
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
    return done_testing();
}
