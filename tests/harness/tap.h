/*
 * tap.h: a tiny TAP producer for the test programs (libuv task.h, redis testhelp.h).
 *
 * Each test program calls ok()/is_int()/is_str()/skip() and ends with done_testing(),
 * which prints the plan and returns the number of failures (use it as main's result).
 * A failed check prints both values as TAP diagnostics ("# got: ..., expected: ...").
 * Header-only: every program gets its own counters.
 */
#ifndef LSP_PROXY_TAP_H
#define LSP_PROXY_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_run;
static int tap_failed;

static inline bool tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline bool
tap_ok(bool cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_run++;
    if (!cond)
        tap_failed++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_run);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond)
        printf("#   failed at %s:%d\n", file, line);
    fflush(stdout);
    return cond;
}

#define ok(cond, ...) tap_ok((cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, expected, ...)                                                      \
    do {                                                                                \
        long long tap_g_ = (long long)(got), tap_e_ = (long long)(expected);            \
        if (!tap_ok(tap_g_ == tap_e_, __FILE__, __LINE__, __VA_ARGS__))                 \
            printf("#   got: %lld\n#   expected: %lld\n", tap_g_, tap_e_);              \
    } while (0)

#define is_str(got, expected, ...)                                                      \
    do {                                                                                \
        const char *tap_g_ = (got), *tap_e_ = (expected);                               \
        bool tap_c_ = tap_g_ && tap_e_ ? strcmp(tap_g_, tap_e_) == 0 : tap_g_ == tap_e_; \
        if (!tap_ok(tap_c_, __FILE__, __LINE__, __VA_ARGS__))                           \
            printf("#   got: '%s'\n#   expected: '%s'\n", tap_g_ ? tap_g_ : "(null)",   \
                   tap_e_ ? tap_e_ : "(null)");                                         \
    } while (0)

/* Substring check: is_contains(haystack, needle, name). */
#define is_contains(got, needle, ...)                                                   \
    do {                                                                                \
        const char *tap_g_ = (got), *tap_n_ = (needle);                                 \
        if (!tap_ok(tap_g_ && strstr(tap_g_, tap_n_) != NULL, __FILE__, __LINE__,       \
                    __VA_ARGS__))                                                       \
            printf("#   got: '%.2000s'\n#   expected to contain: '%s'\n",               \
                   tap_g_ ? tap_g_ : "(null)", tap_n_);                                 \
    } while (0)

/* Marks the next check as skipped, with a reason ("ok N - name # SKIP why"). */
static inline void
skip(const char *name, const char *why)
{
    tap_run++;
    printf("ok %d - %s # SKIP %s\n", tap_run, name, why);
    fflush(stdout);
}

static inline void
diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void
diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* Prints the plan; returns the failure count, capped for use as an exit status. */
static inline int
done_testing(void)
{
    printf("1..%d\n", tap_run);
    fflush(stdout);
    return tap_failed > 100 ? 100 : tap_failed;
}

#endif
