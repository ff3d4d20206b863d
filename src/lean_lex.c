/* lean_lex: Lean 4 lexer with byte offsets and LSP positions (shared/lean-lsp-facts.md §9). */
#include "lean_lex.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "xalloc.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Most tokens allocated up front (24 bytes each); past this the array doubles. */
#define LEX_PRESIZE_MAX ((uint32_t)1 << 21)

/* Interpolated strings nest (`s!"{s!"{x}"}"`); deeper than this is lexed as plain text. */
#define LEX_INTERP_DEPTH 32

struct lean_lex {
    const char *text;
    uint32_t len;
    struct lean_tok *toks; /* ntoks used, atoks allocated */
    size_t ntoks, atoks;
    uint32_t *lines; /* byte offset of each line's start; nlines used, alines allocated */
    uint32_t nlines, alines;
    unsigned char *wide; /* per line: 1 when it holds a non-ASCII byte (columns need a scan) */
    uint32_t *comments;  /* token indices of the comments, in order */
    size_t ncomments, acomments;
    /* lean_lex_update(): tokens [0, re_first) are old ones, old [re_old_end, ...) moved to
     * [re_new_end, ...); re_known false when lexed from scratch */
    bool re_known;
    size_t re_first, re_old_end, re_new_end;
    struct lean_lex_edit re_edit; /* the edit and how the moved tokens moved */
};

static void
lex_add_line(struct lean_lex *lx, uint32_t start)
{
    if (lx->nlines == lx->alines) {
        lx->alines = lx->alines ? lx->alines * 2 : 256;
        lx->lines = xreallocarray(lx->lines, lx->alines, sizeof *lx->lines);
        lx->wide = xreallocarray(lx->wide, lx->alines, 1);
    }
    lx->wide[lx->nlines] = 0;
    lx->lines[lx->nlines++] = start;
}

/* UTF-16 code units a byte contributes: lead bytes of 4-byte sequences count 2,
 * continuation bytes 0, everything else 1. */
static inline uint32_t
lex_units(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if ((b & 0xC0) == 0x80)
        return 0;
    return b >= 0xF0 ? 2 : 1;
}

/* ---- character classes (Lean's isIdFirst / isIdRest / isLetterLike / isSubScriptAlnum) ---- */

/* Decodes one UTF-8 sequence at t[i] (i < len). Returns its length (1-4) and the code point
 * in *cp, or 0 when the bytes are not valid UTF-8 (then *cp is the byte). */
