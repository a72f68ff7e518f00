/*
 * region.h - the timed region's clock: CLOCK_MONOTONIC at its start and end,
 * and this process's resource usage (its own, and that of the children it
 * reaped) at both ends.  Whoever runs the workers marks the region: run.c
 * around starting and joining them (shares), the pool around submitting and
 * collecting (bench/dispatch/).
 */
#ifndef GILBENCH_REGION_H
#define GILBENCH_REGION_H

#include <sys/resource.h>

#include "clock.h"

struct gb_region {
    double started, finished;
    struct rusage self_before, self_after;
    struct rusage children_before, children_after;
};

static inline void gb_region_begin(struct gb_region *r)
{
    getrusage(RUSAGE_CHILDREN, &r->children_before);
    getrusage(RUSAGE_SELF, &r->self_before);
    r->started = gb_now();
}

static inline void gb_region_end(struct gb_region *r)
{
    r->finished = gb_now();
    getrusage(RUSAGE_SELF, &r->self_after);
    getrusage(RUSAGE_CHILDREN, &r->children_after);
}

#endif
