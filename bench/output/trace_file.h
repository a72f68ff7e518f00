/*
 * trace_file.h - the file of `gilbench run --trace FILE`: the workers' trace
 * buffers, allocated before the run and written after it, all or nothing.
 */
#ifndef GILBENCH_TRACE_FILE_H
#define GILBENCH_TRACE_FILE_H

#include <stdio.h>

#include "gil_figures.h"
#include "gil_trace.h"
#include "workload.h"

struct trace_file {
    const char *path;
    char *temporary_path;       /* written here, renamed to path when complete */
    FILE *out;
    struct gil_trace *traces;   /* one per worker */
    unsigned workers;
};

/* Allocates the buffers and creates the temporary file, so that a path that
 * cannot be written fails before the run.  Returns 0, or 1 after a message. */
int trace_file_open(struct trace_file *t, const char *path, unsigned workers);

/* Writes the header and the events (times after `origin`, the start of the
 * timed region), renames the file into place and frees everything; sets
 * *figures to what the trace says (gil_figures.h; malloc'd, NULL if memory
 * ran out).  Returns 0, or 1 after a message, leaving no file behind. */
int trace_file_finish(struct trace_file *t, const struct gb_job *job, long switch_interval_us,
                      double origin, double seconds, struct gil_figures **figures);

/* After a failed run: removes the temporary file and frees everything. */
void trace_file_abandon(struct trace_file *t);

#endif
