#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_process.h"
#include "criu_log.h"
#include "detached_run.h"
#include "job_supervision.h"
#include "page_gate.h"
#include "shim_commands.h"
#include "state_dir.h"

struct restore_request {
    const char *state_dir;
    const char *images_dir;
    const char *criu;
    const char *page_gate_token; /* NULL: no gate */
    const char *gate_timeout_ms;
    const char *gate_owner;
};

#define DEFAULT_GATE_TIMEOUT_MS "300000"

/*
 * Makes CRIU run this very binary as its action script, with what the gate needs in its environment
 * (CRIU passes its own on). Returns -1 with a message when that cannot be set up.
 */
static int arm_page_gate(const struct restore_request *request, char *script, size_t size, char *message, size_t message_size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(message, message_size, "caas-shim: cannot find its own binary for the page gate: %s\n", strerror(errno));
        return -1;
    }
    self[n] = '\0';
    /* CRIU executes the script's path as it is, with no arguments: the binary knows the call by CRTOOLS_SCRIPT_ACTION. */
    if (snprintf(script, size, "%s", self) >= (int)size) {
        snprintf(message, message_size, "caas-shim: its path %s is too long for an action script\n", self);
        return -1;
    }
    if (setenv(PAGE_GATE_DIR_ENV, request->state_dir, 1) != 0 ||
        setenv(PAGE_GATE_TOKEN_ENV, request->page_gate_token, 1) != 0 ||
        setenv(PAGE_GATE_TIMEOUT_ENV, request->gate_timeout_ms != NULL ? request->gate_timeout_ms : DEFAULT_GATE_TIMEOUT_MS, 1) != 0 ||
        setenv(PAGE_GATE_OWNER_ENV, request->gate_owner != NULL ? request->gate_owner : "0", 1) != 0) {
        snprintf(message, message_size, "caas-shim: cannot set up the page gate's environment: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* The job's stdout/stderr pipes as named in the dump ("pipe:[N]"), or empty when unknown. */
struct dumped_stdio {
    char stdout_pipe[64];
    char stderr_pipe[64];
};

static void read_dumped_stdio(const char *images_dir, struct dumped_stdio *stdio)
{
    memset(stdio, 0, sizeof *stdio);
    char text[256];
    if (read_small_file(images_dir, "caas-stdio", text, sizeof text) <= 0)
        return;
    char *saveptr = NULL;
    for (char *line = strtok_r(text, "\n", &saveptr); line != NULL; line = strtok_r(NULL, "\n", &saveptr)) {
        int fd;
        char key[64];
        if (sscanf(line, "%d %63s", &fd, key) != 2 || strncmp(key, "pipe:[", 6) != 0)
            continue;
        if (fd == 1)
            snprintf(stdio->stdout_pipe, sizeof stdio->stdout_pipe, "%s", key);
        else if (fd == 2)
            snprintf(stdio->stderr_pipe, sizeof stdio->stderr_pipe, "%s", key);
    }
}

static int fail_restore(const char *state_dir, int status_fd, const char *message)
{
    write_file_atomically(state_dir, "exit", "error criu restore failed\n");
    fputs(message, stderr);
    report_failure(status_fd, message);
    return 1;
}

static int restore_supervisor(void *context, int status_fd)
{
    const struct restore_request *request = context;
    char message[16384];
    /* CRIU's detached root is reparented to us when CRIU exits, so we can reap it. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        snprintf(message, sizeof message, "caas-shim: cannot become a child subreaper: %s\n", strerror(errno));
        return fail_restore(request->state_dir, status_fd, message);
    }
    block_supervisor_signals();

    int stdout_log, stderr_log, out[2], err[2];
    if (open_job_logs(request->state_dir, &stdout_log, &stderr_log) != 0 ||
        pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        snprintf(message, sizeof message, "caas-shim: cannot set up the job's output in %s: %s\n",
                 request->state_dir, strerror(errno));
        return fail_restore(request->state_dir, status_fd, message);
    }

    struct dumped_stdio stdio;
    read_dumped_stdio(request->images_dir, &stdio);
    char pidfile[PATH_MAX], output_path[PATH_MAX], inherit_stdout[96], inherit_stderr[96];
    state_path(pidfile, sizeof pidfile, request->state_dir, "restore.pid");
    state_path(output_path, sizeof output_path, request->state_dir, "criu-restore.out");
    /* Our pipes are CRIU's fd 3 and 4; --inherit-fd puts them where the dumped pipes were. */
    snprintf(inherit_stdout, sizeof inherit_stdout, "fd[3]:%s", stdio.stdout_pipe);
    snprintf(inherit_stderr, sizeof inherit_stderr, "fd[4]:%s", stdio.stderr_pipe);
    char gate_script[PATH_MAX + 32];
    if (request->page_gate_token != NULL &&
        arm_page_gate(request, gate_script, sizeof gate_script, message, sizeof message) != 0)
        return fail_restore(request->state_dir, status_fd, message);
    char *argv[26];
    int argc = 0;
    argv[argc++] = (char *)request->criu;
    argv[argc++] = "restore";
    argv[argc++] = "--images-dir";
    argv[argc++] = (char *)request->images_dir;
    argv[argc++] = "--work-dir";
    argv[argc++] = (char *)request->state_dir;
    argv[argc++] = "--log-file";
    argv[argc++] = "restore.log";
    argv[argc++] = "--restore-detached";
    argv[argc++] = "--pidfile";
    argv[argc++] = pidfile;
    argv[argc++] = "--tcp-established";
    if (request->page_gate_token != NULL) {
        argv[argc++] = "--action-script";
        argv[argc++] = gate_script;
    }
    if (stdio.stdout_pipe[0] != '\0') {
        argv[argc++] = "--inherit-fd";
        argv[argc++] = inherit_stdout;
    }
    if (stdio.stderr_pipe[0] != '\0') {
        argv[argc++] = "--inherit-fd";
        argv[argc++] = inherit_stderr;
    }
    argv[argc] = NULL;

    int passed[2] = {out[1], err[1]};
    int status = 0;
    int started_ok = run_to_completion(argv, output_path, passed, 2, &status) == 0;
    int start_errno = errno;
    close(out[1]);
    close(err[1]);
    if (!started_ok) {
        snprintf(message, sizeof message, "caas-shim: cannot run '%s': %s\n", request->criu, strerror(start_errno));
        return fail_restore(request->state_dir, status_fd, message);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char log_path[PATH_MAX];
        state_path(log_path, sizeof log_path, request->state_dir, "restore.log");
        int n = snprintf(message, sizeof message, "caas-shim: criu restore failed (%s %d); from %s:\n",
                         WIFEXITED(status) ? "exit" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), log_path);
        append_criu_errors(message + n, sizeof message - (size_t)n, "caas-shim:   ", log_path);
        return fail_restore(request->state_dir, status_fd, message);
    }

    pid_t root = 0;
    char pid_text[32];
    if (read_small_file(request->state_dir, "restore.pid", pid_text, sizeof pid_text) > 0)
        root = (pid_t)strtol(pid_text, NULL, 10);
    int ignored;
    if (root <= 1 || waitpid(root, &ignored, WNOHANG | __WALL) != 0) {
        snprintf(message, sizeof message,
                 "caas-shim: criu restore succeeded but the restored process (%s) is not running as our child\n",
                 root > 1 ? pid_text : "no pidfile");
        if (root > 1)
            kill(root, SIGKILL);
        return fail_restore(request->state_dir, status_fd, message);
    }

    /* A CRIU that resumed the tasks without asking the gate must not go unnoticed (the job is ended, late as that is). */
    char passed_text[16];
    if (request->page_gate_token != NULL && read_small_file(request->state_dir, PAGE_GATE_PASSED, passed_text, sizeof passed_text) <= 0) {
        snprintf(message, sizeof message, "caas-shim: criu restore resumed the job without running the page gate\n");
        kill(root, SIGKILL);
        return fail_restore(request->state_dir, status_fd, message);
    }

    struct job_output output = {.stdout_pipe = out[0], .stderr_pipe = err[0]};
    snprintf(pid_text, sizeof pid_text, "%ld\n", (long)root);
    if (record_stdio_pipes(request->state_dir, &output) != 0 ||
        write_file_atomically(request->state_dir, "pid", pid_text) != 0) {
        snprintf(message, sizeof message, "caas-shim: cannot write to %s: %s\n", request->state_dir, strerror(errno));
        kill(root, SIGKILL);
        return fail_restore(request->state_dir, status_fd, message);
    }
    report_started(status_fd);
    return supervise_job(request->state_dir, root, output, stdout_log, stderr_log);
}

int restore_command(const struct shim_options *options)
{
    if (options->state_dir == NULL || options->images_dir == NULL || options->criu == NULL) {
        fprintf(stderr, "caas-shim: restore needs --state-dir DIR --images IMGDIR --criu CRIU\n");
        return 2;
    }
    if (options->page_gate_token == NULL && (options->gate_timeout_ms != NULL || options->gate_owner != NULL)) {
        fprintf(stderr, "caas-shim: --gate-timeout-ms and --gate-owner need --page-gate TOKEN\n");
        return 2;
    }
    if (options->gate_timeout_ms != NULL && atoll(options->gate_timeout_ms) <= 0) {
        fprintf(stderr, "caas-shim: --gate-timeout-ms needs a positive number of milliseconds\n");
        return 2;
    }
    if (options->page_gate_token != NULL && strpbrk(options->page_gate_token, " \n'") != NULL) {
        fprintf(stderr, "caas-shim: --page-gate needs a token of one word\n");
        return 2;
    }
    char images_dir[PATH_MAX];
    if (realpath(options->images_dir, images_dir) == NULL) {
        fprintf(stderr, "caas-shim: no images at '%s': %s\n", options->images_dir, strerror(errno));
        return 1;
    }
    char state_dir[PATH_MAX];
    int lock_fd;
    if (claim_state_dir(options->state_dir, state_dir, sizeof state_dir, &lock_fd) != 0)
        return 1;
    struct restore_request request = {.state_dir = state_dir, .images_dir = images_dir, .criu = options->criu,
                                      .page_gate_token = options->page_gate_token,
                                      .gate_timeout_ms = options->gate_timeout_ms,
                                      .gate_owner = options->gate_owner};
    return run_detached(state_dir, lock_fd, restore_supervisor, &request);
}
