/*
 * test_fake_llm.c: talks HTTP to build/<variant>/fake_llm (env FAKE_LLM_BIN) over plain
 * sockets and checks the bytes it sends: the OpenAI and Anthropic shapes (whole and
 * streamed), HTTP framing (keep-alive, pipelining, chunked bodies, 100-continue, 400/431
 * and the other refusals), script selection, timing (delays, stalls, early closes), the
 * record file and the /_fake/ control endpoints.
 *
 * Self-contained on purpose: its own HTTP response reader and SSE splitter (no src/ code,
 * no libcurl), so that neither the proxy's client nor the fake can hide a framing bug.
 * Each fake runs in its own process and temporary directory, stderr to a file that must
 * stay empty; with VALGRIND=1 the fake runs under valgrind (exit 99 on an error or leak).
 */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static int scale = 1;            /* timeouts grow under valgrind */
#define WAIT_MS (5000 * scale)   /* generous upper bound for anything that should come */

static const char *fake_bin;
static char tmpdir[] = "/tmp/test_fake_llm.XXXXXX";

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
    void *q = realloc(p, n ? n : 1);
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
    size_t len = 0;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        s = xrealloc(s, len + n + 1);
        memcpy(s + len, buf, n);
        len += n;
    }
    fclose(f);
    if (!s)
        return strdup("");
    s[len] = '\0';
    return s;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

/* JSON path lookup: "choices.0.delta.content". */
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
    return cJSON_IsArray(v) || cJSON_IsObject(v) ? cJSON_GetArraySize(v) : -1;
}

/* True when s[0..n) is complete, well-formed UTF-8 (no cut sequence at either end). */
static bool
utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (k == 0 || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

static const char *
find_bytes(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static int
count_substr(const char *hay, size_t n, const char *needle)
{
    int k = 0;
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= n; i++)
        if (memcmp(hay + i, needle, nl) == 0)
            k++;
    return k;
}

/* ---- the fake as a process --------------------------------------------------------------- */

struct fake {
    pid_t pid;
    int port;
    char *dir;
    char *port_file, *record, *script, *pid_file, *errpath;
    bool reaped;
    int status;
};

static int fake_seq;

/* Exit status: code, or 128+signal, or -1 while still running after timeout_ms. */
static int
fake_wait(struct fake *f, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (!f->reaped) {
        pid_t r = waitpid(f->pid, &f->status, WNOHANG);
        if (r == f->pid) {
            f->reaped = true;
            break;
        }
        if (now_ms() > deadline)
            return -1;
        usleep(2000);
    }
    if (WIFEXITED(f->status))
        return WEXITSTATUS(f->status);
    if (WIFSIGNALED(f->status))
        return 128 + WTERMSIG(f->status);
    return -1;
}

/* Spawns the fake with its files in a directory of its own; script (JSONL text) may be
 * NULL (no --script). Does not wait for the port. */
static void
fake_spawn(struct fake *f, const char *script)
{
    memset(f, 0, sizeof *f);
    f->dir = xasprintf("%s/f%d", tmpdir, ++fake_seq);
    mkdir(f->dir, 0755);
    f->port_file = xasprintf("%s/port", f->dir);
    f->record = xasprintf("%s/record.jsonl", f->dir);
    f->script = xasprintf("%s/script.jsonl", f->dir);
    f->pid_file = xasprintf("%s/pid", f->dir);
    f->errpath = xasprintf("%s/stderr", f->dir);
    if (script)
        write_file(f->script, script);
    const char *argv[24];
    int n = 0;
    if (scale > 1) {
        argv[n++] = "valgrind";
        argv[n++] = "-q";
        argv[n++] = "--error-exitcode=99";
        argv[n++] = "--leak-check=full";
        argv[n++] = "--errors-for-leak-kinds=definite,indirect";
    }
    argv[n++] = fake_bin;
    argv[n++] = "--port-file";
    argv[n++] = f->port_file;
    argv[n++] = "--record";
    argv[n++] = f->record;
    argv[n++] = "--pid-file";
    argv[n++] = f->pid_file;
    if (script) {
        argv[n++] = "--script";
        argv[n++] = f->script;
    }
    argv[n] = NULL;
    f->pid = fork();
    if (f->pid == 0) {
        int err = open(f->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err, 2);
        if (scale > 1)
            execvp(argv[0], (char *const *)argv);
        else
            execv(fake_bin, (char *const *)argv);
        _exit(127);
    }
}

/* Spawns the fake and waits for its port file. Returns false (with a diagnostic) if it
 * died or never wrote it. */
static bool
fake_start(struct fake *f, const char *script)
{
    fake_spawn(f, script);
    long long deadline = now_ms() + WAIT_MS;
    while (now_ms() < deadline) {
        char *p = read_file(f->port_file);
        int port = atoi(p);
        bool full = strchr(p, '\n') != NULL;
        free(p);
        if (port > 0 && full) {
            f->port = port;
            return true;
        }
        if (fake_wait(f, 0) >= 0)
            break;
        usleep(2000);
    }
    char *err = read_file(f->errpath);
    diag("fake_llm did not start: %s", err);
    free(err);
    return false;
}

static void
fake_cleanup(struct fake *f)
{
    const char *files[] = {f->port_file, f->record, f->script, f->pid_file, f->errpath};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        unlink(files[i]);
        free((char *)files[i]);
    }
    rmdir(f->dir);
    free(f->dir);
}

/* SIGTERM (or sig); checks exit 0 (valgrind: 99 on an error or leak) and an empty stderr. */
static void
fake_stop_sig(struct fake *f, int sig, const char *label)
{
    if (!f->reaped)
        kill(f->pid, sig);
    int rc = fake_wait(f, WAIT_MS * 2);
    if (rc < 0) {
        kill(f->pid, SIGKILL);
        fake_wait(f, WAIT_MS);
    }
    is_int(rc, 0, "%s: the fake exits 0 on %s", label, sig == SIGINT ? "SIGINT" : "SIGTERM");
    char *err = read_file(f->errpath);
    is_str(err, "", "%s: nothing on the fake's stderr (sanitizers, valgrind)", label);
    free(err);
    fake_cleanup(f);
}

static void
fake_stop(struct fake *f, const char *label)
{
    fake_stop_sig(f, SIGTERM, label);
}

/* The record file's lines, parsed (NULL-terminated array; free with lines_free). */
static cJSON **
record_lines(const struct fake *f, int *count)
{
    char *text = read_file(f->record);
    cJSON **v = NULL;
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        v = xrealloc(v, (size_t)(n + 2) * sizeof *v);
        v[n++] = cJSON_Parse(line);
    }
    v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
    v[n] = NULL;
    free(text);
    *count = n;
    return v;
}

static void
lines_free(cJSON **v)
{
    for (int i = 0; v[i]; i++)
        cJSON_Delete(v[i]);
    free(v);
}

/* ---- a client connection ------------------------------------------------------------------ */

struct conn {
    int fd;
    char *buf; /* received, not yet taken */
    size_t len;
    bool eof;
};

static void
conn_open(struct conn *c, int port)
{
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
        diag("connect to port %d: %s", port, strerror(errno));
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->len = 0;
}

static void
conn_send(struct conn *c, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c->fd, data, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return; /* the fake closed; the checks will notice */
        data += w;
        n -= (size_t)w;
    }
}

static void
conn_sends(struct conn *c, const char *s)
{
    conn_send(c, s, strlen(s));
}

/* Waits up to timeout_ms for bytes; appends what one read() returns. False on timeout. */
static bool
conn_fill(struct conn *c, int timeout_ms)
{
    if (c->eof)
        return false;
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms) <= 0)
        return false;
    char tmp[65536];
    ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
        c->eof = true;
        return n == 0 ? true : false;
    }
    c->buf = xrealloc(c->buf, c->len + (size_t)n + 1);
    memcpy(c->buf + c->len, tmp, (size_t)n);
    c->len += (size_t)n;
    c->buf[c->len] = '\0';
    return true;
}

/* Reads until the peer is silent for quiet_ms (or EOF, or WAIT_MS in all). */
static void
conn_drain(struct conn *c, int quiet_ms)
{
    long long end = now_ms() + WAIT_MS;
    while (!c->eof && now_ms() < end && conn_fill(c, quiet_ms))
        ;
}

/* Waits for EOF up to timeout_ms; true when the peer closed. */
static bool
conn_wait_eof(struct conn *c, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    while (!c->eof && now_ms() < end)
        conn_fill(c, (int)(end - now_ms()));
    return c->eof;
}

/* ---- HTTP responses, read independently of the fake's code ---------------------------------- */

struct resp {
    int status;
    char *head;        /* status line and header lines, without the empty line */
    char *body;        /* decoded body (NUL-terminated) */
    size_t body_len;
    size_t wire_len;   /* body bytes on the wire (chunk framing included) */
    bool chunked;
};

