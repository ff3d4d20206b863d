/*
 * verdict: the reviewer's reply (verdict.h). The JSON itself is cJSON's; this file only
 * finds the object in the text and checks its shape.
 */
#include "verdict.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static const char *const codes[VERDICT_NCATEGORIES] = {
    "review.too-weak",           "review.too-strong",        "review.quantifier",
    "review.missing-hypothesis", "review.vacuous-hypothesis", "review.wrong-conclusion",
    "review.mismatched-object",
};

const char *
verdict_code(enum verdict_category c)
{
    return (unsigned)c < VERDICT_NCATEGORIES ? codes[c] : "review.unknown";
}

int
verdict_category_parse(const char *name)
{
    if (strncmp(name, "review.", 7) == 0)
        name += 7;
    for (int i = 0; i < VERDICT_NCATEGORIES; i++)
        if (strcmp(codes[i] + 7, name) == 0)
            return i;
    return -1;
}

/* The end (one past the closing brace) of the balanced object starting at text[i] == '{',
 * or 0 when it does not close. */
static size_t
object_end(const char *text, size_t len, size_t i)
{
    int depth = 0;
    bool in_string = false;
    for (; i < len; i++) {
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
            return i + 1;
        }
    }
    return 0;
}

/* A copy of s capped at VERDICT_MAX_TEXT bytes, cut before a UTF-8 continuation byte. */
static char *
capped(const char *s)
{
    size_t n = strlen(s);
    if (n <= VERDICT_MAX_TEXT)
        return xstrdup(s);
    n = VERDICT_MAX_TEXT;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *out = xmalloc(n + 4);
    memcpy(out, s, n);
    memcpy(out + n, "\xE2\x80\xA6", 4); /* … and the NUL */
    return out;
}

static const char *
trimmed_string(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return NULL;
    const char *s = v->valuestring;
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    return *s ? s : NULL;
}

/* Checks one parsed object. Returns 0 and fills v, or -1 with err. */
static int
verdict_from_json(const cJSON *o, struct verdict *v, char *err, size_t errlen)
{
    const cJSON *vd = cJSON_GetObjectItemCaseSensitive(o, "verdict");
    if (!cJSON_IsString(vd)) {
        snprintf(err, errlen, "\"verdict\" is not a string");
        return -1;
    }
    bool faithful;
    if (strcmp(vd->valuestring, "faithful") == 0) {
        faithful = true;
    } else if (strcmp(vd->valuestring, "unfaithful") == 0) {
        faithful = false;
    } else {
        snprintf(err, errlen, "unknown verdict \"%.60s\" (faithful or unfaithful)",
                 vd->valuestring);
        return -1;
    }
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "findings");
    if (fs && !cJSON_IsArray(fs) && !cJSON_IsNull(fs)) {
        snprintf(err, errlen, "\"findings\" is not an array");
        return -1;
    }
    int n = cJSON_IsArray(fs) ? cJSON_GetArraySize(fs) : 0;
    if (faithful && n > 0) {
        snprintf(err, errlen, "\"faithful\" with %d finding%s: contradictory", n,
                 n == 1 ? "" : "s");
        return -1;
    }
    if (!faithful && n == 0) {
        snprintf(err, errlen, "\"unfaithful\" with no findings");
        return -1;
    }
    if (n > VERDICT_MAX_FINDINGS)
        n = VERDICT_MAX_FINDINGS;
    memset(v, 0, sizeof *v);
    v->faithful = faithful;
    v->findings = n ? xcalloc((size_t)n, sizeof *v->findings) : NULL;
    for (int i = 0; i < n; i++) {
        const cJSON *f = cJSON_GetArrayItem(fs, i);
        const cJSON *cat = cJSON_GetObjectItemCaseSensitive(f, "category");
        int c = cJSON_IsString(cat) ? verdict_category_parse(cat->valuestring) : -1;
        const char *expl = trimmed_string(f, "explanation");
        if (!cJSON_IsObject(f))
            snprintf(err, errlen, "finding %d is not an object", i + 1);
        else if (!cJSON_IsString(cat))
            snprintf(err, errlen, "finding %d has no category", i + 1);
        else if (c < 0)
            snprintf(err, errlen, "finding %d: unknown category \"%.60s\"", i + 1,
                     cat->valuestring);
        else if (expl == NULL)
            snprintf(err, errlen, "finding %d has no explanation", i + 1);
        if (!cJSON_IsObject(f) || c < 0 || expl == NULL) {
            verdict_release(v);
            return -1;
        }
        const char *sug = trimmed_string(f, "suggestion");
        v->findings[i].category = (enum verdict_category)c;
        v->findings[i].explanation = capped(expl);
        v->findings[i].suggestion = sug ? capped(sug) : NULL;
        v->nfindings++;
    }
    return 0;
}

int
verdict_parse(const char *text, size_t len, struct verdict *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (len > VERDICT_MAX_REPLY) {
        snprintf(err, errlen, "the reply is too long (%zu bytes)", len);
        return -1;
    }
    snprintf(err, errlen, "no JSON object with a \"verdict\" in the reply");
    int tries = 0;
    /* the last candidate object with a verdict decides; scan them all */
    cJSON *best = NULL;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '{')
            continue;
        if (++tries > VERDICT_MAX_CANDIDATES)
            break; /* a reply made of braces: bounded work */
        size_t end = object_end(text, len, i);
        if (end == 0)
            continue;
        cJSON *o = cJSON_ParseWithLength(text + i, end - i);
        if (o && cJSON_IsObject(o) && cJSON_GetObjectItemCaseSensitive(o, "verdict")) {
            cJSON_Delete(best);
            best = o;
            i = end - 1; /* skip its inside: nested objects are not candidates */
        } else {
            cJSON_Delete(o);
        }
    }
    if (best == NULL)
        return -1;
    int rc = verdict_from_json(best, v, err, errlen);
    cJSON_Delete(best);
    if (rc == 0)
        snprintf(err, errlen, "%s", "");
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
