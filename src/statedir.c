/*
 * statedir: the proxy's files under <stateDir> (statedir.h): SHA-256, the review cache
 * (one file per key), the dismissal log (JSON lines, compacted), the audit log.
 */
#include "statedir.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

#define DISMISSALS_FILE_MAX ((size_t)16 << 20) /* a bigger dismissal log is not read */

struct dismissal {
    char *uri, *name, *code;
    char statement[65];
};

struct statedir {
    char *dir;
    struct dismissal *dis;
    size_t ndis;
    size_t nlines; /* lines of dismissed.jsonl, bad ones included */
    bool dis_seen; /* dis reflects the file as identified below */
    dev_t dis_dev; /* identity of dismissed.jsonl when it was read */
    ino_t dis_ino;
    off_t dis_size;
    struct timespec dis_mtim;
    size_t bad_lines;      /* unreadable lines of dismissed.jsonl (it is then rewritten) */
    long cache_count;      /* cache entries last counted, plus puts since; -1: unknown */
    unsigned long tmp_seq; /* makes temporary file names unique */
    char problem[512];     /* statedir_last_problem() */
};

static void problem(struct statedir *sd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Logs a problem once, where it is found, and keeps it for statedir_last_problem(). */
static void
problem(struct statedir *sd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sd->problem, sizeof sd->problem, fmt, ap);
    va_end(ap);
    log_warn("statedir", "%s", sd->problem);
}

const char *
statedir_last_problem(const struct statedir *sd)
{
    return sd ? sd->problem : "";
}

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 =
            k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

void
statedir_hash(const void *data, size_t len, char out[65])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t n = len;
    for (; n >= 64; n -= 64, p += 64)
        sha256_block(h, p);
    unsigned char tail[128] = {0};
    memcpy(tail, p, n);
    tail[n] = 0x80;
    size_t tl = n + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha256_block(h, tail);
    if (tl == 128)
        sha256_block(h, tail + 64);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", h[i]);
}

/* ---- files ---- */

static int
mkdirs(const char *dir)
{
    char *path = xstrdup(dir);
    int rc = 0;
    for (char *s = path + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(path);
    return rc;
}

static bool
is_key(const char *key)
{
    if (key == NULL || strlen(key) != 64)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
            return false;
    return true;
}

/* Reads path whole (at most max bytes). Returns the text (NUL-terminated, *len bytes), or
 * NULL with *rc: -ENOENT when missing, -EFBIG when larger than max, another -errno. */
static char *
read_all(const char *path, size_t max, size_t *len, int *rc, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *rc = -errno;
        return NULL;
    }
    struct stat st0;
    if (fstat(fd, st ? st : &st0) < 0) {
        *rc = -errno;
        close(fd);
        return NULL;
    }
    struct buf b;
    buf_init(&b, max);
    char chunk[8192];
    ssize_t n;
    *rc = 0;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *rc = -errno;
            break;
        }
        if (buf_add(&b, chunk, (size_t)n) < 0) {
            *rc = -EFBIG;
            break;
        }
    }
    close(fd);
    if (*rc < 0) {
        buf_release(&b);
        return NULL;
    }
    if (b.data == NULL)
        (void)buf_adds(&b, "");
    return buf_detach(&b, len);
}

