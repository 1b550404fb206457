#include "criu_log.h"

#include <stdio.h>
#include <string.h>

#define KEPT_LINES 12
#define LINE_BYTES 512

static int is_harmless(const char *line)
{
    return strstr(line, "RLIMIT_NOFILE") != NULL;
}

static int is_error(const char *line)
{
    return strstr(line, "Error") != NULL || strstr(line, "error") != NULL;
}

static void append(char *out, size_t size, const char *prefix, const char *line)
{
    size_t used = strlen(out);
    if (used + 1 >= size)
        return;
    int n = snprintf(out + used, size - used, "%s%s%s", prefix, line,
                     line[0] != '\0' && line[strlen(line) - 1] == '\n' ? "" : "\n");
    (void)n;
}

void append_criu_errors(char *out, size_t size, const char *prefix, const char *path)
{
    FILE *log = fopen(path, "re");
    if (log == NULL) {
        char line[LINE_BYTES];
        snprintf(line, sizeof line, "(no log at %s)", path);
        append(out, size, prefix, line);
        return;
    }
    /* Rings of the last error lines and of the last lines of any kind. */
    char errors[KEPT_LINES][LINE_BYTES], tail[KEPT_LINES][LINE_BYTES];
    int error_count = 0, tail_count = 0;
    char line[LINE_BYTES];
    while (fgets(line, sizeof line, log) != NULL) {
        if (is_harmless(line))
            continue;
        snprintf(tail[tail_count % KEPT_LINES], LINE_BYTES, "%s", line);
        tail_count++;
        if (is_error(line)) {
            snprintf(errors[error_count % KEPT_LINES], LINE_BYTES, "%s", line);
            error_count++;
        }
    }
    fclose(log);

    char (*kept)[LINE_BYTES] = error_count > 0 ? errors : tail;
    int count = error_count > 0 ? error_count : tail_count;
    int first = count > KEPT_LINES ? count - KEPT_LINES : 0;
    for (int i = first; i < count; i++)
        append(out, size, prefix, kept[i % KEPT_LINES]);
}
