/*
 * atomic_file.h - a file written whole or not at all: into a temporary file
 * beside it, then renamed into place, so that a reader never sees half of
 * it and a failure leaves nothing behind.
 */
#ifndef GILBENCH_ATOMIC_FILE_H
#define GILBENCH_ATOMIC_FILE_H

#include <stdio.h>

/* Calls write(out, what) on PATH.PID.tmp and renames it to path.  write
 * returns 0, or non-zero when it failed.  Returns 0, or 1 after the line
 * "gilbench: cannot write PATH: REASON". */
int write_atomically(const char *path, int (*write)(FILE *out, const void *what), const void *what);

#endif
