/*
 * End to end: the lake shim (lsp-proxy/lake-shim) that editors find first on PATH runs
 * `lake serve` through lsp-proxy and passes every other lake command, and a leading
 * `+toolchain`, to the real lake (lean-lsp-facts.md §1.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

static char *
run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    static char out[4096];
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    if (p)
        pclose(p);
    return out;
}

int
main(void)
{
    const char *proxy = test_bin("LSP_PROXY_BIN");
    const char *fake = test_bin("FAKE_LEAN_BIN");
    const char *src = getenv("LSP_PROXY_SRC");
    if (!proxy || !fake || !src) {
        skip("lake shim", "binaries not built");
        return done_testing();
    }
    char *dir = test_tmpdir();
    char shim_dir[600], real_dir[600], path[1200], cmd[4096], log[700];
    snprintf(shim_dir, sizeof shim_dir, "%s/shim", dir);
    snprintf(real_dir, sizeof real_dir, "%s/real", dir);
    mkdir(shim_dir, 0755);
    mkdir(real_dir, 0755);
    snprintf(path, sizeof path, "%s/lake", shim_dir);
    char target[1024];
    snprintf(target, sizeof target, "%s/lsp-proxy/lake-shim", src);
    ok(symlink(target, path) == 0, "shim installed as `lake`");
    snprintf(path, sizeof path, "%s/lake", real_dir);
    snprintf(cmd, sizeof cmd,
             "#!/bin/sh\nif [ \"$1\" = serve ]; then shift; exec \"%s\" \"$@\"; fi\n"
             "if [ \"$2\" = serve ]; then tc=$1; shift 2; exec \"%s\" --toolchain-was \"$tc\" \"$@\"; fi\n"
             "echo \"real lake $*\"\n",
             fake, fake);
    test_write_file(path, cmd);
    chmod(path, 0755);
    snprintf(log, sizeof log, "%s/proxy.log", dir);
    char env[3000];
    snprintf(env, sizeof env, "PATH='%s:%s:'\"$PATH\" LSP_PROXY='%s' LSP_PROXY_LOG='%s'", shim_dir,
             real_dir, proxy, log);

    snprintf(cmd, sizeof cmd, "%s lake --version", env);
    is_str(run(cmd), "real lake --version\n", "other commands go to the real lake");
    snprintf(cmd, sizeof cmd, "%s lake +leanprover/lean4:v4.30.0 build Foo", env);
    is_str(run(cmd), "real lake +leanprover/lean4:v4.30.0 build Foo\n", "+toolchain and arguments kept");

    /* `lake serve -- /folder` through the shim is the proxy in front of the real server. */
    snprintf(cmd, sizeof cmd, "%s/serve.sh", dir);
    char script[4096];
    snprintf(script, sizeof script, "#!/bin/sh\n%s exec lake serve -- /some/folder\n", env);
    test_write_file(cmd, script);
    chmod(cmd, 0755);
    char *argv[] = {cmd, NULL};
    struct lsp_client *c = lsp_client_spawn(argv, dir, NULL);
    int id = lsp_client_request(c, "initialize", "{\"processId\":null,\"capabilities\":{}}");
    const cJSON *r = lsp_client_wait_response(c, id, 10000);
    ok(cJSON_IsArray(test_json_path(r, "result.capabilities.executeCommandProvider.commands")),
       "lake serve through the shim runs the proxy (executeCommandProvider added)");
    lsp_client_notify(c, "initialized", "{}");
    id = lsp_client_request(c, "shutdown", NULL);
    lsp_client_wait_response(c, id, 5000);
    lsp_client_notify(c, "exit", "{}");
    is_int(lsp_client_wait_exit(c, 10000), 0, "clean exit through the shim");
    lsp_client_free(c);
    char *l = test_read_file(log);
    ok(l && strstr(l, "starting"), "the proxy logged to LSP_PROXY_LOG, not to the editor's stderr");
    free(l);
    free(dir);
    return done_testing();
}
