/*
 * What the shim does while a job runs: drain its stdout/stderr pipes into the state directory's
 * logs, forward SIGTERM/SIGINT to it, reap it, and record how it ended in the exit file.
 */
#ifndef JOB_SUPERVISION_H
#define JOB_SUPERVISION_H

#include <sys/types.h>

struct job_output {
    int stdout_pipe; /* read ends; closed by supervise_job */
    int stderr_pipe;
};

/* Opens the state directory's log files for appending; returns -1 with errno set on failure. */
int open_job_logs(const char *state_dir, int *stdout_log, int *stderr_log);

/* Records the inodes of the job's stdout/stderr pipes (restore hands CRIU new ones for them). */
int record_stdio_pipes(const char *state_dir, const struct job_output *output);

/* Blocks the signals the supervisor handles; call before the job is started. */
void block_supervisor_signals(void);

/* Supervises until the root process has ended; returns 0 once the exit file is written. */
int supervise_job(const char *state_dir, pid_t root, struct job_output output, int stdout_log,
                  int stderr_log);

#endif
