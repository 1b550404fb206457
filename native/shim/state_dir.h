/*
 * The files a shim keeps in a job's state directory:
 *   pid           host PID of the job's root process (written once it runs)
 *   exit          "exited <code>", "signaled <signo>", "checkpointed" or "error <message>"
 *   stdout.log    the job's stdout, appended; stderr.log likewise
 *   stdio         inodes of the pipes behind the job's fd 1 and 2 ("1 pipe:[N]" lines)
 *   shim.pid      PID of the supervising shim; shim.log its own diagnostics
 *   dump-pending  PID of a stop-mode dump in progress (the job's death is then not an exit)
 *   shim.lock     locked by the directory's supervisor as long as it lives
 *   pages-verdict, pages-gate-passed   a gated restore's verdict and its passage (page_gate.h)
 * Files other processes read are written atomically (temporary file, then rename).
 */
#ifndef STATE_DIR_H
#define STATE_DIR_H

#include <stddef.h>
#include <sys/types.h>

/* Joins dir and name into out; returns -1 if it does not fit. */
int state_path(char *out, size_t size, const char *dir, const char *name);

/* Creates dir and its parents; returns -1 with errno set on failure. */
int make_directories(const char *dir);

/* Replaces dir/name with content in one rename; returns -1 with errno set on failure. */
int write_file_atomically(const char *dir, const char *name, const char *content);

/* Reads at most size-1 bytes of dir/name, NUL-terminated; returns bytes read or -1. */
ssize_t read_small_file(const char *dir, const char *name, char *out, size_t size);

/* Reads the job's root PID from dir/pid; returns -1 with a message on stderr if absent or bad. */
int read_job_pid(const char *dir, pid_t *out);

/* Removes dir/name if present. */
void remove_state_file(const char *dir, const char *name);

/*
 * Readies dir for a new launch or restore: creates it; takes the exclusive lock on dir/shim.lock
 * that the new supervisor holds for its whole life (waiting up to 15 s for a previous supervisor
 * whose job has ended to record its exit; refusing at once, message on stderr, while a job still
 * runs there); removes what an earlier run left that would now lie (pid, exit, dump-pending,
 * restore.pid, pages-gate-passed). Returns 0 with the absolute path and the lock's fd (close-on-exec), or -1.
 */
int claim_state_dir(const char *dir, char *absolute, size_t size, int *lock_fd);

#endif
