/*
 * jscan: validate JSON text and find values inside it without building a tree.
 *
 * The proxy forwards almost every message byte for byte; it only needs to know a few
 * fields (method, id, params.textDocument.uri, ...). Parsing each message into a cJSON
 * tree and printing it again would be slow on 20 MB messages and would not be faithful:
 * cJSON keeps numbers as doubles, so an id like 18446744073709551615 would change.
 * jscan validates once (RFC 8259 structure, depth-limited) and then hands out spans of the
 * original text. cJSON is still used where the proxy builds or edits structured values.
 *
 * Spans borrow the text they point into. Object keys are compared byte for byte with
 * the key as written (a key written with escapes, "\u006d", does not match "m"). When a key
 * occurs twice the last occurrence wins, as in most parsers.
 */
#ifndef LSP_PROXY_JSCAN_H
#define LSP_PROXY_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* A JSON value's raw text: p[0..len). An absent value has p == NULL. */
struct jspan {
    const char *p;
    size_t len;
};

enum jscan_type {
    JSCAN_NONE, /* absent or not JSON */
    JSCAN_OBJECT,
    JSCAN_ARRAY,
    JSCAN_STRING,
    JSCAN_NUMBER,
    JSCAN_TRUE,
    JSCAN_FALSE,
    JSCAN_NULL,
};

#define JSCAN_MAX_DEPTH 512

/* Validates that s[0..len) is exactly one JSON value, optionally surrounded by white space.
 * On success returns 0 and sets *value to the value's span (white space trimmed); on
 * failure returns -1 and sets *err_offset to the byte where the text stopped being JSON. */
int jscan_validate(const char *s, size_t len, struct jspan *value, size_t *err_offset);

enum jscan_type jscan_type(struct jspan v);

/* The member `key` of an object span (validated text). Returns false when v is not an
 * object or has no such key. */
bool jscan_get(struct jspan obj, const char *key, struct jspan *out);
/* Like jscan_get along a dotted path: "params.textDocument.uri". */
bool jscan_path(struct jspan obj, const char *path, struct jspan *out);

/* Iterates an array or object: *pos starts at 0. For arrays, sets *elem and returns true
 * while elements remain; for objects also sets *key to the raw key span (quotes
 * excluded; key may be NULL). */
bool jscan_next(struct jspan container, size_t *pos, struct jspan *key, struct jspan *elem);
/* The number of elements of an array span (0 for anything else). */
size_t jscan_array_len(struct jspan arr);

/* Decodes a string span (with its quotes) into out, appending. Returns 0 or -1 when the
 * span is not a string or out's cap is reached. Invalid \u escapes decode as U+FFFD. */
int jscan_string(struct jspan v, struct buf *out);
/* Decodes a string span into a new NUL-terminated string (free() it); NULL if not a string. */
char *jscan_strdup(struct jspan v);
/* True when v is a string equal to s (after decoding escapes). */
bool jscan_string_eq(struct jspan v, const char *s);
/* True when v is an integer number that fits in long long; sets *out. */
bool jscan_int(struct jspan v, long long *out);
/* True when v is `true`. */
bool jscan_is_true(struct jspan v);
/* True when the two spans hold the same bytes. */
bool jspan_eq(struct jspan a, struct jspan b);

#endif
