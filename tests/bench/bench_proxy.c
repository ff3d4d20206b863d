/*
 * bench_proxy: what lsp-proxy costs on the wire, against the same peer reached without it.
 *
 * The peer is this program run as `bench_proxy --echo-server` (answers every request at once
 * with an empty result, initialize with {"capabilities":{}}) or `bench_proxy --flood N SIZE
 * BIG` (the same, and on `initialized` writes N publishDiagnostics of about SIZE bytes for
 * five URIs, then one notification holding a BIG-byte string), so no fake timer pollutes
 * the figures. Measured, after initialize/initialized:
 *   latency     20,000 sequential $/lean/plainGoal round trips, direct and through
 *               `lsp-proxy -- PEER`, alternating in blocks of 1,000; p50/p99 and the difference.
 *   throughput  server -> editor: the flood, from its first byte to its last at the client;
 *               editor -> server: N keepAlive notifications of SIZE bytes and a small request,
 *               until the peer's reply to it, then one BIG-byte $/lean/rpc/call until the
 *               reply to that. Each through lsp-proxy and through `cat` (one cat per
 *               direction: what a plain pipe hop costs); the median of TPUT_REPS runs, as a
 *               whole and split into the ~5 KB part and the large message.
 *   lsp-proxy's peak RSS (VmHWM) and CPU time, read from /proc before it exits.
 * The endpoints' own input buffers are allocated and touched beforehand, so that their page
 * faults stay out of the figures. Figures only, no assertions; exits 1 only when a
 * measurement could not run. MB = 10^6 bytes. BENCH_VERBOSE=1 prints every run to stderr.
 * Environment: LSP_PROXY_BIN (set by `make bench`).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "lsp_client.h" /* test_bin, test_tmpdir, test_now_ms */

#define LAT_ROUNDS 20000     /* timed round trips per route */
#define LAT_WARMUP 1000      /* untimed round trips per route first */
#define LAT_BLOCK 1000       /* round trips per route before switching routes */
#define FLOOD_COUNT 10000    /* ~5 KB messages per throughput run */
#define FLOOD_SIZE 5000      /* bytes per message, about */
#define BIG_SIZE 20000000    /* bytes of the one large message */
#define TPUT_REPS 5          /* runs per throughput figure (the median is shown) */
#define MID_ID 424241        /* id of the small request after the ~5 KB editor messages */
#define BIG_ID 424242        /* id of the large editor -> server request */
#define IO_TIMEOUT_MS 30000  /* a reply slower than this means something is broken */
#define PHASE_ALARM_S 90     /* watchdog per phase */
#define READ_CHUNK (1u << 20)

/* ---- framed I/O on a pair of blocking fds (independent of src/frame.c) ---- */

struct wire {
    int rfd, wfd;
    char *in;
    size_t off, len, alloc; /* unconsumed input: in[off..len) */
    double first_byte_ms;   /* when a read first returned data since it was reset to 0 */
    size_t last_frame;      /* bytes (header + body) of the frame last returned */
};

static void
wire_release(struct wire *w)
{
    free(w->in);
    w->in = NULL;
    w->off = w->len = w->alloc = 0;
}

/* Reads once, making room for at least need more bytes. Returns 1, 0 at EOF, -1 on error or
 * timeout (timeout_ms < 0: none). */
