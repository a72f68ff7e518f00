/*
 * after_work_probe - a test-only workload for the engine's after_work hook
 * (bench/engine/workload.h): its units are empty, and after_work() sleeps sleep_ms
 * (default 500) in every worker, then notes that it ran in w->figures.  The
 * timed region must leave the sleep out, and in the procs mode the note must
 * come back from the worker process (it runs before the worker exits).
 * Built into build/gilbench-test, never into build/gilbench.
 */
#include <time.h>
#include <unistd.h>

#include "workload.h"

enum { PARAM_SLEEP_MS };

static uint64_t probe_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    (void)w;
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++)
        checksum += gb_unit_checksum(unit, unit);
    return checksum;
}

static void probe_after_work(struct gb_worker *w)
{
    uint64_t ms = gb_param(w->job, PARAM_SLEEP_MS);
    struct timespec pause = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };
    while (nanosleep(&pause, &pause) != 0)
        ;
    w->figures[0] = 1;
    w->figures[1] = (double)getpid();
}

static uint64_t probe_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit;
}

static int probe_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                        struct gb_figure *out)
{
    double calls = 0, other_processes = 0;
    for (unsigned i = 0; i < job->workers; i++) {
        calls += outcome->workers[i].figures[0];
        other_processes += outcome->workers[i].figures[1] != (double)getpid();
    }
    out[0] = (struct gb_figure){ "after_work_calls", calls };
    out[1] = (struct gb_figure){ "after_work_in_other_processes", other_processes };
    return 2;
}

const struct gb_workload workload_after_work_probe = {
    .name = "after_work_probe",
    .description = "test only: empty units, then after_work() sleeps sleep_ms in every worker",
    .unit = "an empty step",
    .default_units = 4,
    .extra = true,
    .one_process = true,
    .params = { { "sleep_ms", "how long after_work() sleeps", 500, 0, 10000 } },
    .work = probe_work,
    .after_work = probe_after_work,
    .expected_value = probe_expected,
    .report = probe_report,
};
