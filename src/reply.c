/* reply: candidates from LLM replies, refusals before Lean, Try-this suggestions. */
#include "reply.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lean_lex.h"
#include "xalloc.h"

/* One line of a text: [start, end) without its newline (and a CR before it). */
struct line {
    const char *s;
    size_t n;
};

static size_t
split_lines(const char *text, size_t len, struct line **out)
{
    size_t cap = 16, n = 0, i = 0;
    struct line *v = xmalloc(cap * sizeof *v);
    while (i <= len) {
        const char *nl = i < len ? memchr(text + i, '\n', len - i) : NULL;
        size_t e = nl ? (size_t)(nl - text) : len;
        if (n == cap) {
            cap *= 2;
            v = xreallocarray(v, cap, sizeof *v);
        }
        v[n].s = text + i;
        v[n].n = e - i;
        if (v[n].n > 0 && v[n].s[v[n].n - 1] == '\r')
            v[n].n--;
        n++;
        if (!nl)
            break;
        i = e + 1;
    }
    *out = v;
    return n;
}

static size_t
indent_of(struct line l)
{
    size_t k = 0;
    while (k < l.n && (l.s[k] == ' ' || l.s[k] == '\t'))
        k++;
    return k;
}

static bool
blank(struct line l)
{
    return indent_of(l) == l.n;
}

/* A fence line: ``` or ~~~ (three or more) after blanks; *ch, *count; *info the rest. */
static bool
fence(struct line l, char *ch, size_t *count, struct line *info)
{
    size_t k = indent_of(l), c = 0;
    if (k >= l.n || (l.s[k] != '`' && l.s[k] != '~'))
        return false;
    while (k + c < l.n && l.s[k + c] == l.s[k])
        c++;
    if (c < 3)
        return false;
    *ch = l.s[k];
    *count = c;
    info->s = l.s + k + c;
    info->n = l.n - k - c;
    while (info->n && (info->s[0] == ' ' || info->s[0] == '\t'))
        info->s++, info->n--;
    while (info->n && (info->s[info->n - 1] == ' ' || info->s[info->n - 1] == '\t'))
        info->n--;
    return true;
}

static bool
info_is_lean(struct line info)
{
    size_t n = 0;
    while (n < info.n && info.s[n] != ' ' && info.s[n] != '{')
        n++;
    return n == 0 || (n == 4 && memcmp(info.s, "lean", 4) == 0) ||
           (n == 5 && memcmp(info.s, "lean4", 5) == 0);
}

static bool
word_at(struct line l, size_t k, const char *w)
{
    size_t n = strlen(w);
    return l.n - k >= n && memcmp(l.s + k, w, n) == 0 &&
           (l.n - k == n || l.s[k + n] == ' ' || l.s[k + n] == '\t');
}

/* A line that starts a declaration (in column 0 of the dedented block). */
static bool
decl_start(struct line l, size_t base)
{
    static const char *const words[] = {"theorem", "lemma", "def", "abbrev", "instance",
                                        "example", "private", "protected", "noncomputable",
                                        "@[", "/--", "axiom", "opaque", "structure",
                                        "inductive", "class", NULL};
    if (l.n <= base || indent_of(l) != base)
        return false;
    for (size_t i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (words[i][0] == '@' || words[i][0] == '/') {
            if (l.n - base >= n && memcmp(l.s + base, words[i], n) == 0)
                return true;
        } else if (word_at(l, base, words[i])) {
            return true;
        }
    }
    return false;
}

/* Appends lines [a, b) with base columns removed, joined by '\n' (no trailing newline). */
static void
add_lines(struct buf *b, const struct line *v, size_t a, size_t e, size_t base)
{
    for (size_t i = a; i < e; i++) {
        size_t k = indent_of(v[i]) < base ? indent_of(v[i]) : base;
        if (i > a)
            (void)buf_addch(b, '\n');
        (void)buf_add(b, v[i].s + k, v[i].n - k);
    }
}