/* Writes data to path through a temporary file in the same directory and a rename. */
static int
write_whole(struct statedir *sd, const char *path, const char *data, size_t len)
{
    char *tmp = xasprintf("%s.%ld.%lu.tmp", path, (long)getpid(), sd->tmp_seq++);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -errno : 0;
    size_t off = 0;
    while (rc == 0 && off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = -errno;
        else
            off += (size_t)n;
    }
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0) {
        problem(sd, "cannot write %s: %s", path, strerror(-rc));
        if (fd >= 0)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* Appends one line (line holds its newline) with a single write(). */
static int
append_line(struct statedir *sd, const char *path, const char *line, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -errno : 0;
    while (rc == 0) {
        ssize_t w = write(fd, line, n);
        if (w < 0 && errno == EINTR)
            continue;
        rc = w < 0 ? -errno : (size_t)w == n ? 0 : -EIO;
        break;
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        problem(sd, "cannot append to %s: %s", path, strerror(-rc));
    return rc;
}

/* Takes <dir>/.lock (flock, exclusive): the fd, or a negative errno. */
static int
lock_take(struct statedir *sd)
{
    char *path = xasprintf("%s/.lock", sd->dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -errno : 0;
    while (rc == 0 && flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR)
            rc = -errno;
    }
    if (rc < 0) {
        problem(sd, "cannot lock %s: %s", path, strerror(-rc));
        if (fd >= 0)
            close(fd);
        fd = rc;
    }
    free(path);
    return fd;
}

static void
lock_release(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

struct statedir *
statedir_open(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    char *review = xasprintf("%s/review", dir);
    int rc = mkdirs(review);
    if (rc == 0 && stat(review, &st) < 0)
        rc = -errno;
    if (rc == 0 && !S_ISDIR(st.st_mode))
        rc = -ENOTDIR;
    if (rc < 0) {
        snprintf(err, errlen, "cannot create %s: %s", review, strerror(-rc));
        free(review);
        return NULL;
    }
    free(review);
    struct statedir *sd = xcalloc(1, sizeof *sd);
    sd->dir = xstrdup(dir);
    sd->cache_count = -1;
    return sd;
}

static void
dismissals_clear(struct statedir *sd)
{
    for (size_t i = 0; i < sd->ndis; i++) {
        free(sd->dis[i].uri);
        free(sd->dis[i].name);
        free(sd->dis[i].code);
    }
    free(sd->dis);
    sd->dis = NULL;
    sd->ndis = 0;
    sd->nlines = 0;
    sd->bad_lines = 0;
}

void
statedir_close(struct statedir *sd)
{
    if (sd == NULL)
        return;
    dismissals_clear(sd);
    free(sd->dir);
    free(sd);
}

/* ---- the review cache ---- */

static char *
cache_path(const struct statedir *sd, const char *key)
{
    return xasprintf("%s/review/%s.json", sd->dir, key);
}

char *
statedir_cache_get(struct statedir *sd, const char *key)
{
    if (!is_key(key))
        return NULL;
    char *path = cache_path(sd, key);
    size_t len;
    int rc;
    char *text = read_all(path, 2 * STATEDIR_VALUE_MAX + 4096, &len, &rc, NULL);
    char *value = NULL;
    if (text == NULL) {
        if (rc != -ENOENT)
            problem(sd, "cannot read %s: %s", path, strerror(-rc));
        free(path);
        return NULL;
    }
    cJSON *o = cJSON_ParseWithLength(text, len);
    const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "key"));
    const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "sha256"));
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
    char sum[65] = "";
    if (cJSON_IsString(v))
        statedir_hash(v->valuestring, strlen(v->valuestring), sum);
    if (k && h && cJSON_IsString(v) && strcmp(k, key) == 0 && strcmp(h, sum) == 0) {
        value = xstrdup(v->valuestring);
    } else {
        problem(sd, "%s: %s; removed", path,
                o == NULL ? "not JSON (truncated or corrupt)"
                          : "not a cache entry for its key, or its checksum is wrong");
        unlink(path);
    }
    cJSON_Delete(o);
    free(text);
    free(path);
    return value;
}

struct aged {
    char *name;
    struct timespec mtim;
};

