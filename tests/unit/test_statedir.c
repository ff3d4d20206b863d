/* test_statedir: SHA-256 vectors, the review cache and dismissals across handles, corrupt
 * files (statedir.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lsp_client.h"
#include "statedir.h"
#include "tap.h"

int
main(void)
{
    /* SHA-256: FIPS 180-4 vectors */
    char h[65];
    statedir_hash("abc", 3, h);
    is_str(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");
    statedir_hash("", 0, h);
    is_str(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256('')");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    statedir_hash(m448, strlen(m448), h);
    is_str(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256(448 bits)");
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
    return done_testing();
}
