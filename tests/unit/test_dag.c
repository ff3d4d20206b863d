/*
 * test_dag: the DAG through dag.h directly (edges, statuses, leaves, cycles, uses, names,
 * label merging, order) and through analysis.h on Lean text (statuses from Lean views, the
 * JSON shape parsed back with cJSON, DOT and Mermaid content, lookups).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "dag.h"
#include "tap.h"

/* ---- dag.h directly ---- */

static struct lsp_range
R(uint32_t line, uint32_t c0, uint32_t c1)
{
    return (struct lsp_range){{line, c0}, {line, c1}};
}

static struct lsp_range
LINES(uint32_t l0, uint32_t l1)
{
    return (struct lsp_range){{l0, 0}, {l1, 10}};
}

static size_t
add(struct dag *d, const char *name, const char *ns, const char *label, enum analysis_kind kind,
    bool placeholder, uint32_t l0, uint32_t l1)
{
    char full[128];
    if (ns && *ns)
        snprintf(full, sizeof full, "%s.%s", ns, name);
    else
        snprintf(full, sizeof full, "%s", name);
    struct dag_decl_info in = {
        .name = name,
        .full_name = full,
        .ns = ns,
        .label = label,
        .keyword = kind == ANALYSIS_KIND_THEOREM ? "theorem"
                   : kind == ANALYSIS_KIND_LEMMA ? "lemma"
                                                 : "def",
        .kind = kind,
        .has_blueprint = true,
        .placeholder = placeholder,
        .range = LINES(l0, l1),
        .name_range = R(l0, 6, 6 + (uint32_t)strlen(name)),
    };
    return dag_add_decl(d, &in);
}

static void
ref(struct dag *d, size_t decl, enum dag_ref_kind k, const char *text, uint32_t line)
{
    dag_add_ref(d, decl, k, text, strlen(text), R(line, 2, 2 + (uint32_t)strlen(text)));
}

static long
node_index(const struct dag *d, const char *name)
{
    long decl = dag_find_name(d, name, strlen(name));
    return decl < 0 ? -1 : (long)dag_decl_node(d, (size_t)decl);
}

static bool
has_dep(const struct dag *d, const char *from, const char *to)
{
    long f = node_index(d, from), t = node_index(d, to);
    if (f < 0 || t < 0)
        return false;
    const struct dag_node *n = dag_node(d, (size_t)f);
    for (size_t i = 0; i < n->ndeps; i++)
        if (n->deps[i] == (size_t)t)
            return true;
    return false;
}

static const struct dag_node *
N(const struct dag *d, const char *name)
{
    long i = node_index(d, name);
    return i < 0 ? NULL : dag_node(d, (size_t)i);
}