static int
aged_cmp(const void *a, const void *b)
{
    const struct aged *x = a, *y = b;
    if (x->mtim.tv_sec != y->mtim.tv_sec)
        return x->mtim.tv_sec < y->mtim.tv_sec ? -1 : 1;
    if (x->mtim.tv_nsec != y->mtim.tv_nsec)
        return x->mtim.tv_nsec < y->mtim.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Past STATEDIR_CACHE_MAX entries, removes the oldest down to 90% of it (so that the
 * directory is listed once per a tenth of the cap, not on every put). */
static void
cache_trim(struct statedir *sd)
{
    if (sd->cache_count >= 0 && ++sd->cache_count <= STATEDIR_CACHE_MAX)
        return;
    char *dpath = xasprintf("%s/review", sd->dir);
    DIR *d = opendir(dpath);
    struct aged *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l != 69 || strcmp(e->d_name + 64, ".json") != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, 0) < 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            v = xreallocarray(v, cap, sizeof *v);
        }
        v[n].name = xstrdup(e->d_name);
        v[n].mtim = st.st_mtim;
        n++;
    }
    if (d)
        closedir(d);
    sd->cache_count = (long)n;
    if (n > STATEDIR_CACHE_MAX) {
        size_t keep = STATEDIR_CACHE_MAX - STATEDIR_CACHE_MAX / 10;
        qsort(v, n, sizeof *v, aged_cmp);
        sd->cache_count = (long)keep;
        for (size_t i = 0; i < n - keep; i++) {
            char *p = xasprintf("%s/%s", dpath, v[i].name);
            unlink(p);
            free(p);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
    free(dpath);
}

int
statedir_cache_put(struct statedir *sd, const char *key, const char *value, size_t len)
{
    if (!is_key(key)) {
        problem(sd, "cache key is not a SHA-256 in hex; not stored");
        return -EINVAL;
    }
    if (len > STATEDIR_VALUE_MAX || memchr(value, '\0', len)) {
        problem(sd, "cache value of %zu bytes is over the cap (%zu) or not text; not stored", len,
                STATEDIR_VALUE_MAX);
        return -E2BIG;
    }
    char sum[65];
    statedir_hash(value, len, sum);
    struct buf b;
    buf_init(&b, 0);
    (void)buf_addf(&b, "{\"key\":\"%s\",\"sha256\":\"%s\",\"time\":%lld,\"value\":", key, sum,
                   (long long)time(NULL));
    (void)buf_add_json_string(&b, value, len);
    (void)buf_adds(&b, "}\n");
    char *path = cache_path(sd, key);
    int rc = write_whole(sd, path, b.data, b.len);
    buf_release(&b);
    free(path);
    if (rc == 0)
        cache_trim(sd);
    return rc;
}

/* ---- dismissals ---- */

static void
dismissal_add(struct statedir *sd, const char *uri, const char *name, const char *code,
              const char *statement)
{
    /* one per (uri, name, code): a newer one replaces it */
    for (size_t i = 0; i < sd->ndis; i++) {
        struct dismissal *d = &sd->dis[i];
        if (strcmp(d->code, code) == 0 && strcmp(d->name, name) == 0 && strcmp(d->uri, uri) == 0) {
            free(d->uri);
            free(d->name);
            free(d->code);
            memmove(d, d + 1, (sd->ndis - i - 1) * sizeof *d);
            sd->ndis--;
            break;
        }
    }
    sd->dis = xreallocarray(sd->dis, sd->ndis + 1, sizeof *sd->dis);
    struct dismissal *d = &sd->dis[sd->ndis++];
    d->uri = xstrdup(uri);
    d->name = xstrdup(name);
    d->code = xstrdup(code);
    snprintf(d->statement, sizeof d->statement, "%s", statement);
}

static char *
dismissals_path(const struct statedir *sd)
{
    return xasprintf("%s/dismissed.jsonl", sd->dir);
}

/* Re-reads dismissed.jsonl when it is not the file read last (or force). */
static void
dismissals_load(struct statedir *sd, bool force)
{
    char *path = dismissals_path(sd);
    struct stat st;
    if (stat(path, &st) < 0) {
        if (errno != ENOENT)
            problem(sd, "cannot read %s: %s", path, strerror(errno));
        dismissals_clear(sd);
        sd->dis_seen = false;
        free(path);
        return;
    }
    if (!force && sd->dis_seen && st.st_dev == sd->dis_dev && st.st_ino == sd->dis_ino &&
        st.st_size == sd->dis_size && st.st_mtim.tv_sec == sd->dis_mtim.tv_sec &&
        st.st_mtim.tv_nsec == sd->dis_mtim.tv_nsec) {
        free(path);
        return;
    }
    dismissals_clear(sd);
    size_t len;
    int rc;
    char *text = read_all(path, DISMISSALS_FILE_MAX, &len, &rc, &st);
    if (text == NULL && rc != -ENOENT)
        problem(sd, "cannot read %s: %s; no dismissals in force", path, strerror(-rc));
    sd->dis_seen = text != NULL;
    sd->dis_dev = st.st_dev;
    sd->dis_ino = st.st_ino;
    sd->dis_size = st.st_size;
    sd->dis_mtim = st.st_mtim;
    size_t bad = 0;
    for (char *line = text, *next; line && *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        if (*line == '\0')
            continue;
        sd->nlines++;
        cJSON *o = cJSON_Parse(line);
        const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "uri"));
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name"));
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "code"));
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "statement"));
        if (u && n && c && s && is_key(s))
            dismissal_add(sd, u, n, c, s);
        else
            bad++;
        cJSON_Delete(o);
    }
    sd->bad_lines = bad;
    if (bad)
        problem(sd, "%s: %zu unreadable line%s skipped", path, bad, bad == 1 ? "" : "s");
    free(text);
    free(path);
}

