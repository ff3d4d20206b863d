/*
 * `lsp-proxy dag --format svg|html`: the picture laid out by Graphviz's dot, checked against
 * `dag --format json` of the same file: one SVG node per DAG node with the status class and
 * fill colour of INTERFACE.md's "DAG colours", one SVG edge per dependency, theorems with a
 * double border; the page self-contained (CSP, no script, nothing fetched) with the summary
 * counts, the legend and a table row per node; names escaped; and the errors when Graphviz
 * is missing (svg: exit 2 naming the package; html: a warning and the table) or fails.
 * The picture checks are skipped when dot is not installed (.ci installs graphviz).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsp_client.h"
#include "tap.h"

static const char *proxy;
static char out[4 << 20];
static char err[65536];

/* Runs `ENV proxy ARGS` capturing stdout and stderr; returns the exit code. */
static int
run(const char *env, const char *args)
{
    char cmd[8192], errf[] = "/tmp/lsp-proxy-dagr-XXXXXX";
    int fd = mkstemp(errf);
    close(fd);
    snprintf(cmd, sizeof cmd, "%s '%s' %s 2>'%s'", env, proxy, args, errf);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    int st = p ? pclose(p) : -1;
    char *e = test_read_file(errf);
    snprintf(err, sizeof err, "%s", e ? e : "");
    free(e);
    remove(errf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static const char *
expected_fill(const cJSON *node)
{
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "status"));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(node, "leaf")))
        return "#1565c0";
    static const char *const map[][2] = {{"proved", "#2e7d32"}, {"sorry", "#f9a825"},
                                         {"error", "#c62828"},  {"pending", "#9e9e9e"},
                                         {"definition", "#6a1b9a"}};
    for (size_t i = 0; st && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(st, map[i][0]) == 0)
            return map[i][1];
    return "?";
}

/* Checks the SVG in `svg` against the DAG JSON of the same file. */
static void
check_svg(const char *what, const char *svg, const cJSON *dag)
{
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(dag, "nodes");
    int n = cJSON_GetArraySize(nodes), edges = 0, good_class = 0, good_fill = 0, named = 0,
        double_border = 0, theorems = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *nd = cJSON_GetArrayItem(nodes, i);
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nd, "name"));
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nd, "status"));
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nd, "kind"));
        edges += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(nd, "deps"));
        char id[64];
        snprintf(id, sizeof id, "<g id=\"node&#45;%d\" class=\"node ", i);
        const char *g = strstr(svg, id);
        if (g == NULL)
            continue;
        const char *end = strstr(g + 1, "<g id=\"node&#45;");
        const char *gend = strstr(g, "</a>");
        size_t span = gend ? (size_t)(gend - g) : strlen(g);
        if (end && (size_t)(end - g) < span)
            span = (size_t)(end - g);
        char *part = strndup(g, span);
        good_class += strncmp(g + strlen(id), test_str(st), strlen(test_str(st))) == 0;
        char fill[32];
        snprintf(fill, sizeof fill, "fill=\"%s\"", expected_fill(nd));
        good_fill += strstr(part, fill) != NULL;
        named += name && strstr(part, name) != NULL;
        if (kind && strcmp(kind, "theorem") == 0) {
            theorems++;
            double_border += count(part, "<ellipse") == 2;
        }
        free(part);
    }
    is_int(count(svg, "class=\"node "), n, "%s: one SVG node per DAG node (%d)", what, n);
    is_int(good_class, n, "%s: every node carries its status class", what);
    is_int(good_fill, n, "%s: every node filled with its status colour", what);
    is_int(named, n, "%s: every node shows its name", what);
    is_int(count(svg, "class=\"edge\""), edges, "%s: one SVG edge per dependency (%d)", what, edges);
    is_int(double_border, theorems, "%s: theorems have a double border (%d)", what, theorems);
}

