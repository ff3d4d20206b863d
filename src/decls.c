/* decls: the commands and declarations of a Lean file, from lean_lex's tokens. */
#include "decls.h"

#include <stdlib.h>
#include <string.h>

#include "namekey.h"
#include "xalloc.h"

/* What a token means to the command reader (one byte per token, computed once). */
enum kw {
    KW_NONE,
    /* declaration keywords */
    KW_DEF, KW_THEOREM, KW_LEMMA, KW_ABBREV, KW_INSTANCE, KW_STRUCTURE, KW_INDUCTIVE,
    KW_CLASS, KW_AXIOM, KW_OPAQUE, KW_EXAMPLE, KW_IRREDUCIBLE_DEF, KW_ALIAS,
    /* modifiers */
    KW_PRIVATE, KW_PROTECTED, KW_NONCOMPUTABLE, KW_UNSAFE, KW_PARTIAL, KW_NONREC,
    KW_LOCAL, KW_SCOPED, KW_PUBLIC, KW_META,
    /* other commands */
    KW_NAMESPACE, KW_SECTION, KW_END, KW_MUTUAL, KW_OPEN, KW_VARIABLE, KW_UNIVERSE,
    KW_SET_OPTION, KW_HASH, KW_EXIT, KW_BLUEPRINT_COMMENT, KW_ATTRIBUTE, KW_IMPORT,
    KW_DERIVING, KW_OTHER_CMD,
    /* inside declarations */
    KW_BY, KW_WHERE, KW_SORRY, KW_SORRY_USING, KW_ADMIT, KW_IN, KW_PRIORITY, KW_LET,
    KW_MATCH, KW_FUN, KW_CLAUSE, /* KW_CLAUSE: termination_by, termination_by?, decreasing_by */
    /* symbols */
    KW_ASSIGN, KW_COLON, KW_BAR, KW_ARROW, KW_COMMA, KW_DOT, KW_ATTR_OPEN, KW_OPEN_BR,
    KW_CLOSE_BR,
    /* tokens of other kinds that matter */
    KW_DOC, /* a doc comment (it may start a command) */
};

static bool
kw_is_decl(int k)
{
    return k >= KW_DEF && k <= KW_ALIAS;
}

static bool
kw_is_modifier(int k)
{
    return k >= KW_PRIVATE && k <= KW_META;
}

/* Keywords that cannot occur inside a term or a tactic block: they start a command
 * wherever they appear outside brackets (and on a line of their own inside them). */
static bool
kw_is_strong(int k)
{
    return kw_is_decl(k) || (kw_is_modifier(k) && k != KW_LOCAL && k != KW_SCOPED &&
                             k != KW_PUBLIC && k != KW_META) ||
           k == KW_NAMESPACE || k == KW_SECTION || k == KW_END || k == KW_MUTUAL ||
           k == KW_VARIABLE || k == KW_UNIVERSE || k == KW_EXIT || k == KW_BLUEPRINT_COMMENT ||
           k == KW_ATTRIBUTE || k == KW_IMPORT || k == KW_OTHER_CMD || k == KW_ATTR_OPEN;
}

#define KW_IS(w, k)                                                                         \
    do {                                                                                    \
        if (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)                                     \
            return k;                                                                       \
    } while (0)

/* For each first letter a-z, bit n set when some keyword of that letter has n bytes:
 * rejects most identifiers before any comparison. */
static const uint32_t kw_len_mask[26] = {
    0x21260u, 0x60004u, 0x20u, 0x42108u, 0x4d8u, 0x8u, 0x0u, 0x30u, 0x87e4u,
    0x0u, 0x0u, 0x1038u, 0x870u, 0x2340u, 0x50u, 0x3c0u, 0x0u, 0x48080u,
    0x100ee0u, 0xc080u, 0x140u, 0x100u, 0x20u, 0x0u, 0x0u, 0x0u,
};

/* The classes of one-byte symbols (kw_of_symbol's first case, as a table). */
static const unsigned char kw_sym1[256] = {
    [':'] = KW_COLON,   ['|'] = KW_BAR,     [','] = KW_COMMA,    ['.'] = KW_DOT,
    ['('] = KW_OPEN_BR, ['['] = KW_OPEN_BR, ['{'] = KW_OPEN_BR,  [')'] = KW_CLOSE_BR,
    [']'] = KW_CLOSE_BR, ['}'] = KW_CLOSE_BR,
};

/* True when some keyword has s[0]'s first letter and n bytes (most names have not). */
static inline bool
kw_maybe(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    return c >= 'a' && c <= 'z' && n <= 31 && (kw_len_mask[c - 'a'] & (1u << n));
}

/* The keyword s[0, n) is, or KW_NONE. Callers ask kw_maybe() first: most names stop there. */
static enum kw
kw_of_ident(const char *s, size_t n)
{
    switch (s[0]) {
    case 'a':
        KW_IS("abbrev", KW_ABBREV);
        KW_IS("axiom", KW_AXIOM);
        KW_IS("alias", KW_ALIAS);
        KW_IS("attribute", KW_ATTRIBUTE);
        KW_IS("admit", KW_ADMIT);
        KW_IS("add_decl_doc", KW_OTHER_CMD);
        KW_IS("assert_not_exists", KW_OTHER_CMD);
        break;
    case 'b':
        KW_IS("by", KW_BY);
        KW_IS("blueprint_comment", KW_BLUEPRINT_COMMENT);
        KW_IS("builtin_initialize", KW_OTHER_CMD);
        break;
    case 'c':
        KW_IS("class", KW_CLASS);
        break;
    case 'd':
        KW_IS("def", KW_DEF);
        KW_IS("deriving", KW_DERIVING);
        KW_IS("declare_syntax_cat", KW_OTHER_CMD);
        KW_IS("decreasing_by", KW_CLAUSE);
        break;
    case 'e':
        KW_IS("end", KW_END);
        KW_IS("example", KW_EXAMPLE);
        KW_IS("elab", KW_OTHER_CMD);
        KW_IS("elab_rules", KW_OTHER_CMD);
        KW_IS("export", KW_OTHER_CMD);
        break;
    case 'f':
        KW_IS("fun", KW_FUN);
        break;
    case 'h':
        KW_IS("have", KW_LET);
        KW_IS("haveI", KW_LET);
        break;
    case 'i':
        KW_IS("instance", KW_INSTANCE);
        KW_IS("inductive", KW_INDUCTIVE);
        KW_IS("in", KW_IN);
        KW_IS("import", KW_IMPORT);
        KW_IS("irreducible_def", KW_IRREDUCIBLE_DEF);
        KW_IS("include", KW_VARIABLE);
        KW_IS("infix", KW_OTHER_CMD);
        KW_IS("infixl", KW_OTHER_CMD);
        KW_IS("infixr", KW_OTHER_CMD);
        KW_IS("initialize", KW_OTHER_CMD);
        break;
    case 'l':
        KW_IS("lemma", KW_LEMMA);
        KW_IS("let", KW_LET);
        KW_IS("letI", KW_LET);
        KW_IS("local", KW_LOCAL);
        KW_IS("library_note", KW_OTHER_CMD);
        break;
    case 'm':
        KW_IS("mutual", KW_MUTUAL);
        KW_IS("meta", KW_META);
        KW_IS("macro", KW_OTHER_CMD);
        KW_IS("macro_rules", KW_OTHER_CMD);
        KW_IS("match", KW_MATCH);
        break;
    case 'n':
        KW_IS("namespace", KW_NAMESPACE);
        KW_IS("noncomputable", KW_NONCOMPUTABLE);
        KW_IS("nonrec", KW_NONREC);
        KW_IS("notation", KW_OTHER_CMD);
        break;
    case 'o':
        KW_IS("open", KW_OPEN);
        KW_IS("opaque", KW_OPAQUE);
        KW_IS("omit", KW_VARIABLE);
        break;
    case 'p':
        KW_IS("private", KW_PRIVATE);
        KW_IS("protected", KW_PROTECTED);
        KW_IS("partial", KW_PARTIAL);
        KW_IS("public", KW_PUBLIC);
        KW_IS("priority", KW_PRIORITY);
        KW_IS("prefix", KW_OTHER_CMD);
        KW_IS("postfix", KW_OTHER_CMD);
        break;
    case 'r':
        KW_IS("run_cmd", KW_OTHER_CMD);
        KW_IS("register_option", KW_OTHER_CMD);
        KW_IS("register_simp_attr", KW_OTHER_CMD);
        break;
    case 's':
        KW_IS("sorry", KW_SORRY);
        KW_IS("sorry_using", KW_SORRY_USING);
        KW_IS("section", KW_SECTION);
        KW_IS("structure", KW_STRUCTURE);
        KW_IS("set_option", KW_SET_OPTION);
        KW_IS("scoped", KW_SCOPED);
        KW_IS("syntax", KW_OTHER_CMD);
        KW_IS("suppress_compilation", KW_OTHER_CMD);
        break;
    case 't':
        KW_IS("theorem", KW_THEOREM);
        KW_IS("termination_by", KW_CLAUSE);
        KW_IS("termination_by?", KW_CLAUSE);
        break;
    case 'u':
        KW_IS("universe", KW_UNIVERSE);
        KW_IS("unsafe", KW_UNSAFE);
        break;
    case 'v':
        KW_IS("variable", KW_VARIABLE);
        break;
    case 'w':
        KW_IS("where", KW_WHERE);
        break;
    default:
        break;
    }
    return KW_NONE;
}

static enum kw
kw_of_symbol(const char *s, size_t n)
{
    if (n == 1)
        return kw_sym1[(unsigned char)s[0]];
    if (s[0] == '#' && n > 1 && s[1] != '[') {
        KW_IS("#exit", KW_EXIT);
        return KW_HASH;
    }
    KW_IS(":=", KW_ASSIGN);
    KW_IS("=>", KW_ARROW);
    KW_IS("@[", KW_ATTR_OPEN);
    KW_IS("#[", KW_OPEN_BR);
    KW_IS("%[", KW_OPEN_BR);
    KW_IS("$(", KW_OPEN_BR);
    KW_IS("`(", KW_OPEN_BR);
    KW_IS("⟨", KW_OPEN_BR);
    KW_IS("⦃", KW_OPEN_BR);
    KW_IS("⟦", KW_OPEN_BR);
    KW_IS("⟩", KW_CLOSE_BR);
    KW_IS("⦄", KW_CLOSE_BR);
    KW_IS("⟧", KW_CLOSE_BR);
    return KW_NONE;
}

#undef KW_IS

/* Pool indices of one declaration's parts while the pools may still move. */
struct decl_pools {
    size_t attr0, mod0, sorry0, using0, ref0, sig_ref0, doc0;
};

/* The reader's state before the top-level command at token tok: the pools' counts and the
 * scope stack (mark_scopes[scope0, scope0 + nscopes)). */
struct decls_mark {
    size_t tok;
    size_t horizon; /* the furthest token the reading of the commands from this mark to the
                     * next looked at (seen()) */
    size_t ndecls, ncmds, nattrs, nmods, nsorries, nusings, nrefs, nunames, ndocs, nstrings;
    size_t nscopes, scope0;
    size_t nkind[3];
};

/* Deeper scope stacks are not marked (their snapshots would cost more than re-reading). */
#define DECLS_MARK_MAX_SCOPES 32

struct decls {
    const struct lean_lex *lx;
    const struct lean_tok *toks;
    size_t ntoks;
    const char *text;
    unsigned char *kws; /* enum kw per token */

    struct decl *decls;
    struct decl_pools *pools; /* parallel to decls */
    size_t ndecls, adecls;
    struct decl_cmd *cmds;
    size_t ncmds, acmds;

