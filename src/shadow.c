/* shadow: hidden verification documents in the running Lean server. */
#include "shadow.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diagnostics.h"
#include "documents.h"
#include "jsonrpc.h"
#include "log.h"
#include "proxy.h"
#include "reply.h"
#include "xalloc.h"

struct shadow_doc {
    struct shadow *owner;
    struct shadow_doc *next;
    char *uri;
    unsigned number; /* the N of .stem.shadowN.lean */
    bool opened;     /* Lean has it (didOpen sent since Lean last started) */
    long version;
    cJSON *diags; /* Lean's current set for the pending version */
    /* the pending check */
    bool pending;
    struct shadow_check_options opts;
    shadow_done_cb *cb;
    void *cb_arg;
    unsigned long wait_req; /* textDocument/waitForDiagnostics in flight */
    unsigned long goal_req; /* $/lean/plainGoal in flight */
    ev_timer timer;         /* the check's time-out */
    /* the verdict being built (kept until the goal arrives) */
    struct buf reason, errors, goal;
    char *try_this;
    char *axioms;
    bool accepted, lean_failed;
};

struct shadow {
    struct proxy *p;
    struct documents *texts; /* what Lean has of each shadow document */
    struct shadow_doc *docs;
};

struct shadow *
shadow_new(struct proxy *p)
{
    struct shadow *s = xcalloc(1, sizeof *s);
    s->p = p;
    s->texts = documents_new();
    return s;
}

void
shadow_free(struct shadow *s)
{
    if (s == NULL)
        return;
    while (s->docs)
        shadow_close(s->docs);
    documents_free(s->texts);
    free(s);
}

char *
shadow_uri_for(const char *real_uri, unsigned n)
{
    const char *slash = strrchr(real_uri, '/');
    size_t dir_len = slash ? (size_t)(slash - real_uri) + 1 : 0;
    const char *base = real_uri + dir_len;
    size_t stem_len = strlen(base);
    if (stem_len > 5 && strcmp(base + stem_len - 5, ".lean") == 0)
        stem_len -= 5;
    return xasprintf("%.*s.%.*s.shadow%u.lean", (int)dir_len, real_uri, (int)stem_len, base, n);
}

struct shadow_doc *
shadow_open(struct shadow *s, const char *real_uri)
{
    unsigned n = 1;
    for (bool taken = true; taken; n++) {
        taken = false;
        for (struct shadow_doc *d = s->docs; d; d = d->next)
            taken |= d->number == n;
        if (!taken)
            break;
    }
    struct shadow_doc *sd = xcalloc(1, sizeof *sd);
    sd->owner = s;
    sd->number = n;
    sd->uri = shadow_uri_for(real_uri, n);
    buf_init(&sd->reason, 0);
    buf_init(&sd->errors, 0);
    buf_init(&sd->goal, 0);
    ev_init(&sd->timer, NULL);
    sd->next = s->docs;
    s->docs = sd;
    log_debug("shadow", "leased %s for %s", sd->uri, real_uri);
    return sd;
}

const char *
shadow_uri(const struct shadow_doc *sd)
{
    return sd->uri;
}

size_t
shadow_count(const struct shadow *s)
{
    size_t n = 0;
    for (const struct shadow_doc *d = s->docs; d; d = d->next)
        n++;
    return n;
}

/* Forgets the pending check's requests and timer and the verdict in progress. */
static void
shadow_reset_check(struct shadow_doc *sd)
{
    struct proxy *p = sd->owner->p;
    proxy_request_forget(p, sd->wait_req);
    proxy_request_forget(p, sd->goal_req);
    sd->wait_req = sd->goal_req = 0;
    ev_timer_stop(p->loop, &sd->timer);
    sd->pending = false;
    sd->cb = NULL;
    buf_reset(&sd->reason);
    buf_reset(&sd->errors);
    buf_reset(&sd->goal);
    free(sd->try_this);
    free(sd->axioms);
    sd->try_this = sd->axioms = NULL;
    sd->accepted = sd->lean_failed = false;
}

void
shadow_close(struct shadow_doc *sd)
{
    if (sd == NULL)
        return;
    struct shadow *s = sd->owner;
    shadow_reset_check(sd);
    if (sd->opened && s->p->phase == PROXY_LEAN_UP) {
        struct buf b;
        buf_init(&b, 0);
        buf_adds(&b, "{\"textDocument\":{\"uri\":");
        buf_add_json_string(&b, sd->uri, strlen(sd->uri));
        buf_adds(&b, "}}");
        proxy_notify(s->p, true, "textDocument/didClose", b.data);
        buf_release(&b);
    }
    documents_close(s->texts, sd->uri);
    for (struct shadow_doc **pp = &s->docs; *pp; pp = &(*pp)->next) {
        if (*pp == sd) {
            *pp = sd->next;
            break;
        }
    }
    log_debug("shadow", "closed %s", sd->uri);
    cJSON_Delete(sd->diags);
    buf_release(&sd->reason);
    buf_release(&sd->errors);
    buf_release(&sd->goal);
    free(sd->uri);
    free(sd);
}

