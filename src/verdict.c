/*
 * verdict: the reviewer's reply (verdict.h). The JSON itself is cJSON's; this file finds
 * the object in the text, checks its shape and copies its texts within bounds.
 */
#include "verdict.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "textfile.h"
#include "xalloc.h"

static const char *const codes[VERDICT_NCATEGORIES] = {
    "review.too-weak",           "review.too-strong",         "review.quantifier",
    "review.missing-hypothesis", "review.vacuous-hypothesis", "review.wrong-conclusion",
    "review.mismatched-object",
};

#define CATEGORY_LIST                                                                              \
    "too-weak, too-strong, quantifier, missing-hypothesis, vacuous-hypothesis, "                   \
    "wrong-conclusion, mismatched-object"

const char *
verdict_code(enum verdict_category c)
{
    return (unsigned)c < VERDICT_NCATEGORIES ? codes[c] : "review.unknown";
}

const char *
verdict_category_name(enum verdict_category c)
{
    return verdict_code(c) + 7;
}

int
verdict_category_parse(const char *name)
{
    if (name == NULL)
        return -1;
    if (strncmp(name, "review.", 7) == 0)
        name += 7;
    for (int i = 0; i < VERDICT_NCATEGORIES; i++)
        if (strcmp(codes[i] + 7, name) == 0)
            return i;
    return -1;
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a reason into err (nothing when there is no room at all). */
static void
fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* s quoted for a one-line reason: at most 40 bytes, cut at a character boundary ("…"),
 * line breaks and other control characters as blanks, invalid UTF-8 as '?'. */
static const char *
quoted(const char *s, char out[64])
{
    size_t n = strnlen(s, 48), o = 0, i = 0; /* nothing past byte 41 is shown */
    out[o++] = '"';
    while (i < n) {
        size_t end = i + textfile_invalid_utf8(s + i, n - i);
        if (end == i) {
            end = i + 1; /* one invalid byte */
        }
        while (i < end) {
            unsigned char c = (unsigned char)s[i];
            size_t clen = c < 0x80 || end == i + 1 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            if (o + clen > 41) {
                memcpy(out + o, "\xE2\x80\xA6", 3); /* … */
                o += 3;
                i = n;
                break;
            }
            if (textfile_invalid_utf8(s + i, clen) != clen)
                out[o++] = '?';
            else if (c < 0x20 || c == 0x7F)
                out[o++] = ' ';
            else
                memcpy(out + o, s + i, clen), o += clen;
            i += clen;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

/* A trimmed copy of s with invalid UTF-8 as U+FFFD, cut at VERDICT_MAX_TEXT bytes at a
 * character boundary with "…" appended; NULL when s is blank. */
static char *
clean_text(const char *s)
{
    static const char blanks[] = " \t\r\n";
    size_t n = strlen(s);
    while (n && strchr(blanks, s[0]))
        s++, n--;
    while (n && strchr(blanks, s[n - 1]))
        n--;
    if (n == 0)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    size_t i = 0;
    bool cut = false;
    while (i < n) {
        size_t run = textfile_invalid_utf8(s + i, n - i);
        const char *piece = run ? s + i : "\xEF\xBF\xBD"; /* U+FFFD for one bad byte */
        size_t plen = run ? run : 3;
        if (b.len + plen > VERDICT_MAX_TEXT) {
            plen = VERDICT_MAX_TEXT - b.len;
            if (run) /* back to a character boundary */
                while (plen > 0 && ((unsigned char)piece[plen] & 0xC0) == 0x80)
                    plen--;
            else
                plen = 0;
            cut = true;
        }
        (void)buf_add(&b, piece, plen);
        if (cut)
            break;
        i += run ? run : 1;
    }
    if (cut)
        (void)buf_adds(&b, "\xE2\x80\xA6");
    return buf_detach(&b, NULL);
}

/* Checks finding number i (0-based) of a reply. Returns 0 (filling f when f is not
 * NULL), or -1 with err. */
static int
finding_from_json(const cJSON *o, int i, struct verdict_finding *f, char *err, size_t errlen)
{
    char q[64];
    if (!cJSON_IsObject(o)) {
        fail(err, errlen, "finding %d is not an object", i + 1);
        return -1;
    }
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(o, "category");
    if (cat == NULL || cJSON_IsNull(cat)) {
        fail(err, errlen, "finding %d has no category", i + 1);
        return -1;
    }
    if (!cJSON_IsString(cat)) {
        fail(err, errlen, "finding %d: \"category\" is not a string", i + 1);
        return -1;
    }
    int c = verdict_category_parse(cat->valuestring);
    if (c < 0) {
        fail(err, errlen, "finding %d: unknown category %s (expected one of " CATEGORY_LIST ")",
             i + 1, quoted(cat->valuestring, q));
        return -1;
    }
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "explanation");
    if (ex && !cJSON_IsNull(ex) && !cJSON_IsString(ex)) {
        fail(err, errlen, "finding %d: \"explanation\" is not a string", i + 1);
        return -1;
    }
    char *expl = cJSON_IsString(ex) ? clean_text(ex->valuestring) : NULL;
    if (expl == NULL) {
        fail(err, errlen, "finding %d has no explanation", i + 1);
        return -1;
    }
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(o, "suggestion");
    if (sg && !cJSON_IsNull(sg) && !cJSON_IsString(sg)) {
        free(expl);
        fail(err, errlen, "finding %d: \"suggestion\" is not a string", i + 1);
        return -1;
    }
    if (f == NULL) {
        free(expl);
        return 0;
    }
    f->category = (enum verdict_category)c;
    f->explanation = expl;
    f->suggestion = cJSON_IsString(sg) ? clean_text(sg->valuestring) : NULL;
    return 0;
}

/* Checks the chosen object. Returns 0 and fills v, or -1 with err (v zeroed). */
static int
verdict_from_json(const cJSON *o, struct verdict *v, char *err, size_t errlen)
{
    char q[64];
    const cJSON *vd = cJSON_GetObjectItemCaseSensitive(o, "verdict");
    if (!cJSON_IsString(vd)) {
        fail(err, errlen, "\"verdict\" is not a string (expected \"faithful\" or \"unfaithful\")");
        return -1;
    }
    bool faithful;
    if (strcmp(vd->valuestring, "faithful") == 0) {
        faithful = true;
    } else if (strcmp(vd->valuestring, "unfaithful") == 0) {
        faithful = false;
    } else {
        fail(err, errlen, "unknown verdict %s (expected \"faithful\" or \"unfaithful\")",
             quoted(vd->valuestring, q));
        return -1;
    }
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "findings");
    if (fs && !cJSON_IsArray(fs) && !cJSON_IsNull(fs)) {
        fail(err, errlen, "\"findings\" is not an array");
        return -1;
    }
    int n = cJSON_IsArray(fs) ? cJSON_GetArraySize(fs) : 0;
    if (faithful && n > 0) {
        fail(err, errlen, "\"faithful\" with %d finding%s: contradictory", n, n == 1 ? "" : "s");
        return -1;
    }
    if (!faithful && n == 0) {
        fail(err, errlen, "\"unfaithful\" with no findings");
        return -1;
    }
    size_t keep = (size_t)n < VERDICT_MAX_FINDINGS ? (size_t)n : VERDICT_MAX_FINDINGS;
    v->faithful = faithful;
    v->findings = keep ? xcalloc(keep, sizeof *v->findings) : NULL;
    int i = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, fs)
    {
        struct verdict_finding *into = (size_t)i < keep ? &v->findings[i] : NULL;
        if (finding_from_json(f, i, into, err, errlen) < 0) {
            verdict_release(v);
            return -1;
        }
        if (into)
            v->nfindings++;
        else
            v->dropped++;
        i++;
    }
    return 0;
}

/* The end (one past the closing brace) of the balanced object starting at text[i] == '{',
 * or 0 when it does not close within the text or the budget (bytes; decreased). */
static size_t
object_end(const char *text, size_t len, size_t i, size_t *budget)
{
    size_t depth = 0, start = i;
    bool in_string = false;
    for (; i < len; i++) {
        if (i - start >= *budget) {
            *budget = 0;
            return 0;
        }
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            *budget -= i + 1 - start;
            return i + 1;
        }
    }
    *budget -= len - start < *budget ? len - start : *budget;
    return 0;
}

