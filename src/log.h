/*
 * log: leveled logging to a file or stderr; never to stdout (stdout carries LSP frames).
 *
 * One process-wide sink, set once at startup by log_open(). Lines look like
 * "2026-11-23T02:33:56.123Z warn  transport: frame too large (70000000 bytes)".
 * Secrets: log_add_secret() registers a value (an API key) that is replaced by "***"
 * in every line written afterwards; the key itself never reaches the sink.
 * Lines longer than LOG_LINE_MAX bytes are cut and marked with "…(cut)".
 */
#ifndef LSP_PROXY_LOG_H
#define LSP_PROXY_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define LOG_LINE_MAX 8192

/* Sends log lines to path (appending), or to stderr when path is NULL. Returns 0 or -errno. */
int log_open(const char *path);
void log_close(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error" | "warn" | "info" | "debug". Returns 0, or -1 for an unknown name. */
int log_level_parse(const char *name, enum log_level *out);
bool log_enabled(enum log_level level);
/* Registers a secret to redact from every later line (copied; up to 8 secrets). */
void log_add_secret(const char *secret);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_debug(mod, ...)                                                                \
    do {                                                                                   \
        if (log_enabled(LOG_DEBUG))                                                        \
            log_msg(LOG_DEBUG, mod, __VA_ARGS__);                                          \
    } while (0)

#endif
