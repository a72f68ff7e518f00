/*
 * engine_test.c - the engine's pools and processes: every unit runs exactly
 * once in every mode for 1 to 9 workers, weak scaling gives every worker all
 * units, a wrong result fails the run, and a crashing or failing worker
 * process is reported by index and signal or status, with no child left;
 * the workers' times add up (worker_seconds_total against the run's other
 * times, and, under the GIL, hold + wait within the workers' lifetimes).
 * Also built with ThreadSanitizer.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "tap.h"

/* ---- a workload that counts how often each unit ran ---- */

enum { TALLY_MAX_UNITS = 1000 };

struct tally {
    atomic_uint runs[TALLY_MAX_UNITS];
};

static int tally_setup(struct gb_job *job)
{
    /* Shared, so that forked workers' counts are seen by the parent. */
    void *memory = mmap(NULL, sizeof(struct tally), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        return -1;
    job->state = memory;
    return 0;
}

static uint64_t tally_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    struct tally *t = w->job->state;
    uint64_t checksum = 0;
    for (uint64_t u = first; u < first + count; u++) {
        gb_release_gil(w);
        atomic_fetch_add(&t->runs[u], 1);
        gb_reacquire_gil(w);
        gb_checkpoint(w);
        checksum += gb_unit_checksum(u, u * 3);
    }
    return checksum;
}

static uint64_t tally_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit * 3;
}

static const struct gb_workload tally_workload = {
    .name = "tally",
    .description = "counts the runs of every unit",
    .unit = "one count",
    .default_units = 100,
    .setup = tally_setup,
    .work = tally_work,
    .expected_value = tally_expected,
};

/* Runs the tally and checks every unit ran `expected_runs` times; no teardown,
 * so the counts can be read afterwards. */
static void check_exactly_once(enum gb_mode mode, unsigned workers, uint64_t units, bool weak)
{
    struct gb_job job = { .workload = &tally_workload, .mode = mode, .workers = workers,
                          .units = units, .weak = weak };
    struct gb_result result;
    int status = gb_run(&job, 200, NULL, &result);
    struct tally *t = job.state;
    unsigned expected_runs = weak ? workers : 1;
    uint64_t wrong = 0;
    for (uint64_t u = 0; u < units; u++)
        wrong += atomic_load(&t->runs[u]) != expected_runs;
    ok(status == 0 && wrong == 0 && result.checksum == result.expected_checksum,
       "%s, %u workers, %llu units%s: every unit ran %s (%llu did not)", gb_mode_name(mode),
       workers, (unsigned long long)units, weak ? ", weak" : "",
       weak ? "once per worker" : "exactly once", (unsigned long long)wrong);
    munmap(t, sizeof *t);
}

/* ---- how units are shared ---- */

static void test_share(void)
{
    struct gb_job job = { .workers = 4, .units = 10 };
    uint64_t first, count, next = 0, smallest = 99, largest = 0;
    bool contiguous = true;
    for (unsigned i = 0; i < 4; i++) {
        gb_share(&job, i, &first, &count);
        contiguous &= first == next;
        next = first + count;
        smallest = count < smallest ? count : smallest;
        largest = count > largest ? count : largest;
    }
    ok(contiguous && next == 10 && largest - smallest == 1,
       "10 units over 4 workers: contiguous shares of 3, 3, 2, 2");
    job.units = 2;
    gb_share(&job, 3, &first, &count);
    ok(count == 0, "more workers than units: the extra workers get no unit");
}

/* ---- what the workers' times add up to ---- */

static uint64_t spin_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t checksum = 0;
    for (uint64_t u = first; u < first + count; u++) {
        uint64_t x = u;
        for (int i = 0; i < 1000; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            gb_checkpoint(w);
        }
        checksum += gb_unit_checksum(u, x);
    }
    return checksum;
}

static uint64_t spin_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    uint64_t x = unit;
    for (int i = 0; i < 1000; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    return x;
}

static const struct gb_workload spin_workload = {
    .name = "spin",
    .description = "CPU-bound, a check point per step",
    .unit = "1000 steps",
    .default_units = 100,
    .work = spin_work,
    .expected_value = spin_expected,
};

/* Exact bounds only (no timing threshold): each worker runs inside the timed
 * region, and under the GIL it holds or waits for at most its lifetime. */
