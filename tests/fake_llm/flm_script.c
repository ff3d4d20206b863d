/* flm_script.c: the fake LLM server's scripted replies and their selection (flm_script.h). */
#include "flm_script.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flm_util.h"

struct flm_script {
    struct flm_entry **entries;
    size_t n, cap;
};

struct flm_script *
flm_script_new(void)
{
    return flm_xcalloc(1, sizeof(struct flm_script));
}

static void
flm_entry_free(struct flm_entry *e)
{
    if (!e)
        return;
    free(e->match);
    free(e->path);
    free(e->content);
    free(e->message);
    free(e->error_type);
    for (size_t i = 0; i < 2 * e->nheaders; i++)
        free(e->headers[i]);
    free(e->headers);
    free(e->body);
    free(e->content_type);
    free(e->finish);
    free(e);
}

void
flm_script_free(struct flm_script *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        flm_entry_free(s->entries[i]);
    free(s->entries);
    free(s);
}

size_t
flm_script_count(const struct flm_script *s)
{
    return s->n;
}

/* An integer-valued JSON number within [lo, hi] into *out. */
static bool
flm_json_long(const cJSON *v, long lo, long hi, long *out)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    if (d != floor(d) || d < (double)lo || d > (double)hi)
        return false;
    *out = (long)d;
    return true;
}

static bool
flm_json_str(const cJSON *v, char **out)
{
    if (!cJSON_IsString(v))
        return false;
    free(*out);
    *out = flm_xstrdup(v->valuestring);
    return true;
}

/* A header name is a token; a value has no CR, LF or other control character but HTAB. */
static bool
flm_header_ok(const char *name, const char *value)
{
    if (!*name)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              strchr("!#$%&'*+-.^_`|~", *c)))
            return false;
    for (const char *c = value; *c; c++)
        if ((unsigned char)*c == 0x7f || ((unsigned char)*c < 0x20 && *c != '\t'))
            return false;
    return true;
}

static const char *
flm_entry_headers(struct flm_entry *e, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return "`headers` must be an object of strings";
    const cJSON *h;
    cJSON_ArrayForEach(h, v)
    {
        if (!cJSON_IsString(h) || !flm_header_ok(h->string, h->valuestring))
            return "`headers`: each value a string, names tokens, no line breaks";
        if (flm_ieq(h->string, "content-length") || flm_ieq(h->string, "transfer-encoding") ||
            flm_ieq(h->string, "connection"))
            return "`headers` cannot change the framing (Content-Length, Transfer-Encoding, "
                   "Connection)";
        e->headers = flm_xrealloc(e->headers, (e->nheaders + 1) * 2 * sizeof *e->headers);
        e->headers[2 * e->nheaders] = flm_xstrdup(h->string);
        e->headers[2 * e->nheaders + 1] = flm_xstrdup(h->valuestring);
        e->nheaders++;
    }
    return NULL;
}

static const char *
flm_entry_usage(struct flm_entry *e, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return "`usage` must be an object {\"in\":N,\"out\":M}";
    const cJSON *u;
    cJSON_ArrayForEach(u, v)
    {
        long *dst = strcmp(u->string, "in") == 0    ? &e->usage_in
                    : strcmp(u->string, "out") == 0 ? &e->usage_out
                                                    : NULL;
        if (!dst)
            return "`usage` has only `in` and `out`";
        if (!flm_json_long(u, 0, 1000000000L, dst))
            return "`usage` counts must be non-negative integers";
    }
    return NULL;
}

