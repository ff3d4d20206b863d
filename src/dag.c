/* dag: nodes, edges, statuses, dynamic leaves, cycles and order of one blueprint file. */
#include "dag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "namekey.h"
#include "xalloc.h"

/* ---- a small string-keyed hash map (open addressing; keys borrowed) ---- */

struct smap_slot {
    const char *key; /* NULL: empty */
    size_t len;
    uint32_t hash;
    long value; /* the first index inserted under the key */
    size_t count;
};

struct smap {
    struct smap_slot *slots;
    size_t cap; /* power of two */
    size_t used;
};

/* n <= 8 bytes of s as a number */
static inline uint64_t
load_le(const char *s, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, s, n);
    return w;
}

/* Eight bytes a step (names are long: `Finset.card_le_univ`, candidates in every open
 * namespace), the tail in one or two overlapping loads (as wyhash reads short keys), then
 * a full mix so that the low bits the table uses depend on every byte. */
static uint32_t
smap_hash(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        w = load_le(s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    if (i < len) {
        size_t r = len - i;
        if (len >= 8)
            w = load_le(s + len - 8, 8); /* overlaps the words taken */
        else if (r >= 4)
            w = load_le(s, 4) | load_le(s + r - 4, 4) << 32;
        else
            w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[r / 2] << 8 |
                (unsigned char)s[r - 1];
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

static void
smap_release(struct smap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static void
smap_grow(struct smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct smap_slot *ns = xcalloc(ncap, sizeof *ns);
    for (size_t i = 0; i < m->cap; i++) {
        struct smap_slot *s = &m->slots[i];
        if (s->key == NULL)
            continue;
        size_t j = s->hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
}

static struct smap_slot *
smap_find(const struct smap *m, const char *key, size_t len, uint32_t h)
{
    if (m->cap == 0)
        return NULL;
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key) {
        struct smap_slot *s = &m->slots[j];
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

static long
smap_get(const struct smap *m, const char *key, size_t len)
{
    struct smap_slot *s = smap_find(m, key, len, smap_hash(key, len));
    return s ? s->value : -1;
}

static size_t
smap_count(const struct smap *m, const char *key, size_t len)
{
    struct smap_slot *s = smap_find(m, key, len, smap_hash(key, len));
    return s ? s->count : 0;
}

/* Inserts key -> value unless the key is there; counts every insertion. */
static void
smap_put(struct smap *m, const char *key, size_t len, long value)
{
    uint32_t h = smap_hash(key, len);
    struct smap_slot *s = smap_find(m, key, len, h);
    if (s) {
        s->count++;
        return;
    }
    if ((m->used + 1) * 4 > m->cap * 3)
        smap_grow(m);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].key)
        j = (j + 1) & (m->cap - 1);
    m->slots[j] = (struct smap_slot){key, len, h, value, 1};
    m->used++;
}

/* ---- the dag ---- */

struct decl {
    struct dag_decl_info info; /* strings: the dag's copies */
    const char *key_name;      /* name and full_name with «» removed (the same strings when */
    const char *key_full;      /* there is none): what lookups compare, since «aux» and aux
                                * are one Lean name */
    size_t node;
    enum analysis_status status;
};

struct node_int {
    struct dag_node pub;
    size_t *decls;
    size_t ndecls, adecls;
    size_t *deps;
    struct lsp_range *dep_ranges;
    size_t adeps;
};

struct dag {
    bool merge_labels;
    bool built;
    struct decl *decls;
    size_t ndecls, adecls;
    struct dag_ref *refs;
    size_t nrefs, arefs;
    struct dag_use *uses;
    size_t nuses, auses;
    struct node_int *nodes;
    size_t nnodes;
    struct dag_cycle *cycles;
    size_t ncycles, acycles;
    size_t *topo;
    struct smap by_full;  /* full name -> decl */
    struct smap by_name;  /* name as written -> decl */
    struct smap by_label; /* effective label -> node */
    char *scratch;        /* candidate names during resolution */
    size_t ascratch;
    struct xarena strings; /* every string the dag keeps (names, labels, statements,
                            * unquoted «…» references): freed at once */
    char *qscratch;       /* an unquoted query (dag_find_*) */
    size_t aqscratch;
    bool filter_ready;
    uint64_t filter[NAMEKEY_BITS / 64]; /* bits of every component of every declaration's
                                         * names (namekey.h) */
};

static const char *
dag_strdup(struct dag *d, const char *s)
{
    return xarena_strndup(&d->strings, s, strlen(s));
}

struct dag *
dag_new(bool merge_labels)
{
    struct dag *d = xcalloc(1, sizeof *d);
    d->merge_labels = merge_labels;
    return d;
}

void
dag_free(struct dag *d)
{
    if (d == NULL)
        return;
    free(d->decls);
    xarena_free(&d->strings);
    free(d->qscratch);
    free(d->refs);
    free(d->uses);
    for (size_t i = 0; i < d->nnodes; i++) {
        free(d->nodes[i].decls);
        free(d->nodes[i].deps);
        free(d->nodes[i].dep_ranges);
    }
    free(d->nodes);
    for (size_t i = 0; i < d->ncycles; i++)
        free((size_t *)d->cycles[i].path);
    free(d->cycles);
    free(d->topo);
    smap_release(&d->by_full);
    smap_release(&d->by_name);
    smap_release(&d->by_label);
    free(d->scratch);
    free(d);
}

static void filter_add_name(struct dag *d, const char *s);

/* Writes s[0, len) without its `«` `»` into out (room for len bytes); returns the length.
 * Lean's «x» quotes the atom x: `«aux_one»` and `aux_one` are one name. */
static size_t
unquote_into(const char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] == 0xC2 && i + 1 < len &&
            ((unsigned char)s[i + 1] == 0xAB || (unsigned char)s[i + 1] == 0xBB)) {
            i++;
            continue;
        }
        out[n++] = s[i];
    }
    return n;
}

/* Names are short: a plain loop beats memchr()'s call and setup here. */
static bool
has_guillemet(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i + 1 < len; i++)
        if (u[i] == 0xC2 && (u[i + 1] == 0xAB || u[i + 1] == 0xBB))
            return true;
    return false;
}

