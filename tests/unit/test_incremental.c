/* test_incremental: analysis_update() after an edit renders what analysis_new() of the
 * edited text renders (the DAG JSON and the check findings), on the shipped examples and
 * the contract's rule files, for seeded random edits: single characters typed and deleted,
 * and fragments that open or close comments, strings, namespaces and declarations. The
 * update keeps the lexer's tokens around the edit and the declaration reader's commands
 * before and after it (decls_update). The same edits also go through lean_lex_update()
 * and decls_update() alone, and every field of every declaration and command must equal
 * a fresh reading's. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "decls.h"
#include "lean_lex.h"
#include "decls_diff.h"
#include "tap.h"
#include "textfile.h"

static char *
render(const struct analysis *a)
{
    char *dag = analysis_dag_json(a, "file:///t.lean", 1);
    char *chk = analysis_check_json_items(a, "t.lean");
    size_t n = strlen(dag) + strlen(chk) + 2;
    char *out = malloc(n);
    snprintf(out, n, "%s\n%s", dag, chk);
    free(dag);
    free(chk);
    return out;
}

static unsigned seed = 20261207u;
static unsigned
rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static const char *frags[] = {
    "x", " ", "\n", "\n\n", "sorry", ":= by\n  sorry\n", "/-", "-/", "\"", "--", "namespace N\n",
    "end N\n", "section\n", "end\n", "theorem t : True := trivial\n", "@[blueprint \"lem:x\"]\n",
    "/-- doc -/\n", "(statement := /-- $x$ -/)", "sorry_using [a]", "«", "»", "ℝ", "open X in\n",
    "lemma q (n : ℕ) : n = n := by\n  rfl\n", "def f := 1\n", "|x|", "mutual\n", "where\n"};

/* Edits text (len) rounds times, each edit through analysis_update, compared with a fresh
 * analysis; returns the number of disagreements. */
static int
edit_file(const char *name, char *text, size_t len, int rounds, int *done)
{
    struct analysis *inc = analysis_new(text, len, BP_PROFILE_AUTO);
    char *cur = malloc(len + 1);
    memcpy(cur, text, len);
    size_t clen = len;
    int bad = 0;
    /* the syntax layer alone, on the same edits */
    struct lean_lex *lx = lean_lex_new(cur, clen);
    struct decls *ds = decls_new(lx);
    for (int r = 0; r < rounds && bad == 0; r++) {
        size_t at = clen ? rnd() % (clen + 1) : 0;
        /* the latter half of the file more often: where the kept prefix is long */
        if (r % 2 == 0 && clen > 1)
            at = clen / 2 + rnd() % (clen - clen / 2 + 1);
        while (at > 0 && at < clen && ((unsigned char)cur[at] & 0xC0) == 0x80)
            at--; /* not inside a UTF-8 sequence */
        size_t del = rnd() % 3 == 0 ? rnd() % 12 : 0;
        if (at + del > clen)
            del = clen - at;
        while (at + del < clen && ((unsigned char)cur[at + del] & 0xC0) == 0x80)
            del++;
        const char *ins = rnd() % 4 == 0 ? "" : frags[rnd() % (sizeof frags / sizeof *frags)];
        size_t ilen = strlen(ins), nlen = clen - del + ilen;
        char *next = malloc(nlen + 1);
        memcpy(next, cur, at);
        memcpy(next + at, ins, ilen);
        memcpy(next + at + ilen, cur + at + del, clen - at - del);
        next[nlen] = '\0';
        inc = analysis_update(inc, next, nlen, BP_PROFILE_AUTO);
        struct analysis *fresh = analysis_new(next, nlen, BP_PROFILE_AUTO);
        char *x = render(inc), *y = render(fresh);
        if (strcmp(x, y) != 0) {
            diag("%s, edit %d: at byte %zu, %zu deleted, \"%s\" inserted: the update differs",
                 name, r, at, del, ins);
            bad++;
        }
        free(x);
        free(y);
        analysis_free(fresh);
        lx = lean_lex_update(lx, next, nlen, at, at + del, at + ilen);
        ds = decls_update(ds, lx);
        struct lean_lex *flx = lean_lex_new(next, nlen);
        struct decls *fds = decls_new(flx);
        const char *w = decls_diff(ds, fds);
        if (w) {
            diag("%s, edit %d: at byte %zu, %zu deleted, \"%s\" inserted: decls_update differs "
                 "in %s", name, r, at, del, ins, w);
            bad++;
        }
        decls_free(fds);
        lean_lex_free(flx);
        free(cur);
        cur = next;
        clen = nlen;
        (*done)++;
    }
    analysis_free(inc);
    decls_free(ds);
    lean_lex_free(lx);
    free(cur);
    return bad;
}

/* One edit through lean_lex_update() and decls_update(), against a fresh reading. */
static const char *
one_edit(const char *before, const char *after, size_t start, size_t old_end, size_t new_end)
{
    static char out[400];
    struct lean_lex *lx = lean_lex_new(before, strlen(before));
    struct decls *ds = decls_new(lx);
    lx = lean_lex_update(lx, after, strlen(after), start, old_end, new_end);
    ds = decls_update(ds, lx);
    struct lean_lex *flx = lean_lex_new(after, strlen(after));
    struct decls *fds = decls_new(flx);
    const char *w = decls_diff(ds, fds);
    snprintf(out, sizeof out, "%s", w ? w : "");
    decls_free(fds);
    lean_lex_free(flx);
    decls_free(ds);
    lean_lex_free(lx);
    return out;
}

/* A command whose reading looks far past its end: whether the unclosed `@[` after `where`
 * starts a command of its own depends on a `)` three commands later (found by fuzzing).
 * Keeping the commands before the edit by a fixed margin got it wrong; the reader's
 * horizon (the furthest token each reading looked at) does not. */
static void
test_far_lookahead(void)
{
    static const char before[] = "def where@[\nend\nd\n\n\nep\n";
    static const char after[] = "def where@[\nend\nd\n\n\ne)vep\n";
    size_t at = sizeof "def where@[\nend\nd\n\n\n" - 1;
    is_str(one_edit(before, after, at, at, at + 3), "", "an edit three commands after a reading's look-ahead");
    is_str(one_edit(after, before, at, at + 3, at), "", "and back");
}

int
main(void)
{
    test_far_lookahead();
    const char *src = getenv("LSP_PROXY_SRC");
    const char *dirs[] = {"examples", "tests/data/rules"};
    int files = 0, edits = 0, bad = 0;
    char path[4096], err[256];
    for (size_t k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", src ? src : ".", dirs[k]);
        DIR *dir = opendir(path);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            size_t nl = strlen(e->d_name);
            if (nl < 5 || strcmp(e->d_name + nl - 5, ".lean") != 0)
                continue;
            char file[8192];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            size_t len;
            char *text = textfile_read(file, &len, err, sizeof err);
            if (!text)
                continue;
            bad += edit_file(e->d_name, text, len, 40, &edits);
            textfile_free(text, len);
            files++;
        }
        closedir(dir);
    }
    ok(files >= 40, "%d files edited", files);
    ok(edits >= 1600, "%d edits", edits);
    is_int(bad, 0, "every update renders as the analysis from scratch");
    return done_testing();
}
