/* citations: cref parity for an agent's edit, and the "no worse" gate (citations.h). */
#include "citations.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "blueprint.h"
#include "buf.h"
#include "decls.h"
#include "lean_lex.h"
#include "xalloc.h"

/* The node's `proof` field in text: the docstring content [*start, *end) (absolute
 * offsets) and its crefs, read from the node's frozen part [node_start, node_start +
 * stmt_len). Returns false when it has none. */
struct proof_field {
    size_t start, end;
    char **labels; /* cited labels, in order, duplicates kept */
    size_t nlabels;
};

static void
proof_field_release(struct proof_field *f)
{
    for (size_t i = 0; i < f->nlabels; i++)
        free(f->labels[i]);
    free(f->labels);
    memset(f, 0, sizeof *f);
}

static bool
proof_field_read(const char *text, size_t node_start, size_t stmt_len, struct proof_field *out)
{
    memset(out, 0, sizeof *out);
    struct lean_lex *lx = lean_lex_new(text + node_start, stmt_len);
    struct decls *d = decls_new(lx);
    struct blueprint *bp = blueprint_new(lx, d);
    bool found = false;
    for (size_t i = 0; i < blueprint_count(bp) && !found; i++) {
        const struct blueprint_field *f =
            blueprint_attr_field(blueprint_get(bp, i), BLUEPRINT_FIELD_PROOF);
        if (f == NULL || f->value_kind != BLUEPRINT_VALUE_DOC)
            continue;
        found = true;
        out->start = node_start + f->text_span.start;
        out->end = node_start + f->text_span.end;
        out->labels = xreallocarray(NULL, f->ncrefs + 1, sizeof *out->labels);
        for (size_t k = 0; k < f->ncrefs; k++)
            out->labels[out->nlabels++] = xstrdup(f->crefs[k].label);
    }
    blueprint_free(bp);
    decls_free(d);
    lean_lex_free(lx);
    return found;
}

static bool
in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static const struct analysis_node *
node_by_label(const struct analysis *a, const char *label)
{
    for (size_t i = 0; i < analysis_node_count(a); i++) {
        const struct analysis_node *n = analysis_node(a, i);
        if (n->label && strcmp(n->label, label) == 0)
            return n;
    }
    return NULL;
}

/* The proof text s[0, n) with the labels in drop removed from their \cref/\Cref commands
 * and "It uses \cref{…}." appended for the labels in add. */
static char *
rewrite(const char *s, size_t n, char *const *drop, size_t ndrop, char *const *add, size_t nadd)
{
    struct buf b;
    buf_init(&b, n + 64);
    size_t i = 0;
    while (i < n) {
        const char *cmd = NULL;
        if (s[i] == '\\' && i + 6 <= n && (s[i + 1] == 'c' || s[i + 1] == 'C') &&
            memcmp(s + i + 2, "ref", 3) == 0) {
            size_t j = i + 5;
            if (j < n && s[j] == '*')
                j++;
            if (j < n && s[j] == '{')
                cmd = s + i;
            if (cmd) {
                const char *close = memchr(s + j + 1, '}', n - (j + 1));
                if (close == NULL) {
                    cmd = NULL;
                } else {
                    /* keep the labels not dropped */
                    struct buf kept;
                    buf_init(&kept, 32);
                    size_t a = j + 1, z = (size_t)(close - s);
                    int nkept = 0;
                    while (a <= z) {
                        size_t e = a;
                        while (e < z && s[e] != ',')
                            e++;
                        size_t ls = a, le = e;
                        while (ls < le && (s[ls] == ' ' || s[ls] == '\n'))
                            ls++;
                        while (le > ls && (s[le - 1] == ' ' || s[le - 1] == '\n'))
                            le--;
                        char *label = xstrndup(s + ls, le - ls);
                        if (le > ls && !in_list(drop, ndrop, label)) {
                            buf_addf(&kept, "%s%s", nkept ? ", " : "", label);
                            nkept++;
                        }
                        free(label);
                        a = e + 1;
                    }
                    if (nkept) {
                        buf_add(&b, s + i, j + 1 - i);
                        buf_add(&b, kept.data, kept.len);
                        buf_addch(&b, '}');
                    } else if (b.len && b.data[b.len - 1] == ' ') {
                        b.len--; /* the command goes with the space before it */
                    }
                    buf_release(&kept);
                    i = z + 1;
                    continue;
                }
            }
        }
        buf_addch(&b, s[i]);
        i++;
    }
    if (nadd) {
        while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\n'))
            b.len--;
        buf_adds(&b, b.len ? " It uses " : "It uses ");
        for (size_t k = 0; k < nadd; k++)
            buf_addf(&b, "%s\\cref{%s}", k == 0 ? "" : k + 1 == nadd ? " and " : ", ", add[k]);
        buf_addch(&b, '.');
    }
    return buf_detach(&b, NULL);
}

