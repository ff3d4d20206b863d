/*
 * lean_server: the Lean language server process (`lake serve` or any command).
 *
 * Spawns the command in its own process group with three pipes, cwd = the proxy's cwd.
 * Its stdout is an LSP transport whose frames go to frame_cb; its stderr is logged line by
 * line ("lean: ..."). The child counts as finished only once both its exit status and EOF
 * on its stdout were seen (tmux job.c), or 2 s after the exit if EOF never comes (a
 * grandchild holding the pipe): then the whole process group is killed.
 * An exit the owner did not ask for is a crash: LEAN_SERVER_EVENT_EXITED, then a restart
 * after a backoff (250 ms, doubling, at most 4 s) and LEAN_SERVER_EVENT_STARTED again; the
 * owner replays initialize and the open documents on STARTED. After LEAN_SERVER_MAX_CRASHES
 * crashes within LEAN_SERVER_CRASH_WINDOW seconds it gives up: LEAN_SERVER_EVENT_GAVE_UP.
 * Callbacks never free the server; lean_server_free() must not be called from them.
 */
#ifndef LSP_PROXY_LEAN_SERVER_H
#define LSP_PROXY_LEAN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ev_loop;
struct lean_server;

#define LEAN_SERVER_MAX_CRASHES 5
#define LEAN_SERVER_CRASH_WINDOW 60.0 /* seconds */

enum lean_server_event {
    LEAN_SERVER_EVENT_STARTED,  /* a process is running and takes input (also after restarts) */
    LEAN_SERVER_EVENT_EXITED,   /* it ended unexpectedly; a restart is scheduled */
    LEAN_SERVER_EVENT_GAVE_UP,  /* too many crashes: no more restarts */
    LEAN_SERVER_EVENT_STOPPED,  /* it ended after lean_server_stop() or EOF we caused */
    LEAN_SERVER_EVENT_FULL,     /* its stdin queue is over the high-water mark */
    LEAN_SERVER_EVENT_DRAINED,  /* ... and back under the low-water mark */
};

enum lean_server_state {
    LEAN_SERVER_STATE_IDLE,       /* not started yet */
    LEAN_SERVER_STATE_RUNNING,
    LEAN_SERVER_STATE_RESTARTING, /* crashed, waiting for the backoff */
    LEAN_SERVER_STATE_STOPPING,
    LEAN_SERVER_STATE_STOPPED,
    LEAN_SERVER_STATE_FAILED,     /* gave up, or could not be spawned */
};

typedef void lean_server_frame_cb(struct lean_server *ls, const char *body, size_t len,
                                  void *arg);
/* status: the wait status of the exit for EXITED/STOPPED, else 0. */
typedef void lean_server_event_cb(struct lean_server *ls, enum lean_server_event ev,
                                  int status, void *arg);

/* A server that will run argv (copied; argv[0] looked up on PATH). Does not start it. */
struct lean_server *lean_server_new(struct ev_loop *loop, char *const argv[],
                                    lean_server_frame_cb *frame_cb,
                                    lean_server_event_cb *event_cb, void *arg);
/* Kills a still-running child (SIGKILL to its group) and frees everything. NULL: no-op. */
void lean_server_free(struct lean_server *ls);
/* Removes an environment variable from the child's environment (e.g. an API key). */
void lean_server_unset_env(struct lean_server *ls, const char *name);

/* Spawns the process. Returns 0 (STARTED is reported before returning), or -errno when
 * the pipes or fork failed (exec failures show up as an exit with status 127). */
int lean_server_start(struct lean_server *ls);
/* Sends one LSP body. Returns 0, or -EAGAIN when no process is running. */
int lean_server_send(struct lean_server *ls, const char *body, size_t len);
/* Asks the process to end: closes its stdin (Lean treats EOF as `exit`), SIGTERM after
 * grace_ms, SIGKILL after twice that. STOPPED follows. */
void lean_server_stop(struct lean_server *ls, int grace_ms);
/* Stops or resumes reading the server's stdout (backpressure from the editor side). */
void lean_server_pause_read(struct lean_server *ls, bool paused);

enum lean_server_state lean_server_state(const struct lean_server *ls);
/* "idle" | "running" | "restarting" | "stopping" | "stopped" | "failed" */
const char *lean_server_state_name(enum lean_server_state state);
pid_t lean_server_pid(const struct lean_server *ls);
/* The command's program name (argv[0]). */
const char *lean_server_command(const struct lean_server *ls);
/* Crashes so far and restarts done. */
unsigned lean_server_restarts(const struct lean_server *ls);
/* Bytes queued for the server's stdin. */
size_t lean_server_queued(const struct lean_server *ls);

#endif
