/*
 * The command line: `lsp-proxy check` and `lsp-proxy dag` as a CI gate would use them.
 * Exit codes (0 clean, 1 findings, 2 usage or I/O errors), the line format, --json,
 * --strict, --profile, the summary line, clear errors for unreadable, binary and non-UTF-8
 * files, and every dag format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsp_client.h"
#include "tap.h"

static const char *proxy;
static char out[1 << 20];
static char err[65536];

/* Runs `proxy ARGS` capturing stdout and stderr; returns the exit code. */
static int
run(const char *args)
{
    char cmd[4096], errf[] = "/tmp/lsp-proxy-cli-XXXXXX";
    int fd = mkstemp(errf);
    close(fd);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", proxy, args, errf);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    int st = p ? pclose(p) : -1;
    char *e = test_read_file(errf);
    snprintf(err, sizeof err, "%s", e ? e : "");
    free(e);
    remove(errf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
main(void)
{
    proxy = test_bin("LSP_PROXY_BIN");
    const char *src = getenv("LSP_PROXY_SRC");
    if (!proxy || !src) {
        skip("cli", "not run from make test");
        return done_testing();
    }
    char args[4096];
    char *dir = test_tmpdir();

    snprintf(args, sizeof args, "check '%s/examples/number_theory.lean'", src);
    is_int(run(args), 0, "clean blueprint: exit 0");
    is_contains(out, "0 errors, 0 warnings (profile: strict)", "summary names the profile");

    snprintf(args, sizeof args, "check '%s/examples/number_theory_mistakes.lean'", src);
    is_int(run(args), 1, "blueprint with mistakes: exit 1");
    is_contains(out, "number_theory_mistakes.lean:104:7: error: ", "FILE:LINE:COL: severity: format");
    is_contains(out, "[blueprint.label-name]", "code in brackets");

    /* A file whose only finding is a warning: 0, but 1 with --strict. */
    char path[1024];
    snprintf(path, sizeof path, "%s/warn.lean", dir);
    test_write_file(path,
                    "@[blueprint \"thm:a\"\n  (statement := /-- S. -/)\n  (proof := /-- P. -/)\n"
                    "  (title := /-- T. -/)\n  (latexEnv := \"theorem\")]\ntheorem a : True := by\n  trivial\n"
                    "@[blueprint \"thm:b\"\n  (statement := /-- S. -/)\n  (proof := /-- P. -/)\n"
                    "  (title := /-- T. -/)\n  (latexEnv := \"theorem\")]\ntheorem b : True := by\n  trivial\n");
    snprintf(args, sizeof args, "check '%s'", path);
    is_int(run(args), 0, "warnings only: exit 0");
    is_contains(out, "warning: ", "the spacing warning is printed");
    snprintf(args, sizeof args, "check --strict '%s'", path);
    is_int(run(args), 1, "warnings only with --strict: exit 1");

    /* --json: a parsable array with the documented keys; the summary goes to stderr. */
    snprintf(args, sizeof args, "check --json '%s/examples/number_theory_mistakes.lean'", src);
    is_int(run(args), 1, "--json: exit 1");
    cJSON *arr = cJSON_Parse(out);
    ok(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 10, "--json prints an array of findings");
    const cJSON *f0 = cJSON_GetArrayItem(arr, 0);
    ok(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f0, "file")) &&
           cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(f0, "line")) &&
           cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(f0, "column")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f0, "code")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f0, "severity")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f0, "message")),
       "each finding has file, line, column, code, severity, message");
    cJSON_Delete(arr);
    is_contains(err, "(profile: strict)", "--json: summary on stderr");

    /* Profiles. */
    snprintf(args, sizeof args, "check --profile off '%s/examples/number_theory_mistakes.lean'", src);
    is_int(run(args), 0, "--profile off: nothing to report");
    snprintf(args, sizeof args, "check --profile architect '%s/examples/architect_style.lean'", src);
    is_int(run(args), 1, "--profile architect on the architect example: its errors");
    is_contains(out, "(profile: architect)", "architect named");
    is_int(run("check --profile bogus x.lean"), 2, "unknown profile: exit 2");
    is_contains(err, "unknown profile", "... with a message");

    /* I/O errors. */
    is_int(run("check /nonexistent/file.lean"), 2, "missing file: exit 2");
    is_contains(err, "No such file", "... says so");
    snprintf(path, sizeof path, "%s/bin.lean", dir);
    FILE *f = fopen(path, "wb");
    fwrite("theorem\0\1\2", 1, 10, f);
    fclose(f);
    snprintf(args, sizeof args, "check '%s'", path);
    is_int(run(args), 2, "binary file: exit 2");
    is_contains(err, "binary file", "... named binary");
    snprintf(path, sizeof path, "%s/latin1.lean", dir);
    test_write_file(path, "theorem caf\xe9 : True := by\n  trivial\n");
    snprintf(args, sizeof args, "check '%s'", path);
    is_int(run(args), 2, "non-UTF-8 file: exit 2");
    is_contains(err, "not UTF-8", "... named not UTF-8");
    is_contains(err, "offset 11", "... with the offset");
    is_int(run("check"), 2, "no file: exit 2");
    is_int(run("check --frobnicate x.lean"), 2, "unknown option: exit 2");

    /* dag formats. */
    snprintf(args, sizeof args, "dag '%s/examples/number_theory.lean'", src);
    is_int(run(args), 0, "dag: exit 0");
    cJSON *dag = cJSON_Parse(out);
    is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(dag, "nodes")), 17, "dag json: 17 nodes");
    ok(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(dag, "summary")), "dag json: summary");
    is_contains(test_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dag, "uri"))), "file:///", "dag json: a file URI");
    cJSON_Delete(dag);
    snprintf(args, sizeof args, "dag --format dot '%s/examples/number_theory.lean'", src);
    is_int(run(args), 0, "dag dot: exit 0");
    is_contains(out, "digraph", "dot output");
    is_contains(out, "shape=box", "definitions as boxes");
    snprintf(args, sizeof args, "dag --format mermaid '%s/examples/number_theory.lean'", src);
    run(args);
    is_contains(out, "flowchart", "mermaid output");
    snprintf(args, sizeof args, "dag --format html '%s/examples/number_theory.lean'", src);
    run(args);
    is_contains(out, "<table id=\"nodes\">", "html output");
    is_contains(out, "infinitely_many_primes_three_mod_four", "html lists the theorem");
    is_int(run("dag --format png x.lean"), 2, "unknown format: exit 2");
    is_int(run("--version"), 0, "--version");
    is_contains(out, "lsp-proxy ", "version printed");

    /* settings: what the proxy would run with, from the project's .marathon.json and the
     * environment over the built-in defaults */
    char proj[700], file[800];
    snprintf(proj, sizeof proj, "%s/proj", dir);
    mkdir(proj, 0700);
    snprintf(file, sizeof file, "%s/lakefile.toml", proj);
    test_write_file(file, "name = \"p\"\n");
    snprintf(file, sizeof file, "%s/.marathon.json", proj);
    test_write_file(file, "{\"agents\": {\"maxParallel\": 2}, \"blueprint\": {\"profile\": \"strict\"}}");
    snprintf(args, sizeof args, "settings '%s'", proj);
    is_int(run(args), 0, "settings: exit 0");
    cJSON *st = cJSON_Parse(out);
    ok(cJSON_IsArray(st) && cJSON_GetArraySize(st) >= 20, "a JSON array of the settings");
    int seen = 0, par = -1, tmo = -1, nvals = -1;
    const char *prof = NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, st)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "key"));
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "value");
        if (k == NULL)
            continue;
        if (strcmp(k, "agents.maxParallel") == 0)
            seen++, par = (int)cJSON_GetNumberValue(v);
        if (strcmp(k, "blueprint.profile") == 0)
            seen++, prof = cJSON_GetStringValue(v);
        if (strcmp(k, "llm.timeoutMs") == 0)
            seen++, tmo = (int)cJSON_GetNumberValue(v);
        if (strcmp(k, "onSave") == 0)
            seen++, nvals = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(it, "values"));
    }
    is_int(par, 2, "settings: .marathon.json's maxParallel");
    is_str(prof, "strict", "settings: its profile");
    is_int(tmo, 120000, "settings: a built-in default");
    is_int(nvals, 3, "settings: an enum lists its values");
    is_int(seen, 4, "the four settings looked at are there");
    cJSON_Delete(st);
    /* every setting INTERFACE.md lists is one the proxy reads, when the contract is here */
    char ipath[700];
    snprintf(ipath, sizeof ipath, "%s/../shared/INTERFACE.md", src);
    char *md = test_read_file(ipath);
    if (md) {
        run("settings /nonexistent-dir-for-settings");
        int missing = 0, rows = 0;
        char *sec = strstr(md, "\n## Settings\n");
        char *end = sec ? strstr(sec + 1, "\n## ") : NULL;
        if (end)
            *end = '\0';
        for (char *q = sec ? strstr(sec, "\n| `") : NULL; q; q = strstr(q + 1, "\n| `")) {
            rows++;
            char key[64];
            if (sscanf(q, "\n| `%63[A-Za-z.]`", key) == 1) {
                char needle[80];
                snprintf(needle, sizeof needle, "\"key\":\"%s\"", key);
                if (strstr(out, needle) == NULL) {
                    diag("INTERFACE.md's `%s` is not a setting of the proxy", key);
                    missing++;
                }
            }
        }
        ok(rows >= 15, "INTERFACE.md's settings table read (%d rows)", rows);
        is_int(missing, 0, "every setting of INTERFACE.md's table is read by the proxy");
        free(md);
    } else {
        skip("INTERFACE.md cross-check", "shared/INTERFACE.md is not next to the checkout");
    }
    is_int(run("settings --bogus"), 2, "settings: an unknown option exits 2");
    free(dir);
    return done_testing();
}
