/* Picks the lines of a CRIU log that explain a failure. */
#ifndef CRIU_LOG_H
#define CRIU_LOG_H

#include <stddef.h>

/*
 * Appends to out (NUL-terminated, at most size bytes) the error lines of the log at path,
 * each prefixed with prefix, leaving out the "Can't setup RLIMIT_NOFILE" error CRIU prints on
 * every run here. Falls back to the log's last lines when it has no error line.
 */
void append_criu_errors(char *out, size_t size, const char *prefix, const char *path);

#endif
