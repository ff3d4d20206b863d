/*
 * fl_server.c: protocol core of the fake Lean server (see fl_server.h).
 *
 * One process plays both the watchdog and every file worker of lean-lsp-facts §0: it keeps
 * the text of each open file, "elaborates" it with fl_scan on every didOpen/didChange and
 * reports the result the way a worker does (§3.4, §4): fileProgress at once, then after
 * report_delay_ms the diagnostics in `chunks` batches with progress moving down, then
 * `processing: []`. Requests that Lean answers only after elaboration reached a position
 * wait for it here too (and fail with "File changed." when a newer version arrives).
 */
#include "fl_server.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fl_text.h"
#include "fl_util.h"
#include "fl_wire.h"

/* Lean's JsonRpc readMessage failure text (format: length, body). */
#define FL_NOT_JSONRPC "Cannot read LSP message: JSON '%.*s' did not have the format of a JSON-RPC message"

/* JSON-RPC error codes (lean-lsp-facts §4). */
#define FL_ERR_PARSE (-32700)
#define FL_ERR_INVALID_REQUEST (-32600)
#define FL_ERR_METHOD_NOT_FOUND (-32601)
#define FL_ERR_INTERNAL (-32603)
#define FL_ERR_REQUEST_CANCELLED (-32800)
#define FL_ERR_CONTENT_MODIFIED (-32801)
#define FL_ERR_RPC_NEEDS_RECONNECT (-32900)
#define FL_ERR_WORKER_EXITED (-32901)
#define FL_ERR_WORKER_CRASHED (-32902)

/* The initialize result of a recent watchdog, lean-lsp-facts §2.3. */
static const char fl_init_result[] =
    "{\"capabilities\":{"
    "\"textDocumentSync\":{\"openClose\":true,\"change\":2,\"willSave\":false,"
    "\"willSaveWaitUntil\":false,\"save\":{\"includeText\":true}},"
    "\"completionProvider\":{\"triggerCharacters\":[\".\"],\"resolveProvider\":true},"
    "\"hoverProvider\":true,\"documentHighlightProvider\":true,\"documentSymbolProvider\":true,"
    "\"definitionProvider\":true,\"declarationProvider\":true,\"typeDefinitionProvider\":true,"
    "\"referencesProvider\":true,\"callHierarchyProvider\":true,"
    "\"renameProvider\":{\"prepareProvider\":true},\"workspaceSymbolProvider\":true,"
    "\"foldingRangeProvider\":true,"
    "\"semanticTokensProvider\":{\"legend\":{\"tokenTypes\":[\"keyword\",\"variable\","
    "\"property\",\"function\",\"namespace\",\"type\",\"class\",\"enum\",\"interface\","
    "\"struct\",\"typeParameter\",\"parameter\",\"enumMember\",\"event\",\"method\",\"macro\","
    "\"modifier\",\"comment\",\"string\",\"number\",\"regexp\",\"operator\",\"decorator\","
    "\"leanSorryLike\"],"
    "\"tokenModifiers\":[\"declaration\",\"definition\",\"readonly\",\"static\",\"deprecated\","
    "\"abstract\",\"async\",\"modification\",\"documentation\",\"defaultLibrary\"]},"
    "\"full\":true,\"range\":true},"
    "\"codeActionProvider\":{\"resolveProvider\":true,"
    "\"codeActionKinds\":[\"quickfix\",\"refactor\",\"source.organizeImports\"]},"
    "\"inlayHintProvider\":{\"resolveProvider\":false}},"
    "\"serverInfo\":{\"name\":\"Lean 4 Server\",\"version\":\"0.3.0\"}}";

/* lean-lsp-facts §2.1 */
static const char fl_register_watcher[] =
    "{\"jsonrpc\":\"2.0\",\"id\":\"register_lean_watcher\","
    "\"method\":\"client/registerCapability\",\"params\":{\"registrations\":[{\"id\":"
    "\"lean_watcher\",\"method\":\"workspace/didChangeWatchedFiles\",\"registerOptions\":"
    "{\"watchers\":[{\"globPattern\":\"**/*.lean\"},{\"globPattern\":\"**/*.ilean\"}]}}]}}";

enum fl_phase {
    FL_PHASE_WANT_INITIALIZE,
    FL_PHASE_WANT_INITIALIZED,
    FL_PHASE_RUNNING,
    FL_PHASE_SHUT_DOWN,
};

struct fl_doc {
    char *uri;
    int64_t version;
    struct fl_text text;
    struct fl_scan scan; /* result for the current version */
    bool processing;     /* until `processing: []` was sent */
    int next_batch;
    int64_t next_due;    /* ms: next batch */
    int64_t refresh_due; /* ms: next semanticTokens/refresh */
    size_t published;    /* diagnostics of this version sent so far */
    bool sent_first;     /* a publish of this version went out */
    size_t done_line;    /* lines below this are elaborated */
    bool crashed;        /* its worker crashed; restarted by the next didChange (§7) */
    bool no_worker;      /* --max-open refused its worker; retried by the next didChange */
    bool stale;          /* an import was saved: sticky info diagnostic (§3.3, §5.4) */
    bool never_build;    /* didOpen said dependencyBuildMode "never" */
    struct fl_doc *next;
};

enum fl_wait {
    FL_WAIT_NONE,
    FL_WAIT_POS,   /* until params.position.line is elaborated */
    FL_WAIT_RANGE, /* until params.range.end.line is elaborated */
    FL_WAIT_ALL,   /* until the whole file is elaborated */
    FL_WAIT_DIAGS, /* waitForDiagnostics: handled by its handler */
    FL_WAIT_RESTART, /* arrived while the worker was crashed: replayed after the restart */
};

struct fl_pending {
    char *id;  /* raw id text */
    char *uri;
    char *body; /* the whole request, replayed when ready */
    size_t len;
    enum fl_wait wait;
    size_t line;
    int64_t version; /* FL_WAIT_DIAGS: version asked for */
    struct fl_pending *next;
};

struct fl_delayed {
    char *id;   /* raw id of the response */
    char *text; /* the response frame body */
    int64_t due;
    struct fl_delayed *next;
};

struct fl_session {
    char *id; /* decimal UInt64 */
    char *uri;
    int64_t last; /* ms of the last keepAlive/call */
    struct fl_session *next;
};

struct fl_server {
    struct fl_options o;
    int out;
    enum fl_phase phase;
    bool incremental; /* capabilities.lean.incrementalDiagnosticSupport */
    bool silent;      /* capabilities.lean.silentDiagnosticSupport */
    struct fl_doc *docs;
    struct fl_pending *pending;
    struct fl_delayed *delayed;
    struct fl_session *sessions;
    long long next_server_id; /* ids of our requests to the client: 0, 1, 2, ... */
};

/* One request being handled. */
struct fl_req {
    const char *id;
    const char *method;
    const char *body;
    size_t len;
    cJSON *params;
    struct fl_doc *doc;
};

typedef void fl_req_fn(struct fl_server *s, struct fl_req *r);

static void fl_dispatch_request(struct fl_server *s, const char *id, const char *method,
                                const char *body, size_t len, cJSON *params);
static void fl_drop_sessions(struct fl_server *s, const char *uri);

void
fl_server_die(const char *fmt, ...)
{
    va_list ap;
    fputs("Watchdog error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    exit(1);
}

/* ---- output ------------------------------------------------------------------------- */

static void
fl_write(struct fl_server *s, const char *text)
{
    int rc = fl_write_frame(s->out, text, strlen(text));
    if (rc < 0)
        fl_server_die("cannot write to stdout: %s", strerror(-rc));
}

static char *
fl_print(cJSON *j)
{
    char *p = cJSON_PrintUnformatted(j);
    if (!p) {
        fprintf(stderr, "fake_lean: cJSON_PrintUnformatted failed\n");
        abort();
    }
    char *copy = fl_xstrdup(p);
    cJSON_free(p);
    return copy;
}

static void
fl_send_json(struct fl_server *s, cJSON *msg)
{
    char *text = fl_print(msg);
    fl_write(s, text);
    free(text);
    cJSON_Delete(msg);
}

static void
fl_notify(struct fl_server *s, const char *method, cJSON *params)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    cJSON_AddStringToObject(m, "method", method);
    if (params)
        cJSON_AddItemToObject(m, "params", params);
    fl_send_json(s, m);
}

