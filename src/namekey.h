/*
 * namekey: a 12-bit key of one component of a Lean name, for the DAG's pre-filter.
 *
 * Most identifiers in a proof body (tactics, local names, library lemmas) name no
 * declaration of the file. The DAG sets one bit of a 4096-bit table for every component of
 * every declaration name (dag.c); a reference whose first component's bit is clear names
 * none of them, whatever namespace or `open` it is resolved in.
 *
 * The declaration reader computes a reference's key once, when it reads it (decl_ref.head),
 * so an incremental update re-keys only what it reads again. Header-only.
 */
#ifndef LSP_PROXY_NAMEKEY_H
#define LSP_PROXY_NAMEKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NAMEKEY_BITS 4096u
#define NAMEKEY_ANY 0xFFFFu /* no key: the first component may be quoted (`«…»`) or is empty */

/* The key of the component s[0..len), len >= 1: its length, first, second and last bytes. */
static inline unsigned
namekey_part(const char *s, size_t len)
{
    unsigned char a = (unsigned char)s[0], b = (unsigned char)s[len > 1 ? 1 : 0];
    unsigned char z = (unsigned char)s[len - 1];
    return ((unsigned)len * 31u + a * 7u + b * 131u + z * 17u) & (NAMEKEY_BITS - 1);
}

/* The key of a reference as written: of its first component, after a leading `_root_.`.
 * NAMEKEY_ANY when that component holds 0xC2 (perhaps a guillemet, decided only after
 * unquoting) or is empty. */
static inline unsigned
namekey_ref_head(const char *t, size_t len)
{
    static const char root[] = "_root_.";
    if (len > sizeof root - 1 && t[0] == '_' && memcmp(t, root, sizeof root - 1) == 0) {
        t += sizeof root - 1;
        len -= sizeof root - 1;
    }
    size_t n = 0;
    while (n < len && t[n] != '.') {
        if ((unsigned char)t[n] == 0xC2)
            return NAMEKEY_ANY;
        n++;
    }
    return n == 0 ? NAMEKEY_ANY : namekey_part(t, n);
}

/* True when key's bit is set in a NAMEKEY_BITS-bit table; always for NAMEKEY_ANY. */
static inline bool
namekey_in(const uint64_t *table, unsigned key)
{
    return key == NAMEKEY_ANY || ((table[key >> 6] >> (key & 63)) & 1);
}

#endif
