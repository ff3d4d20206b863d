/* blueprint: LeanArchitect's @[blueprint …] attributes, read from decls' attribute tokens. */
#include "blueprint.h"

#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "decls.h"
#include "xalloc.h"

/* Pool indices of one attribute's / field's parts while the pools may still move. */
struct attr_pools {
    size_t field0;
};
struct field_pools {
    size_t use0, cref0;
};

struct blueprint {
    const struct lean_lex *lx;
    const struct decls *d;
    const struct lean_tok *toks;
    const char *text;

    struct blueprint_attr *attrs;
    struct attr_pools *attr_pools; /* parallel to attrs */
    size_t nattrs, aattrs;
    struct blueprint_field *fields;
    struct field_pools *field_pools; /* parallel to fields */
    size_t nfields, afields;
    struct blueprint_use *uses;
    size_t nuses, auses;
    struct blueprint_cref *crefs;
    size_t ncrefs, acrefs;
    struct xarena strings; /* every string handed out */
    size_t *by_decl; /* per declaration: index of its first attribute, SIZE_MAX if none */
    size_t ndecls;
};

#define BP_GROW(ptr, n, alloc)                                                              \
    do {                                                                                    \
        if ((n) == (alloc)) {                                                               \
            (alloc) = (alloc) ? (alloc) * 2 : 16;                                           \
            (ptr) = xreallocarray((ptr), (alloc), sizeof *(ptr));                           \
        }                                                                                   \
    } while (0)

/* ---- text views: decoded bytes with their source offsets ---- */

/* A stretch of text to scan for \cref and braces: bytes s[0, n), byte i of which comes
 * from source offset map[i] (or base + i when map is NULL). */
struct text_view {
    const char *s;
    size_t n;
    const uint32_t *map;
    uint32_t base;
    uint32_t src_end; /* source offset just past the view */
    const struct lean_tok *tok; /* the token holding the view, or NULL */
};

/* The span of source bytes [start, end) of view v. */
static struct lean_span
view_span(const struct lean_lex *lx, const struct text_view *v, size_t start, size_t end)
{
    return v->tok ? lean_lex_span_in(lx, v->tok, start, end) : lean_lex_span(lx, start, end);
}

