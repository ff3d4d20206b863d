/* dagrender: `dag --format svg|html` through Graphviz's dot (see dagrender.h). */
#include "dagrender.h"

#include <errno.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis.h"
#include "buf.h"

extern char **environ;

/* The SVG Graphviz writes for 15,000-line blueprints is a few hundred KiB; a reply beyond
 * this is not a picture anyone can read and is refused rather than buffered. */
#define DAGRENDER_SVG_MAX (64u << 20)

const char *
dagrender_dot_program(void)
{
    const char *p = getenv("LSP_PROXY_DOT");
    return p && *p ? p : "dot";
}

/* Writes text to a new temporary file; returns its path (malloc'd) or NULL with err. */
static char *
dagrender_temp_dot(const char *text, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    struct buf path;
    buf_init(&path, 0);
    (void)buf_addf(&path, "%s/lsp-proxy-dag-XXXXXX.dot", dir && *dir ? dir : "/tmp");
    char *p = buf_detach(&path, NULL);
    int fd = mkstemps(p, 4);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file for dot: %s", strerror(errno));
        free(p);
        return NULL;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write %s: %s", p, strerror(errno));
            close(fd);
            unlink(p);
            free(p);
            return NULL;
        }
        off += (size_t)w;
    }
    close(fd);
    return p;
}

/* Runs `DOT -Tsvg FILE`, its stdout appended to out. Returns 0 or -1 with err. */
static int
dagrender_run_dot(const char *file, struct buf *out, char *err, size_t errlen)
{
    const char *prog = dagrender_dot_program();
    int fds[2];
    if (pipe(fds) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    char arg_t[] = "-Tsvg";
    char *argv[] = {(char *)prog, arg_t, (char *)file, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        if (rc == ENOENT)
            snprintf(err, errlen,
                     "Graphviz's `%s` program was not found (set LSP_PROXY_DOT or install the "
                     "`graphviz` package: apt-get install graphviz, brew install graphviz)",
                     prog);
        else
            snprintf(err, errlen, "cannot run `%s`: %s", prog, strerror(rc));
        return -1;
    }
    bool too_big = false;
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fds[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (out->len + (size_t)r > DAGRENDER_SVG_MAX)
            too_big = true;
        if (!too_big)
            (void)buf_add(out, chunk, (size_t)r);
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status))
            snprintf(err, errlen, "`%s -Tsvg` failed (exit status %d)", prog, WEXITSTATUS(status));
        else
            snprintf(err, errlen, "`%s -Tsvg` was killed by signal %d", prog,
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return -1;
    }
    if (too_big) {
        snprintf(err, errlen, "`%s -Tsvg` wrote more than %u MiB", prog, DAGRENDER_SVG_MAX >> 20);
        return -1;
    }
    return 0;
}

int
dagrender_svg(const struct analysis *a, struct buf *out, char *err, size_t errlen)
{
    char *dot = analysis_dag_dot(a);
    char *file = dagrender_temp_dot(dot, err, errlen);
    free(dot);
    if (file == NULL)
        return -1;
    struct buf svg;
    buf_init(&svg, 0);
    int rc = dagrender_run_dot(file, &svg, err, errlen);
    unlink(file);
    free(file);
    /* Drop the XML prolog, DOCTYPE and generator comment: the rest inlines into HTML and is
     * still a complete SVG document. */
    const char *start = svg.data ? strstr(svg.data, "<svg") : NULL;
    if (rc == 0 && start == NULL) {
        snprintf(err, errlen, "`%s -Tsvg` wrote no <svg> element", dagrender_dot_program());
        rc = -1;
    }
    if (rc == 0)
        (void)buf_add(out, start, svg.len - (size_t)(start - svg.data));
    buf_release(&svg);
    return rc;
}

static void
html_escape(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': (void)buf_adds(b, "&lt;"); break;
        case '>': (void)buf_adds(b, "&gt;"); break;
        case '&': (void)buf_adds(b, "&amp;"); break;
        case '"': (void)buf_adds(b, "&quot;"); break;
        default: (void)buf_addch(b, *s);
        }
    }
}

static const char *
status_word(const struct analysis_node *n)
{
    switch (n->status) {
    case ANALYSIS_STATUS_PROVED: return "proved";
    case ANALYSIS_STATUS_SORRY: return "sorry";
    case ANALYSIS_STATUS_ERROR: return "error";
    case ANALYSIS_STATUS_PENDING: return "pending";
    case ANALYSIS_STATUS_DEFINITION: return "definition";
    }
    return "pending";
}

/* INTERFACE.md's "DAG colours"; analysis.c uses the same for DOT and Mermaid. */
static const struct {
    const char *cls, *fill, *text, *what;
} dagrender_legend[] = {
    {"proved", "#2e7d32", "#fff", "proved"},
    {"sorry", "#f9a825", "#000", "sorry"},
    {"leaf", "#1565c0", "#fff", "dynamic leaf (sorry, every dependency proved)"},
    {"error", "#c62828", "#fff", "error"},
    {"pending", "#9e9e9e", "#000", "pending (Lean has not reached it)"},
    {"definition", "#6a1b9a", "#fff", "definition (box)"},
};

