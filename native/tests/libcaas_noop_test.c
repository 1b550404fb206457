/* Outside the platform libcaas must do nothing at all: return 0 and open nothing. */
#include <caas.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static int open_fd_count(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        count++;
    closedir(dir);
    return count;
}

static int failures;

static void expect(int condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

int main(void)
{
    unsetenv("CAAS_PROGRESS_SOCKET");
    unsetenv("CAAS_JOB_ID");
    int fds_before = open_fd_count();
    expect(caas_progress(0.5, "half") == 0, "progress without env returns 0");
    expect(caas_heartbeat() == 0, "heartbeat without env returns 0");

    /* A half-configured environment is still "outside the platform". */
    setenv("CAAS_PROGRESS_SOCKET", "/nonexistent/caas.sock", 1);
    expect(caas_progress(0.5, "half") == 0, "progress without CAAS_JOB_ID returns 0");
    unsetenv("CAAS_PROGRESS_SOCKET");
    setenv("CAAS_JOB_ID", "job-1", 1);
    expect(caas_heartbeat() == 0, "heartbeat without CAAS_PROGRESS_SOCKET returns 0");
    setenv("CAAS_PROGRESS_SOCKET", "", 1);
    expect(caas_heartbeat() == 0, "heartbeat with an empty socket path returns 0");

    expect(open_fd_count() == fds_before, "no file descriptor left open");
    if (failures == 0)
        printf("libcaas no-op: ok\n");
    return failures == 0 ? 0 : 1;
}
