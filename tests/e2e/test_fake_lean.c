/*
 * test_fake_lean.c: plays the editor against build/<variant>/fake_lean (env FAKE_LEAN_BIN)
 * and checks that the fake behaves like the Lean server of shared/lean-lsp-facts.md.
 *
 * Self-contained on purpose: its own spawn, framing and message log (no src/ code, no
 * harness client), so that neither the proxy nor the fake can hide a framing bug.
 * Each fake runs in its own process with stderr sent to a file in a temporary directory.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define WAIT_MS 5000 /* generous upper bound for anything that should come */

static const char *fake_bin;
static char tmpdir[] = "/tmp/test_fake_lean.XXXXXX";

/* ---- small utilities -------------------------------------------------------------------- */

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        abort();
    return q;
}

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (!s)
        abort();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    char *s = NULL;
    size_t len = 0, cap = 0;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            s = xrealloc(s, cap);
        }
        memcpy(s + len, buf, n);
        len += n;
    }
    fclose(f);
    if (!s)
        return strdup("");
    s[len] = '\0';
    return s;
}

/* JSON path lookup: "params.diagnostics.0.range.start.line". */
static cJSON *
jget(const cJSON *o, const char *path)
{
    char key[128];
    const cJSON *cur = o;
    while (cur && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        path += n + (path[n] == '.');
        if (cJSON_IsArray(cur)) {
            char *end;
            long i = strtol(key, &end, 10);
            cur = *end ? NULL : cJSON_GetArrayItem(cur, (int)i);
        } else {
            cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        }
    }
    return (cJSON *)cur;
}

static long long
jint(const cJSON *o, const char *path)
{
    cJSON *v = jget(o, path);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -999999;
}

static const char *
jstr(const cJSON *o, const char *path)
{
    cJSON *v = jget(o, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
jsize(const cJSON *o, const char *path)
{
    cJSON *v = jget(o, path);
    return cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
}

/* "L:C-L:C" of a range object, for compact comparisons. */
static char *
range_str(const cJSON *o, const char *path)
{
    static char buf[8][64];
    static int k;
    cJSON *r = jget(o, path);
    char *b = buf[k++ % 8];
    if (!r) {
        snprintf(b, 64, "(none)");
        return b;
    }
    snprintf(b, 64, "%lld:%lld-%lld:%lld", jint(r, "start.line"), jint(r, "start.character"),
             jint(r, "end.line"), jint(r, "end.character"));
    return b;
}

/* ---- the fake as a peer ------------------------------------------------------------------ */

struct peer {
    pid_t pid;
    int to, from;
    char *errpath;
    char *buf;
    size_t len, cap;
    char **raw; /* every received body */
    cJSON **msg;
    size_t n, mcap;
    bool eof;
    bool reaped;
    int status;
};

static int peer_seq;

static void
peer_start(struct peer *p, const char *args)
{
    memset(p, 0, sizeof *p);
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        abort();
    p->errpath = xasprintf("%s/stderr.%d", tmpdir, ++peer_seq);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)fake_bin;
    char *copy = strdup(args ? args : "");
    for (char *t = strtok(copy, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    p->pid = fork();
    if (p->pid == 0) {
        int err = open(p->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in[0], 0);
        dup2(out[1], 1);
        if (err >= 0)
            dup2(err, 2);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execv(fake_bin, argv);
        _exit(127);
    }
    free(copy);
    close(in[0]);
    close(out[1]);
    p->to = in[1];
    p->from = out[0];
}

static void
peer_write(struct peer *p, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(p->to, data, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* the fake is gone; checks will notice */
        }
        data += w;
        n -= (size_t)w;
    }
}

static void
peer_send(struct peer *p, const char *body)
{
    char *f = xasprintf("Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    peer_write(p, f, strlen(f));
    free(f);
}

static void
peer_sendf(struct peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
peer_sendf(struct peer *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    peer_send(p, s);
    free(s);
}

/* Takes complete frames out of the buffer. Returns false on a framing error. */
static bool
peer_parse(struct peer *p)
{
    for (;;) {
        char *hend = NULL;
        for (size_t i = 0; i + 3 < p->len; i++)
            if (memcmp(p->buf + i, "\r\n\r\n", 4) == 0) {
                hend = p->buf + i;
                break;
            }
        if (!hend)
            return true;
        /* the fake must write exactly one header field */
        if (strncmp(p->buf, "Content-Length: ", 16) != 0)
            return false;
        char *end;
        long n = strtol(p->buf + 16, &end, 10);
        if (end != hend || n < 0)
            return false;
        size_t start = (size_t)(hend - p->buf) + 4;
        if (p->len - start < (size_t)n)
            return true;
        char *body = malloc((size_t)n + 1);
        memcpy(body, p->buf + start, (size_t)n);
        body[n] = '\0';
        if (p->n == p->mcap) {
            p->mcap = p->mcap ? 2 * p->mcap : 64;
            p->raw = xrealloc(p->raw, p->mcap * sizeof *p->raw);
            p->msg = xrealloc(p->msg, p->mcap * sizeof *p->msg);
        }
        p->raw[p->n] = body;
        p->msg[p->n] = cJSON_Parse(body);
        p->n++;
        memmove(p->buf, p->buf + start + n, p->len - start - (size_t)n);
        p->len -= start + (size_t)n;
    }
}

/* Reads what arrives within timeout_ms (stops early at EOF). */
static void
peer_pump(struct peer *p, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (!p->eof) {
        long long left = deadline - now_ms();
        if (left < 0)
            left = 0;
        struct pollfd pfd = {.fd = p->from, .events = POLLIN};
        int r = poll(&pfd, 1, (int)left);
        if (r <= 0)
            break;
        char tmp[65536];
        ssize_t n = read(p->from, tmp, sizeof tmp);
        if (n <= 0) {
            p->eof = true;
            break;
        }
        if (p->len + (size_t)n > p->cap) {
            p->cap = (p->len + (size_t)n) * 2;
            p->buf = xrealloc(p->buf, p->cap);
        }
        memcpy(p->buf + p->len, tmp, (size_t)n);
        p->len += (size_t)n;
        if (!peer_parse(p)) {
            printf("# fake wrote a bad frame header: %.60s\n", p->buf);
            p->eof = true;
        }
        if (left == 0)
            break;
    }
}

/* Does message m match method (notification/request) or id text (response)? */
static bool
msg_matches(const cJSON *m, const char *method, const char *id)
{
    if (!m)
        return false;
    if (method) {
        const char *mm = jstr(m, "method");
        if (!mm || strcmp(mm, method) != 0)
            return false;
    }
    if (id) {
        cJSON *v = jget(m, "id");
        if (!v || jget(m, "method"))
            return false;
        char *t = cJSON_PrintUnformatted(v);
        bool eq = strcmp(t, id) == 0;
        cJSON_free(t);
        if (!eq)
            return false;
    }
    return true;
}

/* The next message at or after *cursor that matches; waits up to timeout_ms. Moves *cursor
 * past it. Returns NULL (cursor unchanged) if none came. */
static cJSON *
peer_expect(struct peer *p, size_t *cursor, const char *method, const char *id, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        for (size_t i = *cursor; i < p->n; i++)
            if (msg_matches(p->msg[i], method, id)) {
                *cursor = i + 1;
                return p->msg[i];
            }
        long long left = deadline - now_ms();
        if (left <= 0 || p->eof)
            return NULL;
        peer_pump(p, (int)(left < 50 ? left : 50));
    }
}

/* Index of message m in the log (for ordering checks), or -1. */
static long
peer_index(const struct peer *p, const cJSON *m)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->msg[i] == m)
            return (long)i;
    return -1;
}

/* Exit status: code, or 128+signal, or -1 if still running after timeout_ms. */
static int
peer_wait_exit(struct peer *p, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (!p->reaped) {
        pid_t r = waitpid(p->pid, &p->status, WNOHANG);
        if (r == p->pid) {
            p->reaped = true;
            break;
        }
        if (now_ms() > deadline)
            return -1;
        peer_pump(p, 10);
    }
    if (WIFEXITED(p->status))
        return WEXITSTATUS(p->status);
    if (WIFSIGNALED(p->status))
        return 128 + WTERMSIG(p->status);
    return -1;
}

static char *
peer_stderr(const struct peer *p)
{
    return read_file(p->errpath);
}

static void
peer_finish(struct peer *p)
{
    if (!p->reaped) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &p->status, 0);
    }
    close(p->to);
    close(p->from);
    for (size_t i = 0; i < p->n; i++) {
        free(p->raw[i]);
        cJSON_Delete(p->msg[i]);
    }
    free(p->raw);
    free(p->msg);
    free(p->buf);
    char *err = read_file(p->errpath);
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error:") ||
        strstr(err, "Invalid read") || strstr(err, "Invalid write"))
        ok(false, "fake's stderr shows a memory error: %.400s", err);
    free(err);
    unlink(p->errpath);
    free(p->errpath);
}

