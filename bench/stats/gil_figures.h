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
#include <stdio.h>

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

/* Writes the figures as JSON members, each preceded by a comma:
 * ,"gil_takes":N,"gil_forced_switches":N,...,"gil_hold_p50_seconds":X,...
 * (null for NAN).  The switches and the hold and wait sums are left to the
 * caller (the model reports its own counters under those names).
 * Member names: gil_takes, gil_forced_switches,
 * gil_handoffs, gil_hold_share, gil_wait_share, gil_hold_p50_seconds,
 * gil_hold_p99_seconds, gil_wait_p50_seconds, gil_wait_p99_seconds,
 * gil_handoff_p50_seconds, gil_handoff_p99_seconds, gil_switches_per_second,
 * gil_window_seconds. */
void gil_figures_write_json(FILE *out, const struct gil_figures *f);

#endif
