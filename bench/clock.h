/*
 * clock.h - the one clock every timing in gilbench uses: CLOCK_MONOTONIC, in
 * seconds as a double.  The monotonic clock is system-wide, so timestamps
 * taken in forked workers compare with the parent's.
 */
#ifndef GILBENCH_CLOCK_H
#define GILBENCH_CLOCK_H

#include <time.h>

static inline double gb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