/* initialize + initialized; lean_caps is the JSON of capabilities.lean. */
static void
peer_init(struct peer *p, const char *lean_caps)
{
    peer_sendf(p,
               "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
               "\"processId\":null,\"rootUri\":null,\"capabilities\":{\"lean\":%s}}}",
               lean_caps ? lean_caps : "{}");
    peer_send(p, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");
}

static char *
json_string(const char *s)
{
    cJSON *j = cJSON_CreateString(s);
    char *t = cJSON_PrintUnformatted(j);
    char *copy = strdup(t);
    cJSON_free(t);
    cJSON_Delete(j);
    return copy;
}

static void
peer_open(struct peer *p, const char *uri, int version, const char *text)
{
    char *t = json_string(text);
    peer_sendf(p,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{"
               "\"textDocument\":{\"uri\":\"%s\",\"languageId\":\"lean4\",\"version\":%d,"
               "\"text\":%s},\"dependencyBuildMode\":\"never\"}}",
               uri, version, t);
    free(t);
}

/* The next publishDiagnostics for uri with the given version. */
static cJSON *
expect_publish(struct peer *p, size_t *cursor, const char *uri, int version)
{
    for (;;) {
        cJSON *m = peer_expect(p, cursor, "textDocument/publishDiagnostics", NULL, WAIT_MS);
        if (!m)
            return NULL;
        const char *u = jstr(m, "params.uri");
        if (u && strcmp(u, uri) == 0 && jint(m, "params.version") == version)
            return m;
    }
}

/* The last publishDiagnostics for uri/version received so far (the full set when the
 * client did not ask for incremental sets), or NULL. */
static cJSON *
last_publish(const struct peer *p, const char *uri, int version)
{
    cJSON *last = NULL;
    for (size_t i = 0; i < p->n; i++) {
        const char *u = jstr(p->msg[i], "params.uri");
        if (msg_matches(p->msg[i], "textDocument/publishDiagnostics", NULL) && u &&
            strcmp(u, uri) == 0 && jint(p->msg[i], "params.version") == version)
            last = p->msg[i];
    }
    return last;
}

/* The `processing: []` fileProgress for uri/version. */
static cJSON *
expect_done(struct peer *p, size_t *cursor, const char *uri, int version)
{
    for (;;) {
        cJSON *m = peer_expect(p, cursor, "$/lean/fileProgress", NULL, WAIT_MS);
        if (!m)
            return NULL;
        const char *u = jstr(m, "params.textDocument.uri");
        if (u && strcmp(u, uri) == 0 && jint(m, "params.textDocument.version") == version &&
            jsize(m, "params.processing") == 0)
            return m;
    }
}

/* ---- tests ------------------------------------------------------------------------------ */

static void
test_initialize(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "serve -- /some/folder -DmaxHeartbeats=0");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":\"init-1\",\"method\":\"initialize\","
                  "\"params\":{\"capabilities\":{}}}");
    cJSON *r = peer_expect(&p, &c, NULL, "\"init-1\"", WAIT_MS);
    ok(r != NULL, "initialize: reply with the string id echoed");
    is_int(jint(r, "result.capabilities.textDocumentSync.change"), 2,
           "initialize: incremental sync (change 2)");
    ok(cJSON_IsTrue(jget(r, "result.capabilities.textDocumentSync.save.includeText")),
       "initialize: save.includeText true");
    ok(cJSON_IsTrue(jget(r, "result.capabilities.codeActionProvider.resolveProvider")),
       "initialize: codeActionProvider.resolveProvider");
    is_int(jsize(r, "result.capabilities.codeActionProvider.codeActionKinds"), 3,
           "initialize: three code action kinds");
    is_str(jstr(r, "result.capabilities.semanticTokensProvider.legend.tokenTypes.23"),
           "leanSorryLike", "initialize: legend ends with leanSorryLike");
    ok(jget(r, "result.capabilities.executeCommandProvider") == NULL,
       "initialize: no executeCommandProvider");
    ok(cJSON_IsFalse(jget(r, "result.capabilities.inlayHintProvider.resolveProvider")),
       "initialize: inlayHintProvider.resolveProvider false");
    is_str(jstr(r, "result.serverInfo.name"), "Lean 4 Server", "initialize: serverInfo.name");
    is_str(jstr(r, "result.serverInfo.version"), "0.3.0", "initialize: serverInfo.version");

    peer_pump(&p, 150);
    is_int((long long)p.n, 1, "initialize: nothing else before initialized");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");
    cJSON *reg = peer_expect(&p, &c, "client/registerCapability", NULL, WAIT_MS);
    ok(reg != NULL, "initialized: client/registerCapability request");
    is_str(jstr(reg, "id"), "register_lean_watcher", "registerCapability: id");
    is_str(jstr(reg, "params.registrations.0.method"), "workspace/didChangeWatchedFiles",
           "registerCapability: watches files");
    is_str(jstr(reg, "params.registrations.0.registerOptions.watchers.1.globPattern"),
           "**/*.ilean", "registerCapability: *.ilean watcher");
    /* its reply is accepted and ignored */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":\"register_lean_watcher\",\"result\":null}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"shutdown\"}");
    cJSON *sd = peer_expect(&p, &c, NULL, "1", WAIT_MS);
    ok(sd && cJSON_IsNull(jget(sd, "result")), "shutdown: result null");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/hover\",\"params\":{}}");
    cJSON *late = peer_expect(&p, &c, NULL, "2", WAIT_MS);
    is_int(jint(late, "error.code"), -32600, "after shutdown: -32600");
    is_str(jstr(late, "error.message"), "Request received after 'shutdown' request.",
           "after shutdown: message");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
    is_int(peer_wait_exit(&p, WAIT_MS), 0, "exit: status 0");
    peer_finish(&p);
}

static const char sorry_text[] = "import Mathlib\n"
                                 "\n"
                                 "namespace Foo\n"
                                 "\n"
                                 "/-- doc with sorry inside -/\n"
                                 "@[simp]\n"
                                 "private theorem bar : True := by\n"
                                 "  sorry\n"
                                 "\n"
                                 "theorem clean : True := by\n"
                                 "  trivial -- a sorry in a comment\n"
                                 "\n"
                                 "def s : String := \"sorry\"\n"
                                 "\n"
                                 "end Foo\n";

/* didOpen -> progress, sorry warning on the name in the given style, progress done. */
static void
check_sorry_style(const char *args, const char *expected, const char *label)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, args);
    peer_init(&p, NULL);
    peer_open(&p, "file:///p/Sorry.lean", 1, sorry_text);
    cJSON *prog = peer_expect(&p, &c, "$/lean/fileProgress", NULL, WAIT_MS);
    ok(prog != NULL, "%s: fileProgress after didOpen", label);
    is_str(range_str(prog, "params.processing.0.range"), "0:0-15:0",
           "%s: first progress covers (0,0)..EOF", label);
    is_int(jint(prog, "params.processing.0.kind"), 1, "%s: progress kind 1", label);
    is_int(jint(prog, "params.textDocument.version"), 1, "%s: progress carries version", label);
    size_t c2 = c;
    cJSON *pub = expect_publish(&p, &c2, "file:///p/Sorry.lean", 1);
    ok(pub && peer_index(&p, pub) > peer_index(&p, prog), "%s: publish after progress", label);
    ok(jget(pub, "params.isIncremental") == NULL,
       "%s: no isIncremental without the client capability", label);
    cJSON *done = expect_done(&p, &c, "file:///p/Sorry.lean", 1);
    ok(done && peer_index(&p, done) > peer_index(&p, pub), "%s: processing [] at the end",
       label);
    /* the last publish holds the full set */
    cJSON *last = pub;
    for (size_t i = 0; i < p.n; i++)
        if (msg_matches(p.msg[i], "textDocument/publishDiagnostics", NULL))
            last = p.msg[i];
    is_int(jsize(last, "params.diagnostics"), 1, "%s: exactly one diagnostic", label);
    is_str(jstr(last, "params.diagnostics.0.message"), expected, "%s: message", label);
    is_int(jint(last, "params.diagnostics.0.severity"), 2, "%s: severity 2", label);
    is_str(jstr(last, "params.diagnostics.0.source"), "Lean 4", "%s: source", label);
    is_str(range_str(last, "params.diagnostics.0.range"), "6:16-6:19", "%s: range = name",
           label);
    is_str(range_str(last, "params.diagnostics.0.fullRange"), "6:16-6:19",
           "%s: fullRange = name", label);
    peer_finish(&p);
}

static void
test_sorry_styles(void)
{
    check_sorry_style("", "declaration uses `sorry`", "backtick (default)");
    check_sorry_style("--sorry-style quote", "declaration uses 'sorry'", "quote");
    check_sorry_style("--sorry-style=named", "declaration `Foo.bar` uses `sorry`", "named");
}

static const char marker_text[] =
    "theorem a : 1 = 1 := by\n"                             /* 0 */
    "  simp -- @fake error(3): unsolved goals\\n\xe2\x8a\xa2 1 = 1\n" /* 1 */
    "  sorry\n"                                            /* 2 */
    "  done\n"                                             /* 3 */
    "\n"                                                   /* 4 */
    "def b : Nat := 1  -- @fake warning: unused thing\n"   /* 5 */
    "/- -- @fake error: not a marker inside a block comment -/\n" /* 6 */
    "example : True := trivial -- @fake info: note\n";     /* 7 */

static void
test_markers(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1");
    peer_init(&p, NULL);
    peer_open(&p, "file:///p/M.lean", 3, marker_text);
    cJSON *pub = expect_publish(&p, &c, "file:///p/M.lean", 3);
    ok(pub != NULL, "markers: publish");
    is_int(jsize(pub, "params.diagnostics"), 3,
           "markers: 3 diagnostics (no sorry warning, no block-comment marker)");
    cJSON *e = jget(pub, "params.diagnostics.0");
    is_int(jint(e, "severity"), 1, "error(3): severity 1");
    is_str(jstr(e, "message"), "unsolved goals\n\xe2\x8a\xa2 1 = 1", "error(3): message");
    is_str(range_str(e, "fullRange"), "1:2-3:6", "error(3): fullRange spans 3 lines");
    is_str(range_str(e, "range"), "1:2-2:0", "error(3): range cut to (start.line+1, 0)");
    is_int(jint(e, "leanTags.0"), 1, "error(3): unsolved goals tag");
    cJSON *w = jget(pub, "params.diagnostics.1");
    is_int(jint(w, "severity"), 2, "warning marker: severity 2");
    is_str(range_str(w, "range"), "5:0-5:16", "warning marker: range up to the code's end");
    is_str(range_str(w, "fullRange"), "5:0-5:16", "warning marker: fullRange = range");
    is_str(jstr(w, "message"), "unused thing", "warning marker: message");
    cJSON *i = jget(pub, "params.diagnostics.2");
    is_int(jint(i, "severity"), 3, "info marker: severity 3");
    ok(jget(i, "isSilent") == NULL, "info marker: not silent");
    peer_finish(&p);
}

