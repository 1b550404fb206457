/*
 * capture_cases: one workload per kind of process state a checkpoint must carry, each checking at every
 * tick that the state still works, so a restored image that lost any of it stops counting and exits 3
 * with the reason on stderr. Each tick prints "<case> tick <n>" and reports tick / target through libcaas.
 *
 *   capture_cases --case tree|threads|files|pipe|unix|tcp [--target N (default 1000000)] [--rate PER_SECOND (default 20)]
 *
 *   tree     a forked child and an exec'd grandchild (/bin/sleep) stay alive under the same PIDs;
 *   threads  four threads keep counting, each on its own counter;
 *   files    a file in the working directory keeps its content and the descriptor its offset, and the
 *            working directory stays the same;
 *   pipe     a child echoes each tick back over a pair of pipes;
 *   unix     a child echoes each tick back over a Unix stream socket pair;
 *   tcp      the job talks to itself over an established TCP connection on 127.0.0.1.
 * Every case also checks that getpid() keeps its value (the job runs in its own PID namespace).
 * SIGTERM exits 143.
 */
#include <caas.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload_arguments.h"

#define THREADS 4
#define FILE_BYTES 4096

static volatile sig_atomic_t exit_signal;
static pid_t own_pid;
static pid_t child_pid;
static pid_t grandchild_pid;
static int to_peer = -1;
static int from_peer = -1;
static int file_fd = -1;
static char start_directory[PATH_MAX];
static atomic_llong thread_counts[THREADS];
static long long last_thread_counts[THREADS];

static void on_exit_signal(int signo) { exit_signal = signo; }

static void fail(const char *what)
{
    fprintf(stderr, "capture_cases: %s (errno %d: %s)\n", what, errno, strerror(errno));
    fflush(stderr);
    _exit(3);
}

/* Relative sleeps, because a restore may move CLOCK_MONOTONIC anywhere. */
static void sleep_seconds(double seconds)
{
    struct timespec remaining = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (nanosleep(&remaining, &remaining) != 0) {
        if (exit_signal != 0)
            _exit(128 + exit_signal);
    }
}

static void write_all(int fd, const void *data, size_t length)
{
    const char *at = data;
    while (length > 0) {
        ssize_t written = write(fd, at, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            fail("write to the peer failed");
        at += written;
        length -= (size_t)written;
    }
}

static void read_all(int fd, void *data, size_t length)
{
    char *at = data;
    while (length > 0) {
        ssize_t got = read(fd, at, length);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            fail("read from the peer failed");
        at += got;
        length -= (size_t)got;
    }
}

/* The peer's side: echo every number it is sent, plus one. Exits when the job's side goes away. */
static void echo_forever(int in, int out)
{
    for (;;) {
        long long n;
        ssize_t got = read(in, &n, sizeof n);
        if (got == 0)
            _exit(0);
        if (got != (ssize_t)sizeof n)
            fail("echo peer read a partial number");
        n++;
        write_all(out, &n, sizeof n);
    }
}

static void exchange(long long tick)
{
    long long answer;
    write_all(to_peer, &tick, sizeof tick);
    read_all(from_peer, &answer, sizeof answer);
    if (answer != tick + 1)
        fail("the peer answered the wrong number");
}

static void start_pipe_peer(void)
{
    int there[2], back[2];
    if (pipe(there) != 0 || pipe(back) != 0)
        fail("pipe failed");
    child_pid = fork();
    if (child_pid < 0)
        fail("fork failed");
    if (child_pid == 0) {
        close(there[1]);
        close(back[0]);
        echo_forever(there[0], back[1]);
    }
    close(there[0]);
    close(back[1]);
    to_peer = there[1];
    from_peer = back[0];
}

static void start_unix_peer(void)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
        fail("socketpair failed");
    child_pid = fork();
    if (child_pid < 0)
        fail("fork failed");
    if (child_pid == 0) {
        close(pair[0]);
        echo_forever(pair[1], pair[1]);
    }
    close(pair[1]);
    to_peer = from_peer = pair[0];
}

/* Both ends in this job: a listening socket, a connected client, and a forked server that echoes. */
static void start_tcp_peer(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0
        || getsockname(listener, (struct sockaddr *)&address, &length) != 0)
        fail("could not listen on 127.0.0.1");
    child_pid = fork();
    if (child_pid < 0)
        fail("fork failed");
    if (child_pid == 0) {
        int connection = accept(listener, NULL, NULL);
        if (connection < 0)
            fail("accept failed");
        close(listener);
        echo_forever(connection, connection);
    }
    close(listener);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (struct sockaddr *)&address, sizeof address) != 0)
        fail("connect to 127.0.0.1 failed");
    to_peer = from_peer = client;
}

static void start_tree(void)
{
    child_pid = fork();
    if (child_pid < 0)
        fail("fork failed");
    if (child_pid == 0) {
        /* Each generation dies with its parent, so the tree never outlives the job. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        grandchild_pid = fork();
        if (grandchild_pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            execl("/bin/sleep", "sleep", "1000000", (char *)NULL);
            fail("exec /bin/sleep failed");
        }
        for (;;) {
            int status;
            /* The grandchild must stay alive: if it ends, so does this child, and the parent notices. */
            if (waitpid(grandchild_pid, &status, 0) == grandchild_pid)
                _exit(4);
        }
    }
}

