/* test_statedir: SHA-256 vectors, the review cache and dismissals across handles, corrupt
 * files (statedir.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lsp_client.h"
#include "statedir.h"
#include "tap.h"

static void
test_basics(void)
{
    /* SHA-256: FIPS 180-4 vectors */
    char h[65];
    statedir_hash("abc", 3, h);
    is_str(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");
    statedir_hash("", 0, h);
    is_str(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256('')");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    statedir_hash(m448, strlen(m448), h);
    is_str(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
           "sha256(448 bits)");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    statedir_hash(million, 1000000, h);
    is_str(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
           "sha256(a million a)");
    free(million);

    /* statedir: cache and dismissals across handles */
    char *dir = test_tmpdir();
    char sdpath[512], e2[256];
    snprintf(sdpath, sizeof sdpath, "%s/deep/state", dir);
    struct statedir *sd = statedir_open(sdpath, e2, sizeof e2);
    ok(sd != NULL, "open creates the directory and its parents");
    char key[65], stmt[65], stmt2[65];
    statedir_hash("k", 1, key);
    statedir_hash("statement 1", 11, stmt);
    statedir_hash("statement 2", 11, stmt2);
    ok(statedir_cache_get(sd, key) == NULL, "nothing cached yet");
    is_int(statedir_cache_put(sd, key, "{\"verdict\":\"faithful\"}", 22), 0, "put");
    ok(statedir_cache_put(sd, "../evil", "x", 1) < 0, "a key that is not a hash is refused");
    is_int(statedir_dismiss(sd, "file:///a.lean", "t", "review.too-weak", stmt), 0, "dismiss");
    ok(statedir_dismissed(sd, "file:///a.lean", "t", "review.too-weak", stmt), "dismissed");
    statedir_close(sd);
    sd = statedir_open(sdpath, e2, sizeof e2);
    char *got = sd ? statedir_cache_get(sd, key) : NULL;
    is_str(got, "{\"verdict\":\"faithful\"}", "a new handle reads the cache");
    free(got);
    ok(sd && statedir_dismissed(sd, "file:///a.lean", "t", "review.too-weak", stmt),
       "the dismissal survives");
    ok(sd && !statedir_dismissed(sd, "file:///a.lean", "t", "review.too-weak", stmt2),
       "not for another statement text");
    ok(sd && !statedir_dismissed(sd, "file:///a.lean", "t", "review.too-strong", stmt),
       "nor for another code");
    statedir_close(sd);
    /* a corrupt dismissal line is skipped */
    char path[600];
    snprintf(path, sizeof path, "%s/dismissed.jsonl", sdpath);
    FILE *f = fopen(path, "a");
    fputs("{not json\n{\"uri\":1}\n", f);
    fclose(f);
    sd = statedir_open(sdpath, e2, sizeof e2);
    ok(sd && statedir_dismissed(sd, "file:///a.lean", "t", "review.too-weak", stmt),
       "corrupt lines skipped, the good one kept");
    statedir_close(sd);
    /* a state dir that is a file */
    snprintf(path, sizeof path, "%s/plainfile", dir);
    test_write_file(path, "x");
    sd = statedir_open(path, e2, sizeof e2);
    ok(sd == NULL, "a file in the way: no handle");
    is_contains(e2, "cannot create", "and a reason");
    statedir_close(sd);
    free(dir);
}

static char *
path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    snprintf(p, strlen(dir) + strlen(name) + 2, "%s/%s", dir, name);
    return p;
}