static void
test_edges_statuses_leaves(void)
{
    struct dag *d = dag_new(false);
    size_t def = add(d, "base", "", "def:base", ANALYSIS_KIND_DEFINITION, false, 0, 2);
    size_t a = add(d, "a", "", "lem:a", ANALYSIS_KIND_LEMMA, true, 4, 6);
    size_t b = add(d, "b", "", "lem:b", ANALYSIS_KIND_LEMMA, false, 8, 10);
    size_t t = add(d, "t", "", "thm:t", ANALYSIS_KIND_THEOREM, true, 12, 14);
    size_t c = add(d, "c", "", "lem:c", ANALYSIS_KIND_LEMMA, false, 16, 17);
    (void)def;
    (void)c;
    (void)a;
    ref(d, b, DAG_REF_BODY, "simp", 9);
    ref(d, b, DAG_REF_BODY, "base", 9); /* a definition: never an edge target */
    ref(d, b, DAG_REF_BODY, "c.symm", 9); /* falls back to `c` (declared later: still an edge) */
    ref(d, t, DAG_REF_SORRY_USING, "b", 13);
    ref(d, t, DAG_REF_SORRY_USING, "a", 13);
    ref(d, t, DAG_REF_SORRY_USING, "nope", 13);
    ref(d, t, DAG_REF_BODY, "b", 13);
    dag_build(d);

    is_int(dag_node_count(d), 5, "one node per declaration (strict)");
    ok(has_dep(d, "t", "b") && has_dep(d, "t", "a"), "sorry_using list gives edges");
    ok(!has_dep(d, "b", "base"), "definitions are never edge targets");
    ok(has_dep(d, "b", "c"), "`c.symm` resolves to c");
    is_int(N(d, "t")->ndeps, 2, "duplicates and unknown names add no edge");
    is_int(N(d, "t")->deps[0], node_index(d, "b"), "deps in order of first mention");
    is_int(N(d, "t")->dep_ranges[0].start.line, 13, "dep range is the first mention");

    /* statuses from the text alone */
    is_int(N(d, "base")->status, ANALYSIS_STATUS_DEFINITION, "definition status");
    is_int(N(d, "a")->status, ANALYSIS_STATUS_SORRY, "placeholder: sorry");
    is_int(N(d, "b")->status, ANALYSIS_STATUS_PROVED, "complete: proved");
    ok(N(d, "a")->leaf, "a: sorry with no deps is a leaf");
    ok(!N(d, "t")->leaf, "t: a dep is still sorry, not a leaf");
    ok(!N(d, "base")->leaf && !N(d, "b")->leaf, "definitions and proved nodes are not leaves");

    /* unresolved sorry_using names are kept for the checks */
    size_t unresolved = 0;
    for (size_t i = 0; i < dag_ref_count(d); i++)
        if (dag_ref(d, i)->target < 0) {
            unresolved++;
            ok(dag_ref(d, i)->len == 4 && memcmp(dag_ref(d, i)->text, "nope", 4) == 0,
               "unknown sorry_using name kept");
        }
    is_int(unresolved, 1, "one unresolved reference");

    /* Lean's view: an error in b's range, a sorry warning on c, pending after line 15 */
    struct lean_diag diags[] = {
        {.severity = 1, .range = R(9, 4, 9), .is_sorry = false},
        {.severity = 2, .range = R(16, 6, 7), .is_sorry = true},
        {.severity = 3, .range = R(4, 0, 1), .is_sorry = false},
    };
    struct lean_view v = {.known = true, .diags = diags, .ndiags = 3, .done = true};
    dag_set_lean(d, &v);
    is_int(N(d, "b")->status, ANALYSIS_STATUS_ERROR, "error inside the range");
    is_int(N(d, "c")->status, ANALYSIS_STATUS_SORRY, "sorry warning on a complete body");
    is_int(N(d, "a")->status, ANALYSIS_STATUS_SORRY, "information diagnostics change nothing");
    is_int(N(d, "base")->status, ANALYSIS_STATUS_DEFINITION, "definitions stay definitions");

    struct lean_view p = {.known = true, .done = false, .processed_line = 7};
    dag_set_lean(d, &p);
    is_int(N(d, "b")->status, ANALYSIS_STATUS_PENDING, "after processed_line: pending");
    is_int(N(d, "a")->status, ANALYSIS_STATUS_SORRY, "before processed_line: from the text");
    is_int(N(d, "c")->status, ANALYSIS_STATUS_PENDING, "c pending too");
    ok(!N(d, "t")->leaf, "a pending dep is not proved");
    struct lean_view mid = {.known = true, .done = false, .processed_line = 6};
    dag_set_lean(d, &mid);
    is_int(N(d, "a")->status, ANALYSIS_STATUS_SORRY, "a node containing processed_line: sorry wins");

    /* all proved: t becomes a leaf */
    struct lean_view done = {.known = true, .done = true};
    dag_set_lean(d, &done);
    is_int(N(d, "b")->status, ANALYSIS_STATUS_PROVED, "done, no diagnostics: proved");
    ok(!N(d, "t")->leaf, "t still waits for a");
    dag_set_lean(d, NULL);
    is_int(N(d, "b")->status, ANALYSIS_STATUS_PROVED, "NULL view: text alone");

    /* order: dependencies first */
    const size_t *topo = dag_topo_order(d);
    size_t pos[5];
    for (size_t i = 0; i < 5; i++)
        pos[topo[i]] = i;
    ok(pos[node_index(d, "a")] < pos[node_index(d, "t")] &&
           pos[node_index(d, "b")] < pos[node_index(d, "t")] &&
           pos[node_index(d, "c")] < pos[node_index(d, "b")],
       "topological order puts dependencies first");
    is_int(dag_cycle_count(d), 0, "no cycle");
    is_int(dag_decl_at(d, (struct lsp_pos){9, 3}), (long)b, "declaration at a position");
    is_int(dag_decl_at(d, (struct lsp_pos){3, 0}), -1, "no declaration between nodes");
    dag_free(d);
}

