/*
 * engine_test.c - the engine's pools and processes: every unit runs exactly
 * once in every mode for 1 to 9 workers, under the shares dispatch and under
 * the pool dispatch with chunksizes 1, 3 and 64, weak scaling gives every
 * worker all units, a wrong result fails the run, and a crashing or failing
 * worker process is reported by index and signal or status, with no child
 * left; the workers' times add up (worker_seconds_total against the run's
 * other times, and, under the GIL, hold + wait within the workers'
 * lifetimes).  The pool's payloads and frames are checked: a byte flipped or
 * a frame changed on purpose (the test hooks of task_frame.h) fails the run
 * with one line naming the worker and the task.  gb_fail() fails a run in
 * every mode and dispatch with its own line and no checksum line.
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
#include "run_capture.h"
#include "tap.h"
#include "task_frame.h"

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

/* Runs the tally and checks every unit ran as often as it must: once, or
 * once per worker (weak); chunksize > 0: through the pool, in tasks of that
 * many units, their results combined into the right checksum.  No
 * teardown, so the counts can be read afterwards. */
static void check_exactly_once(enum gb_mode mode, unsigned workers, uint64_t units, bool weak,
                               uint64_t chunksize)
{
    struct gb_job job = { .workload = &tally_workload, .mode = mode, .workers = workers,
                          .units = units, .weak = weak,
                          .dispatch = chunksize ? GB_DISPATCH_POOL : GB_DISPATCH_SHARES,
                          .chunksize = chunksize };
    struct gb_result result;
    int status = gb_run(&job, 200, NULL, &result);
    struct tally *t = job.state;
    unsigned expected_runs = weak ? workers : 1;
    uint64_t wrong = 0;
    for (uint64_t u = 0; u < units; u++)
        wrong += atomic_load(&t->runs[u]) != expected_runs;
    char how[64] = "";
    if (chunksize)
        snprintf(how, sizeof how, " in tasks of %llu (pool)", (unsigned long long)chunksize);
    ok(status == 0 && wrong == 0 && result.checksum == result.expected_checksum,
       "%s, %u workers, %llu units%s%s: every unit ran %s (%llu did not)", gb_mode_name(mode),
       workers, (unsigned long long)units, how, weak ? ", weak" : "",
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

    struct gb_job pool = { .units = 97, .dispatch = GB_DISPATCH_POOL, .chunksize = 3 };
    uint64_t tasks = gb_task_count(&pool);
    next = 0;
    contiguous = true;
    for (uint64_t k = 0; k < tasks; k++) {
        gb_task_range(&pool, k, &first, &count);
        contiguous &= first == next && count == (k + 1 < tasks ? 3 : 1);
        next = first + count;
    }
    ok(tasks == 33 && contiguous && next == 97,
       "97 units in tasks of 3: 33 contiguous tasks, the last of 1 unit");
    pool.chunksize = 1000;
    ok(gb_task_count(&pool) == 1, "a chunksize above the units: one task");
    pool.dispatch = GB_DISPATCH_SHARES;
    ok(gb_task_count(&pool) == 0, "shares: no tasks");
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

/* Runs the failing workload in `mode` with stderr captured into `message`. */
static int run_failing(enum gb_mode mode, char *message, size_t size)
{
    struct gb_job job = { .workload = &failing_workload, .mode = mode, .workers = 4, .units = 8 };
    return run_capturing_stderr(&job, 5000, message, size);
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
    int status = run_failing(GB_MODE_PROCS, message, sizeof message);
    ok(status == 1 && strstr(message, "worker 1 ") && strstr(message, SEGFAULT_REPORT),
       "procs: a worker that segfaults fails the run, named with how it ended");
    ok(!strstr(message, "worker 0") && !strstr(message, "worker 2"),
       "procs: only the failed worker is reported");
    ok(no_child_left(), "procs: no child process is left after a crash");

    failure_kind = FAIL_ABORT;
    status = run_failing(GB_MODE_PROCS, message, sizeof message);
    ok(status == 1 && strstr(message, "worker 1 ") && strstr(message, "signal 6 (Aborted)"),
       "procs: a worker killed by SIGABRT fails the run, named with its signal");
    ok(no_child_left(), "procs: no child process is left after an abort");

    failure_kind = FAIL_EXIT_STATUS;
    status = run_failing(GB_MODE_PROCS, message, sizeof message);
    ok(status == 1 && strstr(message, "worker 1 ") && strstr(message, "exited with status 3"),
       "procs: a worker exiting with status 3 fails the run, named with its status");
    ok(no_child_left(), "procs: no child process is left after a non-zero exit");

    failure_kind = FAIL_WRONG_RESULT;
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++) {
        status = run_failing((enum gb_mode)mode, message, sizeof message);
        ok(status == 1 && strstr(message, "wrong result"),
           "%s: a wrong checksum fails the run", gb_mode_name((enum gb_mode)mode));
    }
}

/* ---- the pool: payloads, frames, crashes, gb_fail ---- */

static int line_count(const char *text)
{
    int lines = 0;
    for (; *text; text++)
        lines += *text == '\n';
    return lines;
}

/* What the hooks do: flip one byte of task 5's payload on one side, or
 * change one field of a frame. */
enum tamper { TAMPER_NONE, TAMPER_ARG_BYTE, TAMPER_RESULT_BYTE, TAMPER_TASK_MAGIC,
              TAMPER_RESULT_MAGIC, TAMPER_UNKNOWN_TASK, TAMPER_DUPLICATE, TAMPER_SUM,
              TAMPER_LENGTH };
static enum tamper tamper;
enum { TAMPERED_TASK = 5, TAMPERED_BYTE = 17, POOL_CHUNK = 2 };

static void tamper_payload(enum gb_payload_side side, uint64_t task, unsigned char *bytes,
                           uint64_t length)
{
    enum tamper want = side == GB_PAYLOAD_ARGUMENT ? TAMPER_ARG_BYTE : TAMPER_RESULT_BYTE;
    if (tamper == want && task == TAMPERED_TASK && length > TAMPERED_BYTE)
        bytes[TAMPERED_BYTE] ^= 0x40;
}

static void tamper_frame(enum gb_payload_side side, struct task_frame *f)
{
    if (f->task != TAMPERED_TASK)
        return;
    if (side == GB_PAYLOAD_ARGUMENT) {
        if (tamper == TAMPER_TASK_MAGIC)
            f->magic ^= 1;
        return;
    }
    switch (tamper) {
    case TAMPER_RESULT_MAGIC: f->magic = 0xdeadbeef; break;
    case TAMPER_UNKNOWN_TASK: f->task = 1000; break;
    case TAMPER_DUPLICATE: /* answers task 4 again, units and all */
        f->task = TAMPERED_TASK - 1;
        f->first = f->task * POOL_CHUNK;
        break;
    case TAMPER_SUM: f->payload_sum += 1; break;
    case TAMPER_LENGTH: f->length += 8; break;
    default: break;
    }
}

static uint64_t plain_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t checksum = 0;
    for (uint64_t u = first; u < first + count; u++) {
        gb_checkpoint(w);
        checksum += gb_unit_checksum(u, u);
    }
    return checksum;
}