static void
test_cache(void)
{
    char *dir = test_tmpdir(), e[256], key[65], other[65];
    struct statedir *sd = statedir_open(dir, e, sizeof e);
    statedir_hash("one", 3, key);
    statedir_hash("two", 3, other);
    const char *value = "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\","
                        "\"explanation\":\"ℕ subtraction \\\"truncates\\\"\\n\"}]}";
    is_int(statedir_cache_put(sd, key, value, strlen(value)), 0, "put a verdict");
    char *got = statedir_cache_get(sd, key);
    is_str(got, value, "read back byte for byte (quotes, escapes, UTF-8)");
    free(got);
    is_int(statedir_cache_put(sd, key, "{\"verdict\":\"faithful\"}", 22), 0, "put again");
    got = statedir_cache_get(sd, key);
    is_str(got, "{\"verdict\":\"faithful\"}", "the newer value replaces the older");
    free(got);
    struct stat st;
    ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "the state dir exists (0700)");

    /* corrupt entries: truncated, foreign, wrong checksum */
    char rel[128];
    snprintf(rel, sizeof rel, "review/%s.json", key);
    char *p = path_in(dir, rel);
    char *whole = test_read_file(p);
    ok(whole && strstr(whole, "\"sha256\""), "the entry carries its checksum");
    whole[strlen(whole) / 2] = '\0';
    test_write_file(p, whole);
    ok(statedir_cache_get(sd, key) == NULL, "a truncated entry is a miss");
    is_contains(statedir_last_problem(sd), "not JSON", "…reported");
    ok(access(p, F_OK) != 0, "…and removed");
    statedir_cache_put(sd, key, "abc", 3);
    snprintf(rel, sizeof rel, "review/%s.json", other);
    char *q = path_in(dir, rel);
    char *entry = test_read_file(p);
    test_write_file(q, entry);
    ok(statedir_cache_get(sd, other) == NULL, "an entry under another key's name is a miss");
    is_contains(statedir_last_problem(sd), "not a cache entry for its key", "…reported");
    char *flip = strstr(entry, "\"value\":\"abc\"");
    if (flip)
        flip[10] = 'X';
    test_write_file(p, entry);
    ok(statedir_cache_get(sd, key) == NULL, "a changed value fails its checksum");
    test_write_file(p, "");
    ok(statedir_cache_get(sd, key) == NULL, "an empty file (crash before a write) is a miss");
    free(entry);
    free(whole);
    free(q);

    /* bounds and refusals */
    char *big = malloc(STATEDIR_VALUE_MAX + 2);
    memset(big, 'x', STATEDIR_VALUE_MAX + 1);
    big[STATEDIR_VALUE_MAX + 1] = '\0';
    is_int(statedir_cache_put(sd, key, big, STATEDIR_VALUE_MAX + 1), -E2BIG, "over the cap");
    is_int(statedir_cache_put(sd, key, big, STATEDIR_VALUE_MAX), 0, "at the cap");
    got = statedir_cache_get(sd, key);
    ok(got && strlen(got) == STATEDIR_VALUE_MAX, "…read back whole");
    free(got);
    free(big);
    is_int(statedir_cache_put(sd, "ABC", "x", 1), -EINVAL, "a key that is not a hash");
    ok(statedir_cache_get(sd, "../../etc/passwd") == NULL, "a path as a key: a miss");
    is_int(statedir_cache_put(sd, key, "a\0b", 3), -E2BIG, "a NUL byte: not text");

    /* at most STATEDIR_CACHE_MAX entries, the oldest removed */
    char first[65];
    statedir_hash("entry 0", 7, first);
    for (int i = 0; i < STATEDIR_CACHE_MAX + 5; i++) {
        char k[65], t[32];
        snprintf(t, sizeof t, "entry %d", i);
        statedir_hash(t, strlen(t), k);
        statedir_cache_put(sd, k, t, strlen(t));
    }
    int n = 0;
    char *rd = path_in(dir, "review");
    DIR *d = opendir(rd);
    for (struct dirent *de; d && (de = readdir(d)) != NULL;)
        n += strstr(de->d_name, ".json") != NULL;
    if (d)
        closedir(d);
    ok(n <= STATEDIR_CACHE_MAX && n >= STATEDIR_CACHE_MAX - STATEDIR_CACHE_MAX / 10,
       "the cache is capped (%d entries)", n);
    got = statedir_cache_get(sd, first);
    ok(got == NULL, "the oldest entry went first");
    free(got);
    free(rd);
    free(p);
    statedir_close(sd);
    free(dir);
}

static int
count_lines(const char *path)
{
    char *t = test_read_file(path);
    int n = 0;
    for (char *c = t; c && *c; c++)
        n += *c == '\n';
    free(t);
    return n;
}