static void
test_leaf_when_deps_proved(void)
{
    struct dag *d = dag_new(false);
    add(d, "a", "", NULL, ANALYSIS_KIND_LEMMA, false, 0, 1);
    add(d, "b", "", NULL, ANALYSIS_KIND_LEMMA, false, 2, 3);
    size_t t = add(d, "t", "", NULL, ANALYSIS_KIND_THEOREM, true, 4, 5);
    ref(d, t, DAG_REF_SORRY_USING, "a", 5);
    ref(d, t, DAG_REF_SORRY_USING, "b", 5);
    dag_build(d);
    ok(N(d, "t")->leaf, "sorry node whose deps are all proved is a dynamic leaf");
    is_str(N(d, "t")->label, "t", "label defaults to the Lean name");
    struct lean_diag e = {.severity = 1, .range = R(2, 0, 1)};
    struct lean_view v = {.known = true, .diags = &e, .ndiags = 1, .done = true};
    dag_set_lean(d, &v);
    ok(!N(d, "t")->leaf, "a dep with an error: no longer a leaf");
    struct lean_diag s = {.severity = 2, .range = R(4, 6, 7), .is_sorry = true};
    struct lean_view v2 = {.known = true, .diags = &s, .ndiags = 1, .done = true};
    dag_set_lean(d, &v2);
    ok(N(d, "t")->leaf, "leaf again once the error is gone");
    dag_free(d);
}

static void
test_cycles(void)
{
    struct dag *d = dag_new(false);
    size_t x = add(d, "x", "", NULL, ANALYSIS_KIND_LEMMA, false, 0, 1);
    size_t y = add(d, "y", "", NULL, ANALYSIS_KIND_LEMMA, false, 2, 3);
    size_t z = add(d, "z", "", NULL, ANALYSIS_KIND_LEMMA, false, 4, 5);
    size_t w = add(d, "w", "", NULL, ANALYSIS_KIND_LEMMA, false, 6, 7);
    ref(d, x, DAG_REF_BODY, "y", 1);
    ref(d, y, DAG_REF_BODY, "z", 3);
    ref(d, z, DAG_REF_BODY, "x", 5);
    ref(d, w, DAG_REF_BODY, "w", 7); /* recursion: no self edge */
    ref(d, w, DAG_REF_BODY, "x", 7);
    dag_build(d);
    is_int(dag_cycle_count(d), 1, "one cycle reported once");
    const struct dag_cycle *c = dag_cycle(d, 0);
    is_int(c->closing, node_index(d, "z"), "closed on the node where the search closed it");
    is_int(c->npath, 3, "cycle path x -> y -> z");
    is_int(c->path[0], node_index(d, "x"), "path starts at x");
    ok(!has_dep(d, "w", "w"), "no self edge");
    dag_free(d);

    d = dag_new(false);
    size_t p = add(d, "p", "", NULL, ANALYSIS_KIND_LEMMA, false, 0, 1);
    size_t q = add(d, "q", "", NULL, ANALYSIS_KIND_LEMMA, false, 2, 3);
    ref(d, p, DAG_REF_BODY, "q", 1);
    ref(d, q, DAG_REF_BODY, "p", 3);
    ref(d, q, DAG_REF_BODY, "q.trans", 3);
    dag_build(d);
    is_int(dag_cycle_count(d), 1, "two-node cycle");
    is_int(dag_cycle(d, 0)->closing, node_index(d, "q"), "closed at q");
    dag_free(d);
}

static void
test_uses(void)
{
    struct dag *d = dag_new(false);
    add(d, "a", "", "lem:a", ANALYSIS_KIND_LEMMA, false, 0, 1);
    add(d, "b", "", "lem:b", ANALYSIS_KIND_LEMMA, false, 2, 3);
    add(d, "k", "", "def:k", ANALYSIS_KIND_DEFINITION, false, 4, 5);
    size_t t = add(d, "t", "", "thm:t", ANALYSIS_KIND_THEOREM, false, 6, 8);
    ref(d, t, DAG_REF_BODY, "a", 7);
    dag_add_use(d, t, "lem:b", 5, true, false, R(6, 10, 15));
    dag_add_use(d, t, "a", 1, false, true, R(6, 17, 19));
    dag_add_use(d, t, "k", 1, false, false, R(6, 20, 21));
    dag_add_use(d, t, "ghost", 5, false, false, R(6, 22, 27));
    dag_build(d);
    ok(has_dep(d, "t", "b"), "uses with a label adds an edge");
    ok(!has_dep(d, "t", "a"), "-a removes the body's edge");
    ok(!has_dep(d, "t", "k"), "uses naming a definition adds no edge");
    is_int(dag_use(d, 3)->target, -1, "unknown uses entry left unresolved");
    is_int(dag_use(d, 0)->target, node_index(d, "b"), "label resolved to its node");
    dag_free(d);
}

