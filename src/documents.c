/* documents: mirror of open documents with UTF-16 position mapping. */
#include "documents.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

struct document {
    char *uri;
    char *language_id;
    char *build_mode;    /* raw JSON or NULL */
    long version;
    struct buf text;
    size_t *lines;       /* byte offset of each line start */
    size_t nlines;
    size_t lines_alloc;
    bool lines_dirty;
    void *user;
};

struct documents {
    struct document **docs;
    size_t n, alloc;
};

struct documents *
documents_new(void)
{
    return xcalloc(1, sizeof(struct documents));
}

static void
document_free(struct document *d)
{
    free(d->uri);
    free(d->language_id);
    free(d->build_mode);
    buf_release(&d->text);
    free(d->lines);
    free(d);
}

void
documents_free(struct documents *ds)
{
    if (ds == NULL)
        return;
    for (size_t i = 0; i < ds->n; i++)
        document_free(ds->docs[i]);
    free(ds->docs);
    free(ds);
}

static ssize_t
documents_index(const struct documents *ds, const char *uri)
{
    for (size_t i = 0; i < ds->n; i++)
        if (strcmp(ds->docs[i]->uri, uri) == 0)
            return (ssize_t)i;
    return -1;
}

struct document *
documents_get(struct documents *ds, const char *uri)
{
    ssize_t i = documents_index(ds, uri);
    return i < 0 ? NULL : ds->docs[i];
}

struct document *
documents_open(struct documents *ds, const char *uri, const char *language_id, long version,
               const char *text, size_t len, const char *build_mode_json)
{
    struct document *d = documents_get(ds, uri);
    if (d == NULL) {
        d = xcalloc(1, sizeof *d);
        d->uri = xstrdup(uri);
        buf_init(&d->text, 0);
        if (ds->n == ds->alloc) {
            ds->alloc = ds->alloc ? ds->alloc * 2 : 8;
            ds->docs = xreallocarray(ds->docs, ds->alloc, sizeof *ds->docs);
        }
        ds->docs[ds->n++] = d;
    }
    free(d->language_id);
    d->language_id = xstrdup(language_id ? language_id : "lean4");
    free(d->build_mode);
    d->build_mode = build_mode_json ? xstrdup(build_mode_json) : NULL;
    d->version = version;
    document_set_text(d, text, len);
    return d;
}

int
documents_close(struct documents *ds, const char *uri)
{
    ssize_t i = documents_index(ds, uri);
    if (i < 0)
        return -ENOENT;
    document_free(ds->docs[i]);
    memmove(ds->docs + i, ds->docs + i + 1, (ds->n - (size_t)i - 1) * sizeof *ds->docs);
    ds->n--;
    return 0;
}

void
documents_foreach(struct documents *ds, void (*fn)(struct document *doc, void *arg), void *arg)
{
    for (size_t i = 0; i < ds->n; i++)
        fn(ds->docs[i], arg);
}

size_t
documents_count(const struct documents *ds)
{
    return ds->n;
}

/* Rebuilds the table of line starts; "\r\n", "\n" and a lone "\r" end a line. */
static void
document_index_lines(struct document *d)
{
    const char *s = d->text.data ? d->text.data : "";
    size_t n = d->text.len;
    d->nlines = 0;
    size_t i = 0;
    for (;;) {
        if (d->nlines == d->lines_alloc) {
            d->lines_alloc = d->lines_alloc ? d->lines_alloc * 2 : 256;
            d->lines = xreallocarray(d->lines, d->lines_alloc, sizeof *d->lines);
        }
        d->lines[d->nlines++] = i;
        /* Find the next '\n' or '\r'. */
        size_t j = i;
        const char *nl = memchr(s + i, '\n', n - i);
        size_t limit = nl ? (size_t)(nl - s) : n;
        const char *cr = memchr(s + i, '\r', limit - i);
        if (cr) {
            j = (size_t)(cr - s);
            i = (j + 1 < n && s[j + 1] == '\n') ? j + 2 : j + 1;
        } else if (nl) {
            i = limit + 1;
        } else {
            break;
        }
    }
    d->lines_dirty = false;
}

