/* analysis: lean_lex -> decls -> blueprint -> dag -> checks, and the renderings. */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>

#include "blueprint.h"
#include "buf.h"
#include "checks.h"
#include "dag.h"
#include "decls.h"
#include "lean_lex.h"
#include "namekey.h"
#include "xalloc.h"

struct analysis {
    char *text;
    size_t len;
    enum bp_profile profile; /* resolved */
    bool is_blueprint;
    struct lean_lex *lx;
    struct decls *ds;
    struct blueprint *bp;
    struct dag *dag;
    long *decl_to_dag;  /* decls index -> dag declaration, -1 */
    const struct blueprint_attr **dag_attr; /* dag declaration -> its blueprint attribute */
    struct analysis_node *nodes;
    size_t nnodes;
    const char **dep_names; /* all nodes' deps, one block */
    struct checks_result findings;
};

/* ---- profiles ---- */

static const char *const profile_names[] = {"auto", "strict", "architect", "off"};

int
bp_profile_parse(const char *name, enum bp_profile *out)
{
    for (int i = 0; name && i < 4; i++) {
        if (strcmp(name, profile_names[i]) == 0) {
            *out = (enum bp_profile)i;
            return 0;
        }
    }
    return -1;
}

const char *
bp_profile_name(enum bp_profile profile)
{
    return (unsigned)profile < 4 ? profile_names[profile] : "auto";
}

/* ---- building ---- */

/* The keywords that make DAG nodes: the contract's allowed ones, plus Mathlib's
 * irreducible_def, and axiom and opaque (constants stated without a proof the blueprint can
 * check: LeanArchitect makes `@[blueprint] axiom` a node; strict refuses the keyword). */
static bool
node_kind(enum decl_kind k, enum analysis_kind *out)
{
    switch (k) {
    case DECL_KIND_THEOREM: *out = ANALYSIS_KIND_THEOREM; return true;
    case DECL_KIND_LEMMA: *out = ANALYSIS_KIND_LEMMA; return true;
    case DECL_KIND_DEF:
    case DECL_KIND_ABBREV:
    case DECL_KIND_INSTANCE:
    case DECL_KIND_STRUCTURE:
    case DECL_KIND_INDUCTIVE:
    case DECL_KIND_CLASS:
    case DECL_KIND_CLASS_INDUCTIVE:
    case DECL_KIND_IRREDUCIBLE_DEF:
    case DECL_KIND_AXIOM:
    case DECL_KIND_OPAQUE: *out = ANALYSIS_KIND_DEFINITION; return true;
    default: return false;
    }
}

static const char *
attr_label(const struct blueprint_attr *a)
{
    if (a == NULL)
        return NULL;
    if (a->has_label)
        return a->label;
    const struct blueprint_field *f = blueprint_attr_field(a, BLUEPRINT_FIELD_LATEX_LABEL);
    return f && f->text && *f->text ? f->text : NULL;
}

/* `open` scopes: a stack of (opens length) saved at each namespace/section. */
struct opens {
    struct buf text;    /* namespaces in force, space separated */
    size_t *saved;
    size_t nsaved, asaved;
    size_t in_len;      /* length before an `open ... in` (SIZE_MAX: none pending) */
};

static void
opens_cmd(struct opens *o, const struct lean_lex *lx, const struct decl_cmd *cmd)
{
    switch (cmd->kind) {
    case DECL_CMD_NAMESPACE:
    case DECL_CMD_SECTION:
        if (o->nsaved == o->asaved) {
            o->asaved = o->asaved ? o->asaved * 2 : 8;
            o->saved = xreallocarray(o->saved, o->asaved, sizeof *o->saved);
        }
        o->saved[o->nsaved++] = o->text.len;
        return;
    case DECL_CMD_END:
        if (o->nsaved > 0) {
            size_t keep = o->saved[--o->nsaved];
            o->text.len = keep;
            if (o->text.data)
                o->text.data[keep] = '\0';
        }
        return;
    case DECL_CMD_OPEN:
        break;
    default:
        return;
    }
    if (cmd->has_in)
        o->in_len = o->text.len;
    for (size_t i = cmd->tok_first + 1; i < cmd->tok_end; i++) {
        const struct lean_tok *t = lean_lex_tok(lx, i);
        if (t == NULL || lean_tok_is_comment(t->kind))
            continue;
        if (t->kind != LEAN_TOK_IDENT)
            break; /* `(a b)`, `→`: the rest names members, not namespaces */
        if (lean_lex_tok_is(lx, t, "in") || lean_lex_tok_is(lx, t, "hiding") ||
            lean_lex_tok_is(lx, t, "renaming"))
            break;
        if (lean_lex_tok_is(lx, t, "scoped"))
            continue;
        if (o->text.len)
            (void)buf_addch(&o->text, ' ');
        (void)buf_add(&o->text, lean_lex_text(lx) + t->start, t->end - t->start);
    }
}

