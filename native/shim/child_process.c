#include "child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARKING_FD 200

static void become_child(char *const argv[], const char *output_path, const int *passed_fds,
                         int passed_count, int error_fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    /* Park the passed fds high first so that placing them at 3.. cannot overwrite one another. */
    for (int i = 0; i < passed_count; i++)
        if (dup2(passed_fds[i], PARKING_FD + i) < 0)
            goto failed;
    if (dup2(error_fd, PARKING_FD - 1) < 0)
        goto failed;
    error_fd = PARKING_FD - 1;
    fcntl(error_fd, F_SETFD, FD_CLOEXEC);

    int null_fd = open("/dev/null", O_RDONLY);
    int output_fd = open(output_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || output_fd < 0)
        goto failed;
    if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(output_fd, STDOUT_FILENO) < 0 ||
        dup2(output_fd, STDERR_FILENO) < 0)
        goto failed;
    for (int i = 0; i < passed_count; i++)
        if (dup2(PARKING_FD + i, 3 + i) < 0)
            goto failed;
    if (dup2(error_fd, 3 + passed_count) < 0)
        goto failed;
    error_fd = 3 + passed_count;
    fcntl(error_fd, F_SETFD, FD_CLOEXEC);
    close_range((unsigned)error_fd + 1, ~0U, 0);

    execv(argv[0], argv);
failed:;
    int code = errno;
    ssize_t ignored = write(error_fd, &code, sizeof code);
    (void)ignored;
    _exit(127);
}

int run_to_completion(char *const argv[], const char *output_path, const int *passed_fds,
                      int passed_count, int *wait_status)
{
    int exec_check[2];
    if (pipe2(exec_check, O_CLOEXEC) != 0)
        return -1;
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(exec_check[0]);
        close(exec_check[1]);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        close(exec_check[0]);
        become_child(argv, output_path, passed_fds, passed_count, exec_check[1]);
    }
    close(exec_check[1]);
    int child_errno = 0;
    ssize_t n;
    while ((n = read(exec_check[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
        ;
    close(exec_check[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (n == (ssize_t)sizeof child_errno) {
        errno = child_errno;
        return -1;
    }
    *wait_status = status;
    return 0;
}
