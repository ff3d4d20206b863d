/* config: settings from defaults, files, environment and the editor, nested JSON. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "xalloc.h"

enum config_type { CT_STRING, CT_INT, CT_BOOL, CT_TRISTATE, CT_STRINGS, CT_ON_SAVE, CT_PROFILE };

struct config_key {
    const char *path; /* dotted, as in INTERFACE.md */
    enum config_type type;
    size_t offset;
};

#define K(path, type, field) {path, type, offsetof(struct config, field)}
static const struct config_key config_keys[] = {
    K("llm.provider", CT_STRING, llm_provider),
    K("llm.baseUrl", CT_STRING, llm_base_url),
    K("llm.model", CT_STRING, llm_model),
    K("llm.apiKeyEnv", CT_STRING, llm_api_key_env),
    K("llm.anthropicVersion", CT_STRING, llm_anthropic_version),
    K("llm.authStyle", CT_STRING, llm_auth_style),
    K("llm.timeoutMs", CT_INT, llm_timeout_ms),
    K("llm.idleTimeoutMs", CT_INT, llm_idle_timeout_ms),
    K("llm.retries", CT_INT, llm_retries),
    K("llm.maxTokens", CT_INT, llm_max_tokens),
    K("agents.maxParallel", CT_INT, agents_max_parallel),
    K("agents.maxAttempts", CT_INT, agents_max_attempts),
    K("agents.tactics", CT_STRINGS, agents_tactics),
    K("agents.allowHelpers", CT_BOOL, agents_allow_helpers),
    K("agents.allowNativeDecide", CT_BOOL, agents_allow_native_decide),
    K("agents.autoApply", CT_BOOL, agents_auto_apply),
    K("onSave", CT_ON_SAVE, on_save),
    K("review.enabled", CT_TRISTATE, review_enabled),
    K("review.problemFile", CT_STRING, review_problem_file),
    K("review.scope", CT_STRING, review_scope),
    K("review.debounceMs", CT_INT, review_debounce_ms),
    K("blueprint.profile", CT_PROFILE, blueprint_profile),
    K("stateDir", CT_STRING, state_dir),
    K("debounceMs", CT_INT, debounce_ms),
};
#undef K
#define CONFIG_NKEYS (sizeof config_keys / sizeof config_keys[0])

static const char *const config_default_tactics[] = {
    "rfl", "decide", "omega", "simp", "norm_num", "linarith", "grind", "aesop", "exact?", NULL};

static char **
config_strv_dup(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

static void
config_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void
config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->llm_anthropic_version = xstrdup("2023-06-01");
    c->llm_timeout_ms = 120000;
    c->llm_idle_timeout_ms = 30000;
    c->llm_retries = 3;
    c->llm_max_tokens = 4096;
    c->agents_max_parallel = 4;
    c->agents_max_attempts = 4;
    c->agents_tactics = config_strv_dup(config_default_tactics);
    c->agents_allow_helpers = true;
    c->agents_auto_apply = false;
    c->on_save = CONFIG_ON_SAVE_TACTICS;
    c->review_enabled = -1;
    c->review_scope = xstrdup("theorems");
    c->review_debounce_ms = 1500;
    c->blueprint_profile = BP_PROFILE_AUTO;
    c->debounce_ms = 40;
}

void
config_release(struct config *c)
{
    for (size_t i = 0; i < CONFIG_NKEYS; i++) {
        void *field = (char *)c + config_keys[i].offset;
        if (config_keys[i].type == CT_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (config_keys[i].type == CT_STRINGS) {
            config_strv_free(*(char ***)field);
            *(char ***)field = NULL;
        }
    }
}

void
config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    for (size_t i = 0; i < CONFIG_NKEYS; i++) {
        void *field = (char *)dst + config_keys[i].offset;
        if (config_keys[i].type == CT_STRING && *(char **)field)
            *(char **)field = xstrdup(*(char **)field);
        else if (config_keys[i].type == CT_STRINGS && *(char ***)field)
            *(char ***)field = config_strv_dup((const char *const *)*(char ***)field);
    }
}

/* Logs an unknown key once per process. */
static void
config_unknown_key(const char *path, const char *source)
{
    static char *seen[64];
    static size_t nseen;
    for (size_t i = 0; i < nseen; i++)
        if (strcmp(seen[i], path) == 0)
            return;
    if (nseen < 64)
        seen[nseen++] = xstrdup(path);
    log_warn("config", "%s: unknown setting `%s` ignored", source, path);
}

static int
config_problem(struct buf *problems, const char *source, const char *path, const char *want)
{
    if (problems)
        buf_addf(problems, "%s: setting `%s` must be %s; keeping its previous value\n", source,
                 path, want);
    log_warn("config", "%s: setting `%s` must be %s", source, path, want);
    return 1;
}

