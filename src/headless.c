/*
 * headless: `lsp-proxy prove`, the proxy driven by an in-process editor (headless.h).
 *
 * The driver is a transport on the far ends of two pipes whose near ends are the router's
 * editor fds; both run on the same libev loop, so nothing here blocks and the proxy cannot
 * tell the driver from an editor. The driver's requests carry ids 1, 2, …; each waits for
 * its response in a small table of handlers.
 */
#include "headless.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "documents.h"
#include "log.h"
#include "router.h"
#include "textfile.h"
#include "transport.h"
#include "xalloc.h"

#define HL_POLL_S 0.2 /* marathon.status while jobs run */

struct hl;
typedef void hl_response_fn(struct hl *h, const cJSON *result, const cJSON *error, void *arg);

struct hl_pending {
    int id;
    hl_response_fn *fn;
    void *arg;
};

struct hl_target {
    char *name;
    char *job;       /* job id once the proxy accepted it */
    char *state;     /* final state */
    char *kind;      /* as the proxy reports it (tactics, prove, repair) */
    char *message;
    char *proof;
    int attempts;
    bool done;
};

struct hl {
    const struct headless_options *o;
    const char *name;     /* the file, as messages name it */
    struct ev_loop *loop;
    struct router *router;
    struct transport *t;
    ev_timer poll;
    char *uri;
    char *original;       /* the text read from disk */
    size_t original_len;
    struct documents *docs;
    struct document *doc; /* the driver's copy, as an editor holds it */
    long version;
    int applied;          /* edits applied */
    int next_id;
    struct hl_pending *pending;
    size_t npending;
    struct hl_target *targets;
    size_t ntargets;
    size_t round_from;    /* first target of the running round */
    size_t awaiting;      /* command responses still to come in this round */
    int rounds;
    bool leaves;
    bool finishing;
    bool polling;
    int exit_code;        /* 2 once an error decided it */
};

/* ---- sending ---- */

static void
hl_send(struct hl *h, cJSON *msg)
{
    cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
    char *s = cJSON_PrintUnformatted(msg);
    if (s) {
        transport_send(h->t, s, strlen(s));
        cJSON_free(s);
    }
    cJSON_Delete(msg);
}

static void
hl_request(struct hl *h, const char *method, cJSON *params, hl_response_fn *fn, void *arg)
{
    cJSON *m = cJSON_CreateObject();
    int id = ++h->next_id;
    cJSON_AddNumberToObject(m, "id", id);
    cJSON_AddStringToObject(m, "method", method);
    cJSON_AddItemToObject(m, "params", params ? params : cJSON_CreateObject());
    h->pending = xreallocarray(h->pending, h->npending + 1, sizeof *h->pending);
    h->pending[h->npending++] = (struct hl_pending){id, fn, arg};
    hl_send(h, m);
}

static void
hl_notify(struct hl *h, const char *method, cJSON *params)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "method", method);
    cJSON_AddItemToObject(m, "params", params ? params : cJSON_CreateObject());
    hl_send(h, m);
}

static void
hl_respond(struct hl *h, const cJSON *id, cJSON *result)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddItemToObject(m, "id", cJSON_Duplicate(id, true));
    cJSON_AddItemToObject(m, "result", result ? result : cJSON_CreateNull());
    hl_send(h, m);
}

static void
hl_respond_error(struct hl *h, const cJSON *id, int code, const char *message)
{
    cJSON *m = cJSON_CreateObject(), *e = cJSON_CreateObject();
    cJSON_AddItemToObject(m, "id", cJSON_Duplicate(id, true));
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToObject(m, "error", e);
    hl_send(h, m);
}

static cJSON *
hl_command(const char *command, cJSON *arg)
{
    cJSON *p = cJSON_CreateObject(), *args = cJSON_CreateArray();
    cJSON_AddStringToObject(p, "command", command);
    cJSON_AddItemToArray(args, arg);
    cJSON_AddItemToObject(p, "arguments", args);
    return p;
}