    struct decl_attr *attrs;
    size_t nattrs, aattrs;
    struct decl_modifier *mods;
    size_t nmods, amods;
    struct decl_sorry *sorries;
    size_t nsorries, asorries;
    struct decl_using *usings;
    size_t *using_names0; /* parallel to usings: first name's index in refs */
    size_t nusings, ausings;
    struct decl_ref *refs;
    size_t nrefs, arefs;
    struct decl_ref *unames; /* the names of sorry_using lists */
    size_t nunames, aunames;
    size_t *docs;
    size_t ndocs, adocs;
    char **strings; /* every string handed out, freed at the end */
    size_t nstrings, astrings;

    /* scope stack while reading */
    struct decls_scope *scopes;
    size_t nscopes, ascopes;
    size_t nkind[3]; /* open scopes of each enum scope_kind */

    bool has_exit;
    struct lean_span exit;

    /* where each top-level command started and what the pools held then, so that
     * decls_update() can keep the commands before an edit (decls_mark) */
    struct decls_mark *marks;
    size_t nmarks, amarks;
    struct decls_scope *mark_scopes; /* the scope stacks of the marks, one after another */
    size_t nmark_scopes, amark_scopes;
    struct decls_resync *rs; /* while decls_update() reads; else NULL */
    size_t *seen;            /* &seen_max: the furthest token index looked at since the last
                              * mark (written through const: tok_at(), kw_of()) */
    size_t seen_max;
};

enum scope_kind { SCOPE_NAMESPACE, SCOPE_SECTION, SCOPE_MUTUAL };
struct decls_scope {
    enum scope_kind kind;
    uint32_t start, len; /* the component's text */
};

/* Grows an array held as (ptr, n, alloc) to hold one more element. */
#define DECLS_GROW(ptr, n, alloc)                                                           \
    do {                                                                                    \
        if ((n) == (alloc)) {                                                               \
            (alloc) = (alloc) ? (alloc) * 2 : 16;                                           \
            (ptr) = xreallocarray((ptr), (alloc), sizeof *(ptr));                           \
        }                                                                                   \
    } while (0)

static const char *
decls_keep(struct decls *d, char *s)
{
    DECLS_GROW(d->strings, d->nstrings, d->astrings);
    d->strings[d->nstrings++] = s;
    return s;
}

/* ---- token helpers ---- */

/* Every token the reader looks at goes through tok_at() or kw_of() (or kw_at()), which
 * note the furthest index seen since the last mark: decls_update() keeps a command only
 * when its reading saw no token the edit changed. */
static inline void
seen(const struct decls *d, size_t i)
{
    if (i > *d->seen)
        *d->seen = i;
}

static inline const struct lean_tok *
tok_at(const struct decls *d, size_t i)
{
    seen(d, i);
    return &d->toks[i];
}

static inline int
kw_of(const struct decls *d, size_t i)
{
    seen(d, i);
    return d->kws[i];
}

static inline int
kw_at(const struct decls *d, size_t i)
{
    seen(d, i); /* looking past the end is seeing the end */
    return i < d->ntoks ? d->kws[i] : KW_NONE;
}

static inline bool
is_comment(const struct lean_tok *t)
{
    return t->kind >= LEAN_TOK_LINE_COMMENT && t->kind <= LEAN_TOK_MOD_DOC;
}

static inline bool
is_trivia(const struct lean_tok *t)
{
    return t->kind == LEAN_TOK_LINE_COMMENT || t->kind == LEAN_TOK_BLOCK_COMMENT ||
           t->kind == LEAN_TOK_MOD_DOC;
}

/* The first token at or after i that is not a comment (doc comments included). */
static size_t
next_code(const struct decls *d, size_t i)
{
    while (i < d->ntoks && is_comment(tok_at(d, i)))
        i++;
    return i;
}

/* The first token at or after i that is not trivia (doc comments are kept). */
static size_t
next_sig(const struct decls *d, size_t i)
{
    while (i < d->ntoks && is_trivia(tok_at(d, i)))
        i++;
    return i;
}

static inline bool
tok_text_is(const struct decls *d, size_t i, const char *s)
{
    return i < d->ntoks && lean_lex_tok_is(d->lx, tok_at(d, i), s);
}

static inline bool
line_first(const struct decls *d, size_t i)
{
    return (tok_at(d, i)->flags & LEAN_TOK_F_LINE_FIRST) != 0;
}

static inline bool
col0(const struct decls *d, size_t i)
{
    return line_first(d, i) && lean_lex_tok_col0(d->lx, tok_at(d, i));
}

static inline bool
same_line(const struct decls *d, size_t a, size_t b)
{
    return lean_lex_tok_end_line(d->lx, tok_at(d, a)) == tok_at(d, b)->line;
}

/* Token i's span (its LSP range from the line index). */
static inline struct lean_span
tok_span(const struct decls *d, size_t i)
{
    return lean_lex_tok_span(d->lx, tok_at(d, i));
}

static struct lean_span
span_of(const struct decls *d, size_t first, size_t last_incl)
{
    return lean_lex_toks_span(d->lx, tok_at(d, first), tok_at(d, last_incl));
}

/* An empty span at the end of token i (or the start of the text without one). */
static struct lean_span
span_after(const struct decls *d, size_t i)
{
    struct lean_span s;
    memset(&s, 0, sizeof s);
    if (i < d->ntoks) {
        struct lean_span t = tok_span(d, i);
        s.start = s.end = t.end;
        s.range.start = s.range.end = t.range.end;
    }
    return s;
}

static struct lean_span
span_before(const struct decls *d, size_t i)
{
    struct lean_span s;
    memset(&s, 0, sizeof s);
    if (i < d->ntoks) {
        struct lean_span t = tok_span(d, i);
        s.start = s.end = t.start;
        s.range.start = s.range.end = t.range.start;
    }
    return s;
}

/* ---- where commands start ---- */

enum scan_mode { SCAN_DECL, SCAN_CMD };

static bool starts_command(const struct decls *d, size_t k, int depth, enum scan_mode mode);
static bool in_prefix_starts(const struct decls *d, size_t k, int depth);

/* `local` / `scoped` / `public` / `meta` are modifiers only before a command keyword. */
static size_t match_bracket(const struct decls *d, size_t i, size_t end);

static bool
attr_kind_starts(const struct decls *d, size_t k)
{
    size_t j = next_code(d, k + 1);
    int kj;
    if (tok_text_is(d, j, "[") && !(tok_at(d, j)->flags & LEAN_TOK_F_SPACE_BEFORE)) {
        /* scoped[NS] */
        size_t lim = j + 16 < d->ntoks ? j + 16 : d->ntoks;
        size_t cl = match_bracket(d, j, lim);
        if (cl >= lim)
            return false;
        j = next_code(d, cl + 1);
    }
    kj = kw_at(d, j);
    return j < d->ntoks && (kw_is_strong(kj) || kw_is_modifier(kj));
}

/* A doc comment starts a command when a declaration (modifier, attribute or keyword) or
 * another command keyword follows it; otherwise it is proof text inside a body. */
static bool
doc_starts(const struct decls *d, size_t k)
{
    size_t j = next_code(d, k + 1);
    int kj = kw_at(d, j);
    if (j >= d->ntoks)
        return false;
    if (kj == KW_LOCAL || kj == KW_SCOPED || kj == KW_PUBLIC || kj == KW_META)
        return attr_kind_starts(d, j);
    return kw_is_strong(kj);
}

/* `local` / `scoped` / … at i followed by further such words and then a command that is
 * not a declaration keyword (`local notation`, `scoped macro`). */
static bool
only_kind_before_cmd(const struct decls *d, size_t i)
{
    size_t j = i;
    int kj;
    do {
        j = next_code(d, j + 1);
        kj = kw_at(d, j);
    } while (j < d->ntoks && kw_is_modifier(kj));
    return j < d->ntoks && !kw_is_decl(kj) && kj != KW_ATTR_OPEN;
}

static bool
starts_command(const struct decls *d, size_t k, int depth, enum scan_mode mode)
{
    const struct lean_tok *t = tok_at(d, k);
    int kk = kw_of(d, k);
    if (t->kind == LEAN_TOK_DOC_COMMENT)
        return doc_starts(d, k);
    if (kk == KW_NONE || (kk >= KW_BY && kk != KW_ATTR_OPEN))
        return false;
    /* `.end`, `x.def`: a name component, not a keyword */
    if (k > 0 && !(t->flags & LEAN_TOK_F_SPACE_BEFORE) && kw_of(d, k - 1) == KW_DOT)
        return false;
    if (kw_is_strong(kk))
        return depth == 0 || line_first(d, k);
    if (kk == KW_LOCAL || kk == KW_SCOPED || kk == KW_PUBLIC || kk == KW_META)
        return (depth == 0 || line_first(d, k)) && attr_kind_starts(d, k);
    if (kk == KW_DERIVING && kw_at(d, next_code(d, k + 1)) != KW_INSTANCE)
        return false;
    /* open, set_option, #-commands, deriving instance: also tactics or clauses */
    if (mode == SCAN_CMD)
        return line_first(d, k);
    if (!col0(d, k))
        return false;
    if (kk == KW_OPEN || kk == KW_SET_OPTION)
        return in_prefix_starts(d, k, depth);
    return true;
}

/* `open X in` / `set_option o v in` in column 0 inside a declaration: a command prefix when
 * a command follows the `in` (then the declaration ends here), a tactic or term otherwise
 * (`open Foo in exact bar` is a tactic, Lean's `open … in` term and tactic parsers). Without
 * `in` on its line it is the command `open X` (not a tactic). */
static bool
in_prefix_starts(const struct decls *d, size_t k, int depth)
{
    for (int hops = 0; hops < 8; hops++) {
        size_t j = k + 1, in = SIZE_MAX;
        for (; j < d->ntoks && !line_first(d, j); j++)
            if (kw_of(d, j) == KW_IN) {
                in = j;
                break;
            }
        if (in == SIZE_MAX)
            return true;
        j = next_code(d, in + 1);
        if (j >= d->ntoks)
            return true;
        if (kw_of(d, j) != KW_OPEN && kw_of(d, j) != KW_SET_OPTION)
            return starts_command(d, j, depth, SCAN_DECL);
        k = j; /* `open A in open B in theorem …` */
    }
    return true;
}

/* After a declaration's `where`: the indented `@[…]` at k (or a doc comment and then one) is
 * the attributes of an auxiliary declaration (`where @[simp] aux n := …`, Lean's
 * letRecDecl) when a plain name follows the `]`, not a new command. */
static bool
where_decl_attrs(const struct decls *d, size_t k)
{
    size_t j = k, cl, n;
    if (tok_at(d, k)->kind == LEAN_TOK_DOC_COMMENT)
        j = next_code(d, k + 1);
    if (j >= d->ntoks || kw_of(d, j) != KW_ATTR_OPEN || col0(d, j))
        return false;
    cl = match_bracket(d, j, d->ntoks);
    if (cl >= d->ntoks)
        return false;
    n = next_code(d, cl + 1);
    return n < d->ntoks && tok_at(d, n)->kind == LEAN_TOK_IDENT && kw_of(d, n) == KW_NONE;
}

/* The index of the first token at or after i that starts a command (ntoks if none).
 * Brackets opened from i on are tracked: strong keywords inside them start a command
 * only on a line of their own. */