/* Two declarations in different halves: full growing sets vs incremental sets. */
static const char two_halves[] = "theorem first : True := by\n"  /* 0 */
                                 "  sorry\n"                     /* 1 */
                                 "theorem second : True := by\n" /* 2 */
                                 "  admit\n"                     /* 3 */
                                 "\n\n\n\n\n\n";                 /* 4..9, 10 is empty */

static void
test_incremental(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 2 --report-delay-ms 5");
    peer_init(&p, NULL);
    peer_open(&p, "file:///p/F.lean", 1, two_halves);
    cJSON *a = expect_publish(&p, &c, "file:///p/F.lean", 1);
    cJSON *b = expect_publish(&p, &c, "file:///p/F.lean", 1);
    is_int(jsize(a, "params.diagnostics"), 1, "full sets: first publish has 1");
    is_int(jsize(b, "params.diagnostics"), 2, "full sets: second publish has both (grows)");
    is_str(range_str(b, "params.diagnostics.1.range"), "2:8-2:14", "full sets: admit counts");
    ok(jget(b, "params.isIncremental") == NULL, "full sets: no isIncremental field");
    peer_finish(&p);

    peer_start(&p, "--chunks 2 --report-delay-ms 5");
    c = 0;
    peer_init(&p, "{\"incrementalDiagnosticSupport\":true}");
    peer_open(&p, "file:///p/F.lean", 1, two_halves);
    a = expect_publish(&p, &c, "file:///p/F.lean", 1);
    b = expect_publish(&p, &c, "file:///p/F.lean", 1);
    ok(cJSON_IsFalse(jget(a, "params.isIncremental")), "incremental: first isIncremental false");
    is_int(jsize(a, "params.diagnostics"), 1, "incremental: first publish has 1");
    ok(cJSON_IsTrue(jget(b, "params.isIncremental")), "incremental: later isIncremental true");
    is_int(jsize(b, "params.diagnostics"), 1, "incremental: later publish only the new one");
    is_str(range_str(b, "params.diagnostics.0.range"), "2:8-2:14",
           "incremental: the new one is the second declaration");
    /* a progress whose range starts at the batch end precedes the first batch */
    bool moved = false;
    for (size_t i = 0; i < p.n; i++)
        if (msg_matches(p.msg[i], "$/lean/fileProgress", NULL) &&
            jint(p.msg[i], "params.processing.0.range.start.line") == 5)
            moved = peer_index(&p, p.msg[i]) < peer_index(&p, a);
    ok(moved, "progress moves down to line 5 (= 11/2) before the first batch");
    peer_finish(&p);
}

static void
test_wait_and_changes(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 2 --report-delay-ms 100");
    peer_init(&p, "{\"silentDiagnosticSupport\":true}");
    /* 𝔽 (U+1D53D) is a letter-like identifier char: two UTF-16 units, four UTF-8 bytes */
    peer_open(&p, "file:///p/U.lean", 1, "theorem \xf0\x9d\x94\xbdoo : True := by trivial\n");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"textDocument/waitForDiagnostics\","
                  "\"params\":{\"uri\":\"file:///p/U.lean\",\"version\":1}}");
    cJSON *w = peer_expect(&p, &c, NULL, "10", WAIT_MS);
    ok(w && cJSON_IsObject(jget(w, "result")) && jget(w, "result")->child == NULL,
       "waitForDiagnostics: {}");
    size_t cd = 0;
    cJSON *done = expect_done(&p, &cd, "file:///p/U.lean", 1);
    ok(done && peer_index(&p, done) < peer_index(&p, w),
       "waitForDiagnostics: reply after processing []");
    cJSON *pub = last_publish(&p, "file:///p/U.lean", 1);
    is_str(jstr(pub, "params.diagnostics.0.message"), "Goals accomplished!",
           "silent support: goals accomplished");
    ok(cJSON_IsTrue(jget(pub, "params.diagnostics.0.isSilent")), "goals accomplished: isSilent");
    is_int(jint(pub, "params.diagnostics.0.leanTags.0"), 2, "goals accomplished: leanTags [2]");
    is_str(range_str(pub, "params.diagnostics.0.range"), "0:23-0:25",
           "goals accomplished: on `by` (UTF-16 columns)");

    /* a wait for a version that has not come yet is held */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"textDocument/waitForDiagnostics\","
                  "\"params\":{\"uri\":\"file:///p/U.lean\",\"version\":2}}");
    ok(peer_expect(&p, &c, NULL, "11", 200) == NULL, "waitForDiagnostics v2: held before v2");
    /* replace `by trivial` (UTF-16 23..33) by `sorry` */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/U.lean\",\"version\":2},"
                  "\"contentChanges\":[{\"range\":{\"start\":{\"line\":0,\"character\":23},"
                  "\"end\":{\"line\":0,\"character\":33}},\"text\":\"sorry\"}]}}");
    w = peer_expect(&p, &c, NULL, "11", WAIT_MS);
    ok(w != NULL, "waitForDiagnostics v2: answered after v2");
    pub = last_publish(&p, "file:///p/U.lean", 2);
    ok(pub && peer_index(&p, pub) < peer_index(&p, w), "v2: diagnostics before the wait reply");
    is_str(jstr(pub, "params.diagnostics.0.message"), "declaration uses `sorry`",
           "incremental edit in UTF-16 applied");
    is_str(range_str(pub, "params.diagnostics.0.range"), "0:8-0:12",
           "sorry warning on the name (surrogate pair = 2 units)");

    /* a whole-text change */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/U.lean\",\"version\":3},"
                  "\"contentChanges\":[{\"text\":\"\\n\\ndef q : Nat := sorry\\n\"}]}}");
    cd = 0;
    expect_done(&p, &cd, "file:///p/U.lean", 3);
    pub = last_publish(&p, "file:///p/U.lean", 3);
    is_str(range_str(pub, "params.diagnostics.0.range"), "2:4-2:5", "full-text change applied");

    /* hover waits for elaboration; a newer version makes it stale. The three messages go
     * in one write (< PIPE_BUF, so the fake reads them together, before any timer). */
    const char *m4 = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                     "\"textDocument\":{\"uri\":\"file:///p/U.lean\",\"version\":4},"
                     "\"contentChanges\":[{\"range\":{\"start\":{\"line\":0,\"character\":0},"
                     "\"end\":{\"line\":0,\"character\":0}},\"text\":\"-- x\"}]}}";
    const char *m12 = "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"textDocument/hover\",\"params\":{"
                      "\"textDocument\":{\"uri\":\"file:///p/U.lean\"},"
                      "\"position\":{\"line\":2,\"character\":4}}}";
    const char *m5 = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                     "\"textDocument\":{\"uri\":\"file:///p/U.lean\",\"version\":5},"
                     "\"contentChanges\":[{\"range\":{\"start\":{\"line\":0,\"character\":0},"
                     "\"end\":{\"line\":0,\"character\":0}},\"text\":\"-\"}]}}";
    char *three = xasprintf("Content-Length: %zu\r\n\r\n%sContent-Length: %zu\r\n\r\n%s"
                            "Content-Length: %zu\r\n\r\n%s",
                            strlen(m4), m4, strlen(m12), m12, strlen(m5), m5);
    peer_write(&p, three, strlen(three));
    free(three);
    cJSON *h = peer_expect(&p, &c, NULL, "12", WAIT_MS);
    is_int(jint(h, "error.code"), -32801, "hover during a newer edit: -32801");
    is_str(jstr(h, "error.message"), "File changed.", "hover during a newer edit: File changed.");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"textDocument/hover\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/U.lean\"},"
                  "\"position\":{\"line\":2,\"character\":4}}}");
    h = peer_expect(&p, &c, NULL, "13", WAIT_MS);
    is_str(jstr(h, "result.contents.value"), "```lean\nq : Prop\n```", "hover: markdown");
    is_str(range_str(h, "result.range"), "2:4-2:5", "hover: range of the identifier");
    cd = 0;
    cJSON *d5 = expect_done(&p, &cd, "file:///p/U.lean", 5);
    ok(d5 && peer_index(&p, d5) < peer_index(&p, h), "hover: answered once elaborated");

    /* cancelling a held request */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":\"w99\",\"method\":"
                  "\"textDocument/waitForDiagnostics\",\"params\":{\"uri\":\"file:///p/U.lean\","
                  "\"version\":99}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":\"w99\"}}");
    cJSON *cx = peer_expect(&p, &c, NULL, "\"w99\"", WAIT_MS);
    is_int(jint(cx, "error.code"), -32800, "$/cancelRequest: -32800 for the held request");

    /* didClose -> empty diagnostics; then the file is closed */
    size_t before = p.n;
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didClose\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/U.lean\"}}}");
    size_t c2 = before;
    cJSON *empty = expect_publish(&p, &c2, "file:///p/U.lean", 5);
    is_int(jsize(empty, "params.diagnostics"), 0, "didClose: empty diagnostics, last version");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"$/lean/plainGoal\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/U.lean\"},"
                  "\"position\":{\"line\":0,\"character\":0}}}");
    cJSON *cl = peer_expect(&p, &c, NULL, "14", WAIT_MS);
    is_int(jint(cl, "error.code"), -32801, "closed file: -32801");
    is_str(jstr(cl, "error.message"), "Cannot process request to closed file 'file:///p/U.lean'",
           "closed file: message");
    peer_finish(&p);
}