static int
wire_read(struct wire *w, size_t need, int timeout_ms)
{
    size_t want = need > READ_CHUNK ? need : READ_CHUNK;
    if (w->alloc - w->len < want && w->off > 0) {
        memmove(w->in, w->in + w->off, w->len - w->off);
        w->len -= w->off;
        w->off = 0;
    }
    if (w->alloc - w->len < want) {
        char *p = realloc(w->in, w->len + want);
        if (p == NULL)
            return -1;
        w->in = p;
        w->alloc = w->len + want;
    }
    struct pollfd pfd = {.fd = w->rfd, .events = POLLIN};
    int rc;
    while ((rc = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if (rc <= 0)
        return -1;
    ssize_t n;
    while ((n = read(w->rfd, w->in + w->len, w->alloc - w->len)) < 0 && errno == EINTR)
        ;
    if (n <= 0)
        return n == 0 ? 0 : -1;
    if (w->first_byte_ms == 0)
        w->first_byte_ms = test_now_ms();
    w->len += (size_t)n;
    return 1;
}

/* Allocates and touches room for bytes of input up front, so page faults of this process
 * do not count in the figures of the one under test. Returns 0 or -1. */
static int
wire_reserve(struct wire *w, size_t bytes)
{
    if (w->alloc >= bytes)
        return 0;
    char *p = realloc(w->in, bytes);
    if (p == NULL)
        return -1;
    memset(p + w->alloc, 0, bytes - w->alloc);
    w->in = p;
    w->alloc = bytes;
    return 0;
}

/* The Content-Length of the header block s[0..n), or -1. */
static long long
header_length(const char *s, size_t n)
{
    static const char name[] = "content-length:";
    for (size_t i = 0; i + sizeof name - 1 <= n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        if (end - i >= sizeof name - 1 && strncasecmp(s + i, name, sizeof name - 1) == 0) {
            char *stop;
            long long v = strtoll(s + i + sizeof name - 1, &stop, 10);
            return stop == s + i + sizeof name - 1 || v < 0 ? -1 : v;
        }
        i = end + 1;
    }
    return -1;
}

/* Points *body at the next frame's body (valid until the next wire call). Returns 1, 0 at EOF,
 * -1 on a bad header, an error or a timeout. */
static int
wire_next(struct wire *w, const char **body, size_t *blen, int timeout_ms)
{
    for (;;) {
        const char *s = w->in + w->off;
        size_t n = w->len - w->off, need = 1, hlen = 0;
        for (size_t i = 0; i + 3 < n; i++) {
            if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == '\r' && s[i + 3] == '\n') {
                hlen = i + 4;
                break;
            }
        }
        if (hlen > 0) {
            long long clen = header_length(s, hlen);
            if (clen < 0)
                return -1;
            if (n - hlen >= (size_t)clen) {
                *body = s + hlen;
                *blen = (size_t)clen;
                w->last_frame = hlen + (size_t)clen;
                w->off += w->last_frame;
                return 1;
            }
            need = hlen + (size_t)clen - n;
        } else if (n > 4096) {
            return -1;
        }
        int rc = wire_read(w, need, timeout_ms);
        if (rc <= 0)
            return rc;
    }
}

static int
write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void
add_frame(struct buf *out, const char *body, size_t len)
{
    buf_addf(out, "Content-Length: %zu\r\n\r\n", len);
    buf_add(out, body, len);
}

/* Frames and writes one body; a small frame goes out in one write(). */
static int
wire_send(struct wire *w, const char *body, size_t len)
{
    char frame[1024];
    int n = snprintf(frame, sizeof frame, "Content-Length: %zu\r\n\r\n", len);
    if ((size_t)n + len <= sizeof frame) {
        memcpy(frame + n, body, len);
        return write_all(w->wfd, frame, (size_t)n + len);
    }
    return write_all(w->wfd, frame, (size_t)n) < 0 ? -1 : write_all(w->wfd, body, len);
}

/* The value of a top-level "key": in the first bytes of a body written by this program (ids
 * and methods come first there; the proxy forwards bodies unchanged), or "" when absent.
 * A string comes without its quotes unless raw is set. */
static void
head_field(const char *body, size_t len, const char *key, bool raw, char *out, size_t size)
{
    size_t klen = strlen(key), n = len < 160 ? len : 160;
    out[0] = '\0';
    for (size_t i = 0; i + klen + 3 < n; i++) {
        if (body[i] != '"' || memcmp(body + i + 1, key, klen) != 0 || body[i + 1 + klen] != '"' ||
            body[i + 2 + klen] != ':')
            continue;
        size_t j = i + 3 + klen, k = 0;
        bool str = j < n && body[j] == '"';
        if (str && !raw)
            j++;
        if (str && raw && k + 1 < size)
            out[k++] = body[j++];
        while (j < n && k + 1 < size && (str ? body[j] != '"' : body[j] != ',' && body[j] != '}'))
            out[k++] = body[j++];
        if (str && raw && j < n && k + 1 < size)
            out[k++] = body[j];
        out[k] = '\0';
        return;
    }
}

/* ---- realistic traffic ---- */

/* A publishDiagnostics body of about size bytes: Lean's errors, sorry warnings and infos. */
static void
diag_body(struct buf *b, int k, size_t size)
{
    size_t start = b->len;
    buf_addf(b,
             "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":"
             "{\"uri\":\"file:///home/user/Marathon/Marathon/Part%d.lean\",\"version\":%d,"
             "\"diagnostics\":[",
             k % 5, k / 5 + 1);
    for (int i = 0; b->len - start + 600 < size; i++) {
        int line = 12 + 23 * i + k % 7;
        if (i)
            buf_addch(b, ',');
        buf_addf(b,
                 "{\"range\":{\"start\":{\"line\":%d,\"character\":2},\"end\":{\"line\":%d,"
                 "\"character\":%d}},\"fullRange\":{\"start\":{\"line\":%d,\"character\":2},"
                 "\"end\":{\"line\":%d,\"character\":0}},",
                 line, line, 9 + i % 30, line, line + 4);
        if (i % 3 == 0)
            buf_addf(b,
                     "\"severity\":1,\"message\":\"unsolved goals\\nn : ℕ\\nhn : 0 < n\\nh₁ : "
                     "weight_%d n ≤ ∑ k ∈ Finset.range (n + 1), ↑k ^ 2\\n⊢ weight_%d n ≤ %d * ↑n "
                     "^ 2\",\"source\":\"Lean 4\",\"leanTags\":[1]}",
                     i, i, i + 3);
        else if (i % 3 == 1)
            buf_adds(b, "\"severity\":2,\"message\":\"declaration uses 'sorry'\","
                        "\"source\":\"Lean 4\"}");
        else
            buf_addf(b, "\"severity\":3,\"message\":\"Try this: exact le_trans (aux_bound_%d n hn) "
                        "(by positivity)\",\"source\":\"Lean 4\"}",
                     i);
    }
    buf_adds(b, "]}}");
}

/* A JSON string body of exactly len bytes between its quotes: Lean text with escapes. */
static void
big_string(struct buf *b, size_t len)
{
    static const char unit[] = "⊢ ∀ (n : ℕ), 0 < n → weight n ≤ C * ↑n ^ 2 \\\"goal\\\"\\n";
    size_t ulen = sizeof unit - 1, start;
    buf_addch(b, '"');
    start = b->len;
    buf_grow(b, len + 1);
    while (b->len - start + ulen <= len)
        buf_add(b, unit, ulen);
    while (b->len - start < len)
        buf_addch(b, '.');
    buf_addch(b, '"');
}

/* The flood the peer writes on `initialized`, framed. */
static void
flood_stream(struct buf *out, long n, long size, long big)
{
    struct buf body;
    buf_init(&body, 0);
    for (long k = 0; k < n; k++) {
        buf_reset(&body);
        diag_body(&body, (int)k, (size_t)size);
        add_frame(out, body.data, body.len);
    }
    buf_reset(&body);
    buf_adds(&body, "{\"jsonrpc\":\"2.0\",\"method\":\"$/lean/bench/payload\",\"params\":{\"data\":");
    big_string(&body, (size_t)big);
    buf_adds(&body, "}}");
    add_frame(out, body.data, body.len);
    buf_release(&body);
}

/* What the editor sends the other way: n keepAlives padded to size bytes and a small request
 * (MID_ID) into small; one big-byte $/lean/rpc/call (BIG_ID) into large. */
static void
editor_stream(struct buf *small, struct buf *large, long n, long size, long big)
{
    struct buf body;
    buf_init(&body, 0);
    for (long k = 0; k < n; k++) {
        buf_reset(&body);
        buf_addf(&body,
                 "{\"jsonrpc\":\"2.0\",\"method\":\"$/lean/rpc/keepAlive\",\"params\":{\"uri\":"
                 "\"file:///home/user/Marathon/Marathon/Part%ld.lean\",\"sessionId\":\"%lld\","
                 "\"padding\":",
                 k % 5, 7730158451229301ll + k % 5);
        big_string(&body, (size_t)size - body.len - 4);
        buf_adds(&body, "}}");
        add_frame(small, body.data, body.len);
    }
    buf_reset(&body);
    buf_addf(&body, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"$/lean/plainGoal\",\"params\":{"
                    "\"textDocument\":{\"uri\":\"file:///home/user/Marathon/Marathon/Part0.lean\"},"
                    "\"position\":{\"line\":40,\"character\":2}}}",
             MID_ID);
    add_frame(small, body.data, body.len);
    buf_reset(&body);
    buf_addf(&body,
             "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"$/lean/rpc/call\",\"params\":{"
             "\"textDocument\":{\"uri\":\"file:///home/user/Marathon/Marathon/Part0.lean\"},"
             "\"position\":{\"line\":40,\"character\":2},\"sessionId\":\"7730158451229301\","
             "\"method\":\"Bench.echo\",\"params\":{\"data\":",
             BIG_ID);
    big_string(&body, (size_t)big);
    buf_adds(&body, "}}}");
    add_frame(large, body.data, body.len);
    buf_release(&body);
}

/* ---- the peer: bench_proxy --echo-server | --flood N SIZE BIG ---- */

static int
peer_main(bool flood, long n, long size, long big)
{
    struct buf stream, reply;
    struct wire w = {.rfd = 0, .wfd = 1};
    const char *body;
    size_t len;
    buf_init(&stream, 0);
    buf_init(&reply, 0);
    if (flood)
        flood_stream(&stream, n, size, big);
    else if (wire_reserve(&w, BIG_SIZE + 2 * READ_CHUNK) < 0)
        return 1;
    while (wire_next(&w, &body, &len, -1) == 1) {
        char method[64], id[64];
        head_field(body, len, "method", false, method, sizeof method);
        head_field(body, len, "id", true, id, sizeof id);
        if (method[0] && id[0]) {
            buf_reset(&reply);
            buf_addf(&reply, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}", id,
                     strcmp(method, "initialize") == 0 ? "{\"capabilities\":{}}" : "{}");
            if (wire_send(&w, reply.data, reply.len) < 0)
                break;
        } else if (flood && strcmp(method, "initialized") == 0) {
            if (write_all(1, stream.data, stream.len) < 0)
                break;
        } else if (strcmp(method, "exit") == 0) {
            break;
        }
    }
    wire_release(&w);
    buf_release(&stream);
    buf_release(&reply);
    return 0;
}

