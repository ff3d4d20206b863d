/*
 * fl_scan.c: declarations, scopes, sorry and `-- @fake` markers (see fl_scan.h).
 *
 * Pass 1 blanks comments (nesting `/- -/`, `--`), string literals (with escapes, raw
 * `r#"..."#`) and char literals into a mask, remembering where each line comment starts.
 * Pass 2 walks the lines: column-0 commands (scopes and other terminators), declaration
 * heads (attribute, modifiers, keyword, name), `#exit`. Pass 3 builds the diagnostics.
 * Syntax facts: lean-lsp-facts §9; diagnostic shapes: §3.1-§3.3.
 */
#include "fl_scan.h"

#include <stdlib.h>
#include <string.h>

#include "fl_judge.h"
#include "fl_util.h"

#define FL_NONE ((size_t)-1)

/* Lean's isLetterLike (Lean.Parser.Basic / Init.Meta). */
static bool
fl_letter_like(uint32_t c)
{
    return (c >= 0x3b1 && c <= 0x3c9 && c != 0x3bb) ||
           (c >= 0x391 && c <= 0x3a9 && c != 0x3a0 && c != 0x3a3) ||
           (c >= 0x3ca && c <= 0x3fb) || (c >= 0x1f00 && c <= 0x1ffe) ||
           (c >= 0x2100 && c <= 0x214f) || (c >= 0x1d49c && c <= 0x1d59f);
}

static bool
fl_subscript_alnum(uint32_t c)
{
    return (c >= 0x2080 && c <= 0x2089) || (c >= 0x2090 && c <= 0x209c) ||
           (c >= 0x1d62 && c <= 0x1d6a);
}

