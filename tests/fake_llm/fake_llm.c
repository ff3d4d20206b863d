/*
 * fake_llm: a fake LLM HTTP server for the tests of the proxy's libcurl client (curl's
 * tests/server/sws.c in spirit). It speaks HTTP/1.1 on 127.0.0.1 and answers the OpenAI chat
 * completions API and the Anthropic messages API from a script: whole and streamed (SSE)
 * replies, errors, slow or stalled streams, early closes and garbage. It shares no code
 * with src/ (its own HTTP parser, flm_http.c, and reply builder, flm_reply.c).
 *
 * COMMAND LINE
 *   fake_llm [--port-file F] [--record F] [--script F] [--pid-file F]   (also --opt=VALUE)
 *   --port-file F   once listening, write the port number and a newline to F (written to
 *                   F.tmp.PID, then renamed: a reader never sees a partial file). Without
 *                   it the port goes to stdout, one line.
 *   --script F      the script (JSONL, below); a bad script: message on stderr, exit 2
 *   --record F      appends `{"fake_llm_start":PID}`, then one line per API request, before
 *                   it is answered: {"n":N,"method":M,"path":TARGET,"headers":{lowercased
 *                   name: value; repeats joined with ", "},"body":<the body parsed as JSON,
 *                   or the raw text>,"entry":<index of the script entry that answers, or
 *                   null>,"t_ms":<ms since start>}. Each line is one write().
 *   --pid-file F    write own pid
 *   SIGTERM / SIGINT: close everything, exit 0.
 *
 * HTTP (flm_http.h): HTTP/1.1 only, keep-alive unless `Connection: close`, pipelined
 *   requests answered in order, bodies by Content-Length or chunked, `Expect: 100-continue`
 *   answered with `100 Continue`. Malformed requests -> 400 and close; other errors: 413
 *   body > 16 MiB, 417 other Expect, 431 request line + headers > 64 KiB, 501 a transfer
 *   coding other than chunked, 505 another version. Error bodies are text/plain
 *   "fake_llm: <why>". These are neither counted nor recorded.
 *
 * SCRIPT: one JSON object a line; blank lines and lines starting with # are ignored.
 *   A request is answered by the first entry whose conditions hold and that has uses left:
 *     match    substring that must occur in the raw request body
 *     path     exact request path (before any '?'); entries without it answer only the
 *              provider paths: a path ending in /chat/completions (openai) or /v1/messages
 *              (anthropic). Another path with no entry for it -> 404 "fake_llm: no route
 *              for PATH"; a provider path with no entry -> 500 "fake_llm: no scripted reply".
 *     times    uses (default 1; -1 forever; 0 never)
 *   The reply:
 *     content        the assistant's text (default "")
 *     status         200..599 (default 200). A non-2xx reply without `body` gets the
 *                    provider's error object: openai {"error":{"message":M,"type":T,
 *                    "code":null}}, anthropic {"type":"error","error":{"type":T,"message":M}},
 *                    M = `message` (default "scripted error"), T = `error_type` (default
 *                    "server_error"). Error replies are never streamed.
 *     headers        {"Name":"value"} added to the response (Retry-After, ...); they may
 *                    replace Content-Type but not the framing (Content-Length,
 *                    Transfer-Encoding, Connection are refused)
 *     body           raw body sent as is (Content-Length), with `content_type` (default
 *                    application/json): garbage replies
 *     stream         true/false; default: the request's JSON `stream` is true
 *     provider       "openai"/"anthropic": the shape; default from the path (openai for a
 *                    scripted `path` that is no provider's)
 *     chunks         stream deltas (default 3): the content cut into that many pieces of
 *                    nearly equal numbers of code points (fewer when it has fewer code
 *                    points, one empty delta when it is empty), never inside a UTF-8 sequence
 *     delay_ms       before the response head
 *     chunk_delay_ms between two SSE events (none before the chunked terminator)
 *     stall_after_events  after that many SSE events send nothing more, keep the connection
 *                    open (until the peer closes it)
 *     close          "before_headers": close without any response (after delay_ms);
 *                    "mid_body": send the head and half of the body bytes (for a stream:
 *                    of its chunked encoding), then close
 *     usage          {"in":N,"out":M}; default in = request body bytes / 4, out = content
 *                    bytes / 4
 *     finish         finish_reason / stop_reason (default "stop" / "end_turn")
 *   The response's model is the request's `model` ("fake-model" when it has none); ids are
 *   chatcmpl-fake-N / msg_fake_N with N the request number.
 *
 * REPLIES (flm_reply.h)
 *   openai whole:   chat.completion {id, object, created, model, choices[0]{index,
 *                   message{role,content}, logprobs, finish_reason}, usage{prompt_tokens,
 *                   completion_tokens, total_tokens}}
 *   openai stream:  text/event-stream, chunked: `data: <chat.completion.chunk>` a delta
 *                   (the first with role "assistant"), one with an empty delta and the
 *                   finish_reason, then, only when the request has
 *                   stream_options.include_usage true, one with choices [] and usage (and
 *                   "usage":null in every other chunk, as OpenAI does), then `data: [DONE]`.
 *   anthropic whole: {id, type "message", role, model, content[{type "text", text}],
 *                   stop_reason, stop_sequence, usage{input_tokens, output_tokens}}
 *   anthropic stream: `event: T` + `data: {...}` for message_start (usage.input_tokens),
 *                   content_block_start, ping, content_block_delta (text_delta) a piece,
 *                   content_block_stop, message_delta (stop_reason, usage.output_tokens),
 *                   message_stop.
 *
 * CONTROL (neither counted nor recorded)
 *   POST /_fake/script   body: JSONL entries appended (all or nothing) -> 200
 *                        {"entries":<total>}, or 400 {"error":"line N: ..."}
 *   GET  /_fake/stats    -> {"requests":<API requests so far>,"open_connections":<open
 *                        connections, the asking one included>}
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flm_script.h"
#include "flm_server.h"
#include "flm_util.h"

struct flm_cli {
    const char *port_file;
    const char *record;
    const char *script;
    const char *pid_file;
};

static void
flm_usage_error(const char *opt, const char *why)
{
    fprintf(stderr, "fake_llm: %s: %s\n", opt, why);
    fprintf(stderr,
            "usage: fake_llm [--port-file F] [--record F] [--script F] [--pid-file F]\n");
    exit(2);
}

static void
flm_parse_args(int argc, char **argv, struct flm_cli *c)
{
    static const char *const names[] = {"--port-file", "--record", "--script", "--pid-file"};
    const char **slots[] = {&c->port_file, &c->record, &c->script, &c->pid_file};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t k;
        for (k = 0; k < sizeof names / sizeof names[0]; k++) {
            size_t l = strlen(names[k]);
            if (strcmp(a, names[k]) == 0) {
                if (i + 1 >= argc)
                    flm_usage_error(a, "needs a value");
                *slots[k] = argv[++i];
                break;
            }
            if (strncmp(a, names[k], l) == 0 && a[l] == '=') {
                *slots[k] = a + l + 1;
                break;
            }
        }
        if (k == sizeof names / sizeof names[0])
            flm_usage_error(a, "unknown option");
    }
}

/* Writes text to path through path.tmp.PID and rename(), so readers see all or nothing. */
static int
flm_write_atomic(const char *path, const char *text)
{
    struct flm_str tmp = {0};
    flm_str_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = -1;
    FILE *f = fopen(tmp.s, "w");
    if (!f)
        goto out;
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp.s, path) < 0) {
        unlink(tmp.s);
        goto out;
    }
    rc = 0;
