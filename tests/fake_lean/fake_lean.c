/*
 * fake_lean: a fake Lean 4 language server (`lake serve` / `lean --server`) for the
 * lsp-proxy tests. It behaves on the wire as shared/lean-lsp-facts.md describes (watchdog
 * handshake and validation, fileProgress, publishDiagnostics with fullRange, versions and
 * incremental sets, waitForDiagnostics, $/lean/ methods, code actions, shutdown, exit codes).
 * It shares no code with src/.
 *
 * COMMAND LINE
 *   fake_lean [OPTIONS] [ARGS...]
 *   --sorry-style quote|backtick|named  sorry warning text (default backtick):
 *                            backtick  declaration uses `sorry`
 *                            quote     declaration uses 'sorry'
 *                            named     declaration `NAME` uses `sorry`  (NAME = full name:
 *                                      enclosing namespaces + declared name; anonymous
 *                                      declarations fall back to the backtick text)
 *   --report-delay-ms N      edit -> first diagnostics batch (default 30; real Lean 200)
 *   --chunk-ms N             between two batches of one version (default 10)
 *   --chunks K               batches per version, fileProgress moving down (default 2)
 *   --record FILE            append `{"fake_lean_start":PID}` at start, then every frame body
 *                            received, byte for byte, one per line (a pretty-printed body
 *                            with raw newlines would span several lines)
 *   --pid-file FILE          write own pid
 *   --crash-after N          exit with --crash-code upon receiving the N-th message (counted
 *                            from 1 over every frame since start, responses included); that
 *                            message is recorded but not handled
 *   --crash-code C           default 1
 *   --crash-once-file F      --crash-after and --hang-after apply only when F does not exist;
 *                            F is created just before crashing/hanging, so a restarted fake
 *                            behaves normally
 *   --hang-after N           upon receiving the N-th message (recorded, not handled), stop
 *                            reading and writing forever; SIGTERM still ends the process
 *   --slow-ms N              delay every response by N ms (notifications are not delayed;
 *                            the initialize reply is never delayed)
 *   --refresh-ms N           while a file is being processed, send workspace/semanticTokens/
 *                            refresh requests (no params, ids 0,1,2,...) every N ms (default off)
 *   --rpc-expire-ms N        RPC sessions die N ms after the last keepAlive/call (default 30000)
 *   --stderr-noise           print a few lake-like lines to stderr at start
 *   --imports-outdated       a file opened with "dependencyBuildMode":"never" that has an
 *                            `import` line gets only the error `Imports are out of date and
 *                            must be rebuilt; use the "Restart File" command in your editor.`
 *                            at range (0,0)-(1,0), fullRange (0,0)-EOF (§3.3, §5.3); reopening
 *                            with "once"/"always" (Restart File) elaborates normally
 *   --judge-style new|old    texts of the judge mode (below; default new)
 *   --max-open N             at most N files have a worker at once (default 0 = no limit);
 *                            see MAX OPEN below
 *   Options also take the form --opt=VALUE. Anything else (`serve`, `--`, a folder path,
 *   `-DmaxHeartbeats=0`, `+toolchain`) is ignored, so the fake can stand in for
 *   `lake serve -- /path -DmaxHeartbeats=0` or `lean --server`.
 *
 * EXTRA NOTIFICATIONS (the proxy forwards unknown `$/` notifications)
 *   $/fake/crash  {"code": C}       exit with code C at once (any time after initialized)
 *   $/fake/stderr {"text": "..."}   write text to stderr as is
 *
 * WHAT THE "ELABORATOR" FINDS (tests/fake_lean/fl_scan.c; Lean syntax of lean-lsp-facts §9)
 *   Comments (`--`, nesting `/- -/`), strings ("..." with escapes, r#"..."#) and char literals
 *   are skipped. A declaration starts at a line whose first words are an optional `@[...]`
 *   attribute (it may span lines and stand on lines of its own), optional modifiers (private
 *   protected noncomputable unsafe partial nonrec local scoped public meta) and a keyword
 *   (theorem lemma def abbrev instance structure inductive class [class inductive] axiom opaque
 *   example); its name is the next identifier (dotted, «escaped» or `.{u}`-free), absent for
 *   `example` and unnamed `instance`s. It extends to the next declaration or to a line starting
 *   in column 0 with end namespace section noncomputable-section # open variable set_option
 *   universe attribute mutual import export. `#exit` in column 0 ends the file for the
 *   scanner. `namespace X`/`section [X]`/`end [X]` in column 0 form the scopes (symbols, full
 *   names).
 *   Markers, in a line comment (never inside a block comment or a string):
 *     CODE  -- @fake error: MESSAGE      severity 1
 *     CODE  -- @fake warning: MESSAGE    severity 2
 *     CODE  -- @fake info: MESSAGE       severity 3
 *     CODE  -- @fake error(N): MESSAGE   fullRange = first non-blank char of this line .. end
 *                                        of line +N-1; range cut to start..(line+1, 0) when
 *                                        N >= 2 (lean-lsp-facts §3.1)
 *     CODE  -- @fake worker-crash[(C)]   when elaboration reaches this line, the file's worker
 *                                        "crashes" with exit code C (default 1), see below
 *   Without (N): range = fullRange = first non-blank char of the line .. last non-blank char
 *   before the `--` (zero width at the `--` when the marker stands alone). `\n` in MESSAGE
 *   is a newline, `\\` a backslash. An error whose MESSAGE starts with "unsolved goals" gets
 *   "leanTags":[1]. Malformed markers are ignored.
 *   A declaration containing a `sorry`, `admit` or `sorry_using` token and no error marker
 *   -> severity-2 warning at its name (keyword when anonymous) with the --sorry-style text.
 *   A declaration with neither, containing `:= by` -> if the client sent
 *   capabilities.lean.silentDiagnosticSupport, a silent information
 *   {"severity":3,"isSilent":true,"leanTags":[2],"message":"Goals accomplished!"} on `by`.
 *   Every diagnostic has range, fullRange, severity, source "Lean 4", message.
 *   Diagnostics come in command order; a declaration's are reported with its last line
 *   (markers first, then the sorry/goals one); batch i of K covers lines < (i+1)*L/K.
 *
 * JUDGE MODE (tests/fake_lean/fl_judge.c cites the Lean sources of every text)
 *   Without markers, a declaration whose type is `False` and whose proof is a tactic block
 *   (`:= by …`, not sorry) is rejected ("unsolved goals ⊢ False"): no hypotheses are
 *   contradictory unless a `proof:` marker names the tactic that refutes them.
 *   Judge markers are line comments that apply to the first declaration starting on their
 *   line or after it (so: put them before the declaration):
 *     -- @fake proof: ALT1 | ALT2   the accepted proofs (split at a `|` with blanks around it,
 *                                   `\|` is a bar)
 *     -- @fake reject: MSG          the error text for a rejected proof
 *     -- @fake goal: G              the goal (plainGoal, unsolved goals); default `⊢ TYPE`,
 *                                   TYPE = the signature after its last top-level `:`
 *     -- @fake try-this: TEXT       what exact?/apply?/simp?/aesop?/rw? suggest
 *     -- @fake axioms: A, B         the declaration's axioms for #print axioms (may be empty)
 *   (`\n` and `\\` are unescaped in MSG, G and TEXT.) A declaration with any of them is
 *   "judged". Its proof = the text after the first top-level `:=` to the declaration's end,
 *   comments removed, blanks collapsed, a leading `by` dropped; ALTs are normalised alike.
 *   With a proof or reject marker:
 *     proof equals an ALT              -> accepted: no diagnostic
 *     proof is `sorry` / `admit`       -> only the usual sorry warning
 *     anything else                    -> severity 1 from the proof's first character (`by`)
 *                                         to its end: MSG, else "unsolved goals\nG" with
 *                                         "leanTags":[1] (range cut after the first line)
 *   Whether or not a proof marker is there:
 *     proof is exactly a `?` tactic and a try-this marker exists -> severity 3 on the tactic:
 *         "Try this:\n  [apply] TEXT" (--judge-style old: "Try this: TEXT"); codeAction on
 *         its lines offers "Try this: TEXT" replacing the tactic
 *     proof is `exact?`, no try-this marker -> severity 1 on the tactic: "`exact?` could not
 *         close the goal. Try `apply?` to see partial suggestions." (and no code action)
 *   $/lean/plainGoal inside a judged proof: {"rendered":"```lean\nG\n```","goals":[G]}.
 *   A column-0 `#print axioms NAME` (NAME resolved from the enclosing namespaces outwards,
 *   against the declarations above it) -> severity 3 on the `#print` token:
 *     'FULL' depends on axioms: [a, b]   or   'FULL' does not depend on any axioms
 *   sorted by Lean's Name.lt (fewer components first, then component-wise), wrapped as
 *   "[a,\n b,\n c]" when the line would pass 120 columns. Axioms: the axioms marker, else
 *   the name itself for an `axiom`, sorryAx for a sorry or any error, Lean.ofReduceBool
 *   (+ Lean.trustCompiler unless --judge-style old) for native_decide, and those of every
 *   declaration of the file it names (transitively). Unknown NAME -> severity 1 on NAME:
 *   "Unknown constant `NAME`" (old: "unknown constant 'NAME'").
 *
 * MAX OPEN (--max-open N): a didOpen while N other files have a worker gets no worker: a
 *   whole-file error "could not start a file worker: N files are already open (fake_lean
 *   --max-open N)", the same line on stderr prefixed "[URI] fake_lean: ", fileProgress kind 2
 *   from (0,0); its requests fail with -32901 "Server process for URI crashed, see stderr
 *   for exception." until a didChange of it finds a free slot (the worker then starts on the
 *   current text). What real Lean does here is not known (lean-lsp-facts §7 only covers
 *   workers that fail to initialise); this is the fake's choice.
 *
 * WORKER CRASH (lean-lsp-facts §7), from a worker-crash marker: diagnostics of the commands
 *   before the marker's line are published, then stderr gets "[URI] uncaught exception: ..."
 *   (C = 1) or "[URI] Stack overflow detected. Aborting." (other C), the client gets
 *   fileProgress kind 2 from (0,0) to EOF, pending requests of the file fail with -32901
 *   "Server process for URI crashed, see stderr for exception." (C = 1) or -32902 "Server
 *   process for URI crashed, likely due to a stack overflow or a bug.", RPC sessions die.
 *   Requests for the file are then queued (no reply) until the next didChange, which
 *   restarts the worker on the full current text and replays them. The process lives on.
 *
 * STALE DEPENDENCY (§5.4): textDocument/didSave of a file, or a didChangeWatchedFiles change,
 *   whose uri ends in /A/B.lean marks every other open file with a column-0 `import A.B` line
 *   (direct imports only) stale: it is republished at once with the sticky information
 *   `Imports are out of date and should be rebuilt; use the "Restart File" command in your
 *   editor.` (range (0,0)-(1,0), fullRange (0,0)-EOF) leading every full set (isIncremental
 *   false) until the file is reopened.
 *
 * EXIT CODES AND STDERR: `exit` -> 0 (also before shutdown); EOF on stdin -> 0 once
 *   initialized, 1 before ("Cannot read LSP request: Stream was closed", as Lean's
 *   readLspRequestAs); any watchdog error -> "Watchdog error: ..." on stderr, exit 1: bad
 *   header (read as strictly as Lean: "Name: value" lines ending in CRLF, "Content-Length"
 *   with this exact case, a bare number), invalid JSON, no "jsonrpc":"2.0", first message not
 *   initialize, second not initialized, a request other than shutdown or a notification other
 *   than exit without params, a didOpen/didChange whose params do not parse.
 *
 * REQUEST RESULTS (beyond the standard shapes)
 *   $/lean/plainGoal      null on a blank line, else {"rendered":"```lean\n⊢ True\n```",
 *                         "goals":["⊢ True"]} (judged proofs: see JUDGE MODE)
 *   $/lean/plainTermGoal  null on a blank line, else {"goal":"Prop","range":<identifier at
 *                         the position, or the empty range there>}
 *   textDocument/hover    {"contents":{"kind":"markdown","value":"```lean\nIDENT : Prop\n```"},
 *                         "range":...} on an identifier, else null
 *   $/lean/rpc/call       {"echo":{"method":M,"params":<params as received, minified>}};
 *                         -32900 "Outdated RPC session" for an unknown/expired/other-file session
 *   textDocument/codeAction  one "Try this: exact trivial" action per `exact?` token on the
 *                         requested lines (judged declarations: see JUDGE MODE), then
 *                         always the lazy "Fake lazy action"; its
 *                         codeAction/resolve inserts "-- resolved" at data.params.range.start.
 *   Requests that Lean answers after elaboration reached a position (hover, goals,
 *   codeAction, documentSymbol, definition, ...) wait for that batch; a newer version fails
 *   them with -32801 "File changed.".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fl_server.h"
#include "fl_util.h"
#include "fl_wire.h"

struct fl_cli {
    struct fl_options o;
    const char *record;
    const char *pid_file;
    const char *crash_once_file;
    long crash_after; /* 0 = off */
    long hang_after;  /* 0 = off */
    int crash_code;
    bool stderr_noise;
};

