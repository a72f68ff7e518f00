/*
 * workload.h - the interface between the engine and a workload file.
 *
 * A workload is one C file in workloads/.  It defines one `const struct
 * gb_workload` whose C name is `workload_<file name>`; the Makefile finds the
 * file with a wildcard and generates the registry, so adding the file and
 * running `make` is all it takes for the workload to appear in `gilbench list`
 * and to run in every mode.
 *
 * The engine splits the run's units over the workers and calls `work` once per
 * worker, in a thread (modes gil and threads) or in a forked process (procs):
 * the shares dispatch, as `Thread(target=f, args=(share,))`.  Under the pool
 * dispatch (`--dispatch pool --chunksize C`, bench/dispatch/) the units are
 * tasks of C units instead, and `work` is called once per task, by whichever
 * worker of a persistent pool takes it, as `executor.map(f, items,
 * chunksize=C)` calls f; a workload whose work depends on which worker runs
 * it, or on all of a worker's units coming in one call, is `one_process` (see
 * below) and runs with shares only.
 * Inside `work` a workload uses three calls that model CPython's C API:
 *
 *   gb_checkpoint(w)      a bytecode boundary ("eval breaker"): under the gil
 *                         mode the holder honours a pending drop request here;
 *   gb_release_gil(w)     Py_BEGIN_ALLOW_THREADS, before blocking or GIL-free work;
 *   gb_reacquire_gil(w)   Py_END_ALLOW_THREADS, after it.
 *
 * Outside the gil mode the three cost one predictable branch (w->gil == NULL).
 *
 * Correctness: `work` returns the sum (mod 2^64) of gb_unit_checksum(u, value)
 * over the units it did, where value is what the workload computed for unit u.
 * `expected_value(job, u)` gives the value the unit must produce, computed in
 * an independent way where one exists (a closed form, a cheaper formula); the
 * engine compares the total with the sum over all units and fails the run on a
 * mismatch, so a lost, repeated or miscomputed unit cannot pass for a good run.
 *
 * Failure: a workload that finds something wrong (a helper that cannot
 * start, a result it can check itself) calls gb_fail(w, ...), which prints
 * one line naming the workload and the worker and fails the run (exit 1, no
 * result line, no checksum comparison): the checksum carries results, not
 * failures.
 */
#ifndef GILBENCH_WORKLOAD_H
#define GILBENCH_WORKLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gil.h"

/* mpi: every worker is a rank of an Open MPI job (bench/modes/mpi_mode.h), a
 * process of its own, possibly on another machine.  interp: every worker a
 * thread with an interpreter of its own, its own GIL and its own copy of
 * setup()'s state (bench/modes/interpreters.h). */
enum gb_mode { GB_MODE_GIL, GB_MODE_THREADS, GB_MODE_PROCS, GB_MODE_MPI, GB_MODE_INTERP };

/* Whether a worker of this mode touches its own copy of what setup() made: a
 * forked process's or an MPI rank's copy-on-write pages, an interpreter's
 * own state; threads of one process (gil, threads) share one. */
static inline bool gb_mode_has_own_copy(enum gb_mode mode)
{
    return mode == GB_MODE_PROCS || mode == GB_MODE_MPI || mode == GB_MODE_INTERP;
}

/* How the units reach the workers: one share each (the default, 0), or
 * tasks of `chunksize` units through a persistent pool (bench/dispatch/). */
enum gb_dispatch { GB_DISPATCH_SHARES, GB_DISPATCH_POOL };

/* A workload-specific setting, given on the command line as --param NAME=VALUE. */
struct gb_param {
    const char *name;
    const char *description;
    uint64_t default_value;
    uint64_t min_value;
    uint64_t max_value;
};

#define GB_MAX_PARAMS 8
#define GB_MAX_FIGURES 8

/* One configuration being run: shared by all workers, read-only once they start. */
struct gb_job {
    const struct gb_workload *workload;
    enum gb_mode mode;
    unsigned workers;
    uint64_t units;             /* total units of the run (every worker's share added up) */
    bool weak;                  /* every worker does `units` units instead of a share */
    enum gb_dispatch dispatch;
    uint64_t chunksize;         /* pool: units per task, >= 1; 0 under shares */
    uint64_t task_arg_bytes;    /* pool: the argument payload of every task */
    uint64_t task_result_bytes; /* pool: the result payload of every task */
    uint64_t params[GB_MAX_PARAMS]; /* values of workload->params, in the same order */
    void *state;                /* whatever setup() made: inputs shared by all workers */
};

/* One worker's context, handed to work(). */
struct gb_worker {
    struct gil *gil;            /* NULL outside the gil mode */
    const struct gb_job *job;
    unsigned index;             /* 0 .. job->workers - 1 */
    /* GIL accounting, maintained by gil.c; zero outside the gil mode. */
    struct gil_worker_stats gil_stats;
    /* Workload-defined figures for report(): filled by work(), zero otherwise. */
    double figures[GB_MAX_FIGURES];
    /* Set by gb_fail(); written only by this worker's own thread or process
     * (in the procs mode this context lives in memory shared with the engine). */
    bool failed;
};