out:
    flm_str_release(&tmp);
    return rc;
}

static void
flm_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

int
main(int argc, char **argv)
{
    struct flm_cli c = {0};
    flm_parse_args(argc, argv, &c);
    signal(SIGPIPE, SIG_IGN);

    struct flm_script *script = flm_script_new();
    char err[1024];
    if (c.script && flm_script_load(script, c.script, err, sizeof err) < 0) {
        fprintf(stderr, "fake_llm: script %s\n", err);
        flm_script_free(script);
        return 2;
    }
    if (c.pid_file) {
        char pid[32];
        snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (flm_write_atomic(c.pid_file, pid) < 0)
            flm_usage_error(c.pid_file, strerror(errno));
    }
    int record_fd = -1;
    if (c.record) {
        record_fd = open(c.record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (record_fd < 0)
            flm_usage_error(c.record, strerror(errno));
        char start[64];
        int n = snprintf(start, sizeof start, "{\"fake_llm_start\":%ld}\n", (long)getpid());
        if (write(record_fd, start, (size_t)n) != n)
            flm_usage_error(c.record, "cannot write");
    }

    struct ev_loop *loop = EV_DEFAULT;
    struct flm_server *s = flm_server_new(loop, script, record_fd, err, sizeof err);
    if (!s) {
        fprintf(stderr, "fake_llm: %s\n", err);
        return 1;
    }
    char port[32];
    snprintf(port, sizeof port, "%d\n", flm_server_port(s));
    if (c.port_file) {
        if (flm_write_atomic(c.port_file, port) < 0)
            flm_usage_error(c.port_file, strerror(errno));
    } else {
        fputs(port, stdout);
        fflush(stdout);
    }

    ev_signal term, intr;
    ev_signal_init(&term, flm_signal_cb, SIGTERM);
    ev_signal_init(&intr, flm_signal_cb, SIGINT);
    ev_signal_start(loop, &term);
    ev_signal_start(loop, &intr);
    ev_run(loop, 0);

    ev_signal_stop(loop, &term);
    ev_signal_stop(loop, &intr);
    flm_server_free(s);
    flm_script_free(script);
    if (record_fd >= 0)
        close(record_fd);
    ev_loop_destroy(loop);
    return 0;
}
