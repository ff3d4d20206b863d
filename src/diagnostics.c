/* diagnostics: Lean's and the proxy's diagnostic sets per URI, merged on publish. */
#include "diagnostics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

#define DIAG_SOURCES_MAX 4

struct diag_own {
    char *source;
    char *items; /* comma-separated raw items, no brackets; NULL when empty */
};

struct diag_entry {
    char *uri;
    bool lean_known;
    char version[32];        /* raw JSON of Lean's last version, "" when none */
    struct buf lean;         /* comma-separated raw items */
    struct lean_diag *view;  /* parsed cache of `lean` */
    size_t view_n;
    bool view_valid;
    struct diag_own own[DIAG_SOURCES_MAX];
};

struct diagnostics {
    struct diag_entry **e;
    size_t n, alloc;
};

struct diagnostics *
diagnostics_new(void)
{
    return xcalloc(1, sizeof(struct diagnostics));
}

static void
diag_entry_free(struct diag_entry *e)
{
    free(e->uri);
    buf_release(&e->lean);
    free(e->view);
    for (int i = 0; i < DIAG_SOURCES_MAX; i++) {
        free(e->own[i].source);
        free(e->own[i].items);
    }
    free(e);
}

void
diagnostics_free(struct diagnostics *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        diag_entry_free(d->e[i]);
    free(d->e);
    free(d);
}

static struct diag_entry *
diag_find(const struct diagnostics *d, const char *uri)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->e[i]->uri, uri) == 0)
            return d->e[i];
    return NULL;
}

static struct diag_entry *
diag_get(struct diagnostics *d, const char *uri)
{
    struct diag_entry *e = diag_find(d, uri);
    if (e)
        return e;
    e = xcalloc(1, sizeof *e);
    e->uri = xstrdup(uri);
    buf_init(&e->lean, 0);
    if (d->n == d->alloc) {
        d->alloc = d->alloc ? d->alloc * 2 : 8;
        d->e = xreallocarray(d->e, d->alloc, sizeof *d->e);
    }
    d->e[d->n++] = e;
    return e;
}

void
diagnostics_forget(struct diagnostics *d, const char *uri)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->e[i]->uri, uri) == 0) {
            diag_entry_free(d->e[i]);
            d->e[i] = d->e[--d->n];
            return;
        }
    }
}

/* Appends the items of a JSON array span to out (comma-separated); returns the count. */
static size_t
diag_append_items(struct buf *out, struct jspan arr)
{
    size_t pos = 0, n = 0;
    struct jspan item;
    while (jscan_next(arr, &pos, NULL, &item)) {
        if (out->len)
            buf_addch(out, ',');
        buf_add(out, item.p, item.len);
        n++;
    }
    return n;
}

/* Appends the inner text of a JSON array span (its items, as written) to out, with a
 * comma when out already holds items. Returns false for an empty array. No walk over the
 * items: this is the hot path of every publishDiagnostics. */
static bool
diag_append_inner(struct buf *out, struct jspan arr)
{
    const char *p = arr.p + 1, *end = arr.p + arr.len - 1;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        end--;
    if (p == end)
        return false;
    if (out->len)
        buf_addch(out, ',');
    buf_add(out, p, (size_t)(end - p));
    return true;
}

int
diagnostics_lean_publish(struct diagnostics *d, struct jspan params, char **uri_out,
                         bool *incremental_out)
{
    struct jspan key, val, uri_span = {NULL, 0}, arr = {NULL, 0}, ver = {NULL, 0};
    bool incremental = false;
    size_t pos = 0;
    /* One pass over the members. */
    while (jscan_next(params, &pos, &key, &val)) {
        if (key.len == 3 && memcmp(key.p, "uri", 3) == 0)
            uri_span = val;
        else if (key.len == 11 && memcmp(key.p, "diagnostics", 11) == 0)
            arr = val;
        else if (key.len == 7 && memcmp(key.p, "version", 7) == 0)
            ver = val;
        else if (key.len == 13 && memcmp(key.p, "isIncremental", 13) == 0)
            incremental = jscan_is_true(val);
    }
    if (jscan_type(uri_span) != JSCAN_STRING || jscan_type(arr) != JSCAN_ARRAY)
        return -EINVAL;
    char *uri = jscan_strdup(uri_span);
    struct diag_entry *e = diag_get(d, uri);
    if (!incremental || !e->lean_known)
        buf_reset(&e->lean);
    diag_append_inner(&e->lean, arr);
    e->lean_known = true;
    e->view_valid = false;
    if (ver.p && ver.len < sizeof e->version) {
        memcpy(e->version, ver.p, ver.len);
        e->version[ver.len] = '\0';
    } else {
        e->version[0] = '\0';
    }
    if (incremental_out)
        *incremental_out = incremental;
    if (uri_out)
        *uri_out = uri;
    else
        free(uri);
    return 0;
}

