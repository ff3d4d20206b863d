/*
 * fuzz_differential: two views of the engine that must agree, on arbitrary input.
 *
 * 1. `lsp-proxy check --json` and the live diagnostics: analysis_check_json_items() and
 *    analysis_diagnostics_json() of the same analysis name the same findings (1-based
 *    line/column vs 0-based LSP positions, severity names vs numbers, code, message), in
 *    every profile.
 * 2. Rescanning after edits equals scanning the edited text from scratch: the bytes are
 *    opened as a document, edited one to three times through document_apply_change() at
 *    LSP positions computed by the lexer's own position code (lean_lex_pos, written apart
 *    from documents.c), and the document's text must equal the same edits spliced as bytes;
 *    the analysis of one equals the analysis of the other (DAG JSON and diagnostics), and
 *    so does a second analysis of the same text (big blocks are reused uninitialised:
 *    xalloc.h). Property 2 runs on valid UTF-8 without a lone '\r' (what editors send; the
 *    two position models differ on purpose for invalid bytes and for '\r', which LSP counts
 *    as a line break and Lean does not). The proxy's incremental path, analysis_update()
 *    after each edit, must render the same too.
 * 3. Re-lexing after an edit (lean_lex_update) gives the tokens, lines, comment index and
 *    positions lexing from scratch gives, on any bytes: the input with a stretch of it
 *    replaced by another is lexed, then updated to the input itself. Reading its
 *    declarations again (decls_update) gives a fresh reading's, field for field.
 * Any disagreement aborts with both sides printed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analysis.h"
#include "decls.h"
#include "decls_diff.h"
#include "documents.h"
#include "lean_lex.h"
#include "textfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                           \
    do {                                                                                    \
        fprintf(stderr, "fuzz_differential: " __VA_ARGS__);                                 \
        fprintf(stderr, "\n");                                                              \
        abort();                                                                            \
    } while (0)

static int
num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : -999;
}

static const char *
str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int
severity_num(const char *s)
{
    if (strcmp(s, "error") == 0)
        return 1;
    if (strcmp(s, "warning") == 0)
        return 2;
    if (strcmp(s, "information") == 0)
        return 3;
    return strcmp(s, "hint") == 0 ? 4 : -1;
}

static void
check_agrees(const struct analysis *a)
{
    char *items = analysis_check_json_items(a, "f.lean");
    size_t n = strlen(items);
    char *arr = malloc(n + 3);
    arr[0] = '[';
    memcpy(arr + 1, items, n);
    arr[n + 1] = ']';
    arr[n + 2] = '\0';
    char *diags = analysis_diagnostics_json(a);
    cJSON *c = cJSON_Parse(arr), *d = cJSON_Parse(diags);
    if (!cJSON_IsArray(c) || !cJSON_IsArray(d))
        FAIL("not JSON arrays:\ncheck: %s\ndiagnostics: %s", arr, diags);
    if (cJSON_GetArraySize(c) != cJSON_GetArraySize(d) ||
        (size_t)cJSON_GetArraySize(c) != analysis_finding_count(a))
        FAIL("%d check items, %d diagnostics, %zu findings", cJSON_GetArraySize(c),
             cJSON_GetArraySize(d), analysis_finding_count(a));
    for (int i = 0; i < cJSON_GetArraySize(c); i++) {
        const cJSON *x = cJSON_GetArrayItem(c, i), *y = cJSON_GetArrayItem(d, i);
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(y, "range");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "start");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "end");
        if (num(x, "line") != num(s, "line") + 1 || num(x, "column") != num(s, "character") + 1 ||
            num(x, "endLine") != num(e, "line") + 1 ||
            num(x, "endColumn") != num(e, "character") + 1 ||
            severity_num(str(x, "severity")) != num(y, "severity") ||
            strcmp(str(x, "code"), str(y, "code")) != 0 ||
            strcmp(str(x, "message"), str(y, "message")) != 0 ||
            strcmp(str(y, "source"), "marathon") != 0)
            FAIL("item %d differs:\ncheck: %s\ndiagnostics: %s", i, arr, diags);
    }
    cJSON_Delete(c);
    cJSON_Delete(d);
    free(arr);
    free(items);
    free(diags);
}

/* An analysis as the strings property 2 compares (a is kept). */
static char *
render_of(const struct analysis *a)
{
    char *dag = analysis_dag_json(a, "file:///f.lean", 1);
    char *diags = analysis_diagnostics_json(a);
    size_t n1 = strlen(dag), n2 = strlen(diags);
    char *out = malloc(n1 + n2 + 2);
    memcpy(out, dag, n1);
    out[n1] = '\n';
    memcpy(out + n1 + 1, diags, n2 + 1);
    free(dag);
    free(diags);
    return out;
}

