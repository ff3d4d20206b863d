/* test_lean_lex: the Lean lexer through its header: token kinds, spans, content, positions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lean_lex.h"
#include "tap.h"

static struct lean_lex *lx;
static const char *src;

static void
lex(const char *text)
{
    lean_lex_free(lx);
    src = text;
    lx = lean_lex_new(text, strlen(text));
}

/* A token's span, from the current lexer. */
static struct lean_span
sp(const struct lean_tok *t)
{
    return lean_lex_tok_span(lx, t);
}

/* The text of token i (static buffer). */
static const char *
tok_text(size_t i)
{
    static char out[512];
    const struct lean_tok *t = lean_lex_tok(lx, i);
    size_t n;
    if (!t)
        return "(none)";
    n = t->end - t->start;
    if (n >= sizeof out)
        n = sizeof out - 1;
    memcpy(out, src + t->start, n);
    out[n] = '\0';
    return out;
}

static const char *
content_text(size_t i)
{
    static char out[512];
    const struct lean_tok *t = lean_lex_tok(lx, i);
    size_t n;
    if (!t)
        return "(none)";
    n = t->content_end - t->content_start;
    if (n >= sizeof out)
        n = sizeof out - 1;
    memcpy(out, src + t->content_start, n);
    out[n] = '\0';
    return out;
}

static int
kind(size_t i)
{
    const struct lean_tok *t = lean_lex_tok(lx, i);
    return t ? (int)t->kind : -1;
}

/* Index of the first token whose text is s, or -1. */
static long
find(const char *s)
{
    for (size_t i = 0; i < lean_lex_count(lx); i++)
        if (lean_lex_tok_is(lx, lean_lex_tok(lx, i), s))
            return (long)i;
    return -1;
}

static void
test_comments(void)
{
    lex("/- a /- b -/ c -/ x");
    is_int(lean_lex_count(lx), 2, "nested block comment is one token");
    is_int(kind(0), LEAN_TOK_BLOCK_COMMENT, "block comment kind");
    is_str(content_text(0), " a /- b -/ c ", "block comment content");
    is_str(tok_text(1), "x", "token after a nested comment");

    lex("/-- doc /- nested -/ -- not a line comment\n more -/ def");
    is_int(lean_lex_count(lx), 2, "docstring with nested comment and -- is one token");
    is_int(kind(0), LEAN_TOK_DOC_COMMENT, "doc comment kind");
    is_str(content_text(0), " doc /- nested -/ -- not a line comment\n more ", "doc content");
    is_str(tok_text(1), "def", "keyword after docstring");
    is_int(sp(lean_lex_tok(lx, 1)).range.start.line, 1, "def on line 1");
    is_int(sp(lean_lex_tok(lx, 1)).range.start.character, 9, "def at column 9");

    lex("/-! # Module\ntext -/\ntheorem");
    is_int(kind(0), LEAN_TOK_MOD_DOC, "module doc kind");
    is_str(content_text(0), " # Module\ntext ", "module doc content");

    lex("/- a -- b -/ x");
    is_int(lean_lex_count(lx), 2, "-- inside a block comment is text");

    lex("/- a --/ x");
    is_int(lean_lex_count(lx), 2, "--/ closes the comment");
    is_str(tok_text(1), "x", "token after --/");

    lex("/- a /- b -/ x");
    is_int(lean_lex_count(lx), 1, "unterminated nested comment runs to the end");
    ok(lean_lex_tok(lx, 0)->flags & LEAN_TOK_F_UNTERMINATED, "unterminated flag on comment");

    lex("x -- c \"q\"\ny");
    is_int(kind(1), LEAN_TOK_LINE_COMMENT, "line comment kind");
    is_str(content_text(1), " c \"q\"", "line comment content");
    is_str(tok_text(2), "y", "next line token");
    is_int(sp(lean_lex_tok(lx, 2)).range.start.line, 1, "y on line 1");

    lex("a /-- x -/ b -- c\n/- d -/ e");
    is_int(lean_lex_skip_comments(lx, 3), 5, "skip_comments skips line and block comments");
    is_int(lean_lex_skip_comments(lx, 1), 1, "skip_comments keeps doc comments");
    ok(lean_tok_is_comment(LEAN_TOK_DOC_COMMENT) && lean_tok_is_comment(LEAN_TOK_MOD_DOC) &&
           !lean_tok_is_comment(LEAN_TOK_STRING),
       "lean_tok_is_comment");
}

