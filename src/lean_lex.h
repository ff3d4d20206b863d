/*
 * lean_lex: a Lean 4 lexer that knows where every token is (shared/lean-lsp-facts.md §9).
 *
 * One pass over the text produces one array of tokens, comments included, each with its
 * byte offsets and first line; its LSP range (0-based line, UTF-16 columns; position.h)
 * comes from the line index, lean_lex_tok_span(). It owns the
 * token array and a line-start index; it does not own the text (borrowed: it must outlive
 * the lexer and stay unchanged). It knows nothing about commands or declarations: that is
 * decls (decls.h) and blueprint (blueprint.h), which read the tokens through this header.
 *
 * Lexical facts followed: nested block comments (only `/-` and `-/` are counted), doc
 * comments `/-- -/`, module docs `/-! -/`, line comments, strings with escapes and line
 * gaps, interpolated strings (`s!"…{e}…"`: a `"` inside the braces does not end the
 * string), raw strings `r"…"`, `r#"…"#`, char literals vs primes in names, identifiers
 * with dots, Unicode letter-likes, subscripts, `!`/`?` and `«…»` parts, numbers, and
 * multi-character symbols. Any bytes are accepted: an invalid UTF-8 byte becomes one
 * LEAN_TOK_UNKNOWN token. Lines end at '\n' (a '\r' before it is the line's last
 * character, so CRLF files get the same line numbers; a lone '\r' is not a break, as in
 * Lean's FileMap).
 *
 * Ownership: lean_lex_new() returns a lexer the caller frees with lean_lex_free();
 * every pointer it hands out (tokens, text) is borrowed and valid until then.
 */
#ifndef LSP_PROXY_LEAN_LEX_H
#define LSP_PROXY_LEAN_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "position.h"

/* The longest text lexed: offsets are 32-bit; bytes past this are ignored. */
#define LEAN_LEX_MAX_LEN ((size_t)UINT32_MAX - 1)

/* A stretch of the text: bytes [start, end) and the same stretch as an LSP range. Used
 * by decls and blueprint for every span they report; a token's is lean_lex_tok_span(). */
struct lean_span {
    uint32_t start;         /* byte offset of the first byte */
    uint32_t end;           /* byte offset just past the last byte (== start: empty) */
    struct lsp_range range; /* the same stretch in LSP positions (end exclusive) */
};

enum lean_tok_kind {
    LEAN_TOK_IDENT,         /* identifier or keyword: `def`, `Nat.succ_le`, `h'`, `x₁`,
                             * `exact?`, `«my name»`, `_root_.foo` (keywords are not told
                             * apart: compare the text, lean_lex_tok_is()); content = the
                             * last name part (`succ_le`: after the last dot outside «») */
    LEAN_TOK_NUMBER,        /* 42, 0x1F, 0b101, 0o17, 2.5, 1e-3 */
    LEAN_TOK_STRING,        /* "…"; content = between the quotes, escapes not decoded */
    LEAN_TOK_INTERP_STRING, /* s!"…{e}…", m!"…", f!"…" (any `name!` glued to `"`);
                             * content = between the quotes */
    LEAN_TOK_RAW_STRING,    /* r"…", r#"…"#, r##"…"##; content = between the quotes */
    LEAN_TOK_CHAR,          /* 'a', '\n', '\''; content = between the quotes */
    LEAN_TOK_SYMBOL,        /* punctuation and operators, longest match: `:=` `=>` `←`
                             * `⟨` `@[` `(` …; `#` glued to a name is one token: `#exit` */
    LEAN_TOK_LINE_COMMENT,  /* -- … up to the end of the line (no '\n', no trailing '\r');
                             * content = after the `--` */
    LEAN_TOK_BLOCK_COMMENT, /* /- … -/ (nested); content = between the delimiters */
    LEAN_TOK_DOC_COMMENT,   /* /-- … -/; content = between `/--` and `-/` */
    LEAN_TOK_MOD_DOC,       /* /-! … -/; content = between `/-!` and `-/` */
    LEAN_TOK_UNKNOWN,       /* one byte that starts no token (invalid UTF-8, stray byte) */
};

/* lean_tok.flags */
#define LEAN_TOK_F_UNTERMINATED 0x01u /* comment or string running to the end of the text */
#define LEAN_TOK_F_LINE_FIRST   0x02u /* first token on its line (only blanks before it) */
#define LEAN_TOK_F_SPACE_BEFORE 0x04u /* preceded by whitespace, or first in the text */
#define LEAN_TOK_F_WIDE         0x08u /* holds a byte >= 0x80 (or, for an identifier, a `«…»`
                                       * part); without it, every byte is ASCII */

/* One token. Public, read-only: callers index the lexer's array. 24 bytes: a token holds
 * its first line but no columns; lean_lex_tok_span() gives its LSP range from the line
 * index (columns cost a scan only on lines holding non-ASCII bytes). */
#define LEAN_TOK_MANY_LINES 0xFFFFu /* lean_tok.lines: this many line breaks or more */
struct lean_tok {
    uint8_t kind;           /* enum lean_tok_kind */
    uint8_t flags;          /* LEAN_TOK_F_* */
    uint16_t lines;         /* line breaks inside the token (LEAN_TOK_MANY_LINES: count
                             * them) */
    uint32_t line;          /* the line of start (0-based) */
    uint32_t start;         /* byte offset of the first byte (delimiters included) */
    uint32_t end;           /* byte offset just past the last byte */
    uint32_t content_start; /* byte offsets of the content (see the kinds); for the kinds */
    uint32_t content_end;   /* that name none, the same as start, end */
};

struct lean_lex;

