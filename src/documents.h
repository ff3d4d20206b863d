/*
 * documents: the mirror of every document the editor has open, kept from didOpen,
 * didChange (whole-text and ranged changes) and didClose.
 *
 * Positions are LSP positions: 0-based lines and UTF-16 code units (position.h). Line
 * breaks are "\n", "\r\n" and a lone "\r" (LSP 3.17); the text is kept exactly as the
 * editor sent it (CRLF included), so a replay to a restarted Lean sends what the editor
 * has. Out-of-range positions are clamped as LSP says: a character past the line's end
 * means the end of the line, a line past the last means the end of the text; a position
 * inside a surrogate pair is moved to the pair's start.
 * Ownership: the store owns its documents; pointers it returns live until the document is
 * closed or changed. Layer 0: pure.
 */
#ifndef LSP_PROXY_DOCUMENTS_H
#define LSP_PROXY_DOCUMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "position.h"

struct documents;
struct document;

struct documents *documents_new(void);
void documents_free(struct documents *ds);

/* Opens (or re-opens, replacing) uri with text. extra_json is raw JSON kept for replays
 * (the didOpen's `dependencyBuildMode` value, or NULL). Returns the document. */
struct document *documents_open(struct documents *ds, const char *uri, const char *language_id,
                                long version, const char *text, size_t len,
                                const char *build_mode_json);
/* Closes uri. Returns 0, or -ENOENT when it was not open. */
int documents_close(struct documents *ds, const char *uri);
struct document *documents_get(struct documents *ds, const char *uri);
/* Calls fn for every open document, in opening order. */
void documents_foreach(struct documents *ds, void (*fn)(struct document *doc, void *arg),
                       void *arg);
size_t documents_count(const struct documents *ds);

/* Replaces the text range [start, end) with text[0..len) and sets the version.
 * Returns 0, or -EINVAL when end is before start. */
int document_apply_change(struct document *doc, struct lsp_range range, const char *text,
                          size_t len);
/* Replaces the whole text. */
void document_set_text(struct document *doc, const char *text, size_t len);
void document_set_version(struct document *doc, long version);

const char *document_uri(const struct document *doc);
const char *document_language_id(const struct document *doc);
long document_version(const struct document *doc);
/* The text (NUL-terminated) and its length in bytes. */
const char *document_text(const struct document *doc, size_t *len);
/* The raw JSON of the didOpen's dependencyBuildMode, or NULL. */
const char *document_build_mode(const struct document *doc);
size_t document_line_count(const struct document *doc);

/* The byte offset of an LSP position (clamped as described above). */
size_t document_offset(const struct document *doc, struct lsp_pos pos);
/* The LSP position of a byte offset (clamped to the text's length). */
struct lsp_pos document_position(const struct document *doc, size_t offset);

/* Opaque per-document slot for the owner (router): analysis state and the like. */
void *document_get_user(const struct document *doc);
void document_set_user(struct document *doc, void *user);

/* Text helpers shared with other modules. */
/* UTF-16 code units of the UTF-8 text s[0..len) (invalid bytes count 1 each). */
size_t utf16_length(const char *s, size_t len);
/* Byte offset in s[0..len) after `units` UTF-16 code units (clamped, never mid-char). */
size_t utf16_to_byte(const char *s, size_t len, size_t units);

#endif