static uint32_t
view_src(const struct text_view *v, size_t i)
{
    if (i >= v->n)
        return v->src_end;
    return v->map ? v->map[i] : v->base + (uint32_t)i;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reads a `\cref{a, b}` whose backslash is at i (known to be followed by cref/Cref and a
 * brace at j); appends its labels to *arr (when arr is not NULL). */
static void
read_cref(struct blueprint *bp, const struct lean_lex *lx, const struct text_view *v, size_t i,
          size_t j, struct blueprint_cref **arr, size_t *n, size_t *alloc)
{
    const char *s = v->s;
    bool capital = s[i + 1] == 'C';
    const char *cl = memchr(s + j + 1, '}', v->n - (j + 1));
    size_t close = cl ? (size_t)(cl - s) : v->n;
    if (!arr || close >= v->n)
        return; /* unclosed: the brace check reports it */
    for (size_t a = j + 1; a <= close;) {
        size_t b = a, ls, le;
        while (b < close && s[b] != ',')
            b++;
        ls = a;
        le = b;
        while (ls < le && is_blank(s[ls]))
            ls++;
        while (le > ls && is_blank(s[le - 1]))
            le--;
        if (le > ls) {
            struct blueprint_cref *c;
            BP_GROW(*arr, *n, *alloc);
            c = &(*arr)[(*n)++];
            c->label = bp ? xarena_strndup(&bp->strings, s + ls, le - ls)
                          : xstrndup(s + ls, le - ls);
            c->capital = capital;
            c->span = view_span(lx, v, view_src(v, ls), view_src(v, le));
        }
        a = b + 1;
    }
}

/* One pass over v: appends the \cref labels to *arr (if arr is not NULL) and returns
 * whether unescaped braces balance (else *error, if not NULL, is the first `}` without its
 * `{`, or the first `{` never closed). */
static bool
scan_text(struct blueprint *bp, const struct lean_lex *lx, const struct text_view *v,
          struct blueprint_cref **arr, size_t *n, size_t *alloc, struct lean_span *error)
{
    const unsigned char *s = (const unsigned char *)v->s;
    size_t depth = 0, open_at = 0, bad = SIZE_MAX;
    size_t from = 0, cursor = 0; /* cursor: specials before it were consumed */
    uint32_t pos[128];
    while (from < v->n) {
        /* the specials in batches: LaTeX holds one every few bytes */
        size_t np = bytescan_all3(v->s, from, v->n, '\\', '{', '}', pos, 128, &from);
        for (size_t q = 0; q < np; q++) {
            size_t i = pos[q];
            if (i < cursor)
                continue;
            cursor = i + 1;
            unsigned char c = s[i];
            if (c == '\\') {
                if (i + 6 < v->n && (s[i + 1] == 'c' || s[i + 1] == 'C') &&
                    memcmp(s + i + 2, "ref", 3) == 0) {
                    size_t j = i + 5;
                    if (s[j] == '*')
                        j++;
                    if (j < v->n && s[j] == '{') {
                        read_cref(bp, lx, v, i, j, arr, n, alloc);
                        cursor = j; /* the brace itself is counted next */
                        continue;
                    }
                }
                cursor = i + 2; /* an escaped character: \{ \} \\ */
            } else if (c == '{') {
                if (depth++ == 0)
                    open_at = i;
            } else if (depth == 0) {
                if (bad == SIZE_MAX)
                    bad = i;
            } else {
                depth--;
            }
        }
    }
    if (bad != SIZE_MAX) {
        if (error)
            *error = view_span(lx, v, view_src(v, bad), view_src(v, bad) + 1);
        return false;
    }
    if (depth == 0)
        return true;
    if (error)
        *error = view_span(lx, v, view_src(v, open_at), view_src(v, open_at) + 1);
    return false;
}

/* A view of the source bytes [start, end), clamped to the text. */
static struct text_view
source_view(const struct lean_lex *lx, size_t start, size_t end)
{
    struct text_view v;
    size_t len = lean_lex_len(lx);
    if (end > len)
        end = len;
    if (start > end)
        start = end;
    v.s = lean_lex_text(lx) + start;
    v.n = end - start;
    v.map = NULL;
    v.base = (uint32_t)start;
    v.src_end = (uint32_t)end;
    v.tok = NULL;
    return v;
}

struct blueprint_cref *
blueprint_scan_crefs(const struct lean_lex *lx, size_t start, size_t end, size_t *n)
{
    struct blueprint_cref *arr = NULL;
    size_t alloc = 0;
    struct text_view v = source_view(lx, start, end);
    *n = 0;
    (void)scan_text(NULL, lx, &v, &arr, n, &alloc, NULL);
    return arr;
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
    struct text_view v = source_view(lx, start, end);
    return scan_text(NULL, lx, &v, NULL, NULL, NULL, error);
}

/* ---- string literals ---- */

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static size_t
put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the content of string token t (escapes of an ordinary string; raw strings are
 * copied) into the string chunks. *map (if not NULL) gets a new array of source offsets. */
static char *
decode_string(struct blueprint *bp, const struct lean_tok *t, size_t *len_out, uint32_t **map)
{
    const char *s = bp->text;
    uint32_t i = t->content_start, e = t->content_end;
    char *out = xarena_alloc(&bp->strings, (size_t)(e - i) + 1);
    uint32_t *m;
    size_t n = 0;
    bool raw = t->kind == LEAN_TOK_RAW_STRING;

    if (raw || !memchr(s + i, '\\', e - i)) {
        /* nothing to decode: byte i of the result is source byte content_start + i */
        memcpy(out, s + i, e - i);
        out[e - i] = '\0';
        if (len_out)
            *len_out = e - i;
        if (map)
            *map = NULL;
        return out;
    }
    m = map ? xmalloc(((size_t)(e - i) + 1) * sizeof *m) : NULL;

    while (i < e) {
        uint32_t at = i;
        char c = s[i];
        char tmp[4];
        size_t tn = 0;
        if (raw || c != '\\' || i + 1 >= e) {
            tmp[0] = c;
            tn = 1;
            i++;
        } else {
            char k = s[i + 1];
            i += 2;
            switch (k) {
            case 'n': tmp[0] = '\n'; tn = 1; break;
            case 't': tmp[0] = '\t'; tn = 1; break;
            case 'r': tmp[0] = '\r'; tn = 1; break;
            case '\\': tmp[0] = '\\'; tn = 1; break;
            case '"': tmp[0] = '"'; tn = 1; break;
            case '\'': tmp[0] = '\''; tn = 1; break;
            case 'x':
                if (i + 1 < e && hexval(s[i]) >= 0 && hexval(s[i + 1]) >= 0) {
                    tn = put_utf8(tmp, (uint32_t)(hexval(s[i]) * 16 + hexval(s[i + 1])));
                    i += 2;
                }
                break;
            case 'u':
                if (i < e && s[i] == '{') {
                    uint32_t cp = 0;
                    int digits = 0;
                    i++;
                    while (i < e && hexval(s[i]) >= 0 && digits < 8) {
                        cp = cp * 16 + (uint32_t)hexval(s[i]);
                        i++;
                        digits++;
                    }
                    if (i < e && s[i] == '}')
                        i++;
                    if (cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF))
                        tn = put_utf8(tmp, cp);
                }
                break;
            case '\n':
                /* line gap: the newline and the next line's indentation vanish */
                while (i < e && is_blank(s[i]))
                    i++;
                break;
            default:
                tmp[0] = k;
                tn = 1;
                break;
            }
        }
        for (size_t q = 0; q < tn && n < (size_t)(t->content_end - t->content_start); q++) {
            if (m)
                m[n] = at;
            out[n++] = tmp[q];
        }
    }
    out[n] = '\0';
    if (len_out)
        *len_out = n;
    if (map)
        *map = m;
    return out;
}