/* Sends (or, with --slow-ms, queues) a response body; takes text. */
static void
fl_respond_text(struct fl_server *s, const char *id, char *text)
{
    if (s->o.slow_ms <= 0) {
        fl_write(s, text);
        free(text);
        return;
    }
    struct fl_delayed *d = fl_xcalloc(1, sizeof *d);
    d->id = fl_xstrdup(id);
    d->text = text;
    d->due = fl_now_ms() + s->o.slow_ms;
    struct fl_delayed **pp = &s->delayed;
    while (*pp)
        pp = &(*pp)->next;
    *pp = d;
}

static char *
fl_result_text(const char *id, cJSON *result)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    cJSON_AddRawToObject(m, "id", id);
    cJSON_AddItemToObject(m, "result", result ? result : cJSON_CreateNull());
    char *text = fl_print(m);
    cJSON_Delete(m);
    return text;
}

static char *
fl_error_text(const char *id, int code, const char *message)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    cJSON_AddRawToObject(m, "id", id);
    cJSON *e = cJSON_AddObjectToObject(m, "error");
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    char *text = fl_print(m);
    cJSON_Delete(m);
    return text;
}

/* Takes result (NULL = JSON null). */
static void
fl_reply(struct fl_server *s, const char *id, cJSON *result)
{
    fl_respond_text(s, id, fl_result_text(id, result));
}

static void
fl_reply_raw(struct fl_server *s, const char *id, const char *raw)
{
    fl_reply(s, id, cJSON_CreateRaw(raw));
}

static void
fl_reply_error(struct fl_server *s, const char *id, int code, const char *message)
{
    fl_respond_text(s, id, fl_error_text(id, code, message));
}

/* Lean's parseRequestParams failure (RequestM.lean: code parseError). */
static void
fl_reply_bad_params(struct fl_server *s, struct fl_req *r, const char *why)
{
    size_t a, b;
    char *raw = fl_json_member(r->body, r->len, "params", &a, &b)
                    ? fl_json_minify(r->body + a, b - a)
                    : fl_xstrdup("null");
    char *msg = fl_xasprintf("Cannot parse request params: %s\n%s", raw, why);
    fl_reply_error(s, r->id, FL_ERR_PARSE, msg);
    free(msg);
    free(raw);
}

/* ---- JSON helpers ------------------------------------------------------------------- */

static cJSON *
fl_get(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *
fl_get_string(const cJSON *o, const char *key)
{
    cJSON *v = fl_get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
fl_get_int(const cJSON *o, const char *key, int64_t *out)
{
    cJSON *v = fl_get(o, key);
    if (!cJSON_IsNumber(v))
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

static bool
fl_get_pos(const cJSON *o, const char *key, struct fl_pos *p)
{
    cJSON *v = fl_get(o, key);
    return fl_get_int(v, "line", &p->line) && fl_get_int(v, "character", &p->character);
}

static cJSON *
fl_pos_json(struct fl_pos p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "line", (double)p.line);
    cJSON_AddNumberToObject(o, "character", (double)p.character);
    return o;
}

static cJSON *
fl_range_json(struct fl_range r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "start", fl_pos_json(r.start));
    cJSON_AddItemToObject(o, "end", fl_pos_json(r.end));
    return o;
}

/* Raw (minified) text of the value at path in body, or NULL. */
static char *
fl_raw_at(const char *body, size_t len, const char *const *path)
{
    size_t a, b;
    if (!fl_json_path(body, len, path, &a, &b))
        return NULL;
    return fl_json_minify(body + a, b - a);
}

/* ---- documents ---------------------------------------------------------------------- */

static struct fl_doc *
fl_find_doc(struct fl_server *s, const char *uri)
{
    for (struct fl_doc *d = s->docs; d; d = d->next)
        if (strcmp(d->uri, uri) == 0)
            return d;
    return NULL;
}

static struct fl_pos
fl_doc_eof(const struct fl_doc *d)
{
    struct fl_pos p;
    fl_text_position(&d->text, d->text.len, &p.line, &p.character);
    return p;
}

static cJSON *
fl_versioned_id(const struct fl_doc *d)
{
    cJSON *td = cJSON_CreateObject();
    cJSON_AddStringToObject(td, "uri", d->uri);
    cJSON_AddNumberToObject(td, "version", (double)d->version);
    return td;
}

/* $/lean/fileProgress (lean-lsp-facts §4) with `kind`; from == NULL means `processing: []`. */
static void
fl_send_progress_kind(struct fl_server *s, struct fl_doc *d, const struct fl_pos *from, int kind)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToObject(p, "textDocument", fl_versioned_id(d));
    cJSON *arr = cJSON_AddArrayToObject(p, "processing");
    if (from) {
        cJSON *item = cJSON_CreateObject();
        struct fl_range r = {*from, fl_doc_eof(d)};
        cJSON_AddItemToObject(item, "range", fl_range_json(r));
        cJSON_AddNumberToObject(item, "kind", kind);
        cJSON_AddItemToArray(arr, item);
    }
    fl_notify(s, "$/lean/fileProgress", p);
}

static void
fl_send_progress(struct fl_server *s, struct fl_doc *d, const struct fl_pos *from)
{
    fl_send_progress_kind(s, d, from, 1);
}

/* A whole-file diagnostic (header and setup messages, lean-lsp-facts §3.3): fullRange
 * (0,0)..EOF, range cut to (0,0)..(1,0) when the file has more than one line. The message
 * is borrowed. */
static struct fl_diag
fl_whole_file_diag(const struct fl_doc *d, int severity, const char *message)
{
    struct fl_diag g;
    memset(&g, 0, sizeof g);
    g.severity = severity;
    g.message = (char *)message;
    g.full_range.end = fl_doc_eof(d);
    g.range = g.full_range;
    if (g.full_range.end.line > 0) {
        g.range.end.line = 1;
        g.range.end.character = 0;
    }
    return g;
}

#define FL_STALE_MESSAGE                                                                  \
    "Imports are out of date and should be rebuilt; use the \"Restart File\" command in " \
    "your editor."
#define FL_OUTDATED_MESSAGE                                                               \
    "Imports are out of date and must be rebuilt; use the \"Restart File\" command in "   \
    "your editor."

static cJSON *
fl_diag_json(const struct fl_diag *g)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "range", fl_range_json(g->range));
    cJSON_AddItemToObject(o, "fullRange", fl_range_json(g->full_range));
    cJSON_AddNumberToObject(o, "severity", g->severity);
    if (g->silent)
        cJSON_AddTrueToObject(o, "isSilent");
    cJSON_AddStringToObject(o, "source", "Lean 4");
    cJSON_AddStringToObject(o, "message", g->message);
    if (g->lean_tag) {
        cJSON *t = cJSON_AddArrayToObject(o, "leanTags");
        cJSON_AddItemToArray(t, cJSON_CreateNumber(g->lean_tag));
    }
    return o;
}

/* publishDiagnostics with diags [from, to) of d's scan (lean-lsp-facts §3.1, §3.4).
 * incremental: -1 leaves isIncremental out, 0/1 writes false/true. */
static void
fl_publish(struct fl_server *s, struct fl_doc *d, size_t from, size_t to, int incremental)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "uri", d->uri);
    cJSON_AddNumberToObject(p, "version", (double)d->version);
    cJSON *arr = cJSON_AddArrayToObject(p, "diagnostics");
    if (d->stale && incremental != 1) {
        /* the sticky stale-dependency message leads every full set (§3.3, §3.4) */
        struct fl_diag g = fl_whole_file_diag(d, 3, FL_STALE_MESSAGE);
        cJSON_AddItemToArray(arr, fl_diag_json(&g));
    }
    for (size_t i = from; i < to; i++)
        cJSON_AddItemToArray(arr, fl_diag_json(&d->scan.diags[i]));
    if (incremental >= 0)
        cJSON_AddBoolToObject(p, "isIncremental", incremental);
    fl_notify(s, "textDocument/publishDiagnostics", p);
}

static void
fl_publish_empty(struct fl_server *s, struct fl_doc *d)
{
    fl_publish(s, d, 0, 0, s->incremental ? 0 : -1);
}

static struct fl_pending *
fl_pending_take_first(struct fl_server *s, bool (*match)(struct fl_server *, struct fl_pending *,
                                                          const void *),
                      const void *arg)
{
    for (struct fl_pending **pp = &s->pending; *pp; pp = &(*pp)->next) {
        if (match(s, *pp, arg)) {
            struct fl_pending *p = *pp;
            *pp = p->next;
            p->next = NULL;
            return p;
        }
    }
    return NULL;
}

static void
fl_pending_free(struct fl_pending *p)
{
    free(p->id);
    free(p->uri);
    free(p->body);
    free(p);
}