/* ---- connections: direct, through lsp-proxy, through cat ---- */

enum route { ROUTE_DIRECT, ROUTE_PROXY, ROUTE_CAT };

struct conn {
    pid_t pids[3];
    int npids;
    pid_t proxy;     /* the lsp-proxy process, or -1 */
    struct wire w;   /* w.wfd: towards the peer; w.rfd: from it */
};

static const char *proxy_bin;
static char self_exe[4096];
static char *tmpdir;
static char log_path[4200];

static int
cloexec_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Runs argv (PATH lookup) with stdin/stdout on in_fd/out_fd, cwd tmpdir. Every fd of ours
 * is close-on-exec, so the child gets only these. */
static pid_t
spawn(char *const argv[], int in_fd, int out_fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || chdir(tmpdir) < 0)
            _exit(127);
        signal(SIGPIPE, SIG_DFL); /* ignored here; exec would keep that */
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void
close_fds(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

static void
conn_init(struct conn *c)
{
    memset(c, 0, sizeof *c);
    c->proxy = -1;
    c->w.rfd = c->w.wfd = -1;
}

static int
conn_open(struct conn *c, enum route route, char *const peer_argv[])
{
    int a[2], b[2], mid[4];
    conn_init(c);
    if (cloexec_pipe(a) < 0 || cloexec_pipe(b) < 0)
        return -1;
    if (route == ROUTE_CAT) {
        char cat[] = "cat";
        char *cat_argv[] = {cat, NULL};
        if (cloexec_pipe(mid) < 0 || cloexec_pipe(mid + 2) < 0)
            return -1;
        c->pids[c->npids++] = spawn(cat_argv, a[0], mid[1]);
        c->pids[c->npids++] = spawn(peer_argv, mid[0], mid[3]);
        c->pids[c->npids++] = spawn(cat_argv, mid[2], b[1]);
        close_fds(mid, 4);
    } else if (route == ROUTE_PROXY) {
        char *argv[16];
        int n = 0;
        argv[n++] = (char *)proxy_bin;
        argv[n++] = (char *)"--log";
        argv[n++] = log_path;
        argv[n++] = (char *)"--";
        for (int i = 0; peer_argv[i] && n < 15; i++)
            argv[n++] = peer_argv[i];
        argv[n] = NULL;
        c->proxy = c->pids[c->npids++] = spawn(argv, a[0], b[1]);
    } else {
        c->pids[c->npids++] = spawn(peer_argv, a[0], b[1]);
    }
    close(a[0]);
    close(b[1]);
    c->w.wfd = a[1];
    c->w.rfd = b[0];
    for (int i = 0; i < c->npids; i++)
        if (c->pids[i] < 0)
            return -1;
    return 0;
}

/* True when body is a response to id (raw text: a string id with its quotes). */
static bool
is_response(const char *body, size_t len, const char *id)
{
    char got[64];
    head_field(body, len, "id", true, got, sizeof got);
    return strcmp(got, id) == 0;
}

/* Reads until the response to id arrives. Returns 0 or -1. */
static int
conn_wait(struct conn *c, const char *id)
{
    const char *body;
    size_t len;
    for (;;) {
        if (wire_next(&c->w, &body, &len, IO_TIMEOUT_MS) != 1)
            return -1;
        if (is_response(body, len, id))
            return 0;
    }
}

static int
conn_initialize(struct conn *c)
{
    char init[512];
    int n = snprintf(init, sizeof init,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                     "\"processId\":%ld,\"rootUri\":\"file:///home/user/Marathon\","
                     "\"capabilities\":{\"textDocument\":{\"publishDiagnostics\":{"
                     "\"relatedInformation\":true}},\"window\":{\"workDoneProgress\":true}},"
                     "\"initializationOptions\":{}}}",
                     (long)getpid());
    static const char initialized[] = "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}";
    if (wire_send(&c->w, init, (size_t)n) < 0 || conn_wait(c, "1") < 0)
        return -1;
    return wire_send(&c->w, initialized, sizeof initialized - 1);
}

/* Waits for pid for up to ms, then kills it. Returns the exit code, or -1. */
static int
reap(pid_t pid, int ms)
{
    int status;
    double until = test_now_ms() + ms;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0 || test_now_ms() > until)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* shutdown + exit (when graceful), EOF, and every process reaped. */
static void
conn_close(struct conn *c, bool graceful)
{
    static const char shutdown[] = "{\"jsonrpc\":\"2.0\",\"id\":\"bench-shutdown\",\"method\":"
                                   "\"shutdown\"}";
    static const char exit_msg[] = "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}";
    if (graceful && wire_send(&c->w, shutdown, sizeof shutdown - 1) == 0 &&
        conn_wait(c, "\"bench-shutdown\"") == 0)
        wire_send(&c->w, exit_msg, sizeof exit_msg - 1);
    if (c->w.wfd >= 0)
        close(c->w.wfd);
    for (int i = 0; i < c->npids; i++) {
        if (c->pids[i] <= 0)
            continue;
        int code = reap(c->pids[i], 5000);
        if (graceful && c->pids[i] == c->proxy && code != 0)
            fprintf(stderr, "bench_proxy: note: lsp-proxy exited with %d (log: %s)\n", code,
                    log_path);
    }
    if (c->w.rfd >= 0)
        close(c->w.rfd);
    wire_release(&c->w);
    conn_init(c);
}

/* lsp-proxy's peak RSS in kB (VmHWM), or -1. */
static long
proc_hwm_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* CPU time (user + system) of pid so far, in ms, or -1. */
static double
proc_cpu_ms(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *p = strrchr(text, ')');
    unsigned long long ut, st;
    /* after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
     * cmajflt utime stime */
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                            &ut, &st) != 2)
        return -1;
    return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* ---- measurements ---- */