static int
config_set(struct config *c, const struct config_key *k, const cJSON *v, const char *source,
           struct buf *problems)
{
    void *field = (char *)c + k->offset;
    /* null names no value: the earlier sources' value stays. VS Code's answer carries every
     * contributed setting, null where the user set nothing. */
    if (cJSON_IsNull(v))
        return 0;
    switch (k->type) {
    case CT_STRING:
        if (!cJSON_IsString(v))
            return config_problem(problems, source, k->path, "a string");
        free(*(char **)field);
        *(char **)field = xstrdup(v->valuestring);
        return 0;
    case CT_INT:
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9 ||
            v->valuedouble != (double)(long)v->valuedouble)
            return config_problem(problems, source, k->path, "a whole number");
        *(long *)field = (long)v->valuedouble;
        return 0;
    case CT_BOOL:
        if (!cJSON_IsBool(v))
            return config_problem(problems, source, k->path, "true or false");
        *(bool *)field = cJSON_IsTrue(v);
        return 0;
    case CT_TRISTATE:
        if (!cJSON_IsBool(v))
            return config_problem(problems, source, k->path, "true or false");
        *(int *)field = cJSON_IsTrue(v) ? 1 : 0;
        return 0;
    case CT_STRINGS: {
        if (!cJSON_IsArray(v))
            return config_problem(problems, source, k->path, "an array of strings");
        int n = cJSON_GetArraySize(v);
        for (int i = 0; i < n; i++)
            if (!cJSON_IsString(cJSON_GetArrayItem(v, i)))
                return config_problem(problems, source, k->path, "an array of strings");
        char **out = xcalloc((size_t)n + 1, sizeof *out);
        for (int i = 0; i < n; i++)
            out[i] = xstrdup(cJSON_GetArrayItem(v, i)->valuestring);
        config_strv_free(*(char ***)field);
        *(char ***)field = out;
        return 0;
    }
    case CT_ON_SAVE: {
        const char *s = cJSON_IsString(v) ? v->valuestring : "";
        if (strcmp(s, "off") == 0)
            c->on_save = CONFIG_ON_SAVE_OFF;
        else if (strcmp(s, "tactics") == 0)
            c->on_save = CONFIG_ON_SAVE_TACTICS;
        else if (strcmp(s, "agent") == 0)
            c->on_save = CONFIG_ON_SAVE_AGENT;
        else
            return config_problem(problems, source, k->path, "\"off\", \"tactics\" or \"agent\"");
        return 0;
    }
    case CT_PROFILE: {
        enum bp_profile p;
        if (!cJSON_IsString(v) || bp_profile_parse(v->valuestring, &p) < 0)
            return config_problem(problems, source, k->path,
                                  "\"auto\", \"strict\", \"architect\" or \"off\"");
        c->blueprint_profile = p;
        return 0;
    }
    }
    return 0;
}

char *
config_settings_json(const struct config *c)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < CONFIG_NKEYS; i++) {
        const struct config_key *k = &config_keys[i];
        const void *field = (const char *)c + k->offset;
        cJSON *o = cJSON_CreateObject(), *values = NULL;
        const char *type = "string";
        cJSON *v = NULL;
        switch (k->type) {
        case CT_STRING: {
            const char *s = *(char *const *)field;
            v = s ? cJSON_CreateString(s) : cJSON_CreateNull();
            break;
        }
        case CT_INT:
            type = "integer";
            v = cJSON_CreateNumber((double)*(const long *)field);
            break;
        case CT_BOOL:
            type = "boolean";
            v = cJSON_CreateBool(*(const bool *)field);
            break;
        case CT_TRISTATE: {
            int t = *(const int *)field;
            type = "boolean-or-default";
            v = t < 0 ? cJSON_CreateNull() : cJSON_CreateBool(t);
            break;
        }
        case CT_STRINGS: {
            char *const *sv = *(char **const *)field;
            type = "string-array";
            v = cJSON_CreateArray();
            for (size_t n = 0; sv && sv[n]; n++)
                cJSON_AddItemToArray(v, cJSON_CreateString(sv[n]));
            break;
        }
        case CT_ON_SAVE: {
            static const char *const names[] = {"off", "tactics", "agent"};
            type = "enum";
            values = cJSON_CreateStringArray(names, 3);
            v = cJSON_CreateString(names[c->on_save]);
            break;
        }
        case CT_PROFILE: {
            static const char *const names[] = {"auto", "strict", "architect", "off"};
            type = "enum";
            values = cJSON_CreateStringArray(names, 4);
            v = cJSON_CreateString(bp_profile_name(c->blueprint_profile));
            break;
        }
        }
        cJSON_AddStringToObject(o, "key", k->path);
        cJSON_AddStringToObject(o, "type", type);
        if (values)
            cJSON_AddItemToObject(o, "values", values);
        cJSON_AddItemToObject(o, "value", v);
        cJSON_AddItemToArray(arr, o);
    }
    char *out = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    char *copy = xstrdup(out);
    cJSON_free(out);
    return copy;
}