static bool
fl_pending_ready(struct fl_server *s, struct fl_pending *p, const void *arg)
{
    const struct fl_doc *d = arg;
    (void)s;
    if (strcmp(p->uri, d->uri) != 0)
        return false;
    if (d->crashed)
        return false;
    switch (p->wait) {
    case FL_WAIT_RESTART: return true;
    case FL_WAIT_DIAGS: return d->version >= p->version && !d->processing;
    case FL_WAIT_ALL: return !d->processing;
    case FL_WAIT_POS:
    case FL_WAIT_RANGE: return !d->processing || p->line < d->done_line;
    case FL_WAIT_NONE:
    default: return true;
    }
}

static bool
fl_pending_stale(struct fl_server *s, struct fl_pending *p, const void *arg)
{
    (void)s;
    return strcmp(p->uri, (const char *)arg) == 0 && p->wait != FL_WAIT_DIAGS &&
           p->wait != FL_WAIT_RESTART;
}

static bool
fl_pending_of_uri(struct fl_server *s, struct fl_pending *p, const void *arg)
{
    (void)s;
    return strcmp(p->uri, (const char *)arg) == 0;
}

/* Replays a deferred request (its body is parsed again). */
static void
fl_replay(struct fl_server *s, struct fl_pending *p)
{
    cJSON *msg = cJSON_ParseWithLength(p->body, p->len);
    const char *method = fl_get_string(msg, "method");
    if (method)
        fl_dispatch_request(s, p->id, method, p->body, p->len, fl_get(msg, "params"));
    cJSON_Delete(msg);
    fl_pending_free(p);
}

static void
fl_wake_pending(struct fl_server *s, struct fl_doc *d)
{
    struct fl_pending *p;
    while ((p = fl_pending_take_first(s, fl_pending_ready, d)))
        fl_replay(s, p);
}

static void
fl_fail_pending(struct fl_server *s, const char *uri,
                bool (*match)(struct fl_server *, struct fl_pending *, const void *), int code,
                const char *message)
{
    struct fl_pending *p;
    while ((p = fl_pending_take_first(s, match, uri))) {
        fl_reply_error(s, p->id, code, message);
        fl_pending_free(p);
    }
}

static void
fl_defer(struct fl_server *s, struct fl_req *r, enum fl_wait wait, size_t line, int64_t version)
{
    struct fl_pending *p = fl_xcalloc(1, sizeof *p);
    p->id = fl_xstrdup(r->id);
    p->uri = fl_xstrdup(r->doc->uri);
    p->body = fl_xmemdup(r->body, r->len);
    p->len = r->len;
    p->wait = wait;
    p->line = line;
    p->version = version;
    struct fl_pending **pp = &s->pending;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
}

/*
 * Calls fn for each module named by an `import` (or `public import`, `import all`) line in
 * column 0 of d; stops early when fn returns true. Returns whether it did.
 */
static bool
fl_doc_each_import(const struct fl_doc *d, bool (*fn)(const char *mod, size_t n, const void *arg),
                   const void *arg)
{
    const char *m = d->scan.mask ? d->scan.mask : d->text.s;
    for (size_t l = 0; l < d->text.nlines; l++) {
        size_t a = d->text.line_start[l], b = fl_text_line_end(&d->text, l);
        if (b - a > 7 && memcmp(m + a, "public ", 7) == 0)
            a += 7;
        if (b - a < 7 || memcmp(m + a, "import ", 7) != 0)
            continue;
        a += 7;
        while (a < b && m[a] == ' ')
            a++;
        if (b - a > 4 && memcmp(m + a, "all ", 4) == 0)
            a += 4;
        while (a < b && m[a] == ' ')
            a++;
        size_t e = a;
        while (e < b && m[e] != ' ' && m[e] != '\t' && m[e] != '\r')
            e++;
        if (e > a && fn(m + a, e - a, arg))
            return true;
    }
    return false;
}

static bool
fl_any_module(const char *mod, size_t n, const void *arg)
{
    (void)mod, (void)n, (void)arg;
    return true;
}

static bool
fl_doc_has_imports(const struct fl_doc *d)
{
    return fl_doc_each_import(d, fl_any_module, NULL);
}

/* Does the saved uri (arg) end in "/A/B/C.lean" for module A.B.C? */
static bool
fl_module_is_uri(const char *mod, size_t n, const void *arg)
{
    const char *uri = arg;
    size_t ul = strlen(uri);
    if (ul < n + 6 || strcmp(uri + ul - 5, ".lean") != 0)
        return false;
    const char *p = uri + ul - 5 - n;
    if (p[-1] != '/')
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] != (mod[i] == '.' ? '/' : mod[i]))
            return false;
    return true;
}

/* A file was saved or changed on disk: open files importing it get the sticky stale-dependency
 * message until their worker restarts (§5.4). Only direct imports are followed. */
static void
fl_mark_stale(struct fl_server *s, const char *saved_uri)
{
    for (struct fl_doc *d = s->docs; d; d = d->next) {
        if (d->stale || d->crashed || d->no_worker || strcmp(d->uri, saved_uri) == 0)
            continue;
        if (!fl_doc_each_import(d, fl_module_is_uri, saved_uri))
            continue;
        d->stale = true;
        fl_publish(s, d, 0, d->published, s->incremental ? 0 : -1);
        d->sent_first = true;
    }
}

/* The simulated worker of d dies with exit code `code` (lean-lsp-facts §7). */
static void
fl_worker_crash(struct fl_server *s, struct fl_doc *d, int code)
{
    d->processing = false;
    d->crashed = true;
    d->stale = false;
    if (code == 1)
        fprintf(stderr, "[%s] uncaught exception: fake worker crash (-- @fake worker-crash)\n",
                d->uri);
    else
        fprintf(stderr, "[%s] Stack overflow detected. Aborting.\n", d->uri);
    fflush(stderr);
    struct fl_pos zero = {0, 0};
    fl_send_progress_kind(s, d, &zero, 2);
    char *msg = code == 1
                    ? fl_xasprintf("Server process for %s crashed, see stderr for exception.",
                                   d->uri)
                    : fl_xasprintf("Server process for %s crashed, likely due to a stack "
                                   "overflow or a bug.",
                                   d->uri);
    fl_fail_pending(s, d->uri, fl_pending_of_uri,
                    code == 1 ? FL_ERR_WORKER_EXITED : FL_ERR_WORKER_CRASHED, msg);
    free(msg);
    fl_drop_sessions(s, d->uri);
}

/* Replaces d's scan by a single whole-file diagnostic: nothing was elaborated. */
static void
fl_doc_only_diag(struct fl_doc *d, int severity, const char *message)
{
    for (size_t i = 0; i < d->scan.ndiags; i++)
        free(d->scan.diags[i].message);
    for (size_t i = 0; i < d->scan.nsyms; i++)
        free(d->scan.syms[i].name);
    d->scan.nsyms = 0;
    d->scan.crash_line = -1;
    fl_judge_free(d->scan.judge);
    d->scan.judge = NULL;
    struct fl_diag g = fl_whole_file_diag(d, severity, message);
    g.message = fl_xstrdup(message);
    d->scan.diags = fl_xrealloc(d->scan.diags, sizeof *d->scan.diags);
    d->scan.diags[0] = g;
    d->scan.ndiags = 1;
}

/* Starts the simulated elaboration of d's current version. */
static void
fl_elaborate(struct fl_server *s, struct fl_doc *d)
{
    struct fl_scan_opts so = {
        .sorry_style = s->o.sorry_style, .silent = s->silent, .judge_style = s->o.judge_style};
    fl_scan_release(&d->scan);
    fl_scan_run(&d->scan, &d->text, &so);
    if (s->o.imports_outdated && d->never_build && fl_doc_has_imports(d)) {
        /* `lake setup-file --no-build` failed: only the header error, nothing elaborated
         * (lean-lsp-facts §3.3, §5.3) */
        fl_doc_only_diag(d, 1, FL_OUTDATED_MESSAGE);
    }
    int64_t now = fl_now_ms();
    d->processing = true;
    d->next_batch = 0;
    d->published = 0;
    d->sent_first = false;
    d->done_line = 0;
    d->next_due = now + s->o.report_delay_ms;
    d->refresh_due = now + s->o.refresh_ms;
    /* requests waiting on the old version are stale (RequestError.fileChanged) */
    fl_fail_pending(s, d->uri, fl_pending_stale, FL_ERR_CONTENT_MODIFIED, "File changed.");
    struct fl_pos zero = {0, 0};
    fl_send_progress(s, d, &zero);
}

/* Open documents whose (simulated) worker runs, d excluded. */
static int
fl_live_docs(const struct fl_server *s, const struct fl_doc *d)
{
    int n = 0;
    for (const struct fl_doc *x = s->docs; x; x = x->next)
        n += x != d && !x->no_worker;
    return n;
}