static size_t
scan_to_start(const struct decls *d, size_t i, enum scan_mode mode)
{
    int depth = 0;
    bool after_where = false;
    /* only tokens with a kw can start a command or change the depth: the loop reads one
     * byte per token until it meets one. It reads d->kws directly and notes what it saw
     * once, on the way out (k only grows, and the tests it calls note their own) */
    for (size_t k = i; k < d->ntoks; k++) {
        int kk = d->kws[k];
        if (kk == KW_NONE)
            continue;
        if (kk == KW_WHERE && depth == 0 && mode == SCAN_DECL)
            after_where = true;
        if ((kk < KW_BY || kk == KW_ATTR_OPEN || kk == KW_DOC) &&
            starts_command(d, k, depth, mode) && !(after_where && where_decl_attrs(d, k))) {
            seen(d, k);
            return k;
        }
        if (kk == KW_OPEN_BR || kk == KW_ATTR_OPEN)
            depth++;
        else if (kk == KW_CLOSE_BR && depth > 0)
            depth--;
    }
    if (i < d->ntoks)
        seen(d, d->ntoks - 1);
    return d->ntoks;
}

/* The last non-comment token before end, at or after first; first when none. */
static size_t
last_code_before(const struct decls *d, size_t first, size_t end)
{
    size_t k = end;
    while (k > first) {
        k--;
        if (!is_comment(tok_at(d, k)))
            return k;
    }
    return first;
}

/* Matching close bracket of the open bracket at i (any kind), before end; end if none. */
static size_t
match_bracket(const struct decls *d, size_t i, size_t end)
{
    int depth = 0;
    for (size_t k = i; k < end; k++) {
        int kk = kw_of(d, k);
        if (is_comment(tok_at(d, k)))
            continue;
        if (kk == KW_OPEN_BR || kk == KW_ATTR_OPEN)
            depth++;
        else if (kk == KW_CLOSE_BR && --depth == 0)
            return k;
    }
    return end;
}

/* ---- scopes and names ---- */

static void
scope_push_name(struct decls *d, enum scope_kind kind, uint32_t start, uint32_t end)
{
    /* one scope per dotted component: `namespace A.B` is `A`, then `A.B` */
    uint32_t s = start;
    for (uint32_t k = start; k <= end; k++) {
        if (k == end || d->text[k] == '.') {
            DECLS_GROW(d->scopes, d->nscopes, d->ascopes);
            d->scopes[d->nscopes].kind = kind;
            d->scopes[d->nscopes].start = s;
            d->scopes[d->nscopes].len = k - s;
            d->nscopes++;
            d->nkind[kind]++;
            s = k + 1;
        }
    }
}

static void
scope_push(struct decls *d, enum scope_kind kind)
{
    DECLS_GROW(d->scopes, d->nscopes, d->ascopes);
    d->scopes[d->nscopes].kind = kind;
    d->scopes[d->nscopes].start = 0;
    d->scopes[d->nscopes].len = 0;
    d->nscopes++;
    d->nkind[kind]++;
}

/* `end [A.B]`: closes as many scopes as the name has components (one without a name). */
static void
scope_end(struct decls *d, bool has_name, uint32_t start, uint32_t end)
{
    size_t n = 1;
    if (has_name)
        for (uint32_t k = start; k < end; k++)
            if (d->text[k] == '.')
                n++;
    if (d->nscopes && d->scopes[d->nscopes - 1].kind == SCOPE_MUTUAL)
        n = 1;
    while (n-- && d->nscopes) {
        d->nscopes--;
        d->nkind[d->scopes[d->nscopes].kind]--;
    }
}

static bool
scope_has(const struct decls *d, enum scope_kind kind)
{
    return d->nkind[kind] > 0;
}

static char *
full_name_of(const struct decls *d, uint32_t start, uint32_t end)
{
    size_t len = 0, n = end - start;
    char *s, *p;
    if (n >= 7 && memcmp(d->text + start, "_root_.", 7) == 0)
        return xstrndup(d->text + start + 7, n - 7);
    for (size_t i = 0; i < d->nscopes; i++)
        if (d->scopes[i].kind == SCOPE_NAMESPACE)
            len += d->scopes[i].len + 1;
    p = s = xmalloc(len + n + 1);
    for (size_t i = 0; i < d->nscopes; i++) {
        if (d->scopes[i].kind != SCOPE_NAMESPACE)
            continue;
        memcpy(p, d->text + d->scopes[i].start, d->scopes[i].len);
        p += d->scopes[i].len;
        *p++ = '.';
    }
    memcpy(p, d->text + start, n);
    p[n] = '\0';
    return s;
}

/* ---- references ---- */

/* Appends identifier token k (t, already seen) to the pool (*pool, *n, *alloc). Inlined
 * into its three callers (the compiler would not: the pool's fields stay in memory). */
static inline __attribute__((always_inline)) void
push_ref(struct decls *d, struct decl_ref **pool, size_t *n, size_t *alloc, size_t k,
         const struct lean_tok *t)
{
    struct decl_ref *r;
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 16;
        *pool = xbig_grow(*pool, *alloc * sizeof **pool, na * sizeof **pool);
        *alloc = na;
    }
    r = &(*pool)[(*n)++];
    r->tok = (uint32_t)k;
    if (!(t->flags & LEAN_TOK_F_WIDE) && t->content_start == t->start)
        r->head = namekey_part(d->text + t->start, t->end - t->start); /* ASCII, undotted */
    else
        r->head = namekey_ref_head(d->text + t->start, t->end - t->start);
}

/* ---- the declaration reader ---- */

static const char *
keyword_name(int k)
{
    switch (k) {
    case KW_DEF: return "def";
    case KW_THEOREM: return "theorem";
    case KW_LEMMA: return "lemma";
    case KW_ABBREV: return "abbrev";
    case KW_INSTANCE: return "instance";
    case KW_STRUCTURE: return "structure";
    case KW_INDUCTIVE: return "inductive";
    case KW_CLASS: return "class";
    case KW_AXIOM: return "axiom";
    case KW_OPAQUE: return "opaque";
    case KW_EXAMPLE: return "example";
    case KW_IRREDUCIBLE_DEF: return "irreducible_def";
    case KW_ALIAS: return "alias";
    default: return "other";
    }
}

static enum decl_kind
kind_of_kw(int k)
{
    switch (k) {
    case KW_DEF: return DECL_KIND_DEF;
    case KW_THEOREM: return DECL_KIND_THEOREM;
    case KW_LEMMA: return DECL_KIND_LEMMA;
    case KW_ABBREV: return DECL_KIND_ABBREV;
    case KW_INSTANCE: return DECL_KIND_INSTANCE;
    case KW_STRUCTURE: return DECL_KIND_STRUCTURE;
    case KW_INDUCTIVE: return DECL_KIND_INDUCTIVE;
    case KW_CLASS: return DECL_KIND_CLASS;
    case KW_AXIOM: return DECL_KIND_AXIOM;
    case KW_OPAQUE: return DECL_KIND_OPAQUE;
    case KW_EXAMPLE: return DECL_KIND_EXAMPLE;
    case KW_IRREDUCIBLE_DEF: return DECL_KIND_IRREDUCIBLE_DEF;
    case KW_ALIAS: return DECL_KIND_ALIAS;
    default: return DECL_KIND_OTHER;
    }
}

static unsigned
mod_flag(int k)
{
    switch (k) {
    case KW_PRIVATE: return DECL_MOD_PRIVATE;
    case KW_PROTECTED: return DECL_MOD_PROTECTED;
    case KW_NONCOMPUTABLE: return DECL_MOD_NONCOMPUTABLE;
    case KW_UNSAFE: return DECL_MOD_UNSAFE;
    case KW_PARTIAL: return DECL_MOD_PARTIAL;
    case KW_NONREC: return DECL_MOD_NONREC;
    case KW_LOCAL: return DECL_MOD_LOCAL;
    case KW_SCOPED: return DECL_MOD_SCOPED;
    case KW_PUBLIC: return DECL_MOD_PUBLIC;
    default: return DECL_MOD_META;
    }
}

/* Reads one `@[…]` block whose `@[` is token i; attributes end before end. Returns the
 * index after the block's `]` (or where it stops when unclosed). */
static size_t
read_attr_block(struct decls *d, struct decl *x, size_t i, size_t end, size_t *last_tok)
{
    int depth = 0;
    size_t k, first = SIZE_MAX, last = 0, close = end;
    size_t bracket = x->nbrackets++;

    /* find the closing `]`; a declaration keyword on a line of its own ends an unclosed one */
    for (k = i; k < end; k++) {
        int kk = kw_of(d, k);
        if (is_comment(tok_at(d, k)))
            continue;
        if (k > i && line_first(d, k) && (kw_is_decl(kk) || kw_is_modifier(kk) ||
                                          kk == KW_ATTR_OPEN || kw_is_strong(kk)))
            break;
        if (kk == KW_OPEN_BR || kk == KW_ATTR_OPEN)
            depth++;
        else if (kk == KW_CLOSE_BR && --depth == 0) {
            close = k;
            break;
        }
    }
    if (close == end) {
        x->attrs_unclosed = true;
        close = k;
    }
    depth = 0;
    for (k = i + 1; k <= close; k++) {
        int kk = k < close ? kw_of(d, k) : KW_COMMA;
        bool comment = k < close && lean_tok_is_comment(tok_at(d, k)->kind);
        if (comment)
            continue;
        if (kk == KW_COMMA && depth == 0) {
            if (first != SIZE_MAX) {
                struct decl_attr *a;
                size_t nm = first;
                DECLS_GROW(d->attrs, d->nattrs, d->aattrs);
                a = &d->attrs[d->nattrs++];
                a->span = span_of(d, first, last);
                a->tok_first = first;
                a->tok_end = last + 1;
                a->bracket = bracket;
                if ((kw_of(d, nm) == KW_LOCAL || kw_of(d, nm) == KW_SCOPED) && nm < last) {
                    size_t nx = next_code(d, nm + 1);
                    if (nx <= last && tok_at(d, nx)->kind == LEAN_TOK_IDENT)
                        nm = nx;
                }
                a->name = tok_span(d, nm);
                x->nattrs++;
            }
            first = SIZE_MAX;
            continue;
        }
        if (kk == KW_OPEN_BR || kk == KW_ATTR_OPEN)
            depth++;
        else if (kk == KW_CLOSE_BR && depth > 0)
            depth--;
        if (first == SIZE_MAX)
            first = k;
        last = k;
    }
    if (close < end && kw_of(d, close) == KW_CLOSE_BR) {
        *last_tok = close;
        return close + 1;
    }
    *last_tok = last_code_before(d, i, close);
    return close;
}

