/*
 * fuzz_lean_lex: libFuzzer target for the syntax half of the blueprint engine: lean_lex,
 * decls and blueprint on arbitrary bytes. Besides crashes and sanitizer reports it checks
 * the invariants the headers promise (tokens in order and inside the text, positions equal
 * to lean_lex_pos() of their offsets, every span of decls and blueprint inside the text)
 * and aborts when one fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blueprint.h"
#include "decls.h"
#include "lean_lex.h"
#include "namekey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                            \
    do {                                                                                    \
        if (!(c)) {                                                                         \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__);      \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

static const struct lean_lex *g_lx;

/* True when data is valid UTF-8 (offsets and positions are then one-to-one). */
static int
valid_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t b = s[i];
        size_t k, len;
        uint32_t cp;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF)
            len = 2, cp = b & 0x1F;
        else if (b >= 0xE0 && b <= 0xEF)
            len = 3, cp = b & 0x0F;
        else if (b >= 0xF0 && b <= 0xF4)
            len = 4, cp = b & 0x07;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static void
check_pos(struct lsp_pos got, size_t off)
{
    struct lsp_pos want = lean_lex_pos(g_lx, off);
    CHECK(got.line == want.line && got.character == want.character);
}

static void
check_span(struct lean_span s)
{
    CHECK(s.start <= s.end && s.end <= lean_lex_len(g_lx));
    check_pos(s.range.start, s.start);
    check_pos(s.range.end, s.end);
}

/* A reference is an identifier token; its key and its last part are the identifier's. */
static void
check_ref(const struct decls *d, const struct decl_ref *r)
{
    CHECK(r->tok < lean_lex_count(g_lx));
    const struct lean_tok *t = lean_lex_tok(g_lx, r->tok);
    struct lean_span sp = lean_lex_tok_span(g_lx, t), rs = decls_ref_span(d, r);
    CHECK(t->kind == LEAN_TOK_IDENT && memcmp(&rs, &sp, sizeof sp) == 0);
    check_span(sp);
    size_t n, nlast;
    const char *s = decls_ref_text(d, r, false, &n);
    const char *last = decls_ref_text(d, r, true, &nlast);
    CHECK(s == lean_lex_text(g_lx) + t->start && n == t->end - t->start);
    CHECK(last >= s && last + nlast == s + n);
    CHECK(r->head == namekey_ref_head(s, n));
}

static void
check_decls(const struct decls *d)
{
    for (size_t i = 0; i < decls_count(d); i++) {
        const struct decl *x = decls_get(d, i);
        check_span(x->range);
        check_span(x->keyword_span);
        check_span(x->header);
        check_span(x->signature);
        check_span(x->body);
        check_span(x->attrs_span);
        CHECK(x->tok_first <= x->tok_end && x->tok_end <= lean_lex_count(g_lx));
        CHECK(x->name && x->full_name && x->keyword);
        if (x->has_name)
            check_span(x->name_span);
        if (x->has_type)
            check_span(x->type);
        if (x->has_assign)
            check_span(x->assign);
        if (x->proof == DECL_PROOF_SORRY || x->proof == DECL_PROOF_SORRY_USING ||
            x->proof == DECL_PROOF_MALFORMED)
            check_span(x->placeholder);
        CHECK((x->proof == DECL_PROOF_MALFORMED) == (x->malformed != DECL_MALFORMED_NONE));
        for (size_t k = 0; k < x->nattrs; k++) {
            check_span(x->attrs[k].span);
            check_span(x->attrs[k].name);
            CHECK(x->attrs[k].tok_first < x->attrs[k].tok_end);
            CHECK(x->attrs[k].tok_end <= lean_lex_count(g_lx));
        }
        for (size_t k = 0; k < x->nmods; k++)
            check_span(x->mods[k].span);
        for (size_t k = 0; k < x->nsorries; k++)
            check_span(x->sorries[k].span);
        for (size_t k = 0; k < x->nusings; k++) {
            check_span(x->usings[k].keyword);
            check_span(x->usings[k].list);
            for (size_t m = 0; m < x->usings[k].nnames; m++)
                check_ref(d, &x->usings[k].names[m]);
        }
        for (size_t k = 0; k < x->nrefs; k++)
            check_ref(d, &x->refs[k]);
        for (size_t k = 0; k < x->nsig_refs; k++)
            check_ref(d, &x->sig_refs[k]);
        for (size_t k = 0; k < x->nproof_docs; k++)
            CHECK(x->proof_docs[k] < lean_lex_count(g_lx));
        if (i > 0)
            CHECK(decls_get(d, i - 1)->range.start <= x->range.start);
    }
    for (size_t i = 0; i < decls_cmd_count(d); i++) {
        const struct decl_cmd *c = decls_cmd(d, i);
        check_span(c->range);
        check_span(c->keyword);
        CHECK(c->name != NULL);
        if (c->has_name)
            check_span(c->name_span);
    }
}

