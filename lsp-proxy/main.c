/*
 * lsp-proxy: the program. Parses the command line and wires the library together:
 *   lsp-proxy [OPTIONS] [-- SERVER-COMMAND...]            proxy mode (default: lake serve)
 *   lsp-proxy check [--json] [--strict] [--profile P] FILE...
 *   lsp-proxy dag [--format json|dot|mermaid|html|svg] FILE
 *   lsp-proxy prove [--name NAME...|--leaves] [--dry-run] [--jobs N] FILE [-- SERVER...]
 * No logic lives here beyond reading files and printing results (shared/INTERFACE.md).
 */
#include <ev.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "buf.h"
#include "config.h"
#include "dagrender.h"
#include "headless.h"
#include "log.h"
#include "router.h"
#include "textfile.h"
#include "xalloc.h"

#define LSP_PROXY_VERSION "0.1.0"

static void
usage(FILE *out)
{
    fputs("usage: lsp-proxy [OPTIONS] [-- SERVER-COMMAND...]   proxy between an editor and Lean\n"
          "       lsp-proxy check [--json] [--strict] [--profile P] FILE...\n"
          "       lsp-proxy dag [--format json|dot|mermaid|html|svg] FILE\n"
          "       lsp-proxy prove [--name NAME...|--leaves] [--dry-run] [--jobs N] FILE\n"
          "                       [-- SERVER-COMMAND...]\n"
          "       lsp-proxy settings [--config FILE] [DIR]\n"
          "       lsp-proxy --version | --help\n"
          "\n"
          "Proxy mode speaks LSP on stdin/stdout and runs SERVER-COMMAND (default: lake serve).\n"
          "  --log FILE          write the log to FILE (default: stderr)\n"
          "  --log-level LEVEL   error, warn, info (default) or debug\n"
          "  --config FILE       settings as JSON (see README: Settings)\n"
          "  --max-frame BYTES   largest LSP message accepted (default 67108864)\n"
          "\n"
          "check: the blueprint contract's findings, one per line as FILE:LINE:COL: severity:\n"
          "  message [code]; exit 0 when no error is found (--strict: no warning either),\n"
          "  1 when findings are found, 2 on usage or I/O errors.\n"
          "  --profile auto|strict|architect|off   which rules apply (default: auto)\n"
          "dag: the blueprint DAG of FILE as JSON (default), Graphviz DOT, Mermaid or HTML.\n"
          "prove: the agents without an editor: proves the named nodes (--name, repeatable),\n"
          "  or the dynamic leaves in rounds (--leaves, the default), with Lean checking each\n"
          "  proof, and writes them into FILE (--dry-run: prints them only). --jobs N: at most\n"
          "  N nodes at once. Also takes --log, --log-level and --config. Exit 0 when every\n"
          "  node tried was proved, 1 when some were not, 2 on errors.\n"
          "settings: the settings the proxy would use in DIR's project (default: .), from the\n"
          "  built-in defaults, --config, .marathon.json and the environment, as JSON.\n",
          out);
}

/* Reads a whole file for check/dag, refusing binary and non-UTF-8 input. Returns NULL and
 * prints the reason on failure. */
static char *
read_source(const char *path, size_t *len)
{
    char err[256];
    char *text = textfile_read(path, len, err, sizeof err);
    if (text == NULL)
        fprintf(stderr, "lsp-proxy: %s: %s\n", path, err);
    return text;
}

/* The profile a project forces in .marathon.json next to FILE's project root, if any. */
static enum bp_profile
project_profile(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    enum bp_profile profile = BP_PROFILE_AUTO;
    char *root = config_find_project_root(dir);
    if (root) {
        struct config c;
        config_init(&c);
        char *file = xasprintf("%s/.marathon.json", root);
        config_apply_file(&c, file, true, NULL);
        profile = c.blueprint_profile;
        config_release(&c);
        free(file);
        free(root);
    }
    free(dir);
    return profile;
}