static void
test_strings(void)
{
    long i;
    lex("\"a -- b\" x");
    is_int(lean_lex_count(lx), 2, "-- inside a string is not a comment");
    is_int(kind(0), LEAN_TOK_STRING, "string kind");
    is_str(content_text(0), "a -- b", "string content");

    lex("\"a /- b\" x");
    is_int(lean_lex_count(lx), 2, "/- inside a string is not a comment");

    lex("\"a\\\"b\\\\\" x");
    is_str(tok_text(0), "\"a\\\"b\\\\\"", "escaped quote and backslash");
    is_str(tok_text(1), "x", "after escapes");

    lex("\"\\x41\\u{1F600}\\n\" y");
    is_int(lean_lex_count(lx), 2, "hex and unicode escapes");

    lex("\"a\\\n   b\" z");
    is_int(lean_lex_count(lx), 2, "line gap inside string");
    is_int(sp(lean_lex_tok(lx, 1)).range.start.line, 1, "line gap counts the newline");

    lex("s!\"a {f \"}\" 1} b\" x");
    is_int(kind(0), LEAN_TOK_INTERP_STRING, "interpolated string kind");
    is_str(tok_text(0), "s!\"a {f \"}\" 1} b\"", "a quote inside {} does not end s!");
    is_str(content_text(0), "a {f \"}\" 1} b", "interpolated content");
    is_str(tok_text(1), "x", "after interpolated string");

    lex("m!\"{ {a := 1}.a } and {s!\"{x}\"}\" y");
    is_int(kind(0), LEAN_TOK_INTERP_STRING, "m! with nested braces and nested s!");
    is_str(tok_text(1), "y", "after nested interpolation");

    lex("f!\"{'}'}\" w");
    is_int(lean_lex_count(lx), 2, "char '}' inside interpolation");

    lex("r\"a\\b\" x");
    is_int(kind(0), LEAN_TOK_RAW_STRING, "raw string");
    is_str(content_text(0), "a\\b", "raw string has no escapes");

    lex("r#\"a\"b\"# x");
    is_str(tok_text(0), "r#\"a\"b\"#", "r#\"…\"# holds a quote");
    is_str(content_text(0), "a\"b", "raw hash content");

    lex("r##\"a\"#b\"## x");
    is_str(tok_text(0), "r##\"a\"#b\"##", "r##\"…\"## holds \"#");
    is_str(tok_text(1), "x", "after r##");

    lex("r x rfl r#check");
    is_int(kind(0), LEAN_TOK_IDENT, "lone r is an identifier");
    i = find("rfl");
    ok(i >= 0 && kind((size_t)i) == LEAN_TOK_IDENT, "rfl is an identifier");

    lex("\"open");
    ok(lean_lex_tok(lx, 0)->flags & LEAN_TOK_F_UNTERMINATED, "unterminated string flag");
    is_str(content_text(0), "open", "unterminated string content");

    lex("\"ends with backslash\\");
    is_int(lean_lex_count(lx), 1, "backslash at the end of text");
    is_int(lean_lex_tok(lx, 0)->end, strlen(src), "token clamped to text");
}

