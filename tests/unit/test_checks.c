/*
 * test_checks: every contract rule, failing and passing, from the .lean files of tests/data/rules.
 *
 * Each file ends with its expectations (format: tests/data/rules/README.md). The trailing
 * `-- expect` lines are cut off before the analysis, so they neither shift positions nor
 * count as comments for comment-hygiene. For each profile run, the exact multiset of
 * findings (line:column severity code) must equal the expected one.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "tap.h"

#define MAX_EXPECT 64

struct expect {
    char profiles[3][16]; /* profiles to run; default strict + architect */
    size_t nprofiles;
    char auto_profile[16]; /* "" when not checked */
    char items[MAX_EXPECT][128];
    char item_profile[MAX_EXPECT][16]; /* "" = both */
    size_t nitems;
    size_t text_len; /* bytes before the expectation block */
    bool stray;      /* an expectation line before the trailing block */
};

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    *len = n;
    return s;
}

static bool
starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static void
parse_line(struct expect *e, const char *line, size_t len)
{
    char buf[256];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, line, len);
    buf[len] = '\0';
    const char *p = buf + strlen("-- expect");
    if (starts(p, " profiles:")) {
        char *tok = strtok((char *)p + strlen(" profiles:"), " ");
        e->nprofiles = 0;
        while (tok && e->nprofiles < 3) {
            snprintf(e->profiles[e->nprofiles++], sizeof e->profiles[0], "%.15s", tok);
            tok = strtok(NULL, " ");
        }
        return;
    }
    if (starts(p, " auto:")) {
        snprintf(e->auto_profile, sizeof e->auto_profile, "%.15s", p + strlen(" auto: "));
        return;
    }
    const char *prof = "";
    if (starts(p, " strict:")) {
        prof = "strict";
        p += strlen(" strict:");
    } else if (starts(p, " architect:")) {
        prof = "architect";
        p += strlen(" architect:");
    } else if (starts(p, ":")) {
        p += 1;
    } else {
        return;
    }
    while (*p == ' ')
        p++;
    if (e->nitems < MAX_EXPECT) {
        snprintf(e->items[e->nitems], sizeof e->items[0], "%.127s", p);
        snprintf(e->item_profile[e->nitems], sizeof e->item_profile[0], "%.15s", prof);
        e->nitems++;
    }
}

/* Finds the trailing block of `-- expect` / blank lines and parses it. */
static void
parse_expect(const char *text, size_t len, struct expect *e)
{
    memset(e, 0, sizeof *e);
    snprintf(e->profiles[0], sizeof e->profiles[0], "strict");
    snprintf(e->profiles[1], sizeof e->profiles[1], "architect");
    e->nprofiles = 2;
    /* walk lines backwards while they are expectations or blank */
    size_t end = len;
    e->text_len = len;
    while (end > 0) {
        size_t start = end;
        if (start > 0 && text[start - 1] == '\n')
            start--;
        size_t line_end = start;
        while (start > 0 && text[start - 1] != '\n')
            start--;
        const char *line = text + start;
        size_t n = line_end - start;
        bool blank = true;
        for (size_t i = 0; i < n; i++)
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
                blank = false;
        if (!blank && !(n >= 9 && strncmp(line, "-- expect", 9) == 0))
            break;
        if (!blank)
            parse_line(e, line, n);
        e->text_len = start;
        end = start;
    }
    /* an expectation anywhere else is a mistake in the test file */
    for (const char *p = text; p && p < text + e->text_len; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (starts(p, "-- expect") && p < text + e->text_len)
            e->stray = true;
    }
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs one profile and compares with the expectations for profile `want` (strict/architect/
 * off). Returns true when equal; prints the difference otherwise. */
static void
run_profile(const char *name, const char *text, size_t len, enum bp_profile profile,
            const char *want, const struct expect *e)
{
    struct analysis *a = analysis_new(text, len, profile);
    size_t n = analysis_finding_count(a);
    char **got = calloc(n + 1, sizeof *got);
    bool messages_ok = true;
    for (size_t i = 0; i < n; i++) {
        const struct analysis_finding *f = analysis_finding(a, i);
        got[i] = malloc(512);
        /* "L:C severity code" then, after a NUL, the message (for the diagnostics) */
        int k = snprintf(got[i], 512, "%u:%u %s %s", f->range.start.line + 1,
                         f->range.start.character + 1, f->severity == 1 ? "error" : "warning",
                         f->code);
        snprintf(got[i] + k + 1, (size_t)(512 - k - 1), "%.300s", f->message ? f->message : "");
        if (f->message == NULL || strlen(f->message) < 10)
            messages_ok = false;
    }
    const char *exp[MAX_EXPECT + 1];
    size_t ne = 0;
    for (size_t i = 0; i < e->nitems; i++)
        if (e->item_profile[i][0] == '\0' || strcmp(e->item_profile[i], want) == 0)
            exp[ne++] = e->items[i];
    if (strcmp(want, "off") == 0)
        ne = 0;
    qsort(got, n, sizeof *got, cmp_str);
    qsort(exp, ne, sizeof *exp, cmp_str);
    bool same = n == ne;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(got[i], exp[i]) == 0;
    ok(same && messages_ok, "%s [%s%s]: %zu finding(s) as expected", name,
       bp_profile_name(profile), profile == BP_PROFILE_AUTO ? " -> auto" : "", ne);
    if (!same) {
        for (size_t i = 0; i < n; i++)
            diag("  got:      %s  (%s)", got[i], got[i] + strlen(got[i]) + 1);
        for (size_t i = 0; i < ne; i++)
            diag("  expected: %s", exp[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(got[i]);
    free(got);
    analysis_free(a);
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
    const char *src = getenv("LSP_PROXY_SRC");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/data/rules", src && *src ? src : ".");
    DIR *dp = opendir(dir);
    ok(dp != NULL, "open %s", dir);
    if (dp == NULL)
        return done_testing();
    char *names[512];
    size_t nnames = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && nnames < 512) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".lean") == 0)
            names[nnames++] = strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, nnames, sizeof *names, cmp_name);
    ok(nnames >= 40, "found %zu rule files", nnames);
    for (size_t i = 0; i < nnames; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len = 0;
        char *text = read_file(path, &len);
        if (text == NULL) {
            ok(false, "read %s", path);
            continue;
        }
        struct expect e;
        parse_expect(text, len, &e);
        ok(!e.stray, "%s: expectations only at the end", names[i]);
        for (size_t p = 0; p < e.nprofiles; p++) {
            enum bp_profile prof;
            if (bp_profile_parse(e.profiles[p], &prof) != 0) {
                ok(false, "%s: unknown profile %s", names[i], e.profiles[p]);
                continue;
            }
            run_profile(names[i], text, e.text_len, prof, e.profiles[p], &e);
        }
        if (e.auto_profile[0]) {
            struct analysis *a = analysis_new(text, e.text_len, BP_PROFILE_AUTO);
            is_str(bp_profile_name(analysis_profile(a)), e.auto_profile, "%s: auto resolves",
                   names[i]);
            analysis_free(a);
            run_profile(names[i], text, e.text_len, BP_PROFILE_AUTO, e.auto_profile, &e);
        }
        free(text);
        free(names[i]);
    }
    return done_testing();
}