static void
resp_free(struct resp *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* The value of header name (case-insensitive), in a static buffer, or NULL. */
static const char *
resp_header(const struct resp *r, const char *name)
{
    static char val[4][1024];
    static int k;
    size_t nl = strlen(name);
    if (!r->head)
        return NULL;
    for (const char *l = strstr(r->head, "\r\n"); l; l = strstr(l, "\r\n")) {
        l += 2;
        if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r");
            char *out = val[k++ % 4];
            snprintf(out, sizeof val[0], "%.*s", (int)vl, v);
            return out;
        }
    }
    return NULL;
}

/* Decodes a chunked body at in[0..n): 1 complete (*used bytes), 0 incomplete, -1 malformed. */
static int
dechunk(const char *in, size_t n, char **out, size_t *out_len, size_t *used)
{
    size_t pos = 0, len = 0;
    char *body = NULL;
    for (;;) {
        const char *crlf = find_bytes(in + pos, n - pos, "\r\n", 2);
        if (!crlf)
            goto incomplete;
        char *end;
        unsigned long size = strtoul(in + pos, &end, 16);
        if (end != crlf || end == in + pos)
            goto bad;
        pos = (size_t)(crlf - in) + 2;
        if (n - pos < size + 2)
            goto incomplete;
        if (memcmp(in + pos + size, "\r\n", 2) != 0)
            goto bad;
        body = xrealloc(body, len + size + 1);
        memcpy(body + len, in + pos, size);
        len += size;
        body[len] = '\0';
        pos += size + 2;
        if (size == 0) {
            *out = body;
            *out_len = len;
            *used = pos;
            return 1;
        }
    }
incomplete:
    free(body);
    return 0;
bad:
    free(body);
    return -1;
}

/* Takes one complete response from the front of in[0..n): 1 (and *used), 0, -1 malformed. */
static int
resp_parse(const char *in, size_t n, struct resp *r, size_t *used)
{
    memset(r, 0, sizeof *r);
    const char *hend = find_bytes(in, n, "\r\n\r\n", 4);
    if (!hend)
        return 0;
    if (n < 12 || memcmp(in, "HTTP/1.1 ", 9) != 0)
        return -1;
    r->status = atoi(in + 9);
    r->head = strndup(in, (size_t)(hend - in));
    size_t start = (size_t)(hend - in) + 4;
    const char *cl = resp_header(r, "Content-Length");
    const char *te = resp_header(r, "Transfer-Encoding");
    if (r->status == 100 && !cl && !te) {
        r->body = strdup("");
        *used = start;
        return 1;
    }
    if (te && strcmp(te, "chunked") == 0 && !cl) {
        size_t u;
        int d = dechunk(in + start, n - start, &r->body, &r->body_len, &u);
        if (d <= 0) {
            resp_free(r);
            return d;
        }
        r->chunked = true;
        r->wire_len = u;
        *used = start + u;
        return 1;
    }
    if (!cl || te) {
        resp_free(r);
        return -1;
    }
    size_t len = (size_t)strtoul(cl, NULL, 10);
    if (n - start < len) {
        resp_free(r);
        return 0;
    }
    r->body = strndup(in + start, len);
    r->body_len = len;
    r->wire_len = len;
    *used = start + len;
    return 1;
}

/* Reads one whole response: 1, 0 on timeout or EOF before it was complete, -1 malformed. */
static int
conn_response(struct conn *c, struct resp *r, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    for (;;) {
        size_t used = 0;
        int p = c->len ? resp_parse(c->buf, c->len, r, &used) : 0;
        if (p == 1) {
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            return 1;
        }
        if (p < 0) {
            diag("malformed response: %.200s", c->buf);
            return -1;
        }
        if (c->eof || now_ms() >= end)
            return 0;
        conn_fill(c, (int)(end - now_ms()));
    }
}

/* The text of a request with Host and Content-Length; extra: header lines with CRLFs. */
static char *
request_text(const char *method, const char *path, const char *extra, const char *body)
{
    return xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %zu\r\n\r\n%s",
                     method, path, extra ? extra : "", strlen(body ? body : ""),
                     body ? body : "");
}

/* One request on a fresh connection; fills *r (status 0 when no response came). */
static void
exchange(int port, const char *method, const char *path, const char *extra, const char *body,
         struct resp *r)
{
    struct conn c;
    conn_open(&c, port);
    char *req = request_text(method, path, extra, body);
    conn_sends(&c, req);
    free(req);
    if (conn_response(&c, r, WAIT_MS) != 1)
        memset(r, 0, sizeof *r);
    conn_close(&c);
}

/* POST path with body; returns the reply body parsed (caller deletes), *r filled. */
static cJSON *
post_json(int port, const char *path, const char *body, struct resp *r)
{
    exchange(port, "POST", path, "Content-Type: application/json\r\n", body, r);
    return r->body ? cJSON_Parse(r->body) : NULL;
}

/* ---- server-sent events --------------------------------------------------------------------- */

#define SSE_MAX 64

struct sse {
    int n;
    char *type[SSE_MAX]; /* the `event:` field, NULL without one */
    char *data[SSE_MAX];
    cJSON *json[SSE_MAX]; /* data parsed, NULL when not JSON */
    bool bad;             /* a line that is neither event: nor data:, or a missing data: */
};

/* Splits a stream body into events (blocks ended by an empty line; LF line ends). */
static void
sse_parse(const char *body, struct sse *s)
{
    memset(s, 0, sizeof *s);
    const char *p = body;
    while (*p && s->n < SSE_MAX) {
        const char *end = strstr(p, "\n\n");
        if (!end) {
            s->bad = true; /* an unterminated event */
            break;
        }
        char *block = strndup(p, (size_t)(end - p));
        int i = s->n++;
        for (char *line = strtok(block, "\n"); line; line = strtok(NULL, "\n")) {
            if (strncmp(line, "event: ", 7) == 0 && !s->type[i])
                s->type[i] = strdup(line + 7);
            else if (strncmp(line, "data: ", 6) == 0 && !s->data[i])
                s->data[i] = strdup(line + 6);
            else
                s->bad = true;
        }
        free(block);
        if (!s->data[i]) {
            s->bad = true;
            s->data[i] = strdup("");
        }
        s->json[i] = cJSON_Parse(s->data[i]);
        p = end + 2;
    }
}

static void
sse_free(struct sse *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->type[i]);
        free(s->data[i]);
        cJSON_Delete(s->json[i]);
    }
    memset(s, 0, sizeof *s);
}

/* ---- the tests --------------------------------------------------------------------------- */

#define START_OR_RETURN(f, script, label)                                                   \
    do {                                                                                    \
        if (!ok(fake_start((f), (script)), "%s: the fake starts", (label)))                 \
            return;                                                                         \
    } while (0)

static void
test_openai_whole(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "# a comment, then a blank line\n\n"
                    "{\"match\":\"\\\"custom\\\"\",\"content\":\"x\",\"finish\":\"length\","
                    "\"usage\":{\"in\":11,\"out\":22}}\n"
                    "{\"content\":\"Hello there, friend\",\"times\":-1}\n",
                    "openai whole");
    const char *body = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    struct resp r;
    cJSON *j = post_json(f.port, "/v1/chat/completions", body, &r);
    is_int(r.status, 200, "openai whole: 200");
    is_str(resp_header(&r, "Content-Type"), "application/json", "openai whole: JSON");
    ok(!r.chunked && resp_header(&r, "Content-Length"), "openai whole: Content-Length framing");
    is_str(jstr(j, "object"), "chat.completion", "openai whole: object chat.completion");
    ok(jstr(j, "id") && strncmp(jstr(j, "id"), "chatcmpl-", 9) == 0, "openai whole: id chatcmpl-");
    ok(jint(j, "created") > 1600000000, "openai whole: created in unix seconds");
    is_str(jstr(j, "model"), "gpt-test", "openai whole: the request's model echoed");
    is_int(jsize(j, "choices"), 1, "openai whole: one choice");
    is_int(jint(j, "choices.0.index"), 0, "openai whole: choice index 0");
    is_str(jstr(j, "choices.0.message.role"), "assistant", "openai whole: role assistant");
    is_str(jstr(j, "choices.0.message.content"), "Hello there, friend", "openai whole: content");
    is_str(jstr(j, "choices.0.finish_reason"), "stop", "openai whole: finish_reason stop");
    is_int(jint(j, "usage.prompt_tokens"), strlen(body) / 4, "openai whole: prompt_tokens = body/4");
    is_int(jint(j, "usage.completion_tokens"), 19 / 4, "openai whole: completion_tokens = content/4");
    is_int(jint(j, "usage.total_tokens"), strlen(body) / 4 + 19 / 4, "openai whole: total_tokens");
    cJSON_Delete(j);
    resp_free(&r);

    /* a base URL with a prefix, no model in the request, scripted finish and usage */
    j = post_json(f.port, "/proxy/v1/chat/completions", "{\"custom\":true}", &r);
    is_int(r.status, 200, "openai prefix path: 200");
    is_str(jstr(j, "model"), "fake-model", "openai: no model in the request -> fake-model");
    is_str(jstr(j, "choices.0.finish_reason"), "length", "openai: scripted finish");
    is_int(jint(j, "usage.prompt_tokens"), 11, "openai: scripted usage in");
    is_int(jint(j, "usage.completion_tokens"), 22, "openai: scripted usage out");
    is_int(jint(j, "usage.total_tokens"), 33, "openai: total = in + out");
    cJSON_Delete(j);
    resp_free(&r);
    fake_stop(&f, "openai whole");
}