static bool
fl_ascii_alpha(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
fl_id_first(uint32_t c)
{
    return fl_ascii_alpha(c) || c == '_' || fl_letter_like(c);
}

static bool
fl_id_rest(uint32_t c)
{
    return fl_ascii_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '\'' || c == '!' ||
           c == '?' || fl_letter_like(c) || fl_subscript_alnum(c);
}

#define FL_ID_BEGIN 0xab /* « */
#define FL_ID_END 0xbb   /* » */

/* End of the identifier starting at m[i] (which must be idFirst or «); i if none. */
static size_t
fl_ident_end(const char *m, size_t n, size_t i)
{
    size_t j = i;
    for (;;) {
        uint32_t c;
        if (j >= n)
            break;
        size_t l = fl_utf8_decode(m, n, j, &c);
        if (c == FL_ID_BEGIN) {
            size_t k = j + l;
            bool closed = false;
            while (k < n && m[k] != '\n') {
                uint32_t d;
                size_t dl = fl_utf8_decode(m, n, k, &d);
                k += dl;
                if (d == FL_ID_END) {
                    closed = true;
                    break;
                }
            }
            if (!closed)
                break;
            j = k;
        } else if (fl_id_first(c)) {
            j += l;
            while (j < n) {
                uint32_t d;
                size_t dl = fl_utf8_decode(m, n, j, &d);
                if (!fl_id_rest(d))
                    break;
                j += dl;
            }
        } else {
            break;
        }
        /* another dotted part? */
        if (j + 1 < n && m[j] == '.') {
            uint32_t d;
            fl_utf8_decode(m, n, j + 1, &d);
            if (d == FL_ID_BEGIN || fl_id_first(d)) {
                j++;
                continue;
            }
        }
        break;
    }
    return j;
}

bool
fl_ident_next(const char *m, size_t n, size_t *i, size_t *s, size_t *e)
{
    size_t k = *i;
    while (k < n) {
        uint32_t c;
        size_t l = fl_utf8_decode(m, n, k, &c);
        if (c >= '0' && c <= '9') {
            k += l;
            while (k < n) {
                uint32_t d;
                size_t dl = fl_utf8_decode(m, n, k, &d);
                if (!(fl_id_rest(d) || d == '.'))
                    break;
                k += dl;
            }
            continue;
        }
        if (c == FL_ID_BEGIN || fl_id_first(c)) {
            size_t end = fl_ident_end(m, n, k);
            if (end > k) {
                *s = k;
                *e = end;
                *i = end;
                return true;
            }
        }
        k += l;
        /* an idRest char that cannot start an identifier (h', x!, subscripts) */
        while (k < n) {
            uint32_t d;
            size_t dl = fl_utf8_decode(m, n, k, &d);
            if (!fl_id_rest(d) || fl_id_first(d) || (d >= '0' && d <= '9'))
                break;
            k += dl;
        }
    }
    *i = n;
    return false;
}

static bool
fl_word_is(const char *m, size_t s, size_t e, const char *w)
{
    size_t l = strlen(w);
    return e - s == l && memcmp(m + s, w, l) == 0;
}

/* Pass 1: the mask, and the byte offset of each line's `--` comment (FL_NONE if none). */
static char *
fl_make_mask(const struct fl_text *t, size_t *comment_at)
{
    const char *s = t->s;
    size_t n = t->len;
    char *m = fl_xmemdup(s, n);
    size_t line = 0;
    bool prev_idrest = false;
    for (size_t i = 0; i < t->nlines; i++)
        comment_at[i] = FL_NONE;
#define BLANK(k) (m[(k)] = (s[(k)] == '\n' ? '\n' : ' '))
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\n') {
            line++;
            prev_idrest = false;
            i++;
            continue;
        }
        if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            comment_at[line] = i;
            while (i < n && s[i] != '\n') {
                BLANK(i);
                i++;
            }
            prev_idrest = false;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '-') {
            int depth = 1;
            BLANK(i);
            BLANK(i + 1);
            i += 2;
            while (i < n && depth > 0) {
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '-') {
                    depth++;
                    BLANK(i);
                    BLANK(i + 1);
                    i += 2;
                } else if (s[i] == '-' && i + 1 < n && s[i + 1] == '/') {
                    depth--;
                    BLANK(i);
                    BLANK(i + 1);
                    i += 2;
                } else {
                    if (s[i] == '\n')
                        line++;
                    BLANK(i);
                    i++;
                }
            }
            prev_idrest = false;
            continue;
        }
        if (c == '"') {
            BLANK(i);
            i++;
            while (i < n) {
                if (s[i] == '\\' && i + 1 < n) {
                    BLANK(i);
                    if (s[i + 1] == '\n')
                        line++;
                    BLANK(i + 1);
                    i += 2;
                    continue;
                }
                if (s[i] == '\n')
                    line++;
                bool end = s[i] == '"';
                BLANK(i);
                i++;
                if (end)
                    break;
            }
            prev_idrest = false;
            continue;
        }
        if (c == 'r' && !prev_idrest) {
            size_t k = i + 1, hashes = 0;
            while (k < n && s[k] == '#')
                k++, hashes++;
            if (k < n && s[k] == '"') {
                size_t j = k + 1;
                for (; j < n; j++) {
                    if (s[j] == '"') {
                        size_t h = 0;
                        while (h < hashes && j + 1 + h < n && s[j + 1 + h] == '#')
                            h++;
                        if (h == hashes) {
                            j += 1 + hashes;
                            break;
                        }
                    }
                }
                if (j > n)
                    j = n;
                for (; i < j; i++) {
                    if (s[i] == '\n')
                        line++;
                    BLANK(i);
                }
                prev_idrest = false;
                continue;
            }
        }
        if (c == '\'' && !prev_idrest) {
            size_t close = FL_NONE;
            if (i + 1 < n && s[i + 1] == '\\') {
                for (size_t k = i + 3; k < n && k < i + 16 && s[k] != '\n'; k++)
                    if (s[k] == '\'') {
                        close = k;
                        break;
                    }
            } else if (i + 1 < n && s[i + 1] != '\n') {
                uint32_t cp;
                size_t l = fl_utf8_decode(s, n, i + 1, &cp);
                if (i + 1 + l < n && s[i + 1 + l] == '\'')
                    close = i + 1 + l;
            }
            if (close != FL_NONE) {
                for (; i <= close; i++)
                    BLANK(i);
                prev_idrest = false;
                continue;
            }
        }
        uint32_t cp;
        size_t l = fl_utf8_decode(s, n, i, &cp);
        prev_idrest = fl_id_rest(cp);
        i += l;
    }
#undef BLANK
    return m;
}

/* First non-blank byte of line l in buf, or FL_NONE. */
static size_t
fl_first_nonblank(const struct fl_text *t, const char *buf, size_t l)
{
    size_t a = t->line_start[l], b = fl_text_line_end(t, l);
    for (size_t i = a; i < b; i++)
        if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r')
            return i;
    return FL_NONE;
}

/* Skips spaces, tabs and newlines in the mask. */
static size_t
fl_skip_space(const char *m, size_t n, size_t i)
{
    while (i < n && (m[i] == ' ' || m[i] == '\t' || m[i] == '\n' || m[i] == '\r'))
        i++;
    return i;
}

