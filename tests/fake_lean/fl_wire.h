/*
 * fl_wire.h: the fake Lean server's own LSP framing and raw-JSON span helpers.
 *
 * Written independently of src/frame.c and src/jscan.c on purpose, so that a misreading of
 * the wire format in the proxy cannot be hidden by the same misreading here.
 * Reader: `Content-Length: N\r\n\r\n` + N body bytes, read as strictly as Lean's own reader
 * (lean-lsp-facts §0, Lean/Data/Lsp/Communication.lean): other "Name: value" fields are
 * accepted, "Content-Length" is matched with its case, the value is a bare decimal number.
 * Writer: only a Content-Length header, one write() per frame.
 * Span helpers work on JSON text that cJSON already accepted (they assume valid JSON).
 */
#ifndef LSP_PROXY_FL_WIRE_H
#define LSP_PROXY_FL_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#define FL_WIRE_MAX_HEADER 65536          /* bytes of one header block */
#define FL_WIRE_MAX_BODY (256u << 20)     /* bytes of one body */

struct fl_reader {
    char *buf;  /* private */
    size_t len; /* private: bytes held */
    size_t cap; /* private */
};

enum fl_frame {
    FL_FRAME_NEED_MORE, /* no complete frame yet */
    FL_FRAME_OK,        /* *body is a new NUL-terminated copy of the body; free it */
    FL_FRAME_BAD,       /* unusable header; *err says why (static text) */
};

/* Appends n bytes read from the peer. */
void fl_reader_feed(struct fl_reader *r, const char *data, size_t n);
/* Takes the next complete frame out of the buffer. */
enum fl_frame fl_reader_next(struct fl_reader *r, char **body, size_t *len, const char **err);
/* True when bytes of an unfinished frame are held. */
bool fl_reader_pending(const struct fl_reader *r);
void fl_reader_release(struct fl_reader *r);

/* Writes one frame to fd (blocking, EINTR and short writes handled). Returns 0 or -errno. */
int fl_write_frame(int fd, const char *body, size_t len);

/* Index just after the JSON value starting at s[i] (after leading whitespace), or n. */
size_t fl_json_skip_value(const char *s, size_t n, size_t i);
/*
 * Finds member `key` of the JSON object whose text is s[0..n). On success
 * sets *vstart and *vend to the value's span (no surrounding whitespace) and returns true.
 * Keys are compared after decoding simple escapes; the first match wins (as cJSON).
 */
bool fl_json_member(const char *s, size_t n, const char *key, size_t *vstart, size_t *vend);
/* Follows a NULL-terminated key path from the top object; same result as fl_json_member. */
bool fl_json_path(const char *s, size_t n, const char *const *path, size_t *vstart,
                  size_t *vend);
/* A new copy of s[0..n) without whitespace outside strings (digits kept as written). */
char *fl_json_minify(const char *s, size_t n);

#endif