/* s as a key: itself, or an unquoted copy the dag keeps. */
static const char *
unquote_key(struct dag *d, const char *s)
{
    size_t len = strlen(s);
    if (!has_guillemet(s, len))
        return s;
    char *out = xarena_alloc(&d->strings, len + 1);
    out[unquote_into(s, len, out)] = '\0';
    return out;
}

/* text[0, *len) as a lookup key: itself, or an unquoted copy the dag keeps. */
static const char *
key_of(struct dag *d, const char *text, size_t *len)
{
    if (!has_guillemet(text, *len))
        return text;
    char *k = xarena_alloc(&d->strings, *len + 1);
    *len = unquote_into(text, *len, k);
    k[*len] = '\0';
    return k;
}

/* A query as a key, in the scratch buffer when it must be unquoted. */
static const char *
query_key(const struct dag *cd, const char *text, size_t *len)
{
    struct dag *d = (struct dag *)cd; /* the scratch only */
    if (!has_guillemet(text, *len))
        return text;
    if (*len + 1 > d->aqscratch) {
        d->aqscratch = *len + 1;
        d->qscratch = xrealloc(d->qscratch, d->aqscratch);
    }
    *len = unquote_into(text, *len, d->qscratch);
    return d->qscratch;
}

static const char *
dup_or(struct dag *d, const char *s, const char *fallback)
{
    return dag_strdup(d, s ? s : fallback);
}

