/*
 * Unit tests for src/router.c through its feed hooks (no Lean process): the edits the
 * router makes to Lean's replies keep them valid JSON whatever Lean's white space
 * (a fuzzer found `"capabilities":{ }` turned into invalid JSON), and every other byte.
 */
#include <ev.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jscan.h"
#include "router.h"
#include "tap.h"

static int editor_out[2], editor_in[2];

/* The body of the next frame the router wrote to the editor ("" when none). */
static char *
next_frame(void)
{
    static char buf[65536];
    static size_t len;
    ssize_t n;
    while ((n = read(editor_out[0], buf + len, sizeof buf - len - 1)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    char *hdr_end = strstr(buf, "\r\n\r\n");
    if (hdr_end == NULL)
        return strdup("");
    size_t blen = strtoul(buf + strlen("Content-Length: "), NULL, 10);
    size_t start = (size_t)(hdr_end - buf) + 4;
    char *body = strndup(buf + start, blen);
    memmove(buf, buf + start + blen, len - start - blen);
    len -= start + blen;
    return body;
}

static bool
valid(const char *s)
{
    return jscan_validate(s, strlen(s), NULL, NULL) == 0;
}

static void
feed_editor(struct router *r, const char *s)
{
    router_feed_editor(r, s, strlen(s));
}

static void
feed_lean(struct router *r, const char *s)
{
    router_feed_lean(r, s, strlen(s));
}

int
main(void)
{
    if (pipe(editor_out) < 0 || pipe(editor_in) < 0)
        return 1;
    fcntl(editor_out[0], F_SETFL, O_NONBLOCK);
    struct config cfg;
    config_init(&cfg);
    char t[] = "true";
    char *argv[] = {t, NULL};
    struct router_options opts = {argv, editor_in[0], editor_out[1], 0};
    struct router *r = router_new(EV_DEFAULT, &opts, &cfg);

    const char *caps[] = {"{}", "{ }", "{\t}", "{\"hoverProvider\":true}", "{ \"hoverProvider\" : true }"};
    for (int i = 0; i < 5; i++) {
        char req[256], resp[256];
        snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"initialize\",\"params\":{}}", 10 + i);
        snprintf(resp, sizeof resp, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":{\"capabilities\":%s}}", 10 + i, caps[i]);
        feed_editor(r, req);
        feed_lean(r, resp);
        char *out = next_frame();
        ok(valid(out), "initialize reply with capabilities %s stays valid JSON", caps[i]);
        is_contains(out, "\"executeCommandProvider\":{\"commands\":[\"marathon.dag\"", "commands added");
        if (i >= 3)
            is_contains(out, "\"hoverProvider\"", "Lean's capability kept");
        free(out);
    }

    /* A response the router does not edit passes byte for byte, white space included. */
    feed_editor(r, "{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"textDocument/hover\",\"params\":{}}");
    const char *odd = "{ \"jsonrpc\" : \"2.0\", \"id\" : \"h\", \"result\" : { \"x\" : 1.50e3 } }";
    feed_lean(r, odd);
    char *out = next_frame();
    is_str(out, odd, "unedited responses pass byte for byte");
    free(out);

    /* codeAction results of every shape stay valid when nothing of ours is added. */
    const char *results[] = {"null", "[]", "[ ]", "[{\"title\":\"x\"}]"};
    for (int i = 0; i < 4; i++) {
        char req[256], resp[256];
        snprintf(req, sizeof req,
                 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"textDocument/codeAction\",\"params\":"
                 "{\"textDocument\":{\"uri\":\"file:///x.lean\"},\"range\":{\"start\":{\"line\":0,"
                 "\"character\":0},\"end\":{\"line\":0,\"character\":0}},\"context\":{\"diagnostics\":[]}}}",
                 30 + i);
        snprintf(resp, sizeof resp, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":%s}", 30 + i, results[i]);
        feed_editor(r, req);
        feed_lean(r, resp);
        out = next_frame();
        is_str(out, resp, "codeAction result %s passes unchanged when the proxy has nothing", results[i]);
        free(out);
    }

    /* With a document open at a sorry node, our action is appended to every shape. */
    feed_editor(r, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
                   "{\"uri\":\"file:///y.lean\",\"languageId\":\"lean4\",\"version\":1,"
                   "\"text\":\"theorem t : True := by\\n  sorry\\n\"}}}");
    for (int i = 0; i < 4; i++) {
        char req[256], resp[256];
        snprintf(req, sizeof req,
                 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"textDocument/codeAction\",\"params\":"
                 "{\"textDocument\":{\"uri\":\"file:///y.lean\"},\"range\":{\"start\":{\"line\":1,"
                 "\"character\":2},\"end\":{\"line\":1,\"character\":2}},\"context\":{\"diagnostics\":[]}}}",
                 40 + i);
        snprintf(resp, sizeof resp, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":%s}", 40 + i, results[i]);
        feed_editor(r, req);
        feed_lean(r, resp);
        out = next_frame();
        ok(valid(out), "codeAction result %s with ours appended is valid JSON", results[i]);
        is_contains(out, "Prove `t` with agent", "our action appended");
        if (i == 3)
            is_contains(out, "[{\"title\":\"x\"},{\"title\":\"Prove", "Lean's action first");
        free(out);
    }
    router_free(r);
    config_release(&cfg);
    return done_testing();
}