static void
test_dismissals(void)
{
    char *dir = test_tmpdir(), e[256], h1[65], h2[65];
    statedir_hash("theorem t : 0 < n", 17, h1);
    statedir_hash("theorem t : 0 ≤ n", 19, h2);
    struct statedir *a = statedir_open(dir, e, sizeof e), *b = statedir_open(dir, e, sizeof e);
    const char *u = "file:///p/Main.lean";
    ok(!statedir_dismissed(b, u, "t", "review.too-weak", h1), "nothing dismissed yet");
    is_int(statedir_dismiss(a, u, "t", "review.too-weak", h1), 0, "dismiss through handle a");
    ok(statedir_dismissed(b, u, "t", "review.too-weak", h1),
       "handle b sees it without reopening (the file changed)");
    ok(!statedir_dismissed(b, u, "t", "review.too-weak", h2), "a changed statement voids it");
    is_int(statedir_dismiss(a, u, "t", "review.quantifier", h1), 0, "a second code");
    is_int(statedir_dismiss(a, u, "t", "review.too-weak", h2), 0, "re-dismissed on the new text");
    ok(statedir_dismissed(a, u, "t", "review.too-weak", h2) &&
           !statedir_dismissed(a, u, "t", "review.too-weak", h1),
       "the newer dismissal replaces the void one");
    is_int(statedir_dismissals_prune(b, u, "t", h2), 1, "prune: the quantifier one is void");
    ok(!statedir_dismissed(a, u, "t", "review.quantifier", h1), "…gone for handle a too");
    ok(statedir_dismissed(a, u, "t", "review.too-weak", h2), "…the current one kept");
    is_int(statedir_dismissals_prune(b, u, "t", h2), 0, "pruning again removes nothing");
    is_int(statedir_dismiss(a, u, "s", "review.too-strong", h1), 0, "another node");
    is_int(statedir_dismissals_prune(a, u, "t", NULL), 1, "prune all of t");
    ok(statedir_dismissed(b, u, "s", "review.too-strong", h1), "s is untouched");
    statedir_close(a);
    statedir_close(b);

    /* restart, then a bounded file: flip-flopping dismissals are compacted */
    a = statedir_open(dir, e, sizeof e);
    ok(statedir_dismissed(a, u, "s", "review.too-strong", h1), "survives a restart");
    for (int i = 0; i < 300; i++)
        statedir_dismiss(a, u, "x", "review.too-weak", i % 2 ? h1 : h2);
    char *p = path_in(dir, "dismissed.jsonl");
    ok(count_lines(p) <= 2 * 2 + 64 + 1, "300 re-dismissals: the file is compacted (%d lines)",
       count_lines(p));
    ok(statedir_dismissed(a, u, "x", "review.too-weak", h1), "…the last one holds");
    is_int(statedir_dismiss(a, u, "x", "review.too-weak", "not-a-hash"), -EINVAL,
           "a bad statement hash is refused");

    /* corrupt lines and a corrupt file */
    FILE *f = fopen(p, "a");
    fputs("{not json\n{\"uri\":1}\n\xff\xfe\n", f);
    fclose(f);
    ok(statedir_dismissed(a, u, "s", "review.too-strong", h1), "corrupt lines skipped");
    is_contains(statedir_last_problem(a), "3 unreadable lines skipped", "…reported");
    test_write_file(p, "\x01\x02garbage without newline");
    ok(!statedir_dismissed(a, u, "s", "review.too-strong", h1), "a garbage file: none in force");
    is_int(statedir_dismiss(a, u, "s", "review.too-strong", h1), 0, "dismissing still works");
    ok(statedir_dismissed(a, u, "s", "review.too-strong", h1), "…and holds");
    free(p);
    statedir_close(a);

    /* two processes dismissing at once: every dismissal kept */
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            struct statedir *c = statedir_open(dir, e, sizeof e);
            for (int i = 0; i < 100; i++) {
                char name[32];
                snprintf(name, sizeof name, "n%d_%d", k, i);
                statedir_dismiss(c, u, name, "review.too-weak", h1);
            }
            statedir_close(c);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++)
        waitpid(kids[k], NULL, 0);
    a = statedir_open(dir, e, sizeof e);
    int held = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 100; i++) {
            char name[32];
            snprintf(name, sizeof name, "n%d_%d", k, i);
            held += statedir_dismissed(a, u, name, "review.too-weak", h1);
        }
    is_int(held, 200, "two processes, 100 dismissals each: all 200 kept");
    statedir_close(a);
    free(dir);
}