/* The analysis of text as the strings property 2 compares. */
static char *
render(const char *text, size_t len)
{
    struct analysis *a = analysis_new(text, len, BP_PROFILE_AUTO);
    char *out = render_of(a);
    analysis_free(a);
    return out;
}

/* Property 3: before -> text through lean_lex_update equals lean_lex_new(text). */
static void
check_relex(const char *before, size_t blen, const char *text, size_t len, size_t start,
            size_t old_end, size_t new_end)
{
    struct lean_lex *was = lean_lex_new(before, blen);
    struct decls *ds = decls_new(was);
    struct lean_lex *up = lean_lex_update(was, text, len, start, old_end, new_end);
    struct lean_lex *fresh = lean_lex_new(text, len);
    size_t n = lean_lex_count(fresh), na, nb;
    if (lean_lex_count(up) != n)
        FAIL("relex: %zu tokens, from scratch %zu (edit [%zu, %zu) -> [%zu, %zu))",
             lean_lex_count(up), n, start, old_end, start, new_end);
    if (n && memcmp(lean_lex_tokens(up), lean_lex_tokens(fresh), n * sizeof(struct lean_tok)) != 0)
        for (size_t i = 0; i < n; i++)
            if (memcmp(lean_lex_tok(up, i), lean_lex_tok(fresh, i), sizeof(struct lean_tok)) != 0)
                FAIL("relex: token %zu differs (bytes %u-%u, from scratch %u-%u; edit [%zu, %zu) -> "
                     "[%zu, %zu))", i, lean_lex_tok(up, i)->start, lean_lex_tok(up, i)->end,
                     lean_lex_tok(fresh, i)->start, lean_lex_tok(fresh, i)->end, start,
                     old_end, start, new_end);
    for (size_t i = 0; i < n; i++) {
        /* the columns, from each lexer's line index (its lines' non-ASCII marks) */
        struct lean_span a = lean_lex_tok_span(up, lean_lex_tok(up, i));
        struct lean_span b = lean_lex_tok_span(fresh, lean_lex_tok(fresh, i));
        if (memcmp(&a, &b, sizeof a) != 0)
            FAIL("relex: token %zu at %u:%u-%u:%u, from scratch %u:%u-%u:%u", i,
                 a.range.start.line, a.range.start.character, a.range.end.line,
                 a.range.end.character, b.range.start.line, b.range.start.character,
                 b.range.end.line, b.range.end.character);
    }
    if (lean_lex_line_count(up) != lean_lex_line_count(fresh))
        FAIL("relex: %u lines, from scratch %u", lean_lex_line_count(up), lean_lex_line_count(fresh));
    for (uint32_t l = 0; l < lean_lex_line_count(up); l++)
        if (lean_lex_line_start(up, l) != lean_lex_line_start(fresh, l))
            FAIL("relex: line %u starts at %u, from scratch %u", l, lean_lex_line_start(up, l),
                 lean_lex_line_start(fresh, l));
    const uint32_t *ca = lean_lex_comments(up, &na), *cb = lean_lex_comments(fresh, &nb);
    if (na != nb || (na && memcmp(ca, cb, na * sizeof *ca) != 0))
        FAIL("relex: the comment index differs (%zu entries, from scratch %zu)", na, nb);
    for (size_t off = 0; off <= len; off++) {
        struct lsp_pos p = lean_lex_pos(up, off), q = lean_lex_pos(fresh, off);
        if (p.line != q.line || p.character != q.character)
            FAIL("relex: byte %zu is at %u:%u, from scratch %u:%u", off, p.line, p.character,
                 q.line, q.character);
    }
    /* the declarations read again around the edit, field for field */
    ds = decls_update(ds, up);
    struct decls *fds = decls_new(fresh);
    const char *why = decls_diff(ds, fds);
    if (why)
        FAIL("decls_update differs from a fresh reading in %s (edit [%zu, %zu) -> [%zu, %zu))",
             why, start, old_end, start, new_end);
    decls_free(fds);
    decls_free(ds);
    lean_lex_free(up);
    lean_lex_free(fresh);
}

/* The nearest UTF-8 character start at or before off, not between the '\r' and the '\n'
 * of a CRLF (LSP has no position there: the pair is one line break). */
static size_t
char_start(const char *s, size_t len, size_t off)
{
    if (off > len)
        off = len;
    while (off > 0 && off < len && ((unsigned char)s[off] & 0xC0) == 0x80)
        off--;
    if (off > 0 && off < len && s[off] == '\n' && s[off - 1] == '\r')
        off--;
    return off;
}

