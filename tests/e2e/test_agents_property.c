/*
 * Property test: random user edits while prove jobs run, with agents.autoApply. The test
 * plays an editor that keeps the text of every version it sent; for each
 * workspace/applyEdit the proxy sends it checks, against the text of the version the edit
 * names:
 *  - the version is one the editor sent (the proxy never computes an edit for text it has
 *    not seen);
 *  - the edit changes only the named node's proof body: every byte before the body and
 *    after it is the same (no helpers here, so no local region);
 * then applies it as an editor does: only when that version is still the current one
 * (`applied: false` otherwise). Edits: comment lines inserted between declarations, another
 * node's body touched, a node's statement changed. Seeded (LSP_PROXY_SEED to replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

#define NODES 8
#define ROUNDS 60
#define MAX_VERSIONS 400

static const char *URI = "file:///tmp/agp/Prop.lean";
static char *texts[MAX_VERSIONS + 1]; /* texts[v]: the text of version v */
static int version = 1;
static unsigned long rng;

static unsigned
rnd(unsigned n)
{
    rng = rng * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((rng >> 33) % n);
}

static char *
initial_text(void)
{
    size_t cap = 8192;
    char *t = malloc(cap);
    t[0] = '\0';
    for (int i = 0; i < NODES; i++) {
        char node[256];
        snprintf(node, sizeof node,
                 "-- @fake proof: rfl\ntheorem node_%d : %d = %d := by\n  sorry\n\ndef gap_%d : Nat := %d\n\n", i,
                 i, i, i, i);
        strcat(t, node);
    }
    return t;
}

/* The proof body of `theorem NAME` in t: [*from, *to), from just after its `by`. */
static int
body_of(const char *t, const char *name, size_t *from, size_t *to)
{
    char head[64];
    snprintf(head, sizeof head, "theorem %s ", name);
    const char *h = strstr(t, head);
    if (h == NULL)
        return -1;
    const char *by = strstr(h, ":= by");
    if (by == NULL)
        return -1;
    *from = (size_t)(by + 5 - t);
    const char *end = strstr(by, "\n\n");
    *to = end ? (size_t)(end - t) : strlen(t);
    return 0;
}

/* A random edit of the current text, sent as the next version. */
static void
user_edit(struct e2e *e)
{
    const char *t = texts[version];
    size_t n = strlen(t);
    char *out = malloc(n + 256);
    int kind = (int)rnd(3), k = (int)rnd(NODES);
    char name[32];
    snprintf(name, sizeof name, "node_%d", k);
    size_t from, to;
    if (kind == 0 || body_of(t, name, &from, &to) < 0) {
        /* a comment line before a random `def gap_` */
        char gap[32];
        snprintf(gap, sizeof gap, "def gap_%d", k);
        const char *g = strstr(t, gap);
        size_t at = g ? (size_t)(g - t) : n;
        snprintf(out, n + 256, "%.*s-- note %u\n%s", (int)at, t, rnd(1000), t + at);
    } else if (kind == 1) {
        /* inside a body: append a comment to its last line */
        snprintf(out, n + 256, "%.*s -- touched%s", (int)to, t, t + to);
    } else {
        /* the statement: `k = k` becomes `k + 0 = k` (or back) */
        char head[64], nhead[64];
        snprintf(head, sizeof head, "theorem %s : %d = %d", name, k, k);
        snprintf(nhead, sizeof nhead, "theorem %s : %d + 0 = %d", name, k, k);
        const char *h = strstr(t, head), *h2 = strstr(t, nhead);
        if (h)
            snprintf(out, n + 256, "%.*s%s%s", (int)(h - t), t, nhead, h + strlen(head));
        else if (h2)
            snprintf(out, n + 256, "%.*s%s%s", (int)(h2 - t), t, head, h2 + strlen(nhead));
        else
            snprintf(out, n + 256, "%s", t);
    }
    if (version == MAX_VERSIONS) {
        free(out);
        return;
    }
    texts[++version] = out;
    e2e_change_full(e, URI, version, out);
}

struct stats {
    int edits, applied, stale, bad_version, outside_body, malformed;
};

