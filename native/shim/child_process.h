/* Runs a helper program (CRIU) to completion with controlled file descriptors. */
#ifndef CHILD_PROCESS_H
#define CHILD_PROCESS_H

/*
 * Runs argv (argv[0] is a path) with stdin /dev/null, stdout and stderr appended to output_path,
 * and passed_fds[i] as its fd 3+i; every other fd is closed. Returns 0 and the wait status, or
 * -1 with errno set if it could not be started.
 */
int run_to_completion(char *const argv[], const char *output_path, const int *passed_fds,
                      int passed_count, int *wait_status);

#endif
