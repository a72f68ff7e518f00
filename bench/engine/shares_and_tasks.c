/*
 * shares_and_tasks.c - how a job's units reach its workers: the share of
 * each worker under the shares dispatch, how the pool dispatch cuts the
 * units into tasks, the names of the two dispatches, and what a job needs
 * to run under each (checked by the command line, with a usage error, and
 * again by gb_run()).
 */
#include "run_vocabulary.h"

#include <stdio.h>

void gb_share(const struct gb_job *job, unsigned index, uint64_t *first, uint64_t *count)
{
    if (job->weak) {
        *first = 0;
        *count = job->units;
        return;
    }
    uint64_t base = job->units / job->workers;
    uint64_t extra = job->units % job->workers;
    *count = base + (index < extra ? 1 : 0);
    *first = base * index + (index < extra ? index : extra);
}

const char *gb_dispatch_name(enum gb_dispatch dispatch)
{
    return dispatch == GB_DISPATCH_POOL ? "pool" : "shares";
}

uint64_t gb_task_count(const struct gb_job *job)
{
    if (job->dispatch != GB_DISPATCH_POOL || job->chunksize == 0)
        return 0;
    return job->units / job->chunksize + (job->units % job->chunksize != 0);
}

void gb_task_range(const struct gb_job *job, uint64_t task, uint64_t *first, uint64_t *count)
{
    *first = task * job->chunksize;
    uint64_t left = job->units - *first;
    *count = left < job->chunksize ? left : job->chunksize;
}

int gb_pool_problem(const struct gb_job *job, char *why, size_t size)
{
    const struct gb_workload *wl = job->workload;
    if (job->mode == GB_MODE_MPI)
        snprintf(why, size, "--dispatch pool needs a pool of threads or forked processes; "
                            "--mode mpi has none (each rank does its share)");
    else if (job->weak)
        snprintf(why, size, "--weak does not apply to --dispatch pool: the workers share one "
                            "queue of the --units units");
    else if (wl->one_process || wl->after_work)
        snprintf(why, size, "workload %s cannot run under --dispatch pool: its workers know each "
                            "other by index and take their share in one call", wl->name);
    else if (job->chunksize < 1 || job->chunksize > GB_MAX_CHUNKSIZE)
        snprintf(why, size, "--chunksize %llu: accepted 1 to %llu",
                 (unsigned long long)job->chunksize, (unsigned long long)GB_MAX_CHUNKSIZE);
    else if (gb_task_count(job) > GB_MAX_TASKS)
        snprintf(why, size, "--units %llu in tasks of --chunksize %llu make %llu tasks, more than "
                            "%llu: give a larger --chunksize",
                 (unsigned long long)job->units, (unsigned long long)job->chunksize,
                 (unsigned long long)gb_task_count(job), (unsigned long long)GB_MAX_TASKS);
    else if (job->task_arg_bytes > GB_MAX_TASK_PAYLOAD || job->task_result_bytes > GB_MAX_TASK_PAYLOAD)
        snprintf(why, size, "a task's payload of %llu argument and %llu result bytes is more than "
                            "%llu bytes (1 GiB) each", (unsigned long long)job->task_arg_bytes,
                 (unsigned long long)job->task_result_bytes,
                 (unsigned long long)GB_MAX_TASK_PAYLOAD);
    else
        return 0;
    return -1;
}

int gb_shares_problem(const struct gb_job *job, char *why, size_t size)
{
    if (!job->workload->pool_only)
        return 0;
    snprintf(why, size, "workload %s moves task payloads, which travel only between a pool and "
                        "its workers: run it with --dispatch pool", job->workload->name);
    return -1;
}