static void
test_chars_and_primes(void)
{
    lex("'a' '\\n' '\\'' h' x'' 'b'");
    is_int(kind(0), LEAN_TOK_CHAR, "'a' is a char");
    is_str(content_text(0), "a", "char content");
    is_int(kind(1), LEAN_TOK_CHAR, "'\\n' is a char");
    is_int(kind(2), LEAN_TOK_CHAR, "'\\'' is a char");
    is_str(tok_text(2), "'\\''", "escaped quote char");
    is_int(kind(3), LEAN_TOK_IDENT, "h' is an identifier");
    is_str(tok_text(3), "h'", "prime kept in identifier");
    is_str(tok_text(4), "x''", "double prime kept");
    is_int(kind(5), LEAN_TOK_CHAR, "char after primes");

    lex("f' x ∑' i, g i");
    is_str(tok_text(0), "f'", "f' identifier");
    is_str(tok_text(3), "'", "lone quote is a symbol");
    is_int(kind(3), LEAN_TOK_SYMBOL, "lone quote kind");

    lex("'ℝ' '\\x41' '\\u{3b1}'");
    is_int(lean_lex_count(lx), 3, "unicode and escaped chars");
    is_int(kind(2), LEAN_TOK_CHAR, "'\\u{..}' char");
}

static void
test_identifiers(void)
{
    lex("Nat.succ_le x₁ αβ 𝔽 ℝ exact? simp! «sorry thing» Foo.«bar baz».qux _root_.foo");
    is_int(lean_lex_count(lx), 10, "identifier count");
    for (size_t i = 0; i < 10; i++)
        is_int(kind(i), LEAN_TOK_IDENT, "identifier kind %zu: %s", i, tok_text(i));
    is_str(tok_text(0), "Nat.succ_le", "dotted name");
    is_str(tok_text(1), "x₁", "subscript");
    is_str(tok_text(5), "exact?", "? suffix");
    is_str(tok_text(6), "simp!", "! suffix");
    is_str(tok_text(7), "«sorry thing»", "guillemets");
    is_str(tok_text(8), "Foo.«bar baz».qux", "guillemet part in a dotted name");
    /* an identifier's content is its last name part */
    is_str(content_text(0), "succ_le", "content of Nat.succ_le: the last part");
    is_str(content_text(1), "x₁", "content of an undotted name: all of it");
    is_str(content_text(7), "«sorry thing»", "content of «sorry thing»");
    is_str(content_text(8), "qux", "content of Foo.«bar baz».qux");
    is_str(content_text(9), "foo", "content of _root_.foo");
    lex("Foo.«a.b» «x.y».z");
    is_str(content_text(0), "«a.b»", "a dot inside «» does not split");
    is_str(content_text(1), "z", "after a «» part with a dot");

    lex("h.1 x.y.z h.2.symm ᵢ xᵢ");
    is_str(tok_text(0), "h", "h.1: identifier stops before a digit");
    is_str(tok_text(1), ".", "h.1: dot");
    is_int(kind(2), LEAN_TOK_NUMBER, "h.1: field index");
    is_str(tok_text(3), "x.y.z", "x.y.z");
    is_str(tok_text(4), "h", "h.2.symm starts with h");
    is_str(tok_text(6), "2", "h.2.symm: 2 is a number");
    is_str(tok_text(8), "symm", "h.2.symm: then .symm");
    is_int(kind(9), LEAN_TOK_SYMBOL, "a lone subscript is not an identifier start");
    is_str(tok_text(10), "xᵢ", "subscript letter continues a name");

    lex("λ x => Π Σ π");
    is_int(kind(0), LEAN_TOK_SYMBOL, "λ is not a letter (Lean)");
    is_int(kind(3), LEAN_TOK_SYMBOL, "Π is not a letter");
    is_int(kind(5), LEAN_TOK_IDENT, "π is a letter");

    lex("«open x");
    is_int(kind(0), LEAN_TOK_SYMBOL, "unclosed « is a symbol");
    is_str(tok_text(1), "open", "then the word");

    /* Lean reads an escaped part up to the next », across lines (identFn) */
    lex("theorem «two\nlines» x\n«a» «b\n\nc».«d» y");
    is_int(kind(1), LEAN_TOK_IDENT, "« … » across a line break");
    is_str(tok_text(1), "«two\nlines»", "whole name");
    is_int(sp(lean_lex_tok(lx, 1)).range.end.line, 1, "name ends on line 1");
    is_int(sp(lean_lex_tok(lx, 1)).range.end.character, 6, "after lines»");
    is_int(sp(lean_lex_tok(lx, 2)).range.start.character, 7, "x after it");
    is_str(tok_text(4), "«b\n\nc».«d»", "dotted, blank line inside");
    is_int(sp(lean_lex_tok(lx, 5)).range.start.line, 4, "y on line 4");
    is_int(sp(lean_lex_tok(lx, 5)).range.start.character, 7, "y's column (« » count 1 each)");
    is_int(lean_lex_line_count(lx), 5, "the line index has every line");
}