static int
cmd_check(int argc, char **argv)
{
    xalloc_oneshot(); /* read, analyse, print, exit: memory on a few huge pages */
    bool json = false, strict = false, have_profile = false;
    enum bp_profile profile = BP_PROFILE_AUTO;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--strict") == 0) {
            strict = true;
        } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            if (bp_profile_parse(argv[++i], &profile) < 0) {
                fprintf(stderr, "lsp-proxy check: unknown profile `%s` (auto, strict, architect, off)\n",
                        argv[i]);
                return 2;
            }
            have_profile = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "lsp-proxy check: unknown option `%s`\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "lsp-proxy check: no FILE given\n");
        usage(stderr);
        return 2;
    }
    int errors = 0, warnings = 0, files = 0, io_errors = 0;
    struct buf profiles, items;
    buf_init(&profiles, 0);
    buf_init(&items, 0);
    for (; i < argc; i++) {
        size_t len;
        char *text = read_source(argv[i], &len);
        if (text == NULL) {
            io_errors++;
            continue;
        }
        files++;
        struct analysis *a =
            analysis_new_take(text, len, have_profile ? profile : project_profile(argv[i]));
        for (size_t k = 0; k < analysis_finding_count(a); k++) {
            if (analysis_finding(a, k)->severity == 1)
                errors++;
            else
                warnings++;
        }
        const char *pname = bp_profile_name(analysis_profile(a));
        if (!strstr(profiles.data ? profiles.data : "", pname))
            buf_addf(&profiles, "%s%s", profiles.len ? ", " : "", pname);
        if (json) {
            char *j = analysis_check_json_items(a, argv[i]);
            if (*j)
                buf_addf(&items, "%s%s", items.len ? "," : "", j);
            free(j);
        } else {
            char *t = analysis_check_text(a, argv[i]);
            fputs(t, stdout);
            free(t);
        }
        analysis_free(a); /* and text, which it took */
    }
    if (json)
        printf("[%s]\n", items.data ? items.data : "");
    FILE *summary = json ? stderr : stdout;
    fprintf(summary, "lsp-proxy check: %d file%s, %d error%s, %d warning%s (profile: %s)\n", files,
            files == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
            warnings == 1 ? "" : "s", profiles.len ? profiles.data : "none");
    buf_release(&profiles);
    buf_release(&items);
    if (io_errors)
        return 2;
    return errors > 0 || (strict && warnings > 0) ? 1 : 0;
}

static int
cmd_dag(int argc, char **argv)
{
    xalloc_oneshot();
    const char *format = "json";
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
        } else if (strncmp(argv[i], "--format=", 9) == 0) {
            format = argv[i] + 9;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "lsp-proxy dag: unknown option `%s`\n", argv[i]);
            return 2;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "lsp-proxy dag: one FILE only\n");
            return 2;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "lsp-proxy dag: no FILE given\n");
        usage(stderr);
        return 2;
    }
    if (strcmp(format, "json") && strcmp(format, "dot") && strcmp(format, "mermaid") &&
        strcmp(format, "html") && strcmp(format, "svg")) {
        fprintf(stderr, "lsp-proxy dag: unknown format `%s` (json, dot, mermaid, html, svg)\n",
                format);
        return 2;
    }
    size_t len;
    char *text = read_source(path, &len);
    if (text == NULL)
        return 2;
    struct analysis *a = analysis_new_take(text, len, project_profile(path));
    int rc = 0;
    if (strcmp(format, "svg") == 0 || strcmp(format, "html") == 0) {
        /* The picture is Graphviz's layout; html without Graphviz still lists the nodes. */
        struct buf svg, page;
        buf_init(&svg, 0);
        buf_init(&page, 0);
        char err[512];
        bool have_svg = dagrender_svg(a, &svg, err, sizeof err) == 0;
        if (strcmp(format, "svg") == 0) {
            if (have_svg) {
                fwrite(svg.data, 1, svg.len, stdout);
            } else {
                fprintf(stderr, "lsp-proxy dag: %s\n", err);
                rc = 2;
            }
        } else {
            if (!have_svg)
                fprintf(stderr, "lsp-proxy dag: warning: the page has no picture: %s\n", err);
            dagrender_html(a, path, have_svg ? svg.data : NULL, err, &page);
            fwrite(page.data, 1, page.len, stdout);
        }
        buf_release(&svg);
        buf_release(&page);
    } else {
        char *out;
        if (strcmp(format, "dot") == 0) {
            out = analysis_dag_dot(a);
        } else if (strcmp(format, "mermaid") == 0) {
            out = analysis_dag_mermaid(a);
        } else {
            char *abs = realpath(path, NULL);
            char *uri = xasprintf("file://%s", abs ? abs : path);
            out = analysis_dag_json(a, uri, -1);
            free(uri);
            free(abs);
        }
        fputs(out, stdout);
        if (*out && out[strlen(out) - 1] != '\n')
            fputc('\n', stdout);
        free(out);
    }
    analysis_free(a);
    return rc;
}

/* The settings from every source but the editor's (shared/INTERFACE.md, "Settings"), the
 * project root searched from dir; registers the API key with the log's redaction. */
static void
load_settings(struct config *cfg, const char *config_path, const char *dir)
{
    config_init(cfg);
    if (config_path)
        config_apply_file(cfg, config_path, false, NULL);
    char *root = config_find_project_root(dir);
    if (root) {
        char *file = xasprintf("%s/.marathon.json", root);
        config_apply_file(cfg, file, true, NULL);
        free(file);
        free(root);
    }
    config_apply_env(cfg);
    const char *key = getenv(config_api_key_env(cfg));
    if (key)
        log_add_secret(key);
}