static uint32_t
lex_decode(const unsigned char *t, uint32_t len, uint32_t i, uint32_t *cp)
{
    unsigned char b = t[i];
    uint32_t n, v, k;
    *cp = b;
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
        v = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        v = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        v = b & 0x07;
    } else {
        return 0;
    }
    if (len - i < n)
        return 0;
    if ((t[i + 1] & 0xC0) != 0x80)
        return 0;
    v = (v << 6) | (t[i + 1] & 0x3F);
    for (k = 2; k < n; k++) {
        if ((t[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (t[i + k] & 0x3F);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static bool
lex_is_letter_like(uint32_t c)
{
    if (c < 0x391 || (c > 0x214f && c < 0x1d49c))
        return false; /* most math symbols (U+2190 on) end here */
    return (c >= 0x3b1 && c <= 0x3c9 && c != 0x3bb) ||                  /* lower Greek, not λ */
           (c >= 0x391 && c <= 0x3a9 && c != 0x3a0 && c != 0x3a3) ||    /* upper Greek, not Π Σ */
           (c >= 0x3ca && c <= 0x3fb) ||                                /* Coptic */
           (c >= 0x1f00 && c <= 0x1ffe) ||                              /* polytonic Greek */
           (c >= 0x2100 && c <= 0x214f) ||                              /* letterlike block */
           (c >= 0x1d49c && c <= 0x1d59f);                              /* script, 𝔽, fraktur */
}

static bool
lex_is_subscript(uint32_t c)
{
    return (c >= 0x2080 && c <= 0x2089) || (c >= 0x2090 && c <= 0x209c) ||
           (c >= 0x1d62 && c <= 0x1d6a) || c == 0x2c7c;
}

/* ASCII classes: LC_SPACE ' ' '\t' '\r' '\n'; LC_ID_FIRST letters and '_'; LC_ID_REST those,
 * digits, '\'', '!', '?'; LC_DIGIT '0'-'9'. Bytes >= 0x80 have none (decoded separately). */
enum { LC_SPACE = 1, LC_ID_FIRST = 2, LC_ID_REST = 4, LC_DIGIT = 8 };
static const unsigned char lex_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 0, 0, 0, 0, 0, 4,
    0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 6,
    0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline bool
lex_ascii_id_first(unsigned char b)
{
    return (lex_class[b] & LC_ID_FIRST) != 0;
}

static inline bool
lex_ascii_id_rest(unsigned char b)
{
    return (lex_class[b] & LC_ID_REST) != 0;
}

/* Length of an identifier-start character at i (0 if none); `«` is not included. */
static uint32_t
lex_id_first_len(const unsigned char *t, uint32_t len, uint32_t i)
{
    uint32_t cp, n;
    if (t[i] < 0x80)
        return lex_ascii_id_first(t[i]) ? 1 : 0;
    n = lex_decode(t, len, i, &cp);
    return n && lex_is_letter_like(cp) ? n : 0;
}

static uint32_t
lex_id_rest_len(const unsigned char *t, uint32_t len, uint32_t i)
{
    uint32_t cp, n;
    if (t[i] < 0x80)
        return lex_ascii_id_rest(t[i]) ? 1 : 0;
    n = lex_decode(t, len, i, &cp);
    return n && (lex_is_letter_like(cp) || lex_is_subscript(cp)) ? n : 0;
}

static inline bool
lex_is_guillemet_open(const unsigned char *t, uint32_t len, uint32_t i)
{
    return i + 1 < len && t[i] == 0xC2 && t[i + 1] == 0xAB;
}

/* Where the next `»` is: Lean reads an escaped name part up to the next `»`, across lines
 * (identFn: takeUntilFn isIdEndEscape). The lexer asks in text order, so remembering the
 * last answer keeps a file full of lone `«` linear. */
struct lex_guil {
    uint32_t from; /* the answer is valid for queries at or after from ... */
    uint32_t at;   /* ... and before at: the offset of that `»`, or len when none */
};

/* End of a `«…»` part starting at i, or 0 when no `»` follows. */
static uint32_t
lex_guillemet_end(const unsigned char *t, uint32_t len, uint32_t i, struct lex_guil *g)
{
    uint32_t from = i + 2;
    if (from < g->from || from > g->at) {
        uint32_t j = from;
        g->from = from;
        g->at = len;
        while (j + 1 < len) {
            const unsigned char *p = memchr(t + j, 0xC2, len - 1 - j);
            if (!p)
                break;
            j = (uint32_t)(p - t);
            if (t[j + 1] == 0xBB) {
                g->at = j;
                break;
            }
            j++;
        }
    }
    return g->at < len ? g->at + 2 : 0;
}

/* lex_scan_ident()'s *wide: what the identifier holds besides ASCII. */
#define LEX_ID_LETTER 1u /* a non-ASCII letter-like or subscript (one line) */
#define LEX_ID_QUOTED 2u /* a `«…»` part (which may span lines) */

/* Scans an identifier starting at i (known to start one). n: the length of the name
 * character at i when the caller has decoded it (a part that is not `«…»`), else 0.
 * Returns its end; ORs into *wide what it holds (LEX_ID_*), sets *last to where its last
 * name part starts. */
static uint32_t
lex_scan_ident(const unsigned char *t, uint32_t len, uint32_t i, uint32_t n, unsigned *wide,
               struct lex_guil *g, uint32_t *last)
{
    for (;;) {
        *last = i;
        if (!n && lex_is_guillemet_open(t, len, i)) {
            uint32_t e = lex_guillemet_end(t, len, i, g);
            if (!e)
                return i;
            i = e;
            *wide |= LEX_ID_QUOTED;
        } else {
            if (!n)
                n = lex_id_first_len(t, len, i);
            if (!n)
                return i;
            if (n > 1)
                *wide |= LEX_ID_LETTER;
            i += n;
            for (;;) {
                while (i < len && (lex_class[t[i]] & LC_ID_REST))
                    i++;
                if (i >= len || t[i] < 0x80)
                    break;
                n = lex_id_rest_len(t, len, i); /* a subscript or letter-like character */
                if (!n)
                    break;
                *wide |= LEX_ID_LETTER;
                i += n;
            }
        }
        /* a dot continues the name only before another name part (whose first character,
         * when not a `«`, the next round need not decode again) */
        n = 0;
        if (i + 1 < len && t[i] == '.' &&
            ((n = lex_id_first_len(t, len, i + 1)) != 0 ||
             (lex_is_guillemet_open(t, len, i + 1) && lex_guillemet_end(t, len, i + 1, g))))
            i++;
        else
            return i;
    }
}

/* ---- strings, chars, comments ---- */

/* A plain string body from i (just after the opening quote). Returns the offset after the
 * closing quote, or len (unterminated, *open set). */
static uint32_t
lex_scan_string(const unsigned char *t, uint32_t len, uint32_t i, bool *open)
{
    while (i < len) {
        unsigned char b = t[i];
        if (b == '\\')
            i += 2;
        else if (b == '"')
            return i + 1;
        else
            i++;
    }
    *open = true;
    return len;
}

static uint32_t lex_scan_interp(const unsigned char *t, uint32_t len, uint32_t i, int depth,
                                bool *open);

/* An interpolation `{…}` from i (just after `{`). Returns the offset after the matching `}`. */
static uint32_t
lex_scan_interp_expr(const unsigned char *t, uint32_t len, uint32_t i, int depth, bool *open)
{
    int nest = 1;
    while (i < len) {
        unsigned char b = t[i];
        if (b == '"') {
            if (i > 0 && t[i - 1] == '!' && depth < LEX_INTERP_DEPTH)
                i = lex_scan_interp(t, len, i + 1, depth + 1, open);
            else
                i = lex_scan_string(t, len, i + 1, open);
        } else if (b == '\'' && i + 2 < len && t[i + 2] == '\'' && t[i + 1] != '\\') {
            i += 3; /* '"' or '}' */
        } else if (b == '{') {
            nest++;
            i++;
        } else if (b == '}') {
            i++;
            if (--nest == 0)
                return i;
        } else {
            i++;
        }
    }
    *open = true;
    return len;
}

/* An interpolated string body from i (just after the opening quote). */
static uint32_t
lex_scan_interp(const unsigned char *t, uint32_t len, uint32_t i, int depth, bool *open)
{
    while (i < len) {
        unsigned char b = t[i];
        if (b == '\\')
            i += 2;
        else if (b == '"')
            return i + 1;
        else if (b == '{')
            i = lex_scan_interp_expr(t, len, i + 1, depth, open);
        else
            i++;
    }
    *open = true;
    return len;
}

/* A block comment body from i (after the opener), nesting 1. Returns the offset after the
 * closing `-/`, or len. Only `/-` and `-/` count (Lean's finishCommentBlock). */
static uint32_t
lex_scan_block(const unsigned char *t, uint32_t len, uint32_t i, bool *open)
{
    /* both delimiters hold a '-': jump from one to the next. pos is the first byte not yet
     * consumed, so `/-/` opens (the '/' before the '-' is checked first, as Lean does) */
    uint32_t nest = 1, pos = i;
    while (pos < len) {
        const unsigned char *p = memchr(t + pos, '-', len - pos);
        uint32_t k;
        if (!p)
            break;
        k = (uint32_t)(p - t);
        if (k > pos && t[k - 1] == '/') {
            nest++;
            pos = k + 1;
        } else if (k + 1 < len && t[k + 1] == '/') {
            pos = k + 2;
            if (--nest == 0)
                return pos;
        } else {
            pos = k + 1;
        }
    }
    *open = true;
    return len;
}

/* A char literal at i (t[i] == '\''). Returns its end, or 0 when this `'` starts none. */
static uint32_t
lex_scan_char(const unsigned char *t, uint32_t len, uint32_t i)
{
    uint32_t j = i + 1, cp, n;
    if (j >= len || t[j] == '\n' || t[j] == '\'')
        return 0;
    if (t[j] == '\\') {
        j++;
        if (j >= len)
            return 0;
        if (t[j] == 'x') {
            j++;
            while (j < len && j < i + 6 && t[j] != '\'')
                j++;
        } else if (t[j] == 'u') {
            j++;
            while (j < len && j < i + 14 && t[j] != '\'' && t[j] != '\n')
                j++;
        } else {
            n = lex_decode(t, len, j, &cp);
            j += n ? n : 1;
        }
    } else {
        n = lex_decode(t, len, j, &cp);
        if (!n)
            return 0;
        j += n;
    }
    return j < len && t[j] == '\'' ? j + 1 : 0;
}

/* ---- numbers and symbols ---- */

static inline bool
lex_is_digit(unsigned char b)
{
    return (lex_class[b] & LC_DIGIT) != 0;
}

static uint32_t
lex_scan_number(const unsigned char *t, uint32_t len, uint32_t i)
{
    if (t[i] == '0' && i + 2 < len) {
        unsigned char k = t[i + 1] | 0x20;
        uint32_t j = i + 2;
        if (k == 'x') {
            while (j < len &&
                   (lex_is_digit(t[j]) || ((t[j] | 0x20) >= 'a' && (t[j] | 0x20) <= 'f')))
                j++;
        } else if (k == 'b') {
            while (j < len && (t[j] == '0' || t[j] == '1'))
                j++;
        } else if (k == 'o') {
            while (j < len && t[j] >= '0' && t[j] <= '7')
                j++;
        }
        if (j > i + 2)
            return j;
    }
    while (i < len && lex_is_digit(t[i]))
        i++;
    if (i + 1 < len && t[i] == '.' && lex_is_digit(t[i + 1])) {
        i++;
        while (i < len && lex_is_digit(t[i]))
            i++;
    }
    if (i + 1 < len && (t[i] | 0x20) == 'e') {
        uint32_t j = i + 1;
        if (j < len && (t[j] == '-' || t[j] == '+'))
            j++;
        if (j < len && lex_is_digit(t[j])) {
            while (j < len && lex_is_digit(t[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* Length of the ASCII symbol at i: the longest of Lean's multi-character symbols that
 * matches (`:=`, `=>`, `<;>`, `@[`, …), else 1. */
static uint32_t
lex_symbol_len(const unsigned char *t, uint32_t len, uint32_t i)
{
    unsigned char a = t[i], b = i + 1 < len ? t[i + 1] : 0, c = i + 2 < len ? t[i + 2] : 0;
    switch (a) {
    case ':':
        if (b == ':' && c == '=')
            return 3;
        return b == '=' || b == ':' ? 2 : 1;
    case '=':
        return b == '>' || b == '=' ? 2 : 1;
    case '<':
        if ((b == ';' || b == '|' || b == '$' || b == '*') && c == '>')
            return 3;
        if (b == '-' && c == '>')
            return 3;
        return b == '-' || b == '=' || b == '|' || b == '<' ? 2 : 1;
    case '>':
        if (b == '>' && c == '=')
            return 3;
        return b == '=' || b == '>' ? 2 : 1;
    case '-':
        return b == '>' || b == '=' ? 2 : 1;
    case '.':
        if (b == '.' && c == '.')
            return 3;
        return b == '.' ? 2 : 1;
    case '|':
        if (b == '>' && c == '.')
            return 3;
        return b == '>' || b == '|' ? 2 : 1;
    case '@':
    case '#':
    case '%':
        return b == '[' ? 2 : 1;
    case '!':
        return b == '=' ? 2 : 1;
    case '&':
        return b == '&' ? 2 : 1;
    case '+':
        return b == '+' || b == '=' ? 2 : 1;
    case '*':
        return b == '=' ? 2 : 1;
    case '^':
        return b == '^' ? 2 : 1;
    case '$':
        return b == '(' ? 2 : 1;
    case '`':
        return b == '(' || b == '`' ? 2 : 1;
    case '?':
        return b == '_' ? 2 : 1;
    default:
        return 1;
    }
}

/* ---- the token loop ---- */

/* lean_tok.lines for a token from line `from` to line `to`. */
static inline uint16_t
lex_tok_lines(uint32_t from, uint32_t to)
{
    return to - from < LEAN_TOK_MANY_LINES ? (uint16_t)(to - from) : (uint16_t)LEAN_TOK_MANY_LINES;
}

/* Doubles the token array (full: ntoks == atoks). */
static void
lex_grow(struct lean_lex *lx)
{
    size_t old = lx->atoks * sizeof *lx->toks;
    if (lx->atoks > SIZE_MAX / 2 / sizeof *lx->toks)
        abort();
    lx->atoks = lx->atoks ? lx->atoks * 2 : 64;
    lx->toks = xbig_grow(lx->toks, old, lx->atoks * sizeof *lx->toks);
}

static inline bool
lex_is_space(unsigned char b)
{
    return (lex_class[b] & LC_SPACE) != 0;
}

/* What a token's first byte says (lex_one() dispatches on it): ASCII letters and '_'
 * start a name (`r` perhaps a raw string), a digit a number; '-' and '/' perhaps a
 * comment, '"' a string, '\'' perhaps a char, '#' perhaps `#name`; control bytes start no
 * token; other ASCII bytes are symbols; bytes >= 0x80 are decoded. White space never
 * reaches it (the token loop skips it). */
enum lex_start {
    LS_SYMBOL, LS_IDENT, LS_R, LS_DIGIT, LS_DASH, LS_SLASH, LS_QUOTE, LS_APOS, LS_HASH,
    LS_HIGH, LS_CONTROL
};
#define SY LS_SYMBOL
#define ID LS_IDENT
#define RR LS_R
#define DG LS_DIGIT
#define DA LS_DASH
#define SL LS_SLASH
#define QU LS_QUOTE
#define AP LS_APOS
#define HA LS_HASH
#define HI LS_HIGH
#define CT LS_CONTROL
static const unsigned char lex_start_class[256] = {
    CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
    CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT, CT,
    SY, SY, QU, HA, SY, SY, SY, AP, SY, SY, SY, SY, SY, DA, SY, SL,
    DG, DG, DG, DG, DG, DG, DG, DG, DG, DG, SY, SY, SY, SY, SY, SY,
    SY, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID,
    ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, SY, SY, SY, SY, ID,
    SY, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID, ID,
    ID, ID, RR, ID, ID, ID, ID, ID, ID, ID, ID, SY, SY, SY, SY, CT,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
    HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI, HI,
};
#undef SY
#undef ID
#undef RR
#undef DG
#undef DA
#undef SL
#undef QU
#undef AP
#undef HA
#undef HI
#undef CT

/* A raw string r#…#"…"#…# at i (t[i] == 'r'): sets the token and returns its end, or 0
 * when none starts here (then `r` starts a name). The name `r` is not glued to a preceding
 * identifier here, since identifiers are scanned whole. */
static uint32_t
lex_raw_string(const unsigned char *t, uint32_t len, uint32_t i, struct lean_tok *tok,
               bool *open)
{
    uint32_t h = 0, j = i + 1, e;
    while (j < len && t[j] == '#')
        j++, h++;
    if (j >= len || t[j] != '"')
        return 0;
    e = len;
    *open = true;
    for (uint32_t k = j + 1; k < len; k++) {
        if (t[k] == '"' && len - (k + 1) >= h) {
            uint32_t m = 0;
            while (m < h && t[k + 1 + m] == '#')
                m++;
            if (m == h) {
                e = k + 1 + h;
                *open = false;
                break;
            }
        }
    }
    tok->kind = LEAN_TOK_RAW_STRING;
    tok->content_start = j + 1;
    tok->content_end = *open ? e : e - 1 - h;
    return e;
}

/* Lexes one token at i (not whitespace). Sets kind, end, content, flags. */
static void
lex_one(const unsigned char *t, uint32_t len, uint32_t i, struct lean_tok *tok, uint32_t *endp,
        unsigned *wide, struct lex_guil *g)
{
    unsigned char b = t[i];
    uint32_t e, n = 1, cp, last; /* n: the first name character's length, at ident: */
    bool open = false;

    tok->content_start = i;
    switch (lex_start_class[b]) {
    case LS_IDENT:
        /* the common case first: an ASCII name without dots, not before `"` (s!"…") */
        for (e = i + 1; e < len && (lex_class[t[e]] & LC_ID_REST); e++)
            ;
        if (e >= len || (t[e] < 0x80 && t[e] != '.' && t[e] != '"')) {
            tok->kind = LEAN_TOK_IDENT;
            tok->content_end = e;
            goto out;
        }
        goto ident;
    case LS_R:
        if (i + 1 < len && (t[i + 1] == '"' || t[i + 1] == '#') &&
            (e = lex_raw_string(t, len, i, tok, &open)) != 0)
            goto out;
        goto ident;
    case LS_DASH:
        if (i + 1 < len && t[i + 1] == '-') {
            const unsigned char *nl = memchr(t + i, '\n', len - i);
            e = nl ? (uint32_t)(nl - t) : len;
            if (e > i + 2 && t[e - 1] == '\r')
                e--;
            tok->kind = LEAN_TOK_LINE_COMMENT;
            tok->content_start = i + 2;
            tok->content_end = e;
            goto out;
        }
        goto symbol;
    case LS_SLASH:
        if (i + 1 < len && t[i + 1] == '-') {
            uint32_t op = 2;
            tok->kind = LEAN_TOK_BLOCK_COMMENT;
            if (i + 2 < len && t[i + 2] == '-') {
                tok->kind = LEAN_TOK_DOC_COMMENT;
                op = 3;
            } else if (i + 2 < len && t[i + 2] == '!') {
                tok->kind = LEAN_TOK_MOD_DOC;
                op = 3;
            }
            e = lex_scan_block(t, len, i + op, &open);
            tok->content_start = i + op;
            tok->content_end = open ? e : e - 2;
            goto out;
        }
        goto symbol;
    case LS_QUOTE:
        e = lex_scan_string(t, len, i + 1, &open);
        tok->kind = LEAN_TOK_STRING;
        tok->content_start = i + 1;
        tok->content_end = open ? e : e - 1;
        goto out;
    case LS_APOS:
        e = lex_scan_char(t, len, i);
        if (e) {
            tok->kind = LEAN_TOK_CHAR;
            tok->content_start = i + 1;
            tok->content_end = e - 1;
        } else {
            e = i + 1;
            tok->kind = LEAN_TOK_SYMBOL;
            tok->content_end = e;
        }
        goto out;
    case LS_DIGIT:
        e = lex_scan_number(t, len, i);
        tok->kind = LEAN_TOK_NUMBER;
        tok->content_end = e;
        goto out;
    case LS_HASH:
        if (i + 1 < len && lex_ascii_id_first(t[i + 1])) {
            e = i + 2;
            while (e < len && (lex_ascii_id_first(t[e]) || lex_is_digit(t[e])))
                e++;
            tok->kind = LEAN_TOK_SYMBOL;
            tok->content_end = e;
            goto out;
        }
        goto symbol;
    case LS_HIGH:
        /* decoded once: a letter-like starts a name, anything else valid is a symbol
         * (← ⟨ ∀ ≤ …) */
        n = lex_decode(t, len, i, &cp);
        if (n && lex_is_letter_like(cp))
            goto ident;
        if (lex_is_guillemet_open(t, len, i) && lex_guillemet_end(t, len, i, g)) {
            n = 0;
            goto ident;
        }
        if (n) {
            tok->kind = LEAN_TOK_SYMBOL;
            e = i + n;
        } else {
            tok->kind = LEAN_TOK_UNKNOWN;
            e = i + 1;
        }
        tok->content_end = e;
        goto out;
    case LS_CONTROL:
        tok->kind = LEAN_TOK_UNKNOWN;
        e = i + 1;
        tok->content_end = e;
        goto out;
    default:
        goto symbol;
    }
ident:
    e = lex_scan_ident(t, len, i, n, wide, g, &last);
    if (e < len && t[e] == '"' && t[e - 1] == '!') {
        /* s!"…", m!"…", f!"…" */
        uint32_t q = e;
        e = lex_scan_interp(t, len, q + 1, 0, &open);
        tok->kind = LEAN_TOK_INTERP_STRING;
        tok->content_start = q + 1;
        tok->content_end = open ? e : e - 1;
        goto out;
    }
    tok->kind = LEAN_TOK_IDENT;
    tok->content_start = last;
    tok->content_end = e;
    goto out;
symbol:
    tok->kind = LEAN_TOK_SYMBOL;
    e = i + lex_symbol_len(t, len, i);
    tok->content_end = e;
out:
    if (open)
        tok->flags |= LEAN_TOK_F_UNTERMINATED;
    *endp = e;
}

/* Accounts for bytes [from, to) of a token that may hold newlines and non-ASCII: keeps the
 * line and the line's start current, and marks the lines holding non-ASCII bytes (their
 * columns need a scan). Plain ASCII between them is skipped in blocks (bytescan.h:
 * docstrings are long). */
static unsigned
lex_account(struct lean_lex *lx, uint32_t from, uint32_t to, uint32_t *line, uint32_t *ls)
{
    unsigned wide = 0;
    const unsigned char *t = (const unsigned char *)lx->text;
    uint32_t pos[64];
    size_t k = from;
    /* locals: stores to the char array lx->wide would make every field be read again */
    uint32_t *lines = lx->lines, nlines = lx->nlines, alines = lx->alines, first = nlines;
    unsigned char *wd = lx->wide;
    while (k < to) {
        size_t np = bytescan_all_nl_or_high(lx->text, k, to, pos, 64, &k);
        for (size_t q = 0; q < np; q++) {
            uint32_t p = pos[q];
            if (t[p] == '\n') {
                if (nlines == alines) {
                    lx->nlines = nlines;
                    lex_add_line(lx, p + 1); /* grows the arrays */
                    lines = lx->lines;
                    wd = lx->wide;
                    alines = lx->alines;
                    nlines = lx->nlines;
                } else {
                    wd[nlines] = 0;
                    lines[nlines++] = p + 1;
                }
                *ls = p + 1;
            } else {
                wd[nlines - 1] = 1;
                wide = LEAN_TOK_F_WIDE;
            }
        }
    }
    *line += nlines - first;
    lx->nlines = nlines;
    return wide;
}

/* Where the token loop is: the next byte, its line and the line's start, the flags the
 * next token inherits, and the `»` memo. */
struct lex_state {
    uint32_t i, line, ls, last_line;
    bool have_prev;  /* a token precedes i (else the next one is LINE_FIRST) */
    unsigned spaced; /* LEAN_TOK_F_SPACE_BEFORE when white space precedes i */
    struct lex_guil guil;
};

/* Where lean_lex_update() may stop re-lexing: at a token starting a line whose start is at
 * or after new_end, when the old lexer has a line-first token at the same place in its text
 * (offset - delta) on a line that starts at or after the edit's old end too (so both lines
 * are the same bytes). resync receives that old token's index. */
struct lex_resync {
    const struct lean_lex *old;
    size_t from;       /* old tokens before this index are not candidates */
    uint32_t new_end;  /* the edit's end in the new text */
    int64_t delta;     /* new offset - old offset past the edit */
    size_t resync;     /* out: the old token index, or SIZE_MAX (ran to the end) */
};

static size_t lex_find_start(const struct lean_lex *lx, size_t lo, uint32_t off);

/* The token loop, from st to the end of the text (or to a resync point when rs is set).
 * One copy for both callers: inlined twice, the compiler stops inlining lex_one (+15%
 * instructions); the resync test costs lean_lex_new about 3%. */
static void
lex_loop(struct lean_lex *lx, struct lex_state *st, struct lex_resync *rs)
{
    const unsigned char *t = (const unsigned char *)lx->text;
    uint32_t i = st->i, n = lx->len, line = st->line, ls = st->ls;
    /* the first line on which a token is LINE_FIRST: 0 before any token, so that a token
     * precedes i exactly when first > 0 */
    uint32_t first = st->have_prev ? st->last_line + 1 : 0;
    unsigned spaced = st->spaced;
    struct lex_guil guil = st->guil;
    /* locals, kept in registers: a store to lx->wide (a char array) may alias any field.
     * out: where the next token goes; lim: the array's end */
    struct lean_tok *out = lx->toks + lx->ntoks, *lim = lx->toks + lx->atoks;

    while (i < n) {
        struct lean_tok tk; /* built here, stored whole */
        uint32_t e;
        unsigned char b = t[i];
        unsigned wide = 0;
        if (lex_is_space(b)) {
            spaced = LEAN_TOK_F_SPACE_BEFORE;
            if (b == '\n') {
                i++;
                line++;
                ls = i;
                lex_add_line(lx, i);
                continue;
            }
            i++;
            while (i < n && t[i] == ' ')
                i++;
            continue;
        }
        if (rs && first > 0 && ls >= rs->new_end && line >= first) {
            /* a line wholly after the edit: the old tokens from here on are these */
            size_t j = lex_find_start(rs->old, rs->from, (uint32_t)((int64_t)i - rs->delta));
            if (j < rs->old->ntoks && (rs->old->toks[j].flags & LEAN_TOK_F_LINE_FIRST) &&
                (int64_t)rs->old->lines[rs->old->toks[j].line] + rs->delta >=
                    (int64_t)rs->new_end) {
                rs->resync = j;
                break;
            }
        }
        tk.flags = (uint8_t)(spaced | (line >= first ? LEAN_TOK_F_LINE_FIRST : 0));
        tk.lines = 0;
        tk.line = line;
        tk.start = i;
        spaced = 0;
        lex_one(t, n, i, &tk, &e, &wide, &guil);
        switch (tk.kind) {
        case LEAN_TOK_NUMBER:
            break;
        case LEAN_TOK_IDENT:
            if (wide & LEX_ID_QUOTED) { /* a `«…»` part may span lines */
                lex_account(lx, i, e, &line, &ls);
                tk.flags |= LEAN_TOK_F_WIDE;
                tk.lines = lex_tok_lines(tk.line, line);
            } else if (wide) { /* non-ASCII letters: one line */
                lx->wide[lx->nlines - 1] = 1;
                tk.flags |= LEAN_TOK_F_WIDE;
            }
            break;
        case LEAN_TOK_SYMBOL:
        case LEAN_TOK_UNKNOWN:
            /* one line; a non-ASCII byte makes its columns need a scan */
            if (b >= 0x80) {
                lx->wide[lx->nlines - 1] = 1;
                tk.flags |= LEAN_TOK_F_WIDE;
            }
            break;
        default: /* strings and comments: any bytes, any lines */
            if (e > n)
                e = n; /* an escape at the very end */
            if (tk.content_end > e)
                tk.content_end = e;
            if (tk.content_start > tk.content_end)
                tk.content_start = tk.content_end;
            tk.flags |= (uint8_t)lex_account(lx, i, e, &line, &ls);
            tk.lines = lex_tok_lines(tk.line, line);
            if (tk.kind >= LEAN_TOK_LINE_COMMENT && tk.kind <= LEAN_TOK_MOD_DOC) {
                if (lx->ncomments == lx->acomments) {
                    lx->acomments = lx->acomments ? lx->acomments * 2 : 64;
                    lx->comments =
                        xreallocarray(lx->comments, lx->acomments, sizeof *lx->comments);
                }
                lx->comments[lx->ncomments++] = (uint32_t)(out - lx->toks);
            }
            break;
        }
        tk.end = e;
        if (out == lim) {
            lx->ntoks = lx->atoks;
            lex_grow(lx);
            out = lx->toks + lx->ntoks;
            lim = lx->toks + lx->atoks;
        }
        *out++ = tk;
        first = line + 1;
        i = e;
        /* the commonest gap, one space, taken without a trip round the loop */
        if (i + 1 < n && t[i] == ' ' && t[i + 1] != ' ' && t[i + 1] != '\n') {
            i++;
            spaced = LEAN_TOK_F_SPACE_BEFORE;
        }
    }
    lx->ntoks = (size_t)(out - lx->toks);
    st->i = i;
    st->line = line;
    st->ls = ls;
    st->last_line = first > 0 ? first - 1 : st->last_line;
    st->have_prev = first > 0;
    st->spaced = spaced;
    st->guil = guil;
}

static struct lean_lex *
lex_alloc(const char *text, size_t len, size_t atoks, uint32_t alines)
{
    struct lean_lex *lx = xcalloc(1, sizeof *lx);
    lx->text = text;
    lx->len = (uint32_t)(len > LEAN_LEX_MAX_LEN ? LEAN_LEX_MAX_LEN : len);
    lx->atoks = atoks;
    lx->toks = xbig_alloc(lx->atoks * sizeof *lx->toks);
    lx->alines = alines;
    lx->lines = xreallocarray(NULL, lx->alines, sizeof *lx->lines);
    lx->wide = xreallocarray(NULL, lx->alines, 1);
    return lx;
}

struct lean_lex *
lean_lex_new(const char *text, size_t len)
{
    uint32_t n = (uint32_t)(len > LEAN_LEX_MAX_LEN ? LEAN_LEX_MAX_LEN : len);
    /* a token has at least one byte: n + 1 never grows (dense Lean has one per 3 bytes; the
     * rest is address space, never touched: xbig pages are only faulted in when written).
     * Capped: a huge text grows. */
    struct lean_lex *lx =
        lex_alloc(text, len, n + 16 < LEX_PRESIZE_MAX ? n + 16 : LEX_PRESIZE_MAX, n / 40 + 16);
    struct lex_state st = {.guil = {1, 0}, /* empty: from > at */
                           .spaced = LEAN_TOK_F_SPACE_BEFORE}; /* the start is white space */
    lex_add_line(lx, 0);
    lex_loop(lx, &st, NULL);
    return lx;
}

/* The first token of lx at index >= lo starting at offset off, or lx->ntoks. */
static size_t
lex_find_start(const struct lean_lex *lx, size_t lo, uint32_t off)
{
    size_t hi = lx->ntoks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lx->toks[mid].start < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < lx->ntoks && lx->toks[lo].start == off ? lo : lx->ntoks;
}

/* True when s[lo, hi) holds a byte >= 0x80 (clamped to n). */
static bool
lex_any_wide(const char *s, size_t n, size_t lo, size_t hi)
{
    if (hi > n)
        hi = n;
    for (size_t k = lo; k < hi; k++)
        if ((unsigned char)s[k] >= 0x80)
            return true;
    return false;
}

/* True when s[0, n) holds a `«`. */
static bool
lex_has_guillemet(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while (p + 1 < end && (p = memchr(p, 0xC2, (size_t)(end - 1 - p))) != NULL) {
        if ((unsigned char)p[1] == 0xAB)
            return true;
        p++;
    }
    return false;
}

/* The first index in a[lo, hi) (ascending) whose value is >= v, or hi. */
static size_t
lex_lower_bound(const uint32_t *a, size_t lo, size_t hi, size_t v)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Token tk moved by db bytes and dl lines (modular adds: either may be "negative"). */
static inline struct lean_tok
lex_moved(struct lean_tok tk, uint32_t db, uint32_t dl)
{
    tk.start += db;
    tk.end += db;
    tk.content_start += db;
    tk.content_end += db;
    tk.line += dl;
    return tk;
}

/* Moves n tokens from src to dst (overlapping: dst after src goes from the end, before it
 * from the start), each by db bytes and dl lines. Two tokens are twelve 32-bit words, three
 * SSE2 vectors with the adds laid out once; both tokens are loaded before either is stored,
 * so a move by a single token stays right. */
#if defined(__SSE2__)
_Static_assert(sizeof(struct lean_tok) == 24 && offsetof(struct lean_tok, line) == 4 &&
                   offsetof(struct lean_tok, start) == 8 &&
                   offsetof(struct lean_tok, content_start) == 16,
               "lex_move_tokens() knows the token's layout");
#endif
static void
lex_move_tokens(struct lean_tok *dst, const struct lean_tok *src, size_t n, uint32_t db,
                uint32_t dl)
{
    size_t q = 0;
    bool right = dst > src;
#if defined(__SSE2__)
    /* words: (kind flags lines) line start end cstart cend, twice */
    const __m128i a0 = _mm_setr_epi32(0, (int)dl, (int)db, (int)db);
    const __m128i a1 = _mm_setr_epi32((int)db, (int)db, 0, (int)dl);
    const __m128i a2 = _mm_set1_epi32((int)db);
    for (; q + 2 <= n; q += 2) {
        size_t at = right ? n - q - 2 : q;
        const __m128i *from = (const __m128i *)(const void *)(src + at);
        __m128i *to = (__m128i *)(void *)(dst + at);
        __m128i v0 = _mm_loadu_si128(from), v1 = _mm_loadu_si128(from + 1);
        __m128i v2 = _mm_loadu_si128(from + 2);
        _mm_storeu_si128(to, _mm_add_epi32(v0, a0));
        _mm_storeu_si128(to + 1, _mm_add_epi32(v1, a1));
        _mm_storeu_si128(to + 2, _mm_add_epi32(v2, a2));
    }
#endif
    for (; q < n; q++) {
        size_t at = right ? n - q - 1 : q;
        dst[at] = lex_moved(src[at], db, dl);
    }
}

/*
 * Re-lexing after an edit. Tokens are lexed from their first byte with a few bytes of
 * look-ahead that never crosses a line break, except one: a `«` looks for the next `»`
 * anywhere after it. So:
 *   - the tokens ending before the line two above the edit stay as they are (unless the
 *     edit touches a `»` and a `«` precedes it: then everything is lexed again);
 *   - lexing restarts at that line (or earlier, at the start of a token that runs into it);
 *   - it stops at the first line that starts at or after the edit's end in the new text
 *     where the old lexer had a line-first token at the same place: from there on the old
 *     tokens are the new ones moved by the edit's change in bytes and lines (columns do
 *     not change: those lines are untouched).
 */
struct lean_lex *
lean_lex_update(struct lean_lex *old, const char *text, size_t len, size_t start,
                size_t old_end, size_t new_end)
{
    uint32_t n = (uint32_t)(len > LEAN_LEX_MAX_LEN ? LEAN_LEX_MAX_LEN : len);
    if (old == NULL || start > old_end || old_end > old->len || start > new_end ||
        new_end > n || (int64_t)old->len - (int64_t)old_end != (int64_t)n - (int64_t)new_end ||
        old->ntoks == 0) {
        lean_lex_free(old);
        return lean_lex_new(text, len);
    }
    /* the `»` rule: an edit touching a non-ASCII byte (which may add or remove a `»`)
     * after a `«` lexes everything again */
    {
        size_t lo = start ? start - 1 : 0;
        if ((lex_any_wide(text, n, lo, new_end + 1) || lex_any_wide(old->text, old->len, lo, old_end + 1)) &&
            lex_has_guillemet(text, start)) {
            lean_lex_free(old);
            return lean_lex_new(text, len);
        }
    }
    /* the restart point: the start of the line two above the edit's, or of the token that
     * runs into it */
    uint32_t eline = lean_lex_pos(old, start).line;
    uint32_t rline = eline >= 2 ? eline - 2 : 0;
    uint32_t r = old->lines[rline];
    size_t k = 0, lo = 0, hi = old->ntoks;
    while (lo < hi) { /* the first token ending after r */
        size_t mid = lo + (hi - lo) / 2;
        if (old->toks[mid].end <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    k = lo;
    if (k < old->ntoks && old->toks[k].start < r)
        r = old->toks[k].start;
    rline = k < old->ntoks && old->toks[k].start == r ? old->toks[k].line
                                                           : lean_lex_pos(old, r).line;

    /* the new lexer: the old one's prefix of lines, a fresh token loop from r into a side
     * array, then the old suffix moved */
    struct lean_lex *lx = xcalloc(1, sizeof *lx);
    lx->text = text;
    lx->len = n;
    lx->alines = old->alines > rline + 16 ? old->alines : rline + 16;
    lx->lines = xreallocarray(NULL, lx->alines, sizeof *lx->lines);
    lx->wide = xreallocarray(NULL, lx->alines, 1);
    memcpy(lx->lines, old->lines, (size_t)(rline + 1) * sizeof *lx->lines);
    memcpy(lx->wide, old->wide, (size_t)rline + 1);
    lx->nlines = rline + 1;
    {
        /* the restart line's flag, from its bytes before r (the rest is lexed again) */
        uint32_t ls = lx->lines[rline];
        lx->wide[rline] = 0;
        for (uint32_t b = ls; b < r; b++)
            if ((unsigned char)text[b] >= 0x80)
                lx->wide[rline] = 1;
    }

    struct lean_lex side = {.text = text, .len = n};
    side.lines = lx->lines; /* lines go straight to lx: swap the arrays in */
    side.wide = lx->wide;
    side.nlines = lx->nlines;
    side.alines = lx->alines;
    side.atoks = 64;
    side.toks = xreallocarray(NULL, side.atoks, sizeof *side.toks);
    struct lex_state st = {.i = r, .line = rline, .ls = lx->lines[rline], .guil = {1, 0}};
    st.have_prev = k > 0;
    st.last_line = k > 0 ? lean_lex_tok_end_line(old, &old->toks[k - 1]) : 0;
    st.spaced = k < old->ntoks && old->toks[k].start == r
                    ? (old->toks[k].flags & LEAN_TOK_F_SPACE_BEFORE)
                    : (r == 0 || lex_is_space((unsigned char)text[r - 1]) ? LEAN_TOK_F_SPACE_BEFORE : 0);
    struct lex_resync rs = {old, k, (uint32_t)new_end, (int64_t)new_end - (int64_t)old_end,
                            SIZE_MAX};
    /* the side lexer's own token indices start at 0: side.ntoks counts relexed tokens */
    lex_loop(&side, &st, &rs);
    lx->lines = side.lines;
    lx->wide = side.wide;
    lx->nlines = side.nlines;
    lx->alines = side.alines;

    size_t j = rs.resync == SIZE_MAX ? old->ntoks : rs.resync, nrel = side.ntoks;
    size_t nsuf = old->ntoks - j, total = k + nrel + nsuf;
    int64_t dbytes = rs.delta;
    int64_t dline = 0;
    if (j < old->ntoks) {
        /* the resync line: the same bytes; its number and the rest move */
        uint32_t oline = old->toks[j].line;
        dline = (int64_t)st.line - (int64_t)oline;
        lx->wide[lx->nlines - 1] = old->wide[oline];
        uint32_t more = old->nlines - oline - 1;
        if (lx->nlines + more > lx->alines) {
            lx->alines = lx->nlines + more + 16;
            lx->lines = xreallocarray(lx->lines, lx->alines, sizeof *lx->lines);
            lx->wide = xreallocarray(lx->wide, lx->alines, 1);
        }
        for (uint32_t q = 0; q < more; q++)
            lx->lines[lx->nlines + q] = (uint32_t)((int64_t)old->lines[oline + 1 + q] + dbytes);
        memcpy(lx->wide + lx->nlines, old->wide + oline + 1, more);
        lx->nlines += more;
    }

    /* tokens: the old array, prefix in place, the suffix moved to its new index */
    lx->toks = old->toks;
    lx->atoks = old->atoks;
    old->toks = NULL;
    if (total > lx->atoks) {
        size_t na = total + total / 2 + 16;
        lx->toks = xbig_grow(lx->toks, lx->atoks * sizeof *lx->toks, na * sizeof *lx->toks);
        lx->atoks = na;
    }
    {
        size_t to = k + nrel;
        uint32_t ub = (uint32_t)dbytes, ul = (uint32_t)dline; /* modular adds */
        if (to != j || dbytes != 0 || dline != 0)
            lex_move_tokens(lx->toks + to, lx->toks + j, nsuf, ub, ul);
        if (nrel)
            memcpy(lx->toks + k, side.toks, nrel * sizeof *lx->toks);
    }
    lx->ntoks = total;
    free(side.toks);
    lx->re_known = true;
    lx->re_first = k;
    lx->re_old_end = j;
    lx->re_new_end = k + nrel;
    lx->re_edit = (struct lean_lex_edit){(uint32_t)start, (uint32_t)old_end, (uint32_t)new_end,
                                         dbytes, j < old->ntoks ? dline : 0};

    /* comments: the old prefix's, the relexed ones, the old suffix's renumbered */
    {
        size_t nside = side.ncomments;
        size_t cpre = lex_lower_bound(old->comments, 0, old->ncomments, k);
        size_t csuf_from = lex_lower_bound(old->comments, cpre, old->ncomments, j);
        size_t nc = cpre + nside + (old->ncomments - csuf_from);
        lx->acomments = nc + 16;
        lx->comments = xreallocarray(NULL, lx->acomments, sizeof *lx->comments);
        if (cpre)
            memcpy(lx->comments, old->comments, cpre * sizeof *lx->comments);
        for (size_t q = 0; q < nside; q++)
            lx->comments[cpre + q] = (uint32_t)(side.comments[q] + k);
        for (size_t q = csuf_from; q < old->ncomments; q++)
            lx->comments[cpre + nside + q - csuf_from] =
                (uint32_t)((int64_t)old->comments[q] - (int64_t)j + (int64_t)(k + nrel));
        lx->ncomments = nc;
        free(side.comments);
    }
    lean_lex_free(old);
    return lx;
}

void
lean_lex_free(struct lean_lex *lx)
{
    if (!lx)
        return;
    xbig_free(lx->toks, lx->atoks * sizeof *lx->toks);
    free(lx->lines);
    free(lx->wide);
    free(lx->comments);
    free(lx);
}

bool
lean_lex_reused(const struct lean_lex *lx, size_t *first, size_t *old_end, size_t *new_end)
{
    if (!lx->re_known)
        return false;
    *first = lx->re_first;
    *old_end = lx->re_old_end;
    *new_end = lx->re_new_end;
    return true;
}

bool
lean_lex_edit(const struct lean_lex *lx, struct lean_lex_edit *e)
{
    if (!lx->re_known)
        return false;
    *e = lx->re_edit;
    return true;
}

const uint32_t *
lean_lex_comments(const struct lean_lex *lx, size_t *n)
{
    *n = lx->ncomments;
    return lx->comments;
}

size_t
lean_lex_count(const struct lean_lex *lx)
{
    return lx->ntoks;
}

const struct lean_tok *
lean_lex_tokens(const struct lean_lex *lx)
{
    return lx->ntoks ? lx->toks : NULL;
}

const struct lean_tok *
lean_lex_tok(const struct lean_lex *lx, size_t i)
{
    return i < lx->ntoks ? &lx->toks[i] : NULL;
}

bool
lean_tok_is_comment(enum lean_tok_kind kind)
{
    return kind == LEAN_TOK_LINE_COMMENT || kind == LEAN_TOK_BLOCK_COMMENT ||
           kind == LEAN_TOK_DOC_COMMENT || kind == LEAN_TOK_MOD_DOC;
}

bool
lean_lex_tok_is(const struct lean_lex *lx, const struct lean_tok *t, const char *s)
{
    size_t n = strlen(s);
    return t->end - t->start == n && memcmp(lx->text + t->start, s, n) == 0;
}

size_t
lean_lex_skip_comments(const struct lean_lex *lx, size_t i)
{
    while (i < lx->ntoks && (lx->toks[i].kind == LEAN_TOK_LINE_COMMENT ||
                             lx->toks[i].kind == LEAN_TOK_BLOCK_COMMENT))
        i++;
    return i < lx->ntoks ? i : lx->ntoks;
}

const char *
lean_lex_text(const struct lean_lex *lx)
{
    return lx->text;
}

size_t
lean_lex_len(const struct lean_lex *lx)
{
    return lx->len;
}

uint32_t
lean_lex_line_count(const struct lean_lex *lx)
{
    return lx->nlines;
}

uint32_t
lean_lex_line_start(const struct lean_lex *lx, uint32_t line)
{
    return line < lx->nlines ? lx->lines[line] : lx->len;
}

bool
lean_lex_line_is_blank(const struct lean_lex *lx, uint32_t line)
{
    uint32_t i, end;
    if (line >= lx->nlines)
        return false;
    end = line + 1 < lx->nlines ? lx->lines[line + 1] : lx->len;
    for (i = lx->lines[line]; i < end; i++) {
        char b = lx->text[i];
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n')
            return false;
    }
    return true;
}

/* Index of the line holding byte off, searching lines [lo, hi). */
static uint32_t
lex_line_in(const struct lean_lex *lx, uint32_t off, uint32_t lo, uint32_t hi)
{
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (lx->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The position of byte o (<= len) on line (known). */
static inline struct lsp_pos
lex_pos_on(const struct lean_lex *lx, uint32_t o, uint32_t line)
{
    struct lsp_pos p = {line, o - lx->lines[line]};
    if (lx->wide[line])
        p.character = (uint32_t)bytescan_utf16_units(lx->text, lx->lines[line], o);
    return p;
}

uint32_t
lean_lex_tok_end_line(const struct lean_lex *lx, const struct lean_tok *t)
{
    if (t->lines < LEAN_TOK_MANY_LINES)
        return t->line + t->lines;
    return lex_line_in(lx, t->end, t->line, lx->nlines);
}

struct lean_span
lean_lex_toks_span(const struct lean_lex *lx, const struct lean_tok *first,
                   const struct lean_tok *last)
{
    struct lean_span s;
    s.start = first->start;
    s.end = last->end;
    s.range.start = lex_pos_on(lx, first->start, first->line);
    s.range.end = lex_pos_on(lx, last->end, lean_lex_tok_end_line(lx, last));
    return s;
}

struct lean_span
lean_lex_tok_span(const struct lean_lex *lx, const struct lean_tok *t)
{
    return lean_lex_toks_span(lx, t, t);
}

bool
lean_lex_tok_col0(const struct lean_lex *lx, const struct lean_tok *t)
{
    return t->start == lx->lines[t->line];
}

/* The position of byte o (<= len), whose line is in [lo, hi). */
static struct lsp_pos
lex_pos_in(const struct lean_lex *lx, uint32_t o, uint32_t lo, uint32_t hi)
{
    struct lsp_pos p;
    const unsigned char *t = (const unsigned char *)lx->text;
    uint32_t i, col = 0;
    p.line = lex_line_in(lx, o, lo, hi);
    if (!lx->wide[p.line]) {
        p.character = o - lx->lines[p.line];
        return p;
    }
    for (i = lx->lines[p.line]; i < o; i++)
        col += lex_units(t[i]);
    p.character = col;
    return p;
}

struct lsp_pos
lean_lex_pos(const struct lean_lex *lx, size_t off)
{
    return lex_pos_in(lx, (uint32_t)(off > lx->len ? lx->len : off), 0, lx->nlines);
}

/* The span of [start, end) (clamped to [0, len]), both on lines [lo, hi). */
static struct lean_span
lex_span_in(const struct lean_lex *lx, size_t start, size_t end, uint32_t lo, uint32_t hi)
{
    struct lean_span s;
    if (start > lx->len)
        start = lx->len;
    if (end > lx->len)
        end = lx->len;
    if (end < start)
        end = start;
    s.start = (uint32_t)start;
    s.end = (uint32_t)end;
    s.range.start = lex_pos_in(lx, (uint32_t)start, lo, hi);
    if (end == start) {
        s.range.end = s.range.start;
    } else {
        /* continue from the start instead of searching again when on the same line */
        uint32_t line_end = s.range.start.line + 1 < lx->nlines
                                ? lx->lines[s.range.start.line + 1]
                                : lx->len + 1;
        if (end < line_end) {
            const unsigned char *t = (const unsigned char *)lx->text;
            uint32_t col = s.range.start.character;
            if (!lx->wide[s.range.start.line])
                col += (uint32_t)(end - start);
            else
                for (size_t i = start; i < end; i++)
                    col += lex_units(t[i]);
            s.range.end.line = s.range.start.line;
            s.range.end.character = col;
        } else {
            s.range.end = lex_pos_in(lx, (uint32_t)end, s.range.start.line, hi);
        }
    }
    return s;
}

struct lean_span
lean_lex_span(const struct lean_lex *lx, size_t start, size_t end)
{
    return lex_span_in(lx, start, end, 0, lx->nlines);
}

struct lean_span
lean_lex_span_in(const struct lean_lex *lx, const struct lean_tok *t, size_t start, size_t end)
{
    if (start < t->start)
        start = t->start;
    if (start > t->end)
        start = t->end;
    if (end > t->end)
        end = t->end;
    return lex_span_in(lx, start, end, t->line, lean_lex_tok_end_line(lx, t) + 1);
}

struct lean_span
lean_lex_content_span(const struct lean_lex *lx, const struct lean_tok *t)
{
    return lean_lex_span_in(lx, t, t->content_start, t->content_end);
}

size_t
lean_lex_offset(const struct lean_lex *lx, struct lsp_pos pos)
{
    const unsigned char *t = (const unsigned char *)lx->text;
    uint32_t i, end, col = 0;
    if (pos.line >= lx->nlines)
        return lx->len;
    i = lx->lines[pos.line];
    end = pos.line + 1 < lx->nlines ? lx->lines[pos.line + 1] - 1 : lx->len; /* at '\n' */
    if (!lx->wide[pos.line])
        return end - i < pos.character ? end : i + pos.character;
    while (i < end && col < pos.character) {
        col += lex_units(t[i]);
        i++;
        while (i < end && (t[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}