/* The placeholder state of x's body (decl_proof), given its sorry tokens and usings. */
static void
classify_body(struct decls *d, struct decl *x, size_t body_first, size_t end,
              size_t sorry0, size_t using0)
{
    size_t nsorry = d->nsorries - sorry0, nusing = d->nusings - using0;
    size_t first_body_sorry = SIZE_MAX, k, first, n_code = 0;
    for (k = sorry0; k < d->nsorries; k++)
        if (d->sorries[k].in_body) {
            first_body_sorry = k;
            break;
        }
    if (x->body_kind == DECL_BODY_NONE) {
        x->proof = DECL_PROOF_NONE;
        return;
    }
    if (first_body_sorry == SIZE_MAX || nsorry == 0) {
        x->proof = DECL_PROOF_COMPLETE;
        return;
    }
    x->proof = DECL_PROOF_MALFORMED;
    first = next_code(d, body_first);
    for (k = body_first; k < end; k++)
        if (!is_comment(tok_at(d, k)))
            n_code++;
    if (x->body_kind == DECL_BODY_TERM) {
        int kf = kw_at(d, first);
        if (kf == KW_SORRY || kf == KW_SORRY_USING) {
            x->malformed = DECL_MALFORMED_TERM_SORRY;
            x->placeholder = tok_span(d, first);
            return;
        }
    }
    if (nusing > 1) {
        x->malformed = DECL_MALFORMED_SEVERAL;
        x->placeholder = d->usings[using0 + 1].keyword;
        return;
    }
    if (nusing == 1 && !d->usings[using0].has_list) {
        x->malformed = DECL_MALFORMED_BAD_LIST;
        x->placeholder = d->usings[using0].keyword;
        return;
    }
    if (x->body_kind == DECL_BODY_TACTIC && first < end) {
        int kf = kw_at(d, first);
        size_t by_tok = first; /* the `by` is the token before the body */
        while (by_tok > 0 && kw_of(d, by_tok) != KW_BY)
            by_tok--;
        if (kf == KW_SORRY && n_code == 1) {
            x->placeholder = tok_span(d, first);
            if (same_line(d, by_tok, first)) {
                x->malformed = DECL_MALFORMED_SAME_LINE;
            } else {
                x->proof = DECL_PROOF_SORRY;
            }
            return;
        }
        if (kf == KW_SORRY_USING && nusing == 1 && d->usings[using0].has_list) {
            /* nothing but the list may follow */
            size_t after = SIZE_MAX;
            for (k = first; k < end; k++) {
                if (is_comment(tok_at(d, k)))
                    continue;
                if (tok_at(d, k)->start >= d->usings[using0].list.end) {
                    after = k;
                    break;
                }
            }
            if (after == SIZE_MAX) {
                x->placeholder = tok_span(d, first);
                if (same_line(d, by_tok, first))
                    x->malformed = DECL_MALFORMED_SAME_LINE;
                else
                    x->proof = DECL_PROOF_SORRY_USING;
                return;
            }
        }
    }
    for (k = first_body_sorry; k < d->nsorries; k++) {
        if (d->sorries[k].kind == DECL_SORRY_ADMIT) {
            x->malformed = DECL_MALFORMED_ADMIT;
            x->placeholder = d->sorries[k].span;
            return;
        }
    }
    x->malformed = DECL_MALFORMED_MIXED;
    x->placeholder = d->sorries[first_body_sorry].span;
}

/* Reads the `[…]` after a sorry_using at token k (body ends before end). */
static void
read_using(struct decls *d, size_t k, size_t end)
{
    struct decl_using *u;
    size_t j = next_code(d, k + 1), close;
    if (d->nusings == d->ausings) {
        DECLS_GROW(d->usings, d->nusings, d->ausings);
        d->using_names0 = xreallocarray(d->using_names0, d->ausings, sizeof *d->using_names0);
    }
    u = &d->usings[d->nusings];
    memset(u, 0, sizeof *u);
    d->using_names0[d->nusings] = d->nunames;
    d->nusings++;
    u->keyword = tok_span(d, k);
    u->list = span_after(d, k);
    if (j >= end || !tok_text_is(d, j, "["))
        return;
    close = match_bracket(d, j, end);
    if (close >= end || !tok_text_is(d, close, "]"))
        return;
    u->has_list = true;
    u->list = span_of(d, j, close);
    for (size_t m = j + 1; m < close; m++) {
        const struct lean_tok *t = tok_at(d, m);
        if (lean_tok_is_comment(t->kind)) {
            if (!u->has_comment) {
                u->has_comment = true;
                u->comment = tok_span(d, m);
            }
        } else if (t->kind == LEAN_TOK_IDENT && kw_of(d, m) != KW_SORRY &&
                   kw_of(d, m) != KW_SORRY_USING) {
            push_ref(d, &d->unames, &d->nunames, &d->aunames, m, t);
            u->nnames++;
        } else if (kw_of(d, m) != KW_COMMA) {
            u->has_junk = true;
        }
    }
}

/* What a `|` at bracket depth 0 of a signature is. Mathlib's `|a|` is
 * `"|" noWs term noWs "|"` (Mathlib/Algebra/Order/Group/Unbundled/Abs.lean, macro `abs`):
 * an opening bar is glued to what follows it, a closing one to what precedes it. A match
 * alternative or equation is `| pat => rhs` with a space after the bar. */
enum bar_role { BAR_ALT, BAR_ABS_OPEN, BAR_ABS_CLOSE };

static enum bar_role
bar_role(const struct decls *d, size_t k, size_t end, size_t abs_open)
{
    bool glued_next = k + 1 < end && !(tok_at(d, k + 1)->flags & LEAN_TOK_F_SPACE_BEFORE) &&
                      !is_comment(tok_at(d, k + 1));
    if (abs_open > 0) {
        /* inside |…| no bar is an alternative: it closes, or opens a nested one */
        if ((tok_at(d, k)->flags & LEAN_TOK_F_SPACE_BEFORE) && glued_next)
            return BAR_ABS_OPEN;
        return BAR_ABS_CLOSE;
    }
    return glued_next ? BAR_ABS_OPEN : BAR_ALT;
}

/* Reads the declaration whose first token (modifier or keyword) is i. Returns the index
 * where the next command starts. */
static size_t
read_decl(struct decls *d, size_t i)
{
    struct decl x;
    struct decl_pools p;
    size_t k = i, kwi, end, name_end, sig_first, body_first, last, e, core_end;
    size_t attr_first = SIZE_MAX, attr_last = 0, colon_tok = SIZE_MAX;
    int kk;

    memset(&x, 0, sizeof x);
    p.attr0 = d->nattrs;
    p.mod0 = d->nmods;
    p.sorry0 = d->nsorries;
    p.using0 = d->nusings;
    p.ref0 = d->nrefs;
    p.sig_ref0 = d->nrefs;
    p.doc0 = d->ndocs;
    x.tok_first = i;
    x.name = "";
    x.full_name = "";
    x.attrs_span = span_before(d, i);

    /* modifiers: doc comment, @[…] blocks, keywords (tolerating any order) */
    for (;;) {
        k = next_sig(d, k);
        if (k >= d->ntoks)
            break;
        kk = kw_of(d, k);
        if (tok_at(d, k)->kind == LEAN_TOK_DOC_COMMENT) {
            if (!x.has_doc) {
                x.has_doc = true;
                x.doc_tok = k;
                x.doc = tok_span(d, k);
            }
            k++;
        } else if (kk == KW_ATTR_OPEN) {
            if (attr_first == SIZE_MAX)
                attr_first = k;
            k = read_attr_block(d, &x, k, d->ntoks, &attr_last);
        } else if (kw_is_modifier(kk) &&
                   !(kk == KW_NONCOMPUTABLE && kw_at(d, next_code(d, k + 1)) == KW_SECTION) &&
                   ((kk != KW_LOCAL && kk != KW_SCOPED && kk != KW_PUBLIC && kk != KW_META) ||
                    attr_kind_starts(d, k))) {
            struct decl_modifier *m;
            DECLS_GROW(d->mods, d->nmods, d->amods);
            m = &d->mods[d->nmods++];
            m->mod = mod_flag(kk);
            m->span = tok_span(d, k);
            x.modifiers |= m->mod;
            x.nmods++;
            k++;
        } else {
            break;
        }
    }

    if (attr_first != SIZE_MAX)
        x.attrs_span = span_of(d, attr_first, attr_last);

    /* keyword */
    kwi = k;
    kk = kw_at(d, kwi);
    if (kwi >= d->ntoks || kk == KW_NAMESPACE || kk == KW_SECTION || kk == KW_END ||
        kk == KW_MUTUAL || kk == KW_EXIT || kk == KW_NONCOMPUTABLE) {
        /* modifiers before nothing or before a scope command: a declaration of kind other
         * holding just the modifiers; the command is read next */
        x.kind = DECL_KIND_OTHER;
        x.keyword = "";
        last = last_code_before(d, i, kwi);
        x.keyword_span = span_after(d, last);
        x.range = span_of(d, i, last);
        x.tok_end = last + 1;
        x.header = x.signature = x.body = x.body_main = x.keyword_span;
        x.body_tok_first = x.body_tok_end = x.body_main_tok_end = x.tok_end;
        end = kwi;
        goto finish;
    }
    x.kind = kind_of_kw(kk);
    x.keyword = keyword_name(kk);
    x.keyword_span = tok_span(d, kwi);
    k = kwi + 1;
    if (kk == KW_CLASS) {
        size_t nx = next_code(d, k);
        if (kw_at(d, nx) == KW_INDUCTIVE) {
            x.kind = DECL_KIND_CLASS_INDUCTIVE;
            x.keyword = "class inductive";
            x.keyword_span = span_of(d, kwi, nx);
            k = nx + 1;
        } else if (kw_at(d, nx) == KW_ABBREV) {
            x.keyword = "class abbrev";
            x.keyword_span = span_of(d, kwi, nx);
            k = nx + 1;
        }
    } else if (!kw_is_decl(kk)) {
        x.kind = DECL_KIND_OTHER;
        x.keyword = decls_keep(d, xstrndup(d->text + tok_at(d, kwi)->start,
                                           tok_at(d, kwi)->end - tok_at(d, kwi)->start));
    }
    end = scan_to_start(d, k, SCAN_DECL);
    last = last_code_before(d, i, end);
    if (last < kwi)
        last = kwi;
    x.range = span_of(d, i, last);
    x.tok_end = last + 1;
    e = x.tok_end; /* the declaration's tokens end here */

    /* name */
    name_end = k;
    if (x.kind == DECL_KIND_INSTANCE) {
        size_t nx = next_code(d, k);
        if (tok_text_is(d, nx, "(") && kw_at(d, next_code(d, nx + 1)) == KW_PRIORITY) {
            size_t cl = match_bracket(d, nx, e);
            name_end = k = cl < e ? cl + 1 : e;
        }
    }
    if (x.kind != DECL_KIND_EXAMPLE && x.kind != DECL_KIND_OTHER) {
        size_t nx = next_code(d, k);
        if (nx < e && tok_at(d, nx)->kind == LEAN_TOK_IDENT && kw_of(d, nx) == KW_NONE) {
            x.has_name = true;
            x.name_span = tok_span(d, nx);
            x.name = decls_keep(d, xstrndup(d->text + x.name_span.start,
                                            x.name_span.end - x.name_span.start));
            x.full_name = decls_keep(d, full_name_of(d, x.name_span.start, x.name_span.end));
            name_end = nx + 1;
            /* universe parameters `.{u, v}` glued to the name */
            if (kw_at(d, name_end) == KW_DOT && tok_text_is(d, name_end + 1, "{") &&
                !(tok_at(d, name_end)->flags & LEAN_TOK_F_SPACE_BEFORE)) {
                size_t cl = match_bracket(d, name_end + 1, e);
                name_end = cl < e ? cl + 1 : e;
            }
        }
    }

    /* signature: up to `:=`, `|` (equations), `where` at depth 0 */
    sig_first = name_end;
    body_first = e;
    x.body_kind = DECL_BODY_NONE;
    {
        int depth = 0;
        size_t sig_last = SIZE_MAX, pending_let = 0, abs_open = 0;
        bool in_match = false;
        for (k = sig_first; k < e; k++) {
            int kt = kw_of(d, k);
            if (is_comment(tok_at(d, k)))
                continue;
            if (depth == 0) {
                if (kt == KW_LET) {
                    /* `let x : T := v` inside a statement: its `:=` is not the body's */
                    pending_let++;
                } else if (kt == KW_ASSIGN && pending_let > 0) {
                    pending_let--;
                } else if (kt == KW_ASSIGN) {
                    size_t nx = next_code(d, k + 1);
                    x.has_assign = true;
                    x.assign = tok_span(d, k);
                    if (nx < e && kw_of(d, nx) == KW_BY) {
                        x.body_kind = DECL_BODY_TACTIC;
                        x.by = tok_span(d, nx);
                        body_first = nx + 1;
                    } else {
                        x.body_kind = DECL_BODY_TERM;
                        body_first = k + 1;
                    }
                    break;
                }
                if (kt == KW_WHERE) {
                    x.body_kind = DECL_BODY_WHERE;
                    body_first = k + 1;
                    break;
                }
                if (kt == KW_MATCH ||
                    (kt == KW_FUN && kw_at(d, next_code(d, k + 1)) == KW_BAR)) {
                    /* `match … with | …` / `fun | …` in the type: its alternatives */
                    in_match = true;
                } else if (kt == KW_BAR) {
                    bool ctor = x.kind == DECL_KIND_INDUCTIVE ||
                                x.kind == DECL_KIND_CLASS_INDUCTIVE;
                    enum bar_role role = ctor ? BAR_ALT : bar_role(d, k, e, abs_open);
                    if (role == BAR_ABS_CLOSE) {
                        abs_open--;
                        sig_last = k;
                        continue;
                    }
                    if (role == BAR_ABS_OPEN) {
                        abs_open++;
                        sig_last = k;
                        continue;
                    }
                    if (!in_match || ctor) {
                        x.body_kind = DECL_BODY_EQUATIONS;
                        body_first = k;
                        break;
                    }
                }
                if (kt == KW_COLON && !x.has_type) {
                    x.has_type = true;
                    colon_tok = k;
                }
            }
            if (kt == KW_OPEN_BR || kt == KW_ATTR_OPEN)
                depth++;
            else if (kt == KW_CLOSE_BR && depth > 0)
                depth--;
            sig_last = k;
        }
        /* spans of signature, header, type */
        if (sig_last != SIZE_MAX && sig_last >= sig_first) {
            size_t sf = next_code(d, sig_first);
            x.signature = span_of(d, sf, sig_last);
            x.header = span_of(d, kwi, sig_last);
        } else {
            x.signature = span_after(d, name_end > kwi ? name_end - 1 : kwi);
            x.header = span_of(d, kwi, name_end > kwi ? name_end - 1 : kwi);
        }
        if (x.has_type) {
            size_t tf = next_code(d, colon_tok + 1);
            if (sig_last != SIZE_MAX && tf <= sig_last)
                x.type = span_of(d, tf, sig_last);
            else
                x.type = span_after(d, colon_tok);
        }
    }
    if (body_first > e)
        body_first = e;
    if (x.body_kind != DECL_BODY_NONE) {
        size_t bf = next_code(d, body_first);
        if (bf < e) {
            x.body = span_of(d, bf, last);
            x.body_tok_first = bf;
            x.body_tok_end = e;
        } else {
            x.body = span_after(d, body_first > 0 ? body_first - 1 : 0);
            x.body_tok_first = x.body_tok_end = e;
        }
    } else {
        x.body.start = x.body.end = x.header.end;
        x.body.range.start = x.body.range.end = x.header.range.end;
        x.body_tok_first = x.body_tok_end = e;
    }

    /* the body without its trailing clauses: `where` declarations (not the `where` that
     * starts structure fields), `termination_by`, `decreasing_by`, `deriving` */
    core_end = e;
    if (x.body_kind != DECL_BODY_NONE && x.body_tok_first < e) {
        int depth = 0;
        for (k = x.body_tok_first; k < e; k++) { /* noted once, below (k only grows) */
            int kt = d->kws[k];
            if (kt == KW_NONE || kt == KW_DOC)
                continue;
            if (depth == 0 && k > x.body_tok_first &&
                (kt == KW_CLAUSE || kt == KW_DERIVING ||
                 (kt == KW_WHERE && x.body_kind != DECL_BODY_WHERE))) {
                core_end = k;
                break;
            }
            if (kt == KW_OPEN_BR || kt == KW_ATTR_OPEN)
                depth++;
            else if (kt == KW_CLOSE_BR && depth > 0)
                depth--;
        }
        seen(d, k < e ? k : e - 1);
    }
    x.body_main_tok_end = core_end;
    if (core_end < e) {
        size_t lc = last_code_before(d, x.body_tok_first, core_end);
        x.body_main = lc >= x.body_tok_first && core_end > x.body_tok_first
                          ? span_of(d, x.body_tok_first, lc)
                          : span_before(d, core_end);
    } else {
        x.body_main = x.body;
    }

    /* what the declaration holds, in one pass: sorries, usings, references (signature
     * ones first, then body ones: each set is contiguous in the pool), proof docs */
    p.sig_ref0 = d->nrefs;
    if (kwi + 1 < e)
        seen(d, e - 1); /* the loop looks at every token up to e */
    for (k = kwi + 1; k < e; k++) {
        const struct lean_tok *t = &d->toks[k];
        int kt = d->kws[k];
        bool in_body = k >= body_first;
        if (k == body_first) {
            x.nsig_refs = d->nrefs - p.sig_ref0;
            p.ref0 = d->nrefs;
        }
        if (t->kind == LEAN_TOK_DOC_COMMENT) {
            if (in_body) {
                DECLS_GROW(d->docs, d->ndocs, d->adocs);
                d->docs[d->ndocs++] = k;
            }
            continue;
        }
        if (t->kind != LEAN_TOK_IDENT)
            continue;
        if (kt == KW_SORRY || kt == KW_SORRY_USING || kt == KW_ADMIT) {
            struct decl_sorry *sr;
            DECLS_GROW(d->sorries, d->nsorries, d->asorries);
            sr = &d->sorries[d->nsorries++];
            sr->kind = kt == KW_SORRY ? DECL_SORRY_SORRY
                                      : kt == KW_SORRY_USING ? DECL_SORRY_USING : DECL_SORRY_ADMIT;
            sr->span = tok_span(d, k);
            sr->tok = k;
            sr->in_body = in_body;
            if (kt == KW_SORRY_USING && in_body)
                read_using(d, k, e);
        } else if (in_body) {
            push_ref(d, &d->refs, &d->nrefs, &d->arefs, k, t);
        } else if (k >= sig_first && kt == KW_NONE) {
            push_ref(d, &d->refs, &d->nrefs, &d->arefs, k, t);
        }
    }
    if (body_first >= e) {
        x.nsig_refs = d->nrefs - p.sig_ref0;
        p.ref0 = d->nrefs;
    }
    x.nrefs = d->nrefs - p.ref0;
    x.nsorries = d->nsorries - p.sorry0;
    x.nusings = d->nusings - p.using0;
    x.nproof_docs = d->ndocs - p.doc0;
    classify_body(d, &x, body_first, core_end, p.sorry0, p.using0);

finish:
    x.in_namespace = scope_has(d, SCOPE_NAMESPACE);
    x.in_mutual = scope_has(d, SCOPE_MUTUAL);
    if (d->ndecls == d->adecls) {
        DECLS_GROW(d->decls, d->ndecls, d->adecls);
        d->pools = xreallocarray(d->pools, d->adecls, sizeof *d->pools);
    }
    d->decls[d->ndecls] = x;
    d->pools[d->ndecls] = p;
    d->ndecls++;
    return end;
}