/* Walks obj; prefix is the dotted path so far. */
static int
config_walk(struct config *c, const cJSON *obj, const char *prefix, const char *source,
            struct buf *problems)
{
    int nproblems = 0;
    for (const cJSON *it = obj->child; it; it = it->next) {
        if (it->string == NULL)
            continue;
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", it->string);
        const struct config_key *k = NULL;
        for (size_t i = 0; i < CONFIG_NKEYS; i++)
            if (strcmp(config_keys[i].path, path) == 0)
                k = &config_keys[i];
        if (k) {
            nproblems += config_set(c, k, it, source, problems);
            continue;
        }
        /* A prefix of known keys: descend. Dotted keys written flat also work. */
        size_t plen = strlen(path);
        bool is_prefix = false;
        for (size_t i = 0; i < CONFIG_NKEYS && !is_prefix; i++)
            is_prefix = strncmp(config_keys[i].path, path, plen) == 0 &&
                        config_keys[i].path[plen] == '.';
        if (is_prefix && cJSON_IsObject(it))
            nproblems += config_walk(c, it, path, source, problems);
        else if (is_prefix && cJSON_IsNull(it))
            continue; /* "llm": null names nothing */
        else if (is_prefix)
            nproblems += config_problem(problems, source, path, "an object");
        else
            config_unknown_key(path, source);
    }
    return nproblems;
}

int
config_apply_json(struct config *c, const cJSON *obj, const char *source, struct buf *problems)
{
    if (obj == NULL || cJSON_IsNull(obj))
        return 0;
    if (!cJSON_IsObject(obj)) {
        if (problems)
            buf_addf(problems, "%s: the settings must be a JSON object; ignored\n", source);
        log_warn("config", "%s: the settings must be a JSON object; ignored", source);
        return 1;
    }
    return config_walk(c, obj, "", source, problems);
}

int
config_apply_text(struct config *c, const char *text, size_t len, const char *source,
                  struct buf *problems)
{
    cJSON *obj = cJSON_ParseWithLength(text, len);
    if (obj == NULL) {
        if (problems)
            buf_addf(problems, "%s: not valid JSON; ignored\n", source);
        log_warn("config", "%s: not valid JSON; ignored", source);
        return 1;
    }
    int n = config_apply_json(c, obj, source, problems);
    cJSON_Delete(obj);
    return n;
}

int
config_apply_file(struct config *c, const char *path, bool optional, struct buf *problems)
{
    FILE *f = fopen(path, "rbe");
    if (f == NULL) {
        if (optional && errno == ENOENT)
            return 0;
        if (problems)
            buf_addf(problems, "%s: cannot read: %s\n", path, strerror(errno));
        log_warn("config", "%s: cannot read: %s", path, strerror(errno));
        return 1;
    }
    struct buf b;
    buf_init(&b, 16u << 20);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && rc == 0)
        rc = buf_add(&b, chunk, n);
    fclose(f);
    int problems_n;
    if (rc < 0) {
        if (problems)
            buf_addf(problems, "%s: too large; ignored\n", path);
        problems_n = 1;
    } else {
        problems_n = config_apply_text(c, b.data ? b.data : "", b.len, path, problems);
    }
    buf_release(&b);
    return problems_n;
}

static void
config_env_string(char **field, const char *name)
{
    const char *v = getenv(name);
    if (v && *v) {
        free(*field);
        *field = xstrdup(v);
    }
}

void
config_apply_env(struct config *c)
{
    config_env_string(&c->llm_provider, "MARATHON_LLM_PROVIDER");
    config_env_string(&c->llm_base_url, "MARATHON_LLM_BASE_URL");
    config_env_string(&c->llm_model, "MARATHON_LLM_MODEL");
}

char *
config_find_project_root(const char *dir)
{
    static const char *const markers[] = {"lakefile.toml", "lakefile.lean", "lean-toolchain"};
    char *cur = realpath(dir, NULL);
    while (cur) {
        for (size_t i = 0; i < 3; i++) {
            char *p = xasprintf("%s/%s", cur, markers[i]);
            struct stat st;
            bool found = stat(p, &st) == 0;
            free(p);
            if (found)
                return cur;
        }
        char *slash = strrchr(cur, '/');
        if (slash == NULL || slash == cur) {
            free(cur);
            return NULL;
        }
        *slash = '\0';
    }
    return NULL;
}

const char *
config_api_key_env(const struct config *c)
{
    if (c->llm_api_key_env)
        return c->llm_api_key_env;
    static const char *const names[] = {"MARATHON_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return names[i];
    }
    return names[0];
}

const char *
config_llm_provider(const struct config *c)
{
    if (c->llm_provider)
        return c->llm_provider;
    const char *key = getenv(config_api_key_env(c));
    if ((key && *key) || c->llm_base_url)
        return "openai";
    return "none";
}