static char *
dismissal_line(const char *uri, const char *name, const char *code, const char *statement)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "uri", uri);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "statement", statement);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *line = xasprintf("%s\n", s ? s : "{}");
    cJSON_free(s);
    return line;
}

/* Rewrites dismissed.jsonl from sd->dis (the newest STATEDIR_DISMISSALS_MAX); under lock. */
static int
dismissals_rewrite(struct statedir *sd)
{
    size_t from = sd->ndis > STATEDIR_DISMISSALS_MAX ? sd->ndis - STATEDIR_DISMISSALS_MAX : 0;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = from; i < sd->ndis; i++) {
        char *line =
            dismissal_line(sd->dis[i].uri, sd->dis[i].name, sd->dis[i].code, sd->dis[i].statement);
        (void)buf_adds(&b, line);
        free(line);
    }
    char *path = dismissals_path(sd);
    int rc = write_whole(sd, path, b.data ? b.data : "", b.len);
    buf_release(&b);
    free(path);
    dismissals_load(sd, true);
    return rc;
}

bool
statedir_dismissed(struct statedir *sd, const char *uri, const char *name, const char *code,
                   const char *statement_hash)
{
    dismissals_load(sd, false);
    for (size_t i = 0; i < sd->ndis; i++) {
        const struct dismissal *d = &sd->dis[i];
        if (strcmp(d->statement, statement_hash) == 0 && strcmp(d->code, code) == 0 &&
            strcmp(d->name, name) == 0 && strcmp(d->uri, uri) == 0)
            return true;
    }
    return false;
}

int
statedir_dismiss(struct statedir *sd, const char *uri, const char *name, const char *code,
                 const char *statement_hash)
{
    if (!is_key(statement_hash)) {
        problem(sd, "dismissal of %s for `%s`: the statement hash is not a SHA-256 in hex", code,
                name);
        return -EINVAL;
    }
    int lock = lock_take(sd);
    if (lock < 0)
        return lock;
    dismissals_load(sd, false);
    int rc = 0;
    if (statedir_dismissed(sd, uri, name, code, statement_hash)) {
        /* nothing to do */
    } else if (sd->bad_lines) {
        /* a damaged file (perhaps without a final newline): rewritten without its junk */
        dismissal_add(sd, uri, name, code, statement_hash);
        rc = dismissals_rewrite(sd);
    } else {
        char *path = dismissals_path(sd);
        char *line = dismissal_line(uri, name, code, statement_hash);
        rc = append_line(sd, path, line, strlen(line));
        free(line);
        free(path);
        if (rc == 0) {
            dismissals_load(sd, false);
            if (sd->nlines > 2 * sd->ndis + 64 || sd->ndis > STATEDIR_DISMISSALS_MAX)
                rc = dismissals_rewrite(sd);
        }
    }
    lock_release(lock);
    return rc;
}

int
statedir_dismissals_prune(struct statedir *sd, const char *uri, const char *name,
                          const char *statement_hash)
{
    dismissals_load(sd, false);
    bool any = false;
    for (size_t i = 0; i < sd->ndis && !any; i++)
        any = strcmp(sd->dis[i].uri, uri) == 0 && strcmp(sd->dis[i].name, name) == 0 &&
              (statement_hash == NULL || strcmp(sd->dis[i].statement, statement_hash) != 0);
    if (!any)
        return 0; /* the common case: no write at all */
    int lock = lock_take(sd);
    if (lock < 0)
        return lock;
    dismissals_load(sd, true);
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < sd->ndis; i++) {
        struct dismissal *d = &sd->dis[i];
        if (strcmp(d->uri, uri) == 0 && strcmp(d->name, name) == 0 &&
            (statement_hash == NULL || strcmp(d->statement, statement_hash) != 0)) {
            free(d->uri);
            free(d->name);
            free(d->code);
            removed++;
        } else {
            sd->dis[kept++] = *d;
        }
    }
    sd->ndis = kept;
    int rc = dismissals_rewrite(sd);
    lock_release(lock);
    return rc < 0 ? rc : (int)removed;
}

/* ---- the audit log ---- */