static void
test_numbers_symbols(void)
{
    lex("42 0x1F 0b101 0o17 2.5 1e-3 2.5e10 3.");
    is_int(kind(0), LEAN_TOK_NUMBER, "decimal");
    is_str(tok_text(1), "0x1F", "hex");
    is_str(tok_text(2), "0b101", "binary");
    is_str(tok_text(3), "0o17", "octal");
    is_str(tok_text(4), "2.5", "decimal point");
    is_str(tok_text(5), "1e-3", "scientific");
    is_str(tok_text(6), "2.5e10", "scientific with point");
    is_str(tok_text(7), "3", "3. is a number then a dot");

    lex(":= => ← ⟨a⟩ @[simp] <;> #exit #[1] x.1 ::");
    is_str(tok_text(0), ":=", ":=");
    is_str(tok_text(1), "=>", "=>");
    is_str(tok_text(2), "←", "arrow");
    is_str(tok_text(3), "⟨", "angle");
    is_str(tok_text(6), "@[", "@[");
    is_str(tok_text(9), "<;>", "<;>");
    is_str(tok_text(10), "#exit", "#exit is one token");
    is_str(tok_text(11), "#[", "#[");
    is_int(find("::"), (long)lean_lex_count(lx) - 1, ":: is one token");
}

static void
test_positions(void)
{
    const struct lean_tok *t;
    long i;
    lex("(𝔽 : x) ℝ y");
    i = find("x");
    t = lean_lex_tok(lx, (size_t)i);
    is_int(sp(t).range.start.character, 6, "𝔽 counts 2 UTF-16 units");
    t = lean_lex_tok(lx, 1);
    is_int(sp(t).range.end.character - sp(t).range.start.character, 2, "𝔽 is 2 units wide");
    ok(t->flags & LEAN_TOK_F_WIDE, "𝔽 is not ASCII");
    ok(!(lean_lex_tok(lx, 0)->flags & LEAN_TOK_F_WIDE), "( is ASCII");
    i = find("y");
    is_int(sp(lean_lex_tok(lx, (size_t)i)).range.start.character, 11, "ℝ counts 1 unit");

    lex("a\r\nbb\r\n\r\n  c -- z\r\nd");
    is_int(lean_lex_line_count(lx), 5, "CRLF line count");
    i = find("bb");
    is_int(sp(lean_lex_tok(lx, (size_t)i)).range.start.line, 1, "CRLF: bb on line 1");
    is_int(sp(lean_lex_tok(lx, (size_t)i)).range.start.character, 0, "CRLF: bb at column 0");
    is_int(sp(lean_lex_tok(lx, 0)).range.end.character, 1, "a ends at column 1");
    i = find("c");
    is_int(sp(lean_lex_tok(lx, (size_t)i)).range.start.line, 3, "CRLF: c on line 3");
    is_int(sp(lean_lex_tok(lx, (size_t)i)).range.start.character, 2, "c at column 2");
    is_str(tok_text((size_t)i + 1), "-- z", "line comment excludes the \\r");
    ok(lean_lex_line_is_blank(lx, 2), "CRLF empty line is blank");
    ok(!lean_lex_line_is_blank(lx, 1), "line 1 is not blank");
    ok(!lean_lex_line_is_blank(lx, 99), "past the end is not blank");
    is_int(lean_lex_line_start(lx, 1), 3, "line 1 starts at byte 3");
    is_int(lean_lex_line_start(lx, 99), strlen(src), "line start past the end");

    lex("x\n  αβ := y\n𝔽 z");
    {
        struct lsp_pos p = lean_lex_pos(lx, (size_t)(strstr(src, ":=") - src));
        is_int(p.line, 1, "pos: line of :=");
        is_int(p.character, 5, "pos: column of := after Greek letters");
        p = lean_lex_pos(lx, (size_t)(strstr(src, "z") - src));
        is_int(p.line, 2, "pos: line of z");
        is_int(p.character, 3, "pos: column of z after 𝔽");
        p.line = 2;
        p.character = 3;
        is_int(lean_lex_offset(lx, p), (size_t)(strstr(src, "z") - src), "offset of (2,3)");
        p.line = 1;
        p.character = 5;
        is_int(lean_lex_offset(lx, p), (size_t)(strstr(src, ":=") - src), "offset of (1,5)");
        p.character = 999;
        is_int(lean_lex_offset(lx, p), (size_t)(strstr(src, "\n𝔽") - src), "column clamps to end");
        p.line = 9;
        is_int(lean_lex_offset(lx, p), strlen(src), "line past the end");
        p = lean_lex_pos(lx, 10000);
        is_int(p.line, 2, "pos clamps to the end");
    }
    {
        struct lean_span s = lean_lex_span(lx, 0, (size_t)(strstr(src, "y") - src));
        is_int(s.range.end.line, 1, "span across lines: end line");
        is_int(s.range.end.character, 8, "span across lines: end column");
        s = lean_lex_span(lx, 5, 3);
        is_int(s.end, 5, "span end < start becomes empty");
    }
    lex("/-- ab\n  𝔽 cd -/");
    {
        const struct lean_tok *d = lean_lex_tok(lx, 0);
        size_t cd = (size_t)(strstr(src, "cd") - src);
        struct lean_span s = lean_lex_span_in(lx, d, cd, cd + 2);
        is_int(s.range.start.line, 1, "span_in line");
        is_int(s.range.start.character, 5, "span_in column after 𝔽");
        s = lean_lex_content_span(lx, d);
        is_int(s.range.start.character, 3, "content span starts after /--");
        is_int(s.range.end.character, 8, "content span ends before -/");
    }

    lex("a b\n  c\nd /- x\ny -/ e");
    ok(lean_lex_tok(lx, 0)->flags & LEAN_TOK_F_LINE_FIRST, "a is line first");
    ok(!(lean_lex_tok(lx, 1)->flags & LEAN_TOK_F_LINE_FIRST), "b is not line first");
    ok(lean_lex_tok(lx, 2)->flags & LEAN_TOK_F_LINE_FIRST, "indented c is line first");
    ok(!(lean_lex_tok(lx, 5)->flags & LEAN_TOK_F_LINE_FIRST),
       "e after a comment ending on its line");
    ok(lean_lex_tok(lx, 1)->flags & LEAN_TOK_F_SPACE_BEFORE, "b has space before");
    ok(!(lean_lex_tok(lx, 1)->flags & LEAN_TOK_F_WIDE), "b is ASCII");
    lex("f(x)");
    ok(!(lean_lex_tok(lx, 1)->flags & LEAN_TOK_F_SPACE_BEFORE), "( glued");
}