static cJSON *
hl_uri_arg(const struct hl *h, const char *name)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "uri", h->uri);
    if (name)
        cJSON_AddStringToObject(a, "name", name);
    return a;
}

static const char *
json_str(const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* ---- the run ---- */

static void hl_round(struct hl *h);
static void hl_finish(struct hl *h);

static void
hl_fail(struct hl *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
hl_fail(struct hl *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "lsp-proxy prove: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    h->exit_code = 2;
    hl_finish(h);
}

static cJSON *
hl_text_document(const struct hl *h, bool with_version)
{
    cJSON *td = cJSON_CreateObject();
    cJSON_AddStringToObject(td, "uri", h->uri);
    if (with_version)
        cJSON_AddNumberToObject(td, "version", (double)h->version);
    return td;
}

static void
hl_after_wait(struct hl *h, const cJSON *result, const cJSON *error, void *arg)
{
    (void)result;
    (void)arg;
    if (error) /* Lean could not answer; the DAG still comes from the text */
        log_warn("headless", "waitForDiagnostics: %s", json_str(error, "message"));
    hl_round(h);
}

/* Lean has checked the current version (or said why it cannot), then hl_round(). */
static void
hl_wait_lean(struct hl *h)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "uri", h->uri);
    cJSON_AddNumberToObject(p, "version", (double)h->version);
    hl_request(h, "textDocument/waitForDiagnostics", p, hl_after_wait, NULL);
}

static void
hl_initialized(struct hl *h, const cJSON *result, const cJSON *error, void *arg)
{
    (void)arg;
    if (error || !cJSON_IsObject(result)) {
        hl_fail(h, "the proxy refused initialize: %s", error ? json_str(error, "message") : "?");
        return;
    }
    hl_notify(h, "initialized", NULL);
    cJSON *p = cJSON_CreateObject(), *td = hl_text_document(h, true);
    cJSON_AddStringToObject(td, "languageId", "lean4");
    size_t len;
    const char *text = document_text(h->doc, &len);
    cJSON_AddItemToObject(td, "text", cJSON_CreateString(text));
    cJSON_AddItemToObject(p, "textDocument", td);
    hl_notify(h, "textDocument/didOpen", p);
    hl_wait_lean(h);
}

static bool
hl_tried(const struct hl *h, const char *name)
{
    for (size_t i = 0; i < h->ntargets; i++)
        if (strcmp(h->targets[i].name, name) == 0)
            return true;
    return false;
}

static struct hl_target *
hl_add_target(struct hl *h, const char *name)
{
    h->targets = xreallocarray(h->targets, h->ntargets + 1, sizeof *h->targets);
    struct hl_target *t = &h->targets[h->ntargets++];
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    return t;
}

static void
target_set(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

static void hl_poll_cb(struct ev_loop *loop, ev_timer *w, int revents);

static void
hl_started(struct hl *h, const cJSON *result, const cJSON *error, void *arg)
{
    struct hl_target *t = &h->targets[(size_t)(uintptr_t)arg];
    const char *job = json_str(result, "jobId");
    if (job) {
        target_set(&t->job, job);
    } else {
        t->done = true;
        target_set(&t->state, "failed");
        target_set(&t->message, error ? json_str(error, "message") : "the proxy gave no job");
    }
    if (--h->awaiting == 0 && !h->polling) {
        h->polling = true;
        ev_timer_again(h->loop, &h->poll);
    }
}

static void
hl_start_target(struct hl *h, size_t i, const char *command)
{
    h->awaiting++;
    hl_request(h, "workspace/executeCommand",
               hl_command(command, hl_uri_arg(h, h->targets[i].name)), hl_started,
               (void *)(uintptr_t)i);
}

static const cJSON *
dag_node(const cJSON *dag, const char *name)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(dag, "nodes"))
    {
        const char *nm = json_str(n, "name");
        if (nm && strcmp(nm, name) == 0)
            return n;
    }
    return NULL;
}

