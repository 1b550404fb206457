#include "caas.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CAAS_JOB_ID_MAX 128
#define CAAS_DATAGRAM_MAX (64 + CAAS_JOB_ID_MAX + CAAS_MESSAGE_MAX)

static const char *platform_value(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* A job id with blanks would break the space-separated format, so such a datagram is not sent. */
static int job_id_is_sendable(const char *job_id)
{
    size_t length = strlen(job_id);
    if (length > CAAS_JOB_ID_MAX)
        return 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)job_id[i];
        if (c <= ' ' || c == 0x7f)
            return 0;
    }
    return 1;
}

static int send_datagram(const char *socket_path, const char *text, size_t length)
{
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t path_length = strlen(socket_path);
    if (path_length >= sizeof address.sun_path)
        return -1;
    memcpy(address.sun_path, socket_path, path_length);

    int saved_errno = errno;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        errno = saved_errno;
        return -1;
    }
    ssize_t sent = sendto(fd, text, length, MSG_DONTWAIT | MSG_NOSIGNAL,
                          (const struct sockaddr *)&address, sizeof address);
    close(fd);
    errno = saved_errno;
    return sent == (ssize_t)length ? 0 : -1;
}

/* printf's %f follows LC_NUMERIC; the wire format always wants '.'. */
static int format_fraction(char *out, size_t size, double fraction)
{
    if (!(fraction >= 0.0)) /* also catches NaN */
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    long micros = (long)(fraction * 1000000.0 + 0.5);
    return snprintf(out, size, "%ld.%06ld", micros / 1000000, micros % 1000000);
}

/* Copies at most CAAS_MESSAGE_MAX bytes, backing off to a UTF-8 boundary; CR/LF become spaces. */
static size_t copy_message(char *out, const char *msg)
{
    if (msg == NULL)
        return 0;
    size_t length = strnlen(msg, CAAS_MESSAGE_MAX + 1);
    if (length > CAAS_MESSAGE_MAX) {
        length = CAAS_MESSAGE_MAX;
        while (length > 0 && ((unsigned char)msg[length] & 0xC0) == 0x80)
            length--;
    }
    for (size_t i = 0; i < length; i++)
        out[i] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
    return length;
}

int caas_progress(double fraction, const char *msg)
{
    const char *socket_path = platform_value("CAAS_PROGRESS_SOCKET");
    const char *job_id = platform_value("CAAS_JOB_ID");
    if (socket_path == NULL || job_id == NULL)
        return 0;
    if (!job_id_is_sendable(job_id))
        return -1;

    char fraction_text[32];
    format_fraction(fraction_text, sizeof fraction_text, fraction);
    char datagram[CAAS_DATAGRAM_MAX];
    int header = snprintf(datagram, sizeof datagram, "caas1 %s progress %s ", job_id, fraction_text);
    if (header < 0 || (size_t)header + CAAS_MESSAGE_MAX > sizeof datagram)
        return -1;
    size_t length = (size_t)header + copy_message(datagram + header, msg);
    return send_datagram(socket_path, datagram, length);
}

int caas_heartbeat(void)
{
    const char *socket_path = platform_value("CAAS_PROGRESS_SOCKET");
    const char *job_id = platform_value("CAAS_JOB_ID");
    if (socket_path == NULL || job_id == NULL)
        return 0;
    if (!job_id_is_sendable(job_id))
        return -1;

    char datagram[CAAS_DATAGRAM_MAX];
    int length = snprintf(datagram, sizeof datagram, "caas1 %s heartbeat", job_id);
    if (length < 0 || (size_t)length >= sizeof datagram)
        return -1;
    return send_datagram(socket_path, datagram, (size_t)length);
}