static void
fl_usage_error(const char *opt, const char *why)
{
    fprintf(stderr, "fake_lean: %s: %s\n", opt, why);
    exit(2);
}

static long
fl_parse_num(const char *opt, const char *v)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < 0)
        fl_usage_error(opt, "expects a non-negative number");
    return x;
}

static void
fl_parse_args(int argc, char **argv, struct fl_cli *c)
{
    static const char *const with_value[] = {
        "--sorry-style", "--report-delay-ms", "--chunk-ms",      "--chunks",
        "--record",      "--pid-file",        "--crash-after",   "--crash-code",
        "--crash-once-file", "--hang-after",  "--slow-ms",       "--refresh-ms",
        "--rpc-expire-ms",   "--judge-style",    "--max-open",    NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--stderr-noise") == 0) {
            c->stderr_noise = true;
            continue;
        }
        if (strcmp(a, "--imports-outdated") == 0) {
            c->o.imports_outdated = true;
            continue;
        }
        const char *name = NULL, *val = NULL;
        for (const char *const *w = with_value; *w; w++) {
            size_t l = strlen(*w);
            if (strcmp(a, *w) == 0) {
                if (i + 1 >= argc)
                    fl_usage_error(a, "needs a value");
                name = *w;
                val = argv[++i];
                break;
            }
            if (strncmp(a, *w, l) == 0 && a[l] == '=') {
                name = *w;
                val = a + l + 1;
                break;
            }
        }
        if (!name)
            continue; /* lake/lean arguments: ignored */
        if (strcmp(name, "--sorry-style") == 0) {
            if (strcmp(val, "quote") == 0)
                c->o.sorry_style = FL_SORRY_QUOTE;
            else if (strcmp(val, "backtick") == 0)
                c->o.sorry_style = FL_SORRY_BACKTICK;
            else if (strcmp(val, "named") == 0)
                c->o.sorry_style = FL_SORRY_NAMED;
            else
                fl_usage_error(name, "expects quote, backtick or named");
        } else if (strcmp(name, "--report-delay-ms") == 0) {
            c->o.report_delay_ms = (int)fl_parse_num(name, val);
        } else if (strcmp(name, "--chunk-ms") == 0) {
            c->o.chunk_ms = (int)fl_parse_num(name, val);
        } else if (strcmp(name, "--chunks") == 0) {
            c->o.chunks = (int)fl_parse_num(name, val);
            if (c->o.chunks < 1)
                fl_usage_error(name, "must be at least 1");
        } else if (strcmp(name, "--record") == 0) {
            c->record = val;
        } else if (strcmp(name, "--pid-file") == 0) {
            c->pid_file = val;
        } else if (strcmp(name, "--crash-after") == 0) {
            c->crash_after = fl_parse_num(name, val);
        } else if (strcmp(name, "--crash-code") == 0) {
            c->crash_code = (int)fl_parse_num(name, val);
        } else if (strcmp(name, "--crash-once-file") == 0) {
            c->crash_once_file = val;
        } else if (strcmp(name, "--hang-after") == 0) {
            c->hang_after = fl_parse_num(name, val);
        } else if (strcmp(name, "--slow-ms") == 0) {
            c->o.slow_ms = (int)fl_parse_num(name, val);
        } else if (strcmp(name, "--refresh-ms") == 0) {
            c->o.refresh_ms = (int)fl_parse_num(name, val);
        } else if (strcmp(name, "--rpc-expire-ms") == 0) {
            c->o.rpc_expire_ms = (int)fl_parse_num(name, val);
        } else if (strcmp(name, "--judge-style") == 0) {
            if (strcmp(val, "new") == 0)
                c->o.judge_style = FL_JUDGE_NEW;
            else if (strcmp(val, "old") == 0)
                c->o.judge_style = FL_JUDGE_OLD;
            else
                fl_usage_error(name, "expects new or old");
        } else if (strcmp(name, "--max-open") == 0) {
            c->o.max_open = (int)fl_parse_num(name, val);
        }
    }
}