static void
hl_got_dag(struct hl *h, const cJSON *dag, const cJSON *error, void *arg)
{
    (void)arg;
    if (error || !cJSON_IsObject(dag)) {
        hl_fail(h, "marathon.dag failed: %s", error ? json_str(error, "message") : "no result");
        return;
    }
    h->round_from = h->ntargets;
    if (log_enabled(LOG_DEBUG)) {
        char *t = cJSON_PrintUnformatted(dag);
        log_debug("headless", "round %d: %s", h->rounds, t ? t : "?");
        cJSON_free(t);
    }
    if (!h->leaves) {
        if (h->rounds > 0) {
            hl_finish(h);
            return;
        }
        for (const char *const *nm = h->o->names; *nm; nm++) {
            const cJSON *n = dag_node(dag, *nm);
            const char *status = n ? json_str(n, "status") : NULL;
            if (n == NULL || hl_tried(h, *nm)) {
                if (n == NULL) {
                    fprintf(stderr, "lsp-proxy prove: %s: no node `%s`\n", h->name, *nm);
                    h->exit_code = 2;
                }
                continue;
            }
            if (status && strcmp(status, "proved") == 0) {
                fprintf(h->o->out, "%s: `%s` is proved already\n", h->name, *nm);
                continue;
            }
            if (status && strcmp(status, "definition") == 0) {
                fprintf(stderr, "lsp-proxy prove: %s: `%s` is a definition\n", h->name, *nm);
                h->exit_code = 2;
                continue;
            }
            hl_add_target(h, *nm);
            hl_start_target(h, h->ntargets - 1,
                            status && strcmp(status, "error") == 0 ? "marathon.repair"
                                                                   : "marathon.prove");
        }
    } else {
        const cJSON *n;
        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(dag, "nodes"))
        {
            const char *nm = json_str(n, "name");
            if (nm && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n, "leaf")) &&
                !hl_tried(h, nm)) {
                hl_add_target(h, nm);
                hl_start_target(h, h->ntargets - 1, "marathon.prove");
            }
        }
    }
    if (h->ntargets == h->round_from)
        hl_finish(h);
    else
        h->rounds++;
}

static void
hl_round(struct hl *h)
{
    hl_request(h, "workspace/executeCommand", hl_command("marathon.dag", hl_uri_arg(h, NULL)),
               hl_got_dag, NULL);
}

static bool
state_final(const char *s)
{
    return s && (strcmp(s, "succeeded") == 0 || strcmp(s, "failed") == 0 ||
                 strcmp(s, "cancelled") == 0);
}

static void
hl_got_status(struct hl *h, const cJSON *st, const cJSON *error, void *arg)
{
    (void)arg;
    if (error || !cJSON_IsObject(st)) {
        hl_fail(h, "marathon.status failed: %s", error ? json_str(error, "message") : "?");
        return;
    }
    const char *lean = json_str(st, "lean");
    if (lean && strcmp(lean, "failed") == 0) {
        hl_fail(h, "the Lean server could not run (see the log)");
        return;
    }
    bool all = true, proved = false;
    for (size_t i = h->round_from; i < h->ntargets; i++) {
        struct hl_target *t = &h->targets[i];
        if (t->done)
            continue;
        const cJSON *j;
        cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(st, "jobs"))
        {
            const char *id = json_str(j, "id");
            if (!id || strcmp(id, t->job) != 0)
                continue;
            const char *state = json_str(j, "state");
            if (!state_final(state))
                break;
            t->done = true;
            target_set(&t->state, state);
            target_set(&t->kind, json_str(j, "kind"));
            target_set(&t->message, json_str(j, "message"));
            target_set(&t->proof, json_str(j, "proof"));
            t->attempts = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "attempts"));
            if (t->attempts < 0) /* NaN when absent */
                t->attempts = 0;
            break;
        }
        all = all && t->done;
    }
    if (!all)
        return;
    h->polling = false;
    ev_timer_stop(h->loop, &h->poll);
    for (size_t i = h->round_from; i < h->ntargets; i++)
        proved = proved || (h->targets[i].state && strcmp(h->targets[i].state, "succeeded") == 0);
    if (h->leaves && proved)
        hl_wait_lean(h); /* then the next round's leaves */
    else
        hl_finish(h);
}

