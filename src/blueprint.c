/* blueprint: @[blueprint] attributes (stub; being implemented). */
#include "blueprint.h"

#include <stdlib.h>

#include "decls.h"
#include "xalloc.h"

struct blueprint {
    size_t n;
};

struct blueprint *
blueprint_new(const struct lean_lex *lx, const struct decls *d)
{
    (void)lx;
    (void)d;
    return xcalloc(1, sizeof(struct blueprint));
}

void
blueprint_free(struct blueprint *bp)
{
    free(bp);
}

size_t
blueprint_count(const struct blueprint *bp)
{
    return bp->n;
}

const struct blueprint_attr *
blueprint_get(const struct blueprint *bp, size_t i)
{
    (void)bp;
    (void)i;
    return NULL;
}

const struct blueprint_attr *
blueprint_for_decl(const struct blueprint *bp, size_t decl_index)
{
    (void)bp;
    (void)decl_index;
    return NULL;
}

const struct blueprint_field *
blueprint_attr_field(const struct blueprint_attr *a, enum blueprint_field_kind kind)
{
    for (size_t i = 0; i < a->nfields; i++)
        if (a->fields[i].kind == kind)
            return &a->fields[i];
    return NULL;
}

const char *
blueprint_field_name(enum blueprint_field_kind kind)
{
    (void)kind;
    return "?";
}

struct blueprint_cref *
blueprint_scan_crefs(const struct lean_lex *lx, size_t start, size_t end, size_t *n)
{
    (void)lx;
    (void)start;
    (void)end;
    *n = 0;
    return NULL;
}

void
blueprint_crefs_free(struct blueprint_cref *crefs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((char *)crefs[i].label);
    free(crefs);
}

bool
blueprint_braces_balanced(const struct lean_lex *lx, size_t start, size_t end,
                          struct lean_span *error)
{
    (void)lx;
    (void)start;
    (void)end;
    (void)error;
    return true;
}
