/* Unit tests for src/config.c: nesting, overrides, wrong types, unknown keys. */
#include <cjson/cJSON.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "tap.h"

int
main(void)
{
    struct config c;
    struct buf problems;
    buf_init(&problems, 0);
    config_init(&c);
    is_int(c.llm_timeout_ms, 120000, "default timeout");
    is_int(c.agents_max_parallel, 4, "default maxParallel");
    is_str(c.agents_tactics[0], "rfl", "default tactics");
    ok(c.on_save == CONFIG_ON_SAVE_TACTICS, "default onSave");
    ok(!c.agents_allow_native_decide, "native_decide refused by default");
    const char *j = "{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:11434/v1\"},"
                    "\"agents\":{\"autoApply\":true,\"allowNativeDecide\":true,\"tactics\":[\"simp\"]},\"onSave\":\"agent\","
                    "\"blueprint\":{\"profile\":\"strict\"},\"mystery\":1}";
    int n = config_apply_text(&c, j, strlen(j), "test", &problems);
    is_int(n, 0, "no problems");
    is_str(c.llm_provider, "openai", "nested provider");
    is_str(c.llm_base_url, "http://127.0.0.1:11434/v1", "nested baseUrl");
    ok(c.agents_auto_apply, "autoApply");
    ok(c.agents_allow_native_decide, "allowNativeDecide");
    ok(c.agents_tactics[0] && strcmp(c.agents_tactics[0], "simp") == 0 && !c.agents_tactics[1],
       "tactics replaced");
    ok(c.on_save == CONFIG_ON_SAVE_AGENT, "onSave");
    ok(c.blueprint_profile == BP_PROFILE_STRICT, "profile");
    const char *bad = "{\"llm\":{\"timeoutMs\":\"soon\"},\"agents\":{\"maxParallel\":2}}";
    n = config_apply_text(&c, bad, strlen(bad), "test2", &problems);
    is_int(n, 1, "one wrong type reported");
    is_int(c.llm_timeout_ms, 120000, "wrong type keeps the previous value");
    is_int(c.agents_max_parallel, 2, "other values still applied");
    is_contains(problems.data, "llm.timeoutMs", "problem names the key");
    n = config_apply_text(&c, "{oops", 5, "test3", &problems);
    is_int(n, 1, "malformed source reported");
    is_int(c.agents_max_parallel, 2, "malformed source applies nothing");
    is_str(config_llm_provider(&c), "openai", "provider in force");

    /* null names no value, whatever the type; a null group too. */
    const char *nulls = "{\"llm\":{\"provider\":null,\"baseUrl\":null,\"timeoutMs\":null},"
                        "\"agents\":{\"maxParallel\":null,\"tactics\":null,\"autoApply\":null},"
                        "\"review\":{\"enabled\":null},\"onSave\":null,\"blueprint\":null}";
    n = config_apply_text(&c, nulls, strlen(nulls), "nulls", &problems);
    is_int(n, 0, "nulls are not problems");
    is_str(c.llm_provider, "openai", "null string keeps the value");
    is_str(c.llm_base_url, "http://127.0.0.1:11434/v1", "null baseUrl keeps the value");
    is_int(c.agents_max_parallel, 2, "null number keeps the value");
    ok(c.agents_tactics[0] && strcmp(c.agents_tactics[0], "simp") == 0, "null array keeps the value");
    ok(c.agents_auto_apply, "null bool keeps the value");
    is_int(c.review_enabled, -1, "null tristate keeps the default");
    ok(c.on_save == CONFIG_ON_SAVE_AGENT, "null onSave keeps the value");
    ok(c.blueprint_profile == BP_PROFILE_STRICT, "null group keeps its values");

    /* config_copy is deep: changing the copy leaves the original alone. */
    struct config d;
    config_copy(&d, &c);
    const char *more = "{\"llm\":{\"baseUrl\":\"http://x/v1\"},\"agents\":{\"tactics\":[\"omega\",\"rfl\"]}}";
    is_int(config_apply_text(&d, more, strlen(more), "copy", &problems), 0, "copy takes settings");
    is_str(d.llm_base_url, "http://x/v1", "copy changed");
    is_str(c.llm_base_url, "http://127.0.0.1:11434/v1", "original unchanged");
    ok(c.agents_tactics[0] && strcmp(c.agents_tactics[0], "simp") == 0 && !c.agents_tactics[1],
       "original tactics unchanged");
    is_str(d.review_scope, "theorems", "copy has the original's strings");
    ok(d.review_scope != c.review_scope, "strings are not shared");
    config_release(&d);
    config_release(&c);
    buf_release(&problems);
    return done_testing();
}
