/*
 * run_vocabulary.h - what every layer says about a run, below the one that
 * runs it (bench/run/run.h): a worker's slot, a run's result, the names of
 * the modes and dispatches, a worker's share and the pool's tasks, the
 * checksum a run must reach and the workload's own figures.  The modes
 * (bench/modes/), the pool (bench/dispatch/), the output (bench/output/) and
 * the workloads include this, never run.h.
 *
 * Built by run_vocabulary.c (names, checksum, figures), shares_and_tasks.c
 * (shares, tasks, what each dispatch accepts) and fail.c (gb_fail_reset).
 */
#ifndef GILBENCH_RUN_VOCABULARY_H
#define GILBENCH_RUN_VOCABULARY_H

#include "workload.h"

struct interpreters;

/* What a worker did, filled in by the engine beside the workload's context. */
struct gb_worker_slot {
    struct gb_worker ctx;
    uint64_t first_unit;        /* shares: the worker's share; 0 under the pool */
    uint64_t unit_count;
    uint64_t checksum;          /* shares: its work()'s; pool: 0 (results go by task) */
    double started_at;          /* CLOCK_MONOTONIC, when the worker began running (pool:
                                 * the start of the timed region) */
    double finished_at;         /* when its work() returned (pool: its last task) */
    double after_work_done_at;  /* when the workload's after_work() returned, if it has one */
    bool failure_reported;      /* procs: the worker printed why it fails before it exited */
    struct interpreters *interpreters; /* interp: the run's interpreters; NULL otherwise */
};

struct gil_figures;          /* bench/stats/gil_figures.h */

struct gb_result {
    double seconds;             /* timed region: shares, before creating workers .. all
                                 * finished; pool, the first submission .. the last result */
    double startup_seconds;     /* timed region start .. the last worker running */
    double setup_seconds;       /* the workload's setup() (and interpreters' making), before the region */
    double check_seconds;       /* the checks of the results, after the region */
    double worker_seconds_min;  /* one worker's running time: its first .. last instruction */
    double worker_seconds_max;
    double worker_seconds_total;/* the running times of all workers added up */
    double cpu_user_seconds;
    double cpu_sys_seconds;
    long max_rss_kib;           /* largest peak RSS of any one process of the run */
    long involuntary_switches;  /* preemptions of the run's threads and processes (getrusage) */
    uint64_t checksum;
    uint64_t expected_checksum;
    unsigned long gil_switches;
    double gil_wait_seconds;    /* summed over workers; with the forced-switch waits */
    double gil_hold_seconds;    /* summed over workers */
    uint64_t gil_drop_requests; /* honoured, summed over workers */
    struct gb_figure figures[GB_MAX_FIGURES];
    int figure_count;
    char hosts[1024];           /* mpi mode: the ranks' distinct host names, comma-separated */
    struct gil_figures *trace_figures; /* with --trace: what the trace says (malloc'd; the
                                        * caller frees it), else NULL */
};

/* ---- run_vocabulary.c ---- */

/* "gil", "threads", "interp", "procs" or "mpi". */
const char *gb_mode_name(enum gb_mode mode);

/* The sum over all units of gb_unit_checksum(u, expected_value(u)). */
uint64_t gb_expected_checksum(const struct gb_job *job);

/* Sets r->expected_checksum; returns 0 when r->checksum equals it, else 1
 * after one line on stderr. */
int gb_check_checksum(const struct gb_job *job, struct gb_result *r);

/* The workload's own figures (its report()), from every worker's context
 * after the run; r->seconds must be set. */
void gb_add_workload_figures(const struct gb_job *job, const struct gb_worker *contexts,
                             double started, struct gb_result *r);

/* ---- fail.c ---- */

/* A new run's first gb_fail() prints its line again. */
void gb_fail_reset(void);

/* ---- shares_and_tasks.c: how the units reach the workers ---- */

#define GB_MAX_CHUNKSIZE 1000000000ULL
#define GB_MAX_TASKS (1ULL << 24) /* the collector keeps a result per task */

/* The units a worker does: strong scaling splits job->units as evenly as
 * possible (the first units % workers workers get one more); weak scaling
 * gives every worker all of them. */
void gb_share(const struct gb_job *job, unsigned index, uint64_t *first, uint64_t *count);

/* "shares" or "pool". */
const char *gb_dispatch_name(enum gb_dispatch dispatch);

/* Pool: ceil(units / chunksize) tasks; 0 under shares. */
uint64_t gb_task_count(const struct gb_job *job);

/* Pool: task k is units [k C, min((k + 1) C, U)). */
void gb_task_range(const struct gb_job *job, uint64_t task, uint64_t *first, uint64_t *count);

/* 0 when the job can run under the pool dispatch; else -1 and why (one
 * sentence, no "gilbench: ") in why[size]. */
int gb_pool_problem(const struct gb_job *job, char *why, size_t size);
/* The same for the shares dispatch: 0, or -1 and why (a pool_only workload). */
int gb_shares_problem(const struct gb_job *job, char *why, size_t size);

#endif