static void
test_anthropic_whole(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"match\":\"long\",\"content\":\"cut\",\"finish\":\"max_tokens\","
                    "\"usage\":{\"out\":42}}\n"
                    "{\"content\":\"Bonjour \xc3\xa0 tous\",\"times\":-1}\n",
                    "anthropic whole");
    const char *body = "{\"model\":\"claude-test\",\"max_tokens\":100,"
                       "\"messages\":[{\"role\":\"user\",\"content\":\"salut\"}]}";
    struct resp r;
    cJSON *j = post_json(f.port, "/v1/messages", body, &r);
    is_int(r.status, 200, "anthropic whole: 200");
    is_str(resp_header(&r, "Content-Type"), "application/json", "anthropic whole: JSON");
    ok(jstr(j, "id") && strncmp(jstr(j, "id"), "msg_", 4) == 0, "anthropic whole: id msg_");
    is_str(jstr(j, "type"), "message", "anthropic whole: type message");
    is_str(jstr(j, "role"), "assistant", "anthropic whole: role assistant");
    is_str(jstr(j, "model"), "claude-test", "anthropic whole: model echoed");
    is_int(jsize(j, "content"), 1, "anthropic whole: one content block");
    is_str(jstr(j, "content.0.type"), "text", "anthropic whole: a text block");
    is_str(jstr(j, "content.0.text"), "Bonjour \xc3\xa0 tous", "anthropic whole: text");
    is_str(jstr(j, "stop_reason"), "end_turn", "anthropic whole: stop_reason end_turn");
    is_int(jint(j, "usage.input_tokens"), strlen(body) / 4, "anthropic whole: input_tokens");
    is_int(jint(j, "usage.output_tokens"), 15 / 4, "anthropic whole: output_tokens = bytes/4");
    ok(jget(j, "choices") == NULL, "anthropic whole: no OpenAI fields");
    cJSON_Delete(j);
    resp_free(&r);
    j = post_json(f.port, "/v1/messages", "{\"model\":\"c\",\"x\":\"long\"}", &r);
    is_str(jstr(j, "stop_reason"), "max_tokens", "anthropic: scripted finish");
    is_int(jint(j, "usage.output_tokens"), 42, "anthropic: scripted usage out");
    is_int(jint(j, "usage.input_tokens"), 24 / 4, "anthropic: usage in still computed");
    cJSON_Delete(j);
    resp_free(&r);
    fake_stop(&f, "anthropic whole");
}

/* Streams an OpenAI request with body; fills s and returns the reassembled content. */
static char *
openai_stream(int port, const char *body, struct sse *s, struct resp *r)
{
    exchange(port, "POST", "/v1/chat/completions", NULL, body, r);
    sse_parse(r->body ? r->body : "", s);
    size_t len = 0;
    char *text = strdup("");
    for (int i = 0; i < s->n; i++) {
        const char *piece = jstr(s->json[i], "choices.0.delta.content");
        if (!piece)
            continue;
        text = xrealloc(text, len + strlen(piece) + 1);
        memcpy(text + len, piece, strlen(piece) + 1);
        len += strlen(piece);
    }
    return text;
}

static const char utf8_content[] = "na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
                                   "\xe2\x9c\x93 \xf0\x9f\x8e\x89 ok"; /* naïve 日本語 ✓ 🎉 ok */

static void
test_openai_stream(void)
{
    struct fake f;
    char *script = xasprintf("{\"match\":\"tiny\",\"content\":\"\xe6\x97\xa5\xe6\x9c\xac\","
                             "\"chunks\":4,\"times\":-1}\n"
                             "{\"content\":\"%s\",\"chunks\":5,\"times\":-1}\n",
                             utf8_content);
    START_OR_RETURN(&f, script, "openai stream");
    free(script);
    const char *body = "{\"model\":\"gpt-s\",\"stream\":true,\"messages\":[]}";
    struct sse s;
    struct resp r;
    char *text = openai_stream(f.port, body, &s, &r);
    is_int(r.status, 200, "openai stream: 200");
    is_str(resp_header(&r, "Content-Type"), "text/event-stream", "openai stream: event-stream");
    ok(r.chunked, "openai stream: chunked transfer encoding");
    ok(!s.bad, "openai stream: only data: lines, every event ended by an empty line");
    is_int(s.n, 7, "openai stream: 5 deltas + finish chunk + [DONE]");
    is_str(s.n ? s.data[s.n - 1] : NULL, "[DONE]", "openai stream: ends with data: [DONE]");
    bool shapes = s.n == 7, no_usage = true, no_event_field = true, valid = true, same_id = true;
    int deltas = 0;
    for (int i = 0; i < s.n - 1; i++) {
        const cJSON *c = s.json[i];
        shapes = shapes && jstr(c, "object") && strcmp(jstr(c, "object"), "chat.completion.chunk") == 0 &&
                 jstr(c, "model") && strcmp(jstr(c, "model"), "gpt-s") == 0 &&
                 jint(c, "created") > 1600000000 && jint(c, "choices.0.index") == 0;
        same_id = same_id && jstr(c, "id") && jstr(s.json[0], "id") &&
                  strcmp(jstr(c, "id"), jstr(s.json[0], "id")) == 0;
        no_usage = no_usage && jget(c, "usage") == NULL;
        no_event_field = no_event_field && s.type[i] == NULL;
        const char *piece = jstr(c, "choices.0.delta.content");
        if (piece) {
            deltas++;
            valid = valid && *piece && utf8_valid(piece, strlen(piece));
            shapes = shapes && cJSON_IsNull(jget(c, "choices.0.finish_reason"));
        }
    }
    ok(shapes, "openai stream: chat.completion.chunk objects with model, created, index");
    ok(same_id, "openai stream: one id for every chunk");
    ok(no_event_field, "openai stream: no event: lines");
    is_int(deltas, 5, "openai stream: chunks 5 -> 5 content deltas");
    ok(valid, "openai stream: every delta is non-empty whole UTF-8 (no cut sequence)");
    is_str(text, utf8_content, "openai stream: the deltas reassemble the content");
    is_str(jstr(s.json[0], "choices.0.delta.role"), "assistant", "openai stream: first delta has role");
    ok(s.n > 1 && jget(s.json[1], "choices.0.delta.role") == NULL, "openai stream: later deltas have none");
    is_int(s.n >= 2 ? jsize(s.json[s.n - 2], "choices.0.delta") : -1, 0,
           "openai stream: the finish chunk has an empty delta");
    is_str(s.n >= 2 ? jstr(s.json[s.n - 2], "choices.0.finish_reason") : NULL, "stop",
           "openai stream: finish_reason stop");
    ok(no_usage, "openai stream without include_usage: no usage anywhere");
    free(text);
    sse_free(&s);
    resp_free(&r);

    /* include_usage true: a usage chunk (choices []) before [DONE], usage null elsewhere */
    const char *ubody = "{\"model\":\"gpt-s\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    text = openai_stream(f.port, ubody, &s, &r);
    is_int(s.n, 8, "include_usage: one more event");
    const cJSON *u = s.n >= 2 ? s.json[s.n - 2] : NULL;
    is_int(jsize(u, "choices"), 0, "include_usage: usage chunk has choices []");
    is_str(jstr(u, "object"), "chat.completion.chunk", "include_usage: usage chunk is a chunk");
    is_int(jint(u, "usage.prompt_tokens"), strlen(ubody) / 4, "include_usage: prompt_tokens");
    is_int(jint(u, "usage.completion_tokens"), strlen(utf8_content) / 4,
           "include_usage: completion_tokens");
    is_int(jint(u, "usage.total_tokens"), strlen(ubody) / 4 + strlen(utf8_content) / 4,
           "include_usage: total_tokens");
    bool nulls = true;
    for (int i = 0; i < s.n - 2; i++)
        nulls = nulls && cJSON_IsNull(jget(s.json[i], "usage"));
    ok(nulls, "include_usage: \"usage\":null in every other chunk");
    is_str(s.n ? s.data[s.n - 1] : NULL, "[DONE]", "include_usage: [DONE] still last");
    is_str(text, utf8_content, "include_usage: same content");
    free(text);
    sse_free(&s);
    resp_free(&r);

    text = openai_stream(f.port, "{\"stream\":true,\"stream_options\":{\"include_usage\":false}}",
                         &s, &r);
    is_int(s.n, 7, "include_usage false: no usage chunk");
    free(text);
    sse_free(&s);
    resp_free(&r);

    /* more chunks than code points: one delta a code point, never a cut */
    text = openai_stream(f.port, "{\"stream\":true,\"x\":\"tiny\"}", &s, &r);
    is_int(s.n, 4, "2 code points, chunks 4: 2 deltas + finish + [DONE]");
    is_str(s.n > 1 ? jstr(s.json[1], "choices.0.delta.content") : NULL, "\xe6\x9c\xac",
           "2 code points: the second delta is the second code point");
    is_str(text, "\xe6\x97\xa5\xe6\x9c\xac", "2 code points: reassembled");
    free(text);
    sse_free(&s);
    resp_free(&r);
    fake_stop(&f, "openai stream");
}