/* A named figure that a workload adds to the JSON line (e.g. "gflops"). */
struct gb_figure {
    const char *name;
    double value;
};

struct gb_run_outcome {
    double started_at;               /* CLOCK_MONOTONIC when the timed region began */
    double seconds;                  /* the timed region, wall clock */
    const struct gb_worker *workers; /* every worker's context after the run */
};

struct gb_workload {
    const char *name;
    const char *description;         /* one line */
    const char *unit;                /* what one unit is, e.g. "one 10 ms sleep" */
    uint64_t default_units;
    /* true: left out of the default `make bench` sweep, which must stay
     * short: a study workload (`make bench-all`) or one run on request
     * (WORKLOADS=name). */
    bool extra;
    /* true: its workers meet through what setup() made in the engine's
     * process (pipes, shared memory, a helper process), which only threads
     * and forked workers reach; such a workload cannot run as MPI ranks.
     * Its workers know each other by index and get their share in one
     * call (a gate, a worker with another role, a pipe per worker), so it
     * cannot run under the pool dispatch either. */
    bool one_process;
    /* true: what it measures is its tasks' payloads (task_payload), which
     * move only under the pool dispatch: refused under shares (exit 2). */
    bool pool_only;
    /* true: a worker that gets no unit still does what the workload
     * measures (starting up), so a run may have more workers than units;
     * for every other workload such a run is refused: its idle workers
     * would flatten the curve where the mode has no limit. */
    bool idle_workers_measured;
    struct gb_param params[GB_MAX_PARAMS]; /* terminated by an entry with name == NULL */

    /* Optional: called once in the engine's process before the timed region.
     * Returns 0, or -1 after printing one line on stderr. */
    int (*setup)(struct gb_job *job);
    /* Optional: called once after the run, also after a failed one. */
    void (*teardown)(struct gb_job *job);

    /* Required: do units [first, first + count) and return their checksum. */
    uint64_t (*work)(struct gb_worker *w, uint64_t first, uint64_t count);
    /* Optional: called in each worker right after its work() (under the gil
     * mode, after the engine dropped the GIL for it), outside the timed
     * region: the region leaves out the time from the end of the last
     * worker's work() to the return of the last after_work() (joining or
     * reaping the workers still counts).  In the procs mode it runs in the
     * worker's process, which exits when it returns: the place to read
     * figures that need every worker alive (a barrier of the workload's own
     * makes them wait for each other), written to w->figures.  Its CPU time
     * still counts in the run's.  Not called in the mpi mode: a workload
     * that has it must be one_process. */
    void (*after_work)(struct gb_worker *w);
    /* Required: the value unit u must produce (see the comment at the top). */
    uint64_t (*expected_value)(const struct gb_job *job, uint64_t unit);

    /* Optional: workload-specific figures for the JSON line; returns how many
     * entries of out[GB_MAX_FIGURES] it filled. */
    int (*report)(const struct gb_job *job, const struct gb_run_outcome *outcome,
                  struct gb_figure *out);

    /* Optional, pool dispatch only: the bytes a task carries to its worker
     * and back (its pickled arguments and return value), when
     * --task-arg-kib / --task-result-kib do not say; called with the
     * params set.  Without it both are 0.  At most GB_MAX_TASK_PAYLOAD each. */
    void (*task_payload)(const struct gb_job *job, uint64_t *arg_bytes, uint64_t *result_bytes);
};

#define GB_MAX_TASK_PAYLOAD (1024ULL * 1024 * 1024) /* 1 GiB: --task-arg-kib 1048576 */

/* Fails the run from inside work() (any mode and dispatch): prints
 * "gilbench: <workload>: worker <index>: <message>" as one line on stderr
 * (the --error-log), and marks w failed; the run goes on to its end, then
 * exits 1 without a result line and without comparing checksums.  In the
 * mpi mode the ranks' marks are combined. */
void gb_fail(struct gb_worker *w, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Mixes a unit's index into its value so that a unit done twice and another
 * never done cannot cancel out in the sum (splitmix64's finaliser). */
static inline uint64_t gb_unit_checksum(uint64_t unit, uint64_t value)
{
    uint64_t z = unit * 0x9e3779b97f4a7c15u + value;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The value of the i-th entry of workload->params for this job. */
static inline uint64_t gb_param(const struct gb_job *job, int i)
{
    return job->params[i];
}

static inline void gb_checkpoint(struct gb_worker *w)
{
    if (w->gil && atomic_load_explicit(&w->gil->drop_request, memory_order_relaxed))
        gil_honour_drop_request(w->gil, &w->gil_stats);
}

static inline void gb_release_gil(struct gb_worker *w)
{
    if (w->gil)
        gil_drop(w->gil, &w->gil_stats);
}

static inline void gb_reacquire_gil(struct gb_worker *w)
{
    if (w->gil)
        gil_take(w->gil, &w->gil_stats);
}

#endif