static void
test_crlf_and_framing(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1");
    /* initialize and initialized in one write, with an extra header field */
    const char *b1 = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}";
    const char *b2 = "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}";
    char *two = xasprintf("Content-Length: %zu\r\nContent-Type: application/vscode-jsonrpc; "
                          "charset=utf-8\r\n\r\n%sX-Other: a: b\r\nContent-Length: %zu\r\n\r\n%s",
                          strlen(b1), b1, strlen(b2), b2);
    peer_write(&p, two, strlen(two));
    free(two);
    ok(peer_expect(&p, &c, "client/registerCapability", NULL, WAIT_MS) != NULL,
       "framing: two frames in one write, other header fields accepted");
    /* a didOpen split in three writes, CRLF text */
    char *t = json_string("def x : Nat := 1 -- @fake error(1): bad\r\ndef y := 2\r\n");
    char *body = xasprintf("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":"
                           "{\"textDocument\":{\"uri\":\"file:///p/C.lean\",\"languageId\":"
                           "\"lean4\",\"version\":1,\"text\":%s}}}",
                           t);
    char *frame = xasprintf("Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    size_t n = strlen(frame);
    peer_write(&p, frame, 10);
    peer_pump(&p, 30);
    peer_write(&p, frame + 10, 20);
    peer_pump(&p, 30);
    peer_write(&p, frame + 30, n - 30);
    cJSON *pub = expect_publish(&p, &c, "file:///p/C.lean", 1);
    ok(pub != NULL, "framing: a frame split over three writes");
    is_str(range_str(pub, "params.diagnostics.0.fullRange"), "0:0-0:39",
           "didOpen: CRLF turned into LF (line end excludes the CR)");
    free(frame);
    free(body);
    free(t);
    /* the fake's own frames: exactly one header each (checked by peer_parse) */
    ok(!p.eof, "fake frames carry only Content-Length");
    peer_finish(&p);
}

static const char action_text[] = "theorem t : True := by\n"
                                  "  exact?\n";

static void
test_code_actions(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "");
    peer_init(&p, NULL);
    peer_open(&p, "file:///p/A.lean", 7, action_text);
    const char *params = "{\"textDocument\":{\"uri\":\"file:///p/A.lean\"},\"range\":{\"start\":"
                         "{\"line\":1,\"character\":0},\"end\":{\"line\":1,\"character\":8}},"
                         "\"context\":{\"diagnostics\":[],\"triggerKind\":1}}";
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"textDocument/codeAction\","
                   "\"params\":%s}", params);
    cJSON *r = peer_expect(&p, &c, NULL, "20", WAIT_MS);
    is_int(jsize(r, "result"), 2, "codeAction: eager + lazy");
    cJSON *eager = jget(r, "result.0");
    is_str(jstr(eager, "title"), "Try this: exact trivial", "codeAction: eager title");
    ok(cJSON_IsTrue(jget(eager, "isPreferred")), "codeAction: eager isPreferred");
    is_str(jstr(eager, "kind"), "quickfix", "codeAction: eager kind");
    is_int(jint(eager, "edit.documentChanges.0.textDocument.version"), 7,
           "codeAction: versioned documentChanges");
    is_str(range_str(eager, "edit.documentChanges.0.edits.0.range"), "1:2-1:8",
           "codeAction: edit replaces the exact? token");
    is_str(jstr(eager, "edit.documentChanges.0.edits.0.newText"), "exact trivial",
           "codeAction: newText");
    cJSON *lazy = jget(r, "result.1");
    ok(lazy && !jget(lazy, "edit"), "codeAction: lazy action has no edit");
    is_str(jstr(lazy, "data.providerName"), "Fake.lazyProvider", "codeAction: providerName");
    cJSON *orig = cJSON_Parse(params);
    ok(cJSON_Compare(jget(lazy, "data.params"), orig, true),
       "codeAction: data.params is the original CodeActionParams");
    cJSON_Delete(orig);

    char *lazy_text = cJSON_PrintUnformatted(lazy);
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"id\":21,\"method\":\"codeAction/resolve\",\"params\":%s}",
               lazy_text);
    cJSON_free(lazy_text);
    cJSON *res = peer_expect(&p, &c, NULL, "21", WAIT_MS);
    is_str(jstr(res, "result.title"), "Fake lazy action", "resolve: same action back");
    is_str(jstr(res, "result.edit.documentChanges.0.edits.0.newText"), "-- resolved",
           "resolve: edit filled in");
    is_str(range_str(res, "result.edit.documentChanges.0.edits.0.range"), "1:0-1:0",
           "resolve: inserted at the range start");

    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":22,\"method\":\"codeAction/resolve\",\"params\":"
                  "{\"title\":\"Proxy action\",\"kind\":\"quickfix\"}}");
    cJSON *bad = peer_expect(&p, &c, NULL, "22", WAIT_MS);
    is_int(jint(bad, "error.code"), -32801, "resolve without data: -32801");
    is_str(jstr(bad, "error.message"), "Cannot process request to closed file ''",
           "resolve without data: empty uri");
    char *err = peer_stderr(&p);
    is_contains(err, "PANIC", "resolve without data: PANIC on stderr");
    free(err);
    peer_finish(&p);
}

static void
test_rpc_and_errors(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "");
    peer_init(&p, NULL);
    peer_open(&p, "file:///p/R.lean", 1, "theorem t : True := trivial\n");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":30,\"method\":\"$/lean/rpc/connect\",\"params\":"
                  "{\"uri\":\"file:///p/R.lean\"}}");
    cJSON *r = peer_expect(&p, &c, NULL, "30", WAIT_MS);
    const char *sid = jstr(r, "result.sessionId");
    ok(sid && *sid && strspn(sid, "0123456789") == strlen(sid),
       "rpc/connect: sessionId is a decimal string");
    char *sid_copy = strdup(sid ? sid : "0");
    peer_sendf(&p,
               "{\"jsonrpc\":\"2.0\",\"id\":18446744073709551615,\"method\":\"$/lean/rpc/call\","
               "\"params\":{\"textDocument\":{\"uri\":\"file:///p/R.lean\"},\"position\":"
               "{\"line\":0,\"character\":1},\"sessionId\":\"%s\",\"method\":"
               "\"Lean.Widget.getInteractiveGoals\",\"params\":{\"n\":12345678901234567890,"
               "\"xs\":[1, 2.50, \"a b\"]}}}",
               sid_copy);
    peer_pump(&p, 300);
    const char *raw = NULL;
    for (size_t i = 0; i < p.n; i++)
        if (strstr(p.raw[i], "\"echo\""))
            raw = p.raw[i];
    is_contains(raw, "\"id\":18446744073709551615,", "rpc/call: big id written back digit for digit");
    is_contains(raw, "\"method\":\"Lean.Widget.getInteractiveGoals\"", "rpc/call: method echoed");
    is_contains(raw, "\"params\":{\"n\":12345678901234567890,\"xs\":[1,2.50,\"a b\"]}",
                "rpc/call: params echoed exactly (minified)");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":\"$/lean/rpc/call\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/R.lean\"},\"position\":{\"line\":0,"
                  "\"character\":1},\"sessionId\":\"42\",\"method\":\"m\",\"params\":{}}}");
    cJSON *out = peer_expect(&p, &c, NULL, "31", WAIT_MS);
    is_int(jint(out, "error.code"), -32900, "rpc/call unknown session: -32900");
    is_str(jstr(out, "error.message"), "Outdated RPC session", "rpc/call unknown session: message");
    free(sid_copy);

    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":32,\"method\":\"workspace/executeCommand\","
                  "\"params\":{\"command\":\"marathon.x\",\"arguments\":[]}}");
    cJSON *u = peer_expect(&p, &c, NULL, "32", WAIT_MS);
    is_int(jint(u, "error.code"), -32601, "executeCommand: method not found");
    is_str(jstr(u, "error.message"), "No request handler found for 'workspace/executeCommand'",
           "executeCommand: message");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":33,\"method\":\"$/lean/nope\",\"params\":{}}");
    u = peer_expect(&p, &c, NULL, "33", WAIT_MS);
    is_int(jint(u, "error.code"), -32601, "unknown $/ request: -32601");
    /* unknown notifications: $/ ignored, others reported on stderr */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"$/unknown\",\"params\":{}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"workspace/didChangeConfiguration\","
                  "\"params\":{\"settings\":{}}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"$/fake/stderr\",\"params\":{\"text\":"
                  "\"hello from the test\\n\"}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":34,\"method\":\"$/lean/plainTermGoal\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/R.lean\"},\"position\":{\"line\":0,"
                  "\"character\":9}}}");
    u = peer_expect(&p, &c, NULL, "34", WAIT_MS);
    is_str(jstr(u, "result.goal"), "Prop", "plainTermGoal: goal");
    char *err = peer_stderr(&p);
    is_contains(err, "Got unsupported notification: workspace/didChangeConfiguration",
                "unsupported notification on stderr");
    is_contains(err, "hello from the test", "$/fake/stderr text on stderr");
    ok(!strstr(err, "$/unknown"), "$/ notification ignored silently");
    free(err);
    /* EOF on stdin counts as exit */
    close(p.to);
    p.to = open("/dev/null", O_WRONLY);
    is_int(peer_wait_exit(&p, WAIT_MS), 0, "EOF on stdin: exit 0");
    peer_finish(&p);
}

static void
test_watchdog_deaths(void)
{
    static const struct {
        const char *first, *second, *name;
    } cases[] = {
        {"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}", NULL,
         "invalid JSON"},
        {"{\"id\":0,\"method\":\"initialize\",\"params\":{}}", NULL, "missing jsonrpc"},
        {"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"shutdown\"}", NULL, "first not initialize"},
        {"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}",
         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/hover\",\"params\":{}}",
         "second not initialized"},
        {"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}",
         "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}",
         "request without params"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct peer p;
        peer_start(&p, "");
        peer_send(&p, cases[k].first);
        if (cases[k].second)
            peer_send(&p, cases[k].second);
        if (k == 4)
            peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"textDocument/hover\"}");
        is_int(peer_wait_exit(&p, WAIT_MS), 1, "%s: exit 1", cases[k].name);
        char *err = peer_stderr(&p);
        is_contains(err, "Watchdog error", "%s: watchdog error on stderr", cases[k].name);
        free(err);
        peer_finish(&p);
    }
    /* EOF before initialize: readLspRequestAs throws, the watchdog exits 1 */
    {
        struct peer p;
        peer_start(&p, "");
        close(p.to);
        p.to = open("/dev/null", O_WRONLY);
        is_int(peer_wait_exit(&p, WAIT_MS), 1, "EOF before initialize: exit 1");
        char *err = peer_stderr(&p);
        is_contains(err, "Watchdog error: Cannot read LSP request: Stream was closed",
                    "EOF before initialize: Lean's message");
        free(err);
        peer_finish(&p);
    }
    /* headers as strict as Lean's readLspHeader (Lean/Data/Lsp/Communication.lean) */
    static const struct {
        const char *frame, *name;
    } frames[] = {
        {"content-length: 2\r\n\r\n{}", "lower-case content-length"},
        {"Content-Length: 2\n\r\n{}", "header line without CR"},
        {"Content-Length:2\r\n\r\n{}", "header field without ': '"},
        {"Content-Length: 2 \r\n\r\n{}", "Content-Length value with a space"},
    };
    for (size_t k = 0; k < sizeof frames / sizeof frames[0]; k++) {
        struct peer p;
        peer_start(&p, "");
        peer_write(&p, frames[k].frame, strlen(frames[k].frame));
        is_int(peer_wait_exit(&p, WAIT_MS), 1, "%s: exit 1", frames[k].name);
        char *err = peer_stderr(&p);
        is_contains(err, "Watchdog error", "%s: watchdog error on stderr", frames[k].name);
        free(err);
        peer_finish(&p);
    }
}