static uint64_t unit_value(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit;
}

static const struct gb_workload plain_workload = {
    .name = "plain",
    .description = "units whose value is their index",
    .unit = "nothing",
    .default_units = 40,
    .work = plain_work,
    .expected_value = unit_value,
};

static struct gb_job pool_job(const struct gb_workload *wl, enum gb_mode mode)
{
    return (struct gb_job){ .workload = wl, .mode = mode, .workers = 3, .units = 40,
                            .dispatch = GB_DISPATCH_POOL, .chunksize = POOL_CHUNK,
                            .task_arg_bytes = 1001, .task_result_bytes = 777 };
}

static void test_payloads(void)
{
    static char message[1 << 16];
    gb_pool_test_hooks = (struct gb_pool_test_hooks){ tamper_payload, tamper_frame };
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++) {
        const char *name = gb_mode_name((enum gb_mode)mode);
        struct gb_job job = pool_job(&plain_workload, (enum gb_mode)mode);
        tamper = TAMPER_NONE;
        int status = run_capturing_stderr(&job, 1000, message, sizeof message);
        ok(status == 0 && message[0] == '\0',
           "pool, %s: 1001 argument and 777 result bytes a task, every byte checked: the run "
           "succeeds", name);
        job.task_arg_bytes = job.task_result_bytes = 0;
        status = run_capturing_stderr(&job, 1000, message, sizeof message);
        ok(status == 0, "pool, %s: no payloads", name);

        job = pool_job(&plain_workload, (enum gb_mode)mode);
        tamper = TAMPER_ARG_BYTE;
        status = run_capturing_stderr(&job, 1000, message, sizeof message);
        ok(status == 1 && line_count(message) == 1 &&
           strstr(message, "gilbench: pool: worker ") &&
           strstr(message, ": task 5: argument byte 17 is 0x"),
           "pool, %s: a flipped argument byte fails the run, naming the worker, the task and "
           "the byte", name);
        if (status != 1 || line_count(message) != 1)
            diag("status %d: %s", status, message);
        tamper = TAMPER_RESULT_BYTE;
        status = run_capturing_stderr(&job, 1000, message, sizeof message);
        ok(status == 1 && line_count(message) == 1 && strstr(message, "gilbench: pool: worker ") &&
           strstr(message, ": task 5: result byte 17 is 0x"),
           "pool, %s: a flipped result byte fails the run, naming the worker, the task and the "
           "byte", name);
        if (status != 1 || line_count(message) != 1)
            diag("status %d: %s", status, message);
        ok(no_child_left(), "pool, %s: no child process is left", name);
    }

    /* Frames exist between processes only. */
    static const struct { enum tamper kind; const char *expected, *what; } frames[] = {
        { TAMPER_TASK_MAGIC, ": bad frame: magic number 0x", "a task frame with a bad magic number" },
        { TAMPER_RESULT_MAGIC, ": bad frame: magic number 0xdeadbeef", "a result frame with a bad magic number" },
        { TAMPER_UNKNOWN_TASK, ": unknown task index 1000 (the tasks are 0 to 19)", "an unknown task index" },
        { TAMPER_DUPLICATE, ": task 4: a duplicate result (answered before)", "a result answered twice" },
        { TAMPER_SUM, ": task 5: result checksum 0x", "a payload checksum that does not match" },
        { TAMPER_LENGTH, ": task 5: bad frame: a payload of 785 bytes, expected 777", "a wrong payload length" },
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        struct gb_job job = pool_job(&plain_workload, GB_MODE_PROCS);
        tamper = frames[i].kind;
        /* Task 5's result renamed task 4: with a payload, the byte check may
         * catch it first (task 5's bytes); without, whichever comes second
         * is the duplicate. */
        if (tamper == TAMPER_DUPLICATE)
            job.task_result_bytes = 0;
        int status = run_capturing_stderr(&job, 1000, message, sizeof message);
        bool worker_named = strncmp(message, "gilbench: pool: worker ", 23) == 0;
        ok(status == 1 && line_count(message) == 1 && worker_named &&
           strstr(message, frames[i].expected),
           "pool, procs: %s fails the run with one line naming the worker", frames[i].what);
        if (status != 1 || line_count(message) != 1 || !strstr(message, frames[i].expected))
            diag("status %d: %s", status, message);
        ok(no_child_left(), "pool, procs: no child process is left after %s", frames[i].what);
    }
    tamper = TAMPER_NONE;
    gb_pool_test_hooks = (struct gb_pool_test_hooks){ NULL, NULL };
}

