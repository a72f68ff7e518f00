/*
 * objects_test.c - the object model of bench/kit/py_object.h through the
 * appends of bench/kit/object_appends.c (the shared_objects and own_objects
 * workloads): in every mode, under both dispatches, with 1 to 4 workers and
 * with weak scaling, every append is accounted for (the lists' checks pass
 * and the checksum is right); an append taken back out of a list (the test
 * hook, what an update that is not mutually exclusive does) fails the run
 * with one line saying how many items the list holds against how many were
 * appended, for the one shared list and for a worker's own.  Also built with
 * ThreadSanitizer, which sees the list's updates: under the gil mode only the
 * GIL model's hand-over orders them.
 */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "object_appends.h"
#include "py_object.h"
#include "run.h"
#include "run_capture.h"
#include "tap.h"

static int shared_setup(struct gb_job *job) { return appends_setup(job, true); }
static int own_setup(struct gb_job *job) { return appends_setup(job, false); }

static const struct gb_workload shared_lists = {
    .name = "shared_lists", .description = "-", .unit = "-", .default_units = 1,
    .params = APPENDS_PARAMS,
    .setup = shared_setup, .teardown = appends_teardown, .work = appends_work,
    .expected_value = appends_expected,
};
static const struct gb_workload own_lists = {
    .name = "own_lists", .description = "-", .unit = "-", .default_units = 1,
    .params = APPENDS_PARAMS,
    .setup = own_setup, .teardown = appends_teardown, .work = appends_work,
    .expected_value = appends_expected,
};

static struct gb_job job_of(const struct gb_workload *wl, enum gb_mode mode, unsigned workers,
                            enum gb_dispatch dispatch, bool weak)
{
    return (struct gb_job){ .workload = wl, .mode = mode, .workers = workers, .units = 24,
                            .weak = weak, .dispatch = dispatch, .params = { 1 },
                            .chunksize = dispatch == GB_DISPATCH_POOL ? 5 : 0 };
}

static void test_every_append_counted(void)
{
    static char message[1 << 16];
    const struct gb_workload *wls[] = { &shared_lists, &own_lists };
    for (size_t k = 0; k < 2; k++)
        for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
            for (int d = GB_DISPATCH_SHARES; d <= GB_DISPATCH_POOL; d++) {
                unsigned failed = 0;
                for (unsigned workers = 1; workers <= 4; workers++)
                    for (int weak = 0; weak <= (d == GB_DISPATCH_SHARES); weak++) {
                        struct gb_job job = job_of(wls[k], (enum gb_mode)mode, workers,
                                                   (enum gb_dispatch)d, weak);
                        int status = run_capturing_stderr(&job, 100, message, sizeof message);
                        if (status != 0) {
                            failed++;
                            diag("%u workers%s: status %d: %s", workers, weak ? ", weak" : "",
                                 status, message);
                        }
                    }
                ok(failed == 0, "%s, %s, %s: 1 to 4 workers: every append is in its list",
                   wls[k]->name, gb_mode_name((enum gb_mode)mode),
                   d == GB_DISPATCH_POOL ? "pool" : "shares (and weak)");
            }
}

static void test_lost_append(void)
{
    static char message[1 << 16];
    static const struct { const struct gb_workload *wl; enum gb_mode mode; const char *line; } cases[] = {
        { &shared_lists, GB_MODE_THREADS, "the shared list holds 23999 items, the workers appended 24000" },
        { &shared_lists, GB_MODE_GIL, "the shared list holds 23999 items, the workers appended 24000" },
        { &shared_lists, GB_MODE_PROCS, "items, it appended" },
        { &own_lists, GB_MODE_THREADS, "items, it appended" },
        { &own_lists, GB_MODE_GIL, "items, it appended" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        atomic_store(&appends_test_lost, 1);
        struct gb_job job = job_of(cases[i].wl, cases[i].mode, 2, GB_DISPATCH_SHARES, false);
        int status = run_capturing_stderr(&job, 100, message, sizeof message);
        ok(status == 1 && strstr(message, "lost appends: ") && strstr(message, cases[i].line),
           "%s, %s: an append lost from a list fails the run, saying so", cases[i].wl->name,
           gb_mode_name(cases[i].mode));
        if (status != 1 || !strstr(message, cases[i].line))
            diag("status %d: %s", status, message);
        atomic_store(&appends_test_lost, 0);
    }
}

/* An object's owner counts with plain instructions, everyone else atomically. */
static void test_biased_counts(void)
{
    struct gb_job job = { .mode = GB_MODE_THREADS, .workers = 2 };
    struct gb_worker owner = { .job = &job, .index = 0 }, other = { .job = &job, .index = 1 };
    struct py_object o;
    ok(py_object_init(&o, 1) == 0, "an object's header is made");
    py_incref(&owner, &o);
    py_incref(&other, &o);
    py_incref(&other, &o);
    ok(o.ref_local == 2 && atomic_load(&o.ref_shared) == 2,
       "free-threaded: the owner's references in its own count, another thread's in the shared one");
    py_decref(&other, &o);
    py_decref(&other, &o);
    py_decref(&owner, &o);
    ok(o.ref_local == 1 && atomic_load(&o.ref_shared) == 0, "and each drop from the same count");
    job.mode = GB_MODE_GIL;
    py_incref(&other, &o);
    ok(o.ref_local == 2 && atomic_load(&o.ref_shared) == 0, "with a GIL: one plain count for all");
    py_object_destroy(&o);
}

int main(void)
{
    test_every_append_counted();
    test_lost_append();
    test_biased_counts();
    ok(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no child process is left");
    return done_testing();
}