static void
hl_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct hl *h = w->data;
    hl_request(h, "workspace/executeCommand", hl_command("marathon.status", cJSON_CreateObject()),
               hl_got_status, NULL);
}

/* ---- the proxy's requests ---- */

static int
read_pos(const cJSON *p, struct lsp_pos *out)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(p, "line");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "character");
    if (!cJSON_IsNumber(l) || !cJSON_IsNumber(c) || l->valuedouble < 0 || c->valuedouble < 0)
        return -1;
    out->line = (uint32_t)l->valuedouble;
    out->character = (uint32_t)c->valuedouble;
    return 0;
}

/* Applies one TextEdit[] (positions in the text before any of them) last to first. */
static const char *
hl_apply_edits(struct hl *h, const cJSON *edits)
{
    size_t n = (size_t)cJSON_GetArraySize(edits);
    struct lsp_range *r = xcalloc(n ? n : 1, sizeof *r);
    const char **text = xcalloc(n ? n : 1, sizeof *text);
    const char *why = NULL;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, edits)
    {
        const cJSON *range = cJSON_GetObjectItemCaseSensitive(e, "range");
        text[i] = json_str(e, "newText");
        if (!text[i] || read_pos(cJSON_GetObjectItemCaseSensitive(range, "start"), &r[i].start) ||
            read_pos(cJSON_GetObjectItemCaseSensitive(range, "end"), &r[i].end)) {
            why = "a malformed TextEdit";
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (lsp_range_overlaps(r[k], r[i]) && lsp_pos_cmp(r[k].start, r[i].end) != 0 &&
                lsp_pos_cmp(r[i].start, r[k].end) != 0) {
                why = "overlapping TextEdits";
                goto out;
            }
        i++;
    }
    /* last position first, so earlier positions keep their meaning */
    for (size_t done = 0; done < n; done++) {
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < n; k++)
            if (text[k] && (best == SIZE_MAX || lsp_pos_cmp(r[k].start, r[best].start) > 0))
                best = k;
        if (document_apply_change(h->doc, r[best], text[best], strlen(text[best])) < 0) {
            why = "a TextEdit whose end is before its start";
            goto out;
        }
        text[best] = NULL;
    }
out:
    free(r);
    free(text);
    return why;
}

