/*
 * Test job with an established TCP connection inside its own process tree: a child sends
 * "<n>\n" every 100 ms to its parent over 127.0.0.1:PORT; the parent prints "got <n>".
 * A checkpoint that broke or rewound the connection shows as a gap or a repeat in the output.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void on_term(int signo)
{
    _exit(128 + signo);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7000;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_term;
    sigaction(SIGTERM, &action, NULL);

    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0) {
        perror("tcp_pair: listen");
        return 1;
    }
    pid_t sender = fork();
    if (sender == 0) {
        close(listener);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
            perror("tcp_pair: connect");
            _exit(1);
        }
        for (long n = 0;; n++) {
            char line[32];
            int length = snprintf(line, sizeof line, "%ld\n", n);
            if (write(fd, line, (size_t)length) != length)
                _exit(1);
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    int connection = accept(listener, NULL, NULL);
    FILE *input = fdopen(connection, "r");
    char line[32];
    while (input != NULL && fgets(line, sizeof line, input) != NULL) {
        printf("got %s", line);
        fflush(stdout);
    }
    return 1;
}