/* Calls the check's callback with the verdict built so far; sd may be gone afterwards. */
static void
shadow_finish(struct shadow_doc *sd)
{
    struct shadow_verdict v = {
        .accepted = sd->accepted,
        .lean_failed = sd->lean_failed,
        .reason = sd->reason.data ? sd->reason.data : "",
        .errors = sd->errors.data ? sd->errors.data : "",
        .goal = sd->goal.len ? sd->goal.data : NULL,
        .try_this = sd->try_this,
        .axioms = sd->axioms,
    };
    shadow_done_cb *cb = sd->cb;
    void *arg = sd->cb_arg;
    struct proxy *p = sd->owner->p;
    ev_timer_stop(p->loop, &sd->timer);
    sd->pending = false;
    sd->cb = NULL;
    sd->wait_req = sd->goal_req = 0;
    if (cb)
        cb(sd, &v, arg); /* last: the callback may close sd */
}

static void
shadow_fail(struct shadow_doc *sd, const char *why, const char *detail)
{
    buf_reset(&sd->reason);
    buf_addf(&sd->reason, "%s%s%s", why, detail ? ": " : "", detail ? detail : "");
    sd->accepted = false;
    sd->lean_failed = true;
    shadow_finish(sd);
}

static void
shadow_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct shadow_doc *sd = w->data;
    (void)loop;
    (void)revents;
    log_warn("shadow", "%s: Lean did not finish checking version %ld in time", sd->uri,
             sd->version);
    proxy_request_forget(sd->owner->p, sd->wait_req);
    proxy_request_forget(sd->owner->p, sd->goal_req);
    shadow_fail(sd, "Lean did not finish checking the candidate within the time limit", NULL);
}

int
shadow_parse_axioms(const char *message, char **names, int max)
{
    if (strstr(message, "does not depend on any axioms"))
        return 0;
    const char *at = strstr(message, "depends on axioms:");
    if (at == NULL)
        return -1;
    const char *open = strchr(at, '[');
    const char *close = open ? strchr(open, ']') : NULL;
    if (close == NULL)
        return -1;
    int n = 0;
    const char *q = open + 1;
    while (q < close && n < max) {
        while (q < close && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t' || *q == ','))
            q++;
        const char *e = q;
        while (e < close && *e != ',' && *e != ' ' && *e != '\n' && *e != '\r' && *e != '\t')
            e++;
        if (e > q)
            names[n++] = xstrndup(q, (size_t)(e - q));
        q = e;
    }
    return n;
}

static bool
shadow_axiom_allowed(const char *name, bool native)
{
    static const char *const basic[] = {"propext", "Classical.choice", "Quot.sound"};
    for (size_t i = 0; i < sizeof basic / sizeof *basic; i++)
        if (strcmp(name, basic[i]) == 0)
            return true;
    return native &&
           (strcmp(name, "Lean.ofReduceBool") == 0 || strcmp(name, "Lean.trustCompiler") == 0);
}

static int
shadow_int(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? (int)x->valuedouble : -1;
}

static void shadow_goal_cb(struct proxy *p, const struct jsonrpc_msg *m, void *arg);

/* Reads the diagnostics of the checked version into a verdict; asks for the goal at the
 * first error. */
static void
shadow_judge(struct shadow_doc *sd)
{
    int err_line = -1, err_char = -1;
    bool sorry = false;
    const cJSON *d;
    cJSON_ArrayForEach(d, sd->diags)
    {
        const cJSON *range = cJSON_GetObjectItemCaseSensitive(d, "range");
        int line = shadow_int(range, "start", "line");
        int ch = shadow_int(range, "start", "character");
        int sev = shadow_int(d, "severity", NULL);
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "message"));
        if (msg == NULL || line < 0 || (uint32_t)line < sd->opts.region_line)
            continue;
        if (sev == 3 && sd->axioms == NULL && shadow_parse_axioms(msg, NULL, 0) >= 0) {
            sd->axioms = xstrdup(msg);
        } else if (sev == 1) {
            buf_addf(&sd->errors, "%sline %d: %s", sd->errors.len ? "\n" : "", line + 1, msg);
            if (err_line < 0) {
                err_line = line;
                err_char = ch < 0 ? 0 : ch;
            }
        } else if (sev == 2 && diagnostics_is_sorry_message(msg)) {
            sorry = true;
        } else if (sev == 3 && sd->try_this == NULL) {
            sd->try_this = reply_try_this(msg, strlen(msg));
        }
    }
    buf_reset(&sd->reason);
    if (err_line >= 0) {
        const char *first = sd->errors.data + strlen("line ");
        const char *nl = strchr(first, '\n');
        buf_addf(&sd->reason, "Lean rejected it: %.*s", nl ? (int)(nl - first) : (int)strlen(first),
                 first);
    } else if (sorry) {
        buf_adds(&sd->reason, "Lean reports that it still uses sorry");
    } else if (sd->axioms == NULL) {
        buf_adds(&sd->reason, "Lean printed no axioms line for the node");
    } else {
        char *names[64];
        int n = shadow_parse_axioms(sd->axioms, names, 64);
        for (int i = 0; i < n; i++) {
            if (sd->reason.len == 0 &&
                !shadow_axiom_allowed(names[i], sd->opts.allow_native_decide))
                buf_addf(&sd->reason, "it depends on the axiom %s", names[i]);
            free(names[i]);
        }
        sd->accepted = sd->reason.len == 0;
    }
    if (err_line < 0) {
        shadow_finish(sd);
        return;
    }
    struct buf params;
    buf_init(&params, 0);
    buf_adds(&params, "{\"textDocument\":{\"uri\":");
    buf_add_json_string(&params, sd->uri, strlen(sd->uri));
    buf_addf(&params, "},\"position\":{\"line\":%d,\"character\":%d}}", err_line, err_char);
    sd->goal_req =
        proxy_request(sd->owner->p, true, "$/lean/plainGoal", params.data, shadow_goal_cb, sd);
    buf_release(&params);
    if (sd->goal_req == 0)
        shadow_finish(sd);
}