size_t
dag_add_decl(struct dag *d, const struct dag_decl_info *info)
{
    if (d->ndecls == d->adecls) {
        d->adecls = d->adecls ? d->adecls * 2 : 64;
        d->decls = xreallocarray(d->decls, d->adecls, sizeof *d->decls);
    }
    struct decl *x = &d->decls[d->ndecls];
    x->info = *info;
    x->info.name = dup_or(d, info->name, "");
    x->info.full_name = dup_or(d, info->full_name ? info->full_name : info->name, "");
    x->info.ns = dup_or(d, info->ns, "");
    x->info.opens = info->opens && *info->opens ? dag_strdup(d, info->opens) : NULL;
    x->info.label = info->label ? dag_strdup(d, info->label) : NULL;
    x->info.statement = info->statement ? dag_strdup(d, info->statement) : NULL;
    x->info.keyword = dup_or(d, info->keyword, "");
    x->key_name = unquote_key(d, x->info.name);
    x->key_full = unquote_key(d, x->info.full_name);
    x->node = 0;
    if (d->filter_ready) {
        filter_add_name(d, x->key_name);
        filter_add_name(d, x->key_full);
    }
    x->status = info->kind == ANALYSIS_KIND_DEFINITION ? ANALYSIS_STATUS_DEFINITION
                : info->placeholder                    ? ANALYSIS_STATUS_SORRY
                                                       : ANALYSIS_STATUS_PROVED;
    return d->ndecls++;
}

/* The pre-filter (namekey.h): one bit for every component of every declaration name. */
static void
filter_add_name(struct dag *d, const char *s)
{
    size_t start = 0;
    for (size_t i = 0;; i++) {
        if (s[i] != '.' && s[i] != '\0')
            continue;
        if (i > start) {
            unsigned bit = namekey_part(s + start, i - start);
            d->filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
        }
        if (s[i] == '\0')
            break;
        start = i + 1;
    }
}

static void
filter_build(struct dag *d)
{
    memset(d->filter, 0, sizeof d->filter);
    for (size_t i = 0; i < d->ndecls; i++) {
        filter_add_name(d, d->decls[i].key_name);
        filter_add_name(d, d->decls[i].key_full);
    }
    d->filter_ready = true;
}

const uint64_t *
dag_name_filter(struct dag *d)
{
    if (!d->filter_ready)
        filter_build(d);
    return d->filter;
}

/* False when the reference certainly names no declaration of the file. t may still be
 * quoted (`«…»`): a first component holding a non-ASCII byte may match. */
static bool
filter_may_match(struct dag *d, const char *t, size_t len)
{
    return namekey_in(dag_name_filter(d), namekey_ref_head(t, len));
}

void
dag_add_ref(struct dag *d, size_t decl, enum dag_ref_kind kind, const char *text, size_t len,
            struct lsp_range range)
{
    if (decl >= d->ndecls || len == 0)
        return;
    if (!d->filter_ready)
        filter_build(d);
    /* most body references name no node: the filter first, on the text as written */
    if (kind == DAG_REF_BODY && !filter_may_match(d, text, len))
        return;
    text = key_of(d, text, &len);
    if (kind == DAG_REF_BODY && !filter_may_match(d, text, len))
        return;
    if (d->nrefs == d->arefs) {
        d->arefs = d->arefs ? d->arefs * 2 : 256;
        d->refs = xreallocarray(d->refs, d->arefs, sizeof *d->refs);
    }
    d->refs[d->nrefs++] = (struct dag_ref){decl, kind, text, len, range, -1};
}

void
dag_add_use(struct dag *d, size_t decl, const char *text, size_t len, bool is_label,
            bool exclude, struct lsp_range range)
{
    if (decl >= d->ndecls || len == 0)
        return;
    text = key_of(d, text, &len);
    if (d->nuses == d->auses) {
        d->auses = d->auses ? d->auses * 2 : 16;
        d->uses = xreallocarray(d->uses, d->auses, sizeof *d->uses);
    }
    d->uses[d->nuses++] = (struct dag_use){decl, text, len, is_label, exclude, range, -1};
}

