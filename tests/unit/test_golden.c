/*
 * test_golden: every tests/data/NAME.lean, analysed with profile auto, must render exactly
 * NAME.dag.json and NAME.check.txt (tests/unit/golden.h). After an intended change, run
 * tests/regen (make regen) and review the diff.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "tap.h"

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Like is_str, but on a mismatch prints the first differing line only. */
static void
same_text(const char *got, const char *want, const char *what)
{
    bool same = got && want && strcmp(got, want) == 0;
    ok(same, "%s", what);
    if (same || got == NULL || want == NULL)
        return;
    size_t line = 1;
    const char *g = got, *w = want;
    while (*g && *g == *w) {
        line += *g == '\n';
        g++;
        w++;
    }
    const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
    diag("first difference on line %zu:", line);
    diag("  got:      %.*s", (int)(ge ? ge - g : (long)strlen(g)), g);
    diag("  expected: %.*s", (int)(we ? we - w : (long)strlen(w)), w);
}

int
main(void)
{
    const char *src = getenv("LSP_PROXY_SRC");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/data", src && *src ? src : ".");
    DIR *dp = opendir(dir);
    ok(dp != NULL, "open %s", dir);
    if (dp == NULL)
        return done_testing();
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && n < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".lean") == 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_name);
    ok(n >= 3, "found %zu golden inputs", n);
    for (size_t i = 0; i < n; i++) {
        char path[8192 + 16], stem[8192];
        size_t len = 0;
        snprintf(stem, sizeof stem, "%s/%s", dir, names[i]);
        stem[strlen(stem) - 5] = '\0'; /* drop ".lean" */
        snprintf(path, sizeof path, "%s.lean", stem);
        char *text = golden_read(path, &len);
        snprintf(path, sizeof path, "%s.dag.json", stem);
        char *want_dag = golden_read(path, NULL);
        snprintf(path, sizeof path, "%s.check.txt", stem);
        char *want_check = golden_read(path, NULL);
        ok(text && want_dag && want_check, "%s: input and both expected files exist", names[i]);
        if (text && want_dag && want_check) {
            char *dag, *check;
            golden_render(text, len, names[i], &dag, &check);
            char what[512];
            snprintf(what, sizeof what, "%s: DAG JSON matches", names[i]);
            same_text(dag, want_dag, what);
            snprintf(what, sizeof what, "%s: check output matches", names[i]);
            same_text(check, want_check, what);
            free(dag);
            free(check);
        }
        free(text);
        free(want_dag);
        free(want_check);
        free(names[i]);
    }
    return done_testing();
}
