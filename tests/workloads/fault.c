/*
 * fault - a test-only workload that fails on request, so that the tests can
 * provoke every fault a sweep must survive.  Built into build/gilbench-test,
 * never into build/gilbench.
 *
 * Settings: kind (what goes wrong; 6 reports it through gb_fail() and
 * returns the right checksum), worker (which worker index does it; 4096:
 * whichever worker does unit `unit`, as under the pool dispatch any worker
 * may), at_workers (only in runs with exactly this many workers; 0: any) and
 * in_mode (only in this mode: 1 gil, 2 threads, 3 procs, 4 mpi; 0: any).
 * arg_bytes and result_bytes are its tasks' payloads under the pool dispatch
 * (task_payload), unless --task-arg-kib / --task-result-kib say otherwise.
 * Without a fault a unit is a few microseconds of arithmetic with a check
 * point.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "workload.h"

enum { PARAM_KIND, PARAM_WORKER, PARAM_AT_WORKERS, PARAM_IN_MODE, PARAM_UNIT, PARAM_ARG_BYTES,
       PARAM_RESULT_BYTES };
enum fault_kind { NONE, SEGFAULT, ABORT, EXIT_STATUS, HANG, WRONG_RESULT, GB_FAIL };
enum { WHICHEVER_WORKER = 4096 };

static bool this_worker_fails(const struct gb_worker *w, uint64_t first, uint64_t count)
{
    const struct gb_job *job = w->job;
    uint64_t at_workers = gb_param(job, PARAM_AT_WORKERS), in_mode = gb_param(job, PARAM_IN_MODE);
    uint64_t worker = gb_param(job, PARAM_WORKER), unit = gb_param(job, PARAM_UNIT);
    bool this_one = worker == WHICHEVER_WORKER ? unit >= first && unit - first < count
                                               : w->index == worker;
    return gb_param(job, PARAM_KIND) != NONE && this_one &&
           (at_workers == 0 || at_workers == job->workers) &&
           (in_mode == 0 || in_mode == (uint64_t)job->mode + 1);
}

static uint64_t fault_value(uint64_t unit)
{
    uint64_t x = unit;
    for (int i = 0; i < 1000; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    return x;
}

static uint64_t fault_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        checksum += gb_unit_checksum(unit, fault_value(unit));
        gb_checkpoint(w);
    }
    if (!this_worker_fails(w, first, count))
        return checksum;
    switch ((enum fault_kind)gb_param(w->job, PARAM_KIND)) {
    case SEGFAULT:
        raise(SIGSEGV);
        break;
    case ABORT:
        abort();
    case EXIT_STATUS:
        _exit(3);
    case HANG:
        for (;;)
            pause(); /* holding the GIL, in the gil mode: a deadlock */
    case WRONG_RESULT:
        return checksum + 1;
    case GB_FAIL:
        gb_fail(w, "injected failure (kind=6) in units [%llu, +%llu)", (unsigned long long)first,
                (unsigned long long)count);
        return checksum;
    case NONE:
        break;
    }
    return checksum;
}

static uint64_t fault_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return fault_value(unit);
}

static void fault_task_payload(const struct gb_job *job, uint64_t *arg_bytes,
                               uint64_t *result_bytes)
{
    *arg_bytes = gb_param(job, PARAM_ARG_BYTES);
    *result_bytes = gb_param(job, PARAM_RESULT_BYTES);
}

const struct gb_workload workload_fault = {
    .name = "fault",
    .description = "test only: fails on request (crash, abort, exit status, hang, wrong result, gb_fail)",
    .unit = "a few microseconds of arithmetic",
    .default_units = 100,
    .params = {
        { "kind", "0 none, 1 segfault, 2 abort, 3 exit status 3, 4 hang, 5 wrong result, "
                  "6 gb_fail", 0, 0, 6 },
        { "worker", "index of the worker that fails (4096: whichever does unit `unit`)", 0, 0,
          4096 },
        { "at_workers", "fail only in runs with this many workers (0: any)", 0, 0, 4096 },
        { "in_mode", "fail only in this mode: 1 gil, 2 threads, 3 procs, 4 mpi (0: any)", 0, 0, 4 },
        { "unit", "with worker=4096: the unit whose worker fails", 0, 0, 1000000000000 },
        { "arg_bytes", "pool: a task's argument payload in bytes (its default)", 0, 0,
          1073741824 },
        { "result_bytes", "pool: a task's result payload in bytes (its default)", 0, 0,
          1073741824 },
    },
    .work = fault_work,
    .expected_value = fault_expected,
    .task_payload = fault_task_payload,
};