/* One small request and its response; the time in µs, or -1. */
static double
round_trip(struct conn *c, int id)
{
    char body[256], idtext[16];
    int n = snprintf(body, sizeof body,
                     "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"$/lean/plainGoal\",\"params\":{"
                     "\"textDocument\":{\"uri\":\"file:///home/user/Marathon/Marathon/Part0.lean\"},"
                     "\"position\":{\"line\":%d,\"character\":4}}}",
                     id, id % 500);
    snprintf(idtext, sizeof idtext, "%d", id);
    double t0 = test_now_ms();
    if (wire_send(&c->w, body, (size_t)n) < 0 || conn_wait(c, idtext) < 0)
        return -1;
    return (test_now_ms() - t0) * 1000.0;
}

struct latency {
    double p50, p99; /* µs */
};

static int
run_latency(struct latency *direct, struct latency *proxied, long *hwm_kb)
{
    char echo[] = "--echo-server";
    char *peer[] = {self_exe, echo, NULL};
    struct conn c[2];
    double *samples[2];
    int rc = -1, id = 2;
    conn_init(&c[0]);
    conn_init(&c[1]);
    samples[0] = calloc(LAT_ROUNDS, sizeof(double));
    samples[1] = calloc(LAT_ROUNDS, sizeof(double));
    if (conn_open(&c[0], ROUTE_DIRECT, peer) < 0 || conn_open(&c[1], ROUTE_PROXY, peer) < 0 ||
        conn_initialize(&c[0]) < 0 || conn_initialize(&c[1]) < 0) {
        fprintf(stderr, "bench_proxy: latency: could not start or initialize the peers\n");
        goto out;
    }
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < LAT_WARMUP; i++)
            if (round_trip(&c[r], id++) < 0)
                goto fail;
    for (int done = 0; done < LAT_ROUNDS; done += LAT_BLOCK) {
        for (int r = 0; r < 2; r++) {
            for (int i = done; i < done + LAT_BLOCK && i < LAT_ROUNDS; i++) {
                samples[r][i] = round_trip(&c[r], id++);
                if (samples[r][i] < 0)
                    goto fail;
            }
        }
    }
    struct latency *res[2] = {direct, proxied};
    for (int r = 0; r < 2; r++) {
        qsort(samples[r], LAT_ROUNDS, sizeof(double), test_cmp_double);
        res[r]->p50 = samples[r][LAT_ROUNDS / 2];
        res[r]->p99 = samples[r][LAT_ROUNDS * 99 / 100];
    }
    *hwm_kb = proc_hwm_kb(c[1].proxy);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "bench_proxy: latency: a round trip failed (timeout or EOF)\n");