static void
shadow_goal_cb(struct proxy *p, const struct jsonrpc_msg *m, void *arg)
{
    struct shadow_doc *sd = arg;
    (void)p;
    sd->goal_req = 0;
    cJSON *r = m && m->result.p ? cJSON_ParseWithLength(m->result.p, m->result.len) : NULL;
    const cJSON *goals = cJSON_GetObjectItemCaseSensitive(r, "goals");
    const cJSON *g;
    cJSON_ArrayForEach(g, goals)
    {
        if (cJSON_IsString(g))
            buf_addf(&sd->goal, "%s%s", sd->goal.len ? "\n\n" : "", g->valuestring);
    }
    cJSON_Delete(r);
    shadow_finish(sd);
}

static void
shadow_wait_cb(struct proxy *p, const struct jsonrpc_msg *m, void *arg)
{
    struct shadow_doc *sd = arg;
    (void)p;
    sd->wait_req = 0;
    if (m == NULL) {
        shadow_fail(sd, "the Lean server exited while checking the candidate", NULL);
        return;
    }
    if (m->error.p) {
        struct jspan msg;
        char *text = jscan_get(m->error, "message", &msg) ? jscan_strdup(msg) : NULL;
        shadow_fail(sd, "Lean could not check the candidate", text ? text : "error");
        free(text);
        return;
    }
    shadow_judge(sd);
}

/* Sends text to Lean: didOpen the first time, else one ranged change from the first byte
 * that differs. */
static void
shadow_send_text(struct shadow_doc *sd, const char *text, size_t len)
{
    struct shadow *s = sd->owner;
    struct buf b;
    buf_init(&b, 0);
    buf_adds(&b, "{\"textDocument\":{\"uri\":");
    buf_add_json_string(&b, sd->uri, strlen(sd->uri));
    sd->version++;
    struct document *doc = documents_get(s->texts, sd->uri);
    if (!sd->opened || doc == NULL) {
        buf_addf(&b, ",\"languageId\":\"lean4\",\"version\":%ld,\"text\":", sd->version);
        buf_add_json_string(&b, text, len);
        buf_adds(&b, "},\"dependencyBuildMode\":\"never\"}");
        proxy_notify(s->p, true, "textDocument/didOpen", b.data);
        documents_open(s->texts, sd->uri, "lean4", sd->version, text, len, NULL);
        sd->opened = true;
    } else {
        size_t old_len;
        const char *old = document_text(doc, &old_len);
        size_t same = 0;
        while (same < old_len && same < len && old[same] == text[same])
            same++;
        while (same > 0 && ((unsigned char)old[same] & 0xC0) == 0x80)
            same--; /* never split a UTF-8 sequence */
        struct lsp_range r = {document_position(doc, same), document_position(doc, old_len)};
        buf_addf(&b,
                 ",\"version\":%ld},\"contentChanges\":[{\"range\":{\"start\":{\"line\":%u,"
                 "\"character\":%u},\"end\":{\"line\":%u,\"character\":%u}},\"text\":",
                 sd->version, r.start.line, r.start.character, r.end.line, r.end.character);
        buf_add_json_string(&b, text + same, len - same);
        buf_adds(&b, "}]}");
        proxy_notify(s->p, true, "textDocument/didChange", b.data);
        document_apply_change(doc, r, text + same, len - same);
        document_set_version(doc, sd->version);
    }
    buf_release(&b);
}

