/* decls: declarations and commands of a Lean file (stub; being implemented). */
#include "decls.h"

#include <stdlib.h>

#include "xalloc.h"

struct decls {
    const struct lean_lex *lx;
};

struct decls *
decls_new(const struct lean_lex *lx)
{
    struct decls *d = xcalloc(1, sizeof *d);
    d->lx = lx;
    return d;
}

void
decls_free(struct decls *d)
{
    free(d);
}

const struct lean_lex *
decls_lex(const struct decls *d)
{
    return d->lx;
}

size_t
decls_count(const struct decls *d)
{
    (void)d;
    return 0;
}

const struct decl *
decls_get(const struct decls *d, size_t i)
{
    (void)d;
    (void)i;
    return NULL;
}

size_t
decls_cmd_count(const struct decls *d)
{
    (void)d;
    return 0;
}

const struct decl_cmd *
decls_cmd(const struct decls *d, size_t i)
{
    (void)d;
    (void)i;
    return NULL;
}

bool
decls_exit(const struct decls *d, struct lean_span *at)
{
    (void)d;
    (void)at;
    return false;
}

const char *
decls_kind_name(enum decl_kind kind)
{
    (void)kind;
    return "other";
}

const char *
decls_ref_text(const struct decls *d, const struct decl_ref *r, bool last, size_t *len)
{
    uint32_t s = last ? r->last_start : r->span.start;
    *len = r->span.end - s;
    return lean_lex_text(d->lx) + s;
}