static void
hl_apply_edit(struct hl *h, const cJSON *id, const cJSON *params)
{
    const cJSON *edit = cJSON_GetObjectItemCaseSensitive(params, "edit");
    const cJSON *dcs = cJSON_GetObjectItemCaseSensitive(edit, "documentChanges");
    const cJSON *edits = NULL;
    const char *why = NULL;
    if (cJSON_IsArray(dcs) && cJSON_GetArraySize(dcs) == 1) {
        const cJSON *dc = cJSON_GetArrayItem(dcs, 0);
        const cJSON *td = cJSON_GetObjectItemCaseSensitive(dc, "textDocument");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(td, "version");
        const char *uri = json_str(td, "uri");
        if (!uri || strcmp(uri, h->uri) != 0)
            why = "the edit is for another document";
        else if (cJSON_IsNumber(v) && (long)v->valuedouble != h->version)
            why = "the edit is for another version of the document";
        edits = cJSON_GetObjectItemCaseSensitive(dc, "edits");
    } else {
        edits = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(edit, "changes"),
                                                 h->uri);
    }
    if (!why && !cJSON_IsArray(edits))
        why = "the edit holds no TextEdit[] for this document";
    if (!why) {
        /* try on a copy first: a bad edit leaves the text as it was */
        size_t len;
        const char *text = document_text(h->doc, &len);
        char *saved = xstrndup(text, len);
        why = hl_apply_edits(h, edits);
        if (why) {
            document_set_text(h->doc, saved, len);
        } else {
            h->version++;
            h->applied++;
            document_set_version(h->doc, h->version);
            cJSON *p = cJSON_CreateObject(), *changes = cJSON_CreateArray(),
                  *c = cJSON_CreateObject();
            cJSON_AddItemToObject(p, "textDocument", hl_text_document(h, true));
            text = document_text(h->doc, &len);
            cJSON_AddItemToObject(c, "text", cJSON_CreateString(text));
            cJSON_AddItemToArray(changes, c);
            cJSON_AddItemToObject(p, "contentChanges", changes);
            hl_notify(h, "textDocument/didChange", p);
        }
        free(saved);
    }
    cJSON *res = cJSON_CreateObject();
    cJSON_AddBoolToObject(res, "applied", why == NULL);
    if (why) {
        cJSON_AddStringToObject(res, "failureReason", why);
        fprintf(stderr, "lsp-proxy prove: an edit was not applied: %s\n", why);
    }
    hl_respond(h, id, res);
}

static void
hl_message(struct hl *h, const cJSON *m)
{
    const char *method = json_str(m, "method");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");
    if (method == NULL && id) { /* a response to the driver */
        int n = (int)cJSON_GetNumberValue(id);
        for (size_t i = 0; i < h->npending; i++) {
            if (h->pending[i].id != n)
                continue;
            struct hl_pending pd = h->pending[i];
            h->pending[i] = h->pending[--h->npending];
            if (pd.fn)
                pd.fn(h, cJSON_GetObjectItemCaseSensitive(m, "result"),
                      cJSON_GetObjectItemCaseSensitive(m, "error"), pd.arg);
            return;
        }
        return;
    }
    if (method == NULL)
        return;
    if (id) {
        if (strcmp(method, "workspace/applyEdit") == 0)
            hl_apply_edit(h, id, params);
        else if (strcmp(method, "client/registerCapability") == 0 ||
                 strcmp(method, "client/unregisterCapability") == 0 ||
                 strcmp(method, "window/workDoneProgress/create") == 0)
            hl_respond(h, id, NULL);
        else
            hl_respond_error(h, id, -32601, "lsp-proxy prove does not handle this request");
        return;
    }
    if (strcmp(method, "window/showMessage") == 0) {
        const char *msg = json_str(params, "message");
        fprintf(stderr, "lsp-proxy prove: %s\n", msg ? msg : "");
    }
}

static void
hl_frame_cb(struct transport *t, const char *body, size_t len, void *arg)
{
    (void)t;
    struct hl *h = arg;
    cJSON *m = cJSON_ParseWithLength(body, len);
    if (m)
        hl_message(h, m);
    else
        log_warn("headless", "the proxy sent a body that is not JSON");
    cJSON_Delete(m);
}

static void
hl_event_cb(struct transport *t, enum transport_event ev, void *arg)
{
    struct hl *h = arg;
    if (ev == TRANSPORT_EVENT_EOF || ev == TRANSPORT_EVENT_ERROR) {
        transport_close(t);
        ev_timer_stop(h->loop, &h->poll);
        if (!h->finishing) {
            fprintf(stderr, "lsp-proxy prove: the proxy closed the connection\n");
            h->exit_code = 2;
        }
    }
}

/* ---- the end ---- */

