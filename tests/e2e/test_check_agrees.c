/*
 * End to end: `lsp-proxy check` and the editor agree. Each example blueprint is opened in
 * the proxy (with the fake Lean) and checked headless with `check --json`; the contract
 * findings must be the same set: code, severity, start line and column. Then the same after
 * rounds of incremental edits (range didChanges: the proxy's analysis_update path), each
 * round compared with `check --json` of the edited text, and marathon.dag with `dag`.
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

/* The LSP position (UTF-16 columns) of byte offset off in UTF-8 text. */
static void
lsp_pos_of(const char *text, size_t off, int *line, int *character)
{
    int l = 0, c = 0;
    for (size_t i = 0; i < off && text[i]; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n') {
            l++;
            c = 0;
        } else if ((b & 0xC0) != 0x80) {
            c += b >= 0xF0 ? 2 : 1;
        }
    }
    *line = l;
    *character = c;
}

/* Replaces bytes [at, at + del) of *text with ins, locally and in the proxy (one range
 * didChange of this version). */
static void
edit(struct e2e *e, const char *uri, int version, char **text, size_t at, size_t del, const char *ins)
{
    int l1, c1, l2, c2;
    lsp_pos_of(*text, at, &l1, &c1);
    lsp_pos_of(*text, at + del, &l2, &c2);
    char *t = test_json_string(ins);
    size_t n = strlen(uri) + strlen(t) + 300;
    char *params = malloc(n);
    snprintf(params, n,
             "{\"textDocument\":{\"uri\":\"%s\",\"version\":%d},\"contentChanges\":[{\"range\":"
             "{\"start\":{\"line\":%d,\"character\":%d},\"end\":{\"line\":%d,\"character\":%d}},"
             "\"text\":%s}]}",
             uri, version, l1, c1, l2, c2, t);
    lsp_client_notify(e->c, "textDocument/didChange", params);
    free(params);
    free(t);
    size_t len = strlen(*text), ilen = strlen(ins);
    char *next = malloc(len - del + ilen + 1);
    memcpy(next, *text, at);
    memcpy(next + at, ins, ilen);
    memcpy(next + at + ilen, *text + at + del, len - at - del + 1);
    free(*text);
    *text = next;
}

/* The start of line `line` of text (or its end). */
static size_t
line_at(const char *text, int line)
{
    size_t i = 0;
    for (int l = 0; l < line && text[i]; i++)
        if (text[i] == '\n')
            l++;
    return i;
}

static char expected_set[65536];

static bool
marathon_is_expected(const cJSON *pub, void *arg)
{
    (void)arg;
    static char got[65536];
    editor_set(pub, got, sizeof got);
    return strcmp(got, expected_set) == 0;
}

/* `check --json` of text, as a set (written to path first). Returns check's exit code. */
static int
check_text(const char *proxy, const char *path, const char *text, char *out, size_t cap)
{
    char cmd[2200];
    static char buf[1 << 20];
    test_write_file(path, text);
    snprintf(cmd, sizeof cmd, "'%s' check --json '%s' 2>/dev/null", proxy, path);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
    buf[n] = '\0';
    int rc = p ? pclose(p) : -1;
    cJSON *arr = cJSON_Parse(buf);
    check_set(arr, out, cap);
    cJSON_Delete(arr);
    return WEXITSTATUS(rc);
}

/* "name:dep,dep;" for every node of a DAG JSON (nodes in order). */
static void
dag_sig(const cJSON *dag, char *out, size_t cap)
{
    out[0] = '\0';
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(dag, "nodes"))
    {
        strncat(out, test_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "name"))),
                cap - strlen(out) - 1);
        strncat(out, ":", cap - strlen(out) - 1);
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(n, "deps"))
        {
            strncat(out, test_str(cJSON_GetStringValue(d)), cap - strlen(out) - 1);
            strncat(out, ",", cap - strlen(out) - 1);
        }
        strncat(out, ";", cap - strlen(out) - 1);
    }
}

/* Rounds of incremental edits on an example; after each, the editor's findings are check's
 * and marathon.dag's nodes are dag's. */