/* Messages equal but for their numbers: a finding that mentions a line ("first at line
 * 12") is the same finding after helpers moved it down. */
static bool
same_message(const char *x, const char *y)
{
    for (;;) {
        bool dx = *x >= '0' && *x <= '9', dy = *y >= '0' && *y <= '9';
        if (dx != dy)
            return false;
        if (dx) {
            while (*x >= '0' && *x <= '9')
                x++;
            while (*y >= '0' && *y <= '9')
                y++;
            continue;
        }
        if (*x != *y)
            return false;
        if (*x == '\0')
            return true;
        x++, y++;
    }
}

/* "code: message" of every finding of a at this severity with no equal (code and message,
 * numbers aside) in old: the findings the edit adds. NULL when there is none. */
static char *
added_findings(const struct analysis *old, const struct analysis *a, int severity)
{
    size_t nold = analysis_finding_count(old);
    bool *used = xcalloc(nold + 1, sizeof *used);
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < analysis_finding_count(a); i++) {
        const struct analysis_finding *f = analysis_finding(a, i);
        if (f->severity != severity)
            continue;
        bool seen = false;
        for (size_t k = 0; k < nold && !seen; k++) {
            const struct analysis_finding *g = analysis_finding(old, k);
            if (!used[k] && strcmp(f->code, g->code) == 0 && same_message(f->message, g->message))
                seen = used[k] = true;
        }
        if (!seen)
            buf_addf(&b, "%s: %s\n", f->code, f->message);
    }
    free(used);
    if (b.len == 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

int
citations_gate(const char *old_text, size_t old_len, size_t stmt_len, const char *new_text,
               size_t new_len, size_t new_node_start, const char *name, enum bp_profile profile,
               struct citations_result *r)
{
    memset(r, 0, sizeof *r);
    struct analysis *a = analysis_new(new_text, new_len, profile);
    if (!analysis_is_blueprint(a) || profile == BP_PROFILE_OFF) {
        analysis_free(a);
        return 0;
    }
    const struct analysis_node *node = analysis_node_by_name(a, name);
    struct proof_field pf;
    char *final_text = NULL;
    size_t final_len = new_len;
    if (node && new_node_start + stmt_len <= new_len &&
        proof_field_read(new_text, new_node_start, stmt_len, &pf)) {
        /* the labels of the proof nodes the new proof uses, and the stale citations */
        char **add = xreallocarray(NULL, node->ndeps + 1, sizeof *add), **drop = NULL;
        size_t nadd = 0, ndrop = 0;
        for (size_t k = 0; k < node->ndeps; k++) {
            const struct analysis_node *d = analysis_node_by_name(a, node->deps[k]);
            if (d && d->kind != ANALYSIS_KIND_DEFINITION && d->label &&
                !in_list(pf.labels, pf.nlabels, d->label) && !in_list(add, nadd, d->label))
                add[nadd++] = (char *)d->label;
        }
        drop = xreallocarray(NULL, pf.nlabels + 1, sizeof *drop);
        for (size_t k = 0; k < pf.nlabels; k++) {
            const struct analysis_node *c = node_by_label(a, pf.labels[k]);
            bool used = false;
            for (size_t m = 0; c && m < node->ndeps && !used; m++)
                used = strcmp(node->deps[m], c->name) == 0 ||
                       (c->full_name && strcmp(node->deps[m], c->full_name) == 0);
            if (c && c->kind != ANALYSIS_KIND_DEFINITION && !used && !in_list(drop, ndrop, pf.labels[k]))
                drop[ndrop++] = pf.labels[k];
        }
        if (nadd || ndrop) {
            r->proof_text = rewrite(new_text + pf.start, pf.end - pf.start, drop, ndrop, add, nadd);
            r->proof_start = pf.start - new_node_start;
            r->proof_end = pf.end - new_node_start;
            struct buf b;
            buf_init(&b, new_len + strlen(r->proof_text));
            buf_add(&b, new_text, pf.start);
            buf_adds(&b, r->proof_text);
            buf_add(&b, new_text + pf.end, new_len - pf.end);
            final_text = buf_detach(&b, &final_len);
        }
        free(add);
        free(drop);
        proof_field_release(&pf);
    }
    if (final_text) {
        analysis_free(a);
        a = analysis_new(final_text, final_len, profile);
        free(final_text);
    }
    struct analysis *old = analysis_new(old_text, old_len, profile);
    r->problems = added_findings(old, a, 1);
    r->warnings = added_findings(old, a, 2);
    analysis_free(old);
    analysis_free(a);
    if (r->problems) {
        free(r->proof_text);
        free(r->warnings);
        r->proof_text = r->warnings = NULL;
        return -1;
    }
    return 0;
}

void
citations_result_release(struct citations_result *r)
{
    free(r->proof_text);
    free(r->problems);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}
