/*
 * ring: the distributed test job. N processes (ranks) form a TCP ring: rank r listens on its own
 * address and connects to rank (r+1) mod N. Rank 0 sends a token "<round> <value>" around the
 * ring ROUNDS times; every rank adds (rank + 1) to the value before passing it on, after a short
 * pause. Every rank knows which value it must receive next and refuses anything else, so a token
 * that was lost, repeated or rewound by a checkpoint shows as an error, not as a quiet wrong sum.
 *
 *   ring --rank R --size N --peers ADDR:PORT,ADDR:PORT,... [--rounds K (default 100)]
 *        [--hop-ms MS (default 100)] [--connect-seconds S (default 60)] [--mib M (default 0)]
 *
 * Without options the rank, size and peers come from the platform's environment: CAAS_RANK,
 * CAAS_RANKS and CAAS_RANK_ADDRESSES (comma-separated, index = rank); CAAS_RING_PORT (default 7100)
 * is appended to addresses given without a port.
 *
 * Prints "rank <r> round <k> value <v>" for each token it receives, reports progress k/K through
 * libcaas and ends with "rank <r> done rounds <K> value <V>" and exit 0, where V = K * N(N+1)/2 for
 * rank 0. A wrong token prints "rank <r> wrong token: expected ..., got ..." and exits 3; a broken
 * connection exits 4. SIGTERM (SIGINT) exits 143 (130). --mib fills M MiB with pseudo-random bytes first,
 * so that a rank's image has a size worth measuring (benchmarks).
 */
#include <caas.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "workload_arguments.h"

#define MAX_RANKS 64
#define EXIT_WRONG_TOKEN 3
#define EXIT_BROKEN 4

static volatile sig_atomic_t exit_signal;

static void on_exit_signal(int signo)
{
    exit_signal = signo;
}

static void exit_if_asked(void)
{
    if (exit_signal != 0) {
        fflush(stdout);
        _exit(128 + exit_signal);
    }
}

static void install_handler(int signo)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_exit_signal;
    sigemptyset(&action.sa_mask);
    sigaction(signo, &action, NULL);
}

/* Relative sleeps, because a restore on another host may move CLOCK_MONOTONIC anywhere. */
static void sleep_ms(long long milliseconds)
{
    struct timespec remaining = {.tv_sec = milliseconds / 1000, .tv_nsec = (milliseconds % 1000) * 1000000L};
    while (nanosleep(&remaining, &remaining) != 0)
        exit_if_asked();
}

struct ring_options {
    long long rank;
    long long size;
    long long rounds;
    long long hop_ms;
    long long connect_seconds;
    long long mib;
    const char *peers;
};

static int parse_address(const char *text, int default_port, struct sockaddr_in *out)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    size_t host_length = colon == NULL ? strlen(text) : (size_t)(colon - text);
    if (host_length == 0 || host_length >= sizeof host)
        return -1;
    memcpy(host, text, host_length);
    host[host_length] = '\0';
    long long port = default_port;
    if (colon != NULL && parse_count("ring", "peer port", colon + 1, 1, &port) != 0)
        return -1;
    if (port > 65535)
        return -1;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((unsigned short)port);
    return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

/* Splits the comma-separated peer list into addresses; returns how many, or -1 with a message. */
static int parse_peers(const char *peers, int default_port, struct sockaddr_in *addresses)
{
    char copy[4096];
    if (strlen(peers) >= sizeof copy) {
        fprintf(stderr, "ring: the peer list is too long\n");
        return -1;
    }
    strcpy(copy, peers);
    int count = 0;
    char *saved = NULL;
    for (char *item = strtok_r(copy, ",", &saved); item != NULL; item = strtok_r(NULL, ",", &saved)) {
        if (count == MAX_RANKS) {
            fprintf(stderr, "ring: at most %d peers\n", MAX_RANKS);
            return -1;
        }
        if (parse_address(item, default_port, &addresses[count]) != 0) {
            fprintf(stderr, "ring: '%s' is not an IPv4 ADDRESS[:PORT]\n", item);
            return -1;
        }
        count++;
    }
    return count;
}

static int usage(void)
{
    fprintf(stderr, "usage: ring --rank R --size N --peers ADDR:PORT,... [--rounds K] [--hop-ms MS] "
                    "[--connect-seconds S] [--mib M]\n"
                    "       (or CAAS_RANK, CAAS_RANKS, CAAS_RANK_ADDRESSES in the environment)\n");
    return 2;
}

