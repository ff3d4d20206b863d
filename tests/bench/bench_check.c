/*
 * bench_check: the whole `lsp-proxy check --profile strict` process, as CI runs it, on
 * LeanMarathon-sized blueprints, beside `lsp-proxy --version` (process start alone) in the
 * same run. Wall time from fork to wait, median and min of RUNS runs after 3 warm-ups
 * (the file is in the page cache). Target: <= 5 ms median on the gen_blueprint output.
 * Inputs: the output of gen_blueprint (15,000 lines, 200 nodes) and bench_analysis's
 * token-dense synthetic file, both written to a temporary directory first.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsp_client.h" /* test_now_ms, test_cmp_double */

#define RUNS 40

/* Runs argv with stdout and stderr to out_fd (or /dev/null); returns the exit code. */
static int
run(char *const argv[], int out_fd)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        if (out_fd < 0)
            dup2(fd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int
timed(const char *what, char *const argv[])
{
    double t[RUNS];
    for (int i = 0; i < 3; i++)
        if (run(argv, -1) < 0)
            return -1;
    for (int i = 0; i < RUNS; i++) {
        double t0 = test_now_ms();
        int rc = run(argv, -1);
        t[i] = test_now_ms() - t0;
        if (rc != 0 && rc != 1) {
            fprintf(stderr, "bench_check: %s exited %d\n", what, rc);
            return -1;
        }
    }
    qsort(t, RUNS, sizeof *t, test_cmp_double);
    printf("%-44s median %.2f ms  min %.2f ms  (%d runs)\n", what, t[RUNS / 2], t[0], RUNS);
    return 0;
}

/* Writes a generator's stdout to path. */
static int
generate(char *const argv[], const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int rc = run(argv, fd);
    close(fd);
    return rc;
}

int
main(void)
{
    const char *bin = getenv("LSP_PROXY_BIN"), *build = getenv("LSP_PROXY_BUILD");
    if (!bin || !build) {
        fprintf(stderr, "bench_check: LSP_PROXY_BIN / LSP_PROXY_BUILD not set (make bench)\n");
        return 1;
    }
    char dir[] = "/tmp/bench_check.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char gen[512], dense[512], gbin[512], abin[512];
    snprintf(gen, sizeof gen, "%s/gen.lean", dir);
    snprintf(dense, sizeof dense, "%s/dense.lean", dir);
    snprintf(gbin, sizeof gbin, "%s/tests/bench/gen_blueprint", build);
    snprintf(abin, sizeof abin, "%s/tests/bench/bench_analysis", build);
    char *g_argv[] = {gbin, NULL};
    char *a_argv[] = {abin, (char *)"--write", dense, NULL};
    if (generate(g_argv, gen) != 0 || run(a_argv, -1) != 0) {
        fprintf(stderr, "bench_check: cannot generate the inputs\n");
        return 1;
    }
    char *v_argv[] = {(char *)bin, (char *)"--version", NULL};
    char *c1[] = {(char *)bin, (char *)"check", (char *)"--profile", (char *)"strict", gen, NULL};
    char *c2[] = {(char *)bin, (char *)"check", (char *)"--profile", (char *)"strict", dense,
                  NULL};
    int rc = timed("lsp-proxy --version", v_argv) || timed("check (gen_blueprint, 15k lines)", c1) ||
             timed("check (token-dense, 15k lines)", c2);
    unlink(gen);
    unlink(dense);
    rmdir(dir);
    return rc ? 1 : 0;
}
