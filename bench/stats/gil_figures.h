/*
 * gil_figures.h - what a GIL trace says about the lock's mechanism: how long
 * holds and waits last (medians and 99th percentiles, not only sums), how
 * often the lock changes hands and what a hand-off costs, how often a holder
 * was made to drop it.  One computation for the model's traces (`gilbench
 * run --trace`) and CPython's (`gilbench gil-trace`), so that the two are
 * compared mechanism to mechanism.
 */
#ifndef GILBENCH_GIL_FIGURES_H
#define GILBENCH_GIL_FIGURES_H

#include <stdint.h>

#include "gil_trace.h"

/* NAN where nothing was measured (no hold, no hand-off...). */
struct gil_figures {
    unsigned workers;            /* traces with at least one acquire */
    uint64_t takes;              /* acquires */
    uint64_t switches;           /* acquires by another thread than the lock's last holder */
    uint64_t forced_switches;    /* yields: drops because a waiter asked */
    uint64_t handoffs;           /* a drop while another worker waited, to that worker's acquire */
    double window_seconds;       /* first event to last, over all workers */
    double lifetime_seconds;     /* summed per worker: its first event to its last */
    double hold_seconds, wait_seconds;
    double hold_share, wait_share;          /* of lifetime_seconds */
    double hold_p50, hold_p99;              /* seconds, over all holds */
    double wait_p50, wait_p99;              /* seconds, over all waits (to an acquire) */
    double handoff_p50, handoff_p99;        /* seconds, drop to the waiter's acquire */
    double switches_per_second;             /* switches / window_seconds */
};

/* Computes the figures of n workers' traces, each in time order.  Events
 * carry a lock number (gil_trace.h): holds, waits and hand-offs are matched
 * within one lock, as subinterpreters each have their own.  Returns 0, or -1
 * if memory ran out. */
int gil_figures_of(const struct gil_trace *traces, unsigned n, struct gil_figures *out);

#endif