static void
test_names(void)
{
    struct dag *d = dag_new(true);
    add(d, "bar", "Foo", NULL, ANALYSIS_KIND_LEMMA, false, 0, 1);
    add(d, "baz", "Foo.Inner", NULL, ANALYSIS_KIND_LEMMA, false, 2, 3);
    size_t in_ns = add(d, "user", "Foo.Inner", NULL, ANALYSIS_KIND_LEMMA, false, 4, 5);
    size_t root = add(d, "root_user", "", NULL, ANALYSIS_KIND_THEOREM, false, 6, 7);
    struct dag_decl_info op = {.name = "opened", .full_name = "opened", .opens = "Foo.Inner Foo",
                               .keyword = "theorem", .kind = ANALYSIS_KIND_THEOREM,
                               .range = LINES(8, 9), .name_range = R(8, 8, 14)};
    size_t opened = dag_add_decl(d, &op);
    size_t rooted = add(d, "rooted", "Foo", NULL, ANALYSIS_KIND_THEOREM, false, 10, 11);
    ref(d, in_ns, DAG_REF_BODY, "bar", 5);      /* Foo.Inner.bar? no; Foo.bar: yes */
    ref(d, in_ns, DAG_REF_BODY, "baz", 5);      /* Foo.Inner.baz */
    ref(d, root, DAG_REF_BODY, "Foo.bar.le", 7); /* qualified, with a projection */
    ref(d, opened, DAG_REF_BODY, "baz", 9);     /* through `open Foo.Inner` */
    ref(d, rooted, DAG_REF_BODY, "_root_.root_user", 11);
    dag_build(d);
    ok(has_dep(d, "user", "bar"), "name resolved from an enclosing namespace");
    ok(has_dep(d, "user", "baz"), "name resolved in the same namespace");
    ok(has_dep(d, "root_user", "bar"), "fully qualified name with projection");
    ok(has_dep(d, "opened", "baz"), "name resolved through open");
    ok(has_dep(d, "rooted", "root_user"), "_root_ prefix");
    is_int(dag_find_name(d, "Foo.Inner.baz", 13), 1, "lookup by full name");
    is_int(dag_find_name(d, "baz", 3), 1, "lookup by name as written");
    is_str(N(d, "bar")->label, "Foo.bar", "architect: label defaults to the full name");
    is_int(dag_find_label(d, "Foo.bar", 7), node_index(d, "bar"), "lookup by default label");
    dag_free(d);
}

static void
test_merge(void)
{
    struct dag *d = dag_new(true);
    add(d, "a", "", "lem:a", ANALYSIS_KIND_LEMMA, false, 0, 1);
    add(d, "b", "", "lem:b", ANALYSIS_KIND_LEMMA, true, 2, 3);
    size_t m1 = add(d, "main_nat", "", "thm:main", ANALYSIS_KIND_THEOREM, false, 4, 5);
    size_t m2 = add(d, "main_int", "", "thm:main", ANALYSIS_KIND_THEOREM, true, 6, 7);
    size_t u = add(d, "user", "", "thm:user", ANALYSIS_KIND_THEOREM, true, 8, 9);
    ref(d, m1, DAG_REF_BODY, "a", 5);
    ref(d, m2, DAG_REF_SORRY_USING, "b", 7);
    ref(d, m2, DAG_REF_BODY, "main_nat", 7); /* same node: no self edge */
    ref(d, u, DAG_REF_SORRY_USING, "main_int", 9);
    dag_build(d);
    is_int(dag_node_count(d), 4, "architect: declarations sharing a label are one node");
    const struct dag_node *m = N(d, "main_int");
    ok(m == N(d, "main_nat"), "both names find the merged node");
    is_int(m->ndecls, 2, "merged node has both declarations");
    is_str(m->name, "main_nat", "named after its first declaration");
    ok(has_dep(d, "main_nat", "a") && has_dep(d, "main_nat", "b"), "deps are the union");
    is_int(m->ndeps, 2, "no self edge on a merged node");
    is_int(m->status, ANALYSIS_STATUS_SORRY, "merged status: the least proved member");
    ok(has_dep(d, "user", "main_nat"), "edges to a merged node");
    is_int(dag_label_count(d, "thm:main", 8), 2, "two declarations carry the label");
    dag_free(d);

    d = dag_new(false);
    add(d, "main_nat", "", "thm:main", ANALYSIS_KIND_THEOREM, false, 4, 5);
    add(d, "main_int", "", "thm:main", ANALYSIS_KIND_THEOREM, true, 6, 7);
    dag_build(d);
    is_int(dag_node_count(d), 2, "strict: no merging");
    is_int(dag_find_label(d, "thm:main", 8), 0, "strict: the label finds the first");
    dag_free(d);
}

