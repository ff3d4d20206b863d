/* lean_lex: Lean 4 lexer (stub; being implemented). */
#include "lean_lex.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct lean_lex {
    const char *text;
    size_t len;
};

struct lean_lex *
lean_lex_new(const char *text, size_t len)
{
    struct lean_lex *lx = xcalloc(1, sizeof *lx);
    lx->text = text;
    lx->len = len > LEAN_LEX_MAX_LEN ? LEAN_LEX_MAX_LEN : len;
    return lx;
}

void
lean_lex_free(struct lean_lex *lx)
{
    free(lx);
}

size_t
lean_lex_count(const struct lean_lex *lx)
{
    (void)lx;
    return 0;
}

const struct lean_tok *
lean_lex_tokens(const struct lean_lex *lx)
{
    (void)lx;
    return NULL;
}

const struct lean_tok *
lean_lex_tok(const struct lean_lex *lx, size_t i)
{
    (void)lx;
    (void)i;
    return NULL;
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
    return t->span.end - t->span.start == n && memcmp(lx->text + t->span.start, s, n) == 0;
}

size_t
lean_lex_skip_comments(const struct lean_lex *lx, size_t i)
{
    (void)i;
    return lean_lex_count(lx);
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
    (void)lx;
    return 1;
}

uint32_t
lean_lex_line_start(const struct lean_lex *lx, uint32_t line)
{
    return line == 0 ? 0 : (uint32_t)lx->len;
}

bool
lean_lex_line_is_blank(const struct lean_lex *lx, uint32_t line)
{
    (void)lx;
    (void)line;
    return false;
}

struct lsp_pos
lean_lex_pos(const struct lean_lex *lx, size_t off)
{
    struct lsp_pos p = {0, 0};
    (void)lx;
    (void)off;
    return p;
}

struct lean_span
lean_lex_span(const struct lean_lex *lx, size_t start, size_t end)
{
    struct lean_span s;
    memset(&s, 0, sizeof s);
    (void)lx;
    s.start = (uint32_t)start;
    s.end = (uint32_t)(end < start ? start : end);
    return s;
}

struct lean_span
lean_lex_content_span(const struct lean_lex *lx, const struct lean_tok *t)
{
    return lean_lex_span(lx, t->content_start, t->content_end);
}

size_t
lean_lex_offset(const struct lean_lex *lx, struct lsp_pos pos)
{
    (void)pos;
    return lx->len;
}
