/*
 * decls_diff: the first field in which two readings of the same text differ, for the tests
 * of decls_update() (test_incremental, fuzz_differential): every field of every
 * declaration, its attributes, modifiers, placeholders, sorry_using lists, references and
 * proof docs, every command, and `#exit`. Header-only (static functions).
 */
#ifndef LSP_PROXY_TESTS_DECLS_DIFF_H
#define LSP_PROXY_TESTS_DECLS_DIFF_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "decls.h"

static char decls_diff_why[256];

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
            snprintf(decls_diff_why, sizeof decls_diff_why, __VA_ARGS__);                                         \
            return decls_diff_why;                                                                     \
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

/* The first field in which a and b differ (a description), or NULL when none does. */
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

#undef DIFF

#endif
