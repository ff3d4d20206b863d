/* textfile: whole-file reads of Lean source for the headless commands. */
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytescan.h"
#include "xalloc.h"

/* Length of the valid UTF-8 sequence at s[i] (1-4), or 0 (RFC 3629's table). */
static size_t
utf8_seq(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* over U+10FFFF */
    if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    return n;
}

size_t
textfile_invalid_utf8(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    for (;;) {
        i = bytescan_nul_or_high(text, i, len); /* through ASCII in blocks */
        if (i >= len)
            return len;
        size_t n = utf8_seq(s, len, i);
        if (n == 0)
            return i;
        i += n;
    }
}

/* Reads fd to EOF into a block presized to hint + 1 bytes: when the hint is the file's
 * size, one read fills it and a one-byte read sees EOF, so nothing grows or moves. */
static char *
read_fd(int fd, size_t hint, size_t *len, char *err, size_t errlen)
{
    size_t cap = hint + 1, n = 0;
    char *p = xbig_alloc(cap);
    for (;;) {
        ssize_t r;
        char probe;
        if (n + 1 == cap) {
            /* full: is there more? */
            r = read(fd, &probe, 1);
            if (r == 1) {
                size_t ncap = cap * 2;
                if (cap > TEXTFILE_MAX) {
                    snprintf(err, errlen, "file too large (over %zu MiB)", TEXTFILE_MAX >> 20);
                    xbig_free(p, cap);
                    return NULL;
                }
                p = xbig_grow(p, cap, ncap);
                cap = ncap;
                p[n++] = probe;
                continue;
            }
        } else {
            r = read(fd, p + n, cap - 1 - n);
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            xbig_free(p, cap);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > TEXTFILE_MAX) {
        snprintf(err, errlen, "file too large (over %zu MiB)", TEXTFILE_MAX >> 20);
        xbig_free(p, cap);
        return NULL;
    }
    if (cap != n + 1)
        p = xbig_grow(p, cap, n + 1); /* the block is exactly len + 1 (textfile_free) */
    p[n] = '\0';
    *len = n;
    return p;
}

char *
textfile_read(const char *path, size_t *len, char *err, size_t errlen)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    size_t hint = 65536;
    char *text;
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uint64_t)st.st_size > TEXTFILE_MAX) {
            snprintf(err, errlen, "file too large (over %zu MiB)", TEXTFILE_MAX >> 20);
            if (fd != STDIN_FILENO)
                close(fd);
            return NULL;
        }
        hint = (size_t)st.st_size;
    } else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s", strerror(EISDIR));
        if (fd != STDIN_FILENO)
            close(fd);
        return NULL;
    }
    text = read_fd(fd, hint, len, err, errlen);
    if (fd != STDIN_FILENO)
        close(fd);
    if (text == NULL)
        return NULL;
    size_t bad = textfile_invalid_utf8(text, *len);
    if (bad < *len) {
        unsigned char c = (unsigned char)text[bad];
        if (c == 0)
            snprintf(err, errlen, "binary file (NUL byte at offset %zu); not Lean source", bad);
        else
            snprintf(err, errlen,
                     "not UTF-8 (invalid byte 0x%02x at offset %zu); Lean source must be UTF-8",
                     c, bad);
        textfile_free(text, *len);
        return NULL;
    }
    return text;
}

void
textfile_free(char *text, size_t len)
{
    xbig_free(text, len + 1);
}