/* ---- resolution ---- */

/* Looks up prefix + "." + t (or t alone when plen is 0) among full names. */
static long
lookup_qualified(struct dag *d, const char *prefix, size_t plen, const char *t, size_t tlen)
{
    if (plen == 0)
        return smap_get(&d->by_full, t, tlen);
    size_t need = plen + 1 + tlen;
    if (need > d->ascratch) {
        d->ascratch = need * 2;
        d->scratch = xrealloc(d->scratch, d->ascratch);
    }
    memcpy(d->scratch, prefix, plen);
    d->scratch[plen] = '.';
    memcpy(d->scratch + plen + 1, t, tlen);
    return smap_get(&d->by_full, d->scratch, need);
}

static long
resolve_exact(struct dag *d, const struct dag_decl_info *from, const char *t, size_t len)
{
    /* the declaration's namespace, innermost first, then the root */
    const char *ns = from->ns;
    size_t nslen = strlen(ns);
    for (;;) {
        long r = lookup_qualified(d, ns, nslen, t, len);
        if (r >= 0)
            return r;
        if (nslen == 0)
            break;
        while (nslen > 0 && ns[nslen - 1] != '.')
            nslen--;
        if (nslen > 0)
            nslen--; /* drop the dot */
    }
    if (from->opens) {
        const char *p = from->opens;
        while (*p) {
            while (*p == ' ')
                p++;
            const char *q = p;
            while (*q && *q != ' ')
                q++;
            if (q > p) {
                long r = lookup_qualified(d, p, (size_t)(q - p), t, len);
                if (r >= 0)
                    return r;
            }
            p = q;
        }
    }
    return smap_get(&d->by_name, t, len);
}

/* accessor: `foo.symm`, `foo.le` in a proof body mean foo; a name in `sorry_using [...]`
 * must be a node's exactly (rule 15), so there it is off. */
static long
resolve(struct dag *d, size_t from, const char *t, size_t len, bool accessor)
{
    static const char root[] = "_root_.";
    if (len > sizeof root - 1 && memcmp(t, root, sizeof root - 1) == 0)
        return smap_get(&d->by_full, t + sizeof root - 1, len - (sizeof root - 1));
    const struct dag_decl_info *in = &d->decls[from].info;
    for (;;) {
        long r = resolve_exact(d, in, t, len);
        if (r >= 0)
            return r;
        /* `foo.symm`, `foo.le`: try the name without its last component */
        if (!accessor)
            return -1;
        size_t cut = len;
        while (cut > 0 && t[cut - 1] != '.')
            cut--;
        if (cut <= 1)
            return -1;
        len = cut - 1;
    }
}

long
dag_find_name(const struct dag *d, const char *name, size_t len)
{
    name = query_key(d, name, &len);
    long r = smap_get(&d->by_name, name, len);
    return r >= 0 ? r : smap_get(&d->by_full, name, len);
}

long
dag_find_full(const struct dag *d, const char *full_name, size_t len)
{
    full_name = query_key(d, full_name, &len);
    return smap_get(&d->by_full, full_name, len);
}

long
dag_find_label(const struct dag *d, const char *label, size_t len)
{
    return smap_get(&d->by_label, label, len);
}

size_t
dag_name_count(const struct dag *d, const char *full_name, size_t len)
{
    full_name = query_key(d, full_name, &len);
    return smap_count(&d->by_full, full_name, len);
}

size_t
dag_label_count(const struct dag *d, const char *label, size_t len)
{
    return smap_count(&d->by_label, label, len);
}

/* ---- building ---- */

static void
node_add_decl(struct node_int *n, size_t decl)
{
    if (n->ndecls == n->adecls) {
        n->adecls = n->adecls ? n->adecls * 2 : 2;
        n->decls = xreallocarray(n->decls, n->adecls, sizeof *n->decls);
    }
    n->decls[n->ndecls++] = decl;
}