/* ---- fields ---- */

static enum blueprint_field_kind
field_kind_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        enum blueprint_field_kind kind;
    } names[] = {
        {"statement", BLUEPRINT_FIELD_STATEMENT},   {"proof", BLUEPRINT_FIELD_PROOF},
        {"title", BLUEPRINT_FIELD_TITLE},           {"latexEnv", BLUEPRINT_FIELD_LATEX_ENV},
        {"latexLabel", BLUEPRINT_FIELD_LATEX_LABEL}, {"uses", BLUEPRINT_FIELD_USES},
        {"proofUses", BLUEPRINT_FIELD_PROOF_USES},  {"hasProof", BLUEPRINT_FIELD_HAS_PROOF},
        {"notReady", BLUEPRINT_FIELD_NOT_READY},    {"discussion", BLUEPRINT_FIELD_DISCUSSION},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return names[i].kind;
    return BLUEPRINT_FIELD_UNKNOWN;
}

const char *
blueprint_field_name(enum blueprint_field_kind kind)
{
    switch (kind) {
    case BLUEPRINT_FIELD_STATEMENT: return "statement";
    case BLUEPRINT_FIELD_PROOF: return "proof";
    case BLUEPRINT_FIELD_TITLE: return "title";
    case BLUEPRINT_FIELD_LATEX_ENV: return "latexEnv";
    case BLUEPRINT_FIELD_LATEX_LABEL: return "latexLabel";
    case BLUEPRINT_FIELD_USES: return "uses";
    case BLUEPRINT_FIELD_PROOF_USES: return "proofUses";
    case BLUEPRINT_FIELD_HAS_PROOF: return "hasProof";
    case BLUEPRINT_FIELD_NOT_READY: return "notReady";
    case BLUEPRINT_FIELD_DISCUSSION: return "discussion";
    default: return "?";
    }
}

static bool
tok_is_n(const struct blueprint *bp, size_t i, const char *s, size_t n)
{
    const struct lean_tok *t = &bp->toks[i];
    return t->end - t->start == n && memcmp(bp->text + t->start, s, n) == 0;
}

/* Token i's text is the string literal lit. */
#define tok_is(bp, i, lit) tok_is_n((bp), (i), "" lit "", sizeof(lit) - 1)

static bool
is_open(const struct blueprint *bp, size_t i)
{
    const struct lean_tok *t = &bp->toks[i];
    const char *s = bp->text + t->start;
    size_t n = t->end - t->start;
    if (t->kind != LEAN_TOK_SYMBOL)
        return false;
    if (n == 1)
        return s[0] == '(' || s[0] == '[' || s[0] == '{';
    return (n == 2 && s[1] == '[' && (s[0] == '@' || s[0] == '#')) ||
           (n == 3 && memcmp(s, "⟨", 3) == 0);
}