static void
test_bad_bytes(void)
{
    static const char bad[] = "\xff\xfe x \xc3";
    lean_lex_free(lx);
    src = bad;
    lx = lean_lex_new(bad, sizeof bad - 1);
    is_int(lean_lex_count(lx), 4, "invalid bytes are one token each");
    is_int(kind(0), LEAN_TOK_UNKNOWN, "0xff unknown");
    is_int(kind(1), LEAN_TOK_UNKNOWN, "0xfe unknown");
    is_str(tok_text(2), "x", "x after bad bytes");
    is_int(kind(3), LEAN_TOK_UNKNOWN, "truncated sequence at the end");

    {
        static const char nul[] = "a\0b";
        lean_lex_free(lx);
        src = nul;
        lx = lean_lex_new(nul, 3);
        is_int(lean_lex_count(lx), 3, "NUL byte is a token, text continues");
    }

    lex("");
    is_int(lean_lex_count(lx), 0, "empty text: no tokens");
    ok(lean_lex_tokens(lx) == NULL, "empty text: NULL array");
    is_int(lean_lex_line_count(lx), 1, "empty text: one line");
    ok(lean_lex_tok(lx, 0) == NULL, "tok out of range is NULL");
    is_int(lean_lex_len(lx), 0, "length 0");
    ok(lean_lex_text(lx) == src, "text is borrowed");
}