static void
test_anthropic_stream(void)
{
    static const char content[] = "Gr\xc3\xbc\xc3\x9f" "e, \xe4\xb8\x96\xe7\x95\x8c! \xf0\x9f\x91\x8b";
    struct fake f;
    char *script = xasprintf("{\"match\":\"scripted\",\"content\":\"ab\",\"finish\":\"max_tokens\","
                             "\"usage\":{\"in\":5,\"out\":42}}\n"
                             "{\"content\":\"%s\",\"chunks\":4,\"times\":-1}\n",
                             content);
    START_OR_RETURN(&f, script, "anthropic stream");
    free(script);
    const char *body = "{\"model\":\"claude-s\",\"stream\":true,\"max_tokens\":10}";
    struct resp r;
    exchange(f.port, "POST", "/v1/messages", NULL, body, &r);
    struct sse s;
    sse_parse(r.body ? r.body : "", &s);
    is_int(r.status, 200, "anthropic stream: 200");
    is_str(resp_header(&r, "Content-Type"), "text/event-stream", "anthropic stream: event-stream");
    ok(r.chunked, "anthropic stream: chunked");
    ok(!s.bad, "anthropic stream: well-formed events");
    static const char *const want[] = {
        "message_start",       "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_delta", "content_block_stop",  "message_delta",
        "message_stop"};
    struct flm_seq {
        char text[512];
    } seq = {""}, exp = {""};
    for (int i = 0; i < s.n; i++)
        snprintf(seq.text + strlen(seq.text), sizeof seq.text - strlen(seq.text), "%s%s",
                 i ? "," : "", s.type[i] ? s.type[i] : "(none)");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        snprintf(exp.text + strlen(exp.text), sizeof exp.text - strlen(exp.text), "%s%s",
                 i ? "," : "", want[i]);
    is_str(seq.text, exp.text, "anthropic stream: the event sequence");
    bool typed = true;
    for (int i = 0; i < s.n; i++)
        typed = typed && s.type[i] && jstr(s.json[i], "type") &&
                strcmp(s.type[i], jstr(s.json[i], "type")) == 0;
    ok(typed, "anthropic stream: each data.type equals its event: name");
    const cJSON *ms = s.n > 0 ? s.json[0] : NULL;
    is_str(jstr(ms, "message.type"), "message", "message_start: a message");
    is_str(jstr(ms, "message.role"), "assistant", "message_start: role");
    is_str(jstr(ms, "message.model"), "claude-s", "message_start: model echoed");
    is_int(jsize(ms, "message.content"), 0, "message_start: empty content");
    is_int(jint(ms, "message.usage.input_tokens"), strlen(body) / 4, "message_start: input_tokens");
    ok(ms && cJSON_IsNull(jget(ms, "message.stop_reason")), "message_start: stop_reason null");
    const cJSON *bs = s.n > 1 ? s.json[1] : NULL;
    is_int(jint(bs, "index"), 0, "content_block_start: index 0");
    is_str(jstr(bs, "content_block.type"), "text", "content_block_start: a text block");
    is_str(jstr(bs, "content_block.text"), "", "content_block_start: empty text");
    char text[256] = "";
    bool valid = true;
    for (int i = 0; i < s.n; i++) {
        if (!s.type[i] || strcmp(s.type[i], "content_block_delta") != 0)
            continue;
        const char *t = jstr(s.json[i], "delta.text");
        valid = valid && t && *t && utf8_valid(t, strlen(t)) &&
                jstr(s.json[i], "delta.type") && strcmp(jstr(s.json[i], "delta.type"), "text_delta") == 0 &&
                jint(s.json[i], "index") == 0;
        if (t)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s", t);
    }
    ok(valid, "content_block_delta: text_delta pieces of whole UTF-8");
    is_str(text, content, "anthropic stream: the deltas reassemble the content");
    const cJSON *md = s.n >= 2 ? s.json[s.n - 2] : NULL;
    is_str(jstr(md, "delta.stop_reason"), "end_turn", "message_delta: stop_reason end_turn");
    is_int(jint(md, "usage.output_tokens"), strlen(content) / 4, "message_delta: output_tokens");
    sse_free(&s);
    resp_free(&r);

    exchange(f.port, "POST", "/v1/messages", NULL, "{\"stream\":true,\"scripted\":1}", &r);
    sse_parse(r.body ? r.body : "", &s);
    md = s.n >= 2 ? s.json[s.n - 2] : NULL;
    is_str(jstr(md, "delta.stop_reason"), "max_tokens", "anthropic stream: scripted finish");
    is_int(jint(md, "usage.output_tokens"), 42, "anthropic stream: scripted output tokens");
    is_int(s.n ? jint(s.json[0], "message.usage.input_tokens") : -1, 5,
           "anthropic stream: scripted input tokens");
    is_int(s.n, 8, "anthropic, 2 code points, chunks 3: 2 deltas among 8 events");
    sse_free(&s);
    resp_free(&r);
    fake_stop(&f, "anthropic stream");
}

static void
test_stream_override(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"match\":\"AAA\",\"stream\":false,\"content\":\"whole\"}\n"
                    "{\"match\":\"BBB\",\"stream\":true,\"content\":\"sse\"}\n",
                    "stream override");
    struct resp r;
    cJSON *j = post_json(f.port, "/v1/chat/completions", "{\"stream\":true,\"x\":\"AAA\"}", &r);
    ok(!r.chunked, "stream:false entry: a whole reply although the request streams");
    is_str(jstr(j, "choices.0.message.content"), "whole", "stream:false entry: chat.completion");
    cJSON_Delete(j);
    resp_free(&r);
    struct sse s;
    char *text = openai_stream(f.port, "{\"x\":\"BBB\"}", &s, &r);
    ok(r.chunked, "stream:true entry: streamed although the request does not ask");
    is_str(text, "sse", "stream:true entry: content in deltas");
    is_str(s.n ? s.data[s.n - 1] : NULL, "[DONE]", "stream:true entry: [DONE]");
    free(text);
    sse_free(&s);
    resp_free(&r);
    fake_stop(&f, "stream override");
}

/* GET /_fake/stats on a fresh connection; *open gets open_connections. Returns requests. */
static long long
stats(int port, long long *open)
{
    struct resp r;
    exchange(port, "GET", "/_fake/stats", NULL, NULL, &r);
    cJSON *j = r.body ? cJSON_Parse(r.body) : NULL;
    long long n = jint(j, "requests");
    if (open)
        *open = jint(j, "open_connections");
    cJSON_Delete(j);
    resp_free(&r);
    return n;
}

/* Polls the stats until open_connections == want (or WAIT_MS); returns the last value. */
static long long
wait_open(int port, long long want)
{
    long long open = -1, end = now_ms() + WAIT_MS;
    do {
        stats(port, &open);
        if (open == want)
            break;
        usleep(10000);
    } while (now_ms() < end);
    return open;
}