/* After the command an `open ... in` applied to. */
static void
opens_after(struct opens *o)
{
    if (o->in_len == SIZE_MAX)
        return;
    o->text.len = o->in_len;
    if (o->text.data)
        o->text.data[o->in_len] = '\0';
    o->in_len = SIZE_MAX;
}

/* The namespace part of a full name: "A.B" for "A.B.foo" written `foo`. */
static char *
namespace_of(const struct decl *d)
{
    size_t fl = strlen(d->full_name), nl = strlen(d->name);
    if (nl == 0 || fl <= nl + 1 || strcmp(d->full_name + fl - nl, d->name) != 0 ||
        d->full_name[fl - nl - 1] != '.')
        return xstrdup("");
    return xstrndup(d->full_name, fl - nl - 1);
}

/* The declaration of this file an `attribute [blueprint …] name` command applies to: the last
 * one before it whose name is the target (as written, or qualified by its namespace), or
 * SIZE_MAX when the target is a constant of another module. */
static size_t
attr_cmd_decl(const struct analysis *a, const struct blueprint_attr *at)
{
    const struct decl_cmd *cmd = decls_cmd(a->ds, at->cmd);
    size_t best = SIZE_MAX, tl;
    if (!at->has_target || cmd == NULL)
        return SIZE_MAX;
    tl = strlen(at->target_name);
    for (size_t i = 0; i < decls_count(a->ds); i++) {
        const struct decl *d = decls_get(a->ds, i);
        size_t fl = strlen(d->full_name);
        if (d->range.start >= cmd->range.start)
            break;
        if (!d->has_name)
            continue;
        if (strcmp(d->name, at->target_name) == 0 || strcmp(d->full_name, at->target_name) == 0 ||
            (fl > tl && d->full_name[fl - tl - 1] == '.' &&
             strcmp(d->full_name + fl - tl, at->target_name) == 0))
            best = i;
    }
    return best;
}

/* The kind of a constant of another module given a blueprint by an attribute command (its
 * keyword is not in this file): latexEnv when given (`definition`, `lemma`, else a theorem),
 * else whether LeanArchitect gives it a proof part (hasProof, or a `proof` field). */
static enum analysis_kind
external_kind(const struct blueprint_attr *at)
{
    const struct blueprint_field *hp = blueprint_attr_field(at, BLUEPRINT_FIELD_HAS_PROOF);
    const struct blueprint_field *env = blueprint_attr_field(at, BLUEPRINT_FIELD_LATEX_ENV);
    bool proof = blueprint_attr_field(at, BLUEPRINT_FIELD_PROOF) != NULL;
    if (env && env->text && *env->text) {
        if (strcmp(env->text, "definition") == 0)
            return ANALYSIS_KIND_DEFINITION;
        if (strcmp(env->text, "lemma") == 0)
            return ANALYSIS_KIND_LEMMA;
        return ANALYSIS_KIND_THEOREM;
    }
    if (hp && hp->value_kind == BLUEPRINT_VALUE_BOOL)
        proof = hp->bool_value;
    return proof ? ANALYSIS_KIND_THEOREM : ANALYSIS_KIND_DEFINITION;
}

/* A node for a constant of another module named by `attribute [blueprint …] name`. */
static void
add_external(struct analysis *a, const struct blueprint_attr *at)
{
    const struct decl_cmd *cmd = decls_cmd(a->ds, at->cmd);
    const struct blueprint_field *stmt = blueprint_attr_field(at, BLUEPRINT_FIELD_STATEMENT);
    struct lsp_range end = {cmd->range.range.end, cmd->range.range.end};
    struct dag_decl_info info = {
        .name = at->target_name,
        .full_name = at->target_name,
        .label = attr_label(at),
        .keyword = "attribute",
        .kind = external_kind(at),
        .has_blueprint = true,
        .has_statement = stmt != NULL,
        .statement = stmt ? stmt->text : NULL,
        .external = true,
        .range = cmd->range.range,
        .name_range = at->target.range,
        .body_range = end,
    };
    size_t di = dag_add_decl(a->dag, &info);
    a->dag_attr[di] = at;
}

