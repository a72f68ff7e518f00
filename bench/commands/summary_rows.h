/*
 * summary_rows.h - what `gilbench summarize` computes, shared by the file
 * that computes it (summarize.c) and the one that prints it for a person
 * (summary_text.c): the runs of one point and its row of statistics.
 */
#ifndef GILBENCH_SUMMARY_ROWS_H
#define GILBENCH_SUMMARY_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

#define NAME_MAX_LENGTH 64

/* The numbers of one run, in the order of the --runs columns after workers;
 * those from WORKER_SECONDS_TOTAL on are optional (NAN when absent). */
enum run_field {
    SECONDS, RSS_KIB, GIL_SWITCHES, GIL_WAIT_SECONDS, STARTUP_SECONDS,
    WORKER_SECONDS_TOTAL, CPU_SECONDS, OTHER_TICKS, STEAL_TICKS, ALL_TICKS, INVOLUNTARY_SWITCHES,
    CPU_MHZ,
    RUN_FIELDS
};
#define REQUIRED_RUN_FIELDS 5
/* A point is disturbed when other processes or the hypervisor took more
 * than this share of all CPUs' time while its runs ran (summed over its
 * runs), judged only over at least MIN_TICKS clock ticks (0.1 s of one
 * CPU): a tick is 10 ms, too coarse for a shorter window. */
#define DISTURBED_SHARE 0.10
#define MIN_TICKS 10

struct point {
    char workload[NAME_MAX_LENGTH];
    char variant[NAME_MAX_LENGTH];
    char mode[NAME_MAX_LENGTH];
    unsigned workers;
    size_t runs, capacity;
    double (*values)[RUN_FIELDS]; /* one row per run */
    double *seconds;              /* values[*][SECONDS], for the statistics */
    double process_median;        /* NAN when hyperfine's figure is missing */
};

struct points {
    struct point *items;
    size_t count, capacity;
};

struct row {
    const struct point *point;
    double median, min, max, stddev, spread;
    struct speedup speedup;     /* NAN fields when there is no 1-worker point */
    double efficiency, karp_flatt, gil_wait_share, precision;
    /* Against the fastest 1-worker time of any mode of the same workload
     * and variant: what a mode's fixed costs do to its speedup. */
    struct speedup against_fastest;
    const char *fastest_mode;
    double cpu_delivered, other_cpu_share, steal_share;
    bool disturbed;
};

struct settings {
    double confidence;       /* of every speedup interval, e.g. 0.95 */
    unsigned cpus;           /* usable CPUs of the machine the runs ran on */
    double precision_target; /* a half-width (fraction of the speedup) above which a
                                point is flagged "wide"; 0: none */
};

/* The terminal table: one line per point, the speedup with its interval. */
void summary_print_table(const struct row *rows, size_t count, const struct settings *settings);

/* The answer, one line per workload (and variant): each mode's speedup at
 * the usable CPU count, the fastest named, ties called ties. */
void summary_print_answer(const struct row *rows, size_t count, const struct settings *settings);

#endif