static void
test_keep_alive(void)
{
    struct fake f;
    START_OR_RETURN(&f, "{\"content\":\"again\",\"times\":-1}\n", "keep-alive");
    struct conn c;
    conn_open(&c, f.port);
    char *req = request_text("POST", "/v1/chat/completions", NULL, "{\"model\":\"m\"}");
    struct resp r1, r2, r3, r4;
    conn_sends(&c, req);
    is_int(conn_response(&c, &r1, WAIT_MS), 1, "keep-alive: first response");
    is_str(resp_header(&r1, "Connection"), "keep-alive", "keep-alive: Connection: keep-alive");
    conn_sends(&c, req);
    is_int(conn_response(&c, &r2, WAIT_MS), 1, "keep-alive: second request, same connection");
    is_int(r2.status, 200, "keep-alive: second 200");
    ok(!c.eof, "keep-alive: the connection stays open");
    /* pipelined: two requests in one write, answered in order */
    char *two = xasprintf("%s%s", req, req);
    conn_sends(&c, two);
    free(two);
    is_int(conn_response(&c, &r3, WAIT_MS), 1, "pipelined: first answer");
    is_int(conn_response(&c, &r4, WAIT_MS), 1, "pipelined: second answer");
    cJSON *j3 = cJSON_Parse(r3.body ? r3.body : ""), *j4 = cJSON_Parse(r4.body ? r4.body : "");
    is_str(jstr(j3, "id"), "chatcmpl-fake-3", "pipelined: answered in order (3)");
    is_str(jstr(j4, "id"), "chatcmpl-fake-4", "pipelined: answered in order (4)");
    cJSON_Delete(j3);
    cJSON_Delete(j4);
    long long open = 0;
    is_int(stats(f.port, &open), 4, "keep-alive: 4 requests counted");
    is_int(open, 2, "keep-alive: the kept connection and the stats one are open");
    /* Connection: close -> answered, then closed */
    char *last = request_text("POST", "/v1/chat/completions", "Connection: close\r\n", "{}");
    conn_sends(&c, last);
    free(last);
    struct resp r5;
    is_int(conn_response(&c, &r5, WAIT_MS), 1, "Connection: close: answered");
    is_str(resp_header(&r5, "Connection"), "close", "Connection: close: echoed");
    long long t0 = now_ms();
    ok(conn_wait_eof(&c, WAIT_MS), "Connection: close: the fake closes after the reply");
    ok(now_ms() - t0 < 500 * scale, "Connection: close: at once (write side shut down, %lld ms)",
       now_ms() - t0);
    resp_free(&r1);
    resp_free(&r2);
    resp_free(&r3);
    resp_free(&r4);
    resp_free(&r5);
    free(req);
    conn_close(&c);
    is_int(wait_open(f.port, 1), 1, "keep-alive: closed connections are no longer counted");
    fake_stop(&f, "keep-alive");
}

static void
test_chunked_request(void)
{
    struct fake f;
    START_OR_RETURN(&f, "{\"match\":\"needle-across\",\"content\":\"found\"}\n", "chunked request");
    struct conn c;
    conn_open(&c, f.port);
    conn_sends(&c, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    /* {"model":"m","x":"needle-across"} in three chunks cut inside the matched text, one
     * with an extension, then the last chunk with a trailer field; separate writes */
    const char *parts[] = {"{\"model\":\"m\",\"x\":\"need", "le-ac", "ross\"}"};
    for (size_t i = 0; i < 3; i++) {
        char *chunk = xasprintf("%zx%s\r\n%s\r\n", strlen(parts[i]), i == 0 ? ";ext=1" : "",
                                parts[i]);
        conn_sends(&c, chunk);
        free(chunk);
        usleep(20000);
    }
    conn_sends(&c, "0\r\nX-Trailer: t\r\n\r\n");
    struct resp r;
    is_int(conn_response(&c, &r, WAIT_MS), 1, "chunked request: answered");
    is_int(r.status, 200, "chunked request: 200");
    cJSON *j = cJSON_Parse(r.body ? r.body : "");
    is_str(jstr(j, "choices.0.message.content"), "found",
           "chunked request: match sees the de-chunked body (text across chunks)");
    cJSON_Delete(j);
    resp_free(&r);
    conn_close(&c);
    int n;
    cJSON **lines = record_lines(&f, &n);
    const cJSON *rec = n >= 2 ? lines[1] : NULL;
    is_str(jstr(rec, "body.x"), "needle-across", "chunked request: record has the parsed body");
    is_str(jstr(rec, "headers.transfer-encoding"), "chunked", "chunked request: record header");
    is_int(jint(rec, "entry"), 0, "chunked request: entry 0");
    lines_free(lines);
    fake_stop(&f, "chunked request");
}

static void
test_expect_continue(void)
{
    struct fake f;
    START_OR_RETURN(&f, "{\"content\":\"after continue\",\"times\":-1}\n", "100-continue");
    struct conn c;
    conn_open(&c, f.port);
    const char *body = "{\"model\":\"m\",\"messages\":[]}";
    char *head = xasprintf("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
                           strlen(body));
    conn_sends(&c, head);
    struct resp r;
    is_int(conn_response(&c, &r, WAIT_MS), 1, "100-continue: an interim response");
    is_int(r.status, 100, "100-continue: HTTP/1.1 100 Continue before the body is sent");
    is_str(r.head, "HTTP/1.1 100 Continue", "100-continue: the bare status line");
    resp_free(&r);
    ok(!conn_fill(&c, 100), "100-continue: nothing more until the body comes");
    conn_sends(&c, body);
    is_int(conn_response(&c, &r, WAIT_MS), 1, "100-continue: the final response");
    is_int(r.status, 200, "100-continue: 200 after the body");
    is_contains(r.body, "after continue", "100-continue: the scripted reply");
    resp_free(&r);
    /* head and body in one write: the body is there already, no interim response */
    char *whole = xasprintf("%s%s", head, body);
    conn_sends(&c, whole);
    free(whole);
    is_int(conn_response(&c, &r, WAIT_MS), 1, "100-continue with the body sent: a response");
    is_int(r.status, 200, "100-continue with the body already sent: straight 200");
    resp_free(&r);
    free(head);
    conn_close(&c);
    fake_stop(&f, "100-continue");
}

static void
test_errors(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"match\":\"rate\",\"status\":429,\"headers\":{\"Retry-After\":\"7\"},"
                    "\"message\":\"Rate limit reached\",\"error_type\":\"rate_limit_error\","
                    "\"times\":-1}\n"
                    "{\"match\":\"boom\",\"status\":500,\"times\":-1}\n"
                    "{\"match\":\"overload\",\"status\":529,\"error_type\":\"overloaded_error\","
                    "\"message\":\"Overloaded\"}\n",
                    "errors");
    struct resp r;
    cJSON *j = post_json(f.port, "/v1/chat/completions", "{\"x\":\"rate\"}", &r);
    is_int(r.status, 429, "429: status");
    ok(r.head && strncmp(r.head, "HTTP/1.1 429 Too Many Requests\r\n", 32) == 0,
       "429: status line with its reason");
    is_str(resp_header(&r, "Retry-After"), "7", "429: scripted Retry-After header");
    is_str(jstr(j, "error.message"), "Rate limit reached", "429 openai: error.message");
    is_str(jstr(j, "error.type"), "rate_limit_error", "429 openai: error.type");
    ok(j && cJSON_IsNull(jget(j, "error.code")), "429 openai: error.code null");
    cJSON_Delete(j);
    resp_free(&r);
    j = post_json(f.port, "/v1/messages", "{\"x\":\"rate\"}", &r);
    is_int(r.status, 429, "429 anthropic: status");
    is_str(resp_header(&r, "Retry-After"), "7", "429 anthropic: Retry-After");
    is_str(jstr(j, "type"), "error", "429 anthropic: type error");
    is_str(jstr(j, "error.type"), "rate_limit_error", "429 anthropic: error.type");
    is_str(jstr(j, "error.message"), "Rate limit reached", "429 anthropic: error.message");
    cJSON_Delete(j);
    resp_free(&r);
    exchange(f.port, "POST", "/v1/chat/completions", NULL, "{\"x\":\"boom\"}", &r);
    is_int(r.status, 500, "500 openai: status");
    is_str(r.body, "{\"error\":{\"message\":\"scripted error\",\"type\":\"server_error\",\"code\":null}}",
           "500 openai: the default error body");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/messages", NULL, "{\"x\":\"boom\"}", &r);
    is_int(r.status, 500, "500 anthropic: status");
    is_str(r.body, "{\"type\":\"error\",\"error\":{\"type\":\"server_error\",\"message\":\"scripted error\"}}",
           "500 anthropic: the default error body");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/chat/completions", NULL, "{\"stream\":true,\"x\":\"boom\"}", &r);
    ok(!r.chunked, "error to a streaming request: not streamed");
    is_str(resp_header(&r, "Content-Type"), "application/json", "error to a stream: JSON");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/messages", NULL, "{\"x\":\"overload\"}", &r);
    ok(r.head && strncmp(r.head, "HTTP/1.1 529 Overloaded\r\n", 25) == 0, "529: Overloaded");
    is_contains(r.body, "\"overloaded_error\"", "529: scripted error_type");
    resp_free(&r);
    fake_stop(&f, "errors");
}

