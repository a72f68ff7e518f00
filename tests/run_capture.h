/*
 * run_capture.h - for the C tests: runs a job with the engine's stderr
 * captured, so that a test can check the line a failure prints.
 */
#ifndef GILBENCH_RUN_CAPTURE_H
#define GILBENCH_RUN_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "run.h"

/* gb_run(job, switch_interval_us) with stderr in message[size]; its status. */
static inline int run_capturing_stderr(struct gb_job *job, unsigned switch_interval_us,
                                       char *message, size_t size)
{
    char path[] = "/tmp/gilbench-engine-test-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    struct gb_result result;
    int status = gb_run(job, switch_interval_us, NULL, &result);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(fd, message, size - 1, 0);
    message[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return status;
}

#endif
