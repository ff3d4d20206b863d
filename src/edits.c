/* edits: a node's new proof body as LSP text edits. */
#include "edits.h"

#include <string.h>

#include "buf.h"
#include "xalloc.h"

/* What precedes the body: 2 after `:= by`, 1 after a bare `:=`, 0 when neither. */
static int
edits_body_context(const char *text, size_t body_start)
{
    size_t i = body_start;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' ||
                     text[i - 1] == '\r'))
        i--;
    if (i >= 2 && text[i - 2] == 'b' && text[i - 1] == 'y' &&
        (i == 2 || strchr(" \t\n\r=(", text[i - 3])))
        return 2;
    if (i >= 2 && text[i - 2] == ':' && text[i - 1] == '=')
        return 1;
    return 0;
}

size_t
edits_body_anchor(const char *text, size_t body_start)
{
    size_t i = body_start;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' ||
                     text[i - 1] == '\r'))
        i--;
    return edits_body_context(text, i) ? i : body_start;
}

char *
edits_body_text(const char *text, size_t body_start, const char *script, unsigned indent)
{
    struct buf b;
    buf_init(&b, 0);
    int ctx = edits_body_context(text, body_start);
    if (ctx == 0)
        buf_adds(&b, " := by");
    else if (ctx == 1)
        buf_adds(&b, " by");
    const char *line = script;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        buf_addch(&b, '\n');
        if (n > 0)
            buf_addf(&b, "%*s%.*s", (int)(indent + 2), "", (int)n, line);
        line = nl ? nl + 1 : line + n;
    }
    char *out = buf_detach(&b, NULL);
    return out ? out : xstrdup("");
}

char *
edits_helpers_text(const char *helpers)
{
    size_t n = strlen(helpers);
    while (n > 0 && helpers[n - 1] == '\n')
        n--;
    return xasprintf("%.*s\n\n", (int)n, helpers);
}

char *
edits_workspace_edit(const char *uri, long version, bool document_changes,
                     const struct edits_change *changes, size_t n)
{
    struct buf b, items;
    buf_init(&b, 0);
    buf_init(&items, 0);
    for (size_t i = 0; i < n; i++) {
        const struct lsp_range *r = &changes[i].range;
        buf_addf(&items,
                 "%s{\"range\":{\"start\":{\"line\":%u,\"character\":%u},\"end\":{\"line\":%u,"
                 "\"character\":%u}},\"newText\":",
                 i ? "," : "", r->start.line, r->start.character, r->end.line, r->end.character);
        buf_add_json_string(&items, changes[i].text, strlen(changes[i].text));
        buf_addch(&items, '}');
    }
    if (document_changes) {
        buf_adds(&b, "{\"documentChanges\":[{\"textDocument\":{\"uri\":");
        buf_add_json_string(&b, uri, strlen(uri));
        buf_addf(&b, ",\"version\":%ld},\"edits\":[%s]}]}", version, items.data ? items.data : "");
    } else {
        buf_adds(&b, "{\"changes\":{");
        buf_add_json_string(&b, uri, strlen(uri));
        buf_addf(&b, ":[%s]}}", items.data ? items.data : "");
    }
    buf_release(&items);
    return buf_detach(&b, NULL);
}