static struct fl_pos
fl_pos_of(const struct fl_text *t, size_t off)
{
    struct fl_pos p;
    fl_text_position(t, off, &p.line, &p.character);
    return p;
}

static const char *const fl_modifiers[] = {"private", "protected", "noncomputable", "unsafe",
                                           "partial", "nonrec",    "local",         "scoped",
                                           "public",  "meta",      NULL};
static const char *const fl_keywords[] = {"theorem", "lemma",    "def",     "abbrev",
                                          "instance", "structure", "inductive", "class",
                                          "axiom",   "opaque",   "example", NULL};
/* Column-0 commands that end the declaration before them (besides declarations). */
static const char *const fl_terminators[] = {"end",      "namespace", "section",  "open",
                                             "variable", "set_option", "universe", "attribute",
                                             "mutual",   "import",     "export",   NULL};

static bool
fl_in_list(const char *m, size_t s, size_t e, const char *const *list)
{
    for (; *list; list++)
        if (fl_word_is(m, s, e, *list))
            return true;
    return false;
}

struct fl_head {
    size_t kw_s, kw_e;     /* keyword bytes */
    size_t name_s, name_e; /* name bytes, or FL_NONE */
    size_t last;           /* last byte of the head (for the line of its end) */
};

/* Reads the next word at m[i] (after spaces); returns false if none starts there. */
static bool
fl_word_at(const char *m, size_t n, size_t *i, size_t *s, size_t *e)
{
    size_t k = fl_skip_space(m, n, *i);
    if (k >= n)
        return false;
    uint32_t c;
    fl_utf8_decode(m, n, k, &c);
    if (!(fl_id_first(c) || c == FL_ID_BEGIN))
        return false;
    size_t end = fl_ident_end(m, n, k);
    if (end == k)
        return false;
    *s = k;
    *e = end;
    *i = end;
    return true;
}

/* Parses `@[...]? modifiers* keyword name?` at m[i]. */
static bool
fl_parse_head(const char *m, size_t n, size_t i, struct fl_head *h)
{
    if (i + 1 < n && m[i] == '@' && m[i + 1] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            if (m[i] == '[')
                depth++;
            else if (m[i] == ']' && --depth == 0)
                break;
        }
        if (i >= n)
            return false;
        i++;
    }
    size_t s, e;
    for (;;) {
        if (!fl_word_at(m, n, &i, &s, &e))
            return false;
        if (fl_in_list(m, s, e, fl_modifiers))
            continue;
        if (!fl_in_list(m, s, e, fl_keywords))
            return false;
        break;
    }
    h->kw_s = s;
    h->kw_e = e;
    h->name_s = h->name_e = FL_NONE;
    h->last = e;
    if (fl_word_is(m, s, e, "class")) {
        size_t j = i, s2, e2;
        if (fl_word_at(m, n, &j, &s2, &e2) && fl_word_is(m, s2, e2, "inductive")) {
            h->kw_e = e2;
            i = j;
        }
    }
    if (fl_word_is(m, s, e, "example"))
        return true;
    if (fl_word_is(m, s, e, "instance")) {
        /* optional `(priority := n)` */
        size_t k = fl_skip_space(m, n, i);
        if (k < n && m[k] == '(') {
            size_t j = k + 1, ws, we;
            if (fl_word_at(m, n, &j, &ws, &we) && fl_word_is(m, ws, we, "priority")) {
                int depth = 0;
                for (; k < n; k++) {
                    if (m[k] == '(')
                        depth++;
                    else if (m[k] == ')' && --depth == 0)
                        break;
                }
                i = k < n ? k + 1 : n;
            }
        }
    }
    size_t j = i;
    if (fl_word_at(m, n, &j, &s, &e) && !fl_word_is(m, s, e, "where")) {
        h->name_s = s;
        h->name_e = e;
        h->last = e;
    }
    return true;
}

struct fl_decl {
    size_t start_line;      /* line of the attribute / first modifier */
    size_t head_start;      /* byte where the command starts */
    size_t head_end_line;   /* line of the keyword/name */
    size_t end_line;        /* last line, trailing comments/blank lines included */
    struct fl_head head;
    char *full_name;        /* namespace-qualified name, or NULL when anonymous */
    char *ns;               /* enclosing namespaces "A.B" ("" at top level) */
    int sym;                /* index in syms */
};

