/*
 * clock.h - the one clock every timing in gilbench uses: CLOCK_MONOTONIC, in
 * seconds as a double.  The monotonic clock is system-wide, so timestamps
 * taken in forked workers compare with the parent's.
 */
#ifndef GILBENCH_CLOCK_H
#define GILBENCH_CLOCK_H

#include <sys/time.h>
#include <time.h>

static inline double gb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A struct timeval (getrusage's CPU times) in seconds. */
static inline double gb_timeval_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

#endif