#define FL_NO_WORKER_MESSAGE                                                              \
    "could not start a file worker: %d files are already open (fake_lean --max-open %d)"

/*
 * --max-open: d's worker cannot start. What Lean does when a worker process cannot be
 * spawned is not in the facts; a worker that fails to initialise writes an error diagnostic
 * and exits non-zero, which the watchdog handles as a crash (lean-lsp-facts §7). The fake
 * does that: a whole-file error (line 0), a stderr line, fileProgress kind 2, pending
 * requests fail with -32901; later requests fail at once (see fl_dispatch_request) until a
 * didChange finds a free slot and starts the worker.
 */
static void
fl_worker_refused(struct fl_server *s, struct fl_doc *d)
{
    d->no_worker = true;
    d->processing = false;
    fl_scan_release(&d->scan);
    char *msg = fl_xasprintf(FL_NO_WORKER_MESSAGE, s->o.max_open, s->o.max_open);
    fl_doc_only_diag(d, 1, msg);
    fprintf(stderr, "[%s] fake_lean: %s\n", d->uri, msg);
    fflush(stderr);
    free(msg);
    fl_publish(s, d, 0, 1, s->incremental ? 0 : -1);
    d->published = 1;
    d->sent_first = true;
    struct fl_pos zero = {0, 0};
    fl_send_progress_kind(s, d, &zero, 2);
    msg = fl_xasprintf("Server process for %s crashed, see stderr for exception.", d->uri);
    fl_fail_pending(s, d->uri, fl_pending_of_uri, FL_ERR_WORKER_EXITED, msg);
    free(msg);
    fl_drop_sessions(s, d->uri);
}

/* Would a new worker for d exceed --max-open? */
static bool
fl_over_limit(const struct fl_server *s, const struct fl_doc *d)
{
    return s->o.max_open > 0 && fl_live_docs(s, d) >= s->o.max_open;
}

/* One batch of diagnostics (lean-lsp-facts §3.4). */
static void
fl_elaborate_step(struct fl_server *s, struct fl_doc *d, int64_t now)
{
    int k = s->o.chunks, i = d->next_batch;
    bool last = i + 1 >= k;
    size_t nl = d->text.nlines;
    size_t end_line = last ? nl : (size_t)(((uint64_t)(i + 1) * nl) / (uint64_t)k);
    size_t to = d->published;
    if (d->scan.crash_line >= 0 && (size_t)d->scan.crash_line < end_line) {
        /* the command at crash_line kills the worker: what came before it is reported */
        size_t cl = (size_t)d->scan.crash_line;
        while (to < d->scan.ndiags && d->scan.diags[to].report_line < cl)
            to++;
        if (to > d->published)
            fl_publish(s, d, s->incremental && d->sent_first ? d->published : 0, to,
                       s->incremental ? (d->sent_first ? 1 : 0) : -1);
        d->published = to;
        fl_worker_crash(s, d, d->scan.crash_code);
        return;
    }
    while (to < d->scan.ndiags && (last || d->scan.diags[to].report_line < end_line))
        to++;
    if (!last) {
        struct fl_pos from = {(int64_t)end_line, 0};
        fl_send_progress(s, d, &from);
    }
    /* Lean publishes when it first has to wait (or once at the end), then whenever a
     * snapshot adds messages. */
    if (!d->sent_first || to > d->published) {
        if (!s->incremental)
            fl_publish(s, d, 0, to, -1);
        else if (!d->sent_first)
            fl_publish(s, d, 0, to, 0);
        else
            fl_publish(s, d, d->published, to, 1);
        d->sent_first = true;
    }
    d->published = to;
    d->done_line = end_line;
    d->next_batch++;
    if (last) {
        d->processing = false;
        fl_send_progress(s, d, NULL);
    } else {
        d->next_due = now + s->o.chunk_ms;
    }
    fl_wake_pending(s, d);
}

static void
fl_doc_free(struct fl_doc *d)
{
    free(d->uri);
    fl_text_release(&d->text);
    fl_scan_release(&d->scan);
    free(d);
}

static void
fl_drop_sessions(struct fl_server *s, const char *uri)
{
    for (struct fl_session **pp = &s->sessions; *pp;) {
        struct fl_session *x = *pp;
        if (!uri || strcmp(x->uri, uri) == 0) {
            *pp = x->next;
            free(x->id);
            free(x->uri);
            free(x);
        } else {
            pp = &x->next;
        }
    }
}

/* The worker of d ends (didClose, shutdown): lean-lsp-facts §3.4, §5.1. */
static void
fl_close_doc(struct fl_server *s, struct fl_doc *d)
{
    for (struct fl_doc **pp = &s->docs; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    fl_publish_empty(s, d);
    char *msg = fl_xasprintf("The file worker for %s has been terminated.", d->uri);
    fl_fail_pending(s, d->uri, fl_pending_of_uri, FL_ERR_CONTENT_MODIFIED, msg);
    free(msg);
    fl_drop_sessions(s, d->uri);
    fl_doc_free(d);
}

/* ---- request handlers ----------------------------------------------------------------- */

static void
fl_h_empty_array(struct fl_server *s, struct fl_req *r)
{
    fl_reply(s, r->id, cJSON_CreateArray());
}

static void
fl_h_empty_object(struct fl_server *s, struct fl_req *r)
{
    fl_reply(s, r->id, cJSON_CreateObject());
}

static void
fl_h_null(struct fl_server *s, struct fl_req *r)
{
    fl_reply(s, r->id, NULL);
}

static void
fl_h_echo_params(struct fl_server *s, struct fl_req *r)
{
    static const char *const path[] = {"params", NULL};
    char *raw = fl_raw_at(r->body, r->len, path);
    fl_reply_raw(s, r->id, raw ? raw : "null");
    free(raw);
}

static void
fl_h_rename(struct fl_server *s, struct fl_req *r)
{
    cJSON *we = cJSON_CreateObject();
    cJSON_AddObjectToObject(we, "changes");
    fl_reply(s, r->id, we);
}

static void
fl_h_completion(struct fl_server *s, struct fl_req *r)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddTrueToObject(c, "isIncomplete");
    cJSON_AddArrayToObject(c, "items");
    fl_reply(s, r->id, c);
}

static void
fl_h_semantic_tokens(struct fl_server *s, struct fl_req *r)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddArrayToObject(c, "data");
    fl_reply(s, r->id, c);
}

static void
fl_h_shutdown(struct fl_server *s, struct fl_req *r)
{
    while (s->docs)
        fl_close_doc(s, s->docs);
    s->phase = FL_PHASE_SHUT_DOWN;
    fl_reply(s, r->id, NULL);
}

static void
fl_h_wait_for_diagnostics(struct fl_server *s, struct fl_req *r)
{
    int64_t v;
    if (!fl_get_int(r->params, "version", &v)) {
        fl_reply_bad_params(s, r, "version: number expected");
        return;
    }
    struct fl_doc *d = r->doc;
    if (d->version >= v && !d->processing)
        fl_reply(s, r->id, cJSON_CreateObject());
    else
        fl_defer(s, r, FL_WAIT_DIAGS, 0, v);
}

/* Identifier of the mask around byte off on its line: [*a, *b). */
static bool
fl_ident_around(const struct fl_doc *d, size_t off, size_t *a, size_t *b)
{
    int64_t line, ch;
    fl_text_position(&d->text, off, &line, &ch);
    size_t i = d->text.line_start[line], end = fl_text_line_end(&d->text, (size_t)line), s0, e0;
    while (fl_ident_next(d->scan.mask, end, &i, &s0, &e0)) {
        if (s0 <= off && off < e0) {
            *a = s0;
            *b = e0;
            return true;
        }
        if (s0 > off)
            break;
    }
    return false;
}

static struct fl_range
fl_range_of(const struct fl_doc *d, size_t a, size_t b)
{
    struct fl_range r;
    fl_text_position(&d->text, a, &r.start.line, &r.start.character);
    fl_text_position(&d->text, b, &r.end.line, &r.end.character);
    return r;
}

static bool
fl_line_blank(const struct fl_doc *d, int64_t line)
{
    if (line < 0 || (uint64_t)line >= d->text.nlines)
        return true;
    size_t a = d->text.line_start[line], b = fl_text_line_end(&d->text, (size_t)line);
    for (size_t i = a; i < b; i++)
        if (d->text.s[i] != ' ' && d->text.s[i] != '\t' && d->text.s[i] != '\r')
            return false;
    return true;
}