/* ---- other commands ---- */

static enum decl_cmd_kind
cmd_kind_of(int k)
{
    switch (k) {
    case KW_NAMESPACE: return DECL_CMD_NAMESPACE;
    case KW_SECTION: return DECL_CMD_SECTION;
    case KW_NONCOMPUTABLE: return DECL_CMD_SECTION;
    case KW_END: return DECL_CMD_END;
    case KW_MUTUAL: return DECL_CMD_MUTUAL;
    case KW_OPEN: return DECL_CMD_OPEN;
    case KW_VARIABLE: return DECL_CMD_VARIABLE;
    case KW_UNIVERSE: return DECL_CMD_UNIVERSE;
    case KW_SET_OPTION: return DECL_CMD_SET_OPTION;
    case KW_HASH: case KW_EXIT: return DECL_CMD_HASH;
    case KW_BLUEPRINT_COMMENT: return DECL_CMD_BLUEPRINT_COMMENT;
    case KW_ATTRIBUTE: return DECL_CMD_ATTRIBUTE;
    case KW_IMPORT: return DECL_CMD_IMPORT;
    default: return DECL_CMD_OTHER;
    }
}

/* Reads the command at token i that is not a declaration. Returns where the next starts. */
static size_t
read_cmd(struct decls *d, size_t i)
{
    struct decl_cmd c;
    int kk = kw_of(d, i);
    size_t k = i + 1, end, last;

    memset(&c, 0, sizeof c);
    c.name = "";
    c.kind = cmd_kind_of(kk);
    c.keyword = tok_span(d, i);
    c.tok_first = i;
    if (kk == KW_NONCOMPUTABLE) { /* noncomputable section */
        size_t nx = next_code(d, i + 1);
        c.keyword = span_of(d, i, nx);
        k = nx + 1;
    }
    if (c.kind == DECL_CMD_NAMESPACE || c.kind == DECL_CMD_SECTION || c.kind == DECL_CMD_END ||
        c.kind == DECL_CMD_MUTUAL) {
        size_t nx = next_code(d, k);
        last = k - 1;
        if (c.kind != DECL_CMD_MUTUAL && nx < d->ntoks && tok_at(d, nx)->kind == LEAN_TOK_IDENT &&
            kw_of(d, nx) == KW_NONE && same_line(d, k - 1, nx)) {
            c.has_name = true;
            c.name_span = tok_span(d, nx);
            c.name = decls_keep(d, xstrndup(d->text + c.name_span.start,
                                            c.name_span.end - c.name_span.start));
            last = nx;
        }
        end = last + 1;
        switch (c.kind) {
        case DECL_CMD_NAMESPACE:
            if (c.has_name)
                scope_push_name(d, SCOPE_NAMESPACE, c.name_span.start, c.name_span.end);
            else
                scope_push(d, SCOPE_NAMESPACE);
            break;
        case DECL_CMD_SECTION:
            if (c.has_name)
                scope_push_name(d, SCOPE_SECTION, c.name_span.start, c.name_span.end);
            else
                scope_push(d, SCOPE_SECTION);
            break;
        case DECL_CMD_MUTUAL:
            scope_push(d, SCOPE_MUTUAL);
            break;
        default:
            scope_end(d, c.has_name, c.name_span.start, c.name_span.end);
            break;
        }
    } else {
        if (kk == KW_DERIVING && kw_at(d, next_code(d, k)) == KW_INSTANCE)
            k = next_code(d, k) + 1;
        if (kk == KW_LOCAL || kk == KW_SCOPED || kk == KW_PUBLIC || kk == KW_META) {
            /* `scoped[NS] notation …`: the kind words, then the command's own keyword */
            size_t nx = next_code(d, k);
            if (tok_text_is(d, nx, "[")) {
                size_t cl = match_bracket(d, nx, d->ntoks);
                nx = next_code(d, cl < d->ntoks ? cl + 1 : cl);
            }
            while (nx < d->ntoks && kw_is_modifier(kw_of(d, nx)))
                nx = next_code(d, nx + 1);
            k = nx < d->ntoks ? nx + 1 : nx;
        }
        end = scan_to_start(d, k, SCAN_CMD);
        last = last_code_before(d, i, end);
        c.has_in = last > i && kw_of(d, last) == KW_IN;
    }
    c.range = span_of(d, i, last);
    c.tok_end = last + 1;
    DECLS_GROW(d->cmds, d->ncmds, d->acmds);
    d->cmds[d->ncmds++] = c;
    return end;
}

/* ---- the file ---- */

/* The last line of the previous command before the declaration at decl index di, looking
 * past `open … in` / `set_option … in` prefixes; *prefix_line is where those start. */
