/* workspace: per-document blueprint analysis, debounced, published as diagnostics. */
#include "workspace.h"

#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "diagnostics.h"
#include "documents.h"
#include "log.h"
#include "proxy.h"
#include "xalloc.h"

struct doc_state {
    struct proxy *p;
    struct document *doc;
    struct analysis *a;
    ev_timer debounce;
    bool text_stale;   /* edits not analysed yet */
    bool lean_stale;   /* Lean's view changed since analysis_set_lean */
    bool progress_known;
    bool done;         /* fileProgress: processing [] */
    uint32_t processed_line;
};

static void workspace_analyse(struct doc_state *s);

static void
workspace_debounce_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct doc_state *s = (struct doc_state *)((char *)w - offsetof(struct doc_state, debounce));
    (void)revents;
    ev_timer_stop(loop, w);
    workspace_analyse(s);
}

static struct doc_state *
workspace_state(struct proxy *p, struct document *doc)
{
    struct doc_state *s = document_get_user(doc);
    if (s == NULL) {
        s = xcalloc(1, sizeof *s);
        s->p = p;
        s->doc = doc;
        ev_init(&s->debounce, workspace_debounce_cb);
        document_set_user(doc, s);
    }
    return s;
}

/* Runs the engine on the current text and publishes the findings if they changed. */
static void
workspace_analyse(struct doc_state *s)
{
    size_t len;
    const char *text = document_text(s->doc, &len);
    ev_timer_stop(s->p->loop, &s->debounce);
    /* the previous analysis's tokens are reused around the edit (analysis_update) */
    s->a = analysis_update(s->a, text, len, s->p->cfg.blueprint_profile);
    s->text_stale = false;
    s->lean_stale = true;
    char *items = analysis_diagnostics_json(s->a);
    const char *uri = document_uri(s->doc);
    if (diagnostics_set_own(s->p->diags, uri, "marathon", items))
        proxy_publish(s->p, uri);
    log_debug("workspace", "%s: %zu nodes, %zu findings", uri, analysis_node_count(s->a),
              analysis_finding_count(s->a));
    free(items);
}

void
workspace_opened(struct proxy *p, struct document *doc)
{
    struct doc_state *s = workspace_state(p, doc);
    s->progress_known = false;
    workspace_analyse(s);
}

void
workspace_changed(struct proxy *p, struct document *doc)
{
    struct doc_state *s = workspace_state(p, doc);
    s->text_stale = true;
    s->debounce.repeat = (double)p->cfg.debounce_ms / 1000.0;
    ev_timer_again(p->loop, &s->debounce);
}

void
workspace_closing(struct proxy *p, struct document *doc)
{
    struct doc_state *s = document_get_user(doc);
    if (s == NULL)
        return;
    ev_timer_stop(p->loop, &s->debounce);
    analysis_free(s->a);
    diagnostics_set_own(p->diags, document_uri(doc), "marathon", NULL);
    document_set_user(doc, NULL);
    free(s);
}

void
workspace_lean_changed(struct proxy *p, struct document *doc)
{
    workspace_state(p, doc)->lean_stale = true;
}

void
workspace_progress(struct proxy *p, struct document *doc, struct jspan params)
{
    struct doc_state *s = workspace_state(p, doc);
    struct jspan processing, item;
    if (!jscan_get(params, "processing", &processing) || jscan_type(processing) != JSCAN_ARRAY)
        return;
    size_t pos = 0;
    long long first = -1;
    while (jscan_next(processing, &pos, NULL, &item)) {
        struct jspan line;
        long long l;
        if (jscan_path(item, "range.start.line", &line) && jscan_int(line, &l) &&
            (first < 0 || l < first))
            first = l;
    }
    s->progress_known = true;
    s->done = first < 0;
    s->processed_line = first < 0 ? 0 : (uint32_t)first;
    s->lean_stale = true;
}

struct analysis *
workspace_analysis(struct proxy *p, struct document *doc)
{
    struct doc_state *s = workspace_state(p, doc);
    if (s->a == NULL || s->text_stale)
        workspace_analyse(s);
    if (s->lean_stale) {
        struct lean_view view;
        memset(&view, 0, sizeof view);
        view.diags = diagnostics_lean_view(p->diags, document_uri(doc), &view.ndiags, &view.known);
        /* A server that runs elaborates every open document: before its first word on
         * this one, nothing in it is checked yet (pending), not proved. Without a server
         * (it gave up, or is stopping) the text alone says what it can. */
        bool serving = p->phase != PROXY_LEAN_FAILED && p->phase != PROXY_LEAN_STOPPING;
        view.known = view.known || s->progress_known || serving;
        /* Before any progress report Lean is working on the whole file. */
        view.done = s->progress_known ? s->done : false;
        view.processed_line = s->progress_known ? s->processed_line : 0;
        analysis_set_lean(s->a, view.known ? &view : NULL);
        s->lean_stale = false;
    }
    return s->a;
}

static void
workspace_refresh_one(struct document *doc, void *arg)
{
    struct proxy *p = arg;
    workspace_analyse(workspace_state(p, doc));
}

void
workspace_refresh_all(struct proxy *p)
{
    documents_foreach(p->docs, workspace_refresh_one, p);
}
