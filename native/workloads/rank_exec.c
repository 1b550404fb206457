/*
 * rank_exec: starts an MPI launcher's remote share inside another rank of the same distributed job, without ssh.
 * Open MPI's mpirun starts its daemon on each other host through an "rsh agent" ("AGENT HOST COMMAND..."). Under
 * caas every rank is a job of its own that the platform launched in a namespace carrying the rank's address, so:
 *
 *   rank_exec serve PORT             (the other ranks) wait on PORT for one command line, answer "ok", close the
 *                                    connection and the listening socket, and exec /bin/sh -c COMMAND in place: the
 *                                    daemon is then the rank's process, checkpointed and restored with it.
 *   rank_exec send PORT HOST ARG...  (the rsh agent of rank 0's mpirun) sends "ARG..." to HOST:PORT, retrying for up
 *                                    to 30 s while HOST's rank is not listening yet, and exits 0 once it was taken.
 *
 * Nothing stays open across the exec, so no socket of this handshake is left for CRIU to carry.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_COMMAND = 64 * 1024 };

static int parse_port(const char *text)
{
    char *end = NULL;
    long port = strtol(text, &end, 10);
    if (end == text || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "rank_exec: '%s' is not a port\n", text);
        exit(2);
    }
    return (int)port;
}

static int serve(int port)
{
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) != 0 ||
        bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0) {
        perror("rank_exec: listen");
        return 1;
    }
    static char command[MAX_COMMAND + 1];
    for (;;) {
        int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (connection < 0) {
            if (errno == EINTR)
                continue;
            perror("rank_exec: accept");
            return 1;
        }
        size_t length = 0;
        ssize_t got = 0;
        while (length < MAX_COMMAND && (got = read(connection, command + length, MAX_COMMAND - length)) > 0) {
            length += (size_t)got;
            if (memchr(command, '\n', length) != NULL)
                break;
        }
        char *newline = memchr(command, '\n', length);
        if (newline == NULL) {
            /* Not a whole command line: whoever it was is told so, and the rank keeps waiting for its launcher. */
            static const char refused[] = "refused: no command line\n";
            (void)!write(connection, refused, sizeof refused - 1);
            close(connection);
            continue;
        }
        *newline = '\0';
        static const char ok[] = "ok\n";
        (void)!write(connection, ok, sizeof ok - 1);
        close(connection);
        close(listener);
        /* What the launcher asked for, in the rank's log: the first thing to read when its daemon does not come up. */
        fprintf(stderr, "rank_exec: starting %s\n", command);
        fflush(NULL);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        perror("rank_exec: exec /bin/sh");
        return 127;
    }
}

static int send_command(int port, const char *host, int argc, char **argv)
{
    static char line[MAX_COMMAND + 2];
    size_t length = 0;
    for (int i = 0; i < argc; i++) {
        size_t part = strlen(argv[i]);
        if (length + part + 2 > MAX_COMMAND || strchr(argv[i], '\n') != NULL) {
            fprintf(stderr, "rank_exec: the command is longer than %d bytes or has a line break\n", MAX_COMMAND);
            return 2;
        }
        if (i > 0)
            line[length++] = ' ';
        memcpy(line + length, argv[i], part);
        length += part;
    }
    line[length++] = '\n';
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, "rank_exec: '%s' is not an IPv4 address\n", host);
        return 2;
    }
    for (int attempt = 0; attempt < 300; attempt++) {
        int connection = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connection < 0) {
            perror("rank_exec: socket");
            return 1;
        }
        if (connect(connection, (struct sockaddr *)&address, sizeof address) == 0) {
            char reply[64] = {0};
            ssize_t written = write(connection, line, length);
            ssize_t got = written == (ssize_t)length ? read(connection, reply, sizeof reply - 1) : -1;
            close(connection);
            if (got >= 3 && strncmp(reply, "ok\n", 3) == 0)
                return 0;
            fprintf(stderr, "rank_exec: %s:%d did not take the command: %s\n", host, port, got > 0 ? reply : "no answer");
            return 1;
        }
        close(connection);
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    fprintf(stderr, "rank_exec: nobody listened on %s:%d within 30 s\n", host, port);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "serve") == 0)
        return serve(parse_port(argv[2]));
    if (argc >= 5 && strcmp(argv[1], "send") == 0)
        return send_command(parse_port(argv[2]), argv[3], argc - 4, argv + 4);
    fprintf(stderr, "usage: rank_exec serve PORT | rank_exec send PORT HOST COMMAND...\n");
    return 2;
}