/* The task of unit 5 (whichever worker takes it) crashes, exits or fails. */
enum pool_failure { POOL_SEGFAULT, POOL_EXIT_3, POOL_EXIT_0, POOL_GB_FAIL };
static enum pool_failure pool_failure;

static uint64_t pool_failing_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    if (first <= 5 && 5 < first + count) {
        switch (pool_failure) {
        case POOL_SEGFAULT: raise(SIGSEGV); break;
        case POOL_EXIT_3: _exit(3);
        case POOL_EXIT_0: _exit(0); /* vanishes with its task, as if all were well */
        case POOL_GB_FAIL: gb_fail(w, "unit 5 is wrong"); break;
        }
    }
    return plain_work(w, first, count);
}

static const struct gb_workload pool_failing_workload = {
    .name = "pool_failing",
    .description = "the task of unit 5 fails",
    .unit = "nothing",
    .default_units = 40,
    .work = pool_failing_work,
    .expected_value = unit_value,
};

static void test_pool_failures(void)
{
    static char message[1 << 16];
    struct gb_job job = pool_job(&pool_failing_workload, GB_MODE_PROCS);

    pool_failure = POOL_SEGFAULT;
    int status = run_capturing_stderr(&job, 1000, message, sizeof message);
    ok(status == 1 && strstr(message, "gilbench: worker ") && strstr(message, " (pid ") &&
       strstr(message, SEGFAULT_REPORT), /* under a sanitizer, after its report */
       "pool, procs: a worker that segfaults in a task fails the run, named with its pid and "
       "how it ended");
    ok(no_child_left(), "pool, procs: no child process is left after a crash");

    pool_failure = POOL_EXIT_3;
    status = run_capturing_stderr(&job, 1000, message, sizeof message);
    ok(status == 1 && line_count(message) == 1 && strstr(message, ") exited with status 3"),
       "pool, procs: a worker exiting with status 3 in a task is named with its status");
    ok(no_child_left(), "pool, procs: no child process is left after a non-zero exit");

    pool_failure = POOL_EXIT_0;
    status = run_capturing_stderr(&job, 1000, message, sizeof message);
    ok(status == 1 && line_count(message) == 1 &&
       strstr(message, "gilbench: pool: task 2 has no result, and every worker has ended "
                       "(19 of 20 tasks answered)"),
       "pool, procs: a worker that exits 0 with a task taken: the task is named as unanswered");
    if (status != 1 || line_count(message) != 1)
        diag("status %d: %s", status, message);
    ok(no_child_left(), "pool, procs: no child process is left after an early exit");

    pool_failure = POOL_GB_FAIL;
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++) {
        for (int d = GB_DISPATCH_SHARES; d <= GB_DISPATCH_POOL; d++) {
            job = pool_job(&pool_failing_workload, (enum gb_mode)mode);
            job.dispatch = (enum gb_dispatch)d;
            if (d == GB_DISPATCH_SHARES)
                job.chunksize = job.task_arg_bytes = job.task_result_bytes = 0;
            status = run_capturing_stderr(&job, 1000, message, sizeof message);
            ok(status == 1 && line_count(message) == 1 &&
               strncmp(message, "gilbench: pool_failing: worker ", 31) == 0 &&
               strstr(message, ": unit 5 is wrong\n") && !strstr(message, "wrong result"),
               "%s, %s: gb_fail() fails the run with its one line, no checksum line",
               gb_dispatch_name((enum gb_dispatch)d), gb_mode_name((enum gb_mode)mode));
            if (status != 1 || line_count(message) != 1)
                diag("status %d: %s", status, message);
        }
    }
    ok(no_child_left(), "no child process is left after gb_fail()");
}

int main(void)
{
    test_share();
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        for (unsigned workers = 1; workers <= 9; workers++)
            check_exactly_once((enum gb_mode)mode, workers, 97, false, 0);
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        check_exactly_once((enum gb_mode)mode, 3, 50, true, 0);
    check_exactly_once(GB_MODE_THREADS, 9, 5, false, 0);
    static const uint64_t chunksizes[] = { 1, 3, 64 };
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        for (unsigned workers = 1; workers <= 9; workers++)
            for (size_t c = 0; c < sizeof chunksizes / sizeof chunksizes[0]; c++)
                check_exactly_once((enum gb_mode)mode, workers, 97, false, chunksizes[c]);
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        check_exactly_once((enum gb_mode)mode, 9, 5, false, 1); /* idle workers */
    for (int mode = GB_MODE_GIL; mode <= GB_MODE_PROCS; mode++)
        test_worker_times((enum gb_mode)mode);
    test_failures();
    test_payloads();
    test_pool_failures();
    ok(no_child_left(), "no child process is left at the end");
    return done_testing();
}
