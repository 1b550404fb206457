/*
 * memhog: a job with a large, changing memory image, for checkpoint size and dedup tests.
 *
 *   memhog --mib N [--dirty-fraction F (default 0.1)] [--interval-ms MS (default 1000)]
 *          [--rounds R (default: forever)] [--on-signal] [--verify]
 *
 * Fills N MiB with incompressible pseudo-random bytes, then every interval rewrites fraction F of
 * its pages with new random bytes (a window that moves through the buffer, so each round dirties
 * exactly that many distinct pages), prints "round <r>" and reports progress r/R through libcaas
 * (r/(r+100) when running forever). SIGTERM (SIGINT) exits 143 (130), also as PID 1.
 *
 * --on-signal: a round runs when SIGUSR1 arrives instead of every interval, so that a test or
 * benchmark changes exactly fraction F between two checkpoints.
 * --verify: each round first checks that the memory still has the checksum it had at the end of
 * the previous round, and exits 3 with "memhog: memory corrupted before round <r>" if not: a
 * restore that brought back wrong pages is caught by the job itself.
 */
#include <caas.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "workload_arguments.h"

#define PAGE_BYTES 4096u

static volatile sig_atomic_t exit_signal;
static volatile sig_atomic_t rounds_asked;

static void on_exit_signal(int signo)
{
    exit_signal = signo;
}

static void on_round_signal(int signo)
{
    (void)signo;
    rounds_asked++;
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

/* xorshift64*: fast, and its output does not compress. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static void fill_page(unsigned char *page, uint64_t *state)
{
    for (unsigned offset = 0; offset < PAGE_BYTES; offset += sizeof(uint64_t)) {
        uint64_t value = next_random(state);
        memcpy(page + offset, &value, sizeof value);
    }
}

/* FNV-1a over 64-bit words: cheap, and any changed word changes it (with overwhelming likelihood). */
static uint64_t checksum(const unsigned char *memory, size_t bytes)
{
    uint64_t sum = 0xcbf29ce484222325ULL;
    for (size_t offset = 0; offset < bytes; offset += sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, memory + offset, sizeof word);
        sum = (sum ^ word) * 0x100000001b3ULL;
    }
    return sum;
}

static void sleep_ms(long long ms)
{
    struct timespec remaining = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&remaining, &remaining) != 0)
        exit_if_asked();
}

static int usage(void)
{
    fprintf(stderr, "usage: memhog --mib N [--dirty-fraction F] [--interval-ms MS] [--rounds R] [--on-signal] [--verify]\n");
    return 2;
}

int main(int argc, char **argv)
{
    long long mib = 0, interval_ms = 1000, rounds = 0;
    double dirty_fraction = 0.1;
    int on_signal = 0, verify = 0;
    for (int i = 1; i < argc; i++) {
        int failed = 0;
        if (strcmp(argv[i], "--on-signal") == 0)
            on_signal = 1;
        else if (strcmp(argv[i], "--verify") == 0)
            verify = 1;
        else if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc)
            failed = parse_count("memhog", "--mib", argv[++i], 1, &mib);
        else if (strcmp(argv[i], "--dirty-fraction") == 0 && i + 1 < argc)
            failed = parse_real("memhog", "--dirty-fraction", argv[++i], 0.0, 1.0, 1, &dirty_fraction);
        else if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc)
            failed = parse_count("memhog", "--interval-ms", argv[++i], 0, &interval_ms);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            failed = parse_count("memhog", "--rounds", argv[++i], 1, &rounds);
        else {
            fprintf(stderr, "memhog: unknown or incomplete option '%s'\n", argv[i]);
            return usage();
        }
        if (failed)
            return 2;
    }
    if (mib == 0) {
        fprintf(stderr, "memhog: --mib is required\n");
        return usage();
    }

    install_handler(SIGTERM, on_exit_signal);
    install_handler(SIGINT, on_exit_signal);
    install_handler(SIGUSR1, on_round_signal);
    signal(SIGPIPE, SIG_IGN);

    size_t bytes = (size_t)mib * 1024u * 1024u;
    unsigned char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        fprintf(stderr, "memhog: cannot allocate %lld MiB\n", mib);
        return 1;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t state = ((uint64_t)now.tv_sec * 1000000007ULL) ^ (uint64_t)now.tv_nsec ^ ((uint64_t)getpid() << 32);
    if (state == 0)
        state = 0x9E3779B97F4A7C15ULL;

    size_t pages = bytes / PAGE_BYTES;
    for (size_t page = 0; page < pages; page++) {
        fill_page(memory + page * PAGE_BYTES, &state);
        if ((page & 0xFFFF) == 0)
            exit_if_asked();
    }
    printf("allocated %lld MiB\n", mib);
    fflush(stdout);

    size_t dirty_pages = (size_t)((double)pages * dirty_fraction + 0.5);
    size_t window_start = 0;
    uint64_t expected = verify ? checksum(memory, bytes) : 0;
    sig_atomic_t rounds_done = 0;
    for (long long round = 1; rounds == 0 || round <= rounds; round++) {
        if (on_signal) {
            /* Short sleeps, so that a dump in between never sees a long-running syscall. */
            while (rounds_asked == rounds_done) {
                sleep_ms(10);
                exit_if_asked();
            }
            rounds_done++;
        } else {
            sleep_ms(interval_ms);
        }
        exit_if_asked();
        if (verify && checksum(memory, bytes) != expected) {
            printf("memhog: memory corrupted before round %lld\n", round);
            fflush(stdout);
            return 3;
        }
        for (size_t n = 0; n < dirty_pages; n++)
            fill_page(memory + ((window_start + n) % pages) * PAGE_BYTES, &state);
        window_start = (window_start + dirty_pages) % pages;
        if (verify)
            expected = checksum(memory, bytes);

        char message[64];
        snprintf(message, sizeof message, "round %lld", round);
        double fraction = rounds > 0 ? (double)round / (double)rounds : (double)round / (double)(round + 100);
        caas_progress(fraction, message);
        printf("%s\n", message);
        fflush(stdout);
    }
    munmap(memory, bytes);
    return 0;
}