static void
build_dag(struct analysis *a, bool merge)
{
    size_t nd = decls_count(a->ds), nattr = blueprint_count(a->bp), next_attr = 0;
    size_t last_cmd = SIZE_MAX;
    size_t *cmd_target = NULL; /* per declaration: the attribute command naming it */
    a->dag = dag_new(merge);
    a->decl_to_dag = xmalloc((nd ? nd : 1) * sizeof *a->decl_to_dag);
    a->dag_attr = xcalloc(nd + nattr + 1, sizeof *a->dag_attr);
    for (size_t k = 0; k < nattr; k++) {
        const struct blueprint_attr *at = blueprint_get(a->bp, k);
        size_t t;
        if (at->cmd == SIZE_MAX)
            continue;
        t = attr_cmd_decl(a, at);
        if (t == SIZE_MAX)
            continue;
        if (cmd_target == NULL) {
            cmd_target = xmalloc((nd ? nd : 1) * sizeof *cmd_target);
            for (size_t i = 0; i < nd; i++)
                cmd_target[i] = SIZE_MAX;
        }
        if (cmd_target[t] == SIZE_MAX)
            cmd_target[t] = k;
    }
    struct opens o = {.in_len = SIZE_MAX};
    buf_init(&o.text, 0);
    size_t ci = 0, ncmd = decls_cmd_count(a->ds);
    for (size_t i = 0; i <= nd; i++) {
        const struct decl *d = i < nd ? decls_get(a->ds, i) : NULL;
        /* attribute commands before this declaration that name constants of other modules */
        for (; next_attr < nattr; next_attr++) {
            const struct blueprint_attr *at = blueprint_get(a->bp, next_attr);
            if (d && at->keyword.start >= d->range.start)
                break;
            /* one node per command (its first blueprint entry) */
            if (at->cmd != SIZE_MAX && at->has_target && at->cmd != last_cmd &&
                attr_cmd_decl(a, at) == SIZE_MAX)
                add_external(a, at);
            if (at->cmd != SIZE_MAX)
                last_cmd = at->cmd;
        }
        if (d == NULL)
            break;
        a->decl_to_dag[i] = -1;
        /* commands before this declaration change the opens in force */
        while (ci < ncmd) {
            const struct decl_cmd *cmd = decls_cmd(a->ds, ci);
            if (cmd->range.start >= d->range.start)
                break;
            opens_after(&o);
            opens_cmd(&o, a->lx, cmd);
            ci++;
        }
        enum analysis_kind kind;
        if (!node_kind(d->kind, &kind)) {
            opens_after(&o);
            continue;
        }
        const struct blueprint_attr *attr = blueprint_for_decl(a->bp, i);
        if (attr == NULL && cmd_target && cmd_target[i] != SIZE_MAX)
            attr = blueprint_get(a->bp, cmd_target[i]);
        const struct blueprint_field *stmt =
            attr ? blueprint_attr_field(attr, BLUEPRINT_FIELD_STATEMENT) : NULL;
        char *ns = namespace_of(d);
        struct dag_decl_info info = {
            .name = d->name,
            .full_name = d->full_name,
            .ns = ns,
            .opens = o.text.data,
            .label = attr_label(attr),
            .keyword = d->keyword,
            .kind = kind,
            .has_blueprint = attr != NULL,
            .has_statement = stmt != NULL,
            .statement = stmt ? stmt->text : NULL,
            .placeholder = kind != ANALYSIS_KIND_DEFINITION && d->nsorries > 0,
            .range = d->range.range,
            .name_range = d->has_name ? d->name_span.range : d->keyword_span.range,
            .body_range = d->body.range,
        };
        size_t di = dag_add_decl(a->dag, &info);
        free(ns);
        a->decl_to_dag[i] = (long)di;
        a->dag_attr[di] = attr;
        opens_after(&o);
    }
    buf_release(&o.text);
    free(o.saved);
    free(cmd_target);
    /* references, once every declaration is known */
    const char *text = lean_lex_text(a->lx);
    const uint64_t *filter = dag_name_filter(a->dag);
    for (size_t i = 0; i < nd; i++) {
        long di = a->decl_to_dag[i];
        if (di < 0)
            continue;
        const struct decl *d = decls_get(a->ds, i);
        for (size_t k = 0; k < d->nusings; k++) {
            const struct decl_using *u = &d->usings[k];
            for (size_t j = 0; j < u->nnames; j++) {
                struct lean_span r = decls_ref_span(a->ds, &u->names[j]);
                dag_add_ref(a->dag, (size_t)di, DAG_REF_SORRY_USING, text + r.start,
                            r.end - r.start, r.range);
            }
        }
        for (size_t k = 0; k < d->nrefs; k++) {
            const struct decl_ref *r = &d->refs[k];
            if (!namekey_in(filter, r->head))
                continue; /* most: tactics, local names, library lemmas */
            struct lean_span sp = decls_ref_span(a->ds, r);
            dag_add_ref(a->dag, (size_t)di, DAG_REF_BODY, text + sp.start, sp.end - sp.start,
                        sp.range);
        }
    }
    for (size_t di = 0; di < dag_decl_count(a->dag); di++) {
        const struct blueprint_attr *at = a->dag_attr[di];
        if (at == NULL)
            continue;
        for (size_t f = 0; f < at->nfields; f++) {
            const struct blueprint_field *fl = &at->fields[f];
            if (fl->kind != BLUEPRINT_FIELD_USES && fl->kind != BLUEPRINT_FIELD_PROOF_USES)
                continue;
            for (size_t u = 0; u < fl->nuses; u++) {
                const struct blueprint_use *use = &fl->uses[u];
                dag_add_use(a->dag, di, use->text,
                            strlen(use->text), use->is_label, use->exclude, use->value.range);
            }
        }
    }
    dag_build(a->dag);
}