static void check_tree(void)
{
    int status;
    if (waitpid(child_pid, &status, WNOHANG) != 0)
        fail("the forked child ended or is not ours any more");
    if (kill(child_pid, 0) != 0)
        fail("the forked child's PID is not valid");
}

static void *count_forever(void *argument)
{
    atomic_llong *count = argument;
    for (;;) {
        atomic_fetch_add(count, 1);
        sleep_seconds(0.005);
    }
    return NULL;
}

static void start_threads(void)
{
    for (int i = 0; i < THREADS; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, count_forever, &thread_counts[i]) != 0)
            fail("pthread_create failed");
        pthread_detach(thread);
    }
}

static void check_threads(void)
{
    for (int i = 0; i < THREADS; i++) {
        /* Each thread counts every 5 ms; a tick is 50 ms: give it several ticks before calling it dead. */
        long long now = atomic_load(&thread_counts[i]);
        for (int wait = 0; now == last_thread_counts[i] && wait < 100; wait++) {
            sleep_seconds(0.01);
            now = atomic_load(&thread_counts[i]);
        }
        if (now == last_thread_counts[i])
            fail("a thread stopped counting");
        last_thread_counts[i] = now;
    }
}

static unsigned char pattern_at(size_t i) { return (unsigned char)((i * 7 + 3) & 0xff); }

static void start_file(void)
{
    if (getcwd(start_directory, sizeof start_directory) == NULL)
        fail("getcwd failed");
    file_fd = open("capture_cases.data", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (file_fd < 0)
        fail("could not create capture_cases.data in the working directory");
    unsigned char data[FILE_BYTES];
    for (size_t i = 0; i < FILE_BYTES; i++)
        data[i] = pattern_at(i);
    write_all(file_fd, data, sizeof data);
    /* Leave the offset in the middle: a restore must bring back the offset, not just the file. */
    if (lseek(file_fd, FILE_BYTES / 2, SEEK_SET) != FILE_BYTES / 2)
        fail("lseek failed");
}

static void check_file(void)
{
    char directory[PATH_MAX];
    if (getcwd(directory, sizeof directory) == NULL || strcmp(directory, start_directory) != 0)
        fail("the working directory changed");
    if (lseek(file_fd, 0, SEEK_CUR) != FILE_BYTES / 2)
        fail("the open file's offset changed");
    unsigned char data[FILE_BYTES];
    if (pread(file_fd, data, sizeof data, 0) != FILE_BYTES)
        fail("the open file is shorter");
    for (size_t i = 0; i < FILE_BYTES; i++) {
        if (data[i] != pattern_at(i))
            fail("the open file's content changed");
    }
}

int main(int argc, char **argv)
{
    const char *kind = NULL;
    long long target = 1000000;
    double rate = 20.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            kind = argv[++i];
        } else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
            if (parse_count("capture_cases", "--target", argv[++i], 1, &target) != 0)
                return 2;
        } else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) {
            if (parse_real("capture_cases", "--rate", argv[++i], 0.0, 1e4, 0, &rate) != 0)
                return 2;
        } else {
            fprintf(stderr, "capture_cases: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (kind == NULL) {
        fprintf(stderr, "usage: capture_cases --case tree|threads|files|pipe|unix|tcp [--target N] [--rate PER_SECOND]\n");
        return 2;
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_exit_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    own_pid = getpid();

    void (*check)(long long) = NULL;
    if (strcmp(kind, "tree") == 0)
        start_tree();
    else if (strcmp(kind, "threads") == 0)
        start_threads();
    else if (strcmp(kind, "files") == 0)
        start_file();
    else if (strcmp(kind, "pipe") == 0)
        start_pipe_peer();
    else if (strcmp(kind, "unix") == 0)
        start_unix_peer();
    else if (strcmp(kind, "tcp") == 0)
        start_tcp_peer();
    else {
        fprintf(stderr, "capture_cases: unknown case '%s'\n", kind);
        return 2;
    }
    if (to_peer >= 0)
        check = exchange;

    for (long long tick = 1;; tick++) {
        if (exit_signal != 0)
            _exit(128 + exit_signal);
        if (getpid() != own_pid)
            fail("getpid() changed");
        if (check != NULL)
            check(tick);
        else if (child_pid > 0)
            check_tree();
        else if (file_fd >= 0)
            check_file();
        else
            check_threads();
        char message[64];
        snprintf(message, sizeof message, "%s tick %lld", kind, tick);
        caas_progress((double)tick / (double)target, message);
        printf("%s\n", message);
        fflush(stdout);
        if (tick >= target) {
            if (child_pid > 0)
                kill(child_pid, SIGKILL);
            return 0;
        }
        sleep_seconds(1.0 / rate);
    }
}