bool
diagnostics_set_own(struct diagnostics *d, const char *uri, const char *source,
                    const char *items_json)
{
    struct diag_entry *e = diag_get(d, uri);
    char *items = NULL;
    if (items_json) {
        struct jspan arr;
        if (jscan_validate(items_json, strlen(items_json), &arr, NULL) == 0 &&
            jscan_type(arr) == JSCAN_ARRAY) {
            struct buf b;
            buf_init(&b, 0);
            if (diag_append_items(&b, arr) > 0)
                items = buf_detach(&b, NULL);
            buf_release(&b);
        }
    }
    int slot = -1;
    for (int i = 0; i < DIAG_SOURCES_MAX; i++) {
        if (e->own[i].source && strcmp(e->own[i].source, source) == 0) {
            slot = i;
            break;
        }
        if (e->own[i].source == NULL && slot < 0)
            slot = i;
    }
    if (slot < 0) {
        free(items);
        return false;
    }
    struct diag_own *o = &e->own[slot];
    bool same = (o->items == NULL && items == NULL) ||
                (o->items && items && strcmp(o->items, items) == 0);
    if (o->source == NULL)
        o->source = xstrdup(source);
    free(o->items);
    o->items = items;
    return !same;
}

bool
diagnostics_has_own(const struct diagnostics *d, const char *uri)
{
    const struct diag_entry *e = diag_find(d, uri);
    if (e == NULL)
        return false;
    for (int i = 0; i < DIAG_SOURCES_MAX; i++)
        if (e->own[i].items)
            return true;
    return false;
}

void
diagnostics_write_publish(struct diagnostics *d, const char *uri, struct buf *out)
{
    const struct diag_entry *e = diag_find(d, uri);
    buf_adds(out, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\","
                  "\"params\":{\"uri\":");
    buf_add_json_string(out, uri, strlen(uri));
    if (e && e->version[0]) {
        buf_adds(out, ",\"version\":");
        buf_adds(out, e->version);
    }
    buf_adds(out, ",\"diagnostics\":[");
    bool first = true;
    if (e && e->lean.len) {
        buf_add(out, e->lean.data, e->lean.len);
        first = false;
    }
    for (int i = 0; e && i < DIAG_SOURCES_MAX; i++) {
        if (e->own[i].items == NULL)
            continue;
        if (!first)
            buf_addch(out, ',');
        buf_adds(out, e->own[i].items);
        first = false;
    }
    buf_adds(out, "]}}");
}

bool
diagnostics_is_sorry_message(const char *m)
{
    if (strncmp(m, "declaration ", 12) != 0)
        return false;
    return strstr(m, " uses 'sorry'") != NULL || strstr(m, " uses `sorry`") != NULL;
}

/* Reads {"line":L,"character":C}. */
static bool
diag_read_pos(struct jspan v, struct lsp_pos *p)
{
    struct jspan l, c;
    long long line, ch;
    if (!jscan_get(v, "line", &l) || !jscan_get(v, "character", &c) || !jscan_int(l, &line) ||
        !jscan_int(c, &ch) || line < 0 || ch < 0)
        return false;
    p->line = (uint32_t)line;
    p->character = (uint32_t)ch;
    return true;
}

static bool
diag_read_range(struct jspan v, struct lsp_range *r)
{
    struct jspan s, e;
    return jscan_get(v, "start", &s) && jscan_get(v, "end", &e) && diag_read_pos(s, &r->start) &&
           diag_read_pos(e, &r->end);
}

/* Parses the raw items into the view cache. */
static void
diag_build_view(struct diag_entry *e)
{
    free(e->view);
    /* Re-wrap the comma-separated items as an array to iterate them. */
    struct buf arr;
    buf_init(&arr, 0);
    buf_addch(&arr, '[');
    buf_add(&arr, e->lean.data ? e->lean.data : "", e->lean.len);
    buf_addch(&arr, ']');
    struct jspan a = {arr.data, arr.len}, item;
    size_t n = jscan_array_len(a), pos = 0;
    e->view = xcalloc(n ? n : 1, sizeof *e->view);
    e->view_n = 0;
    while (jscan_next(a, &pos, NULL, &item) && e->view_n < n) {
        struct lean_diag *ld = &e->view[e->view_n];
        struct jspan v;
        long long sev = 1;
        if (jscan_get(item, "severity", &v))
            jscan_int(v, &sev);
        ld->severity = (int)sev;
        if (!(jscan_get(item, "fullRange", &v) && diag_read_range(v, &ld->range)) &&
            !(jscan_get(item, "range", &v) && diag_read_range(v, &ld->range)))
            continue;
        ld->is_sorry = false;
        if (sev == 2 && jscan_get(item, "message", &v)) {
            char *msg = jscan_strdup(v);
            ld->is_sorry = msg && diagnostics_is_sorry_message(msg);
            free(msg);
        }
        e->view_n++;
    }
    buf_release(&arr);
    e->view_valid = true;
}

const struct lean_diag *
diagnostics_lean_view(struct diagnostics *d, const char *uri, size_t *n, bool *known)
{
    struct diag_entry *e = diag_find(d, uri);
    *n = 0;
    *known = e && e->lean_known;
    if (e == NULL || !e->lean_known)
        return NULL;
    if (!e->view_valid)
        diag_build_view(e);
    *n = e->view_n;
    return e->view;
}

size_t
diagnostics_lean_count(struct diagnostics *d, const char *uri)
{
    size_t n;
    bool known;
    diagnostics_lean_view(d, uri, &n, &known);
    return n;
}