static void
document_lines(struct document *d)
{
    if (d->lines_dirty || d->lines == NULL)
        document_index_lines(d);
}

void
document_set_text(struct document *d, const char *text, size_t len)
{
    buf_reset(&d->text);
    buf_add(&d->text, text, len);
    if (d->text.data == NULL)
        buf_add(&d->text, "", 0);
    d->lines_dirty = true;
}

void
document_set_version(struct document *d, long version)
{
    d->version = version;
}

/* The end of line `line`'s content (before its terminator). */
static size_t
document_line_end(struct document *d, size_t line)
{
    size_t end = line + 1 < d->nlines ? d->lines[line + 1] : d->text.len;
    const char *s = d->text.data;
    if (line + 1 < d->nlines) {
        if (end > 0 && s[end - 1] == '\n')
            end--;
        if (end > d->lines[line] && s[end - 1] == '\r')
            end--;
    }
    return end;
}

size_t
document_offset(const struct document *cd, struct lsp_pos pos)
{
    struct document *d = (struct document *)cd; /* the line index is a cache */
    document_lines(d);
    if (pos.line >= d->nlines)
        return d->text.len;
    size_t start = d->lines[pos.line];
    size_t end = document_line_end(d, pos.line);
    return start + utf16_to_byte(d->text.data + start, end - start, pos.character);
}

struct lsp_pos
document_position(const struct document *cd, size_t offset)
{
    struct document *d = (struct document *)cd;
    document_lines(d);
    if (offset > d->text.len)
        offset = d->text.len;
    /* Binary search for the last line start <= offset. */
    size_t lo = 0, hi = d->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    size_t end = document_line_end(d, lo);
    if (offset > end)
        offset = end;
    struct lsp_pos p = {(uint32_t)lo,
                        (uint32_t)utf16_length(d->text.data + d->lines[lo], offset - d->lines[lo])};
    return p;
}

int
document_apply_change(struct document *d, struct lsp_range range, const char *text, size_t len)
{
    if (lsp_pos_cmp(range.end, range.start) < 0)
        return -EINVAL;
    size_t a = document_offset(d, range.start);
    size_t b = document_offset(d, range.end);
    if (b < a)
        b = a;
    size_t old = d->text.len;
    size_t new_len = old - (b - a) + len;
    if (new_len > old)
        buf_grow(&d->text, new_len - old);
    char *s = d->text.data;
    memmove(s + a + len, s + b, old - b);
    memcpy(s + a, text, len);
    d->text.len = new_len;
    s[new_len] = '\0';
    d->lines_dirty = true;
    return 0;
}

const char *
document_uri(const struct document *d)
{
    return d->uri;
}

const char *
document_language_id(const struct document *d)
{
    return d->language_id;
}

long
document_version(const struct document *d)
{
    return d->version;
}

const char *
document_text(const struct document *d, size_t *len)
{
    if (len)
        *len = d->text.len;
    return d->text.data ? d->text.data : "";
}

const char *
document_build_mode(const struct document *d)
{
    return d->build_mode;
}

size_t
document_line_count(const struct document *cd)
{
    struct document *d = (struct document *)cd;
    document_lines(d);
    return d->nlines;
}

void *
document_get_user(const struct document *d)
{
    return d->user;
}

void
document_set_user(struct document *d, void *user)
{
    d->user = user;
}

/* Length in bytes of the UTF-8 sequence starting with c (1 for invalid lead bytes). */
static size_t
utf8_seq_len(unsigned char c)
{
    if (c < 0xC0)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    if (c < 0xF8)
        return 4;
    return 1;
}

size_t
utf16_length(const char *s, size_t len)
{
    size_t units = 0, i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_seq_len(c);
        if (i + n > len)
            n = len - i;
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

size_t
utf16_to_byte(const char *s, size_t len, size_t units)
{
    size_t i = 0, u = 0;
    while (i < len && u < units) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_seq_len(c);
        if (i + n > len)
            n = len - i;
        size_t w = n == 4 ? 2 : 1;
        if (u + w > units) /* inside a surrogate pair: stay at its start */
            break;
        u += w;
        i += n;
    }
    return i;
}