static bool
is_close(const struct blueprint *bp, size_t i)
{
    const struct lean_tok *t = &bp->toks[i];
    const char *s = bp->text + t->start;
    size_t n = t->end - t->start;
    if (t->kind != LEAN_TOK_SYMBOL)
        return false;
    if (n == 1)
        return s[0] == ')' || s[0] == ']' || s[0] == '}';
    return n == 3 && memcmp(s, "⟩", 3) == 0;
}

/* The matching close of the open bracket at i, before end; end when unclosed. */
static size_t
match_close(const struct blueprint *bp, size_t i, size_t end)
{
    int depth = 0;
    for (size_t k = i; k < end; k++) {
        if (lean_tok_is_comment(bp->toks[k].kind))
            continue;
        if (is_open(bp, k))
            depth++;
        else if (is_close(bp, k) && --depth == 0)
            return k;
    }
    return end;
}

static size_t
skip_comments(const struct blueprint *bp, size_t i, size_t end)
{
    while (i < end && lean_tok_is_comment(bp->toks[i].kind) &&
           bp->toks[i].kind != LEAN_TOK_DOC_COMMENT)
        i++;
    return i;
}

/* Token i's span (its LSP range from the line index). */
static inline struct lean_span
one_span(const struct blueprint *bp, size_t i)
{
    return lean_lex_tok_span(bp->lx, &bp->toks[i]);
}

static struct lean_span
tok_span(const struct blueprint *bp, size_t first, size_t last)
{
    return lean_lex_toks_span(bp->lx, &bp->toks[first], &bp->toks[last]);
}

/* Text view of a field's text (DOC: trimmed content; STRING: decoded) and crefs/braces. */
static void
field_text(struct blueprint *bp, struct blueprint_field *f, size_t vt)
{
    const struct lean_tok *t = &bp->toks[vt];
    struct text_view v;
    uint32_t *map = NULL;
    char *decoded = NULL;
    size_t n = 0;

    memset(&v, 0, sizeof v);
    v.tok = t;
    if (t->kind == LEAN_TOK_DOC_COMMENT) {
        uint32_t s = t->content_start, e = t->content_end;
        while (s < e && is_blank(bp->text[s]))
            s++;
        while (e > s && is_blank(bp->text[e - 1]))
            e--;
        f->value_kind = BLUEPRINT_VALUE_DOC;
        f->text = xarena_strndup(&bp->strings, bp->text + s, e - s);
        f->text_span = lean_lex_span_in(bp->lx, t, s, e);
        v.s = bp->text + s;
        v.n = e - s;
        v.base = s;
        v.src_end = e;
    } else {
        f->value_kind = BLUEPRINT_VALUE_STRING;
        decoded = decode_string(bp, t, &n, &map);
        f->text = decoded;
        f->text_span = lean_lex_content_span(bp->lx, t);
        v.s = decoded;
        v.n = n;
        v.map = map;
        v.base = t->content_start;
        v.src_end = t->content_end;
    }
    {
        size_t before = bp->ncrefs;
        f->braces_balanced = scan_text(bp, bp->lx, &v, &bp->crefs, &bp->ncrefs, &bp->acrefs,
                                       &f->brace_error);
        f->ncrefs = bp->ncrefs - before;
    }
    free(map);
}