/* Answers what the proxy asks the editor; checks and applies workspace/applyEdit. */
static void
serve(struct e2e *e, size_t *seen, struct stats *s)
{
    while (*seen < lsp_client_history_len(e->c)) {
        const cJSON *m = lsp_client_history(e->c, (*seen)++);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "method"));
        if (id == NULL || method == NULL)
            continue; /* a notification, or a response to us */
        char *ids = cJSON_PrintUnformatted(id);
        char reply[256];
        if (strcmp(method, "workspace/applyEdit") != 0) {
            snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":null}", ids);
            lsp_client_send(e->c, reply);
            free(ids);
            continue;
        }
        s->edits++;
        const cJSON *dc = test_json_path(m, "params.edit.documentChanges.0");
        const cJSON *edits = cJSON_GetObjectItemCaseSensitive(dc, "edits");
        int v = (int)cJSON_GetNumberValue(test_json_path(dc, "textDocument.version"));
        const char *label = cJSON_GetStringValue(test_json_path(m, "params.label"));
        char name[64] = "";
        if (label)
            sscanf(label, "Proof of %63s", name);
        bool applied = false;
        if (v < 1 || v > version || texts[v] == NULL) {
            s->bad_version++;
            diag("an edit for version %d, which the editor never sent (current %d)", v, version);
        } else if (cJSON_GetArraySize(edits) != 1 || !*name) {
            s->malformed++;
        } else {
            const char *t = texts[v];
            const cJSON *ed = cJSON_GetArrayItem(edits, 0);
            size_t a = e2e_offset_ascii(t, (int)cJSON_GetNumberValue(test_json_path(ed, "range.start.line")),
                                 (int)cJSON_GetNumberValue(test_json_path(ed, "range.start.character")));
            size_t z = e2e_offset_ascii(t, (int)cJSON_GetNumberValue(test_json_path(ed, "range.end.line")),
                                 (int)cJSON_GetNumberValue(test_json_path(ed, "range.end.character")));
            size_t from, to;
            if (body_of(t, name, &from, &to) < 0 || a < from || z > to || a > z) {
                s->outside_body++;
                diag("the edit of %s for version %d spans [%zu, %zu), its body is [%zu, %zu)", name, v,
                     a, z, from, to);
            } else if (v == version && version < MAX_VERSIONS) {
                const char *nt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ed, "newText"));
                size_t n = strlen(t), l = nt ? strlen(nt) : 0;
                char *out = malloc(n + l + 1);
                memcpy(out, t, a);
                memcpy(out + a, nt, l);
                strcpy(out + a + l, t + z);
                texts[++version] = out;
                applied = true;
                s->applied++;
            } else {
                s->stale++;
            }
        }
        snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"applied\":%s}}", ids,
                 applied ? "true" : "false");
        lsp_client_send(e->c, reply);
        if (applied)
            e2e_change_full(e, URI, version, texts[version]);
        free(ids);
    }
}

static bool
any(const cJSON *m, void *arg)
{
    (void)m;
    (void)arg;
    return true;
}

int
main(void)
{
    struct e2e e;
    const char *seed_env = getenv("LSP_PROXY_SEED");
    rng = seed_env ? strtoul(seed_env, NULL, 10) : 20261207ul;
    diag("seed %lu (LSP_PROXY_SEED to replay)", rng);
    const char *fake_args[] = {"--report-delay-ms", "15", NULL};
    if (e2e_start(&e, NULL, fake_args) < 0) {
        skip("property", "binaries not built");
        return done_testing();
    }
    e2e_initialize(&e, "{\"workspace\":{\"workspaceEdit\":{\"documentChanges\":true}}}",
                   "{\"marathon\":{\"agents\":{\"tactics\":[\"simp\",\"rfl\"],\"autoApply\":true,"
                   "\"maxParallel\":3},\"llm\":{\"provider\":\"none\"},\"onSave\":\"off\","
                   "\"review\":{\"enabled\":false}}}");
    texts[1] = initial_text();
    e2e_open(&e, URI, texts[1]);
    size_t seen = 0;
    struct stats s = {0};
    int started = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (rnd(2) == 0) {
            char arg[128];
            snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"node_%u\"}", URI, rnd(NODES));
            const cJSON *res = e2e_command(&e, "marathon.prove", arg);
            started += test_json_path(res, "result.jobId") != NULL;
        }
        if (rnd(3) != 0)
            user_edit(&e);
        lsp_client_wait(e.c, (int)rnd(40), any, NULL);
        serve(&e, &seen, &s);
    }
    /* let the last jobs end, still answering */
    double end = test_now_ms() + 8000 * VALGRIND_SCALE;
    int active = 1;
    while (test_now_ms() < end && active) {
        lsp_client_wait(e.c, 100, any, NULL);
        serve(&e, &seen, &s);
        const cJSON *st = e2e_command(&e, "marathon.status", "{}");
        serve(&e, &seen, &s);
        active = 0;
        const cJSON *j;
        cJSON_ArrayForEach(j, test_json_path(st, "result.jobs"))
        {
            const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state"));
            active += state && (strcmp(state, "queued") == 0 || strcmp(state, "running") == 0 ||
                                strcmp(state, "verifying") == 0);
        }
    }
    diag("%d jobs started, %d versions, %d edits proposed: %d applied, %d stale (refused as an "
         "editor does)",
         started, version, s.edits, s.applied, s.stale);
    ok(started >= 5, "jobs were started (%d)", started);
    ok(s.applied >= 3, "proofs were applied while the text changed (%d)", s.applied);
    is_int(s.bad_version, 0, "no edit for a version the editor never sent");
    is_int(s.outside_body, 0, "no edit outside the named node's proof body");
    is_int(s.malformed, 0, "every edit is one change with the node's name in its label");
    is_int(active, 0, "every job ended");
    /* the final text: every node still there, each body `sorry` or a proof */
    int nodes = 0;
    for (int i = 0; i < NODES; i++) {
        char head[32];
        snprintf(head, sizeof head, "theorem node_%d ", i);
        nodes += strstr(texts[version], head) != NULL;
    }
    is_int(nodes, NODES, "every node is still in the text");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
    for (int v = 1; v <= version; v++)
        free(texts[v]);
    return done_testing();
}
