/*
 * atomic_file.c - a file written whole or not at all (atomic_file.h).
 */
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int write_atomically(const char *path, int (*write)(FILE *, const void *), const void *what)
{
    size_t size = strlen(path) + 32;
    char *temporary = malloc(size);
    if (!temporary) {
        fprintf(stderr, "gilbench: out of memory writing %s\n", path);
        return 1;
    }
    snprintf(temporary, size, "%s.%ld.tmp", path, (long)getpid());
    FILE *out = fopen(temporary, "w");
    int failed = !out;
    int error = errno;
    if (out) {
        errno = 0;
        failed = write(out, what) != 0;
        failed |= ferror(out) != 0;
        failed |= fclose(out) != 0;
        error = errno;
        if (!failed && rename(temporary, path) != 0) {
            error = errno;
            failed = 1;
        }
        if (failed)
            unlink(temporary);
    }
    if (failed)
        fprintf(stderr, "gilbench: cannot write %s: %s\n", path, error ? strerror(error) : "write error");
    free(temporary);
    return failed;
}