static void
test_scale(void)
{
    /* many references: hashed resolution and the pre-filter keep it linear */
    struct dag *d = dag_new(false);
    char names[300][24];
    for (int i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "lemma_%d", i);
        add(d, names[i], "", NULL, ANALYSIS_KIND_LEMMA, i % 3 == 0, (uint32_t)i * 4,
            (uint32_t)i * 4 + 2);
    }
    for (int i = 1; i < 300; i++) {
        for (int k = 0; k < 200; k++)
            ref(d, (size_t)i, DAG_REF_BODY, k % 2 ? "simp" : "exact", (uint32_t)i * 4 + 1);
        ref(d, (size_t)i, DAG_REF_BODY, names[i - 1], (uint32_t)i * 4 + 1);
    }
    dag_build(d);
    size_t edges = 0;
    for (size_t i = 0; i < dag_node_count(d); i++)
        edges += dag_node(d, i)->ndeps;
    is_int(edges, 299, "a chain of 300 nodes has 299 edges");
    is_int(dag_ref_count(d), 299, "identifiers that name nothing are dropped");
    dag_free(d);
}

/* ---- analysis.h on text ---- */

static const char SAMPLE[] =
    "import Mathlib\n"
    "\n"
    "@[blueprint \"def:base\"\n"
    "  (statement := /-- Base. -/)\n"
    "  (title := /-- Base -/)\n"
    "  (latexEnv := \"definition\")]\n"
    "def base : ℕ := 1\n"
    "\n"
    "@[blueprint \"lem:aux-one\"\n"
    "  (statement := /-- One. -/)\n"
    "  (proof := /-- Direct. -/)\n"
    "  (title := /-- Aux \"one\" -/)\n"
    "  (latexEnv := \"lemma\")]\n"
    "lemma aux_one : 0 < base := by\n"
    "  sorry\n"
    "\n"
    "@[blueprint \"lem:aux-two\"\n"
    "  (statement := /-- Two. -/)\n"
    "  (proof := /-- Direct. -/)\n"
    "  (latexEnv := \"lemma\")]\n"
    "lemma aux_two : 0 < base + 1 := by\n"
    "  exact Nat.succ_pos _\n"
    "\n"
    "@[blueprint \"thm:main\"\n"
    "  (statement := /-- Main. -/)\n"
    "  (proof := /-- By \\cref{lem:aux-one} and \\cref{lem:aux-two}. -/)\n"
    "  (title := /-- Main -/)\n"
    "  (latexEnv := \"theorem\")]\n"
    "theorem main : 0 < base * 2 := by\n"
    "  sorry_using [aux_one, aux_two]\n";

static const cJSON *
jget(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const cJSON *
json_node(const cJSON *root, const char *name)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, jget(root, "nodes"))
    {
        const cJSON *nm = jget(n, "name");
        if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
            return n;
    }
    return NULL;
}