static void
fl_h_hover(struct fl_server *s, struct fl_req *r)
{
    struct fl_pos p;
    fl_get_pos(r->params, "position", &p);
    size_t off = fl_text_offset(&r->doc->text, p.line, p.character), a, b;
    if (fl_line_blank(r->doc, p.line) || !fl_ident_around(r->doc, off, &a, &b)) {
        fl_reply(s, r->id, NULL);
        return;
    }
    char *word = fl_xmemdup(r->doc->text.s + a, b - a);
    char *value = fl_xasprintf("```lean\n%s : Prop\n```", word);
    cJSON *h = cJSON_CreateObject();
    cJSON *c = cJSON_AddObjectToObject(h, "contents");
    cJSON_AddStringToObject(c, "kind", "markdown");
    cJSON_AddStringToObject(c, "value", value);
    cJSON_AddItemToObject(h, "range", fl_range_json(fl_range_of(r->doc, a, b)));
    fl_reply(s, r->id, h);
    free(value);
    free(word);
}

static void
fl_h_plain_goal(struct fl_server *s, struct fl_req *r)
{
    struct fl_pos p;
    fl_get_pos(r->params, "position", &p);
    if (fl_line_blank(r->doc, p.line)) {
        fl_reply(s, r->id, NULL);
        return;
    }
    /* a judged declaration's goal (fl_judge.h), else the default */
    size_t off = fl_text_offset(&r->doc->text, p.line, p.character);
    const char *goal = fl_judge_goal_at(r->doc->scan.judge, off);
    if (!goal)
        goal = "\xe2\x8a\xa2 True";
    char *rendered = fl_xasprintf("```lean\n%s\n```", goal); /* lean-lsp-facts §4 */
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "rendered", rendered);
    cJSON *goals = cJSON_AddArrayToObject(g, "goals");
    cJSON_AddItemToArray(goals, cJSON_CreateString(goal));
    fl_reply(s, r->id, g);
    free(rendered);
}

static void
fl_h_plain_term_goal(struct fl_server *s, struct fl_req *r)
{
    struct fl_pos p;
    fl_get_pos(r->params, "position", &p);
    if (fl_line_blank(r->doc, p.line)) {
        fl_reply(s, r->id, NULL);
        return;
    }
    size_t off = fl_text_offset(&r->doc->text, p.line, p.character), a = off, b = off;
    fl_ident_around(r->doc, off, &a, &b);
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "goal", "Prop");
    cJSON_AddItemToObject(g, "range", fl_range_json(fl_range_of(r->doc, a, b)));
    fl_reply(s, r->id, g);
}

static int
fl_cmp_sym_start(const void *a, const void *b, const struct fl_symbol *syms)
{
    const struct fl_pos *x = &syms[*(const size_t *)a].range.start;
    const struct fl_pos *y = &syms[*(const size_t *)b].range.start;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->character != y->character)
        return x->character < y->character ? -1 : 1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Indices of d's symbols sorted by start (insertion sort: symbol lists are short). */
static size_t *
fl_sorted_syms(const struct fl_doc *d)
{
    size_t n = d->scan.nsyms;
    size_t *idx = fl_xmalloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        idx[j] = i;
        while (j > 0 && fl_cmp_sym_start(&idx[j], &idx[j - 1], d->scan.syms) < 0) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
            j--;
        }
    }
    return idx;
}

static void
fl_h_document_symbol(struct fl_server *s, struct fl_req *r)
{
    const struct fl_scan *sc = &r->doc->scan;
    cJSON **node = fl_xcalloc(sc->nsyms ? sc->nsyms : 1, sizeof *node);
    cJSON **kids = fl_xcalloc(sc->nsyms ? sc->nsyms : 1, sizeof *kids);
    for (size_t i = 0; i < sc->nsyms; i++) {
        const struct fl_symbol *y = &sc->syms[i];
        node[i] = cJSON_CreateObject();
        cJSON_AddStringToObject(node[i], "name", y->name);
        cJSON_AddNumberToObject(node[i], "kind", y->kind);
        cJSON_AddItemToObject(node[i], "range", fl_range_json(y->range));
        cJSON_AddItemToObject(node[i], "selectionRange", fl_range_json(y->selection));
    }
    cJSON *top = cJSON_CreateArray();
    size_t *idx = fl_sorted_syms(r->doc);
    for (size_t k = 0; k < sc->nsyms; k++) {
        size_t i = idx[k];
        int parent = sc->syms[i].parent;
        if (parent < 0) {
            cJSON_AddItemToArray(top, node[i]);
        } else {
            if (!kids[parent])
                kids[parent] = cJSON_AddArrayToObject(node[parent], "children");
            cJSON_AddItemToArray(kids[parent], node[i]);
        }
    }
    free(idx);
    free(kids);
    free(node);
    fl_reply(s, r->id, top);
}

static void
fl_h_folding_range(struct fl_server *s, struct fl_req *r)
{
    const struct fl_scan *sc = &r->doc->scan;
    cJSON *arr = cJSON_CreateArray();
    size_t *idx = fl_sorted_syms(r->doc);
    for (size_t k = 0; k < sc->nsyms; k++) {
        const struct fl_symbol *y = &sc->syms[idx[k]];
        if (y->range.end.line <= y->range.start.line)
            continue;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "startLine", (double)y->range.start.line);
        cJSON_AddNumberToObject(f, "endLine", (double)y->range.end.line);
        cJSON_AddStringToObject(f, "kind", "region");
        cJSON_AddItemToArray(arr, f);
    }
    free(idx);
    fl_reply(s, r->id, arr);
}

/* A WorkspaceEdit replacing `range` of d by text (lean-lsp-facts §6.1 documentChanges). */
static cJSON *
fl_edit_json(const struct fl_doc *d, struct fl_range range, const char *text)
{
    cJSON *we = cJSON_CreateObject();
    cJSON *dc = cJSON_AddArrayToObject(we, "documentChanges");
    cJSON *tde = cJSON_CreateObject();
    cJSON_AddItemToObject(tde, "textDocument", fl_versioned_id(d));
    cJSON *edits = cJSON_AddArrayToObject(tde, "edits");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToObject(e, "range", fl_range_json(range));
    cJSON_AddStringToObject(e, "newText", text);
    cJSON_AddItemToArray(edits, e);
    cJSON_AddItemToArray(dc, tde);
    return we;
}

#define FL_LAZY_PROVIDER "Fake.lazyProvider"

static void
fl_h_code_action(struct fl_server *s, struct fl_req *r)
{
    struct fl_doc *d = r->doc;
    cJSON *range = fl_get(r->params, "range");
    struct fl_pos a, b;
    fl_get_pos(range, "start", &a);
    fl_get_pos(range, "end", &b);
    cJSON *arr = cJSON_CreateArray();
    int64_t last = (int64_t)d->text.nlines - 1;
    for (int64_t l = a.line < 0 ? 0 : a.line; l <= b.line && l <= last; l++) {
        size_t i = d->text.line_start[l], end = fl_text_line_end(&d->text, (size_t)l), ts, te;
        while (fl_ident_next(d->scan.mask, end, &i, &ts, &te)) {
            if (!fl_judge_is_query_tactic(d->scan.mask + ts, te - ts) ||
                (ts > 0 && d->scan.mask[ts - 1] == '.'))
                continue;
            const char *text = "exact trivial";
            enum fl_judge_hint hint = fl_judge_suggestion(d->scan.judge, ts, &text);
            if (hint == FL_JUDGE_HINT_NO_ACTION ||
                (hint == FL_JUDGE_HINT_NONE &&
                 (te - ts != 6 || memcmp(d->scan.mask + ts, "exact?", 6) != 0)))
                continue;
            char *title = fl_xasprintf("Try this: %s", text); /* lean-lsp-facts §6.2 */
            cJSON *act = cJSON_CreateObject();
            cJSON_AddStringToObject(act, "title", title);
            cJSON_AddStringToObject(act, "kind", "quickfix");
            cJSON_AddTrueToObject(act, "isPreferred");
            cJSON_AddItemToObject(act, "edit", fl_edit_json(d, fl_range_of(d, ts, te), text));
            cJSON_AddItemToArray(arr, act);
            free(title);
        }
    }
    static const char *const path[] = {"params", NULL};
    char *raw = fl_raw_at(r->body, r->len, path);
    cJSON *lazy = cJSON_CreateObject();
    cJSON_AddStringToObject(lazy, "title", "Fake lazy action");
    cJSON_AddStringToObject(lazy, "kind", "quickfix");
    cJSON *data = cJSON_AddObjectToObject(lazy, "data");
    cJSON_AddRawToObject(data, "params", raw);
    cJSON_AddStringToObject(data, "providerName", FL_LAZY_PROVIDER);
    cJSON_AddNumberToObject(data, "providerResultIndex", 0);
    cJSON_AddItemToArray(arr, lazy);
    free(raw);
    fl_reply(s, r->id, arr);
}