static void
build_nodes(struct analysis *a)
{
    size_t nn = dag_node_count(a->dag), ndeps = 0;
    for (size_t i = 0; i < nn; i++)
        ndeps += dag_node(a->dag, i)->ndeps;
    a->nodes = xcalloc(nn ? nn : 1, sizeof *a->nodes);
    a->dep_names = xcalloc(ndeps ? ndeps : 1, sizeof *a->dep_names);
    a->nnodes = nn;
    size_t at = 0;
    for (size_t i = 0; i < nn; i++) {
        const struct dag_node *n = dag_node(a->dag, i);
        struct analysis_node *o = &a->nodes[i];
        o->name = n->name;
        o->full_name = n->full_name;
        o->label = n->label;
        o->keyword = n->keyword;
        o->kind = n->kind;
        o->status = n->status;
        o->leaf = n->leaf;
        o->range = n->range;
        o->name_range = n->name_range;
        o->body_range = n->body_range;
        o->has_blueprint = n->has_blueprint;
        o->title = NULL;
        for (size_t k = 0; k < n->ndecls && o->title == NULL; k++) {
            const struct blueprint_attr *attr = a->dag_attr[n->decls[k]];
            const struct blueprint_field *f =
                attr ? blueprint_attr_field(attr, BLUEPRINT_FIELD_TITLE) : NULL;
            if (f && f->text && *f->text)
                o->title = f->text;
        }
        o->deps = a->dep_names + at;
        o->ndeps = n->ndeps;
        for (size_t k = 0; k < n->ndeps; k++)
            a->dep_names[at++] = dag_node(a->dag, n->deps[k])->name;
    }
}

