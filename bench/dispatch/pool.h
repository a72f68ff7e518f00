/*
 * pool.h - the pool dispatch: a job's units as tasks of job->chunksize
 * units, run by a persistent pool of job->workers workers, as
 * concurrent.futures' executor.map(f, items, chunksize=C) runs them.
 *
 * The pool is made before the timed region and shut down after it: the
 * region covers submitting every task and collecting every result, in
 * submission order (see pool_threads.c and pool_processes.c for where it
 * begins and ends, and why).
 */
#ifndef GILBENCH_POOL_H
#define GILBENCH_POOL_H

#include "region.h"
#include "workers.h"

struct pool_outcome {
    struct gb_region region;
    uint64_t checksum;            /* every task's result, combined in submission order */
    struct process_usage children;/* procs: the worker processes' usage (wait4) */
};

/* gil and threads: a pool of threads taking tasks from a shared queue
 * (under the gil mode, holding the GIL as Python threads do); gil: NULL or
 * the run's GIL.  procs: a pool of forked processes fed through pipes.
 * slots: one per worker (MAP_SHARED for procs), contexts set.  Return 0,
 * or 1 after one line per problem; nothing is left running either way. */
int pool_run_threads(const struct gb_job *job, struct gb_worker_slot *slots,
                     struct pool_outcome *out);
int pool_run_processes(const struct gb_job *job, struct gb_worker_slot *slots,
                       struct pool_outcome *out);

/* What a worker does with one task: work() on its units, with the
 * worker's context; sets the slot's finished_at. */
static inline uint64_t pool_run_task(struct gb_worker_slot *slot, uint64_t first, uint64_t count)
{
    uint64_t value = slot->ctx.job->workload->work(&slot->ctx, first, count);
    slot->finished_at = gb_now();
    return value;
}

#endif
