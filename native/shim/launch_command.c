#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detached_run.h"
#include "job_supervision.h"
#include "shim_commands.h"
#include "state_dir.h"

struct launch_request {
    const char *state_dir;
    const char *cwd;
    char **command;
    const char *const *cgroups;
    int cgroup_count;
};

/* Moves the calling process into each cgroup ("0" is the writer itself, whatever PID namespace it is in), before
 * the job runs a single instruction of its own, so its whole tree is accounted and limited there. */
static int join_cgroups(const struct launch_request *request, char *message, size_t size)
{
    for (int i = 0; i < request->cgroup_count; i++) {
        char procs[PATH_MAX];
        snprintf(procs, sizeof procs, "%s/cgroup.procs", request->cgroups[i]);
        int fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) {
            snprintf(message, size, "cannot join cgroup '%s': %s", request->cgroups[i], strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

/* The job's root: PID 1 of the new PID namespace, leader of its own session. */
static void become_job(const struct launch_request *request, int stdout_pipe, int stderr_pipe,
                       int exec_check)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();

    char message[PATH_MAX + 256];
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(stdout_pipe, STDOUT_FILENO) < 0 ||
        dup2(stderr_pipe, STDERR_FILENO) < 0) {
        snprintf(message, sizeof message, "cannot set up the job's stdio: %s", strerror(errno));
    } else if (join_cgroups(request, message, sizeof message) != 0) {
        /* message says which cgroup and why */
    } else if (request->cwd != NULL && chdir(request->cwd) != 0) {
        snprintf(message, sizeof message, "cannot change directory to '%s': %s", request->cwd,
                 strerror(errno));
    } else {
        if (null_fd > STDERR_FILENO)
            close(null_fd);
        execvp(request->command[0], request->command);
        snprintf(message, sizeof message, "cannot execute '%s': %s", request->command[0], strerror(errno));
    }
    ssize_t ignored = write(exec_check, message, strlen(message));
    (void)ignored;
    _exit(127);
}

static int fail_launch(const char *state_dir, int status_fd, const char *message)
{
    char exit_text[PATH_MAX + 300];
    snprintf(exit_text, sizeof exit_text, "error %s\n", message);
    write_file_atomically(state_dir, "exit", exit_text);
    char shown[PATH_MAX + 300];
    snprintf(shown, sizeof shown, "caas-shim: %s\n", message);
    fputs(shown, stderr);
    report_failure(status_fd, shown);
    return 1;
}

static int launch_supervisor(void *context, int status_fd)
{
    const struct launch_request *request = context;
    char message[PATH_MAX + 256];
    block_supervisor_signals();

    int stdout_log, stderr_log, out[2], err[2], exec_check[2];
    if (open_job_logs(request->state_dir, &stdout_log, &stderr_log) != 0) {
        snprintf(message, sizeof message, "cannot open the job's logs in %s: %s", request->state_dir,
                 strerror(errno));
        return fail_launch(request->state_dir, status_fd, message);
    }
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(exec_check, O_CLOEXEC) != 0) {
        snprintf(message, sizeof message, "cannot create pipes: %s", strerror(errno));
        return fail_launch(request->state_dir, status_fd, message);
    }
    /* Our next child becomes PID 1 of a new PID namespace, so that its image restores anywhere. */
    if (unshare(CLONE_NEWPID) != 0) {
        snprintf(message, sizeof message, "cannot create a PID namespace: %s", strerror(errno));
        return fail_launch(request->state_dir, status_fd, message);
    }
    pid_t root = fork();
    if (root < 0) {
        snprintf(message, sizeof message, "cannot fork: %s", strerror(errno));
        return fail_launch(request->state_dir, status_fd, message);
    }
    if (root == 0) {
        close(exec_check[0]);
        become_job(request, out[1], err[1], exec_check[1]);
    }
    close(out[1]);
    close(err[1]);
    close(exec_check[1]);

    /* The exec-check pipe is close-on-exec: EOF without data means the command runs. */
    ssize_t n;
    while ((n = read(exec_check[0], message, sizeof message - 1)) < 0 && errno == EINTR)
        ;
    close(exec_check[0]);
    if (n > 0) {
        message[n] = '\0';
        int ignored;
        waitpid(root, &ignored, 0);
        return fail_launch(request->state_dir, status_fd, message);
    }

    struct job_output output = {.stdout_pipe = out[0], .stderr_pipe = err[0]};
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%ld\n", (long)root);
    if (record_stdio_pipes(request->state_dir, &output) != 0 ||
        write_file_atomically(request->state_dir, "pid", pid_text) != 0) {
        snprintf(message, sizeof message, "cannot write to %s: %s", request->state_dir, strerror(errno));
        kill(root, SIGKILL);
        return fail_launch(request->state_dir, status_fd, message);
    }
    report_started(status_fd);
    return supervise_job(request->state_dir, root, output, stdout_log, stderr_log);
}

int launch_command(const struct shim_options *options)
{
    if (options->state_dir == NULL || options->command == NULL || options->command[0] == NULL) {
        fprintf(stderr, "caas-shim: launch needs --state-dir DIR and -- CMD [ARGS...]\n");
        return 2;
    }
    char state_dir[PATH_MAX];
    int lock_fd;
    if (claim_state_dir(options->state_dir, state_dir, sizeof state_dir, &lock_fd) != 0)
        return 1;
    struct launch_request request = {.state_dir = state_dir,
                                     .cwd = options->cwd,
                                     .command = options->command,
                                     .cgroups = options->cgroups,
                                     .cgroup_count = options->cgroup_count};
    return run_detached(state_dir, lock_fd, launch_supervisor, &request);
}
