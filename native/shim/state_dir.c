#include "state_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

static int process_exists(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
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
    *job = read_pid_file(dir, "pid");
    return process_exists(*job) && process_exists(read_pid_file(dir, "shim.pid"));
}

int prepare_state_dir(const char *dir, char *absolute, size_t size)
{
    if (make_directories(dir) != 0) {
        fprintf(stderr, "caas-shim: cannot create state directory '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    char resolved[PATH_MAX];
    if (realpath(dir, resolved) == NULL || strlen(resolved) >= size) {
        fprintf(stderr, "caas-shim: cannot resolve state directory '%s'\n", dir);
        return -1;
    }
    pid_t job;
    if (job_runs_in(resolved, &job)) {
        fprintf(stderr, "caas-shim: a job is still running in %s (pid %ld)\n", resolved, (long)job);
        return -1;
    }
    strcpy(absolute, resolved);
    remove_state_file(absolute, "pid");
    remove_state_file(absolute, "exit");
    remove_state_file(absolute, "dump-pending");
    remove_state_file(absolute, "restore.pid");
    return 0;
}