out:
    conn_close(&c[0], rc == 0);
    conn_close(&c[1], rc == 0);
    free(samples[0]);
    free(samples[1]);
    return rc;
}

struct tput {
    double mbps;       /* all of it */
    double mbps_small; /* the ~5 KB messages */
    double mbps_big;   /* the large message */
    size_t bytes;
    long hwm_kb;       /* lsp-proxy's VmHWM, -1 for cat */
    double cpu_ms;     /* lsp-proxy's CPU time, -1 for cat */
};

static void
tput_set(struct tput *t, double t0, double t_mid, double t1, size_t small, size_t big)
{
    t->bytes = small + big;
    t->mbps = (double)t->bytes / 1e3 / (t1 - t0);
    t->mbps_small = (double)small / 1e3 / (t_mid - t0);
    t->mbps_big = (double)big / 1e3 / (t1 - t_mid);
}

/* Server -> editor: the flood, from its first byte to its last at the client. */
static int
run_flood(enum route route, struct tput *t)
{
    char flood[] = "--flood", n[24], size[24], big[24];
    char *peer[] = {self_exe, flood, n, size, big, NULL};
    struct conn c;
    const char *body;
    size_t len, small = 0;
    double t_mid = 0;
    int rc = -1;
    snprintf(n, sizeof n, "%d", FLOOD_COUNT);
    snprintf(size, sizeof size, "%d", FLOOD_SIZE);
    snprintf(big, sizeof big, "%d", BIG_SIZE);
    memset(t, 0, sizeof *t);
    if (conn_open(&c, route, peer) < 0 || conn_initialize(&c) < 0 ||
        wire_reserve(&c.w, BIG_SIZE + 2 * READ_CHUNK) < 0) {
        fprintf(stderr, "bench_proxy: flood: could not start or initialize the peer\n");
        goto out;
    }
    c.w.first_byte_ms = 0;
    for (int i = 0; i <= FLOOD_COUNT; i++) {
        char method[64];
        if (wire_next(&c.w, &body, &len, IO_TIMEOUT_MS) != 1) {
            fprintf(stderr, "bench_proxy: flood: message %d did not arrive\n", i);
            goto out;
        }
        head_field(body, len, "method", false, method, sizeof method);
        if (i < FLOOD_COUNT ? strcmp(method, "textDocument/publishDiagnostics") != 0
                            : len <= BIG_SIZE) {
            fprintf(stderr, "bench_proxy: flood: message %d is not the one sent: %.80s\n", i,
                    body);
            goto out;
        }
        if (i < FLOOD_COUNT)
            small += c.w.last_frame;
        if (i == FLOOD_COUNT - 1)
            t_mid = test_now_ms();
    }
    tput_set(t, c.w.first_byte_ms, t_mid, test_now_ms(), small, c.w.last_frame);
    t->hwm_kb = c.proxy > 0 ? proc_hwm_kb(c.proxy) : -1;
    t->cpu_ms = c.proxy > 0 ? proc_cpu_ms(c.proxy) : -1;
    rc = 0;
out:
    conn_close(&c, rc == 0);
    return rc;
}

