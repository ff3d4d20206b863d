/* lean_server: spawn, watch, restart and stop the Lean server process. */
#include "lean_server.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "transport.h"
#include "xalloc.h"

#define LEAN_SERVER_ENV_MAX 8

struct lean_server {
    struct ev_loop *loop;
    char **argv;
    char *unset_env[LEAN_SERVER_ENV_MAX];
    lean_server_frame_cb *frame_cb;
    lean_server_event_cb *event_cb;
    void *arg;

    enum lean_server_state state;
    pid_t pid;
    struct transport *io;      /* child's stdout (read) and stdin (write) */
    int err_fd;                /* child's stderr */
    ev_io err_watcher;
    struct buf err_line;       /* partial stderr line */
    ev_child child_watcher;
    ev_timer eof_timer;        /* exit seen, waiting for stdout EOF */
    ev_timer restart_timer;    /* backoff before the next start */
    ev_timer kill_timer;       /* stop(): SIGTERM, then SIGKILL */
    int kill_stage;
    int grace_ms;
    bool exited, eof;
    int status;
    bool stopping;             /* the owner asked for the end */
    bool read_paused;
    ev_tstamp crashes[LEAN_SERVER_MAX_CRASHES];
    unsigned ncrashes;         /* total */
    unsigned restarts;
    struct transport *dead_io; /* closed transport waiting to be freed */
};

static void lean_server_finish(struct lean_server *ls);

static void
lean_server_emit(struct lean_server *ls, enum lean_server_event ev, int status)
{
    if (ls->event_cb)
        ls->event_cb(ls, ev, status, ls->arg);
}

static void
lean_io_frame_cb(struct transport *t, const char *body, size_t len, void *arg)
{
    struct lean_server *ls = arg;
    (void)t;
    ls->frame_cb(ls, body, len, ls->arg);
}

static void
lean_io_event_cb(struct transport *t, enum transport_event ev, void *arg)
{
    struct lean_server *ls = arg;
    (void)t;
    switch (ev) {
    case TRANSPORT_EVENT_EOF:
    case TRANSPORT_EVENT_ERROR:
        if (ls->eof)
            break;
        ls->eof = true;
        if (!ls->exited && !ls->stopping) {
            log_warn("lean", "server closed its output (pid %d)", (int)ls->pid);
            /* Give it a moment to exit by itself, then make sure. */
            ls->kill_stage = 0;
            ev_timer_set(&ls->kill_timer, 2.0, 2.0);
            ev_timer_start(ls->loop, &ls->kill_timer);
        }
        lean_server_finish(ls);
        break;
    case TRANSPORT_EVENT_FULL:
        lean_server_emit(ls, LEAN_SERVER_EVENT_FULL, 0);
        break;
    case TRANSPORT_EVENT_DRAINED:
        lean_server_emit(ls, LEAN_SERVER_EVENT_DRAINED, 0);
        break;
    }
}

/* Logs complete stderr lines of the child. */
static void
lean_stderr_readable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct lean_server *ls =
        (struct lean_server *)((char *)w - offsetof(struct lean_server, err_watcher));
    char chunk[8192];
    (void)revents;
    for (;;) {
        ssize_t n = read(ls->err_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            if (ls->err_line.len)
                log_info("lean", "stderr: %s", ls->err_line.data);
            buf_reset(&ls->err_line);
            ev_io_stop(loop, w);
            close(ls->err_fd);
            ls->err_fd = -1;
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
                log_info("lean", "stderr: %s", ls->err_line.data ? ls->err_line.data : "");
                buf_reset(&ls->err_line);
            } else if (buf_addch(&ls->err_line, chunk[i]) < 0) {
                log_info("lean", "stderr: %s", ls->err_line.data);
                buf_reset(&ls->err_line);
            }
        }
    }
}

static void
lean_child_exited_cb(struct ev_loop *loop, ev_child *w, int revents)
{
    struct lean_server *ls =
        (struct lean_server *)((char *)w - offsetof(struct lean_server, child_watcher));
    (void)revents;
    ev_child_stop(loop, w);
    ls->exited = true;
    ls->status = w->rstatus;
    if (!ls->eof) {
        ev_timer_set(&ls->eof_timer, 2.0, 0.);
        ev_timer_start(loop, &ls->eof_timer);
    }
    lean_server_finish(ls);
}

/* The child exited but its stdout stays open (a grandchild holds it): give up on EOF. */
static void
lean_eof_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct lean_server *ls =
        (struct lean_server *)((char *)w - offsetof(struct lean_server, eof_timer));
    (void)loop;
    (void)revents;
    log_warn("lean", "server exited but its output stays open; killing its process group");
    kill(-ls->pid, SIGKILL);
    ls->eof = true;
    lean_server_finish(ls);
}

static void
lean_kill_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct lean_server *ls =
        (struct lean_server *)((char *)w - offsetof(struct lean_server, kill_timer));
    (void)revents;
    if (ls->exited || ls->pid <= 0) {
        ev_timer_stop(loop, w);
        return;
    }
    int sig = ls->kill_stage++ == 0 ? SIGTERM : SIGKILL;
    log_info("lean", "sending %s to the server (pid %d)", sig == SIGTERM ? "SIGTERM" : "SIGKILL",
             (int)ls->pid);
    kill(-ls->pid, sig);
    kill(ls->pid, sig);
}

