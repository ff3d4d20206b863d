/*
 * context: the file around a node, as an agent is shown it (context.h).
 *
 * The node's LaTeX texts are read by lexing the node's own header again (a few hundred
 * bytes): the analysis keeps the blueprint attributes to itself, and the header alone is a
 * complete declaration head to the lexer, the declaration reader and the blueprint reader.
 */
#include "context.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "blueprint.h"
#include "buf.h"
#include "dag.h"
#include "decls.h"
#include "documents.h"
#include "edits.h"
#include "lean_lex.h"
#include "xalloc.h"

#define CONTEXT_OMITTED "\n  -- (proof omitted)\n"

/* Byte offsets of a node: its first line, where its body starts, where the body ends. */
static void
node_offsets(const struct document *doc, const struct analysis_node *n, size_t *start,
             size_t *anchor, size_t *end)
{
    size_t len;
    const char *text = document_text(doc, &len);
    struct lsp_pos line_start = {n->range.start.line, 0};
    *start = document_offset(doc, line_start);
    *anchor = edits_body_anchor(text, document_offset(doc, n->body_range.start));
    *end = document_offset(doc, n->body_range.end);
    if (*anchor < *start)
        *anchor = *start;
    if (*end < *anchor)
        *end = *anchor;
}

char *
context_statement(const struct document *doc, const struct analysis_node *node)
{
    size_t len, start, anchor, end;
    const char *text = document_text(doc, &len);
    node_offsets(doc, node, &start, &anchor, &end);
    /* trailing white space after `:=`/`by` says nothing */
    while (anchor > start && (text[anchor - 1] == ' ' || text[anchor - 1] == '\n'))
        anchor--;
    return xstrndup(text + start, anchor - start);
}

static void
read_latex(struct context *c, const char *header, size_t len)
{
    struct lean_lex *lx = lean_lex_new(header, len);
    struct decls *d = decls_new(lx);
    struct blueprint *bp = blueprint_new(lx, d);
    for (size_t i = 0; i < blueprint_count(bp); i++) {
        const struct blueprint_attr *a = blueprint_get(bp, i);
        const struct blueprint_field *f = blueprint_attr_field(a, BLUEPRINT_FIELD_STATEMENT);
        if (f && !c->latex_statement && *f->text)
            c->latex_statement = xstrdup(f->text);
        f = blueprint_attr_field(a, BLUEPRINT_FIELD_PROOF);
        if (f && !c->latex_proof && *f->text)
            c->latex_proof = xstrdup(f->text);
    }
    blueprint_free(bp);
    decls_free(d);
    lean_lex_free(lx);
}

/* The text before node with earlier proofs elided. */
static char *
elided_prefix(const struct document *doc, const struct analysis *a, size_t upto, size_t *first_decl)
{
    size_t len;
    const char *text = document_text(doc, &len);
    struct buf b;
    buf_init(&b, upto + 64);
    size_t at = 0;
    *first_decl = upto;
    for (size_t i = 0; i < analysis_node_count(a); i++) {
        const struct analysis_node *n = analysis_node(a, i);
        size_t start, anchor, end;
        node_offsets(doc, n, &start, &anchor, &end);
        if (start >= upto)
            break;
        if (start < *first_decl)
            *first_decl = start;
        if (n->kind == ANALYSIS_KIND_DEFINITION || end > upto || anchor < at || end == anchor)
            continue;
        buf_add(&b, text + at, anchor - at);
        buf_adds(&b, CONTEXT_OMITTED);
        at = end;
        while (at < upto && text[at] == '\n') /* the elision line ends the proof */
            at++;
        if (at < upto)
            buf_adds(&b, "\n");
    }
    if (at < upto)
        buf_add(&b, text + at, upto - at);
    return buf_detach(&b, NULL);
}

struct context *
context_new(const struct document *doc, const struct analysis *a,
            const struct analysis_node *node, size_t cap)
{
    struct context *c = xcalloc(1, sizeof *c);
    size_t len, start, anchor, end;
    const char *text = document_text(doc, &len);
    node_offsets(doc, node, &start, &anchor, &end);
    read_latex(c, text + start, anchor - start);

    c->deps = node->ndeps ? xcalloc(node->ndeps, sizeof *c->deps) : NULL;
    for (size_t k = 0; k < node->ndeps; k++) {
        struct context_dep *d = &c->deps[c->ndeps++];
        const struct analysis_node *dn = analysis_node_by_name(a, node->deps[k]);
        d->name = xstrdup(node->deps[k]);
        d->statement = dn ? context_statement(doc, dn) : NULL;
        d->status = dn ? dag_status_name(dn->status) : "unknown";
    }

    size_t first_decl;
    char *file = elided_prefix(doc, a, start, &first_decl);
    size_t flen = strlen(file);
    if (flen <= cap) {
        c->file = file;
        return c;
    }
    /* keep the preamble (up to cap / 4) and the end; cut both at line starts */
    size_t head = first_decl < cap / 4 ? first_decl : cap / 4;
    while (head > 0 && file[head - 1] != '\n')
        head--;
    size_t tail_from = flen - (cap - head);
    while (tail_from < flen && file[tail_from - 1] != '\n')
        tail_from++;
    struct buf b;
    buf_init(&b, cap + 64);
    buf_add(&b, file, head);
    buf_adds(&b, "\n-- … (part of the file left out) …\n\n");
    buf_add(&b, file + tail_from, flen - tail_from);
    c->file_omitted = tail_from - head;
    c->file = buf_detach(&b, NULL);
    free(file);
    return c;
}

void
context_free(struct context *c)
{
    if (c == NULL)
        return;
    for (size_t k = 0; k < c->ndeps; k++) {
        free(c->deps[k].name);
        free(c->deps[k].statement);
    }
    free(c->deps);
    free(c->latex_statement);
    free(c->latex_proof);
    free(c->file);
    free(c);
}