/* Adds dep (a node index) unless it is there already (mark[dep] == stamp). */
static void
node_add_dep(struct node_int *n, size_t dep, struct lsp_range r, size_t *mark, size_t stamp)
{
    if (mark[dep] == stamp)
        return;
    mark[dep] = stamp;
    if (n->pub.ndeps == n->adeps) {
        n->adeps = n->adeps ? n->adeps * 2 : 4;
        n->deps = xreallocarray(n->deps, n->adeps, sizeof *n->deps);
        n->dep_ranges = xreallocarray(n->dep_ranges, n->adeps, sizeof *n->dep_ranges);
    }
    n->deps[n->pub.ndeps] = dep;
    n->dep_ranges[n->pub.ndeps] = r;
    n->pub.ndeps++;
}

static void
node_remove_dep(struct node_int *n, size_t dep, size_t *mark)
{
    for (size_t i = 0; i < n->pub.ndeps; i++) {
        if (n->deps[i] != dep)
            continue;
        memmove(&n->deps[i], &n->deps[i + 1], (n->pub.ndeps - i - 1) * sizeof *n->deps);
        memmove(&n->dep_ranges[i], &n->dep_ranges[i + 1],
                (n->pub.ndeps - i - 1) * sizeof *n->dep_ranges);
        n->pub.ndeps--;
        break;
    }
    mark[dep] = SIZE_MAX; /* a later mention must not add it back */
}

static int
kind_rank(enum analysis_kind k)
{
    return k == ANALYSIS_KIND_THEOREM ? 2 : k == ANALYSIS_KIND_LEMMA ? 1 : 0;
}

static void
build_nodes(struct dag *d)
{
    d->nodes = xcalloc(d->ndecls ? d->ndecls : 1, sizeof *d->nodes);
    d->nnodes = 0;
    for (size_t i = 0; i < d->ndecls; i++) {
        const struct dag_decl_info *in = &d->decls[i].info;
        const char *lab = in->label ? in->label : d->decls[i].key_full;
        size_t llen = strlen(lab);
        long existing = llen ? smap_get(&d->by_label, lab, llen) : -1;
        size_t ni;
        if (d->merge_labels && existing >= 0) {
            ni = (size_t)existing;
            smap_put(&d->by_label, lab, llen, (long)ni);
        } else {
            ni = d->nnodes++;
            struct node_int *n = &d->nodes[ni];
            n->pub.first_decl = i;
            n->pub.name = in->name;
            n->pub.full_name = in->full_name;
            n->pub.label = lab;
            n->pub.keyword = in->keyword;
            n->pub.kind = in->kind;
            n->pub.range = in->range;
            n->pub.name_range = in->name_range;
            n->pub.body_range = in->body_range;
            if (llen)
                smap_put(&d->by_label, lab, llen, (long)ni);
        }
        struct node_int *n = &d->nodes[ni];
        node_add_decl(n, i);
        if (kind_rank(in->kind) > kind_rank(n->pub.kind))
            n->pub.kind = in->kind;
        n->pub.has_blueprint = n->pub.has_blueprint || in->has_blueprint;
        d->decls[i].node = ni;
    }
}

