/* Unit tests for src/documents.c: UTF-16 positions, edits, CRLF. */
#include <string.h>

#include "documents.h"
#include "tap.h"

static struct lsp_range
R(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2)
{
    struct lsp_range r = {{l1, c1}, {l2, c2}};
    return r;
}

static const char *
text(struct document *d)
{
    return document_text(d, NULL);
}

int
main(void)
{
    struct documents *ds = documents_new();
    const char *src = "theorem t : ∀ x : ℝ, x = x := by\n  sorry\n";
    struct document *d = documents_open(ds, "file:///a.lean", "lean4", 1, src, strlen(src), "\"never\"");
    is_int(document_line_count(d), 3, "three lines (last empty)");
    /* 'ℝ' is one UTF-16 unit but three bytes. */
    struct lsp_pos p = document_position(d, (size_t)(strstr(src, "x = x") - src));
    is_int(p.character, 21, "UTF-16 column after ∀ and ℝ");
    document_apply_change(d, R(1, 2, 1, 7), "rfl", 3);
    is_str(text(d), "theorem t : ∀ x : ℝ, x = x := by\n  rfl\n", "ranged replace");

    /* 𝔽 is a surrogate pair: two UTF-16 units. */
    const char *f = "def a := 𝔽x\n";
    d = documents_open(ds, "file:///b.lean", NULL, 1, f, strlen(f), NULL);
    document_apply_change(d, R(0, 11, 0, 12), "y", 1);
    is_str(text(d), "def a := 𝔽y\n", "position after a surrogate pair counts 2 units");
    document_apply_change(d, R(0, 10, 0, 10), "Z", 1);
    is_str(text(d), "def a := Z𝔽y\n", "position inside a surrogate pair moves to its start");

    /* Edits at line ends, past line ends and past the end of the text. */
    const char *g = "ab\ncd";
    d = documents_open(ds, "file:///c.lean", NULL, 1, g, strlen(g), NULL);
    document_apply_change(d, R(0, 2, 0, 2), "!", 1);
    is_str(text(d), "ab!\ncd", "insert at end of line");
    document_apply_change(d, R(0, 99, 1, 0), "", 0);
    is_str(text(d), "ab!cd", "character past the line end clamps, deleting the newline");
    document_apply_change(d, R(7, 0, 9, 0), "\nef", 3);
    is_str(text(d), "ab!cd\nef", "line past the end appends");
    ok(document_apply_change(d, R(1, 0, 0, 0), "x", 1) < 0, "end before start is refused");

    /* CRLF: a line ends before \r\n; text is kept as sent. */
    const char *h = "a\r\nbc\r\nd";
    d = documents_open(ds, "file:///d.lean", NULL, 1, h, strlen(h), NULL);
    is_int(document_line_count(d), 3, "CRLF lines");
    document_apply_change(d, R(1, 2, 1, 2), "X", 1);
    is_str(text(d), "a\r\nbcX\r\nd", "insert at the end of a CRLF line lands before \\r");
    document_apply_change(d, R(0, 1, 1, 0), " ", 1);
    is_str(text(d), "a bcX\r\nd", "replacing a CRLF break");
    p = document_position(d, strlen("a bcX\r\n"));
    ok(p.line == 1 && p.character == 0, "position after CRLF");

    /* Full-text change and multiple changes in sequence. */
    document_set_text(d, "x", 1);
    document_apply_change(d, R(0, 1, 0, 1), "\n", 1);
    document_apply_change(d, R(1, 0, 1, 0), "y", 1);
    is_str(text(d), "x\ny", "sequential changes see the previous result");

    ok(documents_get(ds, "file:///b.lean") != NULL, "lookup");
    is_int(documents_close(ds, "file:///b.lean"), 0, "close");
    ok(documents_get(ds, "file:///b.lean") == NULL, "closed document gone");
    ok(documents_close(ds, "file:///b.lean") < 0, "closing twice fails");
    d = documents_get(ds, "file:///a.lean");
    is_str(document_build_mode(d), "\"never\"", "dependencyBuildMode kept for replay");

    is_int(utf16_length("ℝ𝔽a", strlen("ℝ𝔽a")), 4, "utf16_length");
    is_int(utf16_length("\xff\xfe", 2), 2, "invalid bytes count one unit each");
    documents_free(ds);
    return done_testing();
}