static void
test_raw_body(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"match\":\"garbage\",\"body\":\"data: {\\\"choices\\\":[{\\\"delta\\\":\\n\\n\","
                    "\"content_type\":\"text/event-stream\"}\n"
                    "{\"match\":\"html\",\"status\":502,\"body\":\"<html>Bad Gateway</html>\","
                    "\"content_type\":\"text/html\"}\n"
                    "{\"match\":\"json\",\"body\":\"{not json\"}\n"
                    "{\"match\":\"hdr\",\"content\":\"h\",\"headers\":{\"Content-Type\":\"application/x-odd\","
                    "\"X-Request-Id\":\"req-1\"}}\n",
                    "raw body");
    struct resp r;
    exchange(f.port, "POST", "/v1/chat/completions", NULL, "{\"x\":\"garbage\"}", &r);
    is_int(r.status, 200, "raw body: 200");
    is_str(r.body, "data: {\"choices\":[{\"delta\":\n\n", "raw body: sent as is");
    is_str(resp_header(&r, "Content-Type"), "text/event-stream", "raw body: content_type");
    ok(!r.chunked, "raw body: Content-Length framing");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/messages", NULL, "{\"x\":\"html\"}", &r);
    is_int(r.status, 502, "raw error body: 502");
    is_str(r.body, "<html>Bad Gateway</html>", "raw error body: replaces the error object");
    is_str(resp_header(&r, "Content-Type"), "text/html", "raw error body: content_type");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/messages", NULL, "{\"x\":\"json\"}", &r);
    is_str(r.body, "{not json", "raw body: default content_type ...");
    is_str(resp_header(&r, "Content-Type"), "application/json", "... application/json");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/messages", NULL, "{\"x\":\"hdr\"}", &r);
    is_str(resp_header(&r, "Content-Type"), "application/x-odd", "headers: replace Content-Type");
    is_int(count_substr(r.head, strlen(r.head ? r.head : ""), "Content-Type"), 1,
           "headers: one Content-Type only");
    is_str(resp_header(&r, "X-Request-Id"), "req-1", "headers: added");
    resp_free(&r);
    fake_stop(&f, "raw body");
}

static void
test_no_reply(void)
{
    struct fake f;
    START_OR_RETURN(&f, NULL, "no script");
    struct resp r;
    exchange(f.port, "POST", "/v1/chat/completions", NULL, "{}", &r);
    is_int(r.status, 500, "no scripted reply: 500");
    is_str(r.body, "fake_llm: no scripted reply", "no scripted reply: body");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/messages", NULL, "{}", &r);
    is_int(r.status, 500, "no scripted reply (anthropic): 500");
    is_str(r.body, "fake_llm: no scripted reply", "no scripted reply (anthropic): body");
    resp_free(&r);
    exchange(f.port, "POST", "/v1/completions", NULL, "{}", &r);
    is_int(r.status, 404, "another path: 404");
    is_str(r.body, "fake_llm: no route for /v1/completions", "another path: body");
    resp_free(&r);
    int n;
    cJSON **lines = record_lines(&f, &n);
    is_int(n, 4, "no script: every request recorded");
    ok(n == 4 && cJSON_IsNull(jget(lines[1], "entry")) && cJSON_IsNull(jget(lines[3], "entry")),
       "no script: entry null");
    lines_free(lines);
    fake_stop(&f, "no script");
}

/* The content of an OpenAI-shaped reply to path, "404"/"500" for those, or "?". */
static char *
answer(int port, const char *path, const char *body)
{
    struct resp r;
    cJSON *j = post_json(port, path, body, &r);
    char *out;
    if (r.status != 200)
        out = xasprintf("%d", r.status);
    else if (jstr(j, "choices.0.message.content"))
        out = strdup(jstr(j, "choices.0.message.content"));
    else if (jstr(j, "content.0.text"))
        out = xasprintf("anthropic:%s", jstr(j, "content.0.text"));
    else
        out = strdup("?");
    cJSON_Delete(j);
    resp_free(&r);
    return out;
}

static void
test_selection(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"match\":\"alpha\",\"content\":\"A\"}\n"                         /* 0 */
                    "{\"match\":\"beta\",\"content\":\"B\",\"times\":2}\n"              /* 1 */
                    "{\"match\":\"never\",\"content\":\"N\",\"times\":0}\n"             /* 2 */
                    "{\"path\":\"/v2/chat/completions\",\"match\":\"special\",\"content\":\"S\"}\n"
                    "{\"content\":\"D\",\"times\":-1}\n"                                /* 4 */
                    "{\"path\":\"/custom/endpoint\",\"content\":\"C\"}\n"               /* 5 */
                    "{\"path\":\"/custom/anth\",\"provider\":\"anthropic\",\"content\":\"Z\"}\n",
                    "selection");
    static const struct {
        const char *path, *body, *want;
    } steps[] = {
        {"/v1/chat/completions", "{\"x\":\"beta\"}", "B"},
        {"/v1/chat/completions", "{\"x\":\"alpha\"}", "A"},
        {"/v1/chat/completions", "{\"x\":\"alpha\"}", "D"}, /* alpha used up */
        {"/v1/chat/completions", "{\"x\":\"beta\"}", "B"},
        {"/v1/chat/completions", "{\"x\":\"beta\"}", "D"}, /* times 2 used up */
        {"/v1/chat/completions", "{\"x\":\"never\"}", "D"}, /* times 0 */
        {"/v1/chat/completions", "{\"x\":\"special\"}", "D"}, /* path differs */
        {"/v2/chat/completions", "{\"x\":\"special\"}", "S"},
        {"/custom/endpoint", "{}", "C"},                /* exact path, openai shape */
        {"/custom/endpoint", "{}", "404"},              /* used up: no route */
        {"/custom/anth", "{}", "anthropic:Z"},          /* provider override */
    };
    static const int want_entry[] = {1, 0, 4, 1, 4, 4, 4, 3, 5, -1, 6};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char *got = answer(f.port, steps[i].path, steps[i].body);
        is_str(got, steps[i].want, "selection %zu: %s %s", i + 1, steps[i].path, steps[i].body);
        free(got);
    }
    int n;
    cJSON **lines = record_lines(&f, &n);
    is_int(n, 12, "selection: start line + 11 requests recorded");
    char got[128] = "", exp[128] = "";
    for (int i = 1; i < n; i++) {
        const cJSON *e = jget(lines[i], "entry");
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i > 1 ? "," : "",
                 cJSON_IsNumber(e) ? (long long)e->valuedouble : -1LL);
    }
    for (size_t i = 0; i < sizeof want_entry / sizeof want_entry[0]; i++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%d", i ? "," : "", want_entry[i]);
    is_str(got, exp, "selection: the record names each picked entry (-1 = null)");
    lines_free(lines);
    fake_stop(&f, "selection");
}

static void
test_close_modes(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"match\":\"before\",\"close\":\"before_headers\"}\n"
                    "{\"match\":\"midw\",\"close\":\"mid_body\",\"content\":\"a reply long enough "
                    "to be cut in two halves\"}\n"
                    "{\"match\":\"mids\",\"close\":\"mid_body\",\"stream\":true,\"content\":"
                    "\"a streamed reply\"}\n"
                    "{\"content\":\"alive\",\"times\":-1}\n",
                    "close modes");
    struct conn c;
    conn_open(&c, f.port);
    char *req = request_text("POST", "/v1/chat/completions", NULL, "{\"x\":\"before\"}");
    conn_sends(&c, req);
    free(req);
    ok(conn_wait_eof(&c, WAIT_MS), "before_headers: the connection is closed");
    is_int(c.len, 0, "before_headers: not a byte of response");
    conn_close(&c);

    conn_open(&c, f.port);
    req = request_text("POST", "/v1/chat/completions", NULL, "{\"x\":\"midw\"}");
    conn_sends(&c, req);
    free(req);
    ok(conn_wait_eof(&c, WAIT_MS), "mid_body: the connection is closed");
    struct resp r;
    size_t used;
    is_int(c.len ? resp_parse(c.buf, c.len, &r, &used) : -9, 0, "mid_body: the response is cut");
    const char *hend = c.len ? find_bytes(c.buf, c.len, "\r\n\r\n", 4) : NULL;
    ok(hend != NULL, "mid_body: the whole head was sent");
    if (hend) {
        const char *cl = strstr(c.buf, "Content-Length: ");
        long full = cl ? strtol(cl + 16, NULL, 10) : -1;
        size_t got = c.len - (size_t)(hend + 4 - c.buf);
        ok(full > 20, "mid_body: Content-Length announces the whole body");
        is_int(got, full / 2, "mid_body: exactly half of the body arrived");
    }
    conn_close(&c);

    conn_open(&c, f.port);
    req = request_text("POST", "/v1/chat/completions", NULL, "{\"x\":\"mids\"}");
    conn_sends(&c, req);
    free(req);
    ok(conn_wait_eof(&c, WAIT_MS), "mid_body stream: closed");
    is_contains(c.buf, "Transfer-Encoding: chunked", "mid_body stream: the head was sent");
    is_contains(c.buf, "data: {", "mid_body stream: some events arrived");
    ok(c.buf && !strstr(c.buf, "[DONE]") && !strstr(c.buf, "\r\n0\r\n\r\n"),
       "mid_body stream: neither [DONE] nor the last chunk");
    conn_close(&c);

    char *got = answer(f.port, "/v1/chat/completions", "{}");
    is_str(got, "alive", "close modes: the fake serves on");
    free(got);
    fake_stop(&f, "close modes");
}