static void
set_spacing(struct decls *d)
{
    size_t ci = 0;
    for (size_t di = 0; di < d->ndecls; di++) {
        struct decl *x = &d->decls[di];
        uint32_t start_line = x->range.range.start.line;
        size_t prev_line = SIZE_MAX;
        size_t pc = SIZE_MAX; /* the last cmd before x */
        while (ci < d->ncmds && d->cmds[ci].range.start < x->range.start)
            ci++;
        pc = ci;
        /* skip `… in` prefixes right before x */
        while (pc > 0 && d->cmds[pc - 1].has_in &&
               (di == 0 || d->cmds[pc - 1].range.start > d->decls[di - 1].range.start)) {
            pc--;
            start_line = d->cmds[pc].range.range.start.line;
        }
        if (pc > 0)
            prev_line = d->cmds[pc - 1].range.range.end.line;
        if (di > 0 && d->decls[di - 1].range.start < x->range.start &&
            (prev_line == SIZE_MAX || d->decls[di - 1].range.range.end.line > prev_line ||
             (pc > 0 && d->cmds[pc - 1].range.start < d->decls[di - 1].range.start)))
            prev_line = d->decls[di - 1].range.range.end.line;
        x->prev_cmd_end_line = prev_line;
        if (prev_line == SIZE_MAX) {
            x->blank_line_before = true;
        } else {
            x->blank_line_before = false;
            for (size_t l = prev_line + 1; l < start_line; l++)
                if (lean_lex_line_is_blank(d->lx, (uint32_t)l)) {
                    x->blank_line_before = true;
                    break;
                }
        }
    }
}

/* Turns pool indices into pointers once no pool moves any more. */
static void
fix_pointers(struct decls *d)
{
    for (size_t i = 0; i < d->nusings; i++)
        d->usings[i].names = d->usings[i].nnames ? &d->unames[d->using_names0[i]] : NULL;
    for (size_t i = 0; i < d->ndecls; i++) {
        struct decl *x = &d->decls[i];
        const struct decl_pools *p = &d->pools[i];
        x->attrs = x->nattrs ? &d->attrs[p->attr0] : NULL;
        x->mods = x->nmods ? &d->mods[p->mod0] : NULL;
        x->sorries = x->nsorries ? &d->sorries[p->sorry0] : NULL;
        x->usings = x->nusings ? &d->usings[p->using0] : NULL;
        x->refs = x->nrefs ? &d->refs[p->ref0] : NULL;
        x->sig_refs = x->nsig_refs ? &d->refs[p->sig_ref0] : NULL;
        x->proof_docs = x->nproof_docs ? &d->docs[p->doc0] : NULL;
    }
}

/* The keyword class of token t. The common cases inline: a one-byte symbol, and a name
 * that no keyword's first letter and length fit. */
static inline int
kw_of_tok(const char *text, const struct lean_tok *t)
{
    const char *s = text + t->start;
    size_t n = t->end - t->start;
    if (t->kind == LEAN_TOK_IDENT)
        return kw_maybe(s, n) ? kw_of_ident(s, n) : KW_NONE;
    if (t->kind == LEAN_TOK_SYMBOL)
        return n == 1 ? kw_sym1[(unsigned char)s[0]] : kw_of_symbol(s, n);
    if (t->kind == LEAN_TOK_DOC_COMMENT)
        return KW_DOC;
    return KW_NONE;
}

/* The pools' sizes come from counts of four classes of keywords (classes_init()). */
enum { CLASS_NONE, CLASS_DOC, CLASS_DECL, CLASS_SORRY, CLASS_CMD, NCLASSES };

/* The class of each keyword (CLASS_NONE for those not counted). */
static void
classes_init(unsigned char bucket[256])
{
    memset(bucket, CLASS_NONE, 256);
    for (int k = 1; k <= KW_DOC; k++)
        bucket[k] = k == KW_DOC                                             ? CLASS_DOC
                    : kw_is_decl(k) || k == KW_ATTR_OPEN                    ? CLASS_DECL
                    : k == KW_SORRY || k == KW_SORRY_USING || k == KW_ADMIT ? CLASS_SORRY
                    : k >= KW_NAMESPACE && k <= KW_OTHER_CMD                ? CLASS_CMD
                                                                            : CLASS_NONE;
}

/* Sizes the pools from the counts of the classes (no realloc copies: untouched capacity
 * costs nothing). nident bounds the identifiers (references). */
static void
decls_size_pools(struct decls *d, size_t nident, const size_t count[NCLASSES])
{
    size_t ndoc = count[CLASS_DOC], ndecl = count[CLASS_DECL], nsorry = count[CLASS_SORRY],
           ncmd = count[CLASS_CMD];
    d->arefs = nident + 16;
    d->refs = xbig_alloc(d->arefs * sizeof *d->refs);
    d->adecls = ndecl + ndoc + 16;
    d->decls = xreallocarray(NULL, d->adecls, sizeof *d->decls);
    d->pools = xreallocarray(NULL, d->adecls, sizeof *d->pools);
    d->asorries = nsorry + 16;
    d->sorries = xreallocarray(NULL, d->asorries, sizeof *d->sorries);
    d->ausings = nsorry + 16;
    d->usings = xreallocarray(NULL, d->ausings, sizeof *d->usings);
    d->using_names0 = xreallocarray(NULL, d->ausings, sizeof *d->using_names0);
    d->adocs = ndoc + 16;
    d->docs = xreallocarray(NULL, d->adocs, sizeof *d->docs);
    d->acmds = ncmd + ndoc + 16;
    d->cmds = xreallocarray(NULL, d->acmds, sizeof *d->cmds);
}

static struct decls *decls_read(struct decls *d, size_t from);

struct decls *
decls_new(const struct lean_lex *lx)
{
    struct decls *d = xcalloc(1, sizeof *d);
    d->seen = &d->seen_max;
    size_t nident = 0;

    d->lx = lx;
    d->toks = lean_lex_tokens(lx);
    d->ntoks = lean_lex_count(lx);
    d->text = lean_lex_text(lx);
    d->kws = xmalloc(d->ntoks + 1);
    /* classify every token once, counting the classes the pools are sized by */
    unsigned char bucket[256];
    size_t count[NCLASSES] = {0};
    classes_init(bucket);
    for (size_t i = 0; i < d->ntoks; i++) {
        const struct lean_tok *t = &d->toks[i];
        unsigned char k = (unsigned char)kw_of_tok(d->text, t);
        nident += t->kind == LEAN_TOK_IDENT;
        count[bucket[k]]++;
        d->kws[i] = k;
    }
    decls_size_pools(d, nident, count);
    return decls_read(d, 0);
}

/* ---- decls_update(): old's commands before and after an edit ---- */

/* An update keeps old's commands up to three before the first re-lexed token as they are
 * (a command's reading looks past its end at most into the command after it), and reads
 * on from there. When the reading reaches a command start in the moved tokens where old
 * also had one, with the same scope stack, old read the same commands from there on (the
 * same tokens, the same state), and those are taken too, moved.
 *
 * The update takes old's arrays. New entries go after old's (old's stay intact while the
 * reading may still resync with them), and finish_update() then puts each array in order:
 * the kept prefix, the new entries, the kept suffix; and adjusts the indices, offsets and
 * lines they hold (move_entries). */

/* The arrays, each with a count (struct decls' n* fields); parallel arrays share one. */
enum pool {
    POOL_DECLS, POOL_CMDS, POOL_ATTRS, POOL_MODS, POOL_SORRIES, POOL_USINGS, POOL_REFS,
    POOL_UNAMES, POOL_DOCS, POOL_STRINGS, POOL_MARKS, POOL_MARK_SCOPES, NPOOLS
};

struct decls_resync {
    struct lean_lex_edit edit;
    size_t new_end;             /* tokens from new_end on are old's from old_end on, moved */
    ptrdiff_t dtok;             /* new_end - old_end */
    size_t keep[NPOOLS];        /* the kept prefix of each array */
    size_t base[NPOOLS];        /* old's counts: new entries start here */
    size_t next;                /* the first of old's marks not behind the reading */
    size_t at;                  /* SIZE_MAX, or the old mark the reading resynced at */
    bool old_has_exit;
    struct lean_span old_exit;
};

static void
counts_now(const struct decls *d, size_t n[NPOOLS])
{
    n[POOL_DECLS] = d->ndecls;
    n[POOL_CMDS] = d->ncmds;
    n[POOL_ATTRS] = d->nattrs;
    n[POOL_MODS] = d->nmods;
    n[POOL_SORRIES] = d->nsorries;
    n[POOL_USINGS] = d->nusings;
    n[POOL_REFS] = d->nrefs;
    n[POOL_UNAMES] = d->nunames;
    n[POOL_DOCS] = d->ndocs;
    n[POOL_STRINGS] = d->nstrings;
    n[POOL_MARKS] = d->nmarks;
    n[POOL_MARK_SCOPES] = d->nmark_scopes;
}

static void
counts_set(struct decls *d, const size_t n[NPOOLS])
{
    d->ndecls = n[POOL_DECLS];
    d->ncmds = n[POOL_CMDS];
    d->nattrs = n[POOL_ATTRS];
    d->nmods = n[POOL_MODS];
    d->nsorries = n[POOL_SORRIES];
    d->nusings = n[POOL_USINGS];
    d->nrefs = n[POOL_REFS];
    d->nunames = n[POOL_UNAMES];
    d->ndocs = n[POOL_DOCS];
    d->nstrings = n[POOL_STRINGS];
    d->nmarks = n[POOL_MARKS];
    d->nmark_scopes = n[POOL_MARK_SCOPES];
}

/* The counts when mark k (of d->marks) was recorded. */
static void
counts_at_mark(const struct decls *d, size_t k, size_t n[NPOOLS])
{
    const struct decls_mark *m = &d->marks[k];
    n[POOL_DECLS] = m->ndecls;
    n[POOL_CMDS] = m->ncmds;
    n[POOL_ATTRS] = m->nattrs;
    n[POOL_MODS] = m->nmods;
    n[POOL_SORRIES] = m->nsorries;
    n[POOL_USINGS] = m->nusings;
    n[POOL_REFS] = m->nrefs;
    n[POOL_UNAMES] = m->nunames;
    n[POOL_DOCS] = m->ndocs;
    n[POOL_STRINGS] = m->nstrings;
    n[POOL_MARKS] = k;
    n[POOL_MARK_SCOPES] = m->scope0;
}

/* How entries moved to their final place change: indices into each array, and for old's
 * entries after the edit (moved) also token indices, byte offsets and lines. */
struct decls_move {
    ptrdiff_t idx[NPOOLS];
    bool moved;
    ptrdiff_t tok;
    uint32_t bytes, lines; /* modular adds */
    const struct lean_lex_edit *edit;
};

/* A span left unset ({0}: no `:` type, no `by`, no name, …) stays so: every span that was
 * set in a moved entry lies after the edit, so its end is past byte 0. */
static inline void
move_span(struct lean_span *s, const struct decls_move *mv)
{
    if (s->end == 0)
        return;
    s->start += mv->bytes;
    s->end += mv->bytes;
    s->range.start.line += mv->lines;
    s->range.end.line += mv->lines;
}

static inline size_t
move_tok(size_t t, const struct decls_move *mv)
{
    return (size_t)((ptrdiff_t)t + mv->tok);
}

static inline size_t
move_idx(size_t i, const struct decls_move *mv, enum pool p)
{
    return (size_t)((ptrdiff_t)i + mv->idx[p]);
}

/* An old scope name's offset in the new text: the same before the edit, moved after it;
 * false when the name lay in the edited bytes. */
static bool
scope_offset(const struct lean_lex_edit *e, uint32_t start, uint32_t len, uint32_t *out)
{
    if (start + len <= e->start) {
        *out = start;
        return true;
    }
    if (start >= e->old_end) {
        *out = (uint32_t)((int64_t)start + e->dbytes);
        return true;
    }
    return false;
}

/* Adjusts the entries [lo[p], hi[p]) of every array. When a field is added to a struct
 * held in one of these arrays, it must be moved here if it is a token index, a byte offset,
 * a line or an index into an array (test_incremental compares every field with a fresh
 * reading). */