struct analysis *
analysis_new(const char *text, size_t len, enum bp_profile profile)
{
    char *copy;
    if (len > LEAN_LEX_MAX_LEN)
        len = LEAN_LEX_MAX_LEN;
    copy = xbig_alloc(len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return analysis_new_take(copy, len, profile);
}

/* The rest of the engine on a text already lexed (lx lexes text; both are taken; ds: the
 * declarations of the text lx was updated from, or NULL, consumed). */
static struct analysis *
analysis_build(char *text, size_t len, struct lean_lex *lx, struct decls *ds,
               enum bp_profile profile)
{
    struct analysis *a = xcalloc(1, sizeof *a);
    a->text = text;
    a->len = len;
    a->lx = lx;
    a->ds = ds ? decls_update(ds, a->lx) : decls_new(a->lx);
    a->bp = blueprint_new(a->lx, a->ds);
    a->is_blueprint = blueprint_count(a->bp) > 0;
    if (!a->is_blueprint || profile == BP_PROFILE_OFF)
        a->profile = BP_PROFILE_OFF;
    else if (profile == BP_PROFILE_AUTO)
        a->profile = checks_auto_profile(a->ds, a->bp);
    else
        a->profile = profile;
    build_dag(a, a->profile == BP_PROFILE_ARCHITECT);
    build_nodes(a);
    if (a->profile == BP_PROFILE_STRICT || a->profile == BP_PROFILE_ARCHITECT) {
        struct checks_input in = {a->lx, a->ds, a->bp, a->dag, a->decl_to_dag, a->profile};
        checks_run(&in, &a->findings);
    }
    return a;
}

struct analysis *
analysis_new_take(char *text, size_t len, enum bp_profile profile)
{
    return analysis_build(text, len, lean_lex_new(text, len), NULL, profile);
}

/* Bytes a and b have in common at their start (n: the shorter length). Block by block with
 * memcmp, then byte by byte inside the first block that differs. */
static size_t
common_prefix(const char *a, const char *b, size_t n)
{
    size_t k = 0;
    while (n - k >= 4096 && memcmp(a + k, b + k, 4096) == 0)
        k += 4096;
    while (k < n && a[k] == b[k])
        k++;
    return k;
}

/* The same at their ends: a[alen - k, alen) == b[blen - k, blen), k <= n. */
static size_t
common_suffix(const char *a, size_t alen, const char *b, size_t blen, size_t n)
{
    size_t k = 0;
    while (n - k >= 4096 && memcmp(a + alen - k - 4096, b + blen - k - 4096, 4096) == 0)
        k += 4096;
    while (k < n && a[alen - k - 1] == b[blen - k - 1])
        k++;
    return k;
}

struct analysis *
analysis_update(struct analysis *old, const char *text, size_t len, enum bp_profile profile)
{
    if (old == NULL)
        return analysis_new(text, len, profile);
    if (len > LEAN_LEX_MAX_LEN)
        len = LEAN_LEX_MAX_LEN;
    size_t shorter = len < old->len ? len : old->len;
    size_t pre = common_prefix(old->text, text, shorter);
    size_t suf = common_suffix(old->text, old->len, text, len, shorter - pre);
    char *copy = xbig_alloc(len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    struct lean_lex *lx = lean_lex_update(old->lx, copy, len, pre, old->len - suf, len - suf);
    struct decls *ds = old->ds;
    old->lx = NULL; /* consumed */
    old->ds = NULL; /* consumed by decls_update, after the old text is freed: it reads none */
    analysis_free(old);
    return analysis_build(copy, len, lx, ds, profile);
}

void
analysis_free(struct analysis *a)
{
    if (a == NULL)
        return;
    checks_result_release(&a->findings);
    free(a->nodes);
    free(a->dep_names);
    free(a->decl_to_dag);
    free(a->dag_attr);
    dag_free(a->dag);
    blueprint_free(a->bp);
    decls_free(a->ds);
    lean_lex_free(a->lx);
    xbig_free(a->text, a->len + 1);
    free(a);
}

void
analysis_set_lean(struct analysis *a, const struct lean_view *lean)
{
    dag_set_lean(a->dag, lean);
    for (size_t i = 0; i < a->nnodes; i++) {
        const struct dag_node *n = dag_node(a->dag, i);
        a->nodes[i].status = n->status;
        a->nodes[i].leaf = n->leaf;
    }
}

bool
analysis_is_blueprint(const struct analysis *a)
{
    return a->is_blueprint;
}

enum bp_profile
analysis_profile(const struct analysis *a)
{
    return a->profile;
}

size_t
analysis_node_count(const struct analysis *a)
{
    return a->nnodes;
}

const struct analysis_node *
analysis_node(const struct analysis *a, size_t i)
{
    return i < a->nnodes ? &a->nodes[i] : NULL;
}

const struct analysis_node *
analysis_node_at(const struct analysis *a, struct lsp_pos pos)
{
    long d = dag_decl_at(a->dag, pos);
    return d < 0 ? NULL : &a->nodes[dag_decl_node(a->dag, (size_t)d)];
}

const struct analysis_node *
analysis_node_by_name(const struct analysis *a, const char *name)
{
    if (name == NULL)
        return NULL;
    long d = dag_find_name(a->dag, name, strlen(name));
    return d < 0 ? NULL : &a->nodes[dag_decl_node(a->dag, (size_t)d)];
}

size_t
analysis_finding_count(const struct analysis *a)
{
    return a->findings.n;
}

const struct analysis_finding *
analysis_finding(const struct analysis *a, size_t i)
{
    return i < a->findings.n ? &a->findings.items[i] : NULL;
}

/* ---- renderings ---- */

static void
json_str(struct buf *b, const char *s)
{
    if (s == NULL)
        (void)buf_adds(b, "null");
    else
        (void)buf_add_json_string(b, s, strlen(s));
}

static void
json_range(struct buf *b, struct lsp_range r)
{
    (void)buf_addf(b,
                   "{\"start\":{\"line\":%u,\"character\":%u},"
                   "\"end\":{\"line\":%u,\"character\":%u}}",
                   r.start.line, r.start.character, r.end.line, r.end.character);
}

char *
analysis_dag_json(const struct analysis *a, const char *uri, long version)
{
    struct buf b;
    buf_init(&b, 0);
    size_t proved = 0, sorry = 0, error = 0, pending = 0, defs = 0, leaves = 0;
    (void)buf_adds(&b, "{\"uri\":");
    json_str(&b, uri);
    if (version < 0)
        (void)buf_adds(&b, ",\"version\":null");
    else
        (void)buf_addf(&b, ",\"version\":%ld", version);
    (void)buf_adds(&b, ",\"profile\":");
    json_str(&b, bp_profile_name(a->profile));
    (void)buf_adds(&b, ",\"nodes\":[");
    for (size_t i = 0; i < a->nnodes; i++) {
        const struct analysis_node *n = &a->nodes[i];
        switch (n->status) {
        case ANALYSIS_STATUS_PROVED: proved++; break;
        case ANALYSIS_STATUS_SORRY: sorry++; break;
        case ANALYSIS_STATUS_ERROR: error++; break;
        case ANALYSIS_STATUS_PENDING: pending++; break;
        case ANALYSIS_STATUS_DEFINITION: defs++; break;
        }
        leaves += n->leaf;
        (void)buf_adds(&b, i ? ",\n{\"name\":" : "\n{\"name\":");
        json_str(&b, n->name);
        (void)buf_adds(&b, ",\"label\":");
        json_str(&b, n->label);
        (void)buf_adds(&b, ",\"kind\":");
        json_str(&b, dag_kind_name(n->kind));
        (void)buf_adds(&b, ",\"status\":");
        json_str(&b, dag_status_name(n->status));
        (void)buf_adds(&b, n->leaf ? ",\"leaf\":true,\"deps\":[" : ",\"leaf\":false,\"deps\":[");
        for (size_t k = 0; k < n->ndeps; k++) {
            if (k)
                (void)buf_addch(&b, ',');
            json_str(&b, n->deps[k]);
        }
        (void)buf_adds(&b, "],\"range\":");
        json_range(&b, n->range);
        (void)buf_adds(&b, ",\"title\":");
        json_str(&b, n->title);
        (void)buf_adds(&b, ",\"review\":\"unreviewed\"}");
    }
    (void)buf_addf(&b,
                   "%s],\"summary\":{\"nodes\":%zu,\"proved\":%zu,\"sorry\":%zu,\"error\":%zu,"
                   "\"pending\":%zu,\"definitions\":%zu,\"leaves\":%zu}}\n",
                   a->nnodes ? "\n" : "", a->nnodes, proved, sorry, error, pending, defs, leaves);
    return buf_detach(&b, NULL);
}

/* Fill colours, shared by DOT, Mermaid and the html page: INTERFACE.md's "DAG colours"
 * (the VS Code view uses the same). The text is white on the dark fills. */
static const char *
node_colour(const struct analysis_node *n)
{
    if (n->leaf)
        return "#1565c0"; /* leaf: blue */
    switch (n->status) {
    case ANALYSIS_STATUS_PROVED: return "#2e7d32";     /* green */
    case ANALYSIS_STATUS_SORRY: return "#f9a825";      /* amber */
    case ANALYSIS_STATUS_ERROR: return "#c62828";      /* red */
    case ANALYSIS_STATUS_PENDING: return "#9e9e9e";    /* grey */
    case ANALYSIS_STATUS_DEFINITION: return "#6a1b9a"; /* purple box */
    }
    return "#9e9e9e";
}

static const char *
node_text_colour(const struct analysis_node *n)
{
    bool light = !n->leaf && (n->status == ANALYSIS_STATUS_SORRY ||
                              n->status == ANALYSIS_STATUS_PENDING);
    return light ? "#000000" : "#ffffff";
}

static void
dot_str(struct buf *b, const char *s)
{
    (void)buf_addch(b, '"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            (void)buf_addch(b, '\\');
        if (*s == '\n')
            (void)buf_adds(b, "\\n");
        else
            (void)buf_addch(b, *s);
    }
    (void)buf_addch(b, '"');
}

char *
analysis_dag_dot(const struct analysis *a)
{
    struct buf b;
    buf_init(&b, 0);
    (void)buf_adds(&b, "digraph blueprint {\n"
                       "  rankdir=BT;\n"
                       "  node [style=filled, fontname=\"Helvetica\", shape=ellipse];\n"
                       "  edge [color=\"#555555\"];\n");
    for (size_t i = 0; i < a->nnodes; i++) {
        const struct analysis_node *n = &a->nodes[i];
        (void)buf_addf(&b, "  n%zu [label=", i);
        struct buf l;
        buf_init(&l, 0);
        (void)buf_adds(&l, *n->name ? n->name : "(anonymous)");
        if (n->label && strcmp(n->label, n->name) != 0) {
            (void)buf_addch(&l, '\n');
            (void)buf_adds(&l, n->label);
        }
        dot_str(&b, l.data ? l.data : "");
        buf_release(&l);
        /* id and class reach Graphviz's SVG (<g id="node-3" class="node sorry leaf lemma">),
         * so the html page and tests can find a node and its status. Theorems get a double
         * border. */
        const char *kind = n->kind == ANALYSIS_KIND_THEOREM ? " theorem"
                           : n->kind == ANALYSIS_KIND_LEMMA ? " lemma"
                                                            : "";
        (void)buf_addf(&b, ", id=\"node-%zu\", class=\"%s%s%s\", fillcolor=\"%s\", fontcolor=\"%s\"%s%s, tooltip=",
                       i, dag_status_name(n->status), n->leaf ? " leaf" : "", kind, node_colour(n),
                       node_text_colour(n), n->kind == ANALYSIS_KIND_DEFINITION ? ", shape=box" : "",
                       n->kind == ANALYSIS_KIND_THEOREM ? ", peripheries=2" : "");
        struct buf t;
        buf_init(&t, 0);
        (void)buf_addf(&t, "%s: %s%s", *n->name ? n->name : "(anonymous)",
                       dag_status_name(n->status), n->leaf ? " (dynamic leaf)" : "");
        dot_str(&b, t.data ? t.data : "");
        buf_release(&t);
        (void)buf_adds(&b, "];\n");
    }
    for (size_t i = 0; i < a->nnodes; i++) {
        const struct dag_node *n = dag_node(a->dag, i);
        for (size_t k = 0; k < n->ndeps; k++)
            (void)buf_addf(&b, "  n%zu -> n%zu;\n", i, n->deps[k]);
    }
    (void)buf_adds(&b, "}\n");
    return buf_detach(&b, NULL);
}

static void
mermaid_str(struct buf *b, const char *s)
{
    (void)buf_addch(b, '"');
    for (; s && *s; s++) {
        switch (*s) {
        case '"': (void)buf_adds(b, "#quot;"); break;
        case '<': (void)buf_adds(b, "#lt;"); break;
        case '>': (void)buf_adds(b, "#gt;"); break;
        case '#': (void)buf_adds(b, "#35;"); break;
        case '\n':
        case '\r': (void)buf_addch(b, ' '); break;
        default: (void)buf_addch(b, *s);
        }
    }
    (void)buf_addch(b, '"');
}

char *
analysis_dag_mermaid(const struct analysis *a)
{
    struct buf b;
    buf_init(&b, 0);
    (void)buf_adds(&b, "flowchart BT\n");
    for (size_t i = 0; i < a->nnodes; i++) {
        const struct analysis_node *n = &a->nodes[i];
        bool def = n->kind == ANALYSIS_KIND_DEFINITION;
        (void)buf_addf(&b, "  n%zu%s", i, def ? "[" : "(");
        mermaid_str(&b, *n->name ? n->name : "(anonymous)");
        (void)buf_addf(&b, "%s:::%s\n", def ? "]" : ")",
                       n->leaf ? "leaf" : dag_status_name(n->status));
    }
    for (size_t i = 0; i < a->nnodes; i++) {
        const struct dag_node *n = dag_node(a->dag, i);
        for (size_t k = 0; k < n->ndeps; k++)
            (void)buf_addf(&b, "  n%zu --> n%zu\n", i, n->deps[k]);
    }
    static const char *const classes[] = {"proved", "sorry", "error", "pending", "definition"};
    static const struct analysis_node probe[] = {
        {.status = ANALYSIS_STATUS_PROVED}, {.status = ANALYSIS_STATUS_SORRY},
        {.status = ANALYSIS_STATUS_ERROR},  {.status = ANALYSIS_STATUS_PENDING},
        {.status = ANALYSIS_STATUS_DEFINITION}};
    for (size_t i = 0; i < 5; i++)
        (void)buf_addf(&b, "  classDef %s fill:%s,color:%s,stroke:#555555\n", classes[i],
                       node_colour(&probe[i]), node_text_colour(&probe[i]));
    static const struct analysis_node leaf = {.status = ANALYSIS_STATUS_SORRY, .leaf = true};
    (void)buf_addf(&b, "  classDef leaf fill:%s,color:%s,stroke:#555555\n", node_colour(&leaf),
                   node_text_colour(&leaf));
    return buf_detach(&b, NULL);
}

char *
analysis_diagnostics_json(const struct analysis *a)
{
    struct buf b;
    buf_init(&b, 0);
    (void)buf_addch(&b, '[');
    for (size_t i = 0; i < a->findings.n; i++) {
        const struct analysis_finding *f = &a->findings.items[i];
        (void)buf_adds(&b, i ? ",{\"range\":" : "{\"range\":");
        json_range(&b, f->range);
        (void)buf_addf(&b, ",\"severity\":%d,\"code\":", f->severity);
        json_str(&b, f->code);
        (void)buf_adds(&b, ",\"source\":\"marathon\",\"message\":");
        json_str(&b, f->message);
        (void)buf_addch(&b, '}');
    }
    (void)buf_addch(&b, ']');
    return buf_detach(&b, NULL);
}

static const char *
severity_name(int severity)
{
    return severity == 1 ? "error" : severity == 2 ? "warning" : "information";
}

char *
analysis_check_text(const struct analysis *a, const char *filename)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < a->findings.n; i++) {
        const struct analysis_finding *f = &a->findings.items[i];
        (void)buf_addf(&b, "%s:%u:%u: %s: %s [%s]\n", filename ? filename : "-",
                       f->range.start.line + 1, f->range.start.character + 1,
                       severity_name(f->severity), f->message, f->code);
    }
    return buf_detach(&b, NULL);
}

char *
analysis_check_json_items(const struct analysis *a, const char *filename)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < a->findings.n; i++) {
        const struct analysis_finding *f = &a->findings.items[i];
        (void)buf_adds(&b, i ? ",{\"file\":" : "{\"file\":");
        json_str(&b, filename ? filename : "-");
        (void)buf_addf(&b, ",\"line\":%u,\"column\":%u,\"endLine\":%u,\"endColumn\":%u,",
                       f->range.start.line + 1, f->range.start.character + 1,
                       f->range.end.line + 1, f->range.end.character + 1);
        (void)buf_adds(&b, "\"severity\":");
        json_str(&b, severity_name(f->severity));
        (void)buf_adds(&b, ",\"code\":");
        json_str(&b, f->code);
        (void)buf_adds(&b, ",\"message\":");
        json_str(&b, f->message);
        (void)buf_addch(&b, '}');
    }
    return buf_detach(&b, NULL);
}