struct fl_scope {
    char *ns;    /* namespace text (A.B), NULL for a section */
    int ncomp;   /* number of name components */
    int sym;
};

struct fl_builder {
    const struct fl_text *t;
    const char *m;
    struct fl_symbol *syms;
    size_t nsyms, csyms;
    struct fl_diag *diags;
    size_t ndiags, cdiags;
};

static int
fl_add_sym(struct fl_builder *b, char *name, int kind, struct fl_range range,
           struct fl_range sel, int parent)
{
    if (b->nsyms == b->csyms) {
        b->csyms = b->csyms ? 2 * b->csyms : 16;
        b->syms = fl_xrealloc(b->syms, b->csyms * sizeof *b->syms);
    }
    struct fl_symbol *y = &b->syms[b->nsyms];
    y->name = name;
    y->kind = kind;
    y->range = range;
    y->selection = sel;
    y->parent = parent;
    return (int)b->nsyms++;
}

static struct fl_diag *
fl_add_diag(struct fl_builder *b)
{
    if (b->ndiags == b->cdiags) {
        b->cdiags = b->cdiags ? 2 * b->cdiags : 16;
        b->diags = fl_xrealloc(b->diags, b->cdiags * sizeof *b->diags);
    }
    struct fl_diag *d = &b->diags[b->ndiags++];
    memset(d, 0, sizeof *d);
    return d;
}

static int
fl_count_components(const char *s, size_t n)
{
    int c = 1, in_esc = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char u = (unsigned char)s[i];
        if (u == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == FL_ID_BEGIN)
            in_esc = 1;
        else if (u == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == FL_ID_END)
            in_esc = 0;
        else if (s[i] == '.' && !in_esc)
            c++;
    }
    return c;
}

/* End of the last code on lines [a, b] (mask), or the first byte of line a. */
static size_t
fl_last_code(const struct fl_text *t, const char *m, size_t a, size_t b)
{
    for (size_t l = b + 1; l-- > a;) {
        size_t s = t->line_start[l], e = fl_text_line_end(t, l);
        while (e > s && (m[e - 1] == ' ' || m[e - 1] == '\t' || m[e - 1] == '\r'))
            e--;
        if (e > s)
            return e;
    }
    return t->line_start[a];
}

/* Unescapes `\n` and `\\` of a marker message. */
static char *
fl_marker_message(const char *s, size_t n)
{
    struct fl_str o = {0};
    fl_str_add(&o, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
            fl_str_add(&o, s[i + 1] == 'n' ? "\n" : "\\", 1);
            i++;
        } else {
            fl_str_add(&o, s + i, 1);
        }
    }
    return fl_str_take(&o);
}

#define FL_MARKER_CRASH 4

/* Parses `-- @fake KIND[(N)]: MESSAGE` in s[0..n); returns severity 1..3, FL_MARKER_CRASH for
 * `-- @fake worker-crash[(C)]` (message optional, *span = C or 0), or 0. */
static int
fl_parse_marker(const char *s, size_t n, long *span, char **msg)
{
    size_t i = 2; /* after "--" */
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (n - i < 5 || memcmp(s + i, "@fake", 5) != 0)
        return 0;
    i += 5;
    if (i >= n || (s[i] != ' ' && s[i] != '\t'))
        return 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    int sev;
    if (n - i >= 12 && memcmp(s + i, "worker-crash", 12) == 0)
        sev = FL_MARKER_CRASH, i += 12;
    else if (n - i >= 5 && memcmp(s + i, "error", 5) == 0)
        sev = 1, i += 5;
    else if (n - i >= 7 && memcmp(s + i, "warning", 7) == 0)
        sev = 2, i += 7;
    else if (n - i >= 4 && memcmp(s + i, "info", 4) == 0)
        sev = 3, i += 4;
    else
        return 0;
    *span = 0;
    if (i < n && s[i] == '(') {
        i++;
        long v = 0;
        size_t d0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && v < 1000000)
            v = v * 10 + (s[i++] - '0');
        if (i == d0 || i >= n || s[i] != ')' || (v < 1 && sev != FL_MARKER_CRASH))
            return 0;
        i++;
        *span = v;
    }
    if (sev == FL_MARKER_CRASH) {
        if (i < n && s[i] != ':' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
        *msg = NULL;
        return sev;
    }
    if (i >= n || s[i] != ':')
        return 0;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t e = n;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
        e--;
    *msg = fl_marker_message(s + i, e - i);
    return sev;
}

