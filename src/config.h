/*
 * config: the settings of shared/INTERFACE.md ("Settings", "Settings in JSON sources").
 *
 * Sources, later ones overriding earlier ones only where they name a value: built-in
 * defaults, --config FILE, .marathon.json in the project root, environment variables,
 * initializationOptions.marathon, the editor's workspace/configuration answer, and
 * workspace/didChangeConfiguration's settings.marathon. Every JSON source has the nested
 * shape {"llm": {"provider": ...}, "agents": {...}}. The caller applies them in that
 * order; config_apply_json() can be called again at any time (it only overrides).
 * A null value names nothing (the earlier value stays), so an editor's answer that lists
 * every setting, null where the user set none, overrides only what the user set.
 * An unknown key is logged once and ignored; a value of the wrong type is reported in
 * `problems` and the previous value kept; a malformed source is reported and skipped.
 * Strings in a config are owned by it. Layer 0 (it reads files and env only when asked).
 */
#ifndef LSP_PROXY_CONFIG_H
#define LSP_PROXY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"

struct buf;
struct cJSON;

enum config_on_save { CONFIG_ON_SAVE_OFF, CONFIG_ON_SAVE_TACTICS, CONFIG_ON_SAVE_AGENT };

struct config {
    /* llm */
    char *llm_provider;        /* "openai" | "anthropic" | "none"; NULL: derived (see below) */
    char *llm_base_url;
    char *llm_model;
    char *llm_api_key_env;     /* NULL: MARATHON_API_KEY, then OPENAI_/ANTHROPIC_API_KEY */
    char *llm_anthropic_version;
    char *llm_auth_style;      /* "x-api-key" | "bearer"; NULL: the provider's (llm.h) */
    long llm_timeout_ms;
    long llm_idle_timeout_ms;
    long llm_retries;
    long llm_max_tokens;
    /* agents */
    long agents_max_parallel;
    long agents_max_attempts;
    char **agents_tactics;     /* NULL-terminated */
    bool agents_allow_helpers;
    bool agents_allow_native_decide; /* candidates may use native_decide (Lean.ofReduceBool) */
    bool agents_auto_apply;
    /* on save, review */
    enum config_on_save on_save;
    int review_enabled;        /* -1: default (on when an LLM is configured) */
    char *review_problem_file;
    char *review_scope;        /* "theorems" | "all" */
    long review_debounce_ms;   /* a save reviews after this much quiet (0: at once) */
    /* blueprint */
    enum bp_profile blueprint_profile;
    /* where caches, dismissals and the audit log live; NULL: <project root>/.marathon */
    char *state_dir;
    /* proxy internals (not in INTERFACE.md's table; settable for tests) */
    long debounce_ms;          /* re-analysis delay after an edit */
};

/* Sets every value to its built-in default. */
void config_init(struct config *c);
void config_release(struct config *c);
/* Makes dst (uninitialised) a deep copy of src. */
void config_copy(struct config *dst, const struct config *src);

/* Applies a JSON object (the "marathon" section). source names it in messages.
 * Returns the number of problems appended to problems (one line each). */
int config_apply_json(struct config *c, const struct cJSON *obj, const char *source,
                      struct buf *problems);
/* Parses text as JSON and applies it. Malformed text: one problem, nothing applied. */
int config_apply_text(struct config *c, const char *text, size_t len, const char *source,
                      struct buf *problems);
/* Reads and applies a JSON file. A missing file is not a problem when optional. */
int config_apply_file(struct config *c, const char *path, bool optional, struct buf *problems);
/* Applies MARATHON_LLM_PROVIDER, MARATHON_LLM_BASE_URL, MARATHON_LLM_MODEL. */
void config_apply_env(struct config *c);

/* The directory holding lakefile.toml, lakefile.lean or lean-toolchain, searched upwards
 * from dir; NULL when none (new string). */
char *config_find_project_root(const char *dir);
/* The provider in force: the setting, else "openai" when a key or base URL is set, else
 * "none". */
const char *config_llm_provider(const struct config *c);
/* Every setting c knows, in INTERFACE.md's order, with its value in c, as a JSON array:
 * [{"key": "llm.timeoutMs", "type": "integer", "value": 120000}, ...]. type is one of
 * string, integer, boolean, boolean-or-default (null: decided at run time), string-array,
 * or an enum given as "values": [...]; value null when unset (the default is derived). */
char *config_settings_json(const struct config *c);
/* The name of the environment variable that holds the API key (never the key). */
const char *config_api_key_env(const struct config *c);

#endif