static void
move_entries(struct decls *d, const size_t lo[NPOOLS], const size_t hi[NPOOLS],
             const struct decls_move *mv)
{
    for (size_t i = lo[POOL_DECLS]; i < hi[POOL_DECLS]; i++) {
        struct decl_pools *p = &d->pools[i];
        p->attr0 = move_idx(p->attr0, mv, POOL_ATTRS);
        p->mod0 = move_idx(p->mod0, mv, POOL_MODS);
        p->sorry0 = move_idx(p->sorry0, mv, POOL_SORRIES);
        p->using0 = move_idx(p->using0, mv, POOL_USINGS);
        p->ref0 = move_idx(p->ref0, mv, POOL_REFS);
        p->sig_ref0 = move_idx(p->sig_ref0, mv, POOL_REFS);
        p->doc0 = move_idx(p->doc0, mv, POOL_DOCS);
        if (!mv->moved)
            continue;
        struct decl *x = &d->decls[i];
        move_span(&x->keyword_span, mv);
        move_span(&x->range, mv);
        x->tok_first = move_tok(x->tok_first, mv);
        x->tok_end = move_tok(x->tok_end, mv);
        if (x->has_doc)
            x->doc_tok = move_tok(x->doc_tok, mv);
        move_span(&x->doc, mv);
        move_span(&x->attrs_span, mv);
        move_span(&x->name_span, mv);
        move_span(&x->header, mv);
        move_span(&x->signature, mv);
        move_span(&x->type, mv);
        move_span(&x->assign, mv);
        move_span(&x->by, mv);
        move_span(&x->body, mv);
        x->body_tok_first = move_tok(x->body_tok_first, mv);
        x->body_tok_end = move_tok(x->body_tok_end, mv);
        move_span(&x->body_main, mv);
        x->body_main_tok_end = move_tok(x->body_main_tok_end, mv);
        move_span(&x->placeholder, mv);
        /* prev_cmd_end_line, blank_line_before: set_spacing() sets them again */
    }
    for (size_t i = lo[POOL_USINGS]; i < hi[POOL_USINGS]; i++) {
        d->using_names0[i] = move_idx(d->using_names0[i], mv, POOL_UNAMES);
        if (!mv->moved)
            continue;
        struct decl_using *u = &d->usings[i];
        move_span(&u->keyword, mv);
        move_span(&u->list, mv);
        move_span(&u->comment, mv);
    }
    for (size_t i = lo[POOL_MARKS]; i < hi[POOL_MARKS]; i++) {
        struct decls_mark *m = &d->marks[i];
        m->ndecls = move_idx(m->ndecls, mv, POOL_DECLS);
        m->ncmds = move_idx(m->ncmds, mv, POOL_CMDS);
        m->nattrs = move_idx(m->nattrs, mv, POOL_ATTRS);
        m->nmods = move_idx(m->nmods, mv, POOL_MODS);
        m->nsorries = move_idx(m->nsorries, mv, POOL_SORRIES);
        m->nusings = move_idx(m->nusings, mv, POOL_USINGS);
        m->nrefs = move_idx(m->nrefs, mv, POOL_REFS);
        m->nunames = move_idx(m->nunames, mv, POOL_UNAMES);
        m->ndocs = move_idx(m->ndocs, mv, POOL_DOCS);
        m->nstrings = move_idx(m->nstrings, mv, POOL_STRINGS);
        m->scope0 = move_idx(m->scope0, mv, POOL_MARK_SCOPES);
        if (mv->moved) {
            m->tok = move_tok(m->tok, mv);
            m->horizon = move_tok(m->horizon, mv);
        }
    }
    if (!mv->moved)
        return;
    for (size_t i = lo[POOL_CMDS]; i < hi[POOL_CMDS]; i++) {
        struct decl_cmd *c = &d->cmds[i];
        move_span(&c->keyword, mv);
        move_span(&c->range, mv);
        move_span(&c->name_span, mv);
        c->tok_first = move_tok(c->tok_first, mv);
        c->tok_end = move_tok(c->tok_end, mv);
    }
    for (size_t i = lo[POOL_ATTRS]; i < hi[POOL_ATTRS]; i++) {
        struct decl_attr *a = &d->attrs[i];
        move_span(&a->span, mv);
        move_span(&a->name, mv);
        a->tok_first = move_tok(a->tok_first, mv);
        a->tok_end = move_tok(a->tok_end, mv);
    }
    for (size_t i = lo[POOL_MODS]; i < hi[POOL_MODS]; i++)
        move_span(&d->mods[i].span, mv);
    for (size_t i = lo[POOL_SORRIES]; i < hi[POOL_SORRIES]; i++) {
        move_span(&d->sorries[i].span, mv);
        d->sorries[i].tok = move_tok(d->sorries[i].tok, mv);
    }
    if (mv->tok != 0) {
        for (size_t i = lo[POOL_REFS]; i < hi[POOL_REFS]; i++)
            d->refs[i].tok = (uint32_t)move_tok(d->refs[i].tok, mv);
        for (size_t i = lo[POOL_UNAMES]; i < hi[POOL_UNAMES]; i++)
            d->unames[i].tok = (uint32_t)move_tok(d->unames[i].tok, mv);
        for (size_t i = lo[POOL_DOCS]; i < hi[POOL_DOCS]; i++)
            d->docs[i] = move_tok(d->docs[i], mv);
    }
    for (size_t i = lo[POOL_MARK_SCOPES]; i < hi[POOL_MARK_SCOPES]; i++) {
        struct decls_scope *s = &d->mark_scopes[i];
        uint32_t at;
        if (scope_offset(mv->edit, s->start, s->len, &at))
            s->start = at; /* always: resync_at() checked the stack it starts from */
    }
}

/* Puts one array in its final order: [0, keep) stays, then the new entries [base, now),
 * then, unless from is SIZE_MAX, old's entries [from, base). Returns the count. */
static size_t
order_array(void *arr, size_t size, size_t keep, size_t base, size_t now, size_t from)
{
    char *a = arr;
    size_t k = now - base;
    if (a == NULL)
        return keep;
    if (from == SIZE_MAX) {
        if (k && keep != base)
            memmove(a + keep * size, a + base * size, k * size);
        return keep + k;
    }
    size_t l = base - from;
    if (keep + k <= from) {
        /* the new entries fit before old's: neither move overwrites what the other reads */
        if (k)
            memcpy(a + keep * size, a + base * size, k * size);
        if (l && keep + k != from)
            memmove(a + (keep + k) * size, a + from * size, l * size);
    } else {
        /* old's move to the right, over where the new entries are: those first aside */
        char *tmp = xmalloc(k * size);
        memcpy(tmp, a + base * size, k * size);
        if (l)
            memmove(a + (keep + k) * size, a + from * size, l * size);
        memcpy(a + keep * size, tmp, k * size);
        free(tmp);
    }
    return keep + k + l;
}

/* The reading has ended (at the end of the tokens, at `#exit`, or resynced at old mark
 * rs->at): every array in order, every entry adjusted. */
static void
finish_update(struct decls *d)
{
    struct decls_resync *rs = d->rs;
    size_t now[NPOOLS], from[NPOOLS], fin[NPOOLS];
    counts_now(d, now);
    if (rs->at != SIZE_MAX)
        counts_at_mark(d, rs->at, from);
    else
        for (int p = 0; p < NPOOLS; p++)
            from[p] = SIZE_MAX;
    /* old's strings between the prefix and the kept suffix belong to no command now */
    size_t dead_end = rs->at != SIZE_MAX ? from[POOL_STRINGS] : rs->base[POOL_STRINGS];
    for (size_t k = rs->keep[POOL_STRINGS]; k < dead_end; k++)
        free(d->strings[k]);
    struct {
        void *a;
        size_t size;
        enum pool p;
    } arrays[] = {
        {d->decls, sizeof *d->decls, POOL_DECLS},
        {d->pools, sizeof *d->pools, POOL_DECLS},
        {d->cmds, sizeof *d->cmds, POOL_CMDS},
        {d->attrs, sizeof *d->attrs, POOL_ATTRS},
        {d->mods, sizeof *d->mods, POOL_MODS},
        {d->sorries, sizeof *d->sorries, POOL_SORRIES},
        {d->usings, sizeof *d->usings, POOL_USINGS},
        {d->using_names0, sizeof *d->using_names0, POOL_USINGS},
        {d->refs, sizeof *d->refs, POOL_REFS},
        {d->unames, sizeof *d->unames, POOL_UNAMES},
        {d->docs, sizeof *d->docs, POOL_DOCS},
        {d->strings, sizeof *d->strings, POOL_STRINGS},
        {d->marks, sizeof *d->marks, POOL_MARKS},
        {d->mark_scopes, sizeof *d->mark_scopes, POOL_MARK_SCOPES},
    };
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        enum pool p = arrays[i].p;
        fin[p] = order_array(arrays[i].a, arrays[i].size, rs->keep[p], rs->base[p], now[p],
                             from[p]);
    }
    /* the new entries: only indices into the arrays change */
    struct decls_move mid = {.moved = false, .edit = &rs->edit};
    size_t lo[NPOOLS], hi[NPOOLS];
    for (int p = 0; p < NPOOLS; p++) {
        mid.idx[p] = (ptrdiff_t)rs->keep[p] - (ptrdiff_t)rs->base[p];
        lo[p] = rs->keep[p];
        hi[p] = rs->keep[p] + (now[p] - rs->base[p]);
    }
    move_entries(d, lo, hi, &mid);
    if (rs->at != SIZE_MAX) {
        /* old's suffix: moved by the edit too */
        struct decls_move suf = {.moved = true, .tok = rs->dtok, .edit = &rs->edit};
        suf.bytes = (uint32_t)rs->edit.dbytes;
        suf.lines = (uint32_t)rs->edit.dlines;
        for (int p = 0; p < NPOOLS; p++) {
            lo[p] = hi[p];
            hi[p] = fin[p];
            suf.idx[p] = (ptrdiff_t)lo[p] - (ptrdiff_t)from[p];
        }
        move_entries(d, lo, hi, &suf);
        d->has_exit = rs->old_has_exit;
        d->exit = rs->old_exit;
        if (d->has_exit) {
            struct decls_move ex = suf;
            move_span(&d->exit, &ex);
        }
    }
    counts_set(d, fin);
}

/* At the top-level command starting at token i, in the moved tokens: true when old had a
 * command there too, read with the same scope stack (same names at the same offsets). */
static bool
resync_at(struct decls *d, size_t i)
{
    struct decls_resync *rs = d->rs;
    size_t io = (size_t)((ptrdiff_t)i - rs->dtok);
    size_t nold = rs->base[POOL_MARKS];
    while (rs->next < nold && d->marks[rs->next].tok < io)
        rs->next++;
    if (rs->next == nold || d->marks[rs->next].tok != io)
        return false;
    const struct decls_mark *m = &d->marks[rs->next];
    if (m->nscopes != d->nscopes || memcmp(m->nkind, d->nkind, sizeof m->nkind) != 0)
        return false;
    for (size_t k = 0; k < m->nscopes; k++) {
        const struct decls_scope *o = &d->mark_scopes[m->scope0 + k], *s = &d->scopes[k];
        uint32_t at;
        if (o->kind != s->kind || o->len != s->len ||
            !scope_offset(&rs->edit, o->start, o->len, &at) || at != s->start)
            return false;
    }
    rs->at = rs->next;
    return true;
}

/* The mark of old whose commands before it decls_update() keeps when the tokens from
 * first on changed, or SIZE_MAX: the commands before it saw no token from first on
 * (decls_mark.horizon), and, to spare, two whole commands lie between it and first. */