#define SECRETS_MAX 8
static char *secrets[SECRETS_MAX];

void
statedir_add_secret(const char *secret)
{
    if (secret == NULL || strlen(secret) < 8)
        return;
    for (int i = 0; i < SECRETS_MAX; i++) {
        if (secrets[i] == NULL) {
            secrets[i] = xstrdup(secret);
            return;
        }
        if (strcmp(secrets[i], secret) == 0)
            return;
    }
}

/* s with every occurrence of secret replaced by "***" (a new string), or NULL when none. */
static char *
replace_all(const char *s, const char *secret)
{
    size_t n = strlen(secret);
    if (n < 8 || strstr(s, secret) == NULL)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    for (const char *p; (p = strstr(s, secret)) != NULL; s = p + n) {
        (void)buf_add(&b, s, (size_t)(p - s));
        (void)buf_adds(&b, "***");
    }
    (void)buf_adds(&b, s);
    return buf_detach(&b, NULL);
}

/* Whether a member name says it holds a secret (apiKey, x-api-key, token, …). */
static bool
secret_name(const char *name)
{
    static const char *const words[] = {"key", "token", "secret", "password", "authorization"};
    for (size_t i = 0; name && i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        for (const char *p = name; strlen(p) >= n; p++)
            if (strncasecmp(p, words[i], n) == 0)
                return true;
    }
    return false;
}

/* Redacts and cuts every string of item (recursively, in place). */
static void
redact(cJSON *item)
{
    static const char *const envs[] = {"MARATHON_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"};
    for (cJSON *c = item->child; c; c = c->next)
        redact(c);
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return;
    if (secret_name(item->string)) {
        cJSON_SetValuestring(item, "***");
        return;
    }
    const char *all[SECRETS_MAX + 3];
    size_t n = 0;
    for (size_t i = 0; i < 3; i++)
        all[n++] = getenv(envs[i]);
    for (size_t i = 0; i < SECRETS_MAX && secrets[i]; i++)
        all[n++] = secrets[i];
    for (size_t i = 0; i < n; i++) {
        char *r = all[i] ? replace_all(item->valuestring, all[i]) : NULL;
        if (r) {
            cJSON_SetValuestring(item, r);
            free(r);
        }
    }
    size_t len = strlen(item->valuestring);
    if (len > STATEDIR_AUDIT_STRING_MAX) {
        size_t cut = STATEDIR_AUDIT_STRING_MAX;
        while (cut > 0 && ((unsigned char)item->valuestring[cut] & 0xC0) == 0x80)
            cut--;
        char *r = xasprintf("%.*s…(cut, %zu bytes)", (int)cut, item->valuestring, len);
        cJSON_SetValuestring(item, r);
        free(r);
    }
}

/* Renames audit.jsonl to audit.jsonl.1 when it has passed its cap (under lock). */
static void
audit_rotate(struct statedir *sd, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || st.st_size < STATEDIR_AUDIT_MAX)
        return;
    int lock = lock_take(sd);
    if (lock < 0)
        return;
    if (stat(path, &st) == 0 && st.st_size >= STATEDIR_AUDIT_MAX) { /* not rotated meanwhile */
        char *old = xasprintf("%s.1", path);
        if (rename(path, old) < 0)
            problem(sd, "cannot rotate %s: %s", path, strerror(errno));
        free(old);
    }
    lock_release(lock);
}

int
statedir_audit(struct statedir *sd, const char *event, const cJSON *fields)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40], secs[24];
    strftime(secs, sizeof secs, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when, sizeof when, "%s.%03dZ", secs, (int)(ts.tv_nsec / 1000000) % 1000);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "t", when);
    cJSON_AddStringToObject(o, "event", event);
    const cJSON *f;
    cJSON_ArrayForEach(f, fields)
    {
        if (f->string && strcmp(f->string, "t") != 0 && strcmp(f->string, "event") != 0)
            cJSON_AddItemToObject(o, f->string, cJSON_Duplicate(f, true));
    }
    redact(o);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (line == NULL)
        return -ENOMEM;
    char *path = xasprintf("%s/audit.jsonl", sd->dir);
    audit_rotate(sd, path);
    char *with_nl = xasprintf("%s\n", line);
    int rc = append_line(sd, path, with_nl, strlen(with_nl));
    free(with_nl);
    free(path);
    cJSON_free(line);
    return rc;
}