static void
test_big(void)
{
    /* many lines, positions stay exact far into the text */
    size_t n = 20000, len = 0;
    char *text = malloc(n * 16 + 1);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "ℝ x%zu\n", i);
    lean_lex_free(lx);
    src = text;
    lx = lean_lex_new(text, len);
    is_int(lean_lex_count(lx), 2 * n, "20000 lines lexed");
    is_int(sp(lean_lex_tok(lx, 2 * n - 1)).range.start.line, n - 1, "last line number");
    is_int(sp(lean_lex_tok(lx, 2 * n - 1)).range.start.character, 2, "last column");
    is_int(lean_lex_pos(lx, len - 2).line, n - 1, "pos of the last byte");
    lean_lex_free(lx);
    lx = NULL;
    free(text);
}

/* ---- lean_lex_update ---- */

/* Compares lexer a with a fresh lexer of the same text: tokens, lines, comments and
 * positions. Returns the number of differences (each reported with diag()). */
static int
lex_differences(const struct lean_lex *a, const struct lean_lex *b)
{
    int bad = 0;
    size_t n = lean_lex_count(a);
    if (n != lean_lex_count(b)) {
        diag("token count %zu, from scratch %zu", n, lean_lex_count(b));
        return 1;
    }
    for (size_t i = 0; i < n && bad < 3; i++) {
        const struct lean_tok *x = lean_lex_tok(a, i), *y = lean_lex_tok(b, i);
        struct lean_span xs = lean_lex_tok_span(a, x), ys = lean_lex_tok_span(b, y);
        if (x->kind != y->kind || x->flags != y->flags || x->start != y->start ||
            x->end != y->end || x->line != y->line || x->lines != y->lines ||
            x->content_start != y->content_start || x->content_end != y->content_end ||
            lsp_pos_cmp(xs.range.start, ys.range.start) != 0 ||
            lsp_pos_cmp(xs.range.end, ys.range.end) != 0) {
            diag("token %zu: kind %d/%d flags %u/%u bytes %u-%u/%u-%u at %u:%u-%u:%u/%u:%u-%u:%u", i,
                 x->kind, y->kind, x->flags, y->flags, x->start, x->end, y->start, y->end,
                 xs.range.start.line, xs.range.start.character, xs.range.end.line,
                 xs.range.end.character, ys.range.start.line, ys.range.start.character,
                 ys.range.end.line, ys.range.end.character);
            bad++;
        }
    }
    if (lean_lex_line_count(a) != lean_lex_line_count(b)) {
        diag("line count %u, from scratch %u", lean_lex_line_count(a), lean_lex_line_count(b));
        bad++;
    } else {
        for (uint32_t l = 0; l < lean_lex_line_count(a) && bad < 6; l++)
            if (lean_lex_line_start(a, l) != lean_lex_line_start(b, l) ||
                lean_lex_line_is_blank(a, l) != lean_lex_line_is_blank(b, l)) {
                diag("line %u: start %u, from scratch %u", l, lean_lex_line_start(a, l),
                     lean_lex_line_start(b, l));
                bad++;
            }
    }
    size_t na, nb;
    const uint32_t *ca = lean_lex_comments(a, &na), *cb = lean_lex_comments(b, &nb);
    if (na != nb || (na && memcmp(ca, cb, na * sizeof *ca) != 0)) {
        diag("comment index: %zu entries, from scratch %zu", na, nb);
        bad++;
    }
    for (size_t off = 0; off <= lean_lex_len(a) && bad < 9; off += 1 + off / 7) {
        struct lsp_pos p = lean_lex_pos(a, off), q = lean_lex_pos(b, off);
        if (p.line != q.line || p.character != q.character) {
            diag("position of byte %zu: %u:%u, from scratch %u:%u", off, p.line, p.character,
                 q.line, q.character);
            bad++;
        }
    }
    return bad;
}

