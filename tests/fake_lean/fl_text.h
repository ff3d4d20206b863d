/*
 * fl_text.h: document text of the fake Lean server, with a line index and the LSP
 * position <-> byte offset conversion (positions count UTF-16 code units, lean-lsp-facts §3.1).
 *
 * Owns the bytes of one document. Lines are split at '\n' only; a '\r' left in the text (from
 * didChange, which Lean does not normalise) is an ordinary character. Invalid UTF-8 bytes
 * count as one code unit each. Prefix fl_text_ / fl_utf8_.
 */
#ifndef LSP_PROXY_FL_TEXT_H
#define LSP_PROXY_FL_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct fl_text {
    char *s;            /* read-only for callers: NUL-terminated bytes */
    size_t len;         /* read-only: bytes */
    size_t *line_start; /* read-only: byte offset of each line */
    size_t nlines;      /* read-only: number of '\n' + 1 */
};

/* Takes ownership of s (malloc'd, NUL-terminated, len bytes) and builds the index. */
void fl_text_init(struct fl_text *t, char *s, size_t len);
void fl_text_release(struct fl_text *t);
/* Byte offset of the end of line `line` (its '\n', or the end of the text). */
size_t fl_text_line_end(const struct fl_text *t, size_t line);
/* LSP position -> byte offset; a line past the end gives the end of the text, a character
 * past the end of its line gives the end of the line; never splits a UTF-8 sequence. */
size_t fl_text_offset(const struct fl_text *t, int64_t line, int64_t character);
/* Byte offset -> LSP position. */
void fl_text_position(const struct fl_text *t, size_t off, int64_t *line, int64_t *character);
/* Replaces bytes [a, b) by ins[0..n) and rebuilds the index. */
void fl_text_replace(struct fl_text *t, size_t a, size_t b, const char *ins, size_t n);

/* Decodes one code point at s[i] (i < n); returns its length in bytes (1 for a bad byte,
 * with *cp = 0xFFFD). */
size_t fl_utf8_decode(const char *s, size_t n, size_t i, uint32_t *cp);
/* UTF-16 code units of s[0..n). */
int64_t fl_utf16_units(const char *s, size_t n);
/* New copy of s[0..n) with every "\r\n" turned into "\n" (didOpen, lean-lsp-facts §5.1). */
char *fl_crlf_to_lf(const char *s, size_t n, size_t *out_len);

#endif
