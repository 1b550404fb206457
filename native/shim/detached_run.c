#include "detached_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state_dir.h"

#define STATUS_FD 3
#define LOCK_FD 4

static void write_fully(int fd, const char *text)
{
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        length -= (size_t)n;
    }
}

void report_started(int status_fd)
{
    write_fully(status_fd, "ok\n");
    close(status_fd);
}

void report_failure(int status_fd, const char *message)
{
    write_fully(status_fd, "error\n");
    write_fully(status_fd, message);
    close(status_fd);
}

/* The daemon keeps nothing of the caller's but the status pipe: its own log replaces stdio. */
static int become_daemon(const char *state_dir)
{
    close_range(LOCK_FD + 1, ~0U, 0);

    char log_path[PATH_MAX];
    if (state_path(log_path, sizeof log_path, state_dir, "shim.log") != 0)
        return -1;
    int null_fd = open("/dev/null", O_RDONLY);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0)
        return -1;
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO)
        close(null_fd);
    if (log_fd > STDERR_FILENO)
        close(log_fd);
    setvbuf(stderr, NULL, _IONBF, 0);

    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%ld\n", (long)getpid());
    write_file_atomically(state_dir, "shim.pid", pid_text);
    return 0;
}

static int wait_for_status(int read_fd)
{
    char buffer[16384];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(read_fd, buffer + total, sizeof buffer - 1 - total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || total + (size_t)n >= sizeof buffer - 1) {
            if (n > 0)
                total += (size_t)n;
            break;
        }
        total += (size_t)n;
    }
    buffer[total] = '\0';
    close(read_fd);

    if (strncmp(buffer, "ok\n", 3) == 0)
        return 0;
    if (strncmp(buffer, "error\n", 6) == 0) {
        fputs(buffer + 6, stderr);
        if (total > 6 && buffer[total - 1] != '\n')
            fputc('\n', stderr);
        return 1;
    }
    fprintf(stderr, "caas-shim: the supervisor died before the job started (see shim.log)\n");
    return 1;
}

int run_detached(const char *state_dir, int lock_fd, supervisor_body body, void *context)
{
    int status_pipe[2];
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        fprintf(stderr, "caas-shim: cannot create a pipe: %s\n", strerror(errno));
        return 1;
    }
    fflush(NULL);
    pid_t intermediate = fork();
    if (intermediate < 0) {
        fprintf(stderr, "caas-shim: cannot fork: %s\n", strerror(errno));
        return 1;
    }
    if (intermediate == 0) {
        close(status_pipe[0]);
        setsid();
        pid_t supervisor = fork();
        if (supervisor != 0)
            _exit(supervisor < 0 ? 1 : 0);
        /* Park both fds above the target slots first so that neither overwrites the other. */
        int parked_status = fcntl(status_pipe[1], F_DUPFD_CLOEXEC, 10);
        int parked_lock = fcntl(lock_fd, F_DUPFD_CLOEXEC, 10);
        if (parked_status < 0 || parked_lock < 0 || dup2(parked_status, STATUS_FD) < 0 ||
            dup2(parked_lock, LOCK_FD) < 0)
            _exit(1);
        fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
        fcntl(LOCK_FD, F_SETFD, FD_CLOEXEC);
        if (become_daemon(state_dir) != 0) {
            char message[512];
            snprintf(message, sizeof message, "caas-shim: cannot set up the supervisor in %s: %s\n",
                     state_dir, strerror(errno));
            report_failure(STATUS_FD, message);
            _exit(1);
        }
        _exit(body(context, STATUS_FD));
    }
    close(status_pipe[1]);
    close(lock_fd);
    int ignored;
    while (waitpid(intermediate, &ignored, 0) < 0 && errno == EINTR)
        ;
    return wait_for_status(status_pipe[0]);
}