/* Lexes before, applies the splice (bytes [at, at + del) become ins) with lean_lex_update
 * and compares with lexing the result from scratch. */
static int
splice_differs(const char *before, size_t at, size_t del, const char *ins, char **out)
{
    size_t blen = strlen(before), ilen = strlen(ins);
    char *after = malloc(blen - del + ilen + 1);
    memcpy(after, before, at);
    memcpy(after + at, ins, ilen);
    memcpy(after + at + ilen, before + at + del, blen - at - del + 1);
    struct lean_lex *old = lean_lex_new(before, blen);
    size_t alen = blen - del + ilen;
    struct lean_lex *up = lean_lex_update(old, after, alen, at, at + del, at + ilen);
    struct lean_lex *fresh = lean_lex_new(after, alen);
    int bad = lex_differences(up, fresh);
    lean_lex_free(up);
    lean_lex_free(fresh);
    if (out)
        *out = after;
    else
        free(after);
    return bad;
}

static const char update_base[] =
    "import Mathlib\n"
    "\n"
    "/-- The mean of `a` over `n` terms. -/\n"
    "noncomputable def mean (a : ℕ → ℝ) (n : ℕ) : ℝ :=\n"
    "  (∑ i ∈ Finset.range n, a i) / n\n"
    "\n"
    "/- a block comment\n"
    "   over /- nested -/ lines -/\n"
    "@[blueprint \"lem:abs\"\n"
    "  (statement := /-- $|\\mathrm{mean}(a)| \\le \\mathrm{mean}(|a|)$ -/)]\n"
    "lemma abs_mean_le (a : ℕ → ℝ) (n : ℕ) :\n"
    "    |mean a n| ≤ mean (fun i => |a i|) n := by\n"
    "  simp [mean, s!\"x{n}y\", 'c', \"str\\\"ing\"]  -- a line comment\n"
    "  sorry\n"
    "\n"
    "theorem x₁_le (h' : 0 < 1) : 2.5 ≤ 3 ∧ 0x1F = 31 := ⟨by norm_num, rfl⟩\n";