int
main(void)
{
    proxy = test_bin("LSP_PROXY_BIN");
    const char *src = getenv("LSP_PROXY_SRC");
    if (!proxy || !src) {
        skip("dag render", "not run from make test");
        return done_testing();
    }
    bool have_dot = system("command -v dot >/dev/null 2>&1") == 0;
    char args[8192];
    static const char *const examples[] = {"number_theory.lean", "architect_style.lean",
                                           "number_theory_mistakes.lean"};
    for (size_t e = 0; e < sizeof examples / sizeof examples[0]; e++) {
        snprintf(args, sizeof args, "dag --format json '%s/examples/%s'", src, examples[e]);
        is_int(run("", args), 0, "dag json of the example");
        cJSON *dag = cJSON_Parse(out);
        ok(dag && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(dag, "nodes")) > 3,
           "the example has nodes");
        if (!have_dot) {
            skip(examples[e], "Graphviz's dot is not installed");
            cJSON_Delete(dag);
            continue;
        }
        snprintf(args, sizeof args, "dag --format svg '%s/examples/%s'", src, examples[e]);
        is_int(run("", args), 0, "dag svg: exit 0");
        ok(strncmp(out, "<svg", 4) == 0, "svg: starts at the <svg> element (no prolog)");
        is_contains(out, "</svg>", "svg: complete");
        check_svg(examples[e], out, dag);

        snprintf(args, sizeof args, "dag --format html '%s/examples/%s'", src, examples[e]);
        is_int(run("", args), 0, "dag html: exit 0");
        is_str(err, "", "html: nothing on stderr");
        check_svg("html", out, dag);
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(dag, "summary");
        char want[256];
        snprintf(want, sizeof want, "%d nodes: %d proved, %d sorry (%d dynamic leaves), %d error",
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "nodes")),
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "proved")),
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "sorry")),
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "leaves")),
                 (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "error")));
        is_contains(out, want, "html: the summary counts agree with the DAG JSON");
        is_int(count(out, "<tr class="),
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(dag, "nodes")),
               "html: a table row per node");
        cJSON_Delete(dag);
    }

    /* The page is self-contained: a CSP, no script, nothing loaded. */
    snprintf(args, sizeof args, "dag --format html '%s/examples/number_theory.lean'", src);
    run("", args);
    is_contains(out, "Content-Security-Policy", "html: a Content-Security-Policy");
    is_contains(out, "default-src 'none'", "html: the CSP allows nothing by default");
    ok(strstr(out, "<script") == NULL, "html: no script");
    ok(strstr(out, "src=") == NULL && strstr(out, "<link") == NULL && strstr(out, "url(") == NULL,
       "html: nothing fetched (no src=, <link>, url())");
    static const char *const legend[] = {"#2e7d32", "#f9a825", "#1565c0",
                                         "#c62828", "#9e9e9e", "#6a1b9a"};
    int in_legend = 0;
    for (size_t i = 0; i < 6; i++)
        in_legend += strstr(out, legend[i]) != NULL;
    is_int(in_legend, 6, "html: the legend has every status colour");
    is_contains(out, "dynamic leaf", "html: the legend explains leaves");

    /* Names are escaped: a «» name with < > & in it. */
    char *dir = test_tmpdir();
    char file[4096];
    snprintf(file, sizeof file, "%s/Odd.lean", dir);
    test_write_file(file, "theorem «a<b&c>» : True := by\n  sorry\n\n"
                          "theorem plain_one : True := by\n  trivial\n");
    snprintf(args, sizeof args, "dag --format html '%s'", file);
    is_int(run("PATH=/nonexistent", args), 0, "html without Graphviz: exit 0");
    is_contains(err, "graphviz", "html without Graphviz: a warning naming the package");
    is_contains(out, "id=\"no-picture\"", "html without Graphviz: says there is no picture");
    is_contains(out, "a&lt;b&amp;c&gt;", "html: names escaped");
    ok(strstr(out, "a<b&c>") == NULL, "html: no raw name");
    is_int(count(out, "<tr class="), 2, "html without Graphviz: still a row per node");
    if (have_dot) {
        snprintf(args, sizeof args, "dag --format svg '%s'", file);
        is_int(run("", args), 0, "svg of odd names: exit 0");
        ok(strstr(out, "a<b&c>") == NULL && strstr(out, "a&lt;b&amp;c&gt;") != NULL,
           "svg: Graphviz escaped the name");
    } else {
        skip("odd names in svg", "Graphviz's dot is not installed");
    }

    /* Errors: no Graphviz, Graphviz failing. */
    snprintf(args, sizeof args, "dag --format svg '%s'", file);
    is_int(run("LSP_PROXY_DOT=/nonexistent/dot", args), 2, "svg without Graphviz: exit 2");
    is_contains(err, "install the `graphviz` package", "svg without Graphviz: names the package");
    is_str(out, "", "svg without Graphviz: nothing on stdout");
    is_int(run("LSP_PROXY_DOT=false", args), 2, "svg when dot fails: exit 2");
    is_contains(err, "failed (exit status 1)", "svg when dot fails: says so");
    is_int(run("LSP_PROXY_DOT=true", args), 2, "svg when dot writes nothing: exit 2");
    is_contains(err, "no <svg>", "svg when dot writes nothing: says so");
    snprintf(args, sizeof args, "dag --format svg '%s/nope.lean'", dir);
    is_int(run("", args), 2, "svg of a missing file: exit 2");
    free(dir);
    return done_testing();
}