/* Editor -> server: the small part until the reply to its last request, then the large
 * request until its reply. */
static int
run_sink(enum route route, const struct buf *small, const struct buf *large, struct tput *t)
{
    char echo[] = "--echo-server", mid_id[16], big_id[16];
    char *peer[] = {self_exe, echo, NULL};
    struct conn c;
    int rc = -1;
    memset(t, 0, sizeof *t);
    snprintf(mid_id, sizeof mid_id, "%d", MID_ID);
    snprintf(big_id, sizeof big_id, "%d", BIG_ID);
    if (conn_open(&c, route, peer) < 0 || conn_initialize(&c) < 0) {
        fprintf(stderr, "bench_proxy: sink: could not start or initialize the peer\n");
        goto out;
    }
    double t0 = test_now_ms();
    if (write_all(c.w.wfd, small->data, small->len) < 0 || conn_wait(&c, mid_id) < 0) {
        fprintf(stderr, "bench_proxy: sink: the small messages were not acknowledged\n");
        goto out;
    }
    double t_mid = test_now_ms();
    if (write_all(c.w.wfd, large->data, large->len) < 0 || conn_wait(&c, big_id) < 0) {
        fprintf(stderr, "bench_proxy: sink: the large message was not acknowledged\n");
        goto out;
    }
    tput_set(t, t0, t_mid, test_now_ms(), small->len, large->len);
    t->hwm_kb = c.proxy > 0 ? proc_hwm_kb(c.proxy) : -1;
    t->cpu_ms = c.proxy > 0 ? proc_cpu_ms(c.proxy) : -1;
    rc = 0;
out:
    conn_close(&c, rc == 0);
    return rc;
}

