/* Unit tests for src/diagnostics.c: full and incremental sets, merge with own sets. */
#include <cjson/cJSON.h>
#include <string.h>

#include "buf.h"
#include "diagnostics.h"
#include "tap.h"

static int
publish(struct diagnostics *d, const char *params)
{
    struct jspan v;
    jscan_validate(params, strlen(params), &v, NULL);
    return diagnostics_lean_publish(d, v, NULL, NULL);
}

static int
merged_count(struct diagnostics *d, const char *uri, char *messages, size_t cap)
{
    struct buf b;
    buf_init(&b, 0);
    diagnostics_write_publish(d, uri, &b);
    cJSON *j = cJSON_Parse(b.data);
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "params"), "diagnostics");
    int n = cJSON_GetArraySize(arr);
    messages[0] = '\0';
    cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "message");
        strncat(messages, m ? m->valuestring : "?", cap - strlen(messages) - 2);
        strcat(messages, ";");
    }
    cJSON_Delete(j);
    buf_release(&b);
    return n;
}

#define D(msg, sev, line) \
    "{\"range\":{\"start\":{\"line\":" #line ",\"character\":8},\"end\":{\"line\":" #line ",\"character\":11}},\"severity\":" #sev ",\"message\":\"" msg "\"}"

int
main(void)
{
    struct diagnostics *d = diagnostics_new();
    char msgs[1024];
    const char *u = "file:///a.lean";
    is_int(publish(d, "{\"uri\":\"file:///a.lean\",\"version\":1,\"diagnostics\":[" D("one", 1, 1) "]}"), 0, "publish");
    is_int(merged_count(d, u, msgs, sizeof msgs), 1, "full set");
    publish(d, "{\"uri\":\"file:///a.lean\",\"version\":1,\"isIncremental\":true,\"diagnostics\":[" D("two", 2, 2) "]}");
    is_int(merged_count(d, u, msgs, sizeof msgs), 2, "incremental batch appended");
    is_str(msgs, "one;two;", "order kept");
    publish(d, "{\"uri\":\"file:///a.lean\",\"version\":2,\"isIncremental\":false,\"diagnostics\":[" D("three", 1, 3) "]}");
    is_int(merged_count(d, u, msgs, sizeof msgs), 1, "isIncremental false replaces");
    ok(diagnostics_set_own(d, u, "marathon", "[" D("ours", 1, 0) "]"), "own set changed");
    ok(!diagnostics_set_own(d, u, "marathon", "[" D("ours", 1, 0) "]"), "same own set: no change");
    is_int(merged_count(d, u, msgs, sizeof msgs), 2, "merged with own set");
    is_str(msgs, "three;ours;", "Lean's first, then ours");
    publish(d, "{\"uri\":\"file:///a.lean\",\"version\":3,\"diagnostics\":[]}");
    is_int(merged_count(d, u, msgs, sizeof msgs), 1, "Lean cleared, ours stay");
    diagnostics_set_own(d, u, "marathon", NULL);
    is_int(merged_count(d, u, msgs, sizeof msgs), 0, "all cleared");
    ok(publish(d, "{\"uri\":3,\"diagnostics\":[]}") < 0, "bad uri refused");
    publish(d, "{\"uri\":\"file:///w.lean\",\"diagnostics\":[ ]}");
    publish(d, "{\"uri\":\"file:///w.lean\",\"isIncremental\":true,\"diagnostics\":[ " D("w1", 1, 1) " ,\n " D("w2", 1, 2) " ]}");
    publish(d, "{\"uri\":\"file:///w.lean\",\"isIncremental\":true,\"diagnostics\":[\n]}");
    is_int(merged_count(d, "file:///w.lean", msgs, sizeof msgs), 2, "white space inside arrays: items kept, merged set valid");
    is_str(msgs, "w1;w2;", "both items, in order");
    is_int(diagnostics_lean_count(d, "file:///w.lean"), 2, "count");

    publish(d, "{\"uri\":\"file:///b.lean\",\"version\":1,\"diagnostics\":["
               "{\"range\":{\"start\":{\"line\":4,\"character\":8},\"end\":{\"line\":4,\"character\":15}},"
               "\"fullRange\":{\"start\":{\"line\":4,\"character\":8},\"end\":{\"line\":9,\"character\":2}},"
               "\"severity\":2,\"message\":\"declaration uses `sorry`\"},"
               D("unsolved goals", 1, 6) "]}");
    size_t n;
    bool known;
    const struct lean_diag *v = diagnostics_lean_view(d, "file:///b.lean", &n, &known);
    ok(known && n == 2, "view of Lean's set");
    ok(v && v[0].is_sorry && v[0].range.end.line == 9, "sorry warning detected, fullRange used");
    ok(v && !v[1].is_sorry && v[1].severity == 1, "error kept");
    diagnostics_lean_view(d, "file:///c.lean", &n, &known);
    ok(!known, "unknown uri");

    ok(diagnostics_is_sorry_message("declaration uses 'sorry'"), "quote form");
    ok(diagnostics_is_sorry_message("declaration uses `sorry`"), "backtick form");
    ok(diagnostics_is_sorry_message("declaration `foo.bar` uses `sorry`"), "named form");
    ok(!diagnostics_is_sorry_message("unknown identifier 'sorry'"), "other messages");
    diagnostics_free(d);
    return done_testing();
}