static void
test_crash_modes(void)
{
    char *rec = xasprintf("%s/record.jsonl", tmpdir);
    char *once = xasprintf("%s/crashed-once", tmpdir);
    char *args = xasprintf("--crash-after 3 --crash-code 7 --crash-once-file %s --record %s",
                           once, rec);
    struct peer p;
    size_t c = 0;
    peer_start(&p, args);
    peer_init(&p, NULL);
    peer_send(&p, "{\"jsonrpc\":\"2.0\",  \"method\":\"$/x\",\"params\":{}}");
    is_int(peer_wait_exit(&p, WAIT_MS), 7, "crash-after 3: exit with crash code");
    ok(access(once, F_OK) == 0, "crash-once-file created");
    peer_finish(&p);
    char *recorded = read_file(rec);
    char *expect_tail = xasprintf("{\"jsonrpc\":\"2.0\",  \"method\":\"$/x\",\"params\":{}}\n");
    ok(strncmp(recorded, "{\"fake_lean_start\":", 19) == 0, "record: start line first");
    size_t rl = strlen(recorded), el = strlen(expect_tail);
    ok(rl >= el && strcmp(recorded + rl - el, expect_tail) == 0,
       "record: raw bytes of the crashing message, one line");
    int lines = 0;
    for (const char *q = recorded; *q; q++)
        lines += *q == '\n';
    is_int(lines, 4, "record: start line + 3 messages");
    free(expect_tail);
    free(recorded);

    /* restarted with the same arguments: the crash mode is spent */
    peer_start(&p, args);
    peer_init(&p, NULL);
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"$/x\",\"params\":{}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":40,\"method\":\"shutdown\"}");
    ok(peer_expect(&p, &c, NULL, "40", WAIT_MS) != NULL, "crash-once-file present: no crash");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
    is_int(peer_wait_exit(&p, WAIT_MS), 0, "crash-once-file present: normal exit");
    peer_finish(&p);
    recorded = read_file(rec);
    ok(strstr(strstr(recorded, "\n{\"fake_lean_start\":") ? strstr(recorded, "\n{\"fake_lean_start\":") : "",
              "\"exit\"") != NULL,
       "record: second run appended after its own start line");
    free(recorded);

    /* $/fake/crash */
    peer_start(&p, "");
    peer_init(&p, NULL);
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"$/fake/crash\",\"params\":{\"code\":5}}");
    is_int(peer_wait_exit(&p, WAIT_MS), 5, "$/fake/crash: exit code from params");
    peer_finish(&p);

    /* hang-after: nothing more, but SIGTERM still works */
    peer_start(&p, "--hang-after 3");
    c = 0;
    peer_init(&p, NULL);
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"shutdown\"}");
    ok(peer_expect(&p, &c, NULL, "41", 300) == NULL, "hang-after 3: the third message unanswered");
    ok(peer_wait_exit(&p, 100) == -1, "hang-after: still running");
    kill(p.pid, SIGTERM);
    is_int(peer_wait_exit(&p, WAIT_MS), 128 + SIGTERM, "hang-after: SIGTERM ends it");
    peer_finish(&p);

    free(args);
    unlink(rec);
    unlink(once);
    free(rec);
    free(once);
}

static void
test_timing_options(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--slow-ms 250");
    peer_init(&p, NULL);
    peer_pump(&p, 100);
    long long t0 = now_ms();
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"workspace/symbol\",\"params\":"
                  "{\"query\":\"\"}}");
    cJSON *r = peer_expect(&p, &c, NULL, "50", WAIT_MS);
    long long dt = now_ms() - t0;
    ok(r && dt >= 240, "slow-ms 250: response delayed (%lld ms)", dt);
    is_int(jsize(r, "result"), 0, "workspace/symbol: []");
    peer_finish(&p);

    peer_start(&p, "--refresh-ms 40 --report-delay-ms 400 --chunks 1");
    c = 0;
    peer_init(&p, NULL);
    peer_open(&p, "file:///p/S.lean", 1, "def a := 1\n");
    cJSON *r0 = peer_expect(&p, &c, "workspace/semanticTokens/refresh", NULL, WAIT_MS);
    cJSON *r1 = peer_expect(&p, &c, "workspace/semanticTokens/refresh", NULL, WAIT_MS);
    is_int(jint(r0, "id"), 0, "refresh: first id 0");
    is_int(jint(r1, "id"), 1, "refresh: second id 1");
    ok(r0 && !jget(r0, "params"), "refresh: no params");
    size_t cd = 0;
    cJSON *done = expect_done(&p, &cd, "file:///p/S.lean", 1);
    peer_pump(&p, 150);
    bool after = false;
    for (size_t i = (size_t)(peer_index(&p, done) + 1); done && i < p.n; i++)
        if (msg_matches(p.msg[i], "workspace/semanticTokens/refresh", NULL))
            after = true;
    ok(done && !after, "refresh: stops once processing is done");
    peer_finish(&p);
}

static void
test_worker_crash(void)
{
    struct peer p;
    size_t c = 0;
    const char *uri = "file:///p/W.lean";
    peer_start(&p, "--chunks 1 --report-delay-ms 50");
    peer_init(&p, NULL);
    peer_open(&p, uri, 1,
              "theorem t : True := sorry\n"
              "theorem u : True := trivial -- @fake worker-crash\n");
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"id\":60,\"method\":\"textDocument/waitForDiagnostics\","
                   "\"params\":{\"uri\":\"%s\",\"version\":1}}", uri);
    cJSON *w = peer_expect(&p, &c, NULL, "60", WAIT_MS);
    is_int(jint(w, "error.code"), -32901, "worker crash (1): pending request gets -32901");
    is_str(jstr(w, "error.message"),
           "Server process for file:///p/W.lean crashed, see stderr for exception.",
           "worker crash (1): message");
    cJSON *pub = last_publish(&p, uri, 1);
    is_int(jsize(pub, "params.diagnostics"), 1, "worker crash: what came before is published");
    cJSON *k2 = NULL;
    for (size_t i = 0; i < p.n; i++)
        if (msg_matches(p.msg[i], "$/lean/fileProgress", NULL) &&
            jint(p.msg[i], "params.processing.0.kind") == 2)
            k2 = p.msg[i];
    ok(k2 != NULL, "worker crash: fileProgress kind 2");
    is_str(range_str(k2, "params.processing.0.range"), "0:0-2:0", "worker crash: from (0,0)");
    char *err = peer_stderr(&p);
    is_contains(err, "[file:///p/W.lean] uncaught exception", "worker crash: [uri] on stderr");
    free(err);
    /* queued while crashed, answered after the restart */
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"id\":61,\"method\":\"textDocument/hover\",\"params\":{"
                   "\"textDocument\":{\"uri\":\"%s\"},\"position\":{\"line\":0,\"character\":8}}}",
                   uri);
    ok(peer_expect(&p, &c, NULL, "61", 200) == NULL, "crashed worker: request held");
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                   "\"textDocument\":{\"uri\":\"%s\",\"version\":2},\"contentChanges\":[{"
                   "\"range\":{\"start\":{\"line\":1,\"character\":27},\"end\":{\"line\":1,"
                   "\"character\":50}},\"text\":\"\"}]}}", uri);
    cJSON *h = peer_expect(&p, &c, NULL, "61", WAIT_MS);
    is_str(jstr(h, "result.contents.value"), "```lean\nt : Prop\n```",
           "restart on didChange: the held request is answered");
    size_t cd = 0;
    ok(expect_done(&p, &cd, uri, 2) != NULL, "restart: version 2 elaborated to the end");
    peer_finish(&p);

    peer_start(&p, "--chunks 1");
    c = 0;
    peer_init(&p, NULL);
    peer_open(&p, uri, 1, "def x := 1 -- @fake worker-crash(3)\n");
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"id\":62,\"method\":\"textDocument/documentSymbol\","
                   "\"params\":{\"textDocument\":{\"uri\":\"%s\"}}}", uri);
    w = peer_expect(&p, &c, NULL, "62", WAIT_MS);
    is_int(jint(w, "error.code"), -32902, "worker crash (3): -32902");
    is_str(jstr(w, "error.message"),
           "Server process for file:///p/W.lean crashed, likely due to a stack overflow or a bug.",
           "worker crash (3): message");
    ok(peer_wait_exit(&p, 100) == -1, "worker crash: the server process lives on");
    peer_finish(&p);
}

