/*
 * End to end: `lsp-proxy check` and the editor agree. Each example blueprint is opened in
 * the proxy (with the fake Lean) and checked headless with `check --json`; the contract
 * findings must be the same set: code, severity, start line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "e2e.h"
#include "tap.h"

/* Appends "code sev line:col\n" lines for the editor's marathon diagnostics. */
static void
editor_set(const cJSON *pub, char *out, size_t cap)
{
    out[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(pub, "params.diagnostics"))
    {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "source"));
        if (!s || strcmp(s, "marathon") != 0)
            continue;
        char line[256];
        snprintf(line, sizeof line, "%s %d %d:%d\n",
                 test_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "code"))),
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "severity")),
                 (int)cJSON_GetNumberValue(test_json_path(it, "range.start.line")) + 1,
                 (int)cJSON_GetNumberValue(test_json_path(it, "range.start.character")) + 1);
        strncat(out, line, cap - strlen(out) - 1);
    }
}

static void
check_set(const cJSON *arr, char *out, size_t cap)
{
    out[0] = '\0';
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const char *sev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "severity"));
        char line[256];
        snprintf(line, sizeof line, "%s %d %d:%d\n",
                 test_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "code"))),
                 sev && strcmp(sev, "error") == 0 ? 1 : 2,
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "line")),
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "column")));
        strncat(out, line, cap - strlen(out) - 1);
    }
}

static bool
any_marathon(const cJSON *pub, void *arg)
{
    (void)arg;
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(pub, "params.diagnostics"))
    {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "source"));
        if (s && strcmp(s, "marathon") == 0)
            return true;
    }
    return false;
}

int
main(void)
{
    const char *src = getenv("LSP_PROXY_SRC");
    const char *proxy = test_bin("LSP_PROXY_BIN");
    if (!src || !proxy) {
        skip("check agrees with the editor", "not run from make test");
        return done_testing();
    }
    const char *files[] = {"examples/number_theory_mistakes.lean", "examples/architect_style.lean"};
    for (size_t f = 0; f < 2; f++) {
        char path[1024], cmd[2200];
        snprintf(path, sizeof path, "%s/%s", src, files[f]);
        char *text = test_read_file(path);
        if (text == NULL) {
            skip(files[f], "example missing");
            continue;
        }
        struct e2e e;
        if (e2e_start(&e, NULL, NULL) < 0) {
            free(text);
            skip(files[f], "binaries not built");
            continue;
        }
        e2e_initialize(&e, NULL, NULL);
        char uri[1100];
        snprintf(uri, sizeof uri, "file://%s", path);
        e2e_open(&e, uri, text);
        const cJSON *pub = lsp_client_wait_diagnostics(e.c, uri, 5000, any_marathon, NULL);
        static char in_editor[65536], in_check[65536];
        editor_set(pub, in_editor, sizeof in_editor);

        snprintf(cmd, sizeof cmd, "'%s' check --json '%s' 2>/dev/null", proxy, path);
        FILE *p = popen(cmd, "r");
        static char out[1 << 20];
        size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
        out[n] = '\0';
        int rc = p ? pclose(p) : -1;
        cJSON *arr = cJSON_Parse(out);
        check_set(arr, in_check, sizeof in_check);
        ok(WEXITSTATUS(rc) == 1, "%s: check exits 1 (findings)", files[f]);
        ok(strlen(in_check) > 0, "%s: check found something", files[f]);
        is_str(in_editor, in_check, "%s: editor diagnostics == check findings", files[f]);
        cJSON_Delete(arr);
        e2e_stop(&e);
        e2e_free(&e);
        free(text);
    }
    return done_testing();
}