static void
test_analysis_json(void)
{
    struct analysis *a = analysis_new(SAMPLE, sizeof SAMPLE - 1, BP_PROFILE_AUTO);
    ok(analysis_is_blueprint(a), "sample is a blueprint");
    is_int(analysis_node_count(a), 4, "four nodes");
    char *js = analysis_dag_json(a, "file:///p/Main.lean", 7);
    cJSON *root = cJSON_Parse(js);
    ok(root != NULL, "DAG JSON parses");
    if (root == NULL) {
        diag("%s", js);
        free(js);
        analysis_free(a);
        return;
    }
    is_str(cJSON_GetStringValue(jget(root, "uri")), "file:///p/Main.lean", "uri");
    is_int(cJSON_GetNumberValue(jget(root, "version")), 7, "version");
    ok(cJSON_IsArray(jget(root, "nodes")), "nodes is an array");
    const cJSON *m = json_node(root, "main");
    ok(m != NULL, "node main present");
    if (m) {
        is_str(cJSON_GetStringValue(jget(m, "label")), "thm:main", "label");
        is_str(cJSON_GetStringValue(jget(m, "kind")), "theorem", "kind");
        is_str(cJSON_GetStringValue(jget(m, "status")), "sorry", "status");
        ok(cJSON_IsTrue(jget(m, "leaf")) == false, "main is not a leaf (aux_one is sorry)");
        const cJSON *deps = jget(m, "deps");
        is_int(cJSON_GetArraySize(deps), 2, "two deps");
        is_str(cJSON_GetStringValue(cJSON_GetArrayItem(deps, 0)), "aux_one", "first dep");
        const cJSON *r = jget(m, "range");
        is_int(cJSON_GetNumberValue(jget(jget(r, "start"), "line")), 23,
               "range starts at the attribute (0-based line)");
        is_int(cJSON_GetNumberValue(jget(jget(r, "start"), "character")), 0, "column 0");
        is_int(cJSON_GetNumberValue(jget(jget(r, "end"), "line")), 29, "range ends at the body");
        is_str(cJSON_GetStringValue(jget(m, "title")), "Main", "title");
        is_str(cJSON_GetStringValue(jget(m, "review")), "unreviewed", "review");
    }
    const cJSON *one = json_node(root, "aux_one");
    ok(one && cJSON_IsTrue(jget(one, "leaf")), "aux_one is a dynamic leaf");
    ok(one && strcmp(cJSON_GetStringValue(jget(one, "title")), "Aux \"one\"") == 0,
       "title with quotes survives JSON escaping");
    const cJSON *two = json_node(root, "aux_two");
    ok(two && cJSON_IsNull(jget(two, "title")), "absent title is null");
    ok(two && strcmp(cJSON_GetStringValue(jget(two, "status")), "proved") == 0,
       "complete proof: proved");
    const cJSON *base = json_node(root, "base");
    ok(base && strcmp(cJSON_GetStringValue(jget(base, "kind")), "definition") == 0 &&
           strcmp(cJSON_GetStringValue(jget(base, "status")), "definition") == 0,
       "definition kind and status");
    const cJSON *s = jget(root, "summary");
    is_int(cJSON_GetNumberValue(jget(s, "nodes")), 4, "summary.nodes");
    is_int(cJSON_GetNumberValue(jget(s, "proved")), 1, "summary.proved");
    is_int(cJSON_GetNumberValue(jget(s, "sorry")), 2, "summary.sorry");
    is_int(cJSON_GetNumberValue(jget(s, "error")), 0, "summary.error");
    is_int(cJSON_GetNumberValue(jget(s, "leaves")), 1, "summary.leaves");
    cJSON_Delete(root);
    free(js);

    js = analysis_dag_json(a, NULL, -1);
    root = cJSON_Parse(js);
    ok(root && cJSON_IsNull(jget(root, "uri")) && cJSON_IsNull(jget(root, "version")),
       "uri and version null");
    cJSON_Delete(root);
    free(js);

    /* Lean says: error in aux_two, still processing main */
    struct lean_diag d[] = {{.severity = 1, .range = {{21, 2}, {21, 22}}}};
    struct lean_view v = {.known = true, .diags = d, .ndiags = 1, .done = false,
                          .processed_line = 25};
    analysis_set_lean(a, &v);
    is_int(analysis_node_by_name(a, "aux_two")->status, ANALYSIS_STATUS_ERROR,
           "set_lean: error inside aux_two");
    is_int(analysis_node_by_name(a, "main")->status, ANALYSIS_STATUS_SORRY,
           "set_lean: placeholder main stays sorry while pending");
    ok(analysis_node_by_name(a, "aux_one")->leaf, "aux_one still a leaf");
    js = analysis_dag_json(a, "u", 8);
    root = cJSON_Parse(js);
    is_int(cJSON_GetNumberValue(jget(jget(root, "summary"), "error")), 1, "summary counts the error");
    cJSON_Delete(root);
    free(js);

    const struct analysis_node *at = analysis_node_at(a, (struct lsp_pos){14, 3});
    ok(at && strcmp(at->name, "aux_one") == 0, "node_at inside aux_one's body");
    ok(analysis_node_at(a, (struct lsp_pos){1, 0}) == NULL, "node_at on a blank line");
    ok(analysis_node_by_name(a, "nothing") == NULL, "unknown name");

    char *dot = analysis_dag_dot(a);
    is_contains(dot, "digraph blueprint {", "DOT header");
    is_contains(dot, "shape=box", "definitions drawn as boxes");
    is_contains(dot, "#c62828", "error in red");
    is_contains(dot, "#1565c0", "leaf in blue");
    is_contains(dot, "n3 -> n1;", "edge main -> aux_one");
    is_contains(dot, "aux_one\\nlem:aux-one", "node label shows name and label");
    free(dot);
    char *mm = analysis_dag_mermaid(a);
    is_contains(mm, "flowchart BT", "Mermaid header");
    is_contains(mm, "n0[\"base\"]:::definition", "definition as a box");
    is_contains(mm, "n1(\"aux_one\"):::leaf", "leaf class");
    is_contains(mm, "n2(\"aux_two\"):::error", "error class");
    is_contains(mm, "n3 --> n2", "edge");
    is_contains(mm, "classDef proved fill:#2e7d32", "proved green");
    free(mm);
    analysis_free(a);
}

