/*
 * `lsp-proxy prove`: the agents without an editor, against the fake Lean server (judge
 * markers decide which proofs it accepts) and the fake LLM endpoint. Rounds of dynamic
 * leaves, the file rewritten (or not, with --dry-run), --name, repair, --jobs, the exit
 * codes, the summary on stdout, a file changed on disk while proving, usage errors.
 * The summary's multi-line parts (proofs, Lean's messages) are indented below their line.
 * Under VALGRIND=1 the proxy runs under valgrind (exit 99 on an error or a leak).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"
#include "llm_peer.h"
#include "lsp_client.h"
#include "tap.h"

static const char *proxy, *fake;
static char *dir;
static char out[1 << 16];
static char err[1 << 16];

/* Runs `[valgrind] lsp-proxy prove ARGS -- fake_lean FAKE_ARGS` in dir; returns the exit
 * code, stdout in out, stderr in err. With bg, starts it and returns its pid instead (the
 * caller collects it with finish()). */
static pid_t started;
static char errf[512], outf[512];

static void
start(const char *args, const char *fake_args)
{
    const char *vg = getenv("VALGRIND");
    bool under_vg = vg && *vg == '1';
    char cmd[8192];
    snprintf(outf, sizeof outf, "%s/prove.out", dir);
    snprintf(errf, sizeof errf, "%s/prove.err", dir);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && exec %s'%s' prove %s -- '%s' %s >'%s' 2>'%s'", dir,
             under_vg ? "valgrind -q --error-exitcode=99 --leak-check=full "
                        "--errors-for-leak-kinds=definite,indirect "
                      : "",
             proxy, args, fake, fake_args ? fake_args : "", outf, errf);
    started = fork();
    if (started == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
}