static int
cmp_tput(const void *a, const void *b)
{
    const struct tput *x = a, *y = b;
    return x->mbps < y->mbps ? -1 : x->mbps > y->mbps;
}

/* TPUT_REPS runs of one figure; *out gets the run with the median overall rate and the
 * largest RSS seen. small/large: the editor's streams (sink runs only). */
static int
run_tput(enum route route, const struct buf *small, const struct buf *large, struct tput *out)
{
    struct tput runs[TPUT_REPS];
    long hwm = -1;
    for (int i = 0; i < TPUT_REPS; i++) {
        alarm(PHASE_ALARM_S);
        double t0 = test_now_ms();
        int rc = small ? run_sink(route, small, large, &runs[i]) : run_flood(route, &runs[i]);
        alarm(0);
        if (getenv("BENCH_VERBOSE"))
            fprintf(stderr, "# %s %s run %d: %.0f MB/s (%.0f + %.0f), %.2f s in all\n",
                    small ? "editor->server" : "server->editor",
                    route == ROUTE_CAT ? "cat" : "proxy", i, runs[i].mbps, runs[i].mbps_small,
                    runs[i].mbps_big, (test_now_ms() - t0) / 1000.0);
        if (rc < 0)
            return -1;
        if (runs[i].hwm_kb > hwm)
            hwm = runs[i].hwm_kb;
    }
    qsort(runs, TPUT_REPS, sizeof runs[0], cmp_tput);
    *out = runs[TPUT_REPS / 2];
    out->hwm_kb = hwm;
    return 0;
}