static void
check_blueprint(const struct blueprint *bp, const struct decls *d)
{
    for (size_t i = 0; i < blueprint_count(bp); i++) {
        const struct blueprint_attr *a = blueprint_get(bp, i);
        /* a declaration's attribute, or one of an `attribute [...] name` command */
        CHECK((a->decl == SIZE_MAX) != (a->cmd == SIZE_MAX));
        if (a->decl != SIZE_MAX) {
            CHECK(a->decl < decls_count(d));
            CHECK(a->attr < decls_get(d, a->decl)->nattrs);
        } else {
            CHECK(a->cmd < decls_cmd_count(d));
            CHECK(decls_cmd(d, a->cmd)->kind == DECL_CMD_ATTRIBUTE);
            CHECK(!a->has_target || a->target_name != NULL);
        }
        check_span(a->span);
        check_span(a->keyword);
        CHECK(a->label != NULL);
        if (a->has_label)
            check_span(a->label_span);
        for (size_t k = 0; k < a->nfields; k++) {
            const struct blueprint_field *f = &a->fields[k];
            CHECK(f->name && f->text);
            check_span(f->name_span);
            check_span(f->span);
            check_span(f->value_span);
            check_span(f->text_span);
            if (!f->braces_balanced)
                check_span(f->brace_error);
            for (size_t m = 0; m < f->ncrefs; m++) {
                CHECK(f->crefs[m].label != NULL);
                check_span(f->crefs[m].span);
            }
            for (size_t m = 0; m < f->nuses; m++) {
                CHECK(f->uses[m].text != NULL);
                check_span(f->uses[m].span);
                check_span(f->uses[m].value);
            }
        }
    }
}

/* Where the last name part of the identifier s[start, end) starts: after its last dot
 * outside «…» (the rule decls used before the lexer recorded it). */
static uint32_t
last_part(const uint8_t *s, uint32_t start, uint32_t end)
{
    uint32_t last = start;
    int inside = 0;
    for (uint32_t b = start; b < end; b++) {
        if (s[b] == 0xC2 && b + 1 < end && s[b + 1] == 0xAB)
            inside = 1;
        else if (s[b] == 0xC2 && b + 1 < end && s[b + 1] == 0xBB)
            inside = 0;
        else if (s[b] == '.' && !inside)
            last = b + 1;
    }
    return last;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lean_lex *lx = lean_lex_new((const char *)data, size);
    struct decls *d;
    struct blueprint *bp;
    uint32_t prev_end = 0;
    int valid = valid_utf8(data, size);

    g_lx = lx;
    for (size_t i = 0; i < lean_lex_count(lx); i++) {
        const struct lean_tok *t = lean_lex_tok(lx, i);
        struct lean_span ts = lean_lex_tok_span(lx, t);
        CHECK(t->start >= prev_end && t->start < t->end);
        CHECK(t->end <= size);
        CHECK(t->content_start >= t->start && t->content_start <= t->content_end &&
              t->content_end <= t->end);
        {
            bool high = false;
            for (uint32_t b = t->start; b < t->end && !high; b++)
                high = data[b] >= 0x80;
            CHECK(high == ((t->flags & LEAN_TOK_F_WIDE) != 0));
        }
        /* the token's lines are the line index's */
        CHECK(t->line == lean_lex_pos(lx, t->start).line);
        CHECK(lean_lex_tok_end_line(lx, t) == lean_lex_pos(lx, t->end).line);
        if (t->flags & LEAN_TOK_F_LINE_FIRST) /* only blanks before it: ASCII */
            CHECK(lean_lex_tok_col0(lx, t) == (lean_lex_pos(lx, t->start).character == 0));
        check_span(ts);
        check_span(lean_lex_content_span(lx, t));
        if (t->kind == LEAN_TOK_IDENT)
            CHECK(t->content_start == last_part(data, t->start, t->end) &&
                  t->content_end == t->end);
        if (valid)
            CHECK(lean_lex_offset(lx, ts.range.start) == t->start);
        prev_end = t->end;
    }
    for (uint32_t l = 0; l < lean_lex_line_count(lx); l++)
        CHECK(lean_lex_line_start(lx, l) <= size);

    d = decls_new(lx);
    check_decls(d);
    bp = blueprint_new(lx, d);
    check_blueprint(bp, d);
    {
        size_t n;
        struct blueprint_cref *c = blueprint_scan_crefs(lx, 0, size, &n);
        for (size_t i = 0; i < n; i++)
            check_span(c[i].span);
        blueprint_crefs_free(c, n);
        (void)blueprint_braces_balanced(lx, 0, size, NULL);
    }
    blueprint_free(bp);
    decls_free(d);
    lean_lex_free(lx);
    return 0;
}
