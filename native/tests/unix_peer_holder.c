/* Test job CRIU cannot dump by default: it holds a datagram socket connected to a listener
 * outside its tree (CRIU: "External socket is used"). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2 || strlen(argv[1]) >= sizeof ((struct sockaddr_un *)0)->sun_path) {
        fprintf(stderr, "usage: unix_peer_holder SOCKET_PATH\n");
        return 2;
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    memcpy(address.sun_path, argv[1], strlen(argv[1]) + 1);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("unix_peer_holder");
        return 1;
    }
    printf("connected\n");
    fflush(stdout);
    for (;;)
        pause();
}
