/* lsp_client: blocking, timeout-bounded LSP client for end-to-end tests. */
#include "lsp_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct lsp_client {
    pid_t pid;
    int in_fd;   /* program's stdin */
    int out_fd;  /* program's stdout */
    char *rbuf;
    size_t rlen, rcap;
    cJSON **hist;
    char **raw;
    size_t nhist, hcap;
    int next_id;
    int exit_status; /* -1 until reaped */
};

double
test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int
test_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct lsp_client *
lsp_client_spawn(char *const argv[], const char *cwd, const char *stderr_path)
{
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        return NULL;
    signal(SIGPIPE, SIG_IGN);
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        if (stderr_path) {
            int fd = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 2);
                close(fd);
            }
        }
        if (cwd && chdir(cwd) < 0)
            _exit(126);
        const char *vg = getenv("VALGRIND");
        if (vg && *vg && strcmp(vg, "0") != 0) {
            size_t n = 0;
            while (argv[n])
                n++;
            char **v = calloc(n + 8, sizeof *v);
            size_t k = 0;
            v[k++] = strdup("valgrind");
            v[k++] = strdup("-q");
            v[k++] = strdup("--error-exitcode=99");
            v[k++] = strdup("--leak-check=full");
            v[k++] = strdup("--errors-for-leak-kinds=definite,indirect");
            v[k++] = strdup("--trace-children=no");
            for (size_t i = 0; i < n; i++)
                v[k++] = argv[i];
            execvp("valgrind", v);
            _exit(127);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    struct lsp_client *c = calloc(1, sizeof *c);
    c->pid = pid;
    c->in_fd = in[1];
    c->out_fd = out[0];
    c->exit_status = -1;
    return c;
}

pid_t
lsp_client_pid(const struct lsp_client *c)
{
    return c->pid;
}

void
lsp_client_close_stdin(struct lsp_client *c)
{
    if (c->in_fd >= 0)
        close(c->in_fd);
    c->in_fd = -1;
}

int
lsp_client_wait_exit(struct lsp_client *c, int timeout_ms)
{
    if (c->exit_status >= 0)
        return c->exit_status;
    double end = test_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(c->pid, &st, WNOHANG);
        if (r == c->pid) {
            c->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return c->exit_status;
        }
        if (test_now_ms() > end)
            return -1;
        usleep(5000);
    }
}

void
lsp_client_free(struct lsp_client *c)
{
    if (c == NULL)
        return;
    lsp_client_close_stdin(c);
    if (c->exit_status < 0 && lsp_client_wait_exit(c, 3000) < 0) {
        kill(c->pid, SIGKILL);
        lsp_client_wait_exit(c, 3000);
    }
    close(c->out_fd);
    for (size_t i = 0; i < c->nhist; i++) {
        cJSON_Delete(c->hist[i]);
        free(c->raw[i]);
    }
    free(c->hist);
    free(c->raw);
    free(c->rbuf);
    free(c);
}

int
lsp_client_send_raw(struct lsp_client *c, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(c->in_fd, bytes, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        bytes += n;
        len -= (size_t)n;
    }
    return 0;
}

int
lsp_client_send(struct lsp_client *c, const char *json)
{
    char hdr[64];
    size_t len = strlen(json);
    int n = snprintf(hdr, sizeof hdr, "Content-Length: %zu\r\n\r\n", len);
    if (lsp_client_send_raw(c, hdr, (size_t)n) < 0)
        return -1;
    return lsp_client_send_raw(c, json, len);
}

int
lsp_client_request(struct lsp_client *c, const char *method, const char *params_json)
{
    int id = ++c->next_id;
    size_t n = strlen(method) + (params_json ? strlen(params_json) : 0) + 96;
    char *s = malloc(n);
    if (params_json)
        snprintf(s, n, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\",\"params\":%s}", id, method,
                 params_json);
    else
        snprintf(s, n, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\"}", id, method);
    lsp_client_send(c, s);
    free(s);
    return id;
}

void
lsp_client_notify(struct lsp_client *c, const char *method, const char *params_json)
{
    size_t n = strlen(method) + (params_json ? strlen(params_json) : 0) + 96;
    char *s = malloc(n);
    snprintf(s, n, "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s}", method,
             params_json ? params_json : "{}");
    lsp_client_send(c, s);
    free(s);
}

