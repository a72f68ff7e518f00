/*
 * overhead_command.c - `gilbench overhead`: what the model's calls cost a
 * workload, measured on this machine.
 *
 *   - a check point outside the gil mode (w->gil == NULL) and in the gil
 *     mode with nobody waiting, each as the extra time it adds to a loop
 *     iteration of cpu_loop's kind (bench/kit/lcg.h), so that the figure is what
 *     a workload pays, not what an empty loop pays;
 *   - a release / re-acquire pair of the GIL with nobody waiting
 *     (Py_BEGIN_ALLOW_THREADS + Py_END_ALLOW_THREADS on an idle interpreter),
 *     without and with a --trace buffer (three events per pair).
 *
 * Each figure is the median of 9 repetitions; prints one JSON line.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "clock.h"
#include "commands.h"
#include "lcg.h"
#include "stats.h"
#include "workload.h"

enum { ITERATIONS = 2000000, PAIRS = 200000, REPETITIONS = 9 };

static volatile uint64_t sink;

/* Seconds for ITERATIONS loop iterations, with or without a check point. */
static double time_loop(struct gb_worker *w, bool with_checkpoint)
{
    uint64_t x = 1;
    double start = gb_now();
    for (int i = 0; i < ITERATIONS; i++) {
        x = gb_lcg_iteration(x);
        if (with_checkpoint)
            gb_checkpoint(w);
    }
    double seconds = gb_now() - start;
    sink = x;
    return seconds;
}

/* Median extra nanoseconds per iteration that the check point adds. */
static double checkpoint_ns(struct gb_worker *w)
{
    double extra[REPETITIONS];
    for (int r = 0; r < REPETITIONS; r++)
        extra[r] = (time_loop(w, true) - time_loop(w, false)) / ITERATIONS * 1e9;
    return stats_median(extra, REPETITIONS);
}

static double iteration_ns(struct gb_worker *w)
{
    double each[REPETITIONS];
    for (int r = 0; r < REPETITIONS; r++)
        each[r] = time_loop(w, false) / ITERATIONS * 1e9;
    return stats_median(each, REPETITIONS);
}

/* With a trace, its buffer is emptied before each repetition, so that every
 * pair pays for recording its events and none finds the buffer full. */
static double release_reacquire_ns(struct gb_worker *w)
{
    double each[REPETITIONS];
    for (int r = 0; r < REPETITIONS; r++) {
        if (w->gil_stats.trace)
            w->gil_stats.trace->count = 0;
        double start = gb_now();
        for (int i = 0; i < PAIRS; i++) {
            gb_release_gil(w);
            gb_reacquire_gil(w);
        }
        each[r] = (gb_now() - start) / PAIRS * 1e9;
    }
    return stats_median(each, REPETITIONS);
}

int overhead_command(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        usage_error("overhead takes no arguments");
    struct gil gil;
    if (gil_init(&gil, GIL_DEFAULT_INTERVAL_US) != 0) {
        fprintf(stderr, "gilbench: cannot initialise the GIL model\n");
        return 1;
    }
    struct gb_worker free_worker = { .gil = NULL };
    struct gb_worker gil_worker = { .gil = &gil };
    gil_take(&gil, &gil_worker.gil_stats);

    double iteration = iteration_ns(&free_worker);
    double free_checkpoint = checkpoint_ns(&free_worker);
    double gil_checkpoint = checkpoint_ns(&gil_worker);
    double pair = release_reacquire_ns(&gil_worker);
    struct gil_trace trace;
    double traced_pair = -1;
    if (gil_trace_init(&trace, 3 * (size_t)PAIRS) == 0) {
        gil_worker.gil_stats.trace = &trace;
        traced_pair = release_reacquire_ns(&gil_worker);
        gil_worker.gil_stats.trace = NULL;
        gil_trace_free(&trace);
    }
    gil_drop(&gil, &gil_worker.gil_stats);
    gil_destroy(&gil);
    if (traced_pair < 0) {
        fprintf(stderr, "gilbench: out of memory for a trace buffer\n");
        return 1;
    }

    printf("{\"loop_iteration_ns\":%.2f,\"checkpoint_ns_without_gil\":%.2f,"
           "\"checkpoint_ns_gil_uncontended\":%.2f,\"release_reacquire_ns_uncontended\":%.1f,"
           "\"release_reacquire_ns_traced\":%.1f}\n",
           iteration, free_checkpoint, gil_checkpoint, pair, traced_pair);
    return fflush(stdout) == 0 ? 0 : 1;
}
