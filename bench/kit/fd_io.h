/*
 * fd_io.h - whole-buffer reads and writes on pipes and sockets, for what
 * moves data between processes: the convoy workload, the pool (bench/dispatch/).
 */
#ifndef GILBENCH_FD_IO_H
#define GILBENCH_FD_IO_H

#include <stddef.h>

/* Writes all n bytes, retrying on EINTR: 0, or -1 with errno set.  On a
 * pipe the caller decides what SIGPIPE does. */
int fd_write_all(int fd, const void *buffer, size_t n);

/* The same on a socket, where a closed peer is an error (EPIPE), never a
 * SIGPIPE (MSG_NOSIGNAL). */
int fd_send_all(int fd, const void *buffer, size_t n);

/* Reads exactly n bytes, retrying on EINTR: 1 done; 0 end of file before
 * the first byte; -1 an error (errno set) or end of file in the middle
 * (errno 0). */
int fd_read_all(int fd, void *buffer, size_t n);

/* Closes *fd if it is open and marks it closed (-1). */
void fd_close(int *fd);

#endif