static void
test_analysis_findings_render(void)
{
    static const char bad[] = "import Mathlib\n"
                              "\n"
                              "@[blueprint \"lem:foo-bar\"\n"
                              "  (statement := /-- S. -/)\n"
                              "  (proof := /-- P. -/)\n"
                              "  (title := /-- T -/)\n"
                              "  (latexEnv := \"lemma\")]\n"
                              "lemma foo_baz : True := by\n"
                              "  sorry\n";
    struct analysis *a = analysis_new(bad, sizeof bad - 1, BP_PROFILE_STRICT);
    is_int(analysis_profile(a), BP_PROFILE_STRICT, "profile strict");
    const struct analysis_finding *f = NULL;
    for (size_t i = 0; i < analysis_finding_count(a); i++)
        if (strcmp(analysis_finding(a, i)->code, "blueprint.label-name") == 0)
            f = analysis_finding(a, i);
    ok(f != NULL, "label-name finding");
    if (f) {
        is_str(f->message,
               "label `lem:foo-bar` requires Lean name `foo_bar`, found `foo_baz`: rename the "
               "declaration or fix the label",
               "message says what and how");
        is_int(f->range.start.line, 7, "on the name's line");
        is_int(f->range.start.character, 6, "on the name");
        is_int(f->range.end.character, 13, "to the name's end");
    }
    char *txt = analysis_check_text(a, "Main.lean");
    is_contains(txt, "Main.lean:8:7: error: label `lem:foo-bar` requires Lean name `foo_bar`",
                "check text line");
    is_contains(txt, "[blueprint.label-name]\n", "check text code");
    free(txt);
    char *items = analysis_check_json_items(a, "Main.lean");
    struct { char *s; } w = {NULL};
    size_t n = strlen(items) + 3;
    w.s = malloc(n);
    snprintf(w.s, n, "[%s]", items);
    cJSON *arr = cJSON_Parse(w.s);
    ok(cJSON_IsArray(arr), "check JSON items form an array");
    const cJSON *it = cJSON_GetArrayItem(arr, 0);
    ok(it && cJSON_IsString(jget(it, "file")) && cJSON_IsNumber(jget(it, "line")) &&
           cJSON_IsNumber(jget(it, "column")) && cJSON_IsNumber(jget(it, "endLine")) &&
           cJSON_IsNumber(jget(it, "endColumn")) && cJSON_IsString(jget(it, "severity")) &&
           cJSON_IsString(jget(it, "code")) && cJSON_IsString(jget(it, "message")),
       "check JSON item keys");
    cJSON_Delete(arr);
    free(w.s);
    free(items);
    char *diags = analysis_diagnostics_json(a);
    arr = cJSON_Parse(diags);
    it = cJSON_GetArrayItem(arr, 0);
    ok(it && strcmp(cJSON_GetStringValue(jget(it, "source")), "marathon") == 0 &&
           cJSON_IsNumber(jget(it, "severity")) && cJSON_IsObject(jget(it, "range")),
       "LSP diagnostics: source marathon, severity, range");
    cJSON_Delete(arr);
    free(diags);
    analysis_free(a);

    a = analysis_new("def x := 1\n", 11, BP_PROFILE_STRICT);
    ok(!analysis_is_blueprint(a), "plain Lean is not a blueprint");
    is_int(analysis_profile(a), BP_PROFILE_OFF, "profile off for a non-blueprint");
    is_int(analysis_node_count(a), 1, "but it has its DAG");
    diags = analysis_diagnostics_json(a);
    is_str(diags, "[]", "no findings: []");
    free(diags);
    items = analysis_check_json_items(a, "x.lean");
    is_str(items, "", "no findings: empty items");
    free(items);
    analysis_free(a);

    a = analysis_new(NULL, 0, BP_PROFILE_AUTO);
    is_int(analysis_node_count(a), 0, "empty text");
    analysis_free(a);
}

