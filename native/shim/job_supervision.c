#include "job_supervision.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "state_dir.h"

/* After the root ends, the rest of its PID namespace is killed; give its output this long to end. */
#define DRAIN_AFTER_EXIT_MS 2000

int open_job_logs(const char *state_dir, int *stdout_log, int *stderr_log)
{
    char path[PATH_MAX];
    if (state_path(path, sizeof path, state_dir, "stdout.log") != 0)
        return -1;
    *stdout_log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (*stdout_log < 0)
        return -1;
    if (state_path(path, sizeof path, state_dir, "stderr.log") != 0)
        return -1;
    *stderr_log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return *stderr_log < 0 ? -1 : 0;
}

int record_stdio_pipes(const char *state_dir, const struct job_output *output)
{
    struct stat out_stat, err_stat;
    if (fstat(output->stdout_pipe, &out_stat) != 0 || fstat(output->stderr_pipe, &err_stat) != 0)
        return -1;
    char text[128];
    snprintf(text, sizeof text, "1 pipe:[%lu]\n2 pipe:[%lu]\n", (unsigned long)out_stat.st_ino,
             (unsigned long)err_stat.st_ino);
    return write_file_atomically(state_dir, "stdio", text);
}

void block_supervisor_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    /* The job may close its end of a pipe while we write a log; that must not kill us. */
    signal(SIGPIPE, SIG_IGN);
}

static void copy_to_log(int *pipe_fd, int log_fd)
{
    char buffer[65536];
    ssize_t n = read(*pipe_fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close(*pipe_fd);
        *pipe_fd = -1;
        return;
    }
    for (ssize_t written = 0; written < n;) {
        ssize_t w = write(log_fd, buffer + written, (size_t)(n - written));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a full disk loses output, never the job */
        written += w;
    }
}

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int process_is_alive(pid_t pid)
{
    return kill(pid, 0) == 0 || errno == EPERM;
}

/* A stop-mode dump kills the job on purpose; wait for it to say whether that was a checkpoint. */
static void wait_for_pending_dump(const char *state_dir)
{
    char text[32];
    while (read_small_file(state_dir, "dump-pending", text, sizeof text) > 0) {
        pid_t dumper = (pid_t)strtol(text, NULL, 10);
        if (dumper <= 0 || !process_is_alive(dumper))
            break;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

static void record_exit(const char *state_dir, int status)
{
    wait_for_pending_dump(state_dir);
    char existing[64];
    if (read_small_file(state_dir, "exit", existing, sizeof existing) > 0 &&
        strncmp(existing, "checkpointed", 12) == 0)
        return;
    char text[64];
    if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "signaled %d\n", WTERMSIG(status));
    else
        snprintf(text, sizeof text, "exited %d\n", WEXITSTATUS(status));
    if (write_file_atomically(state_dir, "exit", text) != 0)
        fprintf(stderr, "caas-shim: cannot write %s/exit: %s\n", state_dir, strerror(errno));
}

/* Reaps every exited child (as a subreaper we may inherit others); says whether root was one. */
static int reap_children(pid_t root, int *root_status)
{
    int root_ended = 0;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return root_ended;
        if (pid == root) {
            *root_status = status;
            root_ended = 1;
        }
    }
}

int supervise_job(const char *state_dir, pid_t root, struct job_output output, int stdout_log,
                  int stderr_log)
{
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    int signal_fd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd < 0) {
        fprintf(stderr, "caas-shim: signalfd: %s\n", strerror(errno));
        return 1;
    }

    int root_status = 0;
    int root_ended = reap_children(root, &root_status);
    long long drain_deadline = root_ended ? monotonic_ms() + DRAIN_AFTER_EXIT_MS : 0;
    for (;;) {
        if (root_ended && ((output.stdout_pipe < 0 && output.stderr_pipe < 0) ||
                           monotonic_ms() >= drain_deadline))
            break;
        struct pollfd fds[3] = {
            {.fd = signal_fd, .events = POLLIN},
            {.fd = output.stdout_pipe, .events = POLLIN},
            {.fd = output.stderr_pipe, .events = POLLIN},
        };
        int timeout = root_ended ? (int)(drain_deadline - monotonic_ms()) : -1;
        if (poll(fds, 3, timeout < 0 && root_ended ? 0 : timeout) < 0 && errno != EINTR)
            break;
        if (fds[1].revents != 0)
            copy_to_log(&output.stdout_pipe, stdout_log);
        if (fds[2].revents != 0)
            copy_to_log(&output.stderr_pipe, stderr_log);
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
                if ((info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) && !root_ended)
                    kill(root, (int)info.ssi_signo);
            }
            if (!root_ended && reap_children(root, &root_status)) {
                root_ended = 1;
                drain_deadline = monotonic_ms() + DRAIN_AFTER_EXIT_MS;
            }
        }
    }
    if (output.stdout_pipe >= 0)
        close(output.stdout_pipe);
    if (output.stderr_pipe >= 0)
        close(output.stderr_pipe);
    close(signal_fd);
    record_exit(state_dir, root_status);
    return 0;
}