static bool
has_lone_cr(const char *s, size_t len)
{
    for (const char *p = memchr(s, '\r', len); p; p = memchr(p + 1, '\r', len - (size_t)(p + 1 - s)))
        if ((size_t)(p - s) + 1 >= len || p[1] != '\n')
            return true;
    return false;
}

static void
check_edits(const char *text, size_t len, const uint8_t *ops, size_t nops)
{
    struct documents *ds = documents_new();
    struct document *doc = documents_open(ds, "file:///f.lean", "lean4", 1, text, len, NULL);
    char *mine = malloc(len + 1);
    size_t mlen = len;
    memcpy(mine, text, len);
    struct analysis *inc = analysis_new(text, len, BP_PROFILE_AUTO);
    for (size_t k = 0; k + 4 <= nops && k < 12; k += 4) {
        /* start, length, and inserted text (a slice of the original) from four bytes */
        size_t s = char_start(mine, mlen, mlen ? (ops[k] * mlen) / 255 : 0);
        size_t e = char_start(mine, mlen, s + ops[k + 1] % 24);
        if (e < s)
            e = s;
        size_t is = char_start(text, len, len ? (ops[k + 2] * len) / 255 : 0);
        size_t ie = char_start(text, len, is + ops[k + 3] % 16);
        size_t nlen = mlen - (e - s) + (ie - is);
        char *next = malloc(nlen + 1);
        memcpy(next, mine, s);
        memcpy(next + s, text + is, ie - is);
        memcpy(next + s + (ie - is), mine + e, mlen - e);
        /* A lone '\r' is a line break to LSP but not to Lean (see lean_lex.h): positions in
         * such a text have no single meaning, so edits that would make one are skipped. */
        if (has_lone_cr(next, nlen)) {
            free(next);
            continue;
        }
        struct lean_lex *lx = lean_lex_new(mine, mlen);
        struct lsp_range r = {lean_lex_pos(lx, s), lean_lex_pos(lx, e)};
        lean_lex_free(lx);
        if (document_apply_change(doc, r, text + is, ie - is) != 0)
            FAIL("apply_change refused a valid range");
        free(mine);
        mine = next;
        mlen = nlen;
        inc = analysis_update(inc, mine, mlen, BP_PROFILE_AUTO);
        size_t dlen;
        const char *dt = document_text(doc, &dlen);
        if (dlen != mlen || memcmp(dt, mine, mlen) != 0)
            FAIL("document text differs after an edit at bytes [%zu, %zu) = (%u:%u)-(%u:%u)", s,
                 e, r.start.line, r.start.character, r.end.line, r.end.character);
    }
    size_t dlen;
    const char *dt = document_text(doc, &dlen);
    char *x = render(dt, dlen), *y = render(mine, mlen), *z = render(mine, mlen);
    char *w = render_of(inc);
    if (strcmp(x, y) != 0 || strcmp(y, z) != 0)
        FAIL("the rescan differs from the scan from scratch:\n%s\n---\n%s\n---\n%s", x, y, z);
    if (strcmp(w, y) != 0)
        FAIL("the incremental rescan differs from the scan from scratch:\n%s\n---\n%s", w, y);
    free(x);
    free(y);
    free(z);
    free(w);
    analysis_free(inc);
    free(mine);
    documents_free(ds);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nops = size > 0 ? data[0] % 13 : 0;
    if (nops + 1 > size)
        nops = 0;
    const char *text = (const char *)data + (size ? 1 + nops : 0);
    size_t len = size ? size - 1 - nops : 0;
    static const enum bp_profile profiles[] = {BP_PROFILE_AUTO, BP_PROFILE_STRICT,
                                               BP_PROFILE_ARCHITECT};
    for (size_t p = 0; p < 3; p++) {
        struct analysis *a = analysis_new(text, len, profiles[p]);
        check_agrees(a);
        analysis_free(a);
    }
    if (textfile_invalid_utf8(text, len) == len && !has_lone_cr(text, len))
        check_edits(text, len, data + 1, nops);
    if (nops >= 3 && len > 0) {
        /* property 3: [s, e) of the input was [s, s + m) of some other bytes (a slice of it) */
        size_t st = (data[1] * len) / 256, e = st + data[2] % 32, from = (data[3] * len) / 256;
        size_t m = data[2] / 32 + (nops > 3 ? data[4] % 24 : 0);
        if (e > len)
            e = len;
        if (from + m > len)
            m = len - from;
        size_t blen = len - (e - st) + m;
        char *before = malloc(blen + 1);
        memcpy(before, text, st);
        memcpy(before + st, text + from, m);
        memcpy(before + st + m, text + e, len - e);
        check_relex(before, blen, text, len, st, st + m, e);
        free(before);
    }
    return 0;
}
