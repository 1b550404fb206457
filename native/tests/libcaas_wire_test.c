/* libcaas sends exactly the specified datagrams, keeps no fd open, and survives a gone agent. */
#include <caas.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int failures;
static int agent_fd = -1;

static void expect(int condition, const char *what)
{
    if (!condition) {
        fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

static int open_fd_count(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        count++;
    closedir(dir);
    return count;
}

/* Receives the next datagram (or "" after 1 s) and compares it with the expected text. */
static void expect_datagram(const char *expected, const char *what)
{
    char buffer[1024];
    ssize_t n = recv(agent_fd, buffer, sizeof buffer - 1, 0);
    buffer[n < 0 ? 0 : n] = '\0';
    if (strcmp(buffer, expected) != 0) {
        fprintf(stderr, "FAIL: %s\n  expected '%s'\n  received '%s'\n", what, expected, buffer);
        failures++;
    }
}

int main(void)
{
    char dir_template[] = "/tmp/caas-wire-XXXXXX";
    char *dir = mkdtemp(dir_template);
    char socket_path[64];
    snprintf(socket_path, sizeof socket_path, "%s/agent.sock", dir);

    agent_fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    memcpy(address.sun_path, socket_path, strlen(socket_path) + 1);
    if (bind(agent_fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("bind");
        return 1;
    }
    struct timeval timeout = {.tv_sec = 1};
    setsockopt(agent_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setenv("CAAS_PROGRESS_SOCKET", socket_path, 1);
    setenv("CAAS_JOB_ID", "job-42", 1);
    int fds_before = open_fd_count();

    expect(caas_progress(0.5, "half way") == 0, "progress returns 0 when the agent listens");
    expect_datagram("caas1 job-42 progress 0.500000 half way", "plain progress");
    expect(caas_heartbeat() == 0, "heartbeat returns 0 when the agent listens");
    expect_datagram("caas1 job-42 heartbeat", "heartbeat");
    caas_progress(0.1234567, "");
    expect_datagram("caas1 job-42 progress 0.123457 ", "six decimals, empty message");
    caas_progress(1.7, "over");
    expect_datagram("caas1 job-42 progress 1.000000 over", "fraction clamped to 1");
    caas_progress(-3.0, NULL);
    expect_datagram("caas1 job-42 progress 0.000000 ", "fraction clamped to 0, NULL message");
    caas_progress(NAN, "nan");
    expect_datagram("caas1 job-42 progress 0.000000 nan", "NaN reported as 0");
    caas_progress(0.25, "line one\nline two\r\nend");
    expect_datagram("caas1 job-42 progress 0.250000 line one line two  end", "newlines become spaces");

    char long_message[301], expected[400];
    memset(long_message, 'x', 300);
    long_message[300] = '\0';
    caas_progress(1.0, long_message);
    snprintf(expected, sizeof expected, "caas1 job-42 progress 1.000000 %.200s", long_message);
    expect_datagram(expected, "message cut to 200 bytes");

    /* 199 ASCII bytes then a 2-byte UTF-8 character: the cut must not split it. */
    char utf8_message[210];
    memset(utf8_message, 'y', 199);
    strcpy(utf8_message + 199, "\xc3\xa9zz");
    caas_progress(1.0, utf8_message);
    snprintf(expected, sizeof expected, "caas1 job-42 progress 1.000000 %.199s", utf8_message);
    expect_datagram(expected, "cut on a UTF-8 boundary");

    setenv("CAAS_JOB_ID", "bad id", 1);
    expect(caas_heartbeat() == -1, "a job id with a blank is refused");
    setenv("CAAS_JOB_ID", "job-42", 1);

    expect(open_fd_count() == fds_before, "no file descriptor kept open between calls");

    /* The agent goes away: calls fail quietly, never block, never raise SIGPIPE. */
    close(agent_fd);
    unlink(socket_path);
    signal(SIGPIPE, SIG_DFL);
    expect(caas_progress(0.9, "agent gone") == -1, "progress returns -1 when the agent is gone");
    expect(caas_heartbeat() == -1, "heartbeat returns -1 when the agent is gone");
    expect(open_fd_count() == fds_before - 1, "no fd left after failed sends");

    rmdir(dir);
    if (failures == 0)
        printf("libcaas wire format: ok\n");
    return failures == 0 ? 0 : 1;
}