static void
test_incremental(const char *src, const char *proxy)
{
    char path[1024], uri[1100];
    snprintf(path, sizeof path, "%s/examples/number_theory.lean", src);
    char *text = test_read_file(path);
    struct e2e e;
    if (text == NULL || e2e_start(&e, NULL, NULL) < 0) {
        free(text);
        skip("incremental edits", "example or binaries missing");
        return;
    }
    char *dir = test_tmpdir();
    char copy[900];
    snprintf(copy, sizeof copy, "%s/Edited.lean", dir);
    snprintf(uri, sizeof uri, "file://%s", copy);
    test_write_file(copy, text);
    e2e_initialize(&e, NULL, NULL);
    e2e_open(&e, uri, text);
    int version = 1;
    /* Each round: four edits at places spread over the file, of kinds that move tokens
     * (lines in and out, a comment opened and closed, a new node with a wrong reference, a
     * label changed, a character typed in a name). */
    for (int round = 0; round < 4; round++) {
        int nlines = 0;
        for (const char *p = text; *p; p++)
            nlines += *p == '\n';
        size_t at = line_at(text, (nlines * (round + 1)) / 5);
        switch (round) {
        case 0:
            edit(&e, uri, ++version, &text, at, 0, "\n-- a note\n");
            edit(&e, uri, ++version, &text, line_at(text, 3), 0, "/- commented\n");
            edit(&e, uri, ++version, &text, line_at(text, 5), 0, "-/\n");
            edit(&e, uri, ++version, &text, strlen(text), 0,
                 "\n@[blueprint \"lem:extra\"\n  (statement := /-- Extra, see \\cref{lem:nowhere}. -/)]\n"
                 "lemma extra_lemma : 1 + 1 = 2 := by\n  sorry_using [no_such_lemma]\n");
            break;
        case 1: {
            const char *lab = strstr(text, "@[blueprint \"");
            if (lab)
                edit(&e, uri, ++version, &text, (size_t)(lab - text) + 13, 0, "x");
            edit(&e, uri, ++version, &text, at, line_at(text, (nlines * (round + 1)) / 5 + 1) - at, "");
            const char *nm = strstr(text, "lemma ");
            if (nm)
                edit(&e, uri, ++version, &text, (size_t)(nm - text) + 7, 0, "ℕ");
            edit(&e, uri, ++version, &text, 0, 0, "-- top\n");
            break;
        }
        case 2: {
            const char *x = strstr(text, "sorry_using [no_such_lemma]");
            if (x)
                edit(&e, uri, ++version, &text, (size_t)(x - text), strlen("sorry_using [no_such_lemma]"), "sorry");
            const char *c = strstr(text, "\\cref{lem:nowhere}");
            if (c)
                edit(&e, uri, ++version, &text, (size_t)(c - text), strlen("\\cref{lem:nowhere}"), "it");
            edit(&e, uri, ++version, &text, at, 0, "theorem ");
            edit(&e, uri, ++version, &text, at, 8, "");
            break;
        }
        default: {
            /* undo the comment of round 0 and join two lines */
            const char *o = strstr(text, "/- commented\n");
            if (o)
                edit(&e, uri, ++version, &text, (size_t)(o - text), strlen("/- commented\n"), "");
            const char *cl = strstr(text, "-/\n-/");
            (void)cl;
            size_t j = line_at(text, nlines / 2);
            if (j > 0)
                edit(&e, uri, ++version, &text, j - 1, 1, " ");
            edit(&e, uri, ++version, &text, strlen(text), 0, "\n");
            break;
        }
        }
        static char got_dag[65536], want_dag[65536];
        int rc = check_text(proxy, copy, text, expected_set, sizeof expected_set);
        ok(rc == 0 || rc == 1, "round %d: check ran (exit %d)", round + 1, rc);
        const cJSON *pub = lsp_client_wait_diagnostics(e.c, uri, 5000 * VALGRIND_SCALE, marathon_is_expected, NULL);
        ok(pub != NULL, "round %d: after %d edits the editor's findings are check's", round + 1, version - 1);
        if (pub == NULL)
            diag("check says:\n%s", expected_set);
        char arg[1200];
        snprintf(arg, sizeof arg, "{\"uri\":\"%s\"}", uri);
        const cJSON *d = e2e_command(&e, "marathon.dag", arg);
        dag_sig(cJSON_GetObjectItemCaseSensitive(d, "result"), got_dag, sizeof got_dag);
        char cmd[2200];
        snprintf(cmd, sizeof cmd, "'%s' dag --format json '%s' 2>/dev/null", proxy, copy);
        FILE *p = popen(cmd, "r");
        static char buf[1 << 20];
        size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
        buf[n] = '\0';
        if (p)
            pclose(p);
        cJSON *want = cJSON_Parse(buf);
        dag_sig(want, want_dag, sizeof want_dag);
        cJSON_Delete(want);
        ok(strlen(want_dag) > 20, "round %d: dag lists nodes", round + 1);
        is_str(got_dag, want_dag, "round %d: marathon.dag has dag's nodes and deps", round + 1);
    }
    e2e_stop(&e);
    e2e_free(&e);
    free(dir);
    free(text);
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
    test_incremental(src, proxy);
    return done_testing();
}
