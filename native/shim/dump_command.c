#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_process.h"
#include "criu_log.h"
#include "criu_stats.h"
#include "shim_commands.h"
#include "state_dir.h"

static long long monotonic_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static int job_is_dumpable(const char *state_dir, pid_t *root)
{
    char exit_text[256];
    if (read_small_file(state_dir, "exit", exit_text, sizeof exit_text) > 0) {
        exit_text[strcspn(exit_text, "\n")] = '\0';
        fprintf(stderr, "caas-shim: the job in %s is not running (%s)\n", state_dir, exit_text);
        return 0;
    }
    if (read_job_pid(state_dir, root) != 0)
        return 0;
    if (kill(*root, 0) != 0 && errno == ESRCH) {
        fprintf(stderr, "caas-shim: the job's process %ld is gone\n", (long)*root);
        return 0;
    }
    return 1;
}

/* The restore needs to know which pipes were the job's stdout/stderr to hand it new ones. */
static int keep_stdio_with_images(const char *state_dir, const char *images_dir)
{
    char stdio[256];
    if (read_small_file(state_dir, "stdio", stdio, sizeof stdio) <= 0)
        return 0;
    if (write_file_atomically(images_dir, "caas-stdio", stdio) != 0) {
        fprintf(stderr, "caas-shim: cannot write %s/caas-stdio: %s\n", images_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void print_failure(const char *images_dir, const char *what)
{
    char log_path[PATH_MAX];
    state_path(log_path, sizeof log_path, images_dir, "dump.log");
    char errors[8192] = "";
    append_criu_errors(errors, sizeof errors, "caas-shim:   ", log_path);
    fprintf(stderr, "caas-shim: criu dump failed (%s); from %s:\n%s", what, log_path, errors);
}

int dump_command(const struct shim_options *options)
{
    if (options->state_dir == NULL || options->images_dir == NULL || options->criu == NULL) {
        fprintf(stderr, "caas-shim: dump needs --state-dir DIR --images IMGDIR --criu CRIU\n");
        return 2;
    }
    long long started = monotonic_us();
    pid_t root;
    if (!job_is_dumpable(options->state_dir, &root))
        return 1;
    if (make_directories(options->images_dir) != 0) {
        fprintf(stderr, "caas-shim: cannot create images directory '%s': %s\n", options->images_dir,
                strerror(errno));
        return 1;
    }
    char images_dir[PATH_MAX];
    if (realpath(options->images_dir, images_dir) == NULL) {
        fprintf(stderr, "caas-shim: cannot resolve '%s': %s\n", options->images_dir, strerror(errno));
        return 1;
    }
    if (keep_stdio_with_images(options->state_dir, images_dir) != 0)
        return 1;

    /* CRIU kills the job at the end of a stop-mode dump; the supervisor must not call that an exit. */
    if (!options->leave_running) {
        char self[32];
        snprintf(self, sizeof self, "%ld\n", (long)getpid());
        if (write_file_atomically(options->state_dir, "dump-pending", self) != 0) {
            fprintf(stderr, "caas-shim: cannot write %s/dump-pending: %s\n", options->state_dir,
                    strerror(errno));
            return 1;
        }
    }

    char pid_text[32], output_path[PATH_MAX];
    snprintf(pid_text, sizeof pid_text, "%ld", (long)root);
    state_path(output_path, sizeof output_path, images_dir, "criu-dump.out");
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)options->criu;
    argv[argc++] = "dump";
    argv[argc++] = "--tree";
    argv[argc++] = pid_text;
    argv[argc++] = "--images-dir";
    argv[argc++] = images_dir;
    argv[argc++] = "--log-file";
    argv[argc++] = "dump.log";
    argv[argc++] = "--tcp-established";
    if (options->leave_running)
        argv[argc++] = "--leave-running";
    argv[argc] = NULL;

    int status = 0;
    int started_ok = run_to_completion(argv, output_path, NULL, 0, &status) == 0;
    int start_errno = errno;
    int succeeded = started_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (succeeded && !options->leave_running)
        write_file_atomically(options->state_dir, "exit", "checkpointed\n");
    if (!options->leave_running)
        remove_state_file(options->state_dir, "dump-pending");
    long long total_us = monotonic_us() - started;

    if (!started_ok) {
        fprintf(stderr, "caas-shim: cannot run '%s': %s\n", options->criu, strerror(start_errno));
        return 1;
    }
    if (!succeeded) {
        char what[64];
        if (WIFSIGNALED(status))
            snprintf(what, sizeof what, "killed by signal %d", WTERMSIG(status));
        else
            snprintf(what, sizeof what, "exit %d", WEXITSTATUS(status));
        print_failure(images_dir, what);
        return 1;
    }
    unsigned long long frozen_us;
    if (read_frozen_time_us(images_dir, &frozen_us) != 0)
        frozen_us = (unsigned long long)total_us;
    printf("pause_ms=%llu dump_ms=%lld\n", (frozen_us + 500) / 1000, (total_us + 500) / 1000);
    return 0;
}
