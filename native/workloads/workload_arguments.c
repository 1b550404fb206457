#include "workload_arguments.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int parse_count(const char *program, const char *option, const char *text, long long minimum,
                long long *out)
{
    char *end = NULL;
    errno = 0;
    long long value = text == NULL ? 0 : strtoll(text, &end, 10);
    if (text == NULL || end == text || *end != '\0' || errno != 0 || value < minimum) {
        fprintf(stderr, "%s: %s needs a whole number >= %lld, got '%s'\n", program, option, minimum,
                text == NULL ? "" : text);
        return -1;
    }
    *out = value;
    return 0;
}

int parse_real(const char *program, const char *option, const char *text, double minimum,
               double maximum, int minimum_allowed, double *out)
{
    char *end = NULL;
    errno = 0;
    double value = text == NULL ? 0.0 : strtod(text, &end);
    int in_range = minimum_allowed ? value >= minimum : value > minimum;
    if (text == NULL || end == text || *end != '\0' || errno != 0 || !in_range || !(value <= maximum)) {
        fprintf(stderr, "%s: %s needs a number in %s%g, %g], got '%s'\n", program, option,
                minimum_allowed ? "[" : "(", minimum, maximum, text == NULL ? "" : text);
        return -1;
    }
    *out = value;
    return 0;
}
