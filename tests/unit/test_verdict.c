/* test_verdict: the reviewer's reply (verdict.h): found in prose and fences, parsed
 * strictly, bounded, and written back as canonical JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "textfile.h"
#include "verdict.h"

static struct verdict v;
static char err[VERDICT_ERR_MAX];

static int
parse(const char *text)
{
    verdict_release(&v);
    return verdict_parse(text, strlen(text), &v, err, sizeof err);
}

static void
fails(const char *text, const char *why, const char *what)
{
    int rc = parse(text);
    ok(rc < 0, "%s: a failure", what);
    is_contains(err, why, "%s: the reason", what);
    ok(strchr(err, '\n') == NULL && strlen(err) < VERDICT_ERR_MAX - 1, "%s: one line", what);
    ok(v.nfindings == 0 && v.findings == NULL, "%s: nothing to release", what);
}

static const char *
fexpl(size_t i)
{
    return i < v.nfindings ? v.findings[i].explanation : "(none)";
}

static const char *
sugg(size_t i)
{
    return i < v.nfindings && v.findings[i].suggestion ? v.findings[i].suggestion : "(none)";
}

static int
cat(size_t i)
{
    return i < v.nfindings ? (int)v.findings[i].category : -1;
}

static void
test_found(void)
{
    is_int(parse("{\"verdict\":\"faithful\",\"findings\":[]}"), 0, "bare faithful");
    ok(v.faithful && v.nfindings == 0 && v.findings == NULL, "faithful, no findings");
    is_str(err, "", "err is empty on success");
    is_int(parse("I checked it.\n```json\n{\"verdict\": \"faithful\"}\n```\nDone {"), 0,
           "fenced ```json, prose around, no findings member, a stray brace after");
    ok(v.faithful, "…faithful");
    is_int(parse("```\n{\"verdict\": \"faithful\", \"findings\": null}\n```"), 0,
           "an untagged fence; findings null");
    is_int(parse("{\"findings\":[],\"verdict\":\"faithful\",\"confidence\":0.9,"
                 "\"notes\":{\"a\":[1,{\"b\":2}]}}"),
           0, "members in any order, unknown members ignored");
    ok(v.faithful, "…faithful");

    const char *two = "Draft: {\"verdict\":\"faithful\",\"findings\":[]}\nOn reflection:\n"
                      "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-strong\","
                      "\"explanation\":\"drops h : 0 < n {sic}\",\"suggestion\":\"  \"},"
                      "{\"category\":\"review.quantifier\",\"explanation\":\" ∃ vs ∀ \","
                      "\"suggestion\":\"use ∀\"}]}";
    is_int(parse(two), 0, "two objects: parsed");
    ok(!v.faithful && v.nfindings == 2, "the last object decides");
    is_int(cat(0), VERDICT_TOO_STRONG, "category too-strong");
    is_str(fexpl(0), "drops h : 0 < n {sic}", "braces inside strings");
    ok(v.nfindings && v.findings[0].suggestion == NULL, "a blank suggestion is none");
    is_int(cat(1), VERDICT_QUANTIFIER, "a prefixed category is accepted");
    is_str(fexpl(1), "∃ vs ∀", "blanks trimmed at both ends");
    is_str(sugg(1), "use ∀", "the suggestion");

    is_int(parse("Answer: {\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\","
                 "\"explanation\":\"a \\\"quoted\\\" } brace and \\\\\"}]} and then "
                 "{\"other\": true}"),
           0, "escaped quotes and backslashes in strings; a later object without verdict");
    is_str(fexpl(0), "a \"quoted\" } brace and \\", "escapes decoded");

    is_int(parse("He said \"look at {x | x > 0}\" and {\"verdict\":\"faithful\"}"), 0,
           "prose quotes and a set-builder in braces before the object");
    is_int(parse("the set {x : ℕ | \"odd quote } then {\"verdict\":\"faithful\"}"), 0,
           "an odd quote in a prose brace does not hide the object");
    is_int(parse("{ not json } {\"verdict\":\"faithful\"}"), 0, "a non-JSON brace pair first");
    is_int(parse("{ here it is: {\"verdict\":\"faithful\"} }"), 0,
           "an object inside a non-JSON brace pair is found");
    is_int(parse("{\"verdict\":\"faithful\"}\n{\"verdict\":\"unfaithful\",\"findings\":"
                 "[{\"category\":\"vacuous-hypothesis\",\"explanation\":\"h1 and h2 contradict"
                 "\"}]}\ntrailing garbage ]]} \" {"),
           0, "several objects and trailing garbage");
    ok(!v.faithful && cat(0) == VERDICT_VACUOUS_HYPOTHESIS, "the last one with a verdict");

    is_int(parse("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"mismatched-object\","
                 "\"explanation\":\"`tsum` of a non-summable series is 0 \\u2014 ∑' n, 1/n "
                 "is 0\",\"suggestion\":\"HasSum (fun n => 1/n) s → …\"}]}"),
           0, "unicode, raw and escaped");
    is_str(fexpl(0), "`tsum` of a non-summable series is 0 — ∑' n, 1/n is 0", "…decoded");
    is_str(sugg(0), "HasSum (fun n => 1/n) s → …", "…and in the suggestion");
    is_int(parse("\xEF\xBB\xBF{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":"
                 "\"missing-hypothesis\",\"explanation\":\"bad \xFF\xFE bytes\",\"suggestion\":"
                 "null}]}"),
           0, "a BOM, invalid UTF-8 in a string, a null suggestion");
    is_str(fexpl(0), "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes", "invalid bytes become U+FFFD");
    ok(v.nfindings && v.findings[0].suggestion == NULL, "null suggestion is none");
    is_int(parse("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"wrong-conclusion\","
                 "\"explanation\":\"line one\\nline two\"}]}"),
           0, "a multi-line explanation");
    is_str(fexpl(0), "line one\nline two", "…kept as written");
    is_int(parse("```json\r\n{\r\n  \"verdict\": \"faithful\",\r\n  \"findings\": []\r\n}\r\n```"),
           0, "CRLF and pretty-printed");
    is_int(parse("[{\"verdict\":\"faithful\"}] x"), 0,
           "an array around the object (arrays are "
           "prose to the search)");
    is_int(parse("{\"verdict\":\"faithful\",\"verdict\":\"faithful\"}"), 0,
           "a repeated member (cJSON takes the first)");
}

static void
test_failures(void)
{
    fails("", "no JSON object with a \"verdict\" in the reply", "an empty reply");
    fails("Looks right to me.", "no JSON object with a \"verdict\" in the reply", "prose only");
    fails("{\"verdict\":\"faithful\"", "no JSON object", "truncated JSON");
    fails("```json\n{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\","
          "\"explanation\":\"cut he",
          "no JSON object", "truncated mid-string");
    fails("{\"a\": 1} and {\"b\": [2]}", "in the reply (its JSON objects have none)",
          "objects without a verdict");
    fails("{\"review\": {\"verdict\": \"faithful\"}}", "(its JSON objects have none)",
          "a verdict nested in another object is not top-level");
    fails("{verdict: faithful}", "no JSON object with a \"verdict\" in the reply",
          "not JSON (bare words)");
    fails("{\"verdict\":\"faithful\",}", "no JSON object", "a trailing comma");
    fails("{\"verdict\":\"maybe\",\"findings\":[]}",
          "unknown verdict \"maybe\" (expected \"faithful\" or \"unfaithful\")", "unknown verdict");
    fails("{\"verdict\":\"Faithful\"}", "unknown verdict \"Faithful\"", "case matters");
    fails("{\"verdict\":\"faithful\"}\n{\"verdict\":\"maybe\"}", "unknown verdict",
          "the last answer is checked even when an earlier one is valid");
    fails("{\"verdict\":\"line\\nbreak and a very long value that goes on and on and on\"}",
          "unknown verdict \"line break and a very long value that go…\"",
          "a quoted value is one line and cut");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[]}", "\"unfaithful\" with no findings",
          "unfaithful, no findings");
    fails("{\"verdict\":\"unfaithful\"}", "\"unfaithful\" with no findings",
          "unfaithful, findings absent");
    fails("{\"verdict\":\"unfaithful\",\"findings\":null}", "with no findings",
          "unfaithful, findings null");
    fails("{\"verdict\":\"faithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":"
          "\"x\"}]}",
          "\"faithful\" with 1 finding: contradictory", "faithful with findings");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"style\",\"explanation\":"
          "\"x\"}]}",
          "finding 1: unknown category \"style\" (expected one of too-weak,", "unknown category");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"coverage\",\"explanation\":"
          "\"x\"}]}",
          "unknown category \"coverage\"", "coverage is the proxy's code, not a category");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"Too-Weak\",\"explanation\":"
          "\"x\"}]}",
          "unknown category", "category case matters");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\"}]}",
          "finding 1 has no explanation", "no explanation");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":"
          "\"a\"},{\"category\":\"too-weak\",\"explanation\":\" \\n \"}]}",
          "finding 2 has no explanation", "a blank explanation");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":"
          "\"a\"},7]}",
          "finding 2 is not an object", "a finding that is not an object");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"explanation\":\"a\"}]}",
          "finding 1 has no category", "no category");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":3,\"explanation\":\"a\"}]}",
          "finding 1: \"category\" is not a string", "category of the wrong type");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"quantifier\","
          "\"explanation\":[\"a\"]}]}",
          "finding 1: \"explanation\" is not a string", "explanation of the wrong type");
    fails("{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"quantifier\","
          "\"explanation\":\"a\",\"suggestion\":{}}]}",
          "finding 1: \"suggestion\" is not a string", "suggestion of the wrong type");
    fails("{\"verdict\":true}", "\"verdict\" is not a string", "verdict of the wrong type");
    fails("{\"verdict\":null}", "\"verdict\" is not a string", "verdict null");
    fails("{\"verdict\":\"unfaithful\",\"findings\":{}}", "\"findings\" is not an array",
          "findings of the wrong type");
}

static void
test_bounds(void)
{
    /* a long explanation: cut at a character boundary */
    struct buf_like {
        char *s;
        size_t n;
    } t;
    size_t big = 5000;
    t.s = malloc(big * 2 + 200);
    t.n = (size_t)snprintf(t.s, 200,
                           "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":"
                           "\"too-weak\",\"explanation\":\"x");
    for (size_t i = 0; i < big; i++) {
        memcpy(t.s + t.n, "é", 2);
        t.n += 2;
    }
    memcpy(t.s + t.n, "\"}]}", 5);
    is_int(parse(t.s), 0, "a long explanation parses");
    ok(strlen(fexpl(0)) <= VERDICT_MAX_TEXT + 3, "capped at %d bytes (+ …)", VERDICT_MAX_TEXT);
    ok(strlen(fexpl(0)) >= VERDICT_MAX_TEXT - 2, "…and not much shorter");
    is_contains(fexpl(0), "é…", "cut at a character boundary, … appended");
    is_int(textfile_invalid_utf8(fexpl(0), strlen(fexpl(0))), strlen(fexpl(0)),
           "the cut text is valid UTF-8");
    free(t.s);

    /* many findings: all checked, the first VERDICT_MAX_FINDINGS kept */
    char *many = malloc(64 * 100 + 100);
    size_t n = (size_t)snprintf(many, 100, "{\"verdict\":\"unfaithful\",\"findings\":[");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(many + n, 100,
                              "%s{\"category\":\"too-weak\",\"explanation\":"
                              "\"f%d\"}",
                              i ? "," : "", i + 1);
    memcpy(many + n, "]}", 3);
    is_int(parse(many), 0, "40 findings parse");
    is_int(v.nfindings, VERDICT_MAX_FINDINGS, "the first VERDICT_MAX_FINDINGS are kept");
    is_int(v.dropped, 40 - VERDICT_MAX_FINDINGS, "the rest are counted as dropped");
    is_str(fexpl(0), "f1", "in order");
    const char *bad = ",{\"category\":\"nope\",\"explanation\":\"x\"}]}";
    memcpy(many + n, bad, strlen(bad) + 1);
    fails(many, "finding 41: unknown category \"nope\"", "a bad finding past the cap still fails");
    free(many);

    /* huge and adversarial inputs: bounded work */
    size_t nb = 200000;
    char *braces = malloc(nb + 1);
    memset(braces, '{', nb);
    braces[nb] = '\0';
    fails(braces, "no JSON object", "200,000 open braces");
    for (size_t i = 0; i < nb; i += 2)
        braces[i] = '"';
    fails(braces, "no JSON object", "200,000 alternating quotes and braces");
    free(braces);
    size_t nh = VERDICT_MAX_REPLY - 100;
    char *huge = malloc(nh + 1);
    memset(huge, 'a', nh);
    const char *tail = "{\"verdict\":\"faithful\"}";
    memcpy(huge + nh - strlen(tail), tail, strlen(tail));
    huge[nh] = '\0';
    is_int(parse(huge), 0, "a 1 MiB reply with the object at its end");
    for (size_t i = 0; i + 8 < nh - 100; i += 8)
        memcpy(huge + i, "{\"a\":[1,", 8);
    fails(huge, "the search stopped at byte",
          "a 1 MiB reply of unterminated objects, then "
          "the answer: the search gives up and says so");
    free(huge);
    char *stray = malloc(100 * 60 + 100);
    size_t ns = 0;
    for (int i = 0; i < 100; i++)
        ns += (size_t)snprintf(stray + ns, 80, "the set {x | x > %d and some more prose here\n", i);
    memcpy(stray + ns, tail, strlen(tail) + 1);
    is_int(parse(stray), 0, "100 unbalanced prose braces before the answer (6 KB): found");
    free(stray);
    char *over = malloc(VERDICT_MAX_REPLY + 2);
    memset(over, ' ', VERDICT_MAX_REPLY + 1);
    over[VERDICT_MAX_REPLY + 1] = '\0';
    fails(over, "the reply is too long", "over VERDICT_MAX_REPLY");
    free(over);
    char small[8];
    ok(verdict_parse("nothing", 7, &v, small, sizeof small) < 0 && strlen(small) == 7,
       "a small err buffer: cut, NUL-terminated");
    ok(verdict_parse("nothing", 7, &v, NULL, 0) < 0, "no err buffer at all");
    ok(verdict_parse(NULL, 0, &v, err, sizeof err) < 0, "NULL text of length 0");
}