static void
test_imports_and_stale(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1 --imports-outdated");
    peer_init(&p, "{\"incrementalDiagnosticSupport\":true}");
    peer_open(&p, "file:///p/Foo/Bar.lean", 1, "import Mathlib\ndef x := sorry\n");
    cJSON *pub = expect_publish(&p, &c, "file:///p/Foo/Bar.lean", 1);
    is_int(jsize(pub, "params.diagnostics"), 1, "imports outdated: one diagnostic only");
    is_str(jstr(pub, "params.diagnostics.0.message"),
           "Imports are out of date and must be rebuilt; use the \"Restart File\" command in "
           "your editor.",
           "imports outdated: message");
    is_int(jint(pub, "params.diagnostics.0.severity"), 1, "imports outdated: error");
    is_str(range_str(pub, "params.diagnostics.0.range"), "0:0-1:0", "imports outdated: range");
    is_str(range_str(pub, "params.diagnostics.0.fullRange"), "0:0-2:0",
           "imports outdated: fullRange = whole file");

    /* B imports Foo.Bar ("once": builds, so it elaborates) */
    char *t = json_string("import Foo.Bar\ntheorem b : True := sorry\n");
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{"
                   "\"textDocument\":{\"uri\":\"file:///p/B.lean\",\"languageId\":\"lean4\","
                   "\"version\":1,\"text\":%s},\"dependencyBuildMode\":\"once\"}}", t);
    free(t);
    size_t cd = 0;
    expect_done(&p, &cd, "file:///p/B.lean", 1);
    pub = last_publish(&p, "file:///p/B.lean", 1);
    is_str(jstr(pub, "params.diagnostics.0.message"), "declaration uses `sorry`",
           "dependencyBuildMode once: elaborated normally");
    size_t before = p.n;
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didSave\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/Foo/Bar.lean\"}}}");
    size_t c2 = before;
    pub = expect_publish(&p, &c2, "file:///p/B.lean", 1);
    ok(pub != NULL, "didSave of an import: the importer is republished");
    ok(cJSON_IsFalse(jget(pub, "params.isIncremental")), "stale: a full set (isIncremental false)");
    is_int(jsize(pub, "params.diagnostics"), 2, "stale: sticky + the earlier diagnostics");
    is_str(jstr(pub, "params.diagnostics.0.message"),
           "Imports are out of date and should be rebuilt; use the \"Restart File\" command in "
           "your editor.",
           "stale: sticky message first");
    is_int(jint(pub, "params.diagnostics.0.severity"), 3, "stale: information");
    /* sticky in the next version's first (full) set too */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/B.lean\",\"version\":2},"
                  "\"contentChanges\":[{\"range\":{\"start\":{\"line\":1,\"character\":20},"
                  "\"end\":{\"line\":1,\"character\":25}},\"text\":\"trivial\"}]}}");
    pub = expect_publish(&p, &c2, "file:///p/B.lean", 2);
    is_int(jsize(pub, "params.diagnostics"), 1, "stale: sticky survives an edit");
    is_int(jint(pub, "params.diagnostics.0.severity"), 3, "stale: only the sticky is left");
    peer_finish(&p);
}

/* ---- judge mode ---------------------------------------------------------------------- */

/* Line (0-based) of the first occurrence of needle in text, or -1. */
static int
line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        return -1;
    int l = 0;
    for (const char *q = text; q < at; q++)
        l += *q == '\n';
    return l;
}

/* The first diagnostic of pub with that severity whose fullRange starts on line, or NULL. */
static cJSON *
diag_at(const cJSON *pub, int line, int severity)
{
    cJSON *d;
    cJSON_ArrayForEach(d, jget(pub, "params.diagnostics"))
        if (jint(d, "fullRange.start.line") == line && jint(d, "severity") == severity)
            return d;
    return NULL;
}

static int
count_severity(const cJSON *pub, int severity)
{
    int n = 0;
    cJSON *d;
    cJSON_ArrayForEach(d, jget(pub, "params.diagnostics"))
        n += jint(d, "severity") == severity;
    return n;
}

/* didOpen, then waitForDiagnostics for that version; the full set it was answered after. */
static cJSON *
open_and_wait(struct peer *p, size_t *c, const char *uri, int version, const char *text, int id)
{
    peer_open(p, uri, version, text);
    peer_sendf(p, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"textDocument/waitForDiagnostics\","
                  "\"params\":{\"uri\":\"%s\",\"version\":%d}}", id, uri, version);
    char idt[24];
    snprintf(idt, sizeof idt, "%d", id);
    cJSON *w = peer_expect(p, c, NULL, idt, WAIT_MS);
    return w ? last_publish(p, uri, version) : NULL;
}

/* $/lean/plainGoal at (line, ch); the reply. */
static cJSON *
plain_goal(struct peer *p, size_t *c, const char *uri, int line, int ch, int id)
{
    peer_sendf(p, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"$/lean/plainGoal\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"%s\"},\"position\":{\"line\":%d,\"character\":%d}}}",
               id, uri, line, ch);
    char idt[24];
    snprintf(idt, sizeof idt, "%d", id);
    return peer_expect(p, c, NULL, idt, WAIT_MS);
}

static const char judge_text[] =
    "-- @fake proof: simp | omega\n"
    "theorem acc (n : Nat) : n + 0 = n := by\n"
    "  simp -- closes it\n"
    "\n"
    "-- @fake proof: simp\n"
    "theorem rej (n : Nat) : n + 0 = n := by\n"
    "  rfl\n"
    "  done\n"
    "-- @fake proof: simp\n"
    "-- @fake reject: type mismatch\\n  trivial\n"
    "theorem msg : True := trivial\n"
    "-- @fake proof: decide\n"
    "theorem sor : 2 = 2 := by\n"
    "  sorry\n"
    "-- @fake proof: exact \xe2\x9f\xa8" "1, rfl\xe2\x9f\xa9\n"
    "theorem alt2 : \xe2\x88\x83 n, n = 1 := by exact   \xe2\x9f\xa8" "1, -- c\n"
    "    rfl\xe2\x9f\xa9\n"
    "theorem free : True := by exact?\n"
    "theorem inline : True := by rfl -- @fake proof: trivial\n";

static void
test_judge_proofs(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1");
    peer_init(&p, NULL);
    cJSON *pub = open_and_wait(&p, &c, "file:///p/J.lean", 1, judge_text, 100);
    ok(pub != NULL, "judge: diagnostics published before waitForDiagnostics answered");
    is_int(jsize(pub, "params.diagnostics"), 4,
           "judge: 4 diagnostics (accepted proofs and an unjudged exact? have none)");
    int rej = line_of(judge_text, "theorem rej");
    cJSON *e = diag_at(pub, rej, 1);
    ok(e != NULL, "rejected proof: an error on its declaration");
    is_str(jstr(e, "message"), "unsolved goals\n\xe2\x8a\xa2 n + 0 = n",
           "rejected proof: unsolved goals with the declared type");
    is_str(range_str(e, "fullRange"), "5:37-7:6", "rejected proof: fullRange from `by` to its end");
    is_str(range_str(e, "range"), "5:37-6:0", "rejected proof: range cut after the first line");
    is_int(jint(e, "leanTags.0"), 1, "rejected proof: leanTags [1] (unsolved goals)");
    e = diag_at(pub, line_of(judge_text, "theorem msg"), 1);
    is_str(jstr(e, "message"), "type mismatch\n  trivial", "reject marker: its message");
    is_str(range_str(e, "range"), "10:22-10:29", "reject marker: a term proof's range");
    ok(e && jget(e, "leanTags") == NULL, "reject marker: no leanTags for other errors");
    int sor = line_of(judge_text, "theorem sor");
    cJSON *w = diag_at(pub, sor, 2);
    is_str(jstr(w, "message"), "declaration uses `sorry`", "sorry proof: the usual warning");
    is_str(range_str(w, "range"), "12:8-12:11", "sorry proof: on the name");
    ok(diag_at(pub, sor, 1) == NULL && diag_at(pub, sor + 1, 1) == NULL,
       "sorry proof: no error");
    int acc = line_of(judge_text, "theorem acc");
    ok(diag_at(pub, acc, 1) == NULL && diag_at(pub, acc + 1, 1) == NULL,
       "accepted proof (second alternative of two, comment ignored): no error");
    int alt2 = line_of(judge_text, "theorem alt2");
    ok(diag_at(pub, alt2, 1) == NULL,
       "accepted proof: white space and comments collapsed before comparing");
    is_str(jstr(diag_at(pub, line_of(judge_text, "theorem inline"), 1), "message"),
           "unsolved goals\n\xe2\x8a\xa2 True",
           "a marker on the head line applies to that declaration");
    peer_finish(&p);
}

static const char goal_text[] = "-- @fake goal: x : Nat\\n\xe2\x8a\xa2 x = x\n"
                                "-- @fake proof: rfl\n"
                                "theorem g1 (x : Nat) : x = x := by\n"
                                "  simp\n"
                                "-- @fake proof: rfl\n"
                                "theorem g2 {\xce\xb1 : Type} (a : \xce\xb1) : a = a := by\n"
                                "  simp\n"
                                "theorem plain : 1 = 1 := by\n"
                                "  trivial\n";

static void
test_judge_goals(void)
{
    struct peer p;
    size_t c = 0;
    const char *uri = "file:///proj/.G.shadow1.lean";
    peer_start(&p, "--chunks 1");
    peer_init(&p, NULL);
    cJSON *pub = open_and_wait(&p, &c, uri, 1, goal_text, 110);
    is_str(jstr(diag_at(pub, 2, 1), "message"), "unsolved goals\nx : Nat\n\xe2\x8a\xa2 x = x",
           "goal marker: used in unsolved goals");
    cJSON *g = plain_goal(&p, &c, uri, 3, 2, 111);
    is_str(jstr(g, "result.goals.0"), "x : Nat\n\xe2\x8a\xa2 x = x", "plainGoal: the goal marker");
    is_str(jstr(g, "result.rendered"), "```lean\nx : Nat\n\xe2\x8a\xa2 x = x\n```",
           "plainGoal: rendered as a lean block");
    is_int(jsize(g, "result.goals"), 1, "plainGoal: one goal");
    g = plain_goal(&p, &c, uri, 6, 3, 112);
    is_str(jstr(g, "result.goals.0"), "\xe2\x8a\xa2 a = a",
           "plainGoal: default goal = type after the last top-level colon");
    g = plain_goal(&p, &c, uri, 8, 2, 113);
    is_str(jstr(g, "result.goals.0"), "\xe2\x8a\xa2 True",
           "plainGoal: unjudged declaration keeps the old default");
    peer_finish(&p);
}

