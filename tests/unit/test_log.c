/* Unit tests for src/log.c: levels, redaction of secrets, long lines cut. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lsp_client.h"
#include "tap.h"

int
main(void)
{
    char *dir = test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/log.txt", dir);
    is_int(log_open(path), 0, "log file opened");
    log_set_level(LOG_INFO);
    log_add_secret("sk-live-0123456789abcdef");
    log_info("test", "key is sk-live-0123456789abcdef and again sk-live-0123456789abcdef!");
    log_debug("test", "this debug line is below the level");
    log_warn("test", "plain line");
    char *big = malloc(3 * LOG_LINE_MAX);
    memset(big, 'x', 3 * LOG_LINE_MAX - 1);
    big[3 * LOG_LINE_MAX - 1] = '\0';
    log_error("test", "%s", big);
    free(big);
    log_close();
    char *s = test_read_file(path);
    ok(s && strstr(s, "sk-live") == NULL, "the secret never reaches the file");
    is_contains(s, "key is *** and again ***!", "both occurrences replaced");
    ok(s && strstr(s, "below the level") == NULL, "debug suppressed at info level");
    is_contains(s, "warn  test: plain line", "level and module in the line");
    is_contains(s, "…(cut)", "an over-long line is cut and marked");
    enum log_level l;
    ok(log_level_parse("debug", &l) == 0 && l == LOG_DEBUG, "level names parse");
    ok(log_level_parse("loud", &l) < 0, "unknown level refused");
    free(s);
    free(dir);
    return done_testing();
}
