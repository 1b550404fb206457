/*
 * Runs a job supervisor as a daemon: in its own session and no child of the caller, so that it
 * outlives the agent that started it. The foreground process waits on a status pipe until the
 * supervisor says the job runs (exit 0) or why it does not (message on stderr, exit 1).
 */
#ifndef DETACHED_RUN_H
#define DETACHED_RUN_H

/* A supervisor body; it must call report_started or report_failure exactly once. */
typedef int (*supervisor_body)(void *context, int status_fd);

/* Returns the exit code for the foreground command; the supervisor keeps lock_fd open for life. */
int run_detached(const char *state_dir, int lock_fd, supervisor_body body, void *context);

/* Tells the foreground the job runs, and closes status_fd. */
void report_started(int status_fd);

/* Tells the foreground why the job does not run (printed as is on its stderr); closes status_fd. */
void report_failure(int status_fd, const char *message);

#endif
