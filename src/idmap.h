/*
 * idmap: a hash map from JSON-RPC ids (their raw JSON text) to a caller's record.
 *
 * The router keeps the editor's requests that are in flight to Lean here (to fail them if
 * Lean crashes, and to recognise the responses it must edit: initialize, codeAction).
 * Keys are copied; values are opaque pointers the caller owns. Layer 0: pure.
 */
#ifndef LSP_PROXY_IDMAP_H
#define LSP_PROXY_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

struct idmap;

struct idmap *idmap_new(void);
/* Frees the map; calls free_value on every value left when it is not NULL. */
void idmap_free(struct idmap *m, void (*free_value)(void *));
/* Inserts or replaces; returns the value replaced (or NULL). */
void *idmap_put(struct idmap *m, const char *key, size_t len, void *value);
void *idmap_get(const struct idmap *m, const char *key, size_t len);
/* Removes key and returns its value (or NULL). */
void *idmap_take(struct idmap *m, const char *key, size_t len);
size_t idmap_count(const struct idmap *m);
/* Removes every entry, calling fn(key, len, value, arg) for each (in no order). */
void idmap_drain(struct idmap *m, void (*fn)(const char *key, size_t len, void *value, void *arg),
                 void *arg);

#endif