static void
test_audit(void)
{
    const char *key = "sk-test-4f9a1c2e7b8d0a3f6e5c";
    setenv("MARATHON_API_KEY", key, 1);
    statedir_add_secret("registered-secret-value");
    char *dir = test_tmpdir(), e[256];
    struct statedir *sd = statedir_open(dir, e, sizeof e);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "job", "7");
    cJSON_AddStringToObject(f, "message",
                            "HTTP 401 for Authorization: Bearer sk-test-4f9a1c2e7b8d0a3f6e5c");
    cJSON_AddStringToObject(f, "apiKey", "whatever it is");
    cJSON_AddStringToObject(f, "reply",
                            "echo registered-secret-value twice registered-secret-value");
    cJSON *nested = cJSON_AddObjectToObject(f, "request");
    cJSON_AddStringToObject(nested, "body", "key=sk-test-4f9a1c2e7b8d0a3f6e5c");
    is_int(statedir_audit(sd, "job.start", f), 0, "an audit line");
    is_int(statedir_audit(sd, "job.end", NULL), 0, "a line without fields");
    cJSON_Delete(f);
    char *p = path_in(dir, "audit.jsonl");
    char *text = test_read_file(p);
    ok(text && strstr(text, key) == NULL, "the key from the environment is not in the audit log");
    ok(text && strstr(text, "registered-secret-value") == NULL, "nor a registered secret");
    ok(text && strstr(text, "whatever it is") == NULL, "a member named like a key is redacted");
    is_contains(text, "\"message\":\"HTTP 401 for Authorization: Bearer ***\"",
                "redacted in place");
    is_contains(text, "\"event\":\"job.start\"", "the event");
    is_contains(text, "\"job\":\"7\"", "the fields");
    is_int(count_lines(p), 2, "one line per event");
    cJSON *line;
    char *nl = text ? strchr(text, '\n') : NULL;
    if (nl)
        *nl = '\0';
    line = text ? cJSON_Parse(text) : NULL;
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(line, "t"));
    ok(t && strlen(t) == 24 && t[10] == 'T' && t[23] == 'Z', "an ISO-8601 UTC time (%s)",
       t ? t : "none");
    cJSON_Delete(line);
    free(text);

    /* a long value is cut */
    char *big = malloc(STATEDIR_AUDIT_STRING_MAX + 100);
    memset(big, 'y', STATEDIR_AUDIT_STRING_MAX + 99);
    big[STATEDIR_AUDIT_STRING_MAX + 99] = '\0';
    f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "reply", big);
    statedir_audit(sd, "job.llm", f);
    cJSON_Delete(f);
    free(big);
    text = test_read_file(p);
    is_contains(text, "…(cut, 65635 bytes)", "a long value is cut and says so");
    free(text);
    statedir_close(sd);

    /* two processes appending at once: every line whole */
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            struct statedir *c = statedir_open(dir, e, sizeof e);
            char pad[4001];
            memset(pad, 'a' + k, 4000);
            pad[4000] = '\0';
            for (int i = 0; i < 300; i++) {
                cJSON *g = cJSON_CreateObject();
                cJSON_AddNumberToObject(g, "i", i);
                cJSON_AddStringToObject(g, "pad", pad);
                statedir_audit(c, "x", g);
                cJSON_Delete(g);
            }
            statedir_close(c);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++)
        waitpid(kids[k], NULL, 0);
    text = test_read_file(p);
    int whole = 0, lines = 0;
    for (char *s = text, *e2; s && *s; s = e2 + 1) {
        e2 = strchr(s, '\n');
        if (e2 == NULL)
            break;
        *e2 = '\0';
        lines++;
        cJSON *o = cJSON_Parse(s);
        const char *pad = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "pad"));
        whole += o && (pad == NULL || strlen(pad) == 4000);
        cJSON_Delete(o);
    }
    is_int(lines, 3 + 600, "two processes, 300 lines each: 600 more lines");
    is_int(whole, lines, "every line whole JSON");
    free(text);
    free(p);
    free(dir);
}

static void
test_unwritable(void)
{
    char *dir = test_tmpdir(), e[256], key[65];
    statedir_hash("k", 1, key);
    struct statedir *sd = statedir_open(dir, e, sizeof e);
    char *rv = path_in(dir, "review");
    chmod(rv, 0500);
    chmod(dir, 0500);
    if (geteuid() == 0) {
        skip("a read-only state dir refuses writes", "running as root (permissions ignored)");
        skip("…with a reason", "running as root");
        skip("…and the audit log too", "running as root");
    } else {
        ok(statedir_cache_put(sd, key, "v", 1) < 0, "a read-only state dir refuses writes");
        is_contains(statedir_last_problem(sd), "cannot write", "…with a reason");
        ok(statedir_audit(sd, "x", NULL) < 0, "…and the audit log too");
    }
    ok(statedir_cache_get(sd, key) == NULL, "reads still answer (a miss)");
    chmod(dir, 0700);
    chmod(rv, 0700);
    statedir_close(sd);
    /* a file where the review directory should be: writes fail, never crash */
    sd = statedir_open(dir, e, sizeof e);
    rmdir(rv);
    test_write_file(rv, "in the way");
    ok(statedir_cache_put(sd, key, "v", 1) < 0, "a file in the way: the put fails");
    is_contains(statedir_last_problem(sd), "cannot write", "…and says why");
    statedir_close(sd);
    free(rv);
    free(dir);
    statedir_close(NULL);
    ok(1, "statedir_close(NULL) is a no-op");
}

int
main(void)
{
    test_basics();
    test_cache();
    test_dismissals();
    test_audit();
    test_unwritable();
    return done_testing();
}
