/*
 * thread_timelines.h - what the probes' hits (cpython_probes.h) say, thread
 * by thread: under a GIL build, each thread's waits, holds and drops as the
 * model's trace events (gil_trace.h), so that the model's figures and
 * pictures serve CPython too; under a free-threaded build, its parking.
 *
 * The workers are the threads other than their process's main thread: in a
 * run of scripts/pyrun, the threads that run the work while the main thread
 * waits for them.  A process with no other thread is its own worker.
 */
#ifndef GILBENCH_THREAD_TIMELINES_H
#define GILBENCH_THREAD_TIMELINES_H

#include <stddef.h>
#include <stdint.h>

#include "gil_trace.h"
#include "uprobes.h"

struct gil_timelines {
    struct gil_trace *workers;      /* in order of first event */
    unsigned worker_count;
    double main_hold_seconds;       /* the main threads' holds */
    unsigned threads;               /* distinct threads seen */
    unsigned locks;                 /* distinct GILs seen */
    double origin;                  /* the workers' first event (CLOCK_MONOTONIC s) */
};

/* Under a free-threaded build the workers are the threads that `threading`
 * started (thread_run), their lives from its entry to its return. */
struct parking_figures {
    unsigned workers;
    uint64_t parks;                 /* the workers' parks */
    double parked_seconds, lifetime_seconds;
    double *park_seconds;           /* each park (malloc'd), parks of them */
    uint64_t stop_the_world;        /* pauses, asked by any thread */
    double stop_the_world_seconds;
    unsigned threads;
};

/* hits: sorted by time (the order of uprobe_hit_earlier).  Returns 0, or -1
 * if memory ran out. */
int gil_timelines_of(const struct uprobe_hit *hits, size_t n, struct gil_timelines *out);
void gil_timelines_free(struct gil_timelines *t);

int parking_figures_of(const struct uprobe_hit *hits, size_t n, struct parking_figures *out);
void parking_figures_free(struct parking_figures *p);

/* qsort's order of hits: by time, then thread. */
int uprobe_hit_earlier(const void *a, const void *b);

#endif