int
reply_extract(const char *text, size_t len, bool allow_helpers, struct reply_candidate *c)
{
    struct line *v;
    size_t n = split_lines(text ? text : "", text ? len : 0, &v);
    size_t best_a = 0, best_e = 0;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        char ch;
        size_t cnt;
        struct line info;
        if (!fence(v[i], &ch, &cnt, &info))
            continue;
        size_t j = i + 1;
        for (; j < n; j++) {
            char ch2;
            size_t cnt2;
            struct line info2;
            if (fence(v[j], &ch2, &cnt2, &info2) && ch2 == ch && cnt2 >= cnt && info2.n == 0)
                break;
        }
        if (info_is_lean(info)) {
            bool any = false;
            for (size_t k = i + 1; k < j && !any; k++)
                any = !blank(v[k]);
            if (any) {
                best_a = i + 1;
                best_e = j;
                found = true;
            }
        }
        i = j; /* past the closing fence (or the end: an unclosed last block counts) */
    }
    if (!found) {
        free(v);
        return -1;
    }
    /* the block: trim blank lines, dedent */
    while (best_a < best_e && blank(v[best_a]))
        best_a++;
    while (best_e > best_a && blank(v[best_e - 1]))
        best_e--;
    size_t base = SIZE_MAX;
    for (size_t i = best_a; i < best_e; i++)
        if (!blank(v[i]) && indent_of(v[i]) < base)
            base = indent_of(v[i]);
    struct buf helpers, script;
    buf_init(&helpers, 0);
    buf_init(&script, 0);
    size_t i = best_a;
    /* helpers: declarations first, each its col-0 line plus indented lines */
    size_t helpers_end = i;
    while (helpers_end < best_e && decl_start(v[helpers_end], base)) {
        size_t k = helpers_end + 1;
        while (k < best_e && (blank(v[k]) || indent_of(v[k]) > base ||
                              (v[k].n > base && v[k].s[base] == '@')))
            k++;
        helpers_end = k;
    }
    if (helpers_end > i && helpers_end == best_e) {
        /* only declarations: the last is the target restated; its body is the script */
        size_t last = i;
        for (size_t k = i; k < best_e; k++)
            if (decl_start(v[k], base) && !(v[k].n > base && (v[k].s[base] == '@' ||
                                                               v[k].s[base] == '/')))
                last = k;
        /* back over the attribute / doc lines of that declaration */
        size_t head = last;
        while (head > i && indent_of(v[head - 1]) == base && v[head - 1].n > base &&
               (v[head - 1].s[base] == '@' || v[head - 1].s[base] == '/'))
            head--;
        /* find `:= by` in it */
        size_t k = last;
        const char *by = NULL;
        for (; k < best_e && !by; k++) {
            const char *p = v[k].s, *end = v[k].s + v[k].n;
            for (; p + 1 < end; p++)
                if (p[0] == ':' && p[1] == '=') {
                    const char *q = p + 2;
                    while (q < end && *q == ' ')
                        q++;
                    if (end - q >= 2 && q[0] == 'b' && q[1] == 'y' &&
                        (end - q == 2 || q[2] == ' ')) {
                        by = q + 2;
                        break;
                    }
                }
            if (by) {
                const char *rest = by;
                while (rest < end && *rest == ' ')
                    rest++;
                if (rest < end) {
                    (void)buf_add(&script, rest, (size_t)(end - rest));
                    if (k + 1 < best_e)
                        (void)buf_addch(&script, '\n');
                }
                size_t nb = SIZE_MAX;
                for (size_t m = k + 1; m < best_e; m++)
                    if (!blank(v[m]) && indent_of(v[m]) < nb)
                        nb = indent_of(v[m]);
                if (k + 1 < best_e)
                    add_lines(&script, v, k + 1, best_e, nb == SIZE_MAX ? 0 : nb);
            }
        }
        while (head > i && blank(v[head - 1]))
            head--;
        if (by)
            add_lines(&helpers, v, i, head, base);
        else
            add_lines(&script, v, i, best_e, base); /* not a proof: let the refusal say so */
        if (by && helpers.len)
            (void)buf_addch(&helpers, '\n');
    } else {
        size_t he = helpers_end;
        while (he > i && blank(v[he - 1]))
            he--;
        if (he > i) {
            add_lines(&helpers, v, i, he, base);
            (void)buf_addch(&helpers, '\n');
        }
        i = helpers_end;
        while (i < best_e && blank(v[i]))
            i++;
        if (i < best_e && v[i].n - indent_of(v[i]) == 2 && memcmp(v[i].s + indent_of(v[i]), "by", 2) == 0)
            i++; /* a leading `by` line */
        else if (i < best_e && word_at(v[i], indent_of(v[i]), "by")) {
            /* `by simp`: keep the tactic */
            struct line l = v[i];
            size_t k = indent_of(l) + 2;
            while (k < l.n && l.s[k] == ' ')
                k++;
            (void)buf_add(&script, l.s + k, l.n - k);
            if (i + 1 < best_e)
                (void)buf_addch(&script, '\n');
            i++;
        }
        while (i < best_e && blank(v[i]))
            i++;
        size_t nb = SIZE_MAX;
        for (size_t m = i; m < best_e; m++)
            if (!blank(v[m]) && indent_of(v[m]) < nb)
                nb = indent_of(v[m]);
        if (i < best_e)
            add_lines(&script, v, i, best_e, nb == SIZE_MAX ? 0 : nb);
    }
    free(v);
    if (!allow_helpers && helpers.len) {
        /* helpers not allowed: keep them in the script so that the refusal names them */
        struct buf all;
        buf_init(&all, 0);
        (void)buf_add(&all, helpers.data, helpers.len);
        (void)buf_add(&all, script.data ? script.data : "", script.len);
        buf_release(&helpers);
        buf_release(&script);
        script = all;
    }
    if (script.len == 0 && helpers.len == 0) {
        buf_release(&helpers);
        buf_release(&script);
        return -1;
    }
    c->helpers = helpers.len ? buf_detach(&helpers, NULL) : NULL;
    buf_release(&helpers);
    c->script = script.len ? buf_detach(&script, NULL) : xstrdup("");
    buf_release(&script);
    return 0;
}