static int
finish(void)
{
    int st = 0;
    waitpid(started, &st, 0);
    char *o = test_read_file(outf), *e = test_read_file(errf);
    snprintf(out, sizeof out, "%s", o ? o : "");
    snprintf(err, sizeof err, "%s", e ? e : "");
    free(o);
    free(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
run(const char *args, const char *fake_args)
{
    start(args, fake_args);
    return finish();
}

static char *
put(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    test_write_file(path, text);
    return strdup(path);
}

/* a_one, then b_two (needs a_one: a leaf only in round 2), c_no (nothing Lean accepts) */
static const char *ROUNDS = "-- @fake proof: rfl\n"
                            "theorem a_one : 1 = 1 := by\n"
                            "  sorry\n"
                            "\n"
                            "-- @fake proof: omega\n"
                            "theorem b_two (n : Nat) : n + 0 = n := by\n"
                            "  sorry_using [a_one]\n"
                            "\n"
                            "-- @fake proof: exact hidden_lemma\n"
                            "-- @fake reject: nothing works here\n"
                            "theorem c_no : 2 + 2 = 5 := by\n"
                            "  sorry\n";

static const char *TWO = "-- @fake proof: rfl\n"
                         "theorem a_one : 1 = 1 := by\n"
                         "  sorry\n"
                         "\n"
                         "-- @fake proof: decide\n"
                         "theorem a_two : 2 = 2 := by\n"
                         "  sorry\n";

int
main(void)
{
    proxy = test_bin("LSP_PROXY_BIN");
    fake = test_bin("FAKE_LEAN_BIN");
    if (!proxy || !fake) {
        skip("prove", "not run from make test");
        return done_testing();
    }
    dir = test_tmpdir();
    char args[4096];

    /* rounds of leaves; the file rewritten; one node no tactic proves */
    char *f = put("Rounds.lean", ROUNDS);
    is_int(run("Rounds.lean", NULL), 1, "leaves: exit 1 (one node not proved)");
    is_contains(out, "Rounds.lean: proved `a_one` (tactics): rfl\n", "round 1: a_one");
    is_contains(out, "Rounds.lean: proved `b_two` (tactics): omega\n",
                "round 2: b_two, a leaf once a_one was proved");
    is_contains(out, "Rounds.lean: failed `c_no`:\n", "c_no failed");
    is_contains(out, "failed `c_no`:\n    the tactic portfolio found no proof", "why, below");
    is_contains(out, "\n    line 12: `exact?` could not close the goal", "Lean's last word, indented");
    is_contains(out, "Rounds.lean: 2 proved, 1 not proved, 2 rounds; written\n", "the summary");
    char *text = test_read_file(f);
    is_contains(text, "theorem a_one : 1 = 1 := by\n  rfl\n\n", "a_one's proof in the file");
    is_contains(text, "theorem b_two (n : Nat) : n + 0 = n := by\n  omega\n\n",
                "b_two's in place of sorry_using");
    is_contains(text, "theorem c_no : 2 + 2 = 5 := by\n  sorry\n", "c_no untouched");
    ok(text && strstr(text, "@fake proof: rfl\ntheorem a_one") != NULL, "nothing else changed");
    free(text);
    struct stat st;
    ok(stat(f, &st) == 0 && (st.st_mode & 0777) == 0644, "the file's mode kept");
    char tmpl[600];
    snprintf(tmpl, sizeof tmpl, "ls '%s' | grep -c tmp", dir);
    FILE *p = popen(tmpl, "r");
    int ntmp = -1;
    if (p && fscanf(p, "%d", &ntmp) != 1)
        ntmp = -1;
    if (p)
        pclose(p);
    is_int(ntmp, 0, "no temporary file left");
    free(f);

    /* again: nothing left but c_no, tried and failed again */
    is_int(run("Rounds.lean", NULL), 1, "second run: c_no still fails");
    is_contains(out, "0 proved, 1 not proved, 1 round; unchanged", "and nothing is written");

    /* --dry-run prints and leaves the file alone */
    f = put("Dry.lean", TWO);
    is_int(run("--dry-run Dry.lean", NULL), 0, "--dry-run: exit 0, all proved");
    is_contains(out, "proved `a_two` (tactics): decide", "the proof printed");
    is_contains(out, "2 proved, 0 not proved, 1 round; not written (dry run)", "dry-run summary");
    text = test_read_file(f);
    is_str(text, TWO, "--dry-run: the file unchanged");
    free(text);

    /* two proofs found at once: each edit is computed after the editor applied the last */
    char *both = put("Both.lean", TWO);
    is_int(run("Both.lean", NULL), 0, "two leaves at once: exit 0");
    ok(strstr(err, "not applied") == NULL, "no edit refused for a stale version");
    text = test_read_file(both);
    is_contains(text, "theorem a_one : 1 = 1 := by\n  rfl\n", "the first proof written");
    is_contains(text, "theorem a_two : 2 = 2 := by\n  decide\n", "and the second");
    free(text);
    free(both);

    /* --name: only that node */
    is_int(run("--name a_two Dry.lean", NULL), 0, "--name: exit 0");
    text = test_read_file(f);
    is_contains(text, "theorem a_two : 2 = 2 := by\n  decide\n", "a_two proved");
    is_contains(text, "theorem a_one : 1 = 1 := by\n  sorry\n", "a_one left alone");
    free(text);
    ok(strstr(out, "a_one") == NULL, "a_one not mentioned");
    is_int(run("--name a_two Dry.lean", NULL), 0, "--name on a proved node: exit 0");
    is_contains(out, "`a_two` is proved already", "said so");
    is_int(run("--name nope Dry.lean", NULL), 2, "--name of no node: exit 2");
    is_contains(err, "no node `nope`", "stderr names it");
    free(f);

    /* --jobs 1: one shadow document at a time */
    f = put("Jobs.lean", TWO);
    char rec[600], fargs[700];
    snprintf(rec, sizeof rec, "%s/jobs-record.jsonl", dir);
    snprintf(fargs, sizeof fargs, "--record '%s'", rec);
    is_int(run("--jobs 1 Jobs.lean", fargs), 0, "--jobs 1: both proved");
    ok(test_count_lines(rec, "Jobs.shadow1.lean") > 0, "shadow 1 used");
    is_int(test_count_lines(rec, "Jobs.shadow2.lean"), 0, "never a second shadow document");
    free(f);

    /* repair an error node, through the LLM */
    struct llm_peer llm;
    if (llm_peer_start(&llm, dir,
                       "{\"match\":\"`broken`\",\"content\":\"```lean\\nexact h\\n```\"}\n"
                       "{\"match\":\"`slow`\",\"delay_ms\":1500,\"content\":\"```lean\\nrfl\\n```\"}\n") < 0) {
        skip("prove with an LLM", "the fake LLM is not built");
    } else {
        char cfg[4096];
        snprintf(cfg, sizeof cfg,
                 "{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
                 "\"model\":\"m\",\"retries\":0},\"agents\":{\"tactics\":[]}}",
                 llm.port);
        char *cf = put("cfg.json", cfg);
        f = put("Fix.lean", "-- @fake proof: exact h\n"
                            "theorem broken (h : 1 = 1) : 1 = 1 := by\n"
                            "  exact nope\n");
        snprintf(args, sizeof args, "--config '%s' --name broken Fix.lean", cf);
        is_int(run(args, NULL), 0, "repair through the LLM: exit 0");
        is_contains(out, "proved `broken` (repair, 1 LLM round): exact h", "kind repair");
        text = test_read_file(f);
        is_contains(text, "  exact h\n", "the repaired proof written");
        ok(text && strstr(text, "nope") == NULL, "the broken one gone");
        free(text);
        free(f);

        /* the file changes on disk while the LLM thinks: nothing written */
        f = put("Race.lean", "-- @fake proof: rfl\ntheorem slow : 3 = 3 := by\n  sorry\n");
        snprintf(args, sizeof args, "--config '%s' Race.lean", cf);
        start(args, NULL);
        for (int i = 0; i < 200 * VALGRIND_SCALE && llm_peer_requests(&llm) < 2; i++)
            usleep(50 * 1000); /* the LLM has the request: it answers 1.5 s later */
        test_write_file(f, "-- edited meanwhile\ntheorem slow : 3 = 3 := by\n  sorry\n");
        is_int(finish(), 2, "changed on disk: exit 2");
        is_contains(err, "changed on disk while proving; not written", "stderr says why");
        is_contains(out, "proved `slow`", "the proof still printed (nothing lost)");
        text = test_read_file(f);
        is_contains(text, "-- edited meanwhile", "the person's edit kept");
        free(text);
        free(f);
        free(cf);
        llm_peer_stop(&llm);
    }

    /* usage and I/O errors */
    is_int(run("", NULL), 2, "no FILE: exit 2");
    is_contains(err, "which FILE?", "said so");
    is_int(run("--leaves --name a Dry.lean", NULL), 2, "--leaves with --name: exit 2");
    is_int(run("--jobs 0 Dry.lean", NULL), 2, "--jobs 0: exit 2");
    is_int(run("--bogus Dry.lean", NULL), 2, "unknown option: exit 2");
    is_contains(err, "unknown option `--bogus`", "names it");
    is_int(run("Missing.lean", NULL), 2, "missing file: exit 2");
    is_contains(err, "Missing.lean", "names the file");
    return done_testing();
}
