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

/* The first field in which two readings differ, or NULL. */
static char why[256];

static bool
same_span(struct lean_span a, struct lean_span b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static bool
same_refs(const struct decl_ref *a, const struct decl_ref *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].tok != b[i].tok || a[i].head != b[i].head)
            return false;
    return true;
}

#define DIFF(cond, ...)                                                                     \
    do {                                                                                    \
        if (cond) {                                                                         \
            snprintf(why, sizeof why, __VA_ARGS__);                                         \
            return why;                                                                     \
        }                                                                                   \
    } while (0)

static const char *
decl_diff(const struct decl *a, const struct decl *b)
{
    DIFF(a->kind != b->kind || strcmp(a->keyword, b->keyword) != 0, "kind");
    DIFF(!same_span(a->keyword_span, b->keyword_span), "keyword_span");
    DIFF(!same_span(a->range, b->range) || a->tok_first != b->tok_first ||
             a->tok_end != b->tok_end, "range");
    DIFF(a->has_doc != b->has_doc || (a->has_doc && a->doc_tok != b->doc_tok) ||
             !same_span(a->doc, b->doc), "doc");
    DIFF(a->nattrs != b->nattrs || a->nbrackets != b->nbrackets ||
             !same_span(a->attrs_span, b->attrs_span) || a->attrs_unclosed != b->attrs_unclosed,
         "attrs");
    for (size_t k = 0; k < a->nattrs; k++)
        DIFF(!same_span(a->attrs[k].span, b->attrs[k].span) ||
                 !same_span(a->attrs[k].name, b->attrs[k].name) ||
                 a->attrs[k].tok_first != b->attrs[k].tok_first ||
                 a->attrs[k].tok_end != b->attrs[k].tok_end || a->attrs[k].bracket != b->attrs[k].bracket,
             "attr %zu", k);
    DIFF(a->modifiers != b->modifiers || a->nmods != b->nmods, "modifiers");
    for (size_t k = 0; k < a->nmods; k++)
        DIFF(a->mods[k].mod != b->mods[k].mod || !same_span(a->mods[k].span, b->mods[k].span),
             "modifier %zu", k);
    DIFF(a->has_name != b->has_name || !same_span(a->name_span, b->name_span) ||
             strcmp(a->name, b->name) != 0 || strcmp(a->full_name, b->full_name) != 0, "name");
    DIFF(!same_span(a->header, b->header) || !same_span(a->signature, b->signature), "header");
    DIFF(a->has_type != b->has_type || !same_span(a->type, b->type), "type");
    DIFF(a->has_assign != b->has_assign || !same_span(a->assign, b->assign), "assign");
    DIFF(a->body_kind != b->body_kind || !same_span(a->by, b->by) || !same_span(a->body, b->body) ||
             a->body_tok_first != b->body_tok_first || a->body_tok_end != b->body_tok_end,
         "body");
    DIFF(!same_span(a->body_main, b->body_main) || a->body_main_tok_end != b->body_main_tok_end,
         "body_main");
    DIFF(a->proof != b->proof || a->malformed != b->malformed ||
             !same_span(a->placeholder, b->placeholder), "proof");
    DIFF(a->nsorries != b->nsorries, "sorries");
    for (size_t k = 0; k < a->nsorries; k++)
        DIFF(a->sorries[k].kind != b->sorries[k].kind ||
                 !same_span(a->sorries[k].span, b->sorries[k].span) ||
                 a->sorries[k].tok != b->sorries[k].tok || a->sorries[k].in_body != b->sorries[k].in_body,
             "sorry %zu", k);
    DIFF(a->nusings != b->nusings, "usings");
    for (size_t k = 0; k < a->nusings; k++) {
        const struct decl_using *u = &a->usings[k], *v = &b->usings[k];
        DIFF(!same_span(u->keyword, v->keyword) || u->has_list != v->has_list ||
                 !same_span(u->list, v->list) || u->nnames != v->nnames ||
                 !same_refs(u->names, v->names, u->nnames) || u->has_comment != v->has_comment ||
                 !same_span(u->comment, v->comment) || u->has_junk != v->has_junk,
             "sorry_using %zu", k);
    }
    DIFF(a->nrefs != b->nrefs || !same_refs(a->refs, b->refs, a->nrefs), "refs");
    DIFF(a->nsig_refs != b->nsig_refs || !same_refs(a->sig_refs, b->sig_refs, a->nsig_refs),
         "sig_refs");
    DIFF(a->nproof_docs != b->nproof_docs, "proof_docs");
    for (size_t k = 0; k < a->nproof_docs; k++)
        DIFF(a->proof_docs[k] != b->proof_docs[k], "proof_doc %zu", k);
    DIFF(a->in_namespace != b->in_namespace || a->in_mutual != b->in_mutual, "context");
    DIFF(a->blank_line_before != b->blank_line_before ||
             a->prev_cmd_end_line != b->prev_cmd_end_line, "spacing");
    return NULL;
}

static const char *
decls_diff(const struct decls *a, const struct decls *b)
{
    static char out[320];
    DIFF(decls_count(a) != decls_count(b), "%zu declarations, %zu fresh", decls_count(a),
         decls_count(b));
    for (size_t i = 0; i < decls_count(a); i++) {
        const char *w = decl_diff(decls_get(a, i), decls_get(b, i));
        if (w) {
            snprintf(out, sizeof out, "declaration %zu (%s): %s", i, decls_get(b, i)->name, w);
            return out;
        }
    }
    DIFF(decls_cmd_count(a) != decls_cmd_count(b), "%zu commands, %zu fresh",
         decls_cmd_count(a), decls_cmd_count(b));
    for (size_t i = 0; i < decls_cmd_count(a); i++) {
        const struct decl_cmd *c = decls_cmd(a, i), *e = decls_cmd(b, i);
        DIFF(c->kind != e->kind || !same_span(c->keyword, e->keyword) ||
                 !same_span(c->range, e->range) || c->tok_first != e->tok_first ||
                 c->tok_end != e->tok_end || c->has_name != e->has_name ||
                 !same_span(c->name_span, e->name_span) || strcmp(c->name, e->name) != 0 ||
                 c->has_in != e->has_in,
             "command %zu", i);
    }
    struct lean_span x = {0}, y = {0};
    bool ex = decls_exit(a, &x), ey = decls_exit(b, &y);
    DIFF(ex != ey || !same_span(x, y), "#exit");
    return NULL;
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

int
main(void)
{
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