void
reply_candidate_release(struct reply_candidate *c)
{
    free(c->helpers);
    free(c->script);
    c->helpers = c->script = NULL;
}

/* The first forbidden token of text (outside comments and strings), as a sentence. */
static char *
forbidden(const char *text, bool allow_native_decide, bool in_script, const char *where)
{
    static const char *const words[] = {"sorry", "admit", "sorry_using", "axiom", "opaque",
                                        "native_decide", NULL};
    static const char *const decls[] = {"theorem", "lemma", "def", "abbrev", "instance",
                                        "example", "structure", "inductive", "class",
                                        "namespace", "section", "end", "import", "mutual",
                                        "#exit", NULL};
    if (text == NULL)
        return NULL;
    struct lean_lex *lx = lean_lex_new(text, strlen(text));
    char *why = NULL;
    for (size_t i = 0; i < lean_lex_count(lx) && !why; i++) {
        const struct lean_tok *t = lean_lex_tok(lx, i);
        if (t->kind != LEAN_TOK_IDENT && t->kind != LEAN_TOK_SYMBOL)
            continue;
        for (size_t k = 0; words[k]; k++)
            if (lean_lex_tok_is(lx, t, words[k]) &&
                !(allow_native_decide && strcmp(words[k], "native_decide") == 0))
                why = xasprintf("the %s uses `%s` (line %u): a proof must be complete and may "
                                "not add axioms; give a real proof",
                                where, words[k], t->line + 1);
        for (size_t k = 0; in_script && decls[k] && !why; k++)
            if (lean_lex_tok_is(lx, t, decls[k]) && (t->flags & LEAN_TOK_F_LINE_FIRST))
                why = xasprintf("the %s starts a new command `%s` (line %u): the edit may only "
                                "replace the proof body of the node",
                                where, decls[k], t->line + 1);
        if (!why && in_script && (t->flags & LEAN_TOK_F_LINE_FIRST) &&
            lean_lex_tok_is(lx, t, "@["))
            why = xasprintf("the %s starts a new declaration (line %u): the edit may only "
                            "replace the proof body of the node",
                            where, t->line + 1);
    }
    lean_lex_free(lx);
    return why;
}

char *
reply_refusal(const struct reply_candidate *c, bool allow_native_decide, bool allow_helpers)
{
    char *why = forbidden(c->script, allow_native_decide, true, "proof");
    if (!why && c->helpers) {
        if (!allow_helpers)
            return xstrdup("helper declarations are not allowed (agents.allowHelpers is off): "
                           "give the proof as one tactic script");
        why = forbidden(c->helpers, allow_native_decide, false, "helper lemma");
    }
    if (!why && (c->script == NULL || c->script[strspn(c->script, " \t\n")] == '\0'))
        why = xstrdup("the reply's code block holds no tactic script");
    return why;
}

char *
reply_try_this(const char *message, size_t len)
{
    static const char one[] = "Try this:", many[] = "Try these:";
    const char *end = message + len, *p = NULL;
    for (const char *q = message; q + sizeof one - 1 <= end; q++)
        if (memcmp(q, one, sizeof one - 1) == 0) {
            p = q + sizeof one - 1;
            break;
        } else if (q + sizeof many - 1 <= end && memcmp(q, many, sizeof many - 1) == 0) {
            p = q + sizeof many - 1;
            /* the first bullet */
            while (p < end && (*p == ' ' || *p == '\n' || *p == '\r'))
                p++;
            if (end - p >= 3 && memcmp(p, "\xE2\x80\xA2", 3) == 0) /* • */
                p += 3;
            else if (p < end && *p == '-')
                p++;
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (nl)
                end = nl;
            break;
        }
    if (p == NULL)
        return NULL;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    static const char apply[] = "[apply]";
    if ((size_t)(end - p) >= sizeof apply - 1 && memcmp(p, apply, sizeof apply - 1) == 0) {
        p += sizeof apply - 1;
        while (p < end && *p == ' ')
            p++;
    }
    while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
        end--;
    if (end <= p)
        return NULL;
    return xstrndup(p, (size_t)(end - p));
}
