/*
 * ipc - what moving a task's payload to its worker costs.  Run it under the
 * pool dispatch: `--dispatch pool` gives every task an argument payload of
 * payload_kib KiB (task_payload below; --task-arg-kib overrides it), which
 * the engine's pool (bench/dispatch/) builds, hands to the worker and checks
 * byte by byte there: the gil and threads modes pass a pointer, the procs mode
 * copies it through a pipe, framed, from a feeder thread, as
 * multiprocessing.Pool and ProcessPoolExecutor pickle a task's arguments.
 * The work itself is next to nothing, so the time is the payload's.  Under
 * --dispatch shares nothing would move: the engine refuses it (pool_only).
 *
 * Every mode's figure holds the same building (by the submitting thread, in
 * the timed region, as a program makes each task's argument) and the same
 * check (by the worker, as a function reads its argument); what differs
 * between the modes' figures is what moving the payload costs.  A thread
 * pool given an argument that already exists pays only the hand-off: its
 * figure here is an upper bound of that.  At the default 16 units, small
 * payloads are mostly the run's one-off costs (1 KiB: about 4x the per-task
 * cost at 1024 units, and 8x the spread); give more units to measure them.
 *
 * Check: a unit's value is the payload size in bytes, mixed with its index
 * (gb_unit_checksum), and expected_value is the same: a task lost or run
 * twice fails the run; a payload damaged on the way fails it in the pool.
 *
 * Figures: us_per_task, the time one worker spends per task (seconds x
 * workers x 10^6 / tasks), and mb_per_s, the payload bytes moved (arguments
 * and results) per second by all workers together (1 MB = 10^6 bytes).
 */
#include "run_vocabulary.h" /* gb_task_count */

enum { PARAM_PAYLOAD_KIB };

static uint64_t ipc_expected(const struct gb_job *job, uint64_t unit)
{
    (void)unit;
    return gb_param(job, PARAM_PAYLOAD_KIB) * 1024;
}

static uint64_t ipc_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        checksum += gb_unit_checksum(unit, ipc_expected(w->job, unit));
        gb_checkpoint(w);
    }
    return checksum;
}

static void ipc_payload(const struct gb_job *job, uint64_t *arg_bytes, uint64_t *result_bytes)
{
    *arg_bytes = gb_param(job, PARAM_PAYLOAD_KIB) * 1024;
    *result_bytes = 0;
}

static int ipc_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                      struct gb_figure *out)
{
    double tasks = (double)gb_task_count(job);
    double bytes = tasks * (double)(job->task_arg_bytes + job->task_result_bytes);
    out[0] = (struct gb_figure){ "us_per_task", outcome->seconds * job->workers * 1e6 / tasks };
    out[1] = (struct gb_figure){ "mb_per_s", bytes / outcome->seconds / 1e6 };
    return 2;
}

const struct gb_workload workload_ipc = {
    .name = "ipc",
    .description = "tasks carrying a payload (--dispatch pool): a pointer for threads, a pipe "
                   "for processes",
    .unit = "next to no work; each task (of --chunksize units) carries payload_kib KiB",
    .default_units = 16,
    .extra = true,
    .params = { { "payload_kib", "argument payload of one task in KiB", 1024, 1, 65536 } },
    .pool_only = true,
    .work = ipc_work,
    .expected_value = ipc_expected,
    .report = ipc_report,
    .task_payload = ipc_payload,
};