static size_t
keep_mark(const struct decls *old, size_t first)
{
    size_t lo = 0, hi = old->nmarks;
    while (lo < hi) { /* the marks before first: [0, lo) */
        size_t mid = lo + (hi - lo) / 2;
        if (old->marks[mid].tok < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the commands before mark c saw only tokens before first: c <= n */
    size_t n = 0;
    while (n < lo && old->marks[n].horizon < first)
        n++;
    return n >= 3 ? n - 3 : SIZE_MAX;
}

/* d takes every array of old, whole; rs->keep is what mark c kept (nothing when c is
 * SIZE_MAX), the scope stack is the one at c. Returns the token where reading goes on. */
static size_t
take_arrays(struct decls *d, struct decls *old, size_t c, struct decls_resync *rs)
{
#define DECLS_TAKE(field, afield)                                                           \
    do {                                                                                    \
        d->field = old->field;                                                              \
        d->afield = old->afield;                                                            \
        old->field = NULL;                                                                  \
        old->afield = 0;                                                                    \
    } while (0)
    DECLS_TAKE(decls, adecls);
    DECLS_TAKE(cmds, acmds);
    DECLS_TAKE(attrs, aattrs);
    DECLS_TAKE(mods, amods);
    DECLS_TAKE(sorries, asorries);
    DECLS_TAKE(usings, ausings);
    DECLS_TAKE(refs, arefs);
    DECLS_TAKE(unames, aunames);
    DECLS_TAKE(docs, adocs);
    DECLS_TAKE(strings, astrings);
    DECLS_TAKE(marks, amarks);
    DECLS_TAKE(mark_scopes, amark_scopes);
    DECLS_TAKE(scopes, ascopes);
#undef DECLS_TAKE
    d->pools = old->pools;
    old->pools = NULL;
    d->using_names0 = old->using_names0;
    old->using_names0 = NULL;
    counts_now(old, rs->base);
    old->nstrings = 0; /* d frees them */
    counts_set(d, rs->base);
    size_t from = 0;
    if (c == SIZE_MAX) {
        memset(rs->keep, 0, sizeof rs->keep);
        d->nscopes = 0;
        memset(d->nkind, 0, sizeof d->nkind);
    } else {
        const struct decls_mark *m = &d->marks[c];
        counts_at_mark(d, c, rs->keep);
        if (m->nscopes > d->ascopes) {
            d->ascopes = m->nscopes;
            d->scopes = xreallocarray(d->scopes, d->ascopes, sizeof *d->scopes);
        }
        if (m->nscopes)
            memcpy(d->scopes, d->mark_scopes + m->scope0, m->nscopes * sizeof *d->scopes);
        d->nscopes = m->nscopes;
        memcpy(d->nkind, m->nkind, sizeof d->nkind);
        from = m->tok;
    }
    rs->next = c == SIZE_MAX ? 0 : c;
    /* room for every token after from to be a reference (address space until written) */
    size_t want = d->nrefs + (d->ntoks - from) + 16;
    if (d->arefs < want) {
        want += want / 4; /* the next updates need about as much: grow once */
        d->refs = xbig_grow(d->refs, d->arefs * sizeof *d->refs, want * sizeof *d->refs);
        d->arefs = want;
    }
    return from;
}

struct decls *
decls_update(struct decls *old, const struct lean_lex *lx)
{
    size_t first, old_end, new_end;
    struct lean_lex_edit edit;
    if (old == NULL || !lean_lex_reused(lx, &first, &old_end, &new_end) ||
        !lean_lex_edit(lx, &edit) || old->ntoks < old_end || first > new_end ||
        old->ntoks - old_end != lean_lex_count(lx) - new_end) {
        decls_free(old);
        return decls_new(lx);
    }
    struct decls *d = xcalloc(1, sizeof *d);
    d->seen = &d->seen_max;
    d->lx = lx;
    d->toks = lean_lex_tokens(lx);
    d->ntoks = lean_lex_count(lx);
    d->text = lean_lex_text(lx);
    /* the old classes: the prefix in place, the moved suffix moved, the rest classified */
    d->kws = old->kws;
    old->kws = NULL;
    size_t nsuf = old->ntoks - old_end;
    if (new_end > old_end)
        d->kws = xrealloc(d->kws, d->ntoks + 1);
    memmove(d->kws + new_end, d->kws + old_end, nsuf);
    for (size_t i = first; i < new_end; i++)
        d->kws[i] = (unsigned char)kw_of_tok(d->text, &d->toks[i]);
    if (old->ndecls == 0 && old->ncmds == 0) {
        /* nothing worth keeping: a fresh reading, with pools sized for it */
        unsigned char bucket[256];
        size_t count[NCLASSES] = {0};
        classes_init(bucket);
        for (size_t i = 0; i < d->ntoks; i++)
            count[bucket[d->kws[i]]]++;
        decls_free(old);
        decls_size_pools(d, d->ntoks, count);
        return decls_read(d, 0);
    }
    struct decls_resync rs = {
        .edit = edit,
        .new_end = new_end,
        .dtok = (ptrdiff_t)new_end - (ptrdiff_t)old_end,
        .at = SIZE_MAX,
        .old_has_exit = old->has_exit,
        .old_exit = old->exit,
    };
    size_t from = take_arrays(d, old, keep_mark(old, first), &rs);
    decls_free(old);
    d->rs = &rs;
    decls_read(d, from);
    d->rs = NULL;
    return d;
}

/* The last mark this reading recorded takes what the reading has seen since (an update
 * leaves old's marks alone: they are the kept prefix's, or dropped, or moved). */
static void
close_mark(struct decls *d)
{
    size_t own = d->rs ? d->rs->base[POOL_MARKS] : 0;
    if (d->nmarks > own && d->marks[d->nmarks - 1].horizon < d->seen_max)
        d->marks[d->nmarks - 1].horizon = d->seen_max;
}

/* Records the reader's state before the top-level command at token i. */
static void
mark_command(struct decls *d, size_t i)
{
    struct decls_mark *m;
    if (d->nscopes > DECLS_MARK_MAX_SCOPES)
        return; /* what this command's reading sees goes to the mark before */
    close_mark(d);
    DECLS_GROW(d->marks, d->nmarks, d->amarks);
    m = &d->marks[d->nmarks++];
    m->tok = i;
    m->horizon = i;
    d->seen_max = i;
    m->ndecls = d->ndecls;
    m->ncmds = d->ncmds;
    m->nattrs = d->nattrs;
    m->nmods = d->nmods;
    m->nsorries = d->nsorries;
    m->nusings = d->nusings;
    m->nrefs = d->nrefs;
    m->nunames = d->nunames;
    m->ndocs = d->ndocs;
    m->nstrings = d->nstrings;
    m->nscopes = d->nscopes;
    m->scope0 = d->nmark_scopes;
    memcpy(m->nkind, d->nkind, sizeof m->nkind);
    for (size_t k = 0; k < d->nscopes; k++) {
        DECLS_GROW(d->mark_scopes, d->nmark_scopes, d->amark_scopes);
        d->mark_scopes[d->nmark_scopes++] = d->scopes[k];
    }
}

/* Reads the commands from token from on (0, or a mark's token with the state restored),
 * the classes known and the pools sized. */
static struct decls *
decls_read(struct decls *d, size_t from)
{
    size_t i;

    i = from;
    d->seen_max = from;
    while (i < d->ntoks) {
        const struct lean_tok *t = tok_at(d, i);
        int kk = kw_of(d, i);
        size_t next;
        if (is_trivia(t)) {
            i++;
            continue;
        }
        if (d->rs && i > d->rs->new_end && resync_at(d, i))
            break; /* the rest is old's, moved */
        mark_command(d, i);
        if (kk == KW_EXIT) {
            d->has_exit = true;
            d->exit = tok_span(d, i);
            read_cmd(d, i);
            break;
        }
        if (t->kind == LEAN_TOK_DOC_COMMENT || kw_is_decl(kk) || kk == KW_ATTR_OPEN ||
            (kw_is_modifier(kk) && !(kk == KW_NONCOMPUTABLE &&
                                     kw_at(d, next_code(d, i + 1)) == KW_SECTION))) {
            if (t->kind == LEAN_TOK_DOC_COMMENT && !doc_starts(d, i)) {
                /* a stray doc comment: its own command */
                next = read_cmd(d, i);
            } else if ((kk == KW_LOCAL || kk == KW_SCOPED || kk == KW_PUBLIC || kk == KW_META) &&
                       (!attr_kind_starts(d, i) || only_kind_before_cmd(d, i))) {
                /* `local notation …`, `scoped[NS] infix …`: a command, not a declaration */
                next = read_cmd(d, i);
            } else {
                next = read_decl(d, i);
            }
        } else {
            next = read_cmd(d, i);
        }
        if (next <= i)
            next = i + 1; /* always progress */
        i = next;
        if (d->has_exit)
            break;
        /* a `#exit` ends everything after it */
        if (i < d->ntoks && kw_of(d, i) == KW_EXIT) {
            d->has_exit = true;
            d->exit = tok_span(d, i);
            read_cmd(d, i);
            break;
        }
    }
    close_mark(d);
    if (d->rs)
        finish_update(d);
    set_spacing(d);
    fix_pointers(d);
    return d;
}

void
decls_free(struct decls *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nstrings; i++)
        free(d->strings[i]);
    free(d->strings);
    free(d->kws);
    free(d->decls);
    free(d->pools);
    free(d->cmds);
    free(d->attrs);
    free(d->mods);
    free(d->sorries);
    free(d->usings);
    free(d->using_names0);
    xbig_free(d->refs, d->arefs * sizeof *d->refs);
    xbig_free(d->unames, d->aunames * sizeof *d->unames);
    free(d->docs);
    free(d->scopes);
    free(d->marks);
    free(d->mark_scopes);
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
    return d->ndecls;
}

const struct decl *
decls_get(const struct decls *d, size_t i)
{
    return i < d->ndecls ? &d->decls[i] : NULL;
}

size_t
decls_cmd_count(const struct decls *d)
{
    return d->ncmds;
}

const struct decl_cmd *
decls_cmd(const struct decls *d, size_t i)
{
    return i < d->ncmds ? &d->cmds[i] : NULL;
}

bool
decls_exit(const struct decls *d, struct lean_span *at)
{
    if (d->has_exit && at)
        *at = d->exit;
    return d->has_exit;
}

const char *
decls_kind_name(enum decl_kind kind)
{
    switch (kind) {
    case DECL_KIND_DEF: return "def";
    case DECL_KIND_THEOREM: return "theorem";
    case DECL_KIND_LEMMA: return "lemma";
    case DECL_KIND_ABBREV: return "abbrev";
    case DECL_KIND_INSTANCE: return "instance";
    case DECL_KIND_STRUCTURE: return "structure";
    case DECL_KIND_INDUCTIVE: return "inductive";
    case DECL_KIND_CLASS: return "class";
    case DECL_KIND_CLASS_INDUCTIVE: return "class inductive";
    case DECL_KIND_AXIOM: return "axiom";
    case DECL_KIND_OPAQUE: return "opaque";
    case DECL_KIND_EXAMPLE: return "example";
    case DECL_KIND_IRREDUCIBLE_DEF: return "irreducible_def";
    case DECL_KIND_ALIAS: return "alias";
    default: return "other";
    }
}

struct lean_span
decls_ref_span(const struct decls *d, const struct decl_ref *r)
{
    return lean_lex_tok_span(d->lx, &d->toks[r->tok]); /* after reading: not seen() */
}

const char *
decls_ref_text(const struct decls *d, const struct decl_ref *r, bool last, size_t *len)
{
    const struct lean_tok *t = &d->toks[r->tok];
    uint32_t s = last ? t->content_start : t->start;
    *len = t->end - s;
    return d->text + s;
}
