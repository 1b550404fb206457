/*
 * cruncher: a CPU-bound job whose progress is work done, not time passed. It repeats a fixed unit
 * of arithmetic and reports progress after every unit, so its progress rate falls exactly as much
 * as the CPU it gets: the workload for starvation (CPU quota, a competing hog) tests and demos.
 *
 *   cruncher [--units N (default 1000000)] [--unit-work ITERATIONS (default 20000000, about 30 ms here)]
 *
 * SIGTERM (and SIGINT) exit 143 (130); handlers are explicit because the job may be PID 1 of its
 * own PID namespace, where signals with a default action are ignored.
 */
#include <caas.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "workload_arguments.h"

static volatile sig_atomic_t exit_signal;

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

/* One unit of work: an xorshift walk the compiler cannot fold away, since its result is kept. */
static uint64_t crunch(uint64_t state, long long iterations)
{
    for (long long i = 0; i < iterations; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    return state;
}

static int usage(void)
{
    fprintf(stderr, "usage: cruncher [--units N] [--unit-work ITERATIONS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    long long units = 1000000;
    long long unit_work = 20000000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--units") == 0 && i + 1 < argc) {
            if (parse_count("cruncher", "--units", argv[++i], 1, &units) != 0)
                return 2;
        } else if (strcmp(argv[i], "--unit-work") == 0 && i + 1 < argc) {
            if (parse_count("cruncher", "--unit-work", argv[++i], 1, &unit_work) != 0)
                return 2;
        } else {
            fprintf(stderr, "cruncher: unknown or incomplete option '%s'\n", argv[i]);
            return usage();
        }
    }

    install_handler(SIGTERM, on_exit_signal);
    install_handler(SIGINT, on_exit_signal);
    signal(SIGPIPE, SIG_IGN);

    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (long long done = 1; done <= units; done++) {
        if (exit_signal != 0) {
            fflush(stdout);
            _exit(128 + exit_signal);
        }
        state = crunch(state, unit_work);
        char message[64];
        snprintf(message, sizeof message, "unit %lld", done);
        caas_progress((double)done / (double)units, message);
    }
    printf("done %llu\n", (unsigned long long)(state & 0xffff));
    return 0;
}