static void
build_edges(struct dag *d)
{
    size_t *mark = xmalloc((d->nnodes ? d->nnodes : 1) * sizeof *mark);
    for (size_t i = 0; i < d->nnodes; i++)
        mark[i] = SIZE_MAX;
    /* refs are grouped by declaration in the order added; walk them per node */
    size_t *first_ref = xmalloc((d->ndecls + 1) * sizeof *first_ref);
    size_t *next_ref = xmalloc((d->nrefs ? d->nrefs : 1) * sizeof *next_ref);
    for (size_t i = 0; i <= d->ndecls; i++)
        first_ref[i] = SIZE_MAX;
    size_t *last_ref = xmalloc((d->ndecls + 1) * sizeof *last_ref);
    for (size_t i = 0; i < d->nrefs; i++) {
        size_t decl = d->refs[i].decl;
        next_ref[i] = SIZE_MAX;
        if (first_ref[decl] == SIZE_MAX)
            first_ref[decl] = i;
        else
            next_ref[last_ref[decl]] = i;
        last_ref[decl] = i;
    }
    for (size_t ni = 0; ni < d->nnodes; ni++) {
        struct node_int *n = &d->nodes[ni];
        if (n->pub.kind == ANALYSIS_KIND_DEFINITION)
            continue;
        mark[ni] = ni; /* never itself */
        for (size_t k = 0; k < n->ndecls; k++) {
            size_t decl = n->decls[k];
            if (d->decls[decl].info.kind == ANALYSIS_KIND_DEFINITION)
                continue;
            for (size_t r = first_ref[decl]; r != SIZE_MAX; r = next_ref[r]) {
                const struct dag_ref *ref = &d->refs[r];
                if (ref->target < 0)
                    continue;
                size_t tn = d->decls[ref->target].node;
                if (d->nodes[tn].pub.kind == ANALYSIS_KIND_DEFINITION)
                    continue;
                node_add_dep(n, tn, ref->range, mark, ni);
            }
        }
        for (size_t u = 0; u < d->nuses; u++) {
            struct dag_use *use = &d->uses[u];
            if (d->decls[use->decl].node != ni || use->target < 0)
                continue;
            size_t tn = (size_t)use->target;
            if (use->exclude)
                node_remove_dep(n, tn, mark);
            else if (d->nodes[tn].pub.kind != ANALYSIS_KIND_DEFINITION && tn != ni)
                node_add_dep(n, tn, use->range, mark, ni);
        }
        n->pub.deps = n->deps;
        n->pub.dep_ranges = n->dep_ranges;
    }
    for (size_t ni = 0; ni < d->nnodes; ni++) {
        d->nodes[ni].pub.decls = d->nodes[ni].decls;
        d->nodes[ni].pub.ndecls = d->nodes[ni].ndecls;
    }
    free(mark);
    free(first_ref);
    free(next_ref);
    free(last_ref);
}

static void
add_cycle(struct dag *d, size_t closing, const size_t *path, size_t npath)
{
    if (d->ncycles == d->acycles) {
        d->acycles = d->acycles ? d->acycles * 2 : 4;
        d->cycles = xreallocarray(d->cycles, d->acycles, sizeof *d->cycles);
    }
    size_t *p = xmalloc(npath * sizeof *p);
    memcpy(p, path, npath * sizeof *p);
    d->cycles[d->ncycles++] = (struct dag_cycle){closing, p, npath};
}

/* Iterative depth-first search in file order: cycles (one per back edge) and post-order. */
static void
build_order(struct dag *d)
{
    size_t n = d->nnodes;
    d->topo = xmalloc((n ? n : 1) * sizeof *d->topo);
    unsigned char *color = xcalloc(n ? n : 1, 1); /* 0 white, 1 on stack, 2 done */
    size_t *stack = xmalloc((n ? n : 1) * sizeof *stack);
    size_t *next = xmalloc((n ? n : 1) * sizeof *next);
    size_t *pos = xmalloc((n ? n : 1) * sizeof *pos);
    size_t ntopo = 0;
    for (size_t root = 0; root < n; root++) {
        if (color[root])
            continue;
        size_t sp = 0;
        stack[sp] = root;
        next[sp] = 0;
        pos[root] = sp;
        color[root] = 1;
        sp++;
        while (sp > 0) {
            size_t u = stack[sp - 1];
            const struct node_int *nu = &d->nodes[u];
            if (next[sp - 1] < nu->pub.ndeps) {
                size_t v = nu->deps[next[sp - 1]++];
                if (color[v] == 1) {
                    add_cycle(d, u, &stack[pos[v]], sp - pos[v]);
                } else if (color[v] == 0) {
                    color[v] = 1;
                    pos[v] = sp;
                    stack[sp] = v;
                    next[sp] = 0;
                    sp++;
                }
                continue;
            }
            color[u] = 2;
            d->topo[ntopo++] = u;
            sp--;
        }
    }
    free(color);
    free(stack);
    free(next);
    free(pos);
}