static int parse_options(int argc, char **argv, struct ring_options *options)
{
    const char *rank = getenv("CAAS_RANK");
    const char *size = getenv("CAAS_RANKS");
    options->peers = getenv("CAAS_RANK_ADDRESSES");
    options->rounds = 100;
    options->hop_ms = 100;
    options->connect_seconds = 60;
    options->mib = 0;
    for (int i = 1; i < argc; i++) {
        int has_value = i + 1 < argc;
        if (strcmp(argv[i], "--rank") == 0 && has_value) {
            rank = argv[++i];
        } else if (strcmp(argv[i], "--size") == 0 && has_value) {
            size = argv[++i];
        } else if (strcmp(argv[i], "--peers") == 0 && has_value) {
            options->peers = argv[++i];
        } else if (strcmp(argv[i], "--rounds") == 0 && has_value) {
            if (parse_count("ring", "--rounds", argv[++i], 1, &options->rounds) != 0)
                return -1;
        } else if (strcmp(argv[i], "--hop-ms") == 0 && has_value) {
            if (parse_count("ring", "--hop-ms", argv[++i], 0, &options->hop_ms) != 0)
                return -1;
        } else if (strcmp(argv[i], "--connect-seconds") == 0 && has_value) {
            if (parse_count("ring", "--connect-seconds", argv[++i], 1, &options->connect_seconds) != 0)
                return -1;
        } else if (strcmp(argv[i], "--mib") == 0 && has_value) {
            if (parse_count("ring", "--mib", argv[++i], 0, &options->mib) != 0)
                return -1;
        } else {
            fprintf(stderr, "ring: unknown or incomplete option '%s'\n", argv[i]);
            return -1;
        }
    }
    if (rank == NULL || size == NULL || options->peers == NULL) {
        fprintf(stderr, "ring: needs the rank, the ring size and the peers (options or CAAS_RANK, CAAS_RANKS, "
                        "CAAS_RANK_ADDRESSES)\n");
        return -1;
    }
    if (parse_count("ring", "the ring size", size, 2, &options->size) != 0 ||
        parse_count("ring", "the rank", rank, 0, &options->rank) != 0)
        return -1;
    if (options->size > MAX_RANKS || options->rank >= options->size) {
        fprintf(stderr, "ring: rank %lld does not fit a ring of %lld (at most %d)\n", options->rank,
                options->size, MAX_RANKS);
        return -1;
    }
    return 0;
}

/* Incompressible bytes, so an image's size is what the rank holds; kept until the end. */
static uint64_t *fill_memory(long long mib)
{
    size_t words = (size_t)mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *memory = words == 0 ? NULL : malloc(words * sizeof(uint64_t));
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; memory != NULL && i < words; i++) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        memory[i] = state * 0x2545F4914F6CDD1DULL;
    }
    return memory;
}

static int listen_on(const struct sockaddr_in *address)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (listener < 0 || bind(listener, (const struct sockaddr *)address, sizeof *address) != 0 ||
        listen(listener, 4) != 0) {
        perror("ring: cannot listen on my address");
        return -1;
    }
    return listener;
}

/* The next rank may not listen yet: retries until the deadline. */
static int connect_to(const struct sockaddr_in *address, long long seconds)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        exit_if_asked();
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            perror("ring: socket");
            return -1;
        }
        if (connect(fd, (const struct sockaddr *)address, sizeof *address) == 0) {
            int yes = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
            return fd;
        }
        int error = errno;
        close(fd);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= seconds) {
            fprintf(stderr, "ring: cannot connect to the next rank: %s\n", strerror(error));
            return -1;
        }
        sleep_ms(100);
    }
}

/* Reads one "<round> <value>\n" token; 0 on success, -1 when the connection broke. */
static int read_token(int fd, long long *round, long long *value)
{
    char line[64];
    size_t length = 0;
    for (;;) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR) {
            exit_if_asked();
            continue;
        }
        if (got <= 0)
            return -1;
        if (c == '\n')
            break;
        if (length + 1 >= sizeof line)
            return -1;
        line[length++] = c;
    }
    line[length] = '\0';
    return sscanf(line, "%lld %lld", round, value) == 2 ? 0 : -1;
}