/* Reads a `[a, "l", -b, -"x"]` list whose `[` is token i and `]` token close. */
static void
field_list(struct blueprint *bp, struct blueprint_field *f, size_t i, size_t close)
{
    size_t k = i + 1;
    while (k < close) {
        size_t first, v;
        bool exclude = false;
        k = skip_comments(bp, k, close);
        if (k >= close)
            break;
        first = k;
        if (tok_is(bp, k, "-")) {
            exclude = true;
            k = skip_comments(bp, k + 1, close);
        }
        v = k;
        if (v < close && (bp->toks[v].kind == LEAN_TOK_IDENT ||
                          bp->toks[v].kind == LEAN_TOK_STRING ||
                          bp->toks[v].kind == LEAN_TOK_RAW_STRING)) {
            struct blueprint_use *u;
            const struct lean_tok *t = &bp->toks[v];
            BP_GROW(bp->uses, bp->nuses, bp->auses);
            u = &bp->uses[bp->nuses++];
            u->exclude = exclude;
            u->is_label = t->kind != LEAN_TOK_IDENT;
            u->value = lean_lex_tok_span(bp->lx, t);
            u->span = tok_span(bp, first, v);
            if (u->is_label)
                u->text = decode_string(bp, t, NULL, NULL);
            else
                u->text = xarena_strndup(&bp->strings, bp->text + t->start, t->end - t->start);
            f->nuses++;
            k = v + 1;
        }
        /* skip to the next comma at this level */
        while (k < close && !tok_is(bp, k, ",")) {
            if (is_open(bp, k)) {
                size_t c = match_close(bp, k, close);
                k = c < close ? c + 1 : close;
            } else {
                k++;
            }
        }
        if (k < close)
            k++;
    }
}

/* Reads the field group `( name := value )` whose `(` is token i and `)` token close
 * (close == end when unclosed). Returns false when it is not a `name :=` group. */
static bool
read_field(struct blueprint *bp, struct blueprint_attr *a, size_t i, size_t close, size_t end)
{
    struct blueprint_field *f;
    struct field_pools *fp;
    size_t nm = skip_comments(bp, i + 1, close), as, vf, vl, k;
    const struct lean_tok *nt;

    if (nm >= close || bp->toks[nm].kind != LEAN_TOK_IDENT)
        return false;
    as = skip_comments(bp, nm + 1, close);
    if (as >= close || !tok_is(bp, as, ":="))
        return false;
    if (bp->nfields == bp->afields) {
        BP_GROW(bp->fields, bp->nfields, bp->afields);
        bp->field_pools = xreallocarray(bp->field_pools, bp->afields, sizeof *bp->field_pools);
    }
    f = &bp->fields[bp->nfields];
    fp = &bp->field_pools[bp->nfields];
    bp->nfields++;
    a->nfields++;
    memset(f, 0, sizeof *f);
    fp->use0 = bp->nuses;
    fp->cref0 = bp->ncrefs;
    nt = &bp->toks[nm];
    f->name = xarena_strndup(&bp->strings, bp->text + nt->start, nt->end - nt->start);
    f->kind = field_kind_of(f->name, nt->end - nt->start);
    f->name_span = lean_lex_tok_span(bp->lx, nt);
    f->span = tok_span(bp, i, close < end ? close : (end > i + 1 ? end - 1 : i));
    f->braces_balanced = true;
    f->text = "";

    /* the value: the non-comment tokens between `:=` and `)` (doc comments count) */
    vf = skip_comments(bp, as + 1, close);
    vl = SIZE_MAX;
    for (k = vf; k < close; k++)
        if (!lean_tok_is_comment(bp->toks[k].kind) || bp->toks[k].kind == LEAN_TOK_DOC_COMMENT)
            vl = k;
    if (vf >= close || vl == SIZE_MAX) {
        f->value_kind = BLUEPRINT_VALUE_NONE;
        f->value_span = lean_lex_span_in(bp->lx, &bp->toks[as], bp->toks[as].end,
                                         bp->toks[as].end);
        f->text_span = f->value_span;
        return true;
    }
    f->value_span = tok_span(bp, vf, vl);
    f->text_span = f->value_span;
    {
        const struct lean_tok *t = &bp->toks[vf];
        if (vf == vl && (t->kind == LEAN_TOK_DOC_COMMENT || t->kind == LEAN_TOK_STRING ||
                         t->kind == LEAN_TOK_RAW_STRING)) {
            field_text(bp, f, vf);
        } else if (t->kind == LEAN_TOK_SYMBOL && tok_is(bp, vf, "[")) {
            size_t c = match_close(bp, vf, close);
            f->value_kind = BLUEPRINT_VALUE_LIST;
            f->text = xarena_strndup(&bp->strings, bp->text + f->value_span.start,
                                     f->value_span.end - f->value_span.start);
            field_list(bp, f, vf, c);
        } else if (vf == vl && (tok_is(bp, vf, "true") || tok_is(bp, vf, "false"))) {
            f->value_kind = BLUEPRINT_VALUE_BOOL;
            f->bool_value = tok_is(bp, vf, "true");
            f->text = f->bool_value ? "true" : "false";
        } else if (vf == vl && t->kind == LEAN_TOK_NUMBER) {
            long v = 0;
            bool ok = true;
            f->value_kind = BLUEPRINT_VALUE_NUMBER;
            for (uint32_t b = t->start; b < t->end; b++) {
                char c = bp->text[b];
                if (c < '0' || c > '9' || v > (long)(0x7fffffff / 10)) {
                    ok = false;
                    break;
                }
                v = v * 10 + (c - '0');
            }
            f->number = ok ? v : 0;
            f->text = xarena_strndup(&bp->strings, bp->text + t->start, t->end - t->start);
        } else {
            f->value_kind = BLUEPRINT_VALUE_OTHER;
            f->text = xarena_strndup(&bp->strings, bp->text + f->value_span.start,
                                     f->value_span.end - f->value_span.start);
        }
    }
    return true;
}