static const char try_text[] = "-- @fake try-this: exact Nat.le_refl n\n"
                               "theorem le (n : Nat) : n \xe2\x89\xa4 n := by\n"
                               "  exact?\n"
                               "-- @fake proof: omega\n"
                               "theorem nope (n : Nat) : n \xe2\x89\xa4 n + 1 := by\n"
                               "  exact?\n"
                               "-- @fake try-this: simp only [Nat.add_zero]\n"
                               "theorem s (n : Nat) : n + 0 = n := by simp?\n";

static cJSON *
code_action(struct peer *p, size_t *c, const char *uri, int l0, int l1, int id)
{
    peer_sendf(p, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"textDocument/codeAction\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":%d,\"character\":0},"
                  "\"end\":{\"line\":%d,\"character\":0}},\"context\":{\"diagnostics\":[]}}}",
               id, uri, l0, l1);
    char idt[24];
    snprintf(idt, sizeof idt, "%d", id);
    return peer_expect(p, c, NULL, idt, WAIT_MS);
}

static void
test_judge_try_this(void)
{
    struct peer p;
    size_t c = 0;
    const char *uri = "file:///p/T.lean";
    peer_start(&p, "--chunks 1");
    peer_init(&p, NULL);
    cJSON *pub = open_and_wait(&p, &c, uri, 1, try_text, 120);
    is_int(jsize(pub, "params.diagnostics"), 3, "try-this: 3 diagnostics");
    cJSON *i = diag_at(pub, 2, 3);
    is_str(jstr(i, "message"), "Try this:\n  [apply] exact Nat.le_refl n",
           "try-this: info with the suggestion (current Lean layout)");
    is_str(range_str(i, "range"), "2:2-2:8", "try-this: on the tactic");
    cJSON *e = diag_at(pub, 5, 1);
    is_str(jstr(e, "message"),
           "`exact?` could not close the goal. Try `apply?` to see partial suggestions.",
           "exact? without try-this: Lean's error");
    is_str(range_str(e, "range"), "5:2-5:8", "exact? error: on the tactic");
    ok(e && jget(e, "leanTags") == NULL, "exact? error: no unsolved-goals tag");
    is_str(jstr(diag_at(pub, 7, 3), "message"), "Try this:\n  [apply] simp only [Nat.add_zero]",
           "try-this: simp? too");
    cJSON *r = code_action(&p, &c, uri, 1, 2, 121);
    is_int(jsize(r, "result"), 2, "codeAction: the suggestion + the lazy action");
    is_str(jstr(r, "result.0.title"), "Try this: exact Nat.le_refl n", "codeAction: title");
    is_str(jstr(r, "result.0.edit.documentChanges.0.edits.0.newText"), "exact Nat.le_refl n",
           "codeAction: newText = the try-this text");
    is_str(range_str(r, "result.0.edit.documentChanges.0.edits.0.range"), "2:2-2:8",
           "codeAction: replaces the tactic");
    r = code_action(&p, &c, uri, 5, 5, 122);
    is_int(jsize(r, "result"), 1, "codeAction: no suggestion for a failed exact?");
    r = code_action(&p, &c, uri, 7, 7, 123);
    is_str(jstr(r, "result.0.edit.documentChanges.0.edits.0.newText"), "simp only [Nat.add_zero]",
           "codeAction: simp? suggestion");
    peer_finish(&p);

    c = 0;
    peer_start(&p, "--chunks 1 --judge-style old");
    peer_init(&p, NULL);
    pub = open_and_wait(&p, &c, uri, 1, try_text, 124);
    is_str(jstr(diag_at(pub, 2, 3), "message"), "Try this: exact Nat.le_refl n",
           "--judge-style old: one-line Try this");
    peer_finish(&p);
}

#define FITS_NAME "fits_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"   /* 50 chars */
#define WRAPS_NAME "wraps_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" /* 51 chars */

static const char axioms_text[] =
    "axiom bigAx : False\n"
    "theorem clean : True := trivial\n"
    "theorem uses_sorry : True := by sorry\n"
    "theorem native : 2 + 2 = 4 := by native_decide\n"
    "theorem uses_ax : False := bigAx\n"
    "theorem chain1 : False := uses_ax\n"
    "theorem chain2 : True \xe2\x88\xa7 False := \xe2\x9f\xa8uses_sorry, chain1\xe2\x9f\xa9\n"
    "-- @fake axioms: Quot.sound, propext, Classical.choice\n"
    "theorem marked : True := trivial\n"
    "-- @fake axioms: Quot.sound, propext, Classical.choice, sorryAx\n"
    "theorem " FITS_NAME " : True := trivial\n"
    "-- @fake axioms: Quot.sound, propext, Classical.choice, sorryAx\n"
    "theorem " WRAPS_NAME " : True := trivial\n"
    "-- @fake axioms:\n"
    "theorem empty_marker : True := by sorry\n"
    "-- @fake proof: simp\n"
    "theorem rejected : True := by rfl\n"
    "#print axioms clean\n"
    "#print axioms uses_sorry\n"
    "#print axioms native\n"
    "#print axioms uses_ax\n"
    "#print axioms chain2\n"
    "#print axioms marked\n"
    "#print axioms " FITS_NAME "\n"
    "#print axioms " WRAPS_NAME "\n"
    "#print axioms empty_marker\n"
    "#print axioms rejected\n"
    "#print axioms missing\n"
    "#print axioms bigAx\n"
    "#print axioms later\n"
    "theorem later : True := trivial\n";

/* The message of the info (or error) reported for the `#print axioms NAME` line. */
static const char *
axioms_msg(const cJSON *pub, const char *text, const char *name, int severity)
{
    char needle[160];
    snprintf(needle, sizeof needle, "#print axioms %s\n", name);
    return jstr(diag_at(pub, line_of(text, needle), severity), "message");
}

static void
test_print_axioms(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1");
    peer_init(&p, NULL);
    cJSON *pub = open_and_wait(&p, &c, "file:///p/Ax.lean", 1, axioms_text, 130);
    const char *t = axioms_text;
    int cl = line_of(t, "#print axioms clean");
    cJSON *info = diag_at(pub, cl, 3);
    is_str(jstr(info, "message"), "'clean' does not depend on any axioms", "axioms: none");
    is_str(range_str(info, "range"), "17:0-17:6", "axioms: reported on the `#print` token");
    is_str(axioms_msg(pub, t, "uses_sorry", 3), "'uses_sorry' depends on axioms: [sorryAx]",
           "axioms: sorry -> sorryAx");
    is_str(axioms_msg(pub, t, "native", 3),
           "'native' depends on axioms: [Lean.ofReduceBool, Lean.trustCompiler]",
           "axioms: native_decide");
    is_str(axioms_msg(pub, t, "uses_ax", 3), "'uses_ax' depends on axioms: [bigAx]",
           "axioms: a user axiom");
    is_str(axioms_msg(pub, t, "chain2", 3), "'chain2' depends on axioms: [bigAx, sorryAx]",
           "axioms: transitive through the file's declarations, sorted");
    is_str(axioms_msg(pub, t, "marked", 3),
           "'marked' depends on axioms: [propext, Classical.choice, Quot.sound]",
           "axioms: marker, sorted by Name.lt (fewer components first)");
    const char *fits = axioms_msg(pub, t, FITS_NAME, 3);
    is_str(fits, "'" FITS_NAME "' depends on axioms: [propext, sorryAx, Classical.choice, "
                 "Quot.sound]",
           "axioms: 120 columns stay on one line");
    is_int(fits ? (long long)strlen(fits) : -1, 120, "axioms: that line is exactly 120 wide");
    is_str(axioms_msg(pub, t, WRAPS_NAME, 3),
           "'" WRAPS_NAME "' depends on axioms: [propext,\n sorryAx,\n Classical.choice,\n"
           " Quot.sound]",
           "axioms: 121 columns wrap every entry, indented by one");
    is_str(axioms_msg(pub, t, "empty_marker", 3), "'empty_marker' does not depend on any axioms",
           "axioms: an empty marker wins over the sorry");
    is_str(axioms_msg(pub, t, "rejected", 3), "'rejected' depends on axioms: [sorryAx]",
           "axioms: a rejected proof has sorryAx");
    is_str(axioms_msg(pub, t, "bigAx", 3), "'bigAx' depends on axioms: [bigAx]",
           "axioms: an axiom depends on itself");
    cJSON *e = diag_at(pub, line_of(t, "#print axioms missing"), 1);
    is_str(jstr(e, "message"), "Unknown constant `missing`", "axioms: unknown constant");
    is_str(range_str(e, "range"), "27:14-27:21", "unknown constant: on the name");
    is_str(axioms_msg(pub, t, "later", 1), "Unknown constant `later`",
           "axioms: declarations below the command do not exist yet");
    peer_finish(&p);

    c = 0;
    peer_start(&p, "--chunks 1 --judge-style=old");
    peer_init(&p, NULL);
    pub = open_and_wait(&p, &c, "file:///p/Ax.lean", 1, axioms_text, 131);
    is_str(axioms_msg(pub, t, "native", 3), "'native' depends on axioms: [Lean.ofReduceBool]",
           "--judge-style old: native_decide without trustCompiler");
    is_str(axioms_msg(pub, t, "missing", 1), "unknown constant 'missing'",
           "--judge-style old: unknown constant text");
    peer_finish(&p);
}

static const char ns_text[] = "namespace A\n"
                              "theorem foo : True := by sorry\n"
                              "namespace B\n"
                              "theorem foo : True := trivial\n"
                              "#print axioms foo\n"
                              "end B\n"
                              "#print axioms foo\n"
                              "#print axioms B.foo\n"
                              "end A\n"
                              "#print axioms A.foo\n"
                              "#print axioms foo\n"
                              "#print axioms _root_.A.B.foo\n";