static void
test_json_and_codes(void)
{
    is_int(parse("x {\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"review.too-weak\","
                 "\"explanation\":\" needs \\\"n > 0\\\"\\n \",\"suggestion\":\"∀ n > 0\"},"
                 "{\"category\":\"mismatched-object\",\"explanation\":\"range\"}]} y"),
           0, "a verdict to write back");
    char *j = verdict_to_json(&v);
    is_str(j,
           "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\",\"explanation\":"
           "\"needs \\\"n > 0\\\"\",\"suggestion\":\"∀ n > 0\"},{\"category\":\"mismatched-"
           "object\",\"explanation\":\"range\"}]}",
           "canonical JSON");
    struct verdict w = {0};
    ok(verdict_parse(j, strlen(j), &w, err, sizeof err) == 0, "it parses back");
    bool same = w.faithful == v.faithful && w.nfindings == v.nfindings;
    for (size_t i = 0; same && i < w.nfindings; i++)
        same = w.findings[i].category == v.findings[i].category &&
               strcmp(w.findings[i].explanation, v.findings[i].explanation) == 0 &&
               !w.findings[i].suggestion == !v.findings[i].suggestion;
    ok(same, "to the same verdict");
    verdict_release(&w);
    verdict_release(&w);
    ok(w.findings == NULL, "releasing twice is harmless");
    free(j);
    parse("{\"verdict\":\"faithful\"}");
    j = verdict_to_json(&v);
    is_str(j, "{\"verdict\":\"faithful\",\"findings\":[]}", "faithful written back");
    free(j);

    static const char *const names[] = {
        "too-weak",           "too-strong",       "quantifier",       "missing-hypothesis",
        "vacuous-hypothesis", "wrong-conclusion", "mismatched-object"};
    bool all = true;
    for (int i = 0; i < VERDICT_NCATEGORIES; i++) {
        char code[64];
        snprintf(code, sizeof code, "review.%s", names[i]);
        all = all && strcmp(verdict_category_name((enum verdict_category)i), names[i]) == 0 &&
              strcmp(verdict_code((enum verdict_category)i), code) == 0 &&
              verdict_category_parse(names[i]) == i && verdict_category_parse(code) == i;
    }
    ok(all, "all seven categories: name, code and both inverses");
    is_str(verdict_code(VERDICT_VACUOUS_HYPOTHESIS), "review.vacuous-hypothesis", "a code");
    is_str(verdict_code(VERDICT_NCATEGORIES), "review.unknown", "out of range");
    is_int(verdict_category_parse("nope"), -1, "unknown name");
    is_int(verdict_category_parse("review.coverage"), -1, "review.coverage is no category");
    is_int(verdict_category_parse("review."), -1, "the bare prefix");
    is_int(verdict_category_parse(NULL), -1, "NULL");
}

int
main(void)
{
    test_found();
    test_failures();
    test_bounds();
    test_json_and_codes();
    verdict_release(&v);
    return done_testing();
}
