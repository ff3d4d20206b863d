/* verdict: the reviewer's reply, found in prose and fences, parsed strictly; statedir:
 * SHA-256 vectors, the cache and dismissals across handles, corrupt files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lsp_client.h"
#include "statedir.h"
#include "tap.h"
#include "verdict.h"

static int
parse(const char *text, struct verdict *v, char *err)
{
    return verdict_parse(text, strlen(text), v, err, 256);
}

static void
fails(const char *text, const char *why, const char *what)
{
    struct verdict v;
    char err[256];
    int rc = parse(text, &v, err);
    ok(rc < 0, "%s: a failure", what);
    is_contains(err, why, "%s: the reason", what);
    if (rc == 0)
        verdict_release(&v);
}

int
main(void)
{
    struct verdict v;
    char err[256];

    ok(parse("{\"verdict\":\"faithful\",\"findings\":[]}", &v, err) == 0 && v.faithful &&
           v.nfindings == 0,
       "bare faithful");
    verdict_release(&v);
    ok(parse("I checked it.\n```json\n{\"verdict\": \"faithful\"}\n```\nDone {", &v, err) == 0 &&
           v.faithful,
       "fenced, prose around, no findings member, a stray brace after");
    verdict_release(&v);
    const char *two = "Draft: {\"verdict\":\"faithful\",\"findings\":[]}\nOn reflection:\n"
                      "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-strong\","
                      "\"explanation\":\"drops h : 0 < n {sic}\",\"suggestion\":\"  \"},"
                      "{\"category\":\"review.quantifier\",\"explanation\":\" ∃ vs ∀ \","
                      "\"suggestion\":\"use ∀\"}]}";
    ok(parse(two, &v, err) == 0, "two objects: parsed");
    ok(!v.faithful && v.nfindings == 2, "the last object decides");
    if (v.nfindings == 2) {
        is_int(v.findings[0].category, VERDICT_TOO_STRONG, "category too-strong");
        is_str(v.findings[0].explanation, "drops h : 0 < n {sic}", "braces inside strings");
        ok(v.findings[0].suggestion == NULL, "a blank suggestion is none");
        is_int(v.findings[1].category, VERDICT_QUANTIFIER, "a prefixed category is accepted");
        is_str(v.findings[1].explanation, "∃ vs ∀ ", "leading blanks trimmed");
        is_str(v.findings[1].suggestion, "use ∀", "the suggestion");
    }
    verdict_release(&v);

    fails("Looks right to me.", "no JSON object", "prose only");
    fails("{\"verdict\":\"faithful\"", "no JSON object", "truncated JSON");
    fails("{\"verdict\":\"maybe\",\"findings\":[]}", "unknown verdict \"maybe\"", "unknown verdict");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[]}", "with no findings", "unfaithful, no findings");
    fails("{\"verdict\":\"faithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":\"x\"}]}",
          "contradictory", "faithful with findings");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"style\",\"explanation\":\"x\"}]}",
          "unknown category \"style\"", "unknown category");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\"}]}",
          "finding 1 has no explanation", "no explanation");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":\"a\"},7]}",
          "finding 2 is not an object", "a finding that is not an object");
    fails("{\"verdict\":true}", "not a string", "verdict of the wrong type");
    fails("{\"verdict\":\"unfaithful\",\"findings\":{}}", "not an array", "findings of the wrong type");

    /* caps */
    size_t big = 5000;
    char *longtext = malloc(big + 200);
    strcpy(longtext, "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":\"");
    size_t at = strlen(longtext);
    for (size_t i = 0; i < big / 2; i++) {
        memcpy(longtext + at, "é", 2);
        at += 2;
    }
    strcpy(longtext + at, "\"}]}");
    ok(parse(longtext, &v, err) == 0, "a long explanation parses");
    ok(v.nfindings == 1 && strlen(v.findings[0].explanation) <= VERDICT_MAX_TEXT + 3,
       "capped at %d bytes", VERDICT_MAX_TEXT);
    ok(v.nfindings == 1 && strstr(v.findings[0].explanation, "é…") != NULL,
       "cut at a character boundary, … appended");
    verdict_release(&v);
    free(longtext);
    char *braces = malloc(200001);
    memset(braces, '{', 200000);
    braces[200000] = '\0';
    fails(braces, "no JSON object", "200,000 open braces: bounded work, a failure");
    free(braces);
    is_str(verdict_code(VERDICT_VACUOUS_HYPOTHESIS), "review.vacuous-hypothesis", "codes");
    is_int(verdict_category_parse("mismatched-object"), VERDICT_MISMATCHED_OBJECT, "names");
    is_int(verdict_category_parse("nope"), -1, "unknown name");

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