/* Tries to cut one frame out of the read buffer; returns a new body or NULL. */
static char *
lsp_client_take_frame(struct lsp_client *c)
{
    if (c->rlen == 0)
        return NULL;
    char *end = NULL;
    for (size_t i = 0; i + 3 < c->rlen; i++) {
        if (memcmp(c->rbuf + i, "\r\n\r\n", 4) == 0) {
            end = c->rbuf + i;
            break;
        }
    }
    if (end == NULL)
        return NULL;
    size_t hlen = (size_t)(end - c->rbuf) + 4;
    long len = -1;
    char *p = c->rbuf;
    while (p < end) {
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            len = strtol(p + 15, NULL, 10);
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    if (len < 0 || c->rlen < hlen + (size_t)len)
        return NULL;
    char *body = malloc((size_t)len + 1);
    memcpy(body, c->rbuf + hlen, (size_t)len);
    body[len] = '\0';
    memmove(c->rbuf, c->rbuf + hlen + len, c->rlen - hlen - (size_t)len);
    c->rlen -= hlen + (size_t)len;
    return body;
}

const cJSON *
lsp_client_recv(struct lsp_client *c, int timeout_ms)
{
    double end = test_now_ms() + timeout_ms;
    for (;;) {
        char *body = lsp_client_take_frame(c);
        if (body) {
            cJSON *j = cJSON_Parse(body);
            if (j == NULL)
                j = cJSON_CreateString("<<unparsable frame>>");
            if (c->nhist == c->hcap) {
                c->hcap = c->hcap ? c->hcap * 2 : 64;
                c->hist = realloc(c->hist, c->hcap * sizeof *c->hist);
                c->raw = realloc(c->raw, c->hcap * sizeof *c->raw);
            }
            c->hist[c->nhist] = j;
            c->raw[c->nhist] = body;
            c->nhist++;
            return j;
        }
        int left = (int)(end - test_now_ms());
        if (left <= 0)
            return NULL;
        struct pollfd p = {.fd = c->out_fd, .events = POLLIN};
        int rc = poll(&p, 1, left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return NULL;
        if (c->rcap - c->rlen < 65536) {
            c->rcap = c->rcap ? c->rcap * 2 : 131072;
            c->rbuf = realloc(c->rbuf, c->rcap);
        }
        ssize_t n = read(c->out_fd, c->rbuf + c->rlen, c->rcap - c->rlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        c->rlen += (size_t)n;
    }
}

const char *
lsp_client_last_raw(const struct lsp_client *c)
{
    return c->nhist ? c->raw[c->nhist - 1] : NULL;
}

size_t
lsp_client_history_len(const struct lsp_client *c)
{
    return c->nhist;
}

const cJSON *
lsp_client_history(const struct lsp_client *c, size_t i)
{
    return i < c->nhist ? c->hist[i] : NULL;
}

const cJSON *
lsp_client_wait(struct lsp_client *c, int timeout_ms, lsp_match_fn *match, void *arg)
{
    double end = test_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(end - test_now_ms());
        if (left < 0)
            return NULL;
        const cJSON *m = lsp_client_recv(c, left);
        if (m == NULL)
            return NULL;
        if (match(m, arg))
            return m;
    }
}

const cJSON *
lsp_client_seen(struct lsp_client *c, size_t from, int timeout_ms, lsp_match_fn *match,
                void *arg)
{
    for (size_t i = from; i < lsp_client_history_len(c); i++)
        if (match(lsp_client_history(c, i), arg))
            return lsp_client_history(c, i);
    return lsp_client_wait(c, timeout_ms, match, arg);
}

static bool
match_id(const cJSON *m, void *arg)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    return cJSON_IsNumber(id) && id->valueint == *(int *)arg &&
           cJSON_GetObjectItemCaseSensitive(m, "method") == NULL;
}

const cJSON *
lsp_client_wait_response(struct lsp_client *c, int id, int timeout_ms)
{
    return lsp_client_wait(c, timeout_ms, match_id, &id);
}

static bool
match_method(const cJSON *m, void *arg)
{
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
    return cJSON_IsString(method) && strcmp(method->valuestring, arg) == 0;
}

const cJSON *
lsp_client_wait_method(struct lsp_client *c, const char *method, int timeout_ms)
{
    return lsp_client_wait(c, timeout_ms, match_method, (void *)method);
}

struct diag_match {
    const char *uri;
    lsp_match_fn *pred;
    void *arg;
};

static bool
match_diag(const cJSON *m, void *arg)
{
    struct diag_match *dm = arg;
    static char pd[] = "textDocument/publishDiagnostics";
    if (!match_method(m, pd))
        return false;
    const cJSON *uri = test_json_path(m, "params.uri");
    if (!cJSON_IsString(uri) || strcmp(uri->valuestring, dm->uri) != 0)
        return false;
    return dm->pred == NULL || dm->pred(m, dm->arg);
}

const cJSON *
lsp_client_wait_diagnostics(struct lsp_client *c, const char *uri, int timeout_ms,
                            lsp_match_fn *pred, void *arg)
{
    struct diag_match dm = {uri, pred, arg};
    return lsp_client_wait(c, timeout_ms, match_diag, &dm);
}

char *
test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path = malloc(256);
    snprintf(path, 256, "%s/lsp-proxy-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(path) == NULL) {
        free(path);
        return NULL;
    }
    return path;
}

const char *
test_bin(const char *env)
{
    const char *v = getenv(env);
    if (v == NULL || *v == '\0' || access(v, X_OK) != 0) {
        printf("# %s is not set to a built program (run the tests with `make test`)\n", env);
        return NULL;
    }
    return v;
}

char *
test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
    while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            s = realloc(s, cap);
        }
    }
    fclose(f);
    s[len] = '\0';
    return s;
}

int
test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

int
test_count_lines(const char *path, const char *needle)
{
    char *s = test_read_file(path);
    if (s == NULL)
        return 0;
    int n = 0;
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strstr(line, needle))
            n++;
        line = nl ? nl + 1 : NULL;
    }
    free(s);
    return n;
}

char *
test_json_string(const char *s)
{
    cJSON *j = cJSON_CreateString(s);
    char *out = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return out;
}

const cJSON *
test_json_path(const cJSON *obj, const char *path)
{
    char key[128];
    while (obj && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (cJSON_IsArray(obj) && key[0] >= '0' && key[0] <= '9')
            obj = cJSON_GetArrayItem(obj, atoi(key));
        else
            obj = cJSON_GetObjectItemCaseSensitive(obj, key);
        path += n + (dot ? 1 : 0);
    }
    return obj;
}
