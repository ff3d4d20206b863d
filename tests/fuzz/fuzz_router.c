/*
 * fuzz_router: libFuzzer target for the routing table (src/router.c and the policy modules
 * behind it: documents, diagnostics, workspace, actions). One router lives for the whole
 * run, so state builds up across inputs as in a real session (open documents, requests in
 * flight, diagnostics sets). Its editor side is one end of a socketpair; the other end is
 * read (non-blocking) after every message, and every frame the proxy wrote there is
 * checked. The Lean server is never started (router_run is not called): sends to Lean fail
 * with -EAGAIN and are dropped, which the router tolerates.
 * Built by `make build/fuzz/fuzz_router` (clang, ASan + UBSan); seeds: tests/fuzz/seeds/router.
 *
 * Input: byte 0 bit 0 = who sends the first message (0 editor, 1 Lean); the rest is cut
 * into message bodies at 0xFF (next message from the same side) and 0xFE (from the other
 * side). Neither byte occurs in UTF-8, hence in no valid JSON text.
 * After every message: ev_run(EVRUN_NOWAIT), so the editor's write queue drains as in the
 * proxy (debounce timers may fire too: a crash found there may need the inputs before it).
 * Invariants (violations __builtin_trap()): what reaches the editor is well framed, and each
 * body is valid JSON and a valid JSON-RPC message (the proxy forwards only messages it has
 * validated and writes its own with ids it has checked).
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "frame.h"
#include "jscan.h"
#include "jsonrpc.h"
#include "log.h"
#include "router.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond))                                                                       \
            __builtin_trap();                                                              \
    } while (0)

#define SEP_SAME 0xFF  /* next message from the same side */
#define SEP_OTHER 0xFE /* next message from the other side */

static struct router *fz_router;
static int fz_editor_fd = -1;        /* our end of the editor socketpair */
static struct frame_reader fz_out;   /* what the proxy wrote to the editor */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        abort();
    int big = 1 << 20;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
    fz_editor_fd = sv[1];
    signal(SIGPIPE, SIG_IGN);
    log_open("/dev/null"); /* every level formatted, nothing kept */
    log_set_level(LOG_DEBUG);

    static char lean[] = "/nonexistent/lake", serve[] = "serve";
    static char *server[] = {lean, serve, NULL};
    struct config cfg;
    config_init(&cfg);
    struct router_options opts = {server, sv[0], sv[0], 0};
    fz_router = router_new(EV_DEFAULT, &opts, &cfg);
    config_release(&cfg); /* emptied by router_new, which took its strings */
    frame_reader_init(&fz_out, 0, 0);
    return 0;
}

/* Reads everything the proxy wrote to the editor and checks every frame. */
static void
drain_editor(void)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fz_editor_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        frame_reader_feed(&fz_out, chunk, (size_t)n);
    }
    for (;;) {
        const char *body;
        size_t len;
        enum frame_result r = frame_reader_next(&fz_out, &body, &len);
        if (r == FRAME_NEED_MORE)
            break;
        CHECK(r == FRAME_OK); /* the proxy's own framing is never bad */
        struct jsonrpc_msg m;
        jsonrpc_parse(body, len, &m);
        if (m.kind == JSONRPC_INVALID) {
            fprintf(stderr, "fuzz_router: the proxy wrote to the editor (%s at byte %zu): %.*s\n",
                    m.problem, m.problem_offset, (int)(len < 2000 ? len : 2000), body);
            __builtin_trap();
        }
    }
}

static void
feed_one(bool from_lean, const uint8_t *p, size_t len)
{
    if (from_lean)
        router_feed_lean(fz_router, (const char *)p, len);
    else
        router_feed_editor(fz_router, (const char *)p, len);
    ev_run(EV_DEFAULT, EVRUN_NOWAIT);
    drain_editor();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool from_lean = data[0] & 1;
    size_t start = 1;
    for (size_t i = 1; i <= size; i++) {
        if (i < size && data[i] != SEP_SAME && data[i] != SEP_OTHER)
            continue;
        if (i > start)
            feed_one(from_lean, data + start, i - start);
        if (i < size && data[i] == SEP_OTHER)
            from_lean = !from_lean;
        start = i + 1;
    }
    return 0;
}
