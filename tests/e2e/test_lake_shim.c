/*
 * End to end: the lake shim (lsp-proxy/lake-shim) that editors find first on PATH runs
 * `lake [+toolchain] serve ...` through lsp-proxy and execs the real lake for everything
 * else with the same argv, stdin, stdout, stderr and exit code (lean-lsp-facts.md §1.2).
 * The real lake here is a script that records its argv, one `[arg]` per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

static char *dir;
static char env[3000]; /* the environment preamble of every script: PATH and the proxy */

/* Runs SCRIPT (after ENV_LINE, or the default env) with sh under a 20 s timeout, stdin
 * from /dev/null unless the script redirects it; returns the exit status, stdout and
 * stderr in *out and *err (caller frees). 124 means it hung. */
static int
sh(const char *env_line, const char *script, char **out, char **err)
{
    char path[700], cmd[2400], o[700], e[700];
    snprintf(path, sizeof path, "%s/step.sh", dir);
    snprintf(o, sizeof o, "%s/step.out", dir);
    snprintf(e, sizeof e, "%s/step.err", dir);
    size_t n = strlen(env_line ? env_line : env) + strlen(script) + 8;
    char *text = malloc(n);
    snprintf(text, n, "%s\n%s\n", env_line ? env_line : env, script);
    test_write_file(path, text);
    free(text);
    snprintf(cmd, sizeof cmd, "timeout 20 sh '%s' >'%s' 2>'%s' </dev/null", path, o, e);
    int st = system(cmd);
    *out = test_read_file(o);
    *err = test_read_file(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
install_shim(const char *at, const char *src, int copy)
{
    char target[1024], cmd[2400];
    snprintf(target, sizeof target, "%s/lsp-proxy/lake-shim", src);
    mkdir(at, 0755);
    if (copy) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s/lake'", target, at);
        ok(system(cmd) == 0, "shim copied to %s", at);
    } else {
        snprintf(cmd, sizeof cmd, "%s/lake", at);
        ok(symlink(target, cmd) == 0, "shim symlinked as %s/lake", at);
    }
}

static int
lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
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
    dir = test_tmpdir();
    char shim_dir[600], shim2_dir[600], real_dir[600], path[1200], script[8192], log[700],
        rec[700];
    snprintf(shim_dir, sizeof shim_dir, "%s/shim", dir);
    snprintf(shim2_dir, sizeof shim2_dir, "%s/shim two", dir);
    snprintf(real_dir, sizeof real_dir, "%s/real", dir);
    snprintf(rec, sizeof rec, "%s/argv.rec", dir);
    snprintf(log, sizeof log, "%s/proxy.log", dir);
    install_shim(shim_dir, src, 0);
    mkdir(real_dir, 0755);

    /* The real lake: records argv; `serve` becomes the fake Lean server; `cat` copies stdin;
     * `fail N` writes to stderr and exits N. */
    snprintf(path, sizeof path, "%s/lake", real_dir);
    snprintf(script, sizeof script,
             "#!/bin/sh\n"
             ": >'%s'\n"
             "for a in \"$@\"; do printf '[%%s]\\n' \"$a\" >>'%s'; done\n"
             "case \"$1\" in +*) shift ;; esac\n"
             "case \"$1\" in\n"
             "serve) exec '%s' ;;\n"
             "cat) exec cat ;;\n"
             "fail) echo \"lake: error: failed $2\" >&2; exit \"$2\" ;;\n"
             "esac\n"
             "echo \"real lake $*\"\n",
             rec, rec, fake);
    test_write_file(path, script);
    chmod(path, 0755);
    snprintf(env, sizeof env,
             "PATH='%s:%s:'\"$PATH\"; export PATH; LSP_PROXY='%s'; LSP_PROXY_LOG='%s'; "
             "export LSP_PROXY LSP_PROXY_LOG",
             shim_dir, real_dir, proxy, log);

    char *out, *err, *r;
    /* Pass-through is exact: spaces, quotes, empty and glob-like arguments, +toolchain first. */
    is_int(sh(NULL, "lake --version", &out, &err), 0, "lake --version exits 0");
    is_str(out, "real lake --version\n", "other commands go to the real lake");
    free(out), free(err);
    is_int(sh(NULL,
              "lake +leanprover/lean4:v4.30.0 exe cache get 'a b' \"it's\" '' '*' '$HOME' "
              "'\"q\"'",
              &out, &err),
           0, "lake +toolchain exe cache get ... exits 0");
    r = test_read_file(rec);
    is_str(r,
           "[+leanprover/lean4:v4.30.0]\n[exe]\n[cache]\n[get]\n[a b]\n[it's]\n[]\n[*]\n"
           "[$HOME]\n[\"q\"]\n",
           "argv reaches the real lake unchanged, +toolchain first");
    free(r), free(out), free(err);

    /* Exit codes, stdin, stdout and stderr propagate. */
    is_int(sh(NULL, "lake build --fail-level error; exit $?", &out, &err), 0, "build ok");
    free(out), free(err);
    is_int(sh(NULL, "lake fail 3", &out, &err), 3, "the real lake's exit code 3 propagates");
    is_str(err, "lake: error: failed 3\n", "its stderr is passed through untouched");
    free(out), free(err);
    is_int(sh(NULL, "lake +stable fail 42", &out, &err), 42, "exit 42 with +toolchain");
    free(out), free(err);
    is_int(sh(NULL, "printf 'line one\\nline two\\n' | lake cat", &out, &err), 0, "lake cat ok");
    is_str(out, "line one\nline two\n", "stdin and stdout are the real lake's");
    free(out), free(err);

    /* A second shim (a copy in a directory with a space) before the real lake is passed over,
     * not run in a loop; so is a symlink to the shim under another name of its directory. */
    install_shim(shim2_dir, src, 1);
    char env2[4096];
    snprintf(env2, sizeof env2,
             "PATH='%s:%s:%s:%s:'\"$PATH\"; export PATH; LSP_PROXY='%s'; LSP_PROXY_LOG='%s'; "
             "export LSP_PROXY LSP_PROXY_LOG",
             shim_dir, shim2_dir, shim_dir, real_dir, proxy, log);
    is_int(sh(env2, "lake env printenv X", &out, &err), 0, "shim, copied shim, shim, real lake");
    is_str(out, "real lake env printenv X\n", "the real lake is found past both shims");
    free(out), free(err);

    /* Errors: one line on stderr, exit 127, never a hang. */
    char env3[4096];
    snprintf(env3, sizeof env3, "PATH='%s:%s:/usr/bin:/bin'; export PATH; LSP_PROXY='%s'",
             shim_dir, shim2_dir, proxy);
    is_int(sh(env3, "lake build", &out, &err), 127, "no real lake on PATH: exit 127");
    ok(err && strstr(err, "lake shim: no real lake on PATH") && lines(err) == 1,
       "... with one line on stderr: %s", err ? err : "(none)");
    free(out), free(err);
    snprintf(script, sizeof script, "LSP_PROXY_REAL_LAKE='%s/lake' lake build", shim2_dir);
    is_int(sh(env3, script, &out, &err), 127, "LSP_PROXY_REAL_LAKE naming a shim: exit 127");
    ok(err && strstr(err, "is this shim") && lines(err) == 1, "... one line: %s",
       err ? err : "(none)");
    free(out), free(err);
    is_int(sh(env3, "LSP_PROXY_REAL_LAKE=/nonexistent/lake lake build", &out, &err), 127,
           "LSP_PROXY_REAL_LAKE missing: exit 127");
    ok(err && strstr(err, "not an executable file") && lines(err) == 1, "... one line: %s",
       err ? err : "(none)");
    free(out), free(err);
    snprintf(script, sizeof script, "LSP_PROXY_REAL_LAKE='%s/lake' lake --version", real_dir);
    is_int(sh(env3, script, &out, &err), 0, "LSP_PROXY_REAL_LAKE names the real lake");
    is_str(out, "real lake --version\n", "... and it runs");
    free(out), free(err);
    is_int(sh(NULL, "LSP_PROXY=/nonexistent/lsp-proxy lake serve", &out, &err), 127,
           "serve with a missing proxy: exit 127");
    ok(err && strstr(err, "LSP_PROXY=/nonexistent/lsp-proxy is not an executable file") &&
           lines(err) == 1,
       "... one line naming it: %s", err ? err : "(none)");
    free(out), free(err);
    snprintf(script, sizeof script,
             "PATH='%s:%s:/usr/bin:/bin'; unset LSP_PROXY; lake serve", shim_dir, real_dir);
    is_int(sh(NULL, script, &out, &err), 127, "serve with no lsp-proxy on PATH: exit 127");
    ok(err && strstr(err, "lsp-proxy not found on PATH") && lines(err) == 1, "... one line: %s",
       err ? err : "(none)");
    free(out), free(err);
    is_int(sh(NULL, "LSP_PROXY=/nonexistent/lsp-proxy lake --version", &out, &err), 0,
           "a missing proxy does not matter to other commands");
    free(out), free(err);

    /* `lake +toolchain serve -- /folder` through the shim is the proxy in front of the real
     * server, which gets exactly that argv. */
    snprintf(path, sizeof path, "%s/serve.sh", dir);
    snprintf(script, sizeof script, "#!/bin/sh\n%s\nexec lake +leanprover/lean4:v4.30.0 serve -- '/some folder'\n",
             env);
    test_write_file(path, script);
    chmod(path, 0755);
    char *argv[] = {path, NULL};
    struct lsp_client *c = lsp_client_spawn(argv, dir, NULL);
    int id = lsp_client_request(c, "initialize", "{\"processId\":null,\"capabilities\":{}}");
    const cJSON *resp = lsp_client_wait_response(c, id, 10000);
    ok(cJSON_IsArray(test_json_path(resp, "result.capabilities.executeCommandProvider.commands")),
       "lake serve through the shim runs the proxy (executeCommandProvider added)");
    r = test_read_file(rec);
    is_str(r, "[+leanprover/lean4:v4.30.0]\n[serve]\n[--]\n[/some folder]\n",
           "the real lake serve gets +toolchain serve -- folder");
    free(r);
    lsp_client_notify(c, "initialized", "{}");
    id = lsp_client_request(c, "shutdown", NULL);
    lsp_client_wait_response(c, id, 5000);
    lsp_client_notify(c, "exit", "{}");
    is_int(lsp_client_wait_exit(c, 10000), 0, "clean exit through the shim");
    lsp_client_free(c);
    char *l = test_read_file(log);
    ok(l && strstr(l, "starting"), "the proxy logged to LSP_PROXY_LOG, not to the editor's stderr");
    free(l);

    /* Without LSP_PROXY_LOG the log goes under XDG_STATE_HOME. */
    snprintf(script, sizeof script,
             "unset LSP_PROXY_LOG; XDG_STATE_HOME='%s/state'; export XDG_STATE_HOME; "
             "printf '' | lake serve; echo rc=$?",
             dir);
    sh(NULL, script, &out, &err);
    snprintf(path, sizeof path, "%s/state/lsp-proxy.log", dir);
    ok(access(path, F_OK) == 0, "the default log is $XDG_STATE_HOME/lsp-proxy.log");
    free(out), free(err);
    free(dir);
    return done_testing();
}