/* Parses the arguments of a blueprint attribute: tokens [i, end) after its keyword. */
static void
read_args(struct blueprint *bp, struct blueprint_attr *a, size_t i, size_t end)
{
    size_t k = i;
    while (k < end) {
        const struct lean_tok *t;
        k = skip_comments(bp, k, end);
        if (k >= end)
            break;
        t = &bp->toks[k];
        if ((t->kind == LEAN_TOK_STRING || t->kind == LEAN_TOK_RAW_STRING) && !a->has_label &&
            a->nfields == 0) {
            a->has_label = true;
            a->label = decode_string(bp, t, NULL, NULL);
            a->label_span = lean_lex_tok_span(bp->lx, t);
            k++;
            continue;
        }
        if (tok_is(bp, k, "(")) {
            size_t close = match_close(bp, k, end);
            if (!read_field(bp, a, k, close, end) && !a->has_junk) {
                a->has_junk = true;
                a->junk = lean_lex_tok_span(bp->lx, t);
            }
            k = close < end ? close + 1 : end;
            continue;
        }
        if (!a->has_junk) {
            a->has_junk = true;
            a->junk = lean_lex_tok_span(bp->lx, t);
        }
        k++;
    }
}

/* Reads one attribute entry: of declaration di (ci = SIZE_MAX) or of the `attribute [...]`
 * command ci (di = SIZE_MAX, target: the constant it applies to, or NULL). */
static void
read_attr(struct blueprint *bp, size_t di, size_t ci, size_t ai, const struct decl_attr *da,
          const struct lean_span *target)
{
    struct blueprint_attr *a;
    size_t kw = SIZE_MAX, end = da->tok_end, k;
    bool via = false;

    for (k = da->tok_first; k < da->tok_end; k++) {
        const struct lean_tok *t = &bp->toks[k];
        if (t->start == da->name.start && t->end == da->name.end)
            break;
    }
    if (k >= da->tok_end)
        return;
    if (tok_is(bp, k, "blueprint") || tok_is(bp, k, "blueprint?")) {
        kw = k;
    } else if (tok_is(bp, k, "to_additive") || tok_is(bp, k, "to_dual")) {
        /* to_additive (attr := blueprint "…"): the blueprint part runs to the group's `)` */
        for (size_t j = k + 1; j < da->tok_end; j++) {
            if (tok_is(bp, j, "blueprint") || tok_is(bp, j, "blueprint?")) {
                int depth = 0;
                kw = j;
                via = true;
                for (end = j + 1; end < da->tok_end; end++) {
                    if (lean_tok_is_comment(bp->toks[end].kind))
                        continue;
                    if (is_open(bp, end))
                        depth++;
                    else if (is_close(bp, end) && --depth < 0)
                        break;
                    else if (depth == 0 && tok_is(bp, end, ","))
                        break;
                }
                break;
            }
        }
    }
    if (kw == SIZE_MAX)
        return;
    if (bp->nattrs == bp->aattrs) {
        BP_GROW(bp->attrs, bp->nattrs, bp->aattrs);
        bp->attr_pools = xreallocarray(bp->attr_pools, bp->aattrs, sizeof *bp->attr_pools);
    }
    a = &bp->attrs[bp->nattrs];
    bp->attr_pools[bp->nattrs].field0 = bp->nfields;
    bp->nattrs++;
    memset(a, 0, sizeof *a);
    a->decl = di;
    a->attr = ai;
    a->cmd = ci;
    if (target) {
        a->has_target = true;
        a->target = *target;
        a->target_name =
            xarena_strndup(&bp->strings, bp->text + target->start, target->end - target->start);
    }
    a->keyword = one_span(bp, kw);
    a->trace = tok_is(bp, kw, "blueprint?");
    a->via_to_additive = via;
    a->label = "";
    {
        size_t last = kw;
        for (k = kw + 1; k < end; k++)
            if (!lean_tok_is_comment(bp->toks[k].kind))
                last = k;
        a->span = tok_span(bp, kw, last);
    }
    if (di < bp->ndecls && bp->by_decl[di] == SIZE_MAX)
        bp->by_decl[di] = bp->nattrs - 1;
    read_args(bp, a, kw + 1, end);
}