int
shadow_check(struct shadow_doc *sd, const char *text, size_t len,
             const struct shadow_check_options *o, shadow_done_cb *cb, void *arg)
{
    struct proxy *p = sd->owner->p;
    if (sd->pending)
        return -EBUSY;
    if (p->phase != PROXY_LEAN_UP)
        return -EAGAIN;
    shadow_reset_check(sd);
    sd->opts = *o;
    shadow_send_text(sd, text, len);
    cJSON_Delete(sd->diags);
    sd->diags = cJSON_CreateArray();
    struct buf params;
    buf_init(&params, 0);
    buf_adds(&params, "{\"uri\":");
    buf_add_json_string(&params, sd->uri, strlen(sd->uri));
    buf_addf(&params, ",\"version\":%ld}", sd->version);
    sd->wait_req =
        proxy_request(p, true, "textDocument/waitForDiagnostics", params.data, shadow_wait_cb, sd);
    buf_release(&params);
    if (sd->wait_req == 0)
        return -EAGAIN;
    sd->pending = true;
    sd->cb = cb;
    sd->cb_arg = arg;
    ev_timer_init(&sd->timer, shadow_timeout_cb, o->timeout_s > 0 ? o->timeout_s : 600.0, 0.);
    sd->timer.data = sd;
    ev_timer_start(p->loop, &sd->timer);
    log_debug("shadow", "checking %s version %ld (%zu bytes)", sd->uri, sd->version, len);
    return 0;
}

static struct shadow_doc *
shadow_find(struct shadow *s, struct jspan uri)
{
    for (struct shadow_doc *d = s->docs; d; d = d->next)
        if (jscan_string_eq(uri, d->uri))
            return d;
    return NULL;
}

/* True for a URI of the shadow form (a document this proxy made), open or not. */
static bool
shadow_is_shadow_uri(struct jspan uri)
{
    char *u = jscan_strdup(uri);
    bool yes = false;
    if (u) {
        const char *base = strrchr(u, '/');
        base = base ? base + 1 : u;
        yes = base[0] == '.' && strstr(base, ".shadow") != NULL && strlen(base) > 5 &&
              strcmp(base + strlen(base) - 5, ".lean") == 0;
    }
    free(u);
    return yes;
}

bool
shadow_lean_notification(struct shadow *s, const char *method, struct jspan params)
{
    struct jspan uri, ver, diags, inc, item;
    bool publish = strcmp(method, "textDocument/publishDiagnostics") == 0;
    if (!jscan_path(params, publish ? "uri" : "textDocument.uri", &uri))
        return false;
    struct shadow_doc *sd = shadow_find(s, uri);
    if (sd == NULL)
        return shadow_is_shadow_uri(uri); /* a closed one's last words */
    if (!publish || !sd->pending)
        return true;
    long long v = -1;
    if (jscan_get(params, "version", &ver))
        jscan_int(ver, &v);
    if (v >= 0 && v != sd->version)
        return true; /* an older version's */
    if (!jscan_get(params, "diagnostics", &diags) || jscan_type(diags) != JSCAN_ARRAY)
        return true;
    bool incremental = jscan_get(params, "isIncremental", &inc) && jscan_is_true(inc);
    if (!incremental) {
        cJSON_Delete(sd->diags);
        sd->diags = cJSON_CreateArray();
    }
    size_t pos = 0;
    while (jscan_next(diags, &pos, NULL, &item)) {
        cJSON *x = cJSON_ParseWithLength(item.p, item.len);
        if (x && !cJSON_AddItemToArray(sd->diags, x))
            cJSON_Delete(x);
    }
    return true;
}

void
shadow_lean_exited(struct shadow *s)
{
    for (struct shadow_doc *d = s->docs; d; d = d->next)
        d->opened = false; /* the pending check learns it from its request (m == NULL) */
}