/* ---- lifecycle ---- */

/* Lexes text[0, len) (any bytes; need not be NUL-terminated, may contain NUL). Borrows
 * text: it must outlive the lexer. Never fails (allocation aborts, xalloc.h). */
struct lean_lex *lean_lex_new(const char *text, size_t len);
/* The lexer of text[0, len) after an edit: old lexed the text before it, which equals the
 * new one except that old bytes [start, old_end) became new bytes [start, new_end) (so
 * both end in the same bytes). Consumes old (freed, even on the fallback) and returns what
 * lean_lex_new(text, len) would, token for token: only the lines around the edit are lexed
 * again, the tokens after them are moved. Edits that do not fit old lex from scratch. */
struct lean_lex *lean_lex_update(struct lean_lex *old, const char *text, size_t len,
                                 size_t start, size_t old_end, size_t new_end);
/* What lean_lex_update() kept, for passes that keep per-token data of their own: tokens
 * [0, *first) are the old lexer's [0, *first), and the old tokens from *old_end on are the
 * tokens from *new_end on, moved (only their offsets and lines differ). False when lx was
 * lexed from scratch (lean_lex_new(), or an update that fell back to it). */
bool lean_lex_reused(const struct lean_lex *lx, size_t *first, size_t *old_end, size_t *new_end);
/* The byte edit behind lean_lex_reused(): new bytes [start, new_end) replaced old bytes
 * [start, old_end); bytes before start are the same in both texts, and old bytes from
 * old_end on moved by dbytes. The moved tokens' lines moved by dlines (0 when none moved),
 * their columns not at all. False when lean_lex_reused() is. */
struct lean_lex_edit {
    uint32_t start, old_end, new_end;
    int64_t dbytes, dlines;
};
bool lean_lex_edit(const struct lean_lex *lx, struct lean_lex_edit *e);
/* Frees the lexer and its tokens; NULL is a no-op. */
void lean_lex_free(struct lean_lex *lx);

/* ---- tokens ---- */

/* Number of tokens (comments included). */
size_t lean_lex_count(const struct lean_lex *lx);
/* The token array, lean_lex_count() entries in text order (NULL when there are none). */
const struct lean_tok *lean_lex_tokens(const struct lean_lex *lx);
/* Token i, or NULL when i >= lean_lex_count(). */
const struct lean_tok *lean_lex_tok(const struct lean_lex *lx, size_t i);
/* True for the kinds that are comments (line, block, doc, module doc). */
bool lean_tok_is_comment(enum lean_tok_kind kind);
/* Token t's span: its bytes and its LSP range. */
struct lean_span lean_lex_tok_span(const struct lean_lex *lx, const struct lean_tok *t);
/* The span from token first's start to token last's end (first <= last). */
struct lean_span lean_lex_toks_span(const struct lean_lex *lx, const struct lean_tok *first,
                                    const struct lean_tok *last);
/* The line of token t's end (its range's end.line). */
uint32_t lean_lex_tok_end_line(const struct lean_lex *lx, const struct lean_tok *t);
/* True when token t is the first of its line at column 0. */
bool lean_lex_tok_col0(const struct lean_lex *lx, const struct lean_tok *t);
/* True when token t's bytes equal the NUL-terminated word s ("def", ":=", "#exit"). */
bool lean_lex_tok_is(const struct lean_lex *lx, const struct lean_tok *t, const char *s);
/* The token indices of every comment (line, block, doc, module doc), in text order; *n of
 * them (NULL when there are none). For passes that look only at comments. */
const uint32_t *lean_lex_comments(const struct lean_lex *lx, size_t *n);
/* Index of the first token at or after i that is not a line or block comment (doc
 * comments and module docs are kept: they mean something); lean_lex_count() if none. */
size_t lean_lex_skip_comments(const struct lean_lex *lx, size_t i);

/* ---- the text ---- */

/* The borrowed text and its length (as lexed: at most LEAN_LEX_MAX_LEN). */
const char *lean_lex_text(const struct lean_lex *lx);
size_t lean_lex_len(const struct lean_lex *lx);

/* ---- lines and positions ---- */

/* Number of lines (a text ending in '\n' has an empty last line; an empty text has 1). */
uint32_t lean_lex_line_count(const struct lean_lex *lx);
/* Byte offset where line starts; the text's length for line >= lean_lex_line_count(). */
uint32_t lean_lex_line_start(const struct lean_lex *lx, uint32_t line);
/* True when line holds only spaces, tabs and '\r' (or nothing). False past the end. */
bool lean_lex_line_is_blank(const struct lean_lex *lx, uint32_t line);
/* The LSP position of byte offset off (clamped to the text's length). An offset inside a
 * multi-byte character counts the character as before it. O(log lines + line length). */
struct lsp_pos lean_lex_pos(const struct lean_lex *lx, size_t off);
/* The span of bytes [start, end) (clamped; end < start is taken as start). */
struct lean_span lean_lex_span(const struct lean_lex *lx, size_t start, size_t end);
/* The span of bytes [start, end) inside token t (clamped to t): the same as
 * lean_lex_span(), cheaper, since only t's lines are searched. */
struct lean_span lean_lex_span_in(const struct lean_lex *lx, const struct lean_tok *t,
                                  size_t start, size_t end);
/* The span of token t's content (between its delimiters). */
struct lean_span lean_lex_content_span(const struct lean_lex *lx, const struct lean_tok *t);
/* The byte offset of LSP position pos (a character past the line's end clamps to the
 * line's end; a line past the end gives the text's length). */
size_t lean_lex_offset(const struct lean_lex *lx, struct lsp_pos pos);

#endif
