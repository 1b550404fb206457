/*
 * counter: the platform's demo and test job. Counts up at a fixed rate, reports each count as
 * progress through libcaas and prints "count <n>". Its only state is the count in memory, so a
 * restored image continues from the checkpointed count.
 *
 *   counter [--target N (default 1000000)] [--rate PER_SECOND (default 10)]
 *
 * SIGUSR1 simulates a hung job: it stops counting and reporting for good. SIGTERM (and SIGINT)
 * exit 143 (130). Handlers are installed explicitly because the job may be PID 1 of its own PID
 * namespace, where signals with a default action are ignored.
 */
#include <caas.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload_arguments.h"

static volatile sig_atomic_t hang_requested;
static volatile sig_atomic_t exit_signal;

static void on_hang(int signo)
{
    (void)signo;
    hang_requested = 1;
}

static void on_exit_signal(int signo)
{
    exit_signal = signo;
}

static void install_handler(int signo, void (*handler)(int))
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(signo, &action, NULL);
}

static void exit_if_asked(void)
{
    if (exit_signal != 0) {
        fflush(stdout);
        _exit(128 + exit_signal);
    }
}

/* Relative sleeps, because a restore on another host may move CLOCK_MONOTONIC anywhere. */
static void sleep_interval(double seconds)
{
    struct timespec remaining;
    remaining.tv_sec = (time_t)seconds;
    remaining.tv_nsec = (long)((seconds - (double)remaining.tv_sec) * 1e9);
    while (nanosleep(&remaining, &remaining) != 0) {
        exit_if_asked();
        if (hang_requested)
            return;
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: counter [--target N] [--rate PER_SECOND]\n");
    return 2;
}

int main(int argc, char **argv)
{
    long long target = 1000000;
    double rate = 10.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
            if (parse_count("counter", "--target", argv[++i], 1, &target) != 0)
                return 2;
        } else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) {
            if (parse_real("counter", "--rate", argv[++i], 0.0, 1e6, 0, &rate) != 0)
                return 2;
        } else {
            fprintf(stderr, "counter: unknown or incomplete option '%s'\n", argv[i]);
            return usage();
        }
    }

    install_handler(SIGUSR1, on_hang);
    install_handler(SIGTERM, on_exit_signal);
    install_handler(SIGINT, on_exit_signal);
    /* Output is best effort: the job keeps counting even if nobody reads its stdout any more. */
    signal(SIGPIPE, SIG_IGN);

    long long count = 0;
    while (!hang_requested) {
        exit_if_asked();
        count++;
        char message[64];
        snprintf(message, sizeof message, "count %lld", count);
        caas_progress((double)count / (double)target, message);
        printf("%s\n", message);
        fflush(stdout);
        if (count >= target)
            return 0;
        sleep_interval(1.0 / rate);
    }

    for (;;) {
        pause();
        exit_if_asked();
    }
}
