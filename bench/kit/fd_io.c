/*
 * fd_io.c - see fd_io.h.
 */
#include "fd_io.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_loop(int fd, const void *buffer, size_t n, bool socket)
{
    const char *p = buffer;
    while (n > 0) {
        ssize_t sent = socket ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += sent;
        n -= (size_t)sent;
    }
    return 0;
}

int fd_write_all(int fd, const void *buffer, size_t n)
{
    return write_loop(fd, buffer, n, false);
}

int fd_send_all(int fd, const void *buffer, size_t n)
{
    return write_loop(fd, buffer, n, true);
}

int fd_read_all(int fd, void *buffer, size_t n)
{
    char *p = buffer;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = 0;
            return got == 0 ? 0 : -1;
        }
        got += (size_t)r;
    }
    return 1;
}

void fd_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}