static void
test_print_axioms_namespaces(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1");
    peer_init(&p, NULL);
    cJSON *pub = open_and_wait(&p, &c, "file:///p/Ns.lean", 1, ns_text, 140);
    is_str(jstr(diag_at(pub, 4, 3), "message"), "'A.B.foo' does not depend on any axioms",
           "namespaces: the innermost namespace first");
    is_str(jstr(diag_at(pub, 6, 3), "message"), "'A.foo' depends on axioms: [sorryAx]",
           "namespaces: after `end B` the outer one");
    is_str(jstr(diag_at(pub, 7, 3), "message"), "'A.B.foo' does not depend on any axioms",
           "namespaces: a partial name");
    is_str(jstr(diag_at(pub, 9, 3), "message"), "'A.foo' depends on axioms: [sorryAx]",
           "namespaces: the full name at top level");
    is_str(jstr(diag_at(pub, 10, 1), "message"), "Unknown constant `foo`",
           "namespaces: the short name outside its namespace is unknown");
    is_str(jstr(diag_at(pub, 11, 3), "message"), "'A.B.foo' does not depend on any axioms",
           "namespaces: _root_ prefix");
    peer_finish(&p);
}

static const char shadow_head[] = "-- @fake proof: simp\n"
                                  "theorem target (n : Nat) : n + 0 = n := by\n";

/* A shadow document: the fixed head, then `  PROOF\n#print axioms target\n`. */
static char *
shadow_text(const char *proof)
{
    return xasprintf("%s  %s\n#print axioms target\n", shadow_head, proof);
}

static void
test_shadow_documents(void)
{
    struct peer p;
    size_t c = 0;
    const char *u1 = "file:///proj/.Foo.shadow1.lean", *u2 = "file:///proj/.Foo.shadow2.lean";
    peer_start(&p, "--chunks 2 --report-delay-ms 5");
    peer_init(&p, "{\"incrementalDiagnosticSupport\":true}");
    char *t1 = shadow_text("simp"), *t2 = shadow_text("rfl");
    /* both open at once */
    peer_open(&p, u1, 1, t1);
    cJSON *pub2 = open_and_wait(&p, &c, u2, 1, t2, 150);
    size_t c1 = 0;
    expect_done(&p, &c1, u1, 1);
    /* with incremental sets, collect every diagnostic of version 1 of each */
    int err1 = 0, err2 = 0;
    const char *ax1 = NULL, *ax2 = NULL;
    for (size_t i = 0; i < p.n; i++) {
        if (!msg_matches(p.msg[i], "textDocument/publishDiagnostics", NULL))
            continue;
        const char *u = jstr(p.msg[i], "params.uri");
        bool one = u && strcmp(u, u1) == 0;
        cJSON *d;
        cJSON_ArrayForEach(d, jget(p.msg[i], "params.diagnostics")) {
            if (jint(d, "severity") == 1)
                (*(one ? &err1 : &err2))++;
            if (jint(d, "severity") == 3)
                *(one ? &ax1 : &ax2) = jstr(d, "message");
        }
    }
    ok(pub2 != NULL, "shadows: the second shadow answered its waitForDiagnostics");
    is_int(err1, 0, "shadow1 (simp): accepted, no error");
    is_int(err2, 1, "shadow2 (rfl): rejected, one error");
    is_str(ax1, "'target' does not depend on any axioms", "shadow1: clean axioms");
    is_str(ax2, "'target' depends on axioms: [sorryAx]", "shadow2: sorryAx");

    /* tail-only edits of shadow2: versions 2..6, sent back to back, the last one is `simp` */
    static const char *const cands[] = {"omega", "exact?", "decide", "sorry", "simp"};
    char *cur = t2;
    for (int v = 2; v <= 6; v++) {
        int line = line_of(cur, "  ");
        int end_line = 0, end_ch = 0;
        for (const char *q = cur; *q; q++) {
            if (*q == '\n')
                end_line++, end_ch = 0;
            else
                end_ch++;
        }
        char *next = shadow_text(cands[v - 2]);
        char *tail = json_string(next + strlen(shadow_head));
        peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                       "\"textDocument\":{\"uri\":\"%s\",\"version\":%d},\"contentChanges\":[{"
                       "\"range\":{\"start\":{\"line\":%d,\"character\":0},\"end\":{\"line\":%d,"
                       "\"character\":%d}},\"text\":%s}]}}",
                   u2, v, line, end_line, end_ch, tail);
        free(tail);
        free(cur);
        cur = next;
    }
    free(cur);
    peer_sendf(&p, "{\"jsonrpc\":\"2.0\",\"id\":151,\"method\":\"textDocument/waitForDiagnostics\","
                   "\"params\":{\"uri\":\"%s\",\"version\":6}}", u2);
    cJSON *w = peer_expect(&p, &c, NULL, "151", WAIT_MS);
    ok(w && cJSON_IsObject(jget(w, "result")), "tail edits: waitForDiagnostics v6 answered");
    cJSON *first6 = NULL;
    int err6 = 0, all6 = 0;
    const char *ax6 = NULL;
    for (size_t i = 0; i < p.n; i++) {
        const char *u = jstr(p.msg[i], "params.uri");
        if (!msg_matches(p.msg[i], "textDocument/publishDiagnostics", NULL) || !u ||
            strcmp(u, u2) != 0 || jint(p.msg[i], "params.version") != 6)
            continue;
        if (!first6)
            first6 = p.msg[i];
        err6 += count_severity(p.msg[i], 1);
        all6 += jsize(p.msg[i], "params.diagnostics");
        cJSON *d = diag_at(p.msg[i], 3, 3);
        if (d)
            ax6 = jstr(d, "message");
    }
    ok(first6 && peer_index(&p, first6) < peer_index(&p, w),
       "tail edits: v6 diagnostics published before the wait reply");
    is_int(err6, 0, "tail edits: the final candidate (simp) is accepted");
    is_str(ax6, "'target' does not depend on any axioms", "tail edits: axioms of v6");
    is_int(all6, 1, "tail edits: v6 has just the #print info (each edit replaced the tail)");
    ok(last_publish(&p, u1, 2) == NULL, "shadow1 untouched by shadow2's edits");
    peer_finish(&p);
    free(t1);
}

static void
test_max_open(void)
{
    struct peer p;
    size_t c = 0;
    peer_start(&p, "--chunks 1 --max-open 1");
    peer_init(&p, NULL);
    cJSON *a = open_and_wait(&p, &c, "file:///p/A.lean", 1, "theorem a : True := sorry\n", 160);
    is_int(jsize(a, "params.diagnostics"), 1, "max-open: the first file is elaborated");
    peer_open(&p, "file:///p/B.lean", 1, "theorem b : True := sorry\n\n");
    size_t c2 = c;
    cJSON *b = expect_publish(&p, &c2, "file:///p/B.lean", 1);
    is_int(jsize(b, "params.diagnostics"), 1, "max-open: the second file gets one diagnostic");
    is_str(jstr(b, "params.diagnostics.0.message"),
           "could not start a file worker: 1 files are already open (fake_lean --max-open 1)",
           "max-open: the error text");
    is_int(jint(b, "params.diagnostics.0.severity"), 1, "max-open: an error");
    is_str(range_str(b, "params.diagnostics.0.range"), "0:0-1:0", "max-open: on line 0");
    bool fatal = false;
    for (size_t i = 0; i < p.n; i++)
        if (msg_matches(p.msg[i], "$/lean/fileProgress", NULL) &&
            jint(p.msg[i], "params.processing.0.kind") == 2 &&
            strcmp(jstr(p.msg[i], "params.textDocument.uri"), "file:///p/B.lean") == 0)
            fatal = true;
    ok(fatal, "max-open: fileProgress kind 2 for the refused file");
    cJSON *h = plain_goal(&p, &c, "file:///p/B.lean", 0, 0, 161);
    is_int(jint(h, "error.code"), -32901, "max-open: its requests fail with -32901");
    is_str(jstr(h, "error.message"),
           "Server process for file:///p/B.lean crashed, see stderr for exception.",
           "max-open: the worker-exited message");
    char *err = peer_stderr(&p);
    is_contains(err, "[file:///p/B.lean] fake_lean: could not start a file worker",
                "max-open: logged on stderr");
    free(err);
    /* a free slot: the next didChange starts the worker */
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didClose\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/A.lean\"}}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":{"
                  "\"textDocument\":{\"uri\":\"file:///p/B.lean\",\"version\":2},"
                  "\"contentChanges\":[{\"range\":{\"start\":{\"line\":1,\"character\":0},"
                  "\"end\":{\"line\":1,\"character\":0}},\"text\":\"-- retry\"}]}}");
    peer_send(&p, "{\"jsonrpc\":\"2.0\",\"id\":162,\"method\":\"textDocument/waitForDiagnostics\","
                  "\"params\":{\"uri\":\"file:///p/B.lean\",\"version\":2}}");
    ok(peer_expect(&p, &c, NULL, "162", WAIT_MS) != NULL, "max-open: restarted after a slot freed");
    b = last_publish(&p, "file:///p/B.lean", 2);
    is_str(jstr(b, "params.diagnostics.0.message"), "declaration uses `sorry`",
           "max-open: then elaborated normally");
    peer_finish(&p);
}

int
main(void)
{
    fake_bin = getenv("FAKE_LEAN_BIN");
    if (!fake_bin || access(fake_bin, X_OK) != 0) {
        skip("fake_lean tests", "FAKE_LEAN_BIN not set or not executable");
        return done_testing();
    }
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_initialize();
    test_sorry_styles();
    test_markers();
    test_incremental();
    test_wait_and_changes();
    test_crlf_and_framing();
    test_code_actions();
    test_rpc_and_errors();
    test_watchdog_deaths();
    test_crash_modes();
    test_timing_options();
    test_worker_crash();
    test_imports_and_stale();
    test_judge_proofs();
    test_judge_goals();
    test_judge_try_this();
    test_print_axioms();
    test_print_axioms_namespaces();
    test_shadow_documents();
    test_max_open();
    rmdir(tmpdir);
    return done_testing();
}