static void
test_stall(void)
{
    struct fake f;
    START_OR_RETURN(&f,
                    "{\"stall_after_events\":2,\"content\":\"one two three four\",\"chunks\":4,"
                    "\"stream\":true}\n",
                    "stall");
    struct conn c;
    conn_open(&c, f.port);
    char *req = request_text("POST", "/v1/chat/completions", NULL, "{\"stream\":true}");
    conn_sends(&c, req);
    free(req);
    conn_drain(&c, 300 * scale);
    ok(c.len > 0 && !c.eof, "stall: bytes came and the connection stays open");
    is_contains(c.buf, "HTTP/1.1 200 OK\r\n", "stall: the head was sent");
    is_int(c.buf ? count_substr(c.buf, c.len, "data: ") : 0, 2, "stall: exactly 2 events");
    size_t before = c.len;
    ok(!conn_fill(&c, 200), "stall: then silence (a short poll times out)");
    is_int(c.len, before, "stall: nothing more arrived");
    long long open = 0;
    stats(f.port, &open);
    is_int(open, 2, "stall: the stalled connection is still open on the fake's side");
    conn_close(&c);
    is_int(wait_open(f.port, 1), 1, "stall: the fake notices the client closing");
    fake_stop(&f, "stall");
}

static void
test_delays(void)
{
    struct fake f;
    char *script = xasprintf("{\"match\":\"slow\",\"delay_ms\":%d,\"content\":\"late\"}\n"
                             "{\"match\":\"drip\",\"chunk_delay_ms\":120,\"stream\":true,"
                             "\"content\":\"abc\",\"chunks\":3}\n"
                             "{\"match\":\"fast\",\"content\":\"F\",\"times\":-1}\n",
                             300 * scale);
    START_OR_RETURN(&f, script, "delays");
    free(script);
    struct conn a, b;
    conn_open(&a, f.port);
    conn_open(&b, f.port);
    long long t0 = now_ms();
    char *req = request_text("POST", "/v1/chat/completions", NULL, "{\"x\":\"slow\"}");
    conn_sends(&a, req);
    free(req);
    req = request_text("POST", "/v1/chat/completions", NULL, "{\"x\":\"fast\"}");
    conn_sends(&b, req);
    free(req);
    struct resp r;
    is_int(conn_response(&b, &r, WAIT_MS), 1, "delay_ms: another connection is answered meanwhile");
    resp_free(&r);
    ok(!conn_fill(&a, 0) && a.len == 0, "delay_ms: the slow one has nothing yet");
    is_int(conn_response(&a, &r, WAIT_MS), 1, "delay_ms: the slow reply comes");
    long long took = now_ms() - t0;
    ok(took >= 300 * scale - 20, "delay_ms: not before the delay (%lld ms)", took);
    is_contains(r.body, "late", "delay_ms: the scripted reply");
    resp_free(&r);
    conn_close(&a);
    conn_close(&b);

    /* chunk_delay_ms: 5 events, 4 gaps of 120 ms */
    conn_open(&a, f.port);
    req = request_text("POST", "/v1/chat/completions", NULL, "{\"x\":\"drip\"}");
    t0 = now_ms();
    conn_sends(&a, req);
    free(req);
    long long first = -1;
    while (!a.eof && now_ms() - t0 < WAIT_MS && !(a.buf && strstr(a.buf, "[DONE]"))) {
        conn_fill(&a, 50);
        if (first < 0 && a.buf && strstr(a.buf, "data: "))
            first = now_ms() - t0;
    }
    long long all = now_ms() - t0;
    ok(a.buf && strstr(a.buf, "[DONE]"), "chunk_delay_ms: the stream completes");
    ok(first >= 0 && first < all - 300, "chunk_delay_ms: the first event comes early (%lld ms)", first);
    ok(all >= 4 * 120 - 20, "chunk_delay_ms: 4 gaps between 5 events (%lld ms)", all);
    conn_close(&a);
    fake_stop(&f, "delays");
}

static void
test_record(void)
{
    struct fake f;
    START_OR_RETURN(&f, "{\"content\":\"rec\",\"times\":-1}\n", "record");
    struct resp r;
    const char *body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"prove it\"}]}";
    exchange(f.port, "POST", "/v1/chat/completions?api-version=1",
             "Authorization: Bearer sk-test-123\r\nX-Custom-Header: Mixed\r\nX-Dup: a\r\n"
             "X-Dup: b\r\n",
             body, &r);
    resp_free(&r);
    stats(f.port, NULL); /* control: not recorded */
    exchange(f.port, "POST", "/v1/messages", "X-Api-Key: ak-1\r\nAnthropic-Version: 2023-06-01\r\n",
             "not json at all", &r);
    resp_free(&r);
    exchange(f.port, "GET", "/nowhere", NULL, NULL, &r);
    resp_free(&r);
    int n;
    cJSON **l = record_lines(&f, &n);
    is_int(n, 4, "record: start line + 3 requests (control ones left out)");
    char *pid = read_file(f.pid_file);
    is_int(n ? jint(l[0], "fake_llm_start") : -1, atoi(pid), "record: {\"fake_llm_start\":PID}");
    free(pid);
    const cJSON *a = n > 1 ? l[1] : NULL, *b = n > 2 ? l[2] : NULL, *c = n > 3 ? l[3] : NULL;
    is_int(jint(a, "n"), 1, "record: n 1");
    is_str(jstr(a, "method"), "POST", "record: method");
    is_str(jstr(a, "path"), "/v1/chat/completions?api-version=1", "record: path as sent");
    is_str(jstr(a, "headers.authorization"), "Bearer sk-test-123", "record: authorization header");
    is_str(jstr(a, "headers.x-custom-header"), "Mixed", "record: names lowercased, values kept");
    is_str(jstr(a, "headers.x-dup"), "a, b", "record: repeated fields joined");
    is_str(jstr(a, "headers.host"), "127.0.0.1", "record: host");
    bool lower = a != NULL;
    const cJSON *h;
    cJSON_ArrayForEach(h, jget(a, "headers"))
    {
        for (const char *k = h->string; *k; k++)
            lower = lower && !(*k >= 'A' && *k <= 'Z');
    }
    ok(lower, "record: every header name lowercase");
    ok(cJSON_IsObject(jget(a, "body")), "record: a JSON body is recorded parsed");
    is_str(jstr(a, "body.messages.0.content"), "prove it", "record: the prompt");
    is_int(jint(a, "entry"), 0, "record: entry index");
    ok(cJSON_IsNumber(jget(a, "t_ms")) && jint(a, "t_ms") >= 0, "record: t_ms");
    is_int(jint(b, "n"), 2, "record: n 2 (control requests not numbered)");
    is_str(jstr(b, "body"), "not json at all", "record: other bodies as a string");
    is_str(jstr(b, "headers.x-api-key"), "ak-1", "record: x-api-key");
    ok(b && jget(b, "headers.authorization") == NULL, "record: no authorization where none was sent");
    is_str(jstr(c, "method"), "GET", "record: GET");
    is_str(jstr(c, "body"), "", "record: an empty body is \"\"");
    ok(c && cJSON_IsNull(jget(c, "entry")), "record: entry null when nothing answered");
    ok(a && b && c && jint(a, "t_ms") <= jint(b, "t_ms") && jint(b, "t_ms") <= jint(c, "t_ms"),
       "record: t_ms does not go back");
    lines_free(l);
    char *port = read_file(f.port_file);
    char *want = xasprintf("%d\n", f.port);
    is_str(port, want, "port file: the port and a newline");
    free(port);
    free(want);
    fake_stop(&f, "record");
}

