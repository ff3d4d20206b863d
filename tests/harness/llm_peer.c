/* llm_peer: spawning the fake LLM endpoint for a test. */
#include "llm_peer.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsp_client.h"

int
llm_peer_start(struct llm_peer *l, const char *dir, const char *script_jsonl)
{
    memset(l, 0, sizeof *l);
    l->pid = -1;
    const char *bin = getenv("FAKE_LLM_BIN");
    if (bin == NULL || *bin == '\0' || access(bin, X_OK) != 0)
        return -1;
    snprintf(l->record, sizeof l->record, "%s/llm-record.jsonl", dir);
    snprintf(l->script, sizeof l->script, "%s/llm-script.jsonl", dir);
    snprintf(l->port_file, sizeof l->port_file, "%s/llm-port", dir);
    if (test_write_file(l->script, script_jsonl) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl(bin, bin, "--port-file", l->port_file, "--record", l->record, "--script", l->script,
              (char *)NULL);
        _exit(127);
    }
    l->pid = pid;
    double end = test_now_ms() + 5000;
    while (test_now_ms() < end) {
        char *s = test_read_file(l->port_file);
        if (s) {
            l->port = (int)strtol(s, NULL, 10);
            free(s);
            if (l->port > 0)
                return 0;
        }
        usleep(5000);
    }
    llm_peer_stop(l);
    return -1;
}

void
llm_peer_stop(struct llm_peer *l)
{
    if (l->pid > 0) {
        kill(l->pid, SIGTERM);
        waitpid(l->pid, NULL, 0);
    }
    l->pid = -1;
}

int
llm_peer_requests(const struct llm_peer *l)
{
    return test_count_lines(l->record, "\"path\"");
}