/* One field of an entry; returns NULL or why it is wrong. */
static const char *
flm_entry_field(struct flm_entry *e, const cJSON *v)
{
    const char *k = v->string;
    long x;
    if (strcmp(k, "match") == 0)
        return flm_json_str(v, &e->match) ? NULL : "`match` must be a string";
    if (strcmp(k, "path") == 0)
        return flm_json_str(v, &e->path) && e->path[0] == '/' ? NULL
                                                              : "`path` must be a string /...";
    if (strcmp(k, "times") == 0) {
        if (!flm_json_long(v, -1, 1000000000L, &e->times))
            return "`times` must be an integer >= -1";
        return NULL;
    }
    if (strcmp(k, "content") == 0)
        return flm_json_str(v, &e->content) ? NULL : "`content` must be a string";
    if (strcmp(k, "status") == 0) {
        if (!flm_json_long(v, 200, 599, &x))
            return "`status` must be an integer 200..599";
        e->status = (int)x;
        return NULL;
    }
    if (strcmp(k, "message") == 0)
        return flm_json_str(v, &e->message) ? NULL : "`message` must be a string";
    if (strcmp(k, "error_type") == 0)
        return flm_json_str(v, &e->error_type) ? NULL : "`error_type` must be a string";
    if (strcmp(k, "headers") == 0)
        return flm_entry_headers(e, v);
    if (strcmp(k, "body") == 0)
        return flm_json_str(v, &e->body) ? NULL : "`body` must be a string";
    if (strcmp(k, "content_type") == 0)
        return flm_json_str(v, &e->content_type) && flm_header_ok("x", e->content_type)
                   ? NULL
                   : "`content_type` must be a string without line breaks";
    if (strcmp(k, "stream") == 0) {
        if (!cJSON_IsBool(v))
            return "`stream` must be true or false";
        e->stream = cJSON_IsTrue(v);
        return NULL;
    }
    if (strcmp(k, "provider") == 0) {
        const char *p = cJSON_IsString(v) ? v->valuestring : "";
        if (strcmp(p, "openai") == 0)
            e->provider = FLM_PROVIDER_OPENAI;
        else if (strcmp(p, "anthropic") == 0)
            e->provider = FLM_PROVIDER_ANTHROPIC;
        else
            return "`provider` must be \"openai\" or \"anthropic\"";
        return NULL;
    }
    if (strcmp(k, "chunks") == 0) {
        if (!flm_json_long(v, 1, 1000000L, &x))
            return "`chunks` must be an integer >= 1";
        e->chunks = (int)x;
        return NULL;
    }
    if (strcmp(k, "delay_ms") == 0)
        return flm_json_long(v, 0, 3600000L, &e->delay_ms) ? NULL
                                                           : "`delay_ms` must be an integer >= 0";
    if (strcmp(k, "chunk_delay_ms") == 0)
        return flm_json_long(v, 0, 3600000L, &e->chunk_delay_ms)
                   ? NULL
                   : "`chunk_delay_ms` must be an integer >= 0";
    if (strcmp(k, "stall_after_events") == 0)
        return flm_json_long(v, 0, 1000000000L, &e->stall_after_events)
                   ? NULL
                   : "`stall_after_events` must be an integer >= 0";
    if (strcmp(k, "close") == 0) {
        const char *c = cJSON_IsString(v) ? v->valuestring : "";
        if (strcmp(c, "before_headers") == 0)
            e->close = FLM_CLOSE_BEFORE_HEADERS;
        else if (strcmp(c, "mid_body") == 0)
            e->close = FLM_CLOSE_MID_BODY;
        else
            return "`close` must be \"before_headers\" or \"mid_body\"";
        return NULL;
    }
    if (strcmp(k, "usage") == 0)
        return flm_entry_usage(e, v);
    if (strcmp(k, "finish") == 0)
        return flm_json_str(v, &e->finish) ? NULL : "`finish` must be a string";
    return "unknown field";
}

/* A new entry from one script line, or NULL with why (and the field) in err. */
static struct flm_entry *
flm_entry_parse(const char *line, size_t len, char *err, size_t errlen)
{
    cJSON *o = cJSON_ParseWithLength(line, len);
    struct flm_entry *e = NULL;
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "not a JSON object");
        goto out;
    }
    e = flm_xcalloc(1, sizeof *e);
    e->times = 1;
    e->status = 200;
    e->stream = -1;
    e->chunks = 3;
    e->stall_after_events = -1;
    e->usage_in = e->usage_out = -1;
    const cJSON *v;
    cJSON_ArrayForEach(v, o)
    {
        const char *why = flm_entry_field(e, v);
        if (why) {
            snprintf(err, errlen, "field `%s`: %s", v->string, why);
            flm_entry_free(e);
            e = NULL;
            goto out;
        }
    }
    if (!e->content)
        e->content = flm_xstrdup("");
out:
    cJSON_Delete(o);
    return e;
}

static bool
flm_line_skipped(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == n || s[i] == '#';
}

int
flm_script_append(struct flm_script *s, const char *text, size_t len, char *err,
                  size_t errlen)
{
    struct flm_entry **fresh = NULL;
    size_t nfresh = 0;
    int rc = -1;
    size_t lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        if (!flm_line_skipped(text + pos, end - pos)) {
            char why[256];
            struct flm_entry *e = flm_entry_parse(text + pos, end - pos, why, sizeof why);
            if (!e) {
                snprintf(err, errlen, "line %zu: %s", lineno, why);
                goto out;
            }
            fresh = flm_xrealloc(fresh, (nfresh + 1) * sizeof *fresh);
            fresh[nfresh++] = e;
        }
        pos = end + 1;
    }
    if (s->n + nfresh > s->cap) {
        s->cap = (s->n + nfresh) * 2;
        s->entries = flm_xrealloc(s->entries, s->cap * sizeof *s->entries);
    }
    for (size_t i = 0; i < nfresh; i++)
        s->entries[s->n++] = fresh[i];
    nfresh = 0;
    rc = 0;
out:
    for (size_t i = 0; i < nfresh; i++)
        flm_entry_free(fresh[i]);
    free(fresh);
    return rc;
}

int
flm_script_load(struct flm_script *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct flm_str text = {0};
    int rc = -1;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        flm_str_add(&text, buf, n);
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto out;
    }
    char why[384];
    rc = flm_script_append(s, text.s ? text.s : "", text.len, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", path, why);
out:
    if (f)
        fclose(f);
    flm_str_release(&text);
    return rc;
}

long
flm_script_pick(struct flm_script *s, const char *path, bool provider_path, const char *body,
                size_t body_len, const struct flm_entry **out)
{
    for (size_t i = 0; i < s->n; i++) {
        struct flm_entry *e = s->entries[i];
        if (e->times == 0)
            continue;
        if (e->path ? strcmp(e->path, path) != 0 : !provider_path)
            continue;
        if (e->match && !flm_memmem(body, body_len, e->match, strlen(e->match)))
            continue;
        if (e->times > 0)
            e->times--;
        *out = e;
        return (long)i;
    }
    *out = NULL;
    return -1;
}