static void
test_control(void)
{
    struct fake f;
    START_OR_RETURN(&f, NULL, "control");
    struct resp r;
    cJSON *j = post_json(f.port, "/_fake/script",
                         "# comment\n{\"content\":\"first\"}\n\n"
                         "{\"match\":\"two\",\"content\":\"second\"}\n",
                         &r);
    is_int(r.status, 200, "/_fake/script: 200");
    is_int(jint(j, "entries"), 2, "/_fake/script: {\"entries\":2}");
    cJSON_Delete(j);
    resp_free(&r);
    char *got = answer(f.port, "/v1/chat/completions", "{}");
    is_str(got, "first", "/_fake/script: appended entries answer");
    free(got);
    got = answer(f.port, "/v1/chat/completions", "{\"x\":\"two\"}");
    is_str(got, "second", "/_fake/script: the second entry");
    free(got);
    j = post_json(f.port, "/_fake/script", "{\"content\":\"ok\"}\n{\"nope\":1}\n", &r);
    is_int(r.status, 400, "/_fake/script: a bad line -> 400");
    is_contains(jstr(j, "error"), "line 2", "/_fake/script: the error names the line");
    is_contains(jstr(j, "error"), "nope", "/_fake/script: ... and the field");
    cJSON_Delete(j);
    resp_free(&r);
    j = post_json(f.port, "/_fake/script", "{\"content\":\"third\"}", &r);
    is_int(jint(j, "entries"), 3, "/_fake/script: all or nothing (the bad post added none)");
    cJSON_Delete(j);
    resp_free(&r);
    exchange(f.port, "GET", "/_fake/script", NULL, NULL, &r);
    is_int(r.status, 405, "GET /_fake/script: 405");
    resp_free(&r);
    exchange(f.port, "GET", "/_fake/other", NULL, NULL, &r);
    is_int(r.status, 404, "/_fake/other: 404");
    resp_free(&r);
    long long open = -1;
    is_int(stats(f.port, &open), 2, "/_fake/stats: 2 requests (control ones not counted)");
    if (open != 1)
        open = wait_open(f.port, 1);
    is_int(open, 1, "/_fake/stats: open_connections counts the asking connection");
    fake_stop_sig(&f, SIGINT, "control");
}

static void
test_malformed(void)
{
    struct fake f;
    START_OR_RETURN(&f, "{\"content\":\"fine\",\"times\":-1}\n", "malformed");
    static const struct {
        const char *raw;
        int status;
        const char *label;
    } cases[] = {
        {"GARBAGE\r\n\r\n", 400, "no request line"},
        {"GET / HTTP/1.1\nHost: x\n\n", 400, "bare LF line ends"},
        {"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400, "no Host"},
        {"POST /v1/messages HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Hosts"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400,
         "space in a field name"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n", 400, "space before colon"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400, "obs-fold"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nX-A: a\001b\r\n\r\n", 400,
         "control character in a value"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", 400,
         "bad Content-Length"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
         400, "conflicting Content-Length"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         400, "Content-Length with Transfer-Encoding"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
         "bad chunk size"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
         400, "chunk longer than its size"},
        {"POST  /v1/messages HTTP/1.1\r\nHost: x\r\n\r\n", 400, "two spaces in the request line"},
        {"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "absolute-form target"},
        {"GET / HTTP/1.0\r\nHost: x\r\n\r\n", 505, "HTTP/1.0"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
         "transfer coding gzip"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417,
         "unknown expectation"},
        {"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", 413,
         "body over 16 MiB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct conn c;
        conn_open(&c, f.port);
        conn_sends(&c, cases[i].raw);
        struct resp r;
        int got = conn_response(&c, &r, WAIT_MS);
        is_int(got == 1 ? r.status : -got, cases[i].status, "malformed (%s): status",
               cases[i].label);
        ok(got == 1 && resp_header(&r, "Connection") &&
               strcmp(resp_header(&r, "Connection"), "close") == 0 && r.body &&
               strncmp(r.body, "fake_llm: ", 10) == 0,
           "malformed (%s): Connection: close and a fake_llm: body", cases[i].label);
        ok(conn_wait_eof(&c, WAIT_MS), "malformed (%s): then closed", cases[i].label);
        if (got == 1)
            resp_free(&r);
        conn_close(&c);
    }
    char *got = answer(f.port, "/v1/chat/completions", "{}");
    is_str(got, "fine", "malformed: the fake serves on");
    free(got);
    is_int(stats(f.port, NULL), 1, "malformed: refused requests are not counted");
    fake_stop(&f, "malformed");
}

/* A request with a header block of about head_bytes (one big field, or many small ones). */
static char *
big_request(size_t head_bytes, bool many)
{
    size_t cap = head_bytes + 4096;
    char *s = malloc(cap);
    size_t n = (size_t)snprintf(s, cap, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");
    if (many) {
        for (int i = 0; n < head_bytes; i++)
            n += (size_t)snprintf(s + n, cap - n, "X-F%d: v\r\n", i);
    } else {
        n += (size_t)snprintf(s + n, cap - n, "X-Big: ");
        while (n < head_bytes)
            s[n++] = 'a';
        n += (size_t)snprintf(s + n, cap - n, "\r\n");
    }
    snprintf(s + n, cap - n, "Content-Length: 2\r\n\r\n{}");
    return s;
}

static void
test_huge_header(void)
{
    struct fake f;
    START_OR_RETURN(&f, "{\"content\":\"fine\",\"times\":-1}\n", "huge header");
    static const struct {
        size_t bytes;
        bool many;
        int status;
        const char *label;
    } cases[] = {
        {70000, false, 431, "a 70 kB field"},
        {200000, false, 431, "a 200 kB field"},
        {60000, false, 200, "a 60 kB field (under 64 KiB)"},
        {4000, true, 431, "more than 200 fields"},
        {1500, true, 200, "a hundred fields"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct conn c;
        conn_open(&c, f.port);
        char *req = big_request(cases[i].bytes, cases[i].many);
        conn_sends(&c, req);
        free(req);
        struct resp r;
        int got = conn_response(&c, &r, WAIT_MS);
        is_int(got == 1 ? r.status : -got, cases[i].status, "huge header (%s): status",
               cases[i].label);
        if (cases[i].status == 431)
            ok(conn_wait_eof(&c, WAIT_MS), "huge header (%s): closed", cases[i].label);
        if (got == 1)
            resp_free(&r);
        conn_close(&c);
    }
    /* a field that never ends: refused at 64 KiB, without waiting for its end */
    struct conn c;
    conn_open(&c, f.port);
    char *req = big_request(70000, false);
    *strstr(req, "\r\nContent-Length") = '\0';
    conn_sends(&c, req);
    free(req);
    struct resp r;
    int got = conn_response(&c, &r, WAIT_MS);
    is_int(got == 1 ? r.status : -got, 431, "huge header (an unfinished 70 kB line): 431");
    if (got == 1)
        resp_free(&r);
    conn_close(&c);
    fake_stop(&f, "huge header");
}

/* Runs the fake with args and script and expects it to fail at start: exit 2, stderr
 * containing each needle. */
static void
check_bad_start(const char *script, const char *extra_arg, const char *const *needles,
                const char *label)
{
    struct fake f;
    fake_spawn(&f, script);
    if (extra_arg) { /* replace the process: a second spawn with the extra argument */
        kill(f.pid, SIGKILL);
        fake_wait(&f, WAIT_MS);
        f.reaped = false;
        f.pid = fork();
        if (f.pid == 0) {
            int err = open(f.errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(err, 2);
            execl(fake_bin, fake_bin, extra_arg, (char *)NULL);
            _exit(127);
        }
    }
    is_int(fake_wait(&f, WAIT_MS * 2), 2, "%s: exit 2", label);
    char *err = read_file(f.errpath);
    for (int i = 0; needles[i]; i++)
        is_contains(err, needles[i], "%s: stderr says %s", label, needles[i]);
    free(err);
    ok(access(f.port_file, F_OK) != 0, "%s: no port file", label);
    fake_cleanup(&f);
}

static void
test_bad_start(void)
{
    static const char *const typo[] = {"line 2", "conten", "unknown field", NULL};
    check_bad_start("{\"content\":\"x\"}\n{\"conten\":\"typo\"}\n", NULL, typo, "script typo");
    static const char *const notjson[] = {"line 1", "not a JSON object", NULL};
    check_bad_start("[1,2]\n", NULL, notjson, "script line not an object");
    static const char *const type[] = {"`status`", NULL};
    check_bad_start("{\"status\":\"500\"}\n", NULL, type, "script field of the wrong type");
    static const char *const framing[] = {"framing", NULL};
    check_bad_start("{\"headers\":{\"Content-Length\":\"3\"}}\n", NULL, framing,
                    "script header changing the framing");
    static const char *const opt[] = {"--bogus", "unknown option", NULL};
    check_bad_start(NULL, "--bogus", opt, "unknown option");
}

int
main(void)
{
    fake_bin = getenv("FAKE_LLM_BIN");
    if (!fake_bin || !*fake_bin || access(fake_bin, X_OK) != 0) {
        skip("fake_llm tests", "FAKE_LLM_BIN not set or not executable");
        return done_testing();
    }
    const char *vg = getenv("VALGRIND");
    if (vg && strcmp(vg, "1") == 0)
        scale = 10;
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_openai_whole();
    test_anthropic_whole();
    test_openai_stream();
    test_anthropic_stream();
    test_stream_override();
    test_keep_alive();
    test_chunked_request();
    test_expect_continue();
    test_errors();
    test_raw_body();
    test_no_reply();
    test_selection();
    test_close_modes();
    test_stall();
    test_delays();
    test_record();
    test_control();
    test_malformed();
    test_huge_header();
    test_bad_start();
    rmdir(tmpdir);
    return done_testing();
}
