#include "state_dir.h"

/* How long a new launch/restore waits for the previous supervisor of the directory to end. */
#define SUPERVISOR_HANDOVER_MS 15000
/* How long a job found running there may take to end before that counts as a conflict. */
#define RUNNING_JOB_GRACE_MS 1000

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int state_path(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int make_directories(const char *dir)
{
    char path[PATH_MAX];
    if (strlen(dir) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(path, dir);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

int write_file_atomically(const char *dir, const char *name, const char *content)
{
    char final_path[PATH_MAX], temporary_path[PATH_MAX];
    char temporary_name[NAME_MAX];
    snprintf(temporary_name, sizeof temporary_name, ".%s.%ld.tmp", name, (long)getpid());
    if (state_path(final_path, sizeof final_path, dir, name) != 0 ||
        state_path(temporary_path, sizeof temporary_path, dir, temporary_name) != 0)
        return -1;
    int fd = open(temporary_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (write_all(fd, content, strlen(content)) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(temporary_path);
        errno = saved;
        return -1;
    }
    close(fd);
    if (rename(temporary_path, final_path) != 0) {
        int saved = errno;
        unlink(temporary_path);
        errno = saved;
        return -1;
    }
    return 0;
}

ssize_t read_small_file(const char *dir, const char *name, char *out, size_t size)
{
    char path[PATH_MAX];
    if (state_path(path, sizeof path, dir, name) != 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t total = 0;
    while (total + 1 < size) {
        ssize_t n = read(fd, out + total, size - 1 - total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    close(fd);
    out[total] = '\0';
    return (ssize_t)total;
}

int read_job_pid(const char *dir, pid_t *out)
{
    char text[32];
    if (read_small_file(dir, "pid", text, sizeof text) < 0) {
        fprintf(stderr, "caas-shim: no job in %s: cannot read %s/pid: %s\n", dir, dir, strerror(errno));
        return -1;
    }
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || (*end != '\n' && *end != '\0') || value <= 1) {
        fprintf(stderr, "caas-shim: %s/pid does not hold a process id\n", dir);
        return -1;
    }
    *out = (pid_t)value;
    return 0;
}

void remove_state_file(const char *dir, const char *name)
{
    char path[PATH_MAX];
    if (state_path(path, sizeof path, dir, name) == 0)
        unlink(path);
}

/* A process that has ended but is not reaped yet (a zombie) does not count. */
static int process_exists(pid_t pid)
{
    if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
        return 0;
    char path[64], stat_text[512];
    snprintf(path, sizeof path, "/proc/%ld", (long)pid);
    if (read_small_file(path, "stat", stat_text, sizeof stat_text) <= 0)
        return 0;
    const char *after_name = strrchr(stat_text, ')');
    return after_name == NULL || after_name[1] == '\0' || after_name[2] != 'Z';
}

static pid_t read_pid_file(const char *dir, const char *name)
{
    char text[32];
    if (read_small_file(dir, name, text, sizeof text) <= 0)
        return 0;
    return (pid_t)strtol(text, NULL, 10);
}

/* A job runs in dir while it has no exit file and both it and its supervisor are alive. */
static int job_runs_in(const char *dir, pid_t *job)
{
    char exit_text[8];
    if (read_small_file(dir, "exit", exit_text, sizeof exit_text) >= 0)
        return 0;
    pid_t candidate = read_pid_file(dir, "pid");
    if (!process_exists(candidate) || !process_exists(read_pid_file(dir, "shim.pid")))
        return 0;
    *job = candidate;
    return 1;
}

static void sleep_ms(long ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

int claim_state_dir(const char *dir, char *absolute, size_t size, int *lock_fd)
{
    if (make_directories(dir) != 0) {
        fprintf(stderr, "caas-shim: cannot create state directory '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    char resolved[PATH_MAX], lock_path[PATH_MAX];
    if (realpath(dir, resolved) == NULL || strlen(resolved) >= size ||
        state_path(lock_path, sizeof lock_path, resolved, "shim.lock") != 0) {
        fprintf(stderr, "caas-shim: cannot resolve state directory '%s'\n", dir);
        return -1;
    }
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "caas-shim: cannot open %s: %s\n", lock_path, strerror(errno));
        return -1;
    }
    /* A supervisor whose job just died may still be recording its exit: let it finish first. */
    for (int waited_ms = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited_ms += 50) {
        int lock_errno = errno;
        pid_t job = 0;
        /* A job killed just before this call may take a moment to end: a short grace first. */
        int running = waited_ms >= RUNNING_JOB_GRACE_MS && job_runs_in(resolved, &job);
        if (lock_errno != EWOULDBLOCK || running || waited_ms >= SUPERVISOR_HANDOVER_MS) {
            if (job > 0)
                fprintf(stderr, "caas-shim: a job is still running in %s (pid %ld)\n", resolved, (long)job);
            else
                fprintf(stderr, "caas-shim: another supervisor (pid %ld) still owns %s\n",
                        (long)read_pid_file(resolved, "shim.pid"), resolved);
            close(fd);
            return -1;
        }
        sleep_ms(50);
    }
    strcpy(absolute, resolved);
    remove_state_file(absolute, "pid");
    remove_state_file(absolute, "exit");
    remove_state_file(absolute, "dump-pending");
    remove_state_file(absolute, "restore.pid");
    /* Not pages-verdict: the agent may write this restore's verdict before the shim gets here. */
    remove_state_file(absolute, "pages-gate-passed");
    *lock_fd = fd;
    return 0;
}
