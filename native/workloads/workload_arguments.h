/* Strict number parsing for the workloads' options: bad input is refused with a clear message. */
#ifndef WORKLOAD_ARGUMENTS_H
#define WORKLOAD_ARGUMENTS_H

/* Each returns 0 and sets *out, or prints "<program>: <option> ..." on stderr and returns -1. */
int parse_count(const char *program, const char *option, const char *text, long long minimum,
                long long *out);
int parse_real(const char *program, const char *option, const char *text, double minimum,
               double maximum, int minimum_allowed, double *out);

#endif