static void
lean_restart_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct lean_server *ls =
        (struct lean_server *)((char *)w - offsetof(struct lean_server, restart_timer));
    (void)loop;
    (void)w;
    (void)revents;
    ls->restarts++;
    log_info("lean", "restarting the server (restart %u)", ls->restarts);
    if (lean_server_start(ls) < 0) {
        ls->state = LEAN_SERVER_STATE_FAILED;
        lean_server_emit(ls, LEAN_SERVER_EVENT_GAVE_UP, 0);
    }
}

/* Counts a crash; true when there were too many in the window. */
static bool
lean_server_too_many_crashes(struct lean_server *ls)
{
    ev_tstamp now = ev_now(ls->loop);
    ls->crashes[ls->ncrashes % LEAN_SERVER_MAX_CRASHES] = now;
    ls->ncrashes++;
    if (ls->ncrashes < LEAN_SERVER_MAX_CRASHES)
        return false;
    /* The oldest of the last MAX crashes is the slot we overwrite next. */
    ev_tstamp oldest = ls->crashes[ls->ncrashes % LEAN_SERVER_MAX_CRASHES];
    return now - oldest <= LEAN_SERVER_CRASH_WINDOW;
}

/* Called when exit or EOF is seen; acts once both are. */
static void
lean_server_finish(struct lean_server *ls)
{
    if (!ls->exited || !ls->eof)
        return;
    ev_timer_stop(ls->loop, &ls->eof_timer);
    ev_timer_stop(ls->loop, &ls->kill_timer);
    /* The transport may be inside its own callback: close now, free later. */
    transport_close(ls->io);
    transport_free(ls->dead_io);
    ls->dead_io = ls->io;
    ls->io = NULL;
    kill(-ls->pid, SIGKILL); /* leftovers of the group, if any */
    int status = ls->status;
    ls->pid = -1;
    if (ls->stopping) {
        ls->state = LEAN_SERVER_STATE_STOPPED;
        log_info("lean", "server stopped (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        lean_server_emit(ls, LEAN_SERVER_EVENT_STOPPED, status);
        return;
    }
    if (WIFEXITED(status))
        log_error("lean", "server exited unexpectedly with code %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        log_error("lean", "server killed by signal %d", WTERMSIG(status));
    if (lean_server_too_many_crashes(ls)) {
        ls->state = LEAN_SERVER_STATE_FAILED;
        log_error("lean", "server crashed %d times within %.0f s; not restarting again",
                  LEAN_SERVER_MAX_CRASHES, LEAN_SERVER_CRASH_WINDOW);
        lean_server_emit(ls, LEAN_SERVER_EVENT_EXITED, status);
        lean_server_emit(ls, LEAN_SERVER_EVENT_GAVE_UP, status);
        return;
    }
    unsigned k = ls->ncrashes - 1;
    double delay = 0.25 * (double)(1u << (k < 4 ? k : 4));
    ls->state = LEAN_SERVER_STATE_RESTARTING;
    ev_timer_set(&ls->restart_timer, delay, 0.);
    ev_timer_start(ls->loop, &ls->restart_timer);
    lean_server_emit(ls, LEAN_SERVER_EVENT_EXITED, status);
}

struct lean_server *
lean_server_new(struct ev_loop *loop, char *const argv[], lean_server_frame_cb *frame_cb,
                lean_server_event_cb *event_cb, void *arg)
{
    struct lean_server *ls = xcalloc(1, sizeof *ls);
    size_t n = 0;
    while (argv[n])
        n++;
    ls->argv = xcalloc(n + 1, sizeof *ls->argv);
    for (size_t i = 0; i < n; i++)
        ls->argv[i] = xstrdup(argv[i]);
    ls->loop = loop;
    ls->frame_cb = frame_cb;
    ls->event_cb = event_cb;
    ls->arg = arg;
    ls->pid = -1;
    ls->err_fd = -1;
    buf_init(&ls->err_line, 4096);
    ev_init(&ls->eof_timer, lean_eof_timeout_cb);
    ev_init(&ls->restart_timer, lean_restart_timer_cb);
    ev_init(&ls->kill_timer, lean_kill_timer_cb);
    return ls;
}

void
lean_server_unset_env(struct lean_server *ls, const char *name)
{
    for (int i = 0; i < LEAN_SERVER_ENV_MAX; i++) {
        if (ls->unset_env[i] == NULL) {
            ls->unset_env[i] = xstrdup(name);
            return;
        }
    }
}

void
lean_server_free(struct lean_server *ls)
{
    if (ls == NULL)
        return;
    if (ls->pid > 0) {
        kill(-ls->pid, SIGKILL);
        kill(ls->pid, SIGKILL);
        ev_child_stop(ls->loop, &ls->child_watcher);
        waitpid(ls->pid, NULL, 0);
    }
    ev_timer_stop(ls->loop, &ls->eof_timer);
    ev_timer_stop(ls->loop, &ls->restart_timer);
    ev_timer_stop(ls->loop, &ls->kill_timer);
    if (ls->err_fd >= 0) {
        ev_io_stop(ls->loop, &ls->err_watcher);
        close(ls->err_fd);
    }
    transport_free(ls->io);
    transport_free(ls->dead_io);
    buf_release(&ls->err_line);
    for (size_t i = 0; ls->argv[i]; i++)
        free(ls->argv[i]);
    free(ls->argv);
    for (int i = 0; i < LEAN_SERVER_ENV_MAX; i++)
        free(ls->unset_env[i]);
    free(ls);
}

static int
lean_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -errno;
    for (int i = 0; i < 2; i++)
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    return 0;
}

int
lean_server_start(struct lean_server *ls)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    int rc = lean_pipe(in);
    if (rc == 0)
        rc = lean_pipe(out);
    if (rc == 0)
        rc = lean_pipe(err);
    if (rc < 0)
        goto fail;
    pid_t pid = fork();
    if (pid < 0) {
        rc = -errno;
        goto fail;
    }
    if (pid == 0) {
        /* Child: own process group, pipes on 0/1/2, default signals, exec. */
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        for (int i = 0; i < LEAN_SERVER_ENV_MAX && ls->unset_env[i]; i++)
            unsetenv(ls->unset_env[i]);
        execvp(ls->argv[0], ls->argv);
        static const char msg[] = "lsp-proxy: cannot run the Lean server command\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, to win the race with exec */
    close(in[0]);
    close(out[1]);
    close(err[1]);
    ls->pid = pid;
    ls->exited = false;
    ls->eof = false;
    ls->status = 0;
    ls->stopping = false;
    ls->kill_stage = 0;
    ev_child_init(&ls->child_watcher, lean_child_exited_cb, pid, 0);
    ev_child_start(ls->loop, &ls->child_watcher);
    ls->io = transport_new(ls->loop, out[0], in[1], "lean", 0, true, lean_io_frame_cb,
                           lean_io_event_cb, ls);
    if (ls->read_paused)
        transport_pause_read(ls->io, true);
    ls->err_fd = err[0];
    fcntl(ls->err_fd, F_SETFL, fcntl(ls->err_fd, F_GETFL) | O_NONBLOCK);
    ev_io_init(&ls->err_watcher, lean_stderr_readable_cb, ls->err_fd, EV_READ);
    ev_io_start(ls->loop, &ls->err_watcher);
    ls->state = LEAN_SERVER_STATE_RUNNING;
    log_info("lean", "started `%s` (pid %d)", ls->argv[0], (int)pid);
    lean_server_emit(ls, LEAN_SERVER_EVENT_STARTED, 0);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    log_error("lean", "cannot start `%s`: %s", ls->argv[0], strerror(-rc));
    ls->state = LEAN_SERVER_STATE_FAILED;
    return rc;
}

int
lean_server_send(struct lean_server *ls, const char *body, size_t len)
{
    if (ls->state != LEAN_SERVER_STATE_RUNNING || ls->io == NULL)
        return -EAGAIN;
    return transport_send(ls->io, body, len);
}

void
lean_server_stop(struct lean_server *ls, int grace_ms)
{
    ev_timer_stop(ls->loop, &ls->restart_timer);
    if (ls->state != LEAN_SERVER_STATE_RUNNING) {
        if (ls->state != LEAN_SERVER_STATE_FAILED)
            ls->state = LEAN_SERVER_STATE_STOPPED;
        return;
    }
    ls->stopping = true;
    ls->state = LEAN_SERVER_STATE_STOPPING;
    if (ls->io) {
        /* Let queued input (the `exit` notification) reach Lean, then EOF. */
        transport_flush(ls->io, true, grace_ms);
        transport_close(ls->io); /* EOF on its stdin; we stop reading too */
        ls->eof = true;
    }
    ls->grace_ms = grace_ms;
    ls->kill_stage = 0;
    ev_timer_set(&ls->kill_timer, grace_ms / 1000.0, grace_ms / 1000.0);
    ev_timer_start(ls->loop, &ls->kill_timer);
}

void
lean_server_pause_read(struct lean_server *ls, bool paused)
{
    ls->read_paused = paused;
    if (ls->io)
        transport_pause_read(ls->io, paused);
}

enum lean_server_state
lean_server_state(const struct lean_server *ls)
{
    return ls->state;
}

const char *
lean_server_state_name(enum lean_server_state state)
{
    static const char *const names[] = {"idle",     "running", "restarting",
                                        "stopping", "stopped", "failed"};
    return names[state];
}

pid_t
lean_server_pid(const struct lean_server *ls)
{
    return ls->pid;
}

const char *
lean_server_command(const struct lean_server *ls)
{
    return ls->argv[0];
}

unsigned
lean_server_restarts(const struct lean_server *ls)
{
    return ls->restarts;
}

size_t
lean_server_queued(const struct lean_server *ls)
{
    return ls->io ? transport_queued(ls->io) : 0;
}