void
dagrender_html(const struct analysis *a, const char *file, const char *svg, const char *why,
               struct buf *out)
{
    size_t n = analysis_node_count(a), proved = 0, sorry = 0, leaves = 0, errors = 0,
           pending = 0, defs = 0, theorems = 0;
    for (size_t i = 0; i < n; i++) {
        const struct analysis_node *nd = analysis_node(a, i);
        proved += nd->status == ANALYSIS_STATUS_PROVED;
        sorry += nd->status == ANALYSIS_STATUS_SORRY;
        leaves += nd->leaf;
        errors += nd->status == ANALYSIS_STATUS_ERROR;
        pending += nd->status == ANALYSIS_STATUS_PENDING;
        defs += nd->status == ANALYSIS_STATUS_DEFINITION;
        theorems += nd->kind == ANALYSIS_KIND_THEOREM;
    }
    (void)buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                        "'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>Blueprint DAG: ");
    html_escape(out, file);
    (void)buf_adds(out,
                   "</title>\n<style>\n"
                   "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
                   "h1{font-size:1.3em}\n"
                   ".summary{font-size:1.05em}\n"
                   ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.2em}\n"
                   ".legend li{display:flex;align-items:center;gap:.4em}\n"
                   ".swatch{display:inline-block;width:1.1em;height:1.1em;border:1px solid #555;"
                   "border-radius:.2em}\n"
                   ".swatch.theorem{background:#fff;border:3px double #555}\n"
                   "figure{margin:1em 0;overflow:auto;border:1px solid #ddd;padding:.5em}\n"
                   "figure svg{max-width:100%;height:auto}\n"
                   ".warning{background:#fff3cd;border:1px solid #e0c060;padding:.5em}\n"
                   "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;"
                   "border-bottom:1px solid #eee}\n");
    for (size_t i = 0; i < sizeof dagrender_legend / sizeof dagrender_legend[0]; i++)
        (void)buf_addf(out, ".swatch.%s,tr.%s td.status{background:%s;color:%s}\n",
                       dagrender_legend[i].cls, dagrender_legend[i].cls, dagrender_legend[i].fill,
                       dagrender_legend[i].text);
    (void)buf_adds(out, "</style></head><body>\n<h1>Blueprint DAG: ");
    html_escape(out, file);
    (void)buf_addf(out,
                   "</h1>\n<p class=\"summary\" id=\"summary\">%zu nodes: %zu proved, %zu sorry "
                   "(%zu dynamic leaves), %zu error, %zu pending, %zu definitions; %zu "
                   "theorems</p>\n<ul class=\"legend\">\n",
                   n, proved, sorry, leaves, errors, pending, defs, theorems);
    for (size_t i = 0; i < sizeof dagrender_legend / sizeof dagrender_legend[0]; i++)
        (void)buf_addf(out, "<li><span class=\"swatch %s\"></span>%s</li>\n",
                       dagrender_legend[i].cls, dagrender_legend[i].what);
    (void)buf_adds(out, "<li><span class=\"swatch theorem\"></span>theorem (double border)</li>\n"
                        "<li>an arrow points from a node to what it uses</li>\n</ul>\n");
    if (svg) {
        (void)buf_adds(out, "<figure id=\"dag\">\n");
        (void)buf_adds(out, svg);
        (void)buf_adds(out, "\n</figure>\n");
    } else {
        (void)buf_adds(out, "<p class=\"warning\" id=\"no-picture\">No picture: ");
        html_escape(out, why ? why : "no layout");
        (void)buf_adds(out, ". The nodes are listed below.</p>\n");
    }
    (void)buf_adds(out, "<table id=\"nodes\"><tr><th>name</th><th>label</th><th>kind</th>"
                        "<th>status</th><th>deps</th><th>line</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct analysis_node *nd = analysis_node(a, i);
        (void)buf_addf(out, "<tr class=\"%s\"><td>", nd->leaf ? "leaf" : status_word(nd));
        html_escape(out, *nd->name ? nd->name : "(anonymous)");
        (void)buf_adds(out, "</td><td>");
        html_escape(out, nd->label);
        (void)buf_addf(out, "</td><td>%s</td><td class=\"status\">%s%s</td><td>",
                       nd->kind == ANALYSIS_KIND_THEOREM ? "theorem"
                       : nd->kind == ANALYSIS_KIND_LEMMA ? "lemma"
                                                         : "definition",
                       status_word(nd), nd->leaf ? " (leaf)" : "");
        for (size_t d = 0; d < nd->ndeps; d++) {
            if (d)
                (void)buf_adds(out, ", ");
            html_escape(out, nd->deps[d]);
        }
        (void)buf_addf(out, "</td><td>%u</td></tr>\n", nd->range.start.line + 1);
    }
    (void)buf_adds(out, "</table>\n</body></html>\n");
}