static char *
fl_sorry_message(enum fl_sorry_style style, const char *name)
{
    switch (style) {
    case FL_SORRY_QUOTE: return fl_xstrdup("declaration uses 'sorry'");
    case FL_SORRY_NAMED:
        if (name)
            return fl_xasprintf("declaration `%s` uses `sorry`", name);
        return fl_xstrdup("declaration uses `sorry`");
    case FL_SORRY_BACKTICK:
    default: return fl_xstrdup("declaration uses `sorry`");
    }
}

/* The enclosing namespaces of the open scopes, joined: "A.B" ("" at top level). */
static char *
fl_scope_ns(const struct fl_scope *scopes, size_t nscopes)
{
    struct fl_str o = {0};
    fl_str_add(&o, "", 0);
    for (size_t k = 0; k < nscopes; k++)
        if (scopes[k].ns) {
            if (o.len)
                fl_str_adds(&o, ".");
            fl_str_adds(&o, scopes[k].ns);
        }
    return fl_str_take(&o);
}

struct fl_sortkey {
    size_t report_line;
    int group; /* 0 marker, 1 declaration-level */
    size_t seq;
};

static int
fl_cmp_diag(const void *a, const void *b)
{
    const struct fl_sortkey *x = *(const struct fl_sortkey *const *)a;
    const struct fl_sortkey *y = *(const struct fl_sortkey *const *)b;
    if (x->report_line != y->report_line)
        return x->report_line < y->report_line ? -1 : 1;
    if (x->group != y->group)
        return x->group - y->group;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Where judge diagnostics go (fl_judge_emit_fn). */
struct fl_emit_ctx {
    struct fl_builder *b;
    struct fl_sortkey **keys;
    size_t *ckeys, *seq;
};

static void
fl_scan_emit_cb(void *arg, struct fl_diag *d, size_t report_line)
{
    struct fl_emit_ctx *c = arg;
    struct fl_diag *g = fl_add_diag(c->b);
    *g = *d;
    g->report_line = report_line;
    if (c->b->ndiags > *c->ckeys) {
        *c->ckeys = *c->ckeys ? 2 * *c->ckeys : 16;
        *c->keys = fl_xrealloc(*c->keys, *c->ckeys * sizeof **c->keys);
    }
    (*c->keys)[c->b->ndiags - 1] = (struct fl_sortkey){report_line, 0, (*c->seq)++};
}

void
fl_scan_run(struct fl_scan *res, const struct fl_text *t, const struct fl_scan_opts *o)
{
    memset(res, 0, sizeof *res);
    res->crash_line = -1;
    size_t nl = t->nlines, n = t->len;
    size_t *comment_at = fl_xmalloc(nl * sizeof *comment_at);
    char *m = fl_make_mask(t, comment_at);
    struct fl_builder b = {.t = t, .m = m};
    struct fl_judge *judge = fl_judge_new(t, m, o->judge_style);

    struct fl_decl *decls = NULL;
    size_t ndecls = 0, cdecls = 0;
    size_t *bounds = fl_xmalloc((nl + 1) * sizeof *bounds); /* decl starts and terminators */
    size_t nbounds = 0;
    struct fl_scope *scopes = NULL;
    size_t nscopes = 0, cscopes = 0;
    size_t exit_line = nl;
    size_t skip_until = 0;

    for (size_t l = 0; l < nl; l++) {
        size_t ls = t->line_start[l];
        size_t p = fl_first_nonblank(t, m, l);
        if (p == FL_NONE || l < skip_until)
            continue;
        if (p == ls) {
            /* column-0 commands */
            if (m[p] == '#') {
                bounds[nbounds++] = l;
                size_t k = p + 1, s = 0, e = 0;
                bool word = fl_word_at(m, n, &k, &s, &e) && s == p + 1;
                if (word && fl_word_is(m, s, e, "exit")) {
                    exit_line = l;
                    break;
                }
                size_t s2, e2, s3, e3;
                if (word && fl_word_is(m, s, e, "print") && fl_word_at(m, n, &k, &s2, &e2) &&
                    fl_word_is(m, s2, e2, "axioms") && fl_word_at(m, n, &k, &s3, &e3)) {
                    char *ns = fl_scope_ns(scopes, nscopes); /* `#print axioms NAME` */
                    fl_judge_add_print(judge, p, s3, e3, ns);
                    free(ns);
                }
                continue;
            }
            size_t k = p, s, e;
            if (fl_word_at(m, n, &k, &s, &e)) {
                bool is_section = fl_word_is(m, s, e, "section");
                bool is_ns = fl_word_is(m, s, e, "namespace");
                bool is_end = fl_word_is(m, s, e, "end");
                if (fl_word_is(m, s, e, "noncomputable")) {
                    size_t k2 = k, s2, e2;
                    if (fl_word_at(m, n, &k2, &s2, &e2) && fl_word_is(m, s2, e2, "section")) {
                        is_section = true;
                        k = k2;
                    }
                }
                if (is_section || is_ns || is_end || fl_in_list(m, s, e, fl_terminators)) {
                    bounds[nbounds++] = l;
                    /* the optional name must be on this line */
                    size_t k3 = k, s3 = 0, e3 = 0;
                    bool has_name = fl_word_at(m, n, &k3, &s3, &e3) &&
                                    s3 < fl_text_line_end(t, l);
                    if (is_ns || is_section) {
                        if (is_ns && !has_name)
                            continue;
                        int parent = nscopes ? scopes[nscopes - 1].sym : -1;
                        struct fl_range r = {fl_pos_of(t, p), fl_pos_of(t, fl_last_code(t, m, l, l))};
                        struct fl_range sel = r;
                        char *name;
                        if (has_name) {
                            sel.start = fl_pos_of(t, s3);
                            sel.end = fl_pos_of(t, e3);
                            name = fl_xmemdup(m + s3, e3 - s3);
                        } else {
                            name = fl_xstrdup("<section>");
                        }
                        int sym = fl_add_sym(&b, name, FL_SYM_NAMESPACE, r, sel, parent);
                        if (nscopes == cscopes) {
                            cscopes = cscopes ? 2 * cscopes : 8;
                            scopes = fl_xrealloc(scopes, cscopes * sizeof *scopes);
                        }
                        scopes[nscopes].ns = is_ns ? fl_xmemdup(m + s3, e3 - s3) : NULL;
                        scopes[nscopes].ncomp = has_name ? fl_count_components(m + s3, e3 - s3) : 1;
                        scopes[nscopes].sym = sym;
                        nscopes++;
                    } else if (is_end && nscopes) {
                        int want = has_name ? fl_count_components(m + s3, e3 - s3) : 1;
                        struct fl_pos endp = fl_pos_of(t, fl_last_code(t, m, l, l));
                        while (want > 0 && nscopes) {
                            struct fl_scope *sc = &scopes[--nscopes];
                            b.syms[sc->sym].range.end = endp;
                            want -= sc->ncomp;
                            free(sc->ns);
                        }
                    }
                    continue;
                }
            }
        }
        struct fl_head h;
        if (!fl_parse_head(m, n, p, &h))
            continue;
        int64_t hl, hc;
        fl_text_position(t, h.last, &hl, &hc);
        if (ndecls == cdecls) {
            cdecls = cdecls ? 2 * cdecls : 16;
            decls = fl_xrealloc(decls, cdecls * sizeof *decls);
        }
        struct fl_decl *d = &decls[ndecls++];
        memset(d, 0, sizeof *d);
        d->start_line = l;
        d->head_start = p;
        d->head_end_line = (size_t)hl;
        d->head = h;
        bounds[nbounds++] = l;
        skip_until = (size_t)hl + 1;
        if (h.name_s != FL_NONE) {
            struct fl_str full = {0};
            size_t ns = h.name_s, ne = h.name_e;
            if (ne - ns > 7 && memcmp(m + ns, "_root_.", 7) == 0) {
                ns += 7;
            } else {
                for (size_t k = 0; k < nscopes; k++)
                    if (scopes[k].ns) {
                        fl_str_adds(&full, scopes[k].ns);
                        fl_str_adds(&full, ".");
                    }
            }
            fl_str_add(&full, m + ns, ne - ns);
            d->full_name = fl_str_take(&full);
        }
        d->ns = fl_scope_ns(scopes, nscopes);
        d->sym = nscopes ? scopes[nscopes - 1].sym : -1; /* parent for now */
    }
    /* scopes still open at the end (or at #exit) run to the end of the text */
    for (size_t k = 0; k < nscopes; k++) {
        b.syms[scopes[k].sym].range.end = fl_pos_of(t, exit_line < nl ? t->line_start[exit_line] : n);
        free(scopes[k].ns);
    }
    free(scopes);

    /* declaration ends, symbols, sorry/goals */
    size_t nd0 = 0;
    struct fl_sortkey *keys = NULL;
    size_t ckeys = 0, seq = 0;
    (void)nd0;
    size_t bi = 0;
    for (size_t k = 0; k < ndecls; k++) {
        struct fl_decl *d = &decls[k];
        while (bi < nbounds && bounds[bi] <= d->start_line)
            bi++;
        size_t next = bi < nbounds ? bounds[bi] : exit_line;
        if (next > exit_line)
            next = exit_line;
        d->end_line = next > d->start_line ? next - 1 : d->start_line;
        if (d->end_line < d->head_end_line)
            d->end_line = d->head_end_line;
        struct fl_head *h = &d->head;
        struct fl_range sel;
        char *name;
        if (h->name_s != FL_NONE) {
            sel.start = fl_pos_of(t, h->name_s);
            sel.end = fl_pos_of(t, h->name_e);
            name = fl_xmemdup(m + h->name_s, h->name_e - h->name_s);
        } else {
            sel.start = fl_pos_of(t, h->kw_s);
            sel.end = fl_pos_of(t, h->kw_e);
            name = fl_xmemdup(m + h->kw_s, h->kw_e - h->kw_s);
        }
        struct fl_range r = {fl_pos_of(t, d->head_start),
                             fl_pos_of(t, fl_last_code(t, m, d->start_line, d->end_line))};
        d->sym = fl_add_sym(&b, name, FL_SYM_METHOD, r, sel, d->sym);
        struct fl_judge_decl jd = {
            .start_line = d->start_line,
            .end_line = d->end_line,
            .head_start = d->head_start,
            .sig_start = h->name_s != FL_NONE ? h->name_e : h->kw_e,
            .full_name = d->full_name,
            .ns = d->ns,
            .is_axiom = fl_word_is(m, h->kw_s, h->kw_e, "axiom"),
        };
        fl_judge_add_decl(judge, &jd);
    }
    free(bounds);

    /* markers */
    size_t *marker_decl = fl_xmalloc((nl ? nl : 1) * sizeof *marker_decl);
    size_t dk = 0;
    for (size_t l = 0; l < exit_line; l++) {
        while (dk < ndecls && decls[dk].end_line < l)
            dk++;
        bool inside = dk < ndecls && decls[dk].start_line <= l && l <= decls[dk].end_line;
        marker_decl[l] = inside ? dk : FL_NONE;
        size_t cs = comment_at[l];
        if (cs == FL_NONE)
            continue;
        size_t le = fl_text_line_end(t, l);
        if (fl_judge_marker(judge, l, t->s + cs, le - cs))
            continue;
        long span;
        char *msg = NULL;
        int sev = fl_parse_marker(t->s + cs, le - cs, &span, &msg);
        if (!sev)
            continue;
        if (sev == FL_MARKER_CRASH) {
            if (res->crash_line < 0) {
                res->crash_line = (int64_t)l;
                res->crash_code = span > 0 ? (int)span : 1;
            }
            continue;
        }
        size_t fb = fl_first_nonblank(t, t->s, l);
        size_t eb = cs;
        while (eb > fb && (t->s[eb - 1] == ' ' || t->s[eb - 1] == '\t'))
            eb--;
        struct fl_diag *dg = fl_add_diag(&b);
        dg->severity = sev;
        dg->message = msg;
        dg->range.start = fl_pos_of(t, fb);
        dg->range.end = fl_pos_of(t, eb);
        dg->full_range = dg->range;
        if (span >= 1) {
            size_t last = l + (size_t)span - 1;
            if (last >= nl)
                last = nl - 1;
            dg->full_range.end = fl_pos_of(t, fl_text_line_end(t, last));
            if (last > l) {
                dg->range.end.line = (int64_t)l + 1;
                dg->range.end.character = 0;
            } else {
                dg->range.end = dg->full_range.end;
            }
        }
        if (sev == 1 && strncmp(msg, "unsolved goals", 14) == 0)
            dg->lean_tag = 1;
        dg->report_line = inside ? decls[dk].end_line : l;
        if (b.ndiags > ckeys) {
            ckeys = ckeys ? 2 * ckeys : 16;
            keys = fl_xrealloc(keys, ckeys * sizeof *keys);
        }
        keys[b.ndiags - 1] = (struct fl_sortkey){dg->report_line, 0, seq++};
    }

    struct fl_emit_ctx ectx = {&b, &keys, &ckeys, &seq};
    fl_judge_elaborate(judge, fl_scan_emit_cb, &ectx);

    for (size_t k = 0; k < ndecls; k++) {
        struct fl_decl *d = &decls[k];
        bool has_error = fl_judge_failed(judge, k);
        for (size_t i = 0; i < b.ndiags; i++) {
            int64_t ml = b.diags[i].full_range.start.line;
            if (b.diags[i].severity == 1 && (size_t)ml >= d->start_line &&
                (size_t)ml <= d->end_line && marker_decl[ml] == k)
                has_error = true;
        }
        size_t a = t->line_start[d->start_line], z = fl_text_line_end(t, d->end_line);
        bool has_sorry = false;
        size_t by_s = FL_NONE, by_e = FL_NONE;
        size_t i = a, s, e;
        bool after_assign = false;
        while (fl_ident_next(m, z, &i, &s, &e)) {
            bool dotted = s > 0 && m[s - 1] == '.';
            if (!dotted && (fl_word_is(m, s, e, "sorry") || fl_word_is(m, s, e, "admit") ||
                            fl_word_is(m, s, e, "sorry_using")))
                has_sorry = true;
            if (by_s == FL_NONE && fl_word_is(m, s, e, "by")) {
                size_t q = s;
                while (q > a && (m[q - 1] == ' ' || m[q - 1] == '\t' || m[q - 1] == '\n' ||
                                 m[q - 1] == '\r'))
                    q--;
                after_assign = q >= a + 2 && m[q - 1] == '=' && m[q - 2] == ':';
                if (after_assign) {
                    by_s = s;
                    by_e = e;
                }
            }
        }
        fl_judge_set_status(judge, k, has_error, has_sorry);
        struct fl_diag *dg = NULL;
        if (has_sorry && !has_error) {
            dg = fl_add_diag(&b);
            dg->severity = 2;
            dg->message = fl_sorry_message(o->sorry_style, d->full_name);
            dg->range = b.syms[d->sym].selection;
            dg->full_range = dg->range;
        } else if (!has_sorry && !has_error && by_s != FL_NONE && o->silent) {
            dg = fl_add_diag(&b);
            dg->severity = 3;
            dg->silent = true;
            dg->lean_tag = 2;
            dg->message = fl_xstrdup("Goals accomplished!");
            dg->range.start = fl_pos_of(t, by_s);
            dg->range.end = fl_pos_of(t, by_e);
            dg->full_range = dg->range;
        }
        if (dg) {
            dg->report_line = d->end_line;
            if (b.ndiags > ckeys) {
                ckeys = ckeys ? 2 * ckeys : 16;
                keys = fl_xrealloc(keys, ckeys * sizeof *keys);
            }
            keys[b.ndiags - 1] = (struct fl_sortkey){dg->report_line, 1, seq++};
        }
    }

    fl_judge_axioms(judge, fl_scan_emit_cb, &ectx);

    /* report order */
    if (b.ndiags) {
        struct fl_sortkey **order = fl_xmalloc(b.ndiags * sizeof *order);
        for (size_t k = 0; k < b.ndiags; k++)
            order[k] = &keys[k];
        qsort(order, b.ndiags, sizeof *order, fl_cmp_diag);
        struct fl_diag *sorted = fl_xmalloc(b.ndiags * sizeof *sorted);
        for (size_t k = 0; k < b.ndiags; k++)
            sorted[k] = b.diags[order[k] - keys];
        free(b.diags);
        b.diags = sorted;
        free(order);
    }
    free(keys);
    for (size_t k = 0; k < ndecls; k++) {
        free(decls[k].full_name);
        free(decls[k].ns);
    }
    free(decls);
    free(marker_decl);
    free(comment_at);

    res->mask = m;
    res->len = n;
    res->diags = b.diags;
    res->ndiags = b.ndiags;
    res->syms = b.syms;
    res->nsyms = b.nsyms;
    res->judge = judge;
}

void
fl_scan_release(struct fl_scan *res)
{
    for (size_t i = 0; i < res->ndiags; i++)
        free(res->diags[i].message);
    for (size_t i = 0; i < res->nsyms; i++)
        free(res->syms[i].name);
    free(res->diags);
    free(res->syms);
    fl_judge_free(res->judge);
    free(res->mask);
    memset(res, 0, sizeof *res);
    res->crash_line = -1;
}