static void test_worker_times(enum gb_mode mode)
{
    const unsigned workers = 3;
    struct gb_job job = { .workload = &spin_workload, .mode = mode, .workers = workers,
                          .units = 12000 };
    struct gb_result r;
    int status = gb_run(&job, 1000, NULL, &r);
    const char *name = gb_mode_name(mode);
    ok(status == 0, "%s: the spin workload runs", name);
    ok(r.worker_seconds_total >= r.worker_seconds_max &&
       r.worker_seconds_total >= workers * r.worker_seconds_min - 1e-9 &&
       r.worker_seconds_total <= workers * r.seconds,
       "%s: worker_seconds_total %.6f s is between %u x the shortest worker (%.6f s), the "
       "longest (%.6f s) and %u x the run (%.6f s)", name, r.worker_seconds_total, workers,
       r.worker_seconds_min, r.worker_seconds_max, workers, r.seconds);
    if (mode == GB_MODE_GIL) {
        diag("gil: hold %.6f s + wait %.6f s of %.6f s of workers' time (wait share %.3f)",
             r.gil_hold_seconds, r.gil_wait_seconds, r.worker_seconds_total,
             r.gil_wait_seconds / r.worker_seconds_total);
        ok(r.gil_hold_seconds > 0 && r.gil_wait_seconds >= 0 &&
           r.gil_hold_seconds + r.gil_wait_seconds <= r.worker_seconds_total + 1e-9,
           "gil: hold + wait is within the workers' lifetimes: nothing counted twice");
        ok(r.gil_hold_seconds <= r.seconds + 1e-9,
           "gil: the holds, one worker at a time, fit in the run (%.6f <= %.6f s)",
           r.gil_hold_seconds, r.seconds);
    } else {
        ok(r.gil_hold_seconds == 0 && r.gil_wait_seconds == 0, "%s: no GIL times", name);
    }
}

/* ---- failing workers ---- */

enum failure { FAIL_SEGFAULT, FAIL_ABORT, FAIL_EXIT_STATUS, FAIL_WRONG_RESULT };
static enum failure failure_kind;

static uint64_t failing_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    if (w->index == 1) {
        if (failure_kind == FAIL_SEGFAULT)
            raise(SIGSEGV);
        if (failure_kind == FAIL_ABORT)
            abort();
        if (failure_kind == FAIL_EXIT_STATUS)
            _exit(3);
        return 12345; /* FAIL_WRONG_RESULT */
    }
    uint64_t checksum = 0;
    for (uint64_t u = first; u < first + count; u++)
        checksum += gb_unit_checksum(u, u);
    return checksum;
}

static uint64_t failing_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit;
}

static const struct gb_workload failing_workload = {
    .name = "failing",
    .description = "worker 1 fails",
    .unit = "nothing",
    .default_units = 8,
    .work = failing_work,
    .expected_value = failing_expected,
};

/* Runs the failing workload with stderr captured into `message`. */
static int run_capturing_stderr(enum gb_mode mode, char *message, size_t size)
{
    char path[] = "/tmp/gilbench-engine-test-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    struct gb_job job = { .workload = &failing_workload, .mode = mode, .workers = 4, .units = 8 };
    struct gb_result result;
    int status = gb_run(&job, 5000, NULL, &result);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(fd, message, size - 1, 0);
    message[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return status;
}

static bool no_child_left(void)
{
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

/* Sanitizers catch SIGSEGV themselves and turn it into an exit status. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SEGFAULT_REPORT "exited with status"
#else
#define SEGFAULT_REPORT "signal 11"
#endif

static void test_failures(void)
{
    static char message[1 << 16]; /* room for a sanitizer's report too */
    failure_kind = FAIL_SEGFAULT;
    int status = run_capturing_stderr(GB_MODE_PROCS, message, sizeof message);
    ok(status == 1 && strstr(message, "worker 1 ") && strstr(message, SEGFAULT_REPORT),
       "procs: a worker that segfaults fails the run, named with how it ended");
    ok(!strstr(message, "worker 0") && !strstr(message, "worker 2"),
       "procs: only the failed worker is reported");
    ok(no_child_left(), "procs: no child process is left after a crash");

    failure_kind = FAIL_ABORT;
    status = run_capturing_stderr(GB_MODE_PROCS, message, sizeof message);
    ok(status == 1 && strstr(message, "worker 1 ") && strstr(message, "signal 6 (Aborted)"),
       "procs: a worker killed by SIGABRT fails the run, named with its signal");
    ok(no_child_left(), "procs: no child process is left after an abort");

    failure_kind = FAIL_EXIT_STATUS;
    status = run_capturing_stderr(GB_MODE_PROCS, message, sizeof message);
    ok(status == 1 && strstr(message, "worker 1 ") && strstr(message, "exited with status 3"),
       "procs: a worker exiting with status 3 fails the run, named with its status");
    ok(no_child_left(), "procs: no child process is left after a non-zero exit");

    failure_kind = FAIL_WRONG_RESULT;
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++) {
        status = run_capturing_stderr((enum gb_mode)mode, message, sizeof message);
        ok(status == 1 && strstr(message, "wrong result"),
           "%s: a wrong checksum fails the run", gb_mode_name((enum gb_mode)mode));
    }
}

int main(void)
{
    test_share();
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        for (unsigned workers = 1; workers <= 9; workers++)
            check_exactly_once((enum gb_mode)mode, workers, 97, false);
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        check_exactly_once((enum gb_mode)mode, 3, 50, true);
    check_exactly_once(GB_MODE_THREADS, 9, 5, false);
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        test_worker_times((enum gb_mode)mode);
    test_failures();
    ok(no_child_left(), "no child process is left at the end");
    return done_testing();
}