/* Writes text to path through a temporary file in its directory, keeping the mode. */
static int
write_atomically(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    char *tmp = xasprintf("%s.lsp-proxy-%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    int rc = -1;
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* A proof or a message after "…:": on the same line when it is one line, else below it,
 * indented by four spaces (blank lines kept blank). */
static void
print_proof(FILE *out, const char *proof)
{
    if (proof == NULL || strchr(proof, '\n') == NULL) {
        fprintf(out, " %s\n", proof ? proof : "");
        return;
    }
    fputc('\n', out);
    for (const char *s = proof; *s;) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        fprintf(out, n ? "    %.*s\n" : "%.*s\n", (int)n, s);
        s += n + (e != NULL);
    }
}

static void
hl_report(struct hl *h)
{
    int proved = 0, failed = 0;
    for (size_t i = 0; i < h->ntargets; i++) {
        const struct hl_target *t = &h->targets[i];
        if (t->state && strcmp(t->state, "succeeded") == 0) {
            proved++;
            if (t->kind && strcmp(t->kind, "tactics") == 0)
                fprintf(h->o->out, "%s: proved `%s` (tactics):", h->name, t->name);
            else
                fprintf(h->o->out, "%s: proved `%s` (%s, %d LLM round%s):", h->name, t->name,
                       t->kind ? t->kind : "?", t->attempts, t->attempts == 1 ? "" : "s");
            print_proof(h->o->out, t->proof);
        } else {
            failed++;
            fprintf(h->o->out, "%s: failed `%s`:", h->name, t->name);
            print_proof(h->o->out, t->message && *t->message ? t->message
                        : t->state                ? t->state
                                                  : "not finished");
        }
    }
    size_t len;
    const char *text = document_text(h->doc, &len);
    bool changed = len != h->original_len || memcmp(text, h->original, len) != 0;
    const char *written = "unchanged";
    if (changed && h->o->dry_run) {
        written = "not written (dry run)";
    } else if (changed) {
        char err[512];
        size_t dlen;
        char derr[256];
        char *disk = textfile_read(h->o->path, &dlen, derr, sizeof derr);
        bool same = disk && dlen == h->original_len && memcmp(disk, h->original, dlen) == 0;
        textfile_free(disk, dlen);
        if (!same) {
            fprintf(stderr, "lsp-proxy prove: %s changed on disk while proving; not written\n",
                    h->name);
            written = "NOT written (changed on disk)";
            h->exit_code = 2;
        } else if (write_atomically(h->o->path, text, len, err, sizeof err) < 0) {
            fprintf(stderr, "lsp-proxy prove: cannot write %s: %s\n", h->name, err);
            written = "NOT written";
            h->exit_code = 2;
        } else {
            written = "written";
        }
    }
    fprintf(h->o->out, "%s: %d proved, %d not proved, %d round%s; %s\n", h->name, proved, failed,
           h->rounds, h->rounds == 1 ? "" : "s", written);
    if (h->exit_code == 0 && failed)
        h->exit_code = 1;
    fflush(h->o->out);
}

static void
hl_shutdown_done(struct hl *h, const cJSON *result, const cJSON *error, void *arg)
{
    (void)result;
    (void)error;
    (void)arg;
    hl_notify(h, "exit", NULL);
}

static void
hl_finish(struct hl *h)
{
    if (h->finishing)
        return;
    h->finishing = true;
    ev_timer_stop(h->loop, &h->poll);
    hl_report(h);
    if (!transport_is_closed(h->t))
        hl_request(h, "shutdown", NULL, hl_shutdown_done, NULL);
}

/* ---- setup ---- */

/* file:// URI of an absolute path, percent-encoding what is not unreserved or '/'. */
static char *
file_uri(const char *abs)
{
    struct buf b;
    buf_init(&b, strlen(abs) * 3 + 8);
    buf_adds(&b, "file://");
    for (const unsigned char *s = (const unsigned char *)abs; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("/-._~", *s))
            buf_addch(&b, (char)*s);
        else
            buf_addf(&b, "%%%02X", *s);
    }
    return buf_detach(&b, NULL);
}

