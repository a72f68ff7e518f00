/*
 * interp_test.c - the interp mode (bench/modes/interpreters.c): every unit
 * runs exactly once under both dispatches and with weak scaling; every
 * interpreter makes its own state (one setup() per worker beside the
 * engine's, each torn down after the run) unless the workload is
 * one_process, whose state all share; an interpreter whose setup() fails
 * fails the run with its line, under shares and under the pool, and nothing
 * leaks; CPU-bound workers never ask each other to drop a GIL (each holds
 * its own), where the gil mode's do; pool payloads arrive whole.  Also built
 * with ThreadSanitizer.
 */
#include <stdatomic.h>
#include <string.h>

#include "run.h"
#include "run_capture.h"
#include "tap.h"

enum { MAX_WORKERS = 9 };

static atomic_int setups, teardowns, fail_setup_at; /* fail_setup_at: the n-th setup fails (0: none) */
static const void *seen_state[MAX_WORKERS];         /* the state each worker's work() saw */

static int counted_setup(struct gb_job *job)
{
    int n = atomic_fetch_add(&setups, 1) + 1;
    if (n == atomic_load(&fail_setup_at)) {
        fprintf(stderr, "gilbench: counted: setup %d fails on purpose\n", n);
        return -1;
    }
    job->state = malloc(64); /* freed by teardown: ASan finds a missed one */
    return job->state ? 0 : -1;
}

static void counted_teardown(struct gb_job *job)
{
    atomic_fetch_add(&teardowns, 1);
    free(job->state);
    job->state = NULL;
}

static uint64_t spin_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    seen_state[w->index] = w->job->state;
    uint64_t checksum = 0;
    for (uint64_t u = first; u < first + count; u++) {
        volatile uint64_t x = u;
        for (int i = 0; i < 2000; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(u, u * 7);
    }
    return checksum;
}

static uint64_t unit_value(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit * 7;
}

static const struct gb_workload counted = {
    .name = "counted", .description = "-", .unit = "-", .default_units = 1,
    .setup = counted_setup, .teardown = counted_teardown, .work = spin_work,
    .expected_value = unit_value,
};
static const struct gb_workload counted_one_process = {
    .name = "counted_one_process", .description = "-", .unit = "-", .default_units = 1,
    .one_process = true, .setup = counted_setup, .teardown = counted_teardown, .work = spin_work,
    .expected_value = unit_value,
};

static struct gb_job interp_job(const struct gb_workload *wl, unsigned workers, uint64_t chunksize)
{
    return (struct gb_job){ .workload = wl, .mode = GB_MODE_INTERP, .workers = workers,
                            .units = 37, .dispatch = chunksize ? GB_DISPATCH_POOL : GB_DISPATCH_SHARES,
                            .chunksize = chunksize };
}

static void reset_counts(void)
{
    atomic_store(&setups, 0);
    atomic_store(&teardowns, 0);
    memset(seen_state, 0, sizeof seen_state);
}

static void test_exactly_once_and_own_state(void)
{
    static const uint64_t chunksizes[] = { 0, 1, 3 }; /* 0: shares */
    for (size_t c = 0; c < 3; c++) {
        unsigned wrong = 0, shared_state = 0, unbalanced = 0;
        for (unsigned workers = 1; workers <= 5; workers++) {
            reset_counts();
            struct gb_job job = interp_job(&counted, workers, chunksizes[c]);
            struct gb_result r;
            int status = gb_run(&job, 1000, NULL, &r);
            wrong += status != 0 || r.checksum != r.expected_checksum;
            /* A worker of a pool may get no task: only those that worked are compared. */
            for (unsigned i = 0; i < workers; i++)
                for (unsigned k = 0; k < i; k++)
                    shared_state += seen_state[i] && seen_state[i] == seen_state[k];
            unbalanced += atomic_load(&setups) != (int)workers + 1 ||
                          atomic_load(&teardowns) != atomic_load(&setups);
        }
        const char *how = chunksizes[c] ? (chunksizes[c] == 1 ? "pool, chunksize 1" : "pool, chunksize 3")
                                        : "shares";
        ok(wrong == 0, "interp, %s, 1 to 5 workers: every unit once (checksum right)", how);
        ok(shared_state == 0, "interp, %s: no two workers saw the same state", how);
        ok(unbalanced == 0, "interp, %s: one setup() per interpreter beside the engine's, each torn down",
           how);
    }
    reset_counts();
    struct gb_job job = interp_job(&counted, 3, 0);
    job.weak = true;
    struct gb_result r;
    ok(gb_run(&job, 1000, NULL, &r) == 0 && r.checksum == r.expected_checksum,
       "interp, weak scaling: every worker does every unit");

    reset_counts();
    job = interp_job(&counted_one_process, 3, 0);
    int status = gb_run(&job, 1000, NULL, &r);
    ok(status == 0 && atomic_load(&setups) == 1 && seen_state[0] && seen_state[0] == seen_state[1] &&
           seen_state[1] == seen_state[2],
       "interp, a one_process workload: one setup(), its state shared by every interpreter");
}

static void test_failing_setup(void)
{
    static char message[1 << 16];
    for (int pool = 0; pool <= 1; pool++) {
        reset_counts();
        atomic_store(&fail_setup_at, 3); /* the engine's, then interpreter 0's, then this one */
        struct gb_job job = interp_job(&counted, 3, pool ? 2 : 0);
        int status = run_capturing_stderr(&job, 1000, message, sizeof message);
        atomic_store(&fail_setup_at, 0);
        ok(status == 1 && strstr(message, "setup 3 fails on purpose") &&
               strstr(message, "its interpreter could not make the workload's state"),
           "interp, %s: an interpreter whose setup() fails fails the run, saying so",
           pool ? "pool" : "shares");
        if (status != 1)
            diag("status %d: %s", status, message);
        ok(atomic_load(&teardowns) == atomic_load(&setups) - 1,
           "... and every state that was made is torn down");
    }
}

static void test_own_gils(void)
{
    struct gb_result r;
    struct gb_job job = interp_job(&counted, 3, 0);
    job.units = 600;
    reset_counts();
    int status = gb_run(&job, 100, NULL, &r);
    ok(status == 0 && r.gil_drop_requests == 0,
       "interp: CPU-bound workers never ask for a drop (%llu asked): each holds a GIL of its own",
       (unsigned long long)r.gil_drop_requests);
    /* Long enough (tens of ms) that on a loaded machine the workers still
     * overlap: three that each finish before the next starts never ask. */
    job.mode = GB_MODE_GIL;
    job.units = 6000;
    reset_counts();
    status = gb_run(&job, 100, NULL, &r);
    ok(status == 0 && r.gil_drop_requests > 0,
       "gil, the same run: its workers do ask (%llu drops)", (unsigned long long)r.gil_drop_requests);
}

static void test_payloads(void)
{
    struct gb_job job = interp_job(&counted, 3, 2);
    job.task_arg_bytes = 100000;
    job.task_result_bytes = 7001;
    reset_counts();
    struct gb_result r;
    ok(gb_run(&job, 1000, NULL, &r) == 0 && r.checksum == r.expected_checksum,
       "interp, pool: arguments and results copied in and out arrive whole (every byte checked)");
}

int main(void)
{
    test_exactly_once_and_own_state();
    test_failing_setup();
    test_own_gils();
    test_payloads();
    return done_testing();
}