int
verdict_parse(const char *text, size_t len, struct verdict *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (len > VERDICT_MAX_REPLY) {
        fail(err, errlen, "the reply is too long (%zu bytes; at most %u)", len, VERDICT_MAX_REPLY);
        return -1;
    }
    /* bounded work: about 64 passes over the text (scanning a candidate and parsing it
     * both count); only unbalanced braces before the answer cost a pass each */
    size_t budget = 64 * len + ((size_t)1 << 20);
    int tries = 0;
    bool any_object = false;
    cJSON *best = NULL;
    size_t i = 0;
    while (i < len && budget > 0 && tries < VERDICT_MAX_CANDIDATES) {
        const char *open = memchr(text + i, '{', len - i);
        if (open == NULL)
            break;
        size_t s = (size_t)(open - text);
        tries++;
        size_t end = object_end(text, len, s, &budget);
        if (end == 0) {
            i = s + 1; /* unbalanced from here: a stray brace of prose, perhaps */
            continue;
        }
        budget -= end - s < budget ? end - s : budget;
        cJSON *o = cJSON_ParseWithLength(text + s, end - s);
        if (cJSON_IsObject(o)) {
            any_object = true;
            if (cJSON_GetObjectItemCaseSensitive(o, "verdict")) {
                cJSON_Delete(best);
                best = o;
                o = NULL;
            }
            i = end; /* its inside is not top-level */
        } else {
            i = s + 1; /* not JSON: an object may start inside */
        }
        cJSON_Delete(o);
    }
    if (best == NULL) {
        if (i < len && (budget == 0 || tries >= VERDICT_MAX_CANDIDATES))
            fail(err, errlen,
                 "no JSON object found in the reply (the search stopped at byte %zu of %zu: "
                 "too many unbalanced braces)",
                 i, len);
        else if (any_object)
            fail(err, errlen,
                 "no JSON object with a \"verdict\" in the reply (its JSON objects have none)");
        else
            fail(err, errlen, "no JSON object with a \"verdict\" in the reply");
        return -1;
    }
    int rc = verdict_from_json(best, v, err, errlen);
    cJSON_Delete(best);
    if (rc == 0)
        fail(err, errlen, "%s", "");
    return rc;
}

void
verdict_release(struct verdict *v)
{
    for (size_t i = 0; i < v->nfindings; i++) {
        free(v->findings[i].explanation);
        free(v->findings[i].suggestion);
    }
    free(v->findings);
    memset(v, 0, sizeof *v);
}

char *
verdict_to_json(const struct verdict *v)
{
    struct buf b;
    buf_init(&b, 0);
    (void)buf_addf(&b, "{\"verdict\":\"%s\",\"findings\":[",
                   v->faithful ? "faithful" : "unfaithful");
    for (size_t i = 0; i < v->nfindings; i++) {
        const struct verdict_finding *f = &v->findings[i];
        (void)buf_addf(&b, "%s{\"category\":\"%s\",\"explanation\":", i ? "," : "",
                       verdict_category_name(f->category));
        (void)buf_add_json_string(&b, f->explanation, strlen(f->explanation));
        if (f->suggestion) {
            (void)buf_adds(&b, ",\"suggestion\":");
            (void)buf_add_json_string(&b, f->suggestion, strlen(f->suggestion));
        }
        (void)buf_addch(&b, '}');
    }
    (void)buf_adds(&b, "]}");
    return buf_detach(&b, NULL);
}
