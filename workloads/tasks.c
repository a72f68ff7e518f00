/*
 * tasks - many small tasks: what dispatching one task costs.
 *
 * A unit is one task standing for a small Python function: task_us
 * microseconds (default 50) of cpu_loop's iterations holding the GIL, a check
 * point after each.  The workload holds only that work; the pool is the
 * engine's (bench/dispatch/).  Run it both ways and compare:
 *
 *   gilbench run --workload tasks --mode M --workers N
 *       one share of the tasks per worker, started and joined in the region;
 *   gilbench run --workload tasks --mode M --workers N --dispatch pool --chunksize 1
 *       every task on its own through a persistent pool (threads: a shared
 *       queue; procs: forked workers fed through pipes, as concurrent.futures'
 *       executors are);
 *
 * the difference in worker_us_per_task is what dispatching one task costs.
 *
 * Calibration: an iteration's time is this machine's, not a constant.
 * setup() times CALIBRATION_ITERATIONS iterations of the loop as work() runs
 * it, CALIBRATION_REPEATS times, and keeps the fastest (CLOCK_MONOTONIC):
 * ns_per_iteration = fastest / CALIBRATION_ITERATIONS, and a task is
 * iterations_per_task = max(1, round(task_us x 1000 / ns_per_iteration))
 * iterations.  Both are reported.
 *
 * Check: a unit's value is the generator's state after exactly 2^40
 * iterations from gb_lcg_seed(unit): work() runs iterations_per_task of them
 * for real and jumps over the rest with the closed form (gb_lcg_jump, O(log):
 * ~70 ns here, about one iteration), and expected_value jumps all 2^40.  The
 * value must not depend on the measured count: every MPI rank runs setup()
 * itself and may measure another count than the rank that computes the
 * expected checksum (and two runs of one configuration would otherwise differ
 * in checksum).
 *
 * Figures: us_per_task, the wall time per task with all workers
 * (seconds x 10^6 / tasks), and worker_us_per_task, the workers' time per
 * task (us_per_task x workers): task_us plus what dispatching a task costs,
 * as long as the workers are not more than the CPUs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "lcg.h"
#include "workload.h"

enum { PARAM_TASK_US };

enum { CALIBRATION_ITERATIONS = 2000, CALIBRATION_REPEATS = 25 };

#define CHECKED_ITERATIONS (1ULL << 40) /* a unit's value: the state after these */

struct tasks_state {
    double ns_per_iteration;
    uint64_t iterations_per_task;
};

static volatile uint64_t calibration_sink; /* keeps the timed loop's result alive */

/* n iterations from x, a check point after each: a task's loop. */
static uint64_t iterate(struct gb_worker *w, uint64_t x, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        x = gb_lcg_iteration(x);
        gb_checkpoint(w);
    }
    return x;
}

static int tasks_setup(struct gb_job *job)
{
    struct tasks_state *st = calloc(1, sizeof *st);
    if (!st) {
        fprintf(stderr, "gilbench: tasks: out of memory\n");
        return -1;
    }
    struct gb_worker idle = { .job = job }; /* no GIL: the check points cost their branch */
    double fastest = 0;
    for (int r = 0; r < CALIBRATION_REPEATS; r++) {
        double start = gb_now();
        calibration_sink = iterate(&idle, gb_lcg_seed((uint64_t)r), CALIBRATION_ITERATIONS);
        double seconds = gb_now() - start;
        if (r == 0 || seconds < fastest)
            fastest = seconds;
    }
    st->ns_per_iteration = fastest > 0 ? fastest * 1e9 / CALIBRATION_ITERATIONS : 1e-3;
    double iterations = (double)gb_param(job, PARAM_TASK_US) * 1000 / st->ns_per_iteration + 0.5;
    st->iterations_per_task = iterations < 1 ? 1
                              : iterations > (double)CHECKED_ITERATIONS ? CHECKED_ITERATIONS
                                                                       : (uint64_t)iterations;
    job->state = st;
    return 0;
}

static void tasks_teardown(struct gb_job *job)
{
    free(job->state);
    job->state = NULL;
}

static uint64_t tasks_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    const struct tasks_state *st = w->job->state;
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t x = iterate(w, gb_lcg_seed(unit), st->iterations_per_task);
        x = gb_lcg_jump(x, CHECKED_ITERATIONS - st->iterations_per_task); /* the rest */
        checksum += gb_unit_checksum(unit, x);
    }
    return checksum;
}

static uint64_t tasks_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return gb_lcg_jump(gb_lcg_seed(unit), CHECKED_ITERATIONS);
}

static int tasks_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                        struct gb_figure *out)
{
    const struct tasks_state *st = job->state;
    double tasks = (double)job->units * (job->weak ? job->workers : 1);
    double us_per_task = outcome->seconds * 1e6 / tasks;
    out[0] = (struct gb_figure){ "us_per_task", us_per_task };
    out[1] = (struct gb_figure){ "worker_us_per_task", us_per_task * job->workers };
    out[2] = (struct gb_figure){ "ns_per_iteration", st->ns_per_iteration };
    out[3] = (struct gb_figure){ "iterations_per_task", (double)st->iterations_per_task };
    return 4;
}

const struct gb_workload workload_tasks = {
    .name = "tasks",
    .description = "many small tasks of task_us loop iterations: the dispatch cost per task, "
                   "shares against --dispatch pool",
    .unit = "one task of task_us microseconds of loop iterations",
    .default_units = 2000,
    .extra = true,
    .params = {
        { "task_us", "CPU work of one task in microseconds (holding the GIL)", 50, 1, 100000 },
    },
    .setup = tasks_setup,
    .teardown = tasks_teardown,
    .work = tasks_work,
    .expected_value = tasks_expected,
    .report = tasks_report,
};