void
dag_build(struct dag *d)
{
    if (d->built)
        return;
    d->built = true;
    for (size_t i = 0; i < d->ndecls; i++) {
        const struct decl *x = &d->decls[i];
        if (*x->key_full)
            smap_put(&d->by_full, x->key_full, strlen(x->key_full), (long)i);
        if (*x->key_name)
            smap_put(&d->by_name, x->key_name, strlen(x->key_name), (long)i);
    }
    /* resolve references; drop body identifiers that name nothing in the file */
    size_t keep = 0;
    for (size_t i = 0; i < d->nrefs; i++) {
        struct dag_ref *r = &d->refs[i];
        r->target = resolve(d, r->decl, r->text, r->len, r->kind == DAG_REF_BODY);
        if (r->target < 0 && r->kind == DAG_REF_BODY)
            continue;
        d->refs[keep++] = *r;
    }
    d->nrefs = keep;
    build_nodes(d);
    for (size_t i = 0; i < d->nuses; i++) {
        struct dag_use *u = &d->uses[i];
        if (u->is_label) {
            u->target = dag_find_label(d, u->text, u->len);
        } else {
            long decl = resolve(d, u->decl, u->text, u->len, true);
            if (decl < 0) /* LeanArchitect accepts labels without quotes too */
                u->target = dag_find_label(d, u->text, u->len);
            else
                u->target = (long)d->decls[decl].node;
        }
    }
    build_edges(d);
    build_order(d);
    dag_set_lean(d, NULL);
}

/* ---- statuses ---- */

static int
status_rank(enum analysis_status s)
{
    switch (s) {
    case ANALYSIS_STATUS_ERROR: return 4;
    case ANALYSIS_STATUS_SORRY: return 3;
    case ANALYSIS_STATUS_PENDING: return 2;
    case ANALYSIS_STATUS_PROVED: return 1;
    case ANALYSIS_STATUS_DEFINITION: return 0;
    }
    return 0;
}

/* The declaration whose range holds p (binary search: declarations are in file order). */
static long
decl_at(const struct dag *d, struct lsp_pos p)
{
    size_t lo = 0, hi = d->ndecls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lsp_pos_cmp(d->decls[mid].info.range.start, p) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* lo = first declaration starting after p; candidates are before it */
    for (size_t i = lo; i > 0; i--) {
        const struct lsp_range r = d->decls[i - 1].info.range;
        if (lsp_range_contains(r, p))
            return (long)(i - 1);
        if (lo - i > 4) /* ranges do not nest deeper than a few levels */
            break;
    }
    return -1;
}

long
dag_decl_at(const struct dag *d, struct lsp_pos p)
{
    return decl_at(d, p);
}

