/*
 * statedir: the proxy's files under <stateDir> (statedir.h).
 */
#include "statedir.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

struct dismissal {
    char *uri, *name, *code;
    char statement[65];
};

struct statedir {
    char *dir;
    struct dismissal *dis;
    size_t ndis;
};

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
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
        uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
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
            rc = -1;
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
    size_t n = strlen(key);
    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
            return false;
    return true;
}

static char *
read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct buf b;
    buf_init(&b, 4096);
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            buf_add(&b, chunk, (size_t)n);
    close(fd);
    if (n < 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, len);
}

static int
write_whole(const char *path, const char *data, size_t len)
{
    char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = -1;
    if (fd >= 0) {
        size_t off = 0;
        while (off < len) {
            ssize_t n = write(fd, data + off, len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            off += (size_t)n;
        }
        if (close(fd) == 0 && off == len && rename(tmp, path) == 0)
            rc = 0;
    }
    if (rc < 0) {
        log_warn("statedir", "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

static void
dismissal_add(struct statedir *sd, const char *uri, const char *name, const char *code,
              const char *statement)
{
    sd->dis = xreallocarray(sd->dis, sd->ndis + 1, sizeof *sd->dis);
    struct dismissal *d = &sd->dis[sd->ndis++];
    d->uri = xstrdup(uri);
    d->name = xstrdup(name);
    d->code = xstrdup(code);
    snprintf(d->statement, sizeof d->statement, "%s", statement);
}

static void
load_dismissals(struct statedir *sd)
{
    char *path = xasprintf("%s/dismissed.jsonl", sd->dir);
    size_t len;
    char *text = read_all(path, &len);
    int bad = 0;
    for (char *line = text, *next; line && *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        if (*line == '\0')
            continue;
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
    if (bad)
        log_warn("statedir", "%s: %d unreadable line%s skipped", path, bad, bad == 1 ? "" : "s");
    free(text);
    free(path);
}

struct statedir *
statedir_open(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    char *review = xasprintf("%s/review", dir);
    if (mkdirs(review) < 0 || stat(review, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot create %s: %s", review, strerror(errno));
        free(review);
        return NULL;
    }
    free(review);
    struct statedir *sd = xcalloc(1, sizeof *sd);
    sd->dir = xstrdup(dir);
    load_dismissals(sd);
    return sd;
}

void
statedir_close(struct statedir *sd)
{
    if (sd == NULL)
        return;
    for (size_t i = 0; i < sd->ndis; i++) {
        free(sd->dis[i].uri);
        free(sd->dis[i].name);
        free(sd->dis[i].code);
    }
    free(sd->dis);
    free(sd->dir);
    free(sd);
}

char *
statedir_cache_get(struct statedir *sd, const char *key)
{
    if (!is_key(key))
        return NULL;
    char *path = xasprintf("%s/review/%s.json", sd->dir, key);
    size_t len;
    char *text = read_all(path, &len);
    free(path);
    if (text && (len == 0 || memchr(text, '\0', len))) { /* truncated or not text */
        free(text);
        return NULL;
    }
    return text;
}

int
statedir_cache_put(struct statedir *sd, const char *key, const char *value, size_t len)
{
    if (!is_key(key))
        return -1;
    char *path = xasprintf("%s/review/%s.json", sd->dir, key);
    int rc = write_whole(path, value, len);
    free(path);
    return rc;
}

bool
statedir_dismissed(const struct statedir *sd, const char *uri, const char *name,
                   const char *code, const char *statement_hash)
{
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
    if (!is_key(statement_hash))
        return -1;
    if (statedir_dismissed(sd, uri, name, code, statement_hash))
        return 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "uri", uri);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "statement", statement_hash);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *path = xasprintf("%s/dismissed.jsonl", sd->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = -1;
    if (line && fd >= 0) {
        size_t n = strlen(line);
        line[n] = '\0';
        char *with_nl = xasprintf("%s\n", line);
        rc = write(fd, with_nl, n + 1) == (ssize_t)(n + 1) ? 0 : -1;
        free(with_nl);
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        log_warn("statedir", "cannot append to %s: %s", path, strerror(errno));
    else
        dismissal_add(sd, uri, name, code, statement_hash);
    free(path);
    cJSON_free(line);
    return rc;
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
        if (f->string)
            cJSON_AddItemToObject(o, f->string, cJSON_Duplicate(f, true));
    }
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (line == NULL)
        return -1;
    char *path = xasprintf("%s/audit.jsonl", sd->dir);
    char *with_nl = xasprintf("%s\n", line);
    size_t n = strlen(with_nl);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = fd >= 0 && write(fd, with_nl, n) == (ssize_t)n ? 0 : -1;
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        log_warn("statedir", "cannot append to %s: %s", path, strerror(errno));
    free(with_nl);
    free(path);
    cJSON_free(line);
    return rc;
}
