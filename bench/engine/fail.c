/*
 * fail.c - gb_fail(), the workloads' way to fail a run (see workload.h):
 * one line on stderr, a mark in the worker's context that gb_run() (and the
 * mpi mode, across ranks) reads after the workers have ended.
 */
#include <stdarg.h>
#include <stdio.h>

#include "workload.h"

void gb_fail(struct gb_worker *w, const char *format, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    char line[1200];
    snprintf(line, sizeof line, "gilbench: %s: worker %u: %s\n", w->job->workload->name, w->index,
             message);
    fputs(line, stderr); /* one write: stderr is unbuffered, and the line is whole */
    w->failed = true;
}