static void
fl_h_code_action_resolve(struct fl_server *s, struct fl_req *r)
{
    cJSON *data = fl_get(r->params, "data");
    const char *provider = fl_get_string(data, "providerName");
    int64_t index = 0;
    struct fl_pos start;
    if (!provider || !fl_get_int(data, "providerResultIndex", &index) ||
        !fl_get_pos(fl_get(fl_get(data, "params"), "range"), "start", &start)) {
        fl_reply_bad_params(s, r, "data: CodeActionResolveData expected");
        return;
    }
    if (strcmp(provider, FL_LAZY_PROVIDER) != 0 || index != 0) {
        char *msg = fl_xasprintf("Failed to resolve code action index %lld.", (long long)index);
        fl_reply_error(s, r->id, FL_ERR_INTERNAL, msg);
        free(msg);
        return;
    }
    struct fl_range at = {start, start};
    cJSON *edit = fl_edit_json(r->doc, at, "-- resolved");
    static const char *const path[] = {"params", NULL};
    char *raw = fl_raw_at(r->body, r->len, path);
    if (fl_get(r->params, "edit") || !raw || strlen(raw) < 2) {
        cJSON *act = cJSON_Duplicate(r->params, true);
        cJSON_DeleteItemFromObjectCaseSensitive(act, "edit");
        cJSON_AddItemToObject(act, "edit", edit);
        fl_reply(s, r->id, act);
    } else {
        /* keep the action's own text (numbers in data stay as the client wrote them) */
        char *e = fl_print(edit);
        cJSON_Delete(edit);
        size_t n = strlen(raw);
        char *out = fl_xasprintf("%.*s%s\"edit\":%s}", (int)(n - 1), raw, n > 2 ? "," : "", e);
        fl_reply_raw(s, r->id, out);
        free(out);
        free(e);
    }
    free(raw);
}

static void
fl_random_u64(char *out, size_t n)
{
    uint64_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
        v ^= v >> 33;
        v *= 0xff51afd7ed558ccdULL;
        v ^= v >> 33;
    }
    if (fd >= 0)
        close(fd);
    snprintf(out, n, "%llu", (unsigned long long)v);
}

static void
fl_h_rpc_connect(struct fl_server *s, struct fl_req *r)
{
    char id[32];
    fl_random_u64(id, sizeof id);
    struct fl_session *x = fl_xcalloc(1, sizeof *x);
    x->id = fl_xstrdup(id);
    x->uri = fl_xstrdup(r->doc->uri);
    x->last = fl_now_ms();
    x->next = s->sessions;
    s->sessions = x;
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "sessionId", id); /* UInt64 as a JSON string, §4 */
    fl_reply(s, r->id, res);
}

/* The session named by params.sessionId (string or number) for uri, if still alive. */
static struct fl_session *
fl_find_session(struct fl_server *s, const char *body, size_t len, const char *uri)
{
    static const char *const path[] = {"params", "sessionId", NULL};
    char *raw = fl_raw_at(body, len, path);
    if (!raw)
        return NULL;
    size_t n = strlen(raw);
    char *id = raw;
    if (n >= 2 && raw[0] == '"') {
        raw[n - 1] = '\0';
        id = raw + 1;
    }
    int64_t now = fl_now_ms();
    struct fl_session *found = NULL;
    for (struct fl_session **pp = &s->sessions; *pp;) {
        struct fl_session *x = *pp;
        if (now - x->last > s->o.rpc_expire_ms) { /* expired sessions are dropped */
            *pp = x->next;
            free(x->id);
            free(x->uri);
            free(x);
            continue;
        }
        if (strcmp(x->id, id) == 0 && strcmp(x->uri, uri) == 0)
            found = x;
        pp = &x->next;
    }
    free(raw);
    return found;
}

static void
fl_h_rpc_call(struct fl_server *s, struct fl_req *r)
{
    static const char *const ppath[] = {"params", "params", NULL};
    const char *method = fl_get_string(r->params, "method");
    char *raw = fl_raw_at(r->body, r->len, ppath);
    struct fl_pos p;
    if (!method || !raw || !fl_get_pos(r->params, "position", &p) ||
        !fl_get(r->params, "sessionId")) {
        fl_reply_bad_params(s, r, "RpcCallParams expected");
        free(raw);
        return;
    }
    struct fl_session *x = fl_find_session(s, r->body, r->len, r->doc->uri);
    if (!x) {
        fl_reply_error(s, r->id, FL_ERR_RPC_NEEDS_RECONNECT, "Outdated RPC session");
        free(raw);
        return;
    }
    x->last = fl_now_ms();
    cJSON *res = cJSON_CreateObject();
    cJSON *echo = cJSON_AddObjectToObject(res, "echo");
    cJSON_AddStringToObject(echo, "method", method);
    cJSON_AddRawToObject(echo, "params", raw);
    fl_reply(s, r->id, res);
    free(raw);
}

enum fl_route {
    FL_ROUTE_NONE,    /* answered by the watchdog itself */
    FL_ROUTE_TEXTDOC, /* params.textDocument.uri */
    FL_ROUTE_URI,     /* params.uri */
    FL_ROUTE_ACTION,  /* params.data.params.textDocument.uri (codeAction/resolve) */
};

struct fl_handler {
    const char *method;
    enum fl_route route;
    enum fl_wait wait;
    fl_req_fn *fn;
};

static const struct fl_handler fl_handlers[] = {
    {"shutdown", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_shutdown},
    /* watchdog-level (answered from .ilean data in Lean) */
    {"textDocument/references", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_empty_array},
    {"workspace/symbol", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_empty_array},
    {"textDocument/prepareCallHierarchy", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_empty_array},
    {"callHierarchy/incomingCalls", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_empty_array},
    {"callHierarchy/outgoingCalls", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_empty_array},
    {"textDocument/prepareRename", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_null},
    {"textDocument/rename", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_rename},
    {"$/lean/waitForILeans", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_empty_object},
    {"completionItem/resolve", FL_ROUTE_NONE, FL_WAIT_NONE, fl_h_echo_params},
    /* worker-level */
    {"textDocument/waitForDiagnostics", FL_ROUTE_URI, FL_WAIT_NONE, fl_h_wait_for_diagnostics},
    {"textDocument/hover", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_hover},
    {"textDocument/definition", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_empty_array},
    {"textDocument/declaration", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_empty_array},
    {"textDocument/typeDefinition", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_empty_array},
    {"textDocument/documentHighlight", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_empty_array},
    {"textDocument/completion", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_completion},
    {"textDocument/documentSymbol", FL_ROUTE_TEXTDOC, FL_WAIT_ALL, fl_h_document_symbol},
    {"textDocument/foldingRange", FL_ROUTE_TEXTDOC, FL_WAIT_ALL, fl_h_folding_range},
    {"textDocument/semanticTokens/full", FL_ROUTE_TEXTDOC, FL_WAIT_NONE, fl_h_semantic_tokens},
    {"textDocument/semanticTokens/range", FL_ROUTE_TEXTDOC, FL_WAIT_NONE, fl_h_semantic_tokens},
    {"textDocument/inlayHint", FL_ROUTE_TEXTDOC, FL_WAIT_NONE, fl_h_empty_array},
    {"textDocument/documentColor", FL_ROUTE_TEXTDOC, FL_WAIT_NONE, fl_h_empty_array},
    {"textDocument/codeAction", FL_ROUTE_TEXTDOC, FL_WAIT_RANGE, fl_h_code_action},
    {"codeAction/resolve", FL_ROUTE_ACTION, FL_WAIT_NONE, fl_h_code_action_resolve},
    {"$/lean/plainGoal", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_plain_goal},
    {"$/lean/plainTermGoal", FL_ROUTE_TEXTDOC, FL_WAIT_POS, fl_h_plain_term_goal},
    {"$/lean/rpc/connect", FL_ROUTE_URI, FL_WAIT_NONE, fl_h_rpc_connect},
    {"$/lean/rpc/call", FL_ROUTE_TEXTDOC, FL_WAIT_NONE, fl_h_rpc_call},
};

