/* log: leveled logging to a file or stderr, with secret redaction. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define LOG_SECRETS_MAX 8

static FILE *log_file;          /* NULL: stderr */
static enum log_level log_level = LOG_INFO;
static char *log_secrets[LOG_SECRETS_MAX];
static const char *const log_names[] = {"error", "warn", "info", "debug"};

int
log_open(const char *path)
{
    log_close();
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "ae");
    if (f == NULL)
        return -errno;
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    return 0;
}

void
log_close(void)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
}

void
log_set_level(enum log_level level)
{
    log_level = level;
}

enum log_level
log_get_level(void)
{
    return log_level;
}

int
log_level_parse(const char *name, enum log_level *out)
{
    for (int i = 0; i <= LOG_DEBUG; i++) {
        if (strcmp(name, log_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

bool
log_enabled(enum log_level level)
{
    return level <= log_level;
}

void
log_add_secret(const char *secret)
{
    if (secret == NULL || strlen(secret) < 4)
        return;
    for (int i = 0; i < LOG_SECRETS_MAX; i++) {
        if (log_secrets[i] == NULL) {
            log_secrets[i] = strdup(secret);
            return;
        }
        if (strcmp(log_secrets[i], secret) == 0)
            return;
    }
}

/* Replaces every registered secret in line (in place; "***" is never longer). */
static void
log_redact(char *line)
{
    for (int i = 0; i < LOG_SECRETS_MAX && log_secrets[i]; i++) {
        size_t n = strlen(log_secrets[i]);
        char *p;
        while ((p = strstr(line, log_secrets[i])) != NULL) {
            memcpy(p, "***", 3);
            memmove(p + 3, p + n, strlen(p + n) + 1);
        }
    }
}

void
log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char line[LOG_LINE_MAX + 16];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, LOG_LINE_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (long)(tv.tv_usec / 1000), log_names[level], module);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, LOG_LINE_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    if (m >= (int)(LOG_LINE_MAX - (size_t)n))
        memcpy(line + LOG_LINE_MAX - 1, "…(cut)", sizeof "…(cut)");
    log_redact(line);
    FILE *out = log_file ? log_file : stderr;
    fputs(line, out);
    fputc('\n', out);
}