static int fl_record_fd = -1;

/* One write per line, so several fakes appending to one file do not interleave. */
static void
fl_record_line(const char *data, size_t n)
{
    if (fl_record_fd < 0)
        return;
    struct iovec iov[2] = {{(void *)data, n}, {(void *)"\n", 1}};
    ssize_t w;
    do
        w = writev(fl_record_fd, iov, 2);
    while (w < 0 && errno == EINTR);
}

static void
fl_touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

static void
fl_hang_forever(void)
{
    for (;;)
        pause();
}

int
main(int argc, char **argv)
{
    struct fl_cli c = {
        .o = {.sorry_style = FL_SORRY_BACKTICK,
              .report_delay_ms = 30,
              .chunk_ms = 10,
              .chunks = 2,
              .rpc_expire_ms = 30000},
        .crash_code = 1,
    };
    fl_parse_args(argc, argv, &c);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, SIG_DFL);

    if (c.pid_file) {
        FILE *f = fopen(c.pid_file, "w");
        if (!f)
            fl_usage_error(c.pid_file, strerror(errno));
        fprintf(f, "%ld\n", (long)getpid());
        fclose(f);
    }
    if (c.record) {
        fl_record_fd = open(c.record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fl_record_fd < 0)
            fl_usage_error(c.record, strerror(errno));
        char *start = fl_xasprintf("{\"fake_lean_start\":%ld}", (long)getpid());
        fl_record_line(start, strlen(start));
        free(start);
    }
    if (c.stderr_noise) {
        fputs("info: [root]: loading workspace configuration from lakefile.lean\n"
              "\xe2\x9c\x94 [1/2] Ran fake_lean:setup\n"
              "warning: fake_lean: this is not a real Lean server\n",
              stderr);
        fflush(stderr);
    }
    bool armed = !(c.crash_once_file && access(c.crash_once_file, F_OK) == 0);

    /* static: the server stays reachable when a handler ends the process with exit() */
    static struct fl_server *s;
    s = fl_server_new(&c.o, STDOUT_FILENO);
    struct fl_reader rd = {0};
    long count = 0;
    char buf[65536];
    for (;;) {
        int timeout = fl_server_run_timers(s, fl_now_ms());
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int pr = poll(&pfd, 1, timeout);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            fl_server_die("poll: %s", strerror(errno));
        }
        if (pr == 0)
            continue;
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            fl_server_eof(s);
        }
        if (n == 0)
            fl_server_eof(s);
        fl_reader_feed(&rd, buf, (size_t)n);
        for (;;) {
            char *body;
            size_t len;
            const char *err = NULL;
            enum fl_frame fr = fl_reader_next(&rd, &body, &len, &err);
            if (fr == FL_FRAME_NEED_MORE)
                break;
            if (fr == FL_FRAME_BAD)
                fl_server_die("Cannot read LSP message: %s", err);
            count++;
            fl_record_line(body, len);
            if (armed && c.crash_after > 0 && count == c.crash_after) {
                if (c.crash_once_file)
                    fl_touch(c.crash_once_file);
                exit(c.crash_code);
            }
            if (armed && c.hang_after > 0 && count == c.hang_after) {
                if (c.crash_once_file)
                    fl_touch(c.crash_once_file);
                fl_hang_forever();
            }
            fl_server_message(s, body, len);
            free(body);
        }
    }
}
