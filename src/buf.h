/*
 * buf: a growable byte buffer with a hard cap (git strbuf, curl dynbuf).
 *
 * The struct is public because owners embed it; `data`, `len` are read-only for callers,
 * `alloc` and `cap` are private. `data` is always NUL-terminated (one byte past `len`),
 * so text can be handed to C string functions. Appending past `cap` fails with -E2BIG
 * and leaves the buffer unchanged: callers decide whether that is an error or a resync.
 */
#ifndef LSP_PROXY_BUF_H
#define LSP_PROXY_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;   /* read-only: contents, NUL-terminated; NULL until the first append */
    size_t len;   /* read-only: bytes used, not counting the NUL */
    size_t alloc; /* private: bytes allocated */
    size_t cap;   /* private: most bytes len may reach (0 = SIZE_MAX) */
};

#define BUF_INIT {NULL, 0, 0, 0}

/* Sets up an empty buffer that may hold at most cap bytes (0: no cap). */
void buf_init(struct buf *b, size_t cap);
/* Frees the contents; the buffer is empty and reusable (same cap) afterwards. */
void buf_release(struct buf *b);
/* Empties the buffer, keeping its allocation. */
void buf_reset(struct buf *b);
/* Makes room for extra more bytes. Returns 0, or -E2BIG past the cap. */
int buf_grow(struct buf *b, size_t extra);
/* Appends bytes. Returns 0, or -E2BIG past the cap (nothing appended). */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included, escaping as RFC 8259 requires. */
int buf_add_json_string(struct buf *b, const char *s, size_t len);
/* Removes the first n bytes (n <= len), moving the rest down. */
void buf_consume(struct buf *b, size_t n);
/* Hands the contents to the caller (free() them); the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
