/*
 * summary_rows.h - what `gilbench summarize` computes, shared by the file
 * that computes it (summarize.c) and the one that prints it for a person
 * (summary_text.c): the runs of one point and its row of statistics.
 */
#ifndef GILBENCH_SUMMARY_ROWS_H
#define GILBENCH_SUMMARY_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

#define NAME_MAX_LENGTH 64

/* The numbers of one run, in the order of the --runs columns after workers;
 * those from WORKER_SECONDS_TOTAL on are optional (NAN when absent). */
enum run_field {
    SECONDS, RSS_KIB, GIL_SWITCHES, GIL_WAIT_SECONDS, STARTUP_SECONDS,
    WORKER_SECONDS_TOTAL, CPU_SECONDS, OTHER_TICKS, STEAL_TICKS, ALL_TICKS, INVOLUNTARY_SWITCHES,
    CPU_MHZ, GIL_HOLD_SECONDS,
    RUN_FIELDS
};

/* The figures of a point's one traced run in CPython (--gil-traces, the
 * sweep's gil.csv: `gilbench gil-trace`), NAN where not measured. */
enum traced_field {
    TRACED_SWITCHES, TRACED_WAIT_SECONDS, TRACED_HOLD_SHARE, TRACED_WAIT_SHARE, TRACED_PARKED_SHARE,
    TRACED_FIELDS
};
#define TRACE_WHY_LENGTH 200
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
    bool traced;                  /* gil.csv has a row for it (its figures may be unknown) */
    double trace[TRACED_FIELDS];  /* that row's figures, NAN where unknown */
    char trace_why[TRACE_WHY_LENGTH]; /* why they are unknown, "" when known */
};

struct points {
    struct point *items;
    size_t count, capacity;
};

struct row {
    const struct point *point;
    double median, min, max, stddev, spread;
    struct speedup speedup;     /* NAN fields when there is no 1-worker point */
    double efficiency, karp_flatt, precision;
    /* The GIL: the model's counters (median over the runs), or for a point
     * traced in CPython, its traced run's figures (gil_traced). */
    double gil_switches, gil_wait_seconds, gil_wait_share, gil_hold_share, gil_parked_share;
    bool gil_traced;
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
    /* The answer (answer.c): */
    double resolution;       /* ways within 1 +- this are a tie, e.g. 0.05 */
    size_t looks;            /* how often the sweep looks at one comparison */
    size_t max_runs;         /* runs a point may get (ANSWER_DECIDING); 0: no limit */
    const char **way_names;  /* WAY=NAME, a Python workload's words for its ways */
    size_t way_name_count;
    const char **python_workloads; /* WORKLOAD=INTERPRETERS: the Python ones */
    size_t python_workload_count;
};

/* The point of that series and worker count; a new one if create, else
 * NULL when `all` has none (summarize.c). */
struct point *find_point(struct points *all, const char *workload, const char *variant,
                         const char *mode, unsigned workers, bool create);

/* Reads --gil-traces FILE (gil.csv: a header naming its columns, then one
 * row per traced point, fields quoted as CSV quotes them) into the points
 * of `all` it names; rows of other points are ignored.  Returns false
 * after one line on stderr when the file cannot be read or is malformed. */
bool gil_traces_read(const char *path, struct points *all);

/* The terminal table: one line per point, the speedup with its interval. */
void summary_print_table(const struct row *rows, size_t count, const struct settings *settings);

/* Decimals that show a value to the first significant digit of its
 * interval's half-width (0 to 3). */
int summary_decimals(const struct speedup *s);

/* The answer, per workload (and variant), at the usable CPU count, every
 * way against the fastest 1-worker way (answer.c):
 * ANSWER_LINES one line each, the ways fastest first, ties joined by "≈",
 * and whether it is decided; ANSWER_DECISION the decision in words;
 * ANSWER_DECIDING the points (workload variant mode workers, tab-separated)
 * whose runs still decide an answer that is undecided. */
enum answer_form { ANSWER_LINES, ANSWER_DECISION, ANSWER_DECIDING };
void summary_print_answer(FILE *out, enum answer_form form, const struct row *rows, size_t count,
                          const struct settings *settings);

#endif