/* `attribute [blueprint …] name`: LeanArchitect's attribute given after the fact, mostly to a
 * constant of another module (Mathlib's). Each entry of the bracket is read like one of an
 * `@[…]` block; the target is the first name after `]`. */
static void
read_attr_cmd(struct blueprint *bp, size_t ci, const struct decl_cmd *cmd)
{
    size_t end = cmd->tok_end, open, close, tgt, k, entry = 0;
    struct lean_span target_span;
    const struct lean_span *target = NULL;

    open = skip_comments(bp, cmd->tok_first + 1, end);
    if (open >= end || !tok_is(bp, open, "["))
        return;
    close = match_close(bp, open, end);
    if (close >= end)
        return;
    tgt = skip_comments(bp, close + 1, end);
    if (tgt < end && bp->toks[tgt].kind == LEAN_TOK_IDENT)
        target_span = one_span(bp, tgt), target = &target_span;
    for (k = open + 1; k < close; entry++) {
        size_t first = skip_comments(bp, k, close), e, last = first;
        int depth = 0;
        struct decl_attr da;
        for (e = first; e < close; e++) {
            if (lean_tok_is_comment(bp->toks[e].kind))
                continue;
            if (is_open(bp, e))
                depth++;
            else if (is_close(bp, e))
                depth--;
            else if (depth == 0 && tok_is(bp, e, ","))
                break;
            last = e;
        }
        if (first < e) {
            memset(&da, 0, sizeof da);
            da.span = tok_span(bp, first, last);
            da.name = one_span(bp, first);
            da.tok_first = first;
            da.tok_end = e;
            read_attr(bp, SIZE_MAX, ci, entry, &da, target);
        }
        k = e + 1;
    }
}

/* Text order: attributes [0, from) (declarations', in order) and [from, nattrs) (commands',
 * in order) are merged; each attribute's pools travel with it and by_decl follows. */
static void
merge_attr_runs(struct blueprint *bp, size_t from)
{
    size_t n = bp->nattrs, i = 0, j = from, o = 0;
    struct blueprint_attr *attrs = xreallocarray(NULL, n, sizeof *attrs);
    struct attr_pools *pools = xreallocarray(NULL, n, sizeof *pools);
    while (o < n) {
        bool left = j >= n;
        size_t take;
        if (!left && i < from)
            left = bp->attrs[i].keyword.start < bp->attrs[j].keyword.start;
        take = left ? i++ : j++;
        attrs[o] = bp->attrs[take];
        pools[o++] = bp->attr_pools[take];
    }
    free(bp->attrs);
    free(bp->attr_pools);
    bp->attrs = attrs;
    bp->attr_pools = pools;
    bp->aattrs = n;
    for (i = 0; i < bp->ndecls; i++)
        bp->by_decl[i] = SIZE_MAX;
    for (i = 0; i < n; i++)
        if (attrs[i].decl < bp->ndecls && bp->by_decl[attrs[i].decl] == SIZE_MAX)
            bp->by_decl[attrs[i].decl] = i;
}