int
headless_prove(const struct headless_options *o)
{
    char err[256];
    size_t len;
    char *text = textfile_read(o->path, &len, err, sizeof err);
    if (text == NULL) {
        fprintf(stderr, "lsp-proxy prove: %s: %s\n", o->path, err);
        return 2;
    }
    char abs[PATH_MAX];
    if (realpath(o->path, abs) == NULL) {
        fprintf(stderr, "lsp-proxy prove: %s: %s\n", o->path, strerror(errno));
        textfile_free(text, len);
        return 2;
    }
    int to_proxy[2], from_proxy[2];
    if (pipe(to_proxy) < 0) {
        fprintf(stderr, "lsp-proxy prove: pipe: %s\n", strerror(errno));
        textfile_free(text, len);
        return 2;
    }
    if (pipe(from_proxy) < 0) {
        fprintf(stderr, "lsp-proxy prove: pipe: %s\n", strerror(errno));
        close(to_proxy[0]);
        close(to_proxy[1]);
        textfile_free(text, len);
        return 2;
    }

    struct hl h = {0};
    h.o = o;
    h.name = o->display ? o->display : o->path;
    h.leaves = o->names == NULL || o->names[0] == NULL;
    h.loop = EV_DEFAULT;
    h.uri = file_uri(abs);
    h.original = xstrndup(text, len);
    h.original_len = len;
    textfile_free(text, len);
    h.version = 1;
    h.docs = documents_new();
    h.doc = documents_open(h.docs, h.uri, "lean4", h.version, h.original, h.original_len, NULL);

    /* the settings this mode needs, whatever the sources said */
    o->cfg->agents_auto_apply = true;
    o->cfg->on_save = CONFIG_ON_SAVE_OFF;
    o->cfg->review_enabled = 0;
    if (o->jobs > 0)
        o->cfg->agents_max_parallel = o->jobs;

    struct router_options ro = {o->server_argv, to_proxy[0], from_proxy[1], 0};
    h.router = router_new(h.loop, &ro, o->cfg);
    h.t = transport_new(h.loop, from_proxy[0], to_proxy[1], "driver", 0, true, hl_frame_cb,
                        hl_event_cb, &h);
    ev_init(&h.poll, hl_poll_cb);
    h.poll.repeat = HL_POLL_S;
    h.poll.data = &h;

    char *dir = xstrdup(abs);
    char *root_uri = file_uri(dirname(dir));
    free(dir);
    cJSON *p = cJSON_CreateObject(), *caps = cJSON_CreateObject(), *ws = cJSON_CreateObject(),
          *we = cJSON_CreateObject(), *info = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "processId", (double)getpid());
    cJSON_AddStringToObject(info, "name", "lsp-proxy prove");
    cJSON_AddItemToObject(p, "clientInfo", info);
    cJSON_AddStringToObject(p, "rootUri", root_uri);
    cJSON_AddBoolToObject(ws, "applyEdit", true);
    cJSON_AddBoolToObject(we, "documentChanges", true);
    cJSON_AddItemToObject(ws, "workspaceEdit", we);
    cJSON_AddItemToObject(caps, "workspace", ws);
    cJSON_AddItemToObject(p, "capabilities", caps);
    free(root_uri);
    hl_request(&h, "initialize", p, hl_initialized, NULL);

    int proxy_code = router_run(h.router);
    if (!h.finishing) { /* the proxy ended first */
        fprintf(stderr, "lsp-proxy prove: the proxy stopped (exit code %d)\n", proxy_code);
        h.exit_code = 2;
    }
    ev_timer_stop(h.loop, &h.poll);
    transport_free(h.t);
    router_free(h.router);
    close(to_proxy[0]);
    close(from_proxy[1]);
    for (size_t i = 0; i < h.ntargets; i++) {
        struct hl_target *t = &h.targets[i];
        free(t->name);
        free(t->job);
        free(t->state);
        free(t->kind);
        free(t->message);
        free(t->proof);
    }
    free(h.targets);
    free(h.pending);
    documents_free(h.docs);
    free(h.original);
    free(h.uri);
    return h.exit_code;
}