static void
fl_dispatch_request(struct fl_server *s, const char *id, const char *method, const char *body,
                    size_t len, cJSON *params)
{
    if (s->phase == FL_PHASE_SHUT_DOWN) {
        fl_reply_error(s, id, FL_ERR_INVALID_REQUEST, "Request received after 'shutdown' request.");
        return;
    }
    const struct fl_handler *h = NULL;
    for (size_t i = 0; i < sizeof fl_handlers / sizeof fl_handlers[0]; i++)
        if (strcmp(fl_handlers[i].method, method) == 0)
            h = &fl_handlers[i];
    if (!h) {
        char *msg = fl_xasprintf("No request handler found for '%s'", method);
        fl_reply_error(s, id, FL_ERR_METHOD_NOT_FOUND, msg);
        free(msg);
        return;
    }
    struct fl_req r = {.id = id, .method = method, .body = body, .len = len, .params = params};
    if (h->route != FL_ROUTE_NONE) {
        const char *uri = NULL;
        if (h->route == FL_ROUTE_TEXTDOC)
            uri = fl_get_string(fl_get(params, "textDocument"), "uri");
        else if (h->route == FL_ROUTE_URI)
            uri = fl_get_string(params, "uri");
        else
            uri = fl_get_string(fl_get(fl_get(fl_get(params, "data"), "params"), "textDocument"),
                                "uri");
        if (!uri && h->route == FL_ROUTE_ACTION) {
            /* lean-lsp-facts §6.1: the watchdog cannot route it */
            const char *title = fl_get_string(params, "title");
            fprintf(stderr,
                    "PANIC at Lean.Server.CodeAction.getFileSource! Lean.Server.CodeActions.Basic:"
                    "45:14: no data param on code action %s\n",
                    title ? title : "");
            fflush(stderr);
            uri = "";
        } else if (!uri) {
            fl_reply_bad_params(s, &r, "uri: string expected");
            return;
        }
        r.doc = fl_find_doc(s, uri);
        if (!r.doc) {
            char *msg = fl_xasprintf("Cannot process request to closed file '%s'", uri);
            fl_reply_error(s, id, FL_ERR_CONTENT_MODIFIED, msg);
            free(msg);
            return;
        }
        if (r.doc->no_worker) {
            char *msg = fl_xasprintf("Server process for %s crashed, see stderr for exception.",
                                     uri);
            fl_reply_error(s, id, FL_ERR_WORKER_EXITED, msg);
            free(msg);
            return;
        }
        if (r.doc->crashed) {
            /* queued until the worker restarts (lean-lsp-facts §7) */
            fl_defer(s, &r, FL_WAIT_RESTART, 0, 0);
            return;
        }
    }
    if (h->wait == FL_WAIT_POS || h->wait == FL_WAIT_RANGE || h->wait == FL_WAIT_ALL) {
        size_t line = (size_t)-1;
        struct fl_pos p;
        if (h->wait == FL_WAIT_POS) {
            if (!fl_get_pos(params, "position", &p)) {
                fl_reply_bad_params(s, &r, "position: Position expected");
                return;
            }
            line = p.line < 0 ? 0 : (size_t)p.line;
        } else if (h->wait == FL_WAIT_RANGE) {
            cJSON *range = fl_get(params, "range");
            struct fl_pos st;
            if (!fl_get_pos(range, "start", &st) || !fl_get_pos(range, "end", &p)) {
                fl_reply_bad_params(s, &r, "range: Range expected");
                return;
            }
            line = p.line < 0 ? 0 : (size_t)p.line;
        }
        if (r.doc->processing && !(h->wait != FL_WAIT_ALL && line < r.doc->done_line)) {
            fl_defer(s, &r, h->wait, line, 0);
            return;
        }
    }
    h->fn(s, &r);
}

/* ---- notifications -------------------------------------------------------------------- */

static void
fl_bad_notification_params(const char *method, const char *body, size_t len)
{
    static const char *const path[] = {"params", NULL};
    char *raw = fl_raw_at(body, len, path);
    fl_server_die("Got param with wrong structure for '%s': %s", method, raw ? raw : "null");
}

static void
fl_did_open(struct fl_server *s, cJSON *params, const char *body, size_t len)
{
    cJSON *td = fl_get(params, "textDocument");
    const char *uri = fl_get_string(td, "uri");
    const char *text = fl_get_string(td, "text");
    int64_t version = 0;
    if (!uri || !text || !fl_get_int(td, "version", &version))
        fl_bad_notification_params("textDocument/didOpen", body, len);
    struct fl_doc *d = fl_find_doc(s, uri);
    if (!d) {
        d = fl_xcalloc(1, sizeof *d);
        d->uri = fl_xstrdup(uri);
        d->next = s->docs;
        s->docs = d;
    } else {
        fl_text_release(&d->text);
    }
    size_t n;
    char *lf = fl_crlf_to_lf(text, strlen(text), &n);
    fl_text_init(&d->text, lf, n);
    d->version = version;
    /* a didOpen starts a new worker: no crash, no stale state; Lean's default is "always" */
    const char *mode = fl_get_string(params, "dependencyBuildMode");
    d->never_build = mode && strcmp(mode, "never") == 0;
    d->crashed = false;
    d->stale = false;
    if (fl_over_limit(s, d)) {
        fl_worker_refused(s, d);
        return;
    }
    d->no_worker = false;
    fl_elaborate(s, d);
    fl_wake_pending(s, d);
}

static void
fl_did_change(struct fl_server *s, cJSON *params, const char *body, size_t len)
{
    cJSON *td = fl_get(params, "textDocument");
    const char *uri = fl_get_string(td, "uri");
    cJSON *changes = fl_get(params, "contentChanges");
    if (!uri || !cJSON_IsArray(changes))
        fl_bad_notification_params("textDocument/didChange", body, len);
    struct fl_doc *d = fl_find_doc(s, uri);
    if (!d || cJSON_GetArraySize(changes) == 0)
        return; /* lean-lsp-facts §5.1 */
    int64_t version = 0;
    fl_get_int(td, "version", &version); /* missing -> 0 */
    cJSON *c;
    cJSON_ArrayForEach(c, changes) {
        const char *text = fl_get_string(c, "text");
        if (!text)
            fl_bad_notification_params("textDocument/didChange", body, len);
        cJSON *range = fl_get(c, "range");
        if (range) {
            struct fl_pos a, b;
            if (!fl_get_pos(range, "start", &a) || !fl_get_pos(range, "end", &b))
                fl_bad_notification_params("textDocument/didChange", body, len);
            size_t oa = fl_text_offset(&d->text, a.line, a.character);
            size_t ob = fl_text_offset(&d->text, b.line, b.character);
            fl_text_replace(&d->text, oa, ob, text, strlen(text));
        } else {
            fl_text_replace(&d->text, 0, d->text.len, text, strlen(text));
        }
    }
    d->version = version;
    if (d->no_worker) {
        if (fl_over_limit(s, d)) {
            fl_worker_refused(s, d);
            return;
        }
        d->no_worker = false; /* a slot is free: the worker starts on the current text */
    }
    bool restart = d->crashed;
    d->crashed = false;
    fl_elaborate(s, d);
    if (restart)
        fl_wake_pending(s, d); /* replays what was queued while crashed */
}

static void
fl_cancel(struct fl_server *s, const char *body, size_t len)
{
    static const char *const path[] = {"params", "id", NULL};
    char *id = fl_raw_at(body, len, path);
    if (!id)
        return;
    for (struct fl_pending **pp = &s->pending; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->id, id) == 0) {
            struct fl_pending *p = *pp;
            *pp = p->next;
            fl_reply_error(s, p->id, FL_ERR_REQUEST_CANCELLED, "");
            fl_pending_free(p);
            free(id);
            return;
        }
    }
    for (struct fl_delayed *d = s->delayed; d; d = d->next) {
        if (strcmp(d->id, id) == 0) {
            free(d->text);
            d->text = fl_error_text(id, FL_ERR_REQUEST_CANCELLED, "");
            break;
        }
    }
    free(id);
}

static void
fl_rpc_keep_alive(struct fl_server *s, cJSON *params, const char *body, size_t len)
{
    const char *uri = fl_get_string(params, "uri");
    if (!uri)
        return;
    struct fl_session *x = fl_find_session(s, body, len, uri);
    if (x)
        x->last = fl_now_ms();
}