static int send_token(int fd, long long round, long long value)
{
    char line[64];
    int length = snprintf(line, sizeof line, "%lld %lld\n", round, value);
    for (int sent = 0; sent < length;) {
        ssize_t wrote = write(fd, line + sent, (size_t)(length - sent));
        if (wrote < 0 && errno == EINTR) {
            exit_if_asked();
            continue;
        }
        if (wrote <= 0)
            return -1;
        sent += (int)wrote;
    }
    return 0;
}

/* What rank r must receive in round k: rank 0 gets the finished round, the others the partial sum. */
static long long expected_value(long long rank, long long size, long long round)
{
    long long per_round = size * (size + 1) / 2;
    return rank == 0 ? round * per_round : (round - 1) * per_round + rank * (rank + 1) / 2;
}

int main(int argc, char **argv)
{
    struct ring_options options;
    if (parse_options(argc, argv, &options) != 0)
        return usage();
    const char *port_text = getenv("CAAS_RING_PORT");
    long long default_port = 7100;
    if (port_text != NULL && *port_text != '\0' && parse_count("ring", "CAAS_RING_PORT", port_text, 1, &default_port) != 0)
        return 2;
    struct sockaddr_in addresses[MAX_RANKS];
    int peer_count = parse_peers(options.peers, (int)default_port, addresses);
    if (peer_count < 0)
        return 2;
    if (peer_count != options.size) {
        fprintf(stderr, "ring: %d peers given for a ring of %lld\n", peer_count, options.size);
        return 2;
    }

    install_handler(SIGTERM);
    install_handler(SIGINT);
    signal(SIGPIPE, SIG_IGN);

    uint64_t *memory = fill_memory(options.mib);
    if (options.mib > 0 && memory == NULL) {
        fprintf(stderr, "ring: cannot allocate %lld MiB\n", options.mib);
        return EXIT_BROKEN;
    }
    long long rank = options.rank;
    int listener = listen_on(&addresses[rank]);
    if (listener < 0)
        return EXIT_BROKEN;
    int next = connect_to(&addresses[(rank + 1) % options.size], options.connect_seconds);
    if (next < 0)
        return EXIT_BROKEN;
    int previous = accept(listener, NULL, NULL);
    if (previous < 0) {
        perror("ring: accept");
        return EXIT_BROKEN;
    }
    close(listener);
    printf("rank %lld connected\n", rank);
    fflush(stdout);

    if (rank == 0 && send_token(next, 1, 1) != 0) {
        fprintf(stderr, "rank 0: cannot send the first token\n");
        return EXIT_BROKEN;
    }
    for (long long round = 1; round <= options.rounds; round++) {
        long long got_round, got_value;
        if (read_token(previous, &got_round, &got_value) != 0) {
            exit_if_asked();
            fprintf(stderr, "rank %lld: the connection from the previous rank broke in round %lld\n", rank, round);
            return EXIT_BROKEN;
        }
        long long expected = expected_value(rank, options.size, round);
        if (got_round != round || got_value != expected) {
            printf("rank %lld wrong token: expected %lld %lld, got %lld %lld\n", rank, round, expected,
                   got_round, got_value);
            fflush(stdout);
            return EXIT_WRONG_TOKEN;
        }
        printf("rank %lld round %lld value %lld\n", rank, round, got_value);
        fflush(stdout);
        char message[64];
        snprintf(message, sizeof message, "round %lld of %lld", round, options.rounds);
        caas_progress((double)round / (double)options.rounds, message);
        sleep_ms(options.hop_ms);
        /* Rank 0 starts the next round with the first hop's value; the others add their share. */
        int last_hop = rank == 0 && round == options.rounds;
        if (!last_hop) {
            long long next_round = rank == 0 ? round + 1 : round;
            long long next_value = rank == 0 ? got_value + 1 : got_value + rank + 1;
            if (send_token(next, next_round, next_value) != 0) {
                fprintf(stderr, "rank %lld: the connection to the next rank broke in round %lld\n", rank, round);
                return EXIT_BROKEN;
            }
        }
        if (round == options.rounds) {
            printf("rank %lld done rounds %lld value %lld\n", rank, options.rounds, got_value);
            fflush(stdout);
        }
    }
    close(next);
    close(previous);
    free(memory);
    return 0;
}