struct blueprint *
blueprint_new(const struct lean_lex *lx, const struct decls *d)
{
    struct blueprint *bp = xcalloc(1, sizeof *bp);
    bp->lx = lx;
    bp->d = d;
    bp->toks = lean_lex_tokens(lx);
    bp->text = lean_lex_text(lx);
    bp->ndecls = decls_count(d);
    bp->by_decl = xreallocarray(NULL, bp->ndecls + 1, sizeof *bp->by_decl);
    {
        /* size the pools once: a field needs a `(`, a use a token (no realloc copies) */
        size_t ntok = 0, nattr = 0, nbytes = 0;
        for (size_t i = 0; i < bp->ndecls; i++) {
            const struct decl *x = decls_get(d, i);
            nattr += x->nattrs;
            for (size_t a = 0; a < x->nattrs; a++) {
                ntok += x->attrs[a].tok_end - x->attrs[a].tok_first;
                nbytes += x->attrs[a].span.end - x->attrs[a].span.start;
            }
        }
        /* every string is a copy of a stretch of attribute text (the fields' texts do not
         * overlap) or of a cref label inside one: one chunk of the text and a quarter
         * more holds them unless the labels are most of it (then more chunks follow). Not
         * twice the text: what comes after the chunk would start on later pages. */
        xarena_reserve(&bp->strings, nbytes + nbytes / 4 + ntok + 64);
        bp->aattrs = nattr + 1;
        bp->attrs = xreallocarray(NULL, bp->aattrs, sizeof *bp->attrs);
        bp->attr_pools = xreallocarray(NULL, bp->aattrs, sizeof *bp->attr_pools);
        bp->afields = ntok / 3 + 1;
        bp->fields = xreallocarray(NULL, bp->afields, sizeof *bp->fields);
        bp->field_pools = xreallocarray(NULL, bp->afields, sizeof *bp->field_pools);
        bp->auses = ntok / 2 + 1;
        bp->uses = xreallocarray(NULL, bp->auses, sizeof *bp->uses);
    }
    for (size_t i = 0; i < bp->ndecls; i++) {
        const struct decl *x = decls_get(d, i);
        bp->by_decl[i] = SIZE_MAX;
        for (size_t a = 0; a < x->nattrs; a++)
            read_attr(bp, i, SIZE_MAX, a, &x->attrs[a], NULL);
    }
    {
        size_t from = bp->nattrs;
        for (size_t c = 0; c < decls_cmd_count(d); c++) {
            const struct decl_cmd *cmd = decls_cmd(d, c);
            if (cmd->kind == DECL_CMD_ATTRIBUTE)
                read_attr_cmd(bp, c, cmd);
        }
        if (bp->nattrs > from)
            merge_attr_runs(bp, from);
    }
    /* pointers, now that no pool moves */
    for (size_t i = 0; i < bp->nfields; i++) {
        struct blueprint_field *f = &bp->fields[i];
        f->uses = f->nuses ? &bp->uses[bp->field_pools[i].use0] : NULL;
        f->crefs = f->ncrefs ? &bp->crefs[bp->field_pools[i].cref0] : NULL;
    }
    for (size_t i = 0; i < bp->nattrs; i++) {
        struct blueprint_attr *a = &bp->attrs[i];
        a->fields = a->nfields ? &bp->fields[bp->attr_pools[i].field0] : NULL;
    }
    return bp;
}

void
blueprint_free(struct blueprint *bp)
{
    if (!bp)
        return;
    xarena_free(&bp->strings);
    free(bp->attrs);
    free(bp->attr_pools);
    free(bp->fields);
    free(bp->field_pools);
    free(bp->uses);
    free(bp->crefs);
    free(bp->by_decl);
    free(bp);
}

size_t
blueprint_count(const struct blueprint *bp)
{
    return bp->nattrs;
}

const struct blueprint_attr *
blueprint_get(const struct blueprint *bp, size_t i)
{
    return i < bp->nattrs ? &bp->attrs[i] : NULL;
}

const struct blueprint_attr *
blueprint_for_decl(const struct blueprint *bp, size_t decl_index)
{
    if (decl_index >= bp->ndecls || bp->by_decl[decl_index] == SIZE_MAX)
        return NULL;
    return &bp->attrs[bp->by_decl[decl_index]];
}

const struct blueprint_field *
blueprint_attr_field(const struct blueprint_attr *a, enum blueprint_field_kind kind)
{
    for (size_t i = 0; i < a->nfields; i++)
        if (a->fields[i].kind == kind)
            return &a->fields[i];
    return NULL;
}