static void
fl_handle_notification(struct fl_server *s, const char *method, cJSON *params, const char *body,
                       size_t len)
{
    if (strcmp(method, "exit") == 0)
        exit(0);
    if (strcmp(method, "$/fake/crash") == 0) {
        int64_t code = 1;
        fl_get_int(params, "code", &code);
        exit((int)code);
    }
    if (strcmp(method, "$/fake/stderr") == 0) {
        const char *text = fl_get_string(params, "text");
        if (text) {
            fputs(text, stderr);
            fflush(stderr);
        }
        return;
    }
    if (s->phase == FL_PHASE_SHUT_DOWN)
        return;
    if (strcmp(method, "textDocument/didOpen") == 0)
        fl_did_open(s, params, body, len);
    else if (strcmp(method, "textDocument/didChange") == 0)
        fl_did_change(s, params, body, len);
    else if (strcmp(method, "textDocument/didClose") == 0) {
        struct fl_doc *d = fl_find_doc(s, fl_get_string(fl_get(params, "textDocument"), "uri")
                                              ? fl_get_string(fl_get(params, "textDocument"), "uri")
                                              : "");
        if (d)
            fl_close_doc(s, d);
    } else if (strcmp(method, "textDocument/didSave") == 0) {
        const char *uri = fl_get_string(fl_get(params, "textDocument"), "uri");
        if (uri)
            fl_mark_stale(s, uri); /* §5.4 */
    } else if (strcmp(method, "workspace/didChangeWatchedFiles") == 0) {
        cJSON *ch;
        cJSON *arr = fl_get(params, "changes");
        cJSON_ArrayForEach(ch, arr) {
            const char *uri = fl_get_string(ch, "uri");
            if (uri)
                fl_mark_stale(s, uri);
        }
    } else if (strcmp(method, "$/cancelRequest") == 0)
        fl_cancel(s, body, len);
    else if (strcmp(method, "$/lean/rpc/keepAlive") == 0)
        fl_rpc_keep_alive(s, params, body, len);
    else if (strncmp(method, "$/", 2) == 0)
        ; /* $/lean/rpc/release and every other $/ notification: ignored (§4) */
    else {
        fprintf(stderr, "Got unsupported notification: %s\n", method);
        fflush(stderr);
    }
}

/* ---- entry points --------------------------------------------------------------------- */

struct fl_server *
fl_server_new(const struct fl_options *o, int out_fd)
{
    struct fl_server *s = fl_xcalloc(1, sizeof *s);
    s->o = *o;
    if (s->o.chunks < 1)
        s->o.chunks = 1;
    s->out = out_fd;
    s->phase = FL_PHASE_WANT_INITIALIZE;
    return s;
}

void
fl_server_free(struct fl_server *s)
{
    if (!s)
        return;
    while (s->docs) {
        struct fl_doc *d = s->docs;
        s->docs = d->next;
        fl_doc_free(d);
    }
    while (s->pending) {
        struct fl_pending *p = s->pending;
        s->pending = p->next;
        fl_pending_free(p);
    }
    while (s->delayed) {
        struct fl_delayed *d = s->delayed;
        s->delayed = d->next;
        free(d->id);
        free(d->text);
        free(d);
    }
    fl_drop_sessions(s, NULL);
    free(s);
}

static bool
fl_cap_true(cJSON *params, const char *name)
{
    return cJSON_IsTrue(fl_get(fl_get(fl_get(params, "capabilities"), "lean"), name));
}

void
fl_server_message(struct fl_server *s, const char *body, size_t len)
{
    const char *end = NULL;
    cJSON *msg = cJSON_ParseWithLengthOpts(body, len, &end, false);
    if (!msg)
        fl_server_die("Cannot read LSP message: JSON '%.*s' could not be parsed", (int)len, body);
    for (; end && end < body + len; end++)
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r')
            fl_server_die("Cannot read LSP message: JSON '%.*s' could not be parsed", (int)len,
                          body);
    if (!cJSON_IsObject(msg))
        fl_server_die(FL_NOT_JSONRPC ": not an object", (int)len, body);
    const char *jsonrpc = fl_get_string(msg, "jsonrpc");
    if (!jsonrpc || strcmp(jsonrpc, "2.0") != 0)
        fl_server_die(FL_NOT_JSONRPC ": \"jsonrpc\":\"2.0\" missing", (int)len, body);
    cJSON *jmethod = fl_get(msg, "method");
    cJSON *jid = fl_get(msg, "id");
    cJSON *params = fl_get(msg, "params");
    if (jmethod && !cJSON_IsString(jmethod))
        fl_server_die(FL_NOT_JSONRPC ": method is not a string", (int)len, body);
    if (jid && !cJSON_IsString(jid) && !cJSON_IsNumber(jid) && !cJSON_IsNull(jid))
        fl_server_die(FL_NOT_JSONRPC ": bad id", (int)len, body);
    if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params))
        fl_server_die(FL_NOT_JSONRPC ": params must be an object or an array", (int)len, body);
    const char *method = jmethod ? jmethod->valuestring : NULL;
    bool is_response = !method && jid && (fl_get(msg, "result") || fl_get(msg, "error"));
    if (!method && !is_response)
        fl_server_die(FL_NOT_JSONRPC ": neither request, notification nor response", (int)len,
                      body);

    if (s->phase == FL_PHASE_WANT_INITIALIZE) {
        if (!method || !jid || strcmp(method, "initialize") != 0 || !params)
            fl_server_die("Cannot read LSP request: expected an 'initialize' request first, "
                          "got '%.*s'", (int)len, body);
        s->incremental = fl_cap_true(params, "incrementalDiagnosticSupport");
        s->silent = fl_cap_true(params, "silentDiagnosticSupport");
        static const char *const path[] = {"id", NULL};
        char *id = fl_raw_at(body, len, path);
        /* the initialize reply is never delayed (lean-lsp-facts §2.1: "at once") */
        char *text = fl_result_text(id, cJSON_CreateRaw(fl_init_result));
        fl_write(s, text);
        free(text);
        free(id);
        s->phase = FL_PHASE_WANT_INITIALIZED;
        cJSON_Delete(msg);
        return;
    }
    if (s->phase == FL_PHASE_WANT_INITIALIZED) {
        if (!method || jid || strcmp(method, "initialized") != 0 || !params)
            fl_server_die("Cannot read LSP notification: expected the 'initialized' "
                          "notification, got '%.*s'", (int)len, body);
        fl_write(s, fl_register_watcher);
        s->phase = FL_PHASE_RUNNING;
        cJSON_Delete(msg);
        return;
    }
    if (is_response) {
        /* replies to register_lean_watcher and refresh requests: ignored */
        cJSON_Delete(msg);
        return;
    }
    if (jid) {
        if (!params && strcmp(method, "shutdown") != 0)
            fl_server_die("Got invalid JSON-RPC message"); /* Watchdog mainLoop, §5.1 */
        static const char *const path[] = {"id", NULL};
        char *id = fl_raw_at(body, len, path);
        fl_dispatch_request(s, id, method, body, len, params);
        free(id);
    } else {
        if (!params && strcmp(method, "exit") != 0)
            fl_server_die("Got invalid JSON-RPC message");
        fl_handle_notification(s, method, params, body, len);
    }
    cJSON_Delete(msg);
}

int
fl_server_run_timers(struct fl_server *s, int64_t now)
{
    int64_t next = -1;
#define FL_NEXT(t) (next = (next < 0 || (t) < next) ? (t) : next)
    for (struct fl_doc *d = s->docs; d; d = d->next) {
        /* fl_elaborate_step may reply to deferred requests, never closes documents */
        while (d->processing && d->next_due <= now)
            fl_elaborate_step(s, d, now);
        if (d->processing && s->o.refresh_ms > 0) {
            while (d->refresh_due <= now) {
                char *req = fl_xasprintf(
                    "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":\"workspace/semanticTokens/refresh\"}",
                    s->next_server_id++);
                fl_write(s, req);
                free(req);
                d->refresh_due += s->o.refresh_ms;
            }
            FL_NEXT(d->refresh_due);
        }
        if (d->processing)
            FL_NEXT(d->next_due);
    }
    while (s->delayed && s->delayed->due <= now) {
        struct fl_delayed *x = s->delayed;
        s->delayed = x->next;
        fl_write(s, x->text);
        free(x->id);
        free(x->text);
        free(x);
    }
    if (s->delayed)
        FL_NEXT(s->delayed->due);
#undef FL_NEXT
    if (next < 0)
        return -1;
    return next <= now ? 0 : (int)(next - now);
}

void
fl_server_eof(struct fl_server *s)
{
    /* initialize/initialized are read with readLspRequestAs/readLspNotificationAs, which
     * throw on EOF; the watchdog then exits 1 (Lean/Data/Lsp/Communication.lean) */
    if (s->phase == FL_PHASE_WANT_INITIALIZE)
        fl_server_die("Cannot read LSP request: Stream was closed");
    if (s->phase == FL_PHASE_WANT_INITIALIZED)
        fl_server_die("Cannot read LSP notification: Stream was closed");
    exit(0);
}