void
dag_set_lean(struct dag *d, const struct lean_view *lean)
{
    bool known = lean && lean->known;
    for (size_t i = 0; i < d->ndecls; i++) {
        struct decl *x = &d->decls[i];
        if (x->info.kind == ANALYSIS_KIND_DEFINITION)
            x->status = ANALYSIS_STATUS_DEFINITION;
        else if (x->info.placeholder)
            x->status = ANALYSIS_STATUS_SORRY;
        else if (known && !lean->done && x->info.range.end.line >= lean->processed_line)
            x->status = ANALYSIS_STATUS_PENDING;
        else
            x->status = ANALYSIS_STATUS_PROVED;
    }
    if (known) {
        for (size_t k = 0; k < lean->ndiags; k++) {
            const struct lean_diag *g = &lean->diags[k];
            bool err = g->severity == 1;
            if (!err && !g->is_sorry)
                continue;
            long at = decl_at(d, g->range.start);
            if (at < 0)
                continue;
            struct decl *x = &d->decls[at];
            if (x->info.kind == ANALYSIS_KIND_DEFINITION)
                continue;
            if (err)
                x->status = ANALYSIS_STATUS_ERROR;
            else if (x->status != ANALYSIS_STATUS_ERROR)
                x->status = ANALYSIS_STATUS_SORRY;
        }
    }
    for (size_t ni = 0; ni < d->nnodes; ni++) {
        struct node_int *n = &d->nodes[ni];
        if (n->pub.kind == ANALYSIS_KIND_DEFINITION) {
            n->pub.status = ANALYSIS_STATUS_DEFINITION;
            continue;
        }
        enum analysis_status st = ANALYSIS_STATUS_PROVED;
        for (size_t k = 0; k < n->ndecls; k++) {
            enum analysis_status s = d->decls[n->decls[k]].status;
            if (status_rank(s) > status_rank(st))
                st = s;
        }
        n->pub.status = st;
    }
    for (size_t ni = 0; ni < d->nnodes; ni++) {
        struct node_int *n = &d->nodes[ni];
        bool leaf = n->pub.status == ANALYSIS_STATUS_SORRY;
        for (size_t k = 0; leaf && k < n->pub.ndeps; k++)
            leaf = d->nodes[n->deps[k]].pub.status == ANALYSIS_STATUS_PROVED;
        n->pub.leaf = leaf;
    }
}

/* ---- reading ---- */

size_t
dag_decl_count(const struct dag *d)
{
    return d->ndecls;
}

const struct dag_decl_info *
dag_decl(const struct dag *d, size_t i)
{
    return i < d->ndecls ? &d->decls[i].info : NULL;
}

size_t
dag_decl_node(const struct dag *d, size_t decl)
{
    return decl < d->ndecls ? d->decls[decl].node : 0;
}

enum analysis_status
dag_decl_status(const struct dag *d, size_t decl)
{
    return decl < d->ndecls ? d->decls[decl].status : ANALYSIS_STATUS_PROVED;
}

size_t
dag_node_count(const struct dag *d)
{
    return d->nnodes;
}

const struct dag_node *
dag_node(const struct dag *d, size_t i)
{
    return i < d->nnodes ? &d->nodes[i].pub : NULL;
}

size_t
dag_ref_count(const struct dag *d)
{
    return d->nrefs;
}

const struct dag_ref *
dag_ref(const struct dag *d, size_t i)
{
    return i < d->nrefs ? &d->refs[i] : NULL;
}

size_t
dag_use_count(const struct dag *d)
{
    return d->nuses;
}

const struct dag_use *
dag_use(const struct dag *d, size_t i)
{
    return i < d->nuses ? &d->uses[i] : NULL;
}

size_t
dag_cycle_count(const struct dag *d)
{
    return d->ncycles;
}

const struct dag_cycle *
dag_cycle(const struct dag *d, size_t i)
{
    return i < d->ncycles ? &d->cycles[i] : NULL;
}

const size_t *
dag_topo_order(const struct dag *d)
{
    return d->topo;
}

const char *
dag_status_name(enum analysis_status status)
{
    switch (status) {
    case ANALYSIS_STATUS_PROVED: return "proved";
    case ANALYSIS_STATUS_SORRY: return "sorry";
    case ANALYSIS_STATUS_ERROR: return "error";
    case ANALYSIS_STATUS_PENDING: return "pending";
    case ANALYSIS_STATUS_DEFINITION: return "definition";
    }
    return "proved";
}

const char *
dag_kind_name(enum analysis_kind kind)
{
    switch (kind) {
    case ANALYSIS_KIND_THEOREM: return "theorem";
    case ANALYSIS_KIND_LEMMA: return "lemma";
    case ANALYSIS_KIND_DEFINITION: return "definition";
    }
    return "definition";
}
