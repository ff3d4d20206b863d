/*
 * textfile: reads a Lean source file whole for the headless commands (check, dag, prove):
 * one fstat-sized read into one allocation (no growing buffer, no copy), then a check that
 * the bytes are text Lean can read (UTF-8, no NUL). Layer 0: no loop, no logging; the
 * reason for a refusal is written into the caller's buffer.
 *
 * Ownership: textfile_read() returns a new NUL-terminated buffer of *len + 1 bytes from
 * xbig_alloc() (xalloc.h), freed with textfile_free() or handed to analysis_new_take().
 */
#ifndef LSP_PROXY_TEXTFILE_H
#define LSP_PROXY_TEXTFILE_H

#include <stddef.h>

/* The largest file read (bytes). */
#define TEXTFILE_MAX ((size_t)256 << 20)

/* Reads path ("-": standard input) whole. Returns the text (NUL-terminated; *len bytes
 * without the NUL), or NULL with a one-line reason in err (e.g. "No such file or
 * directory", "binary file (NUL byte at offset 12); not Lean source"). */
char *textfile_read(const char *path, size_t *len, char *err, size_t errlen);

/* Frees what textfile_read() returned (len as it reported); NULL is a no-op. */
void textfile_free(char *text, size_t len);

/* Offset of the first byte of s[0, len) that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points over U+10FFFF are invalid) or is NUL; len when there is none.
 * Through ASCII in blocks of sixteen bytes (bytescan.h). */
size_t textfile_invalid_utf8(const char *s, size_t len);

#endif