static void
alarm_cb(int sig)
{
    static const char msg[] = "bench_proxy: a phase took too long; giving up\n";
    (void)sig;
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

static void
print_tput(const char *what, const char *route, const struct tput *t)
{
    printf("  %-16s %-9s %7.0f  %9.0f  %10.0f", what, route, t->mbps, t->mbps_small, t->mbps_big);
    if (t->cpu_ms >= 0)
        printf("  %7.0f  %7.1f", t->cpu_ms, (double)t->hwm_kb / 1024.0);
    printf("\n");
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--echo-server") == 0)
        return peer_main(false, 0, 0, 0);
    if (argc == 5 && strcmp(argv[1], "--flood") == 0)
        return peer_main(true, strtol(argv[2], NULL, 10), strtol(argv[3], NULL, 10),
                         strtol(argv[4], NULL, 10));
    if (argc != 1) {
        fprintf(stderr, "usage: bench_proxy  (LSP_PROXY_BIN set)\n"
                        "       bench_proxy --echo-server | --flood N SIZE BIG   (the peer)\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, alarm_cb);
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    proxy_bin = test_bin("LSP_PROXY_BIN");
    tmpdir = test_tmpdir();
    if (n <= 0 || proxy_bin == NULL || tmpdir == NULL) {
        fprintf(stderr, "bench_proxy: needs LSP_PROXY_BIN, /proc/self/exe and a temp dir\n");
        return 1;
    }
    self_exe[n] = '\0';
    snprintf(log_path, sizeof log_path, "%s/lsp-proxy.log", tmpdir);
    double t_start = test_now_ms();

    struct latency direct, proxied;
    long lat_hwm = -1;
    alarm(PHASE_ALARM_S);
    if (run_latency(&direct, &proxied, &lat_hwm) < 0)
        return 1;
    alarm(0);

    struct buf small, large;
    buf_init(&small, 0);
    buf_init(&large, 0);
    editor_stream(&small, &large, FLOOD_COUNT, FLOOD_SIZE, BIG_SIZE);
    struct tput s2e_cat, s2e_px, e2s_cat, e2s_px;
    int rc = run_tput(ROUTE_CAT, NULL, NULL, &s2e_cat) < 0 ||
             run_tput(ROUTE_PROXY, NULL, NULL, &s2e_px) < 0 ||
             run_tput(ROUTE_CAT, &small, &large, &e2s_cat) < 0 ||
             run_tput(ROUTE_PROXY, &small, &large, &e2s_px) < 0;
    buf_release(&small);
    buf_release(&large);
    if (rc)
        return 1;

    printf("lsp-proxy on the wire (%ld CPUs; MB = 10^6 bytes, MiB = 2^20)\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("latency: %d sequential $/lean/plainGoal round trips to an echo peer\n", LAT_ROUNDS);
    printf("  %-17s %9s  %9s\n", "", "p50 µs", "p99 µs");
    printf("  %-17s %9.1f  %9.1f\n", "direct", direct.p50, direct.p99);
    printf("  %-17s %9.1f  %9.1f\n", "through lsp-proxy", proxied.p50, proxied.p99);
    printf("  %-17s %+9.1f  %+9.1f   (target: p50 added <= 50 µs)\n", "added",
           proxied.p50 - direct.p50, proxied.p99 - direct.p99);
    printf("throughput: %d messages of ~%d bytes, then one of %d MB (%.1f MB in all, each way);\n"
           "  MB/s, median of %d runs; CPU ms and peak RSS (VmHWM, MiB) of lsp-proxy\n",
           FLOOD_COUNT, FLOOD_SIZE, BIG_SIZE / 1000000, (double)s2e_px.bytes / 1e6, TPUT_REPS);
    printf("  %-16s %-9s %7s  %9s  %10s  %7s  %7s\n", "", "via", "all", "5 KB msgs", "20 MB msg",
           "CPU ms", "RSS");
    print_tput("server -> editor", "cat", &s2e_cat);
    print_tput("", "lsp-proxy", &s2e_px);
    print_tput("editor -> server", "cat", &e2s_cat);
    print_tput("", "lsp-proxy", &e2s_px);
    printf("  (target: >= 150 MB/s through lsp-proxy)\n");
    printf("lsp-proxy peak RSS in the latency run: %.1f MiB; bench time %.1f s\n",
           (double)lat_hwm / 1024.0, (test_now_ms() - t_start) / 1000.0);
    remove(log_path);
    rmdir(tmpdir);
    free(tmpdir);
    return 0;
}