static void
test_update(void)
{
    const char *b = update_base;
    size_t blen = strlen(b);
    const char *p;
    /* one character typed inside a name, in the middle */
    p = strstr(b, "abs_mean_le");
    is_int(splice_differs(b, (size_t)(p - b) + 3, 0, "x", NULL), 0, "update: a character typed in a name");
    is_int(splice_differs(b, (size_t)(p - b) + 3, 1, "", NULL), 0, "update: a character deleted");
    is_int(splice_differs(b, (size_t)(p - b), 0, "\n\n", NULL), 0, "update: lines inserted");
    p = strstr(b, "\n\ntheorem");
    is_int(splice_differs(b, (size_t)(p - b), 2, "", NULL), 0, "update: lines joined");
    p = strstr(b, "@[blueprint");
    is_int(splice_differs(b, (size_t)(p - b), 0, "/-", NULL), 0, "update: a comment opened runs to the end");
    p = strstr(b, "/- a block");
    is_int(splice_differs(b, (size_t)(p - b), 2, "", NULL), 0, "update: an opening removed");
    p = strstr(b, "lines -/");
    is_int(splice_differs(b, (size_t)(p - b) + 6, 2, "", NULL), 0, "update: a comment's close removed");
    p = strstr(b, "over `n`");
    is_int(splice_differs(b, (size_t)(p - b), 4, "in\nmany\nlines", NULL), 0,
           "update: a docstring grows lines");
    p = strstr(b, "simp [");
    is_int(splice_differs(b, (size_t)(p - b), 0, "\"", NULL), 0, "update: an unterminated string");
    is_int(splice_differs(b, (size_t)(p - b), 0, "ℝ∑⟨", NULL), 0, "update: wide characters (columns)");
    is_int(splice_differs(b, 0, 0, "-- head\n", NULL), 0, "update: at the start");
    is_int(splice_differs(b, blen, 0, "\n#check x₁_le\n", NULL), 0, "update: at the end");
    is_int(splice_differs(b, 0, blen, "", NULL), 0, "update: everything deleted");
    is_int(splice_differs("", 0, 0, "def a := 1\n", NULL), 0, "update: from nothing");
    is_int(splice_differs(b, 5, 0, "", NULL), 0, "update: an empty edit");
    /* a `«` early, a `»` typed much later: the name runs across the edit */
    {
        char *g = NULL, *g2 = NULL;
        is_int(splice_differs(b, 0, 0, "def «lone\n", &g), 0, "update: a lone «");
        p = strstr(g, "theorem");
        is_int(splice_differs(g, (size_t)(p - g), 0, "»", &g2), 0, "update: a » typed after a lone «");
        p = strstr(g2, "»");
        is_int(splice_differs(g2, (size_t)(p - g2), 2, "", NULL), 0, "update: that » deleted");
        free(g);
        free(g2);
    }
    /* CRLF lines */
    {
        const char *crlf = "def a := 1\r\n\r\ntheorem b : a = 1 := by\r\n  rfl\r\n\r\ndef c := 2\r\n";
        p = strstr(crlf, "rfl");
        is_int(splice_differs(crlf, (size_t)(p - crlf), 3, "simp\r\n  rfl", NULL), 0, "update: CRLF text");
    }
    /* an edit that does not fit the old text falls back to lexing from scratch */
    {
        struct lean_lex *old = lean_lex_new(b, blen);
        struct lean_lex *up = lean_lex_update(old, "x", 1, 5, 3, 9);
        struct lean_lex *fresh = lean_lex_new("x", 1);
        is_int(lex_differences(up, fresh), 0, "update: a bad edit lexes from scratch");
        lean_lex_free(up);
        lean_lex_free(fresh);
    }
    /* random splices of Lean-ish fragments, each compared with lexing from scratch */
    {
        static const char *frags[] = {"a", "x₁", " ", "\n", "\n\n", "  ", ":=", "by", "/-", "-/",
                                      "/--", "--", "\"", "'", "'a'", "«", "»", "«x»", "ℝ", "(",
                                      ")", "|", ".", "s!\"{", "}", "r#\"", "\"#", "1e-3", "@[",
                                      "sorry", "\r\n", "\t", "theorem t : 1 = 1 := rfl\n", "é"};
        unsigned seed = 12345u;
        int failures = 0, runs = 3000;
        char *cur = strdup(b);
        for (int r = 0; r < runs && failures == 0; r++) {
            size_t len = strlen(cur);
            seed = seed * 1103515245u + 12345u;
            size_t at = len ? (seed >> 8) % (len + 1) : 0;
            seed = seed * 1103515245u + 12345u;
            size_t del = (seed >> 8) % 8;
            if (at + del > len)
                del = len - at;
            seed = seed * 1103515245u + 12345u;
            const char *ins = (seed >> 8) % 4 == 0 ? "" : frags[(seed >> 12) % (sizeof frags / sizeof *frags)];
            char *next = NULL;
            if (splice_differs(cur, at, del, ins, &next)) {
                diag("random splice %d: at %zu, %zu deleted, \"%s\" inserted", r, at, del, ins);
                failures++;
            }
            free(cur);
            cur = next;
            if (strlen(cur) > 4000 || strlen(cur) < 200) { /* restart from the base */
                free(cur);
                cur = strdup(b);
            }
        }
        free(cur);
        is_int(failures, 0, "update: %d random splices lex as from scratch", runs);
    }
}

int
main(void)
{
    test_comments();
    test_strings();
    test_chars_and_primes();
    test_identifiers();
    test_numbers_symbols();
    test_positions();
    test_bad_bytes();
    test_big();
    test_update();
    lean_lex_free(lx);
    lean_lex_free(NULL);
    return done_testing();
}
