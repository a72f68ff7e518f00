/*
 * traced_command.h - runs a command while probes are open and keeps the
 * hits of its process and of its descendants' (the probes fire for every
 * process that runs the binary).
 */
#ifndef GILBENCH_TRACED_COMMAND_H
#define GILBENCH_TRACED_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "uprobes.h"

struct traced_run {
    int status;                 /* as a shell says it: the exit code, 128 + the signal,
                                 * 124 when the time limit stopped it, 127 when it could
                                 * not be executed */
    double seconds;             /* start to end, wall clock */
    struct uprobe_hit *hits;    /* sorted by time (uprobe_hit_earlier) */
    size_t count;
    uint64_t lost;              /* hits the kernel dropped or that did not fit in memory */
    uint64_t unattributed;      /* hits of processes that ended before they could be told
                                 * apart from other processes running the binary */
};

/* Runs argv (stdin, stdout and stderr inherited) under the open probes u,
 * stopping it after timeout_seconds (0: no limit); SIGINT, SIGTERM and
 * SIGHUP received meanwhile are passed on to it.  Returns 0, or -1 after a
 * message if it could not be started. */
int traced_command_run(struct uprobes *u, char *const *argv, double timeout_seconds,
                       struct traced_run *out);

void traced_run_free(struct traced_run *run);

#endif
