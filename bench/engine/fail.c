/*
 * fail.c - gb_fail(), the workloads' way to fail a run (see workload.h):
 * one line on stderr (the first failure's, in a process), a mark in the
 * worker's context that gb_run() (and the mpi mode, across ranks) reads
 * after the workers have ended; and gb_fail_reset() (run_vocabulary.h),
 * with which each run's first failure prints its line.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "run_vocabulary.h"
#include "workload.h"

/* The first failure of a run is its line: when many workers meet the same
 * wall (64 interpreters that each cannot map a copy), one says so.  gb_run()
 * clears it for each run (a test runs many in one process). */
static atomic_flag failure_told = ATOMIC_FLAG_INIT;

void gb_fail_reset(void)
{
    atomic_flag_clear(&failure_told);
}

void gb_fail(struct gb_worker *w, const char *format, ...)
{
    w->failed = true;
    if (atomic_flag_test_and_set(&failure_told))
        return;
    char message[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    char line[1200];
    snprintf(line, sizeof line, "gilbench: %s: worker %u: %s\n", w->job->workload->name, w->index,
             message);
    fputs(line, stderr); /* one write: stderr is unbuffered, and the line is whole */
}
