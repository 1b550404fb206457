/* Test stand-in for the agent's progress socket: writes each datagram it gets as one line. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: datagram_sink SOCKET_PATH OUTPUT_FILE\n");
        return 2;
    }
    FILE *output = fopen(argv[2], "a");
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof address.sun_path) {
        fprintf(stderr, "datagram_sink: socket path too long\n");
        return 2;
    }
    memcpy(address.sun_path, argv[1], strlen(argv[1]) + 1);
    unlink(argv[1]);
    if (output == NULL || fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("datagram_sink");
        return 1;
    }
    signal(SIGTERM, SIG_DFL);
    for (;;) {
        char buffer[2048];
        ssize_t n = recv(fd, buffer, sizeof buffer - 1, 0);
        if (n < 0)
            continue;
        buffer[n] = '\0';
        fprintf(output, "%s\n", buffer);
        fflush(output);
    }
}