static int
cmd_prove(int argc, char **argv)
{
    const char *log_path = NULL, *config_path = NULL, *path = NULL;
    enum log_level level = LOG_WARN;
    char lake[] = "lake", serve[] = "serve";
    char *default_cmd[] = {lake, serve, NULL};
    char **server = default_cmd;
    const char **names = xcalloc((size_t)argc + 1, sizeof *names);
    size_t nnames = 0;
    bool leaves = false, dry_run = false;
    long jobs = 0;
    int code = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc)
                server = argv + i + 1;
            break;
        } else if (strcmp(a, "--name") == 0 && i + 1 < argc) {
            names[nnames++] = argv[++i];
        } else if (strcmp(a, "--leaves") == 0) {
            leaves = true;
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(a, "--jobs") == 0 && i + 1 < argc) {
            char *end;
            jobs = strtol(argv[++i], &end, 10);
            if (*end || jobs < 1 || jobs > 64) {
                fprintf(stderr, "lsp-proxy prove: --jobs wants a number from 1 to 64\n");
                goto out;
            }
        } else if (strcmp(a, "--log") == 0 && i + 1 < argc) {
            log_path = argv[++i];
        } else if (strcmp(a, "--log-level") == 0 && i + 1 < argc) {
            if (log_level_parse(argv[++i], &level) < 0) {
                fprintf(stderr, "lsp-proxy prove: unknown log level `%s`\n", argv[i]);
                goto out;
            }
        } else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (a[0] == '-' || path) {
            fprintf(stderr, "lsp-proxy prove: %s `%s`\n",
                    a[0] == '-' ? "unknown option" : "one FILE only; unexpected", a);
            usage(stderr);
            goto out;
        } else {
            path = a;
        }
    }
    if (path == NULL || (leaves && nnames)) {
        fprintf(stderr, "lsp-proxy prove: %s\n",
                path ? "--name and --leaves exclude each other" : "which FILE?");
        usage(stderr);
        goto out;
    }
    log_set_level(level);
    if (log_path && log_open(log_path) < 0) {
        fprintf(stderr, "lsp-proxy prove: cannot open log %s: %s\n", log_path, strerror(errno));
        goto out;
    }
    signal(SIGPIPE, SIG_IGN);
    /* Lean runs in the file's project, as an editor would start it there */
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    struct config cfg;
    load_settings(&cfg, config_path, slash ? dir : ".");
    char *root = config_find_project_root(slash ? dir : ".");
    char *abs = realpath(path, NULL);
    if (root && abs && chdir(root) < 0)
        fprintf(stderr, "lsp-proxy prove: cannot enter %s: %s\n", root, strerror(errno));
    struct headless_options o = {abs ? abs : path, path, nnames ? names : NULL, dry_run, jobs,
                                 server, stdout, &cfg};
    code = headless_prove(&o);
    config_release(&cfg);
    free(abs);
    free(root);
    free(dir);
    log_close();
out:
    free(names);
    return code;
}

/* `lsp-proxy settings [--config FILE] [DIR]`: the settings the proxy would run with in DIR's
 * project (built-in defaults, --config, .marathon.json, the environment), as JSON. */
static int
cmd_settings(int argc, char **argv)
{
    const char *config_path = NULL, *dir = ".";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "lsp-proxy settings: unknown option `%s`\n", argv[i]);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    struct config cfg;
    load_settings(&cfg, config_path, dir);
    char *json = config_settings_json(&cfg);
    printf("%s\n", json);
    free(json);
    config_release(&cfg);
    return fflush(stdout) == 0 ? 0 : 2;
}

static int
cmd_proxy(int argc, char **argv)
{
    const char *log_path = NULL, *config_path = NULL;
    enum log_level level = LOG_INFO;
    size_t max_frame = 0;
    char lake[] = "lake", serve[] = "serve";
    char *default_cmd[] = {lake, serve, NULL};
    char **server = default_cmd;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc)
                server = argv + i + 1;
            break;
        } else if (strcmp(a, "--log") == 0 && i + 1 < argc) {
            log_path = argv[++i];
        } else if (strcmp(a, "--log-level") == 0 && i + 1 < argc) {
            if (log_level_parse(argv[++i], &level) < 0) {
                fprintf(stderr, "lsp-proxy: unknown log level `%s`\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strcmp(a, "--max-frame") == 0 && i + 1 < argc) {
            max_frame = strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "lsp-proxy: unknown option `%s`\n", a);
            usage(stderr);
            return 2;
        }
    }
    log_set_level(level);
    if (log_path && log_open(log_path) < 0) {
        fprintf(stderr, "lsp-proxy: cannot open log %s: %s\n", log_path, strerror(errno));
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    struct config cfg;
    load_settings(&cfg, config_path, ".");
    log_info("main", "lsp-proxy %s starting; server: %s", LSP_PROXY_VERSION, server[0]);

    struct ev_loop *loop = EV_DEFAULT;
    struct router_options opts = {server, 0, 1, max_frame};
    struct router *r = router_new(loop, &opts, &cfg);
    int code = router_run(r);
    router_free(r);
    config_release(&cfg);
    log_info("main", "exiting with code %d", code);
    log_close();
    return code;
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "dag") == 0)
        return cmd_dag(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "prove") == 0)
        return cmd_prove(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "settings") == 0)
        return cmd_settings(argc - 1, argv + 1);
    if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("lsp-proxy %s\n", LSP_PROXY_VERSION);
        return 0;
    }
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    return cmd_proxy(argc, argv);
}
