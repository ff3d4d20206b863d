/*
 * End to end: the API key. It is read from the environment variable llm.apiKeyEnv names,
 * removed from the Lean child's environment, and never written to the log, even at debug
 * level and even when the editor sends it in a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2e.h"
#include "tap.h"

#define KEY "sk-test-9f8e7d6c5b4a39281706"

int
main(void)
{
    const char *proxy = test_bin("LSP_PROXY_BIN");
    const char *fake = test_bin("FAKE_LEAN_BIN");
    if (!proxy || !fake) {
        skip("secrets", "binaries not built");
        return done_testing();
    }
    char *dir = test_tmpdir();
    char wrapper[600], envfile[600], log[600], script[2048];
    snprintf(wrapper, sizeof wrapper, "%s/lean.sh", dir);
    snprintf(envfile, sizeof envfile, "%s/lean-env.txt", dir);
    snprintf(log, sizeof log, "%s/proxy.log", dir);
    snprintf(script, sizeof script, "#!/bin/sh\nenv > '%s'\nexec '%s' \"$@\"\n", envfile, fake);
    test_write_file(wrapper, script);
    chmod(wrapper, 0755);
    setenv("MARATHON_API_KEY", KEY, 1);
    setenv("SOME_OTHER_VAR", "kept", 1);
    const char *argv[] = {proxy, "--log", log, "--log-level", "debug", "--", wrapper, NULL};
    struct lsp_client *c = lsp_client_spawn((char *const *)argv, dir, NULL);
    int id = lsp_client_request(c, "initialize", "{\"processId\":null,\"capabilities\":{}}");
    ok(lsp_client_wait_response(c, id, 5000) != NULL, "initialized");
    lsp_client_notify(c, "initialized", "{}");
    /* A message carrying the key (say, a settings echo) must not bring it into the log. */
    lsp_client_notify(c, "workspace/didChangeConfiguration",
                      "{\"settings\":{\"marathon\":{\"llm\":{\"model\":\"" KEY "\"}}}}");
    id = lsp_client_request(c, "shutdown", NULL);
    lsp_client_wait_response(c, id, 5000);
    lsp_client_notify(c, "exit", "{}");
    is_int(lsp_client_wait_exit(c, VALGRIND_SCALE * 10000), 0, "clean exit");
    char *env = test_read_file(envfile);
    ok(env != NULL, "Lean's environment captured");
    ok(env && strstr(env, "MARATHON_API_KEY") == NULL, "the key variable is removed from Lean's environment");
    ok(env && strstr(env, KEY) == NULL, "the key appears nowhere in Lean's environment");
    is_contains(env, "SOME_OTHER_VAR=kept", "other variables are kept");
    char *l = test_read_file(log);
    ok(l && strlen(l) > 100, "the proxy logged at debug level");
    ok(l && strstr(l, KEY) == NULL, "the key never appears in the log");
    free(env);
    free(l);
    lsp_client_free(c);
    free(dir);
    return done_testing();
}