static void
test_profiles(void)
{
    enum bp_profile p;
    is_int(bp_profile_parse("strict", &p), 0, "parse strict");
    is_int(p, BP_PROFILE_STRICT, "strict value");
    is_int(bp_profile_parse("architect", &p), 0, "parse architect");
    is_int(bp_profile_parse("bogus", &p), -1, "unknown profile");
    is_str(bp_profile_name(BP_PROFILE_AUTO), "auto", "name auto");
    is_str(bp_profile_name(BP_PROFILE_OFF), "off", "name off");
}

static void
test_analysis_architect(void)
{
    static const char text[] =
        "import Mathlib\n"
        "\n"
        "namespace Alg\n"
        "\n"
        "@[blueprint \"def:grp\"\n"
        "  (statement := /-- A group. -/)]\n"
        "def Grp : Type := Unit\n"
        "\n"
        "@[blueprint\n"
        "  (statement := /-- Inverses exist. -/)]\n"
        "theorem inv_exists : True := by\n"
        "  /-- Take the inverse. -/\n"
        "  trivial\n"
        "\n"
        "@[blueprint \"thm:main\"\n"
        "  (statement := /-- Main, over the naturals. -/)\n"
        "  (uses := [inv_exists])]\n"
        "theorem main_nat : True := by\n"
        "  sorry\n"
        "\n"
        "@[blueprint \"thm:main\"\n"
        "  (proofUses := [\"def:grp\"])]\n"
        "theorem main_int : True := by\n"
        "  exact Alg.inv_exists\n"
        "\n"
        "end Alg\n"
        "\n"
        "@[blueprint \"thm:outside\" (statement := /-- Outside. -/) (uses := [-Alg.main_nat])]\n"
        "theorem outside : True := by\n"
        "  exact Alg.main_int.elim trivial\n";
    struct analysis *a = analysis_new(text, sizeof text - 1, BP_PROFILE_AUTO);
    is_int(analysis_profile(a), BP_PROFILE_ARCHITECT, "labels without def:/lem:/thm: -> architect");
    is_int(analysis_finding_count(a), 0, "nothing wrong for LeanArchitect");
    is_int(analysis_node_count(a), 4, "a shared label makes one node");
    const struct analysis_node *inv = analysis_node_by_name(a, "inv_exists");
    ok(inv && strcmp(inv->label, "Alg.inv_exists") == 0, "default label is the full name");
    ok(inv && strcmp(inv->full_name, "Alg.inv_exists") == 0, "full name with the namespace");
    const struct analysis_node *m = analysis_node_by_name(a, "main_int");
    ok(m && m == analysis_node_by_name(a, "Alg.main_nat"), "both members, either spelling");
    ok(m && strcmp(m->name, "main_nat") == 0, "named after the first member");
    ok(m && m->ndeps == 1 && strcmp(m->deps[0], "inv_exists") == 0,
       "uses and the body's qualified reference give one edge; a definition label none");
    ok(m && m->status == ANALYSIS_STATUS_SORRY && m->leaf,
       "merged node: sorry (one member is a placeholder) and a leaf");
    ok(m && analysis_node_at(a, (struct lsp_pos){22, 4}) == m, "node_at in the second member");
    const struct analysis_node *o = analysis_node_by_name(a, "outside");
    ok(o && o->ndeps == 0, "`-Alg.main_nat` removes the edge the body made");
    analysis_free(a);
}

int
main(void)
{
    test_edges_statuses_leaves();
    test_leaf_when_deps_proved();
    test_cycles();
    test_uses();
    test_names();
    test_merge();
    test_scale();
    test_profiles();
    test_analysis_json();
    test_analysis_findings_render();
    test_analysis_architect();
    return done_testing();
}
