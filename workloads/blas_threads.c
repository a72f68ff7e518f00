/*
 * blas_threads - the BLAS threading question NumPy users hit: is it better
 * to make one call with OpenBLAS using N threads, N callers with one OpenBLAS
 * thread each, or N callers with N OpenBLAS threads each (oversubscription,
 * what happens by default when multiprocessing workers each import NumPy)?
 *
 *   --workers 1 --param blas_threads=N   one caller, OpenBLAS parallel
 *   --workers N --param blas_threads=1   N callers, OpenBLAS serial
 *   --workers N --param blas_threads=N   both: N x N threads
 *
 * The work is blas_dgemm's, shared in bench/kit/dgemm_units.c (small-integer
 * inputs, so the products are exact; each unit checks one row and one
 * column sum of C against formulas that do not use the kernel), with the GIL
 * released around each cblas_dgemm; only the number of OpenBLAS threads per
 * caller, the blas_threads setting, differs.
 *
 * Where the thread count is set: openblas_set_num_threads() is process-wide.
 * In the gil and threads modes all callers share one OpenBLAS, so setup()
 * sets it once.  In the procs mode each worker process sets it before its
 * first multiply, as a multiprocessing worker with its own NumPy would, and
 * the parent is left alone: OpenBLAS's pthread build shuts its pool down
 * before every fork (a pthread_atfork handler), so a pool started in the
 * parent would not survive into the workers and would only cost its
 * shutdown inside the timed region.  Setting the count in a worker works
 * although the engine runs with OPENBLAS_NUM_THREADS=1 in its environment
 * (the variable is read once, when the library loads).  Each worker records
 * openblas_get_num_threads() as it starts, and the "blas_threads" figure is
 * the smallest of these, so the JSON line shows the count in effect, not the
 * one asked for.  A count that OpenBLAS clamps (above its MAX_THREADS, 64 in
 * Debian 12's build) fails the run with one line saying what OpenBLAS gave:
 * from setup() in the gil and threads modes, through gb_fail() in each
 * worker process in the procs mode.  That the threads
 * really compute shows in the GFLOP/s and in cpu_user_seconds (about
 * 2 x seconds for one caller with 2 threads at n = 512).  CPU time alone can
 * mislead: OpenBLAS's pool threads spin (about 0.1 s) after they start and
 * after each call before they sleep, and at n x n x n <= 262144 (n <= 64)
 * OpenBLAS runs a dgemm on one thread whatever the setting while its idle
 * pool threads still spin.
 *
 * Concurrent callers in one process (gil and threads modes, blas_threads >
 * 1), measured with OpenBLAS 0.3.21 (Debian 12) on 2 CPUs: the checksums
 * are right, but the calls do not overlap.  The threaded gemm driver holds
 * a process-wide lock for the whole call (each waiting caller sleeps on it
 * about once per call), and the process has one pool: blas_threads - 1
 * threads besides the caller.  So N callers with N threads each in one
 * process behave like one caller with N threads (2 x 2: 67.8 GFLOP/s, 1 x 2:
 * 67.6), never N x N threads at once; what oversubscribes the CPUs there is
 * N threads per call on fewer CPUs.  The procs mode, where every process
 * has its own OpenBLAS, lock and pool, like multiprocessing workers each
 * with NumPy, is the case that really runs N x N threads.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "dgemm_units.h"

enum { PARAM_N, PARAM_BLAS_THREADS };
enum { FIGURE_BLAS_THREADS }; /* w->figures[]: the count each worker found in effect */
enum { WHY_SIZE = 512 };       /* set_blas_threads()'s message */

/* Tells OpenBLAS to use `threads` threads in this process and checks that
 * it took the number: 0, or -1 with why[size] saying what it gave instead
 * (the caller reports it: setup() on stderr, a worker through gb_fail()). */
static int set_blas_threads(int threads, char *why, size_t size)
{
    openblas_set_num_threads(threads);
    int got = openblas_get_num_threads();
    if (got == threads)
        return 0;
    snprintf(why, size, "OpenBLAS gives %d threads when asked for %d (its configuration: %s)", got,
             threads, openblas_get_config());
    return -1;
}

static int threads_setup(struct gb_job *job)
{
    struct dgemm_inputs *in = dgemm_inputs_new((size_t)gb_param(job, PARAM_N), "blas_threads");
    if (!in)
        return -1;
    /* In the procs mode each worker sets it in its own process; setting it
     * here too would start a pool that the first fork, inside the timed
     * region, would have to shut down. */
    char why[WHY_SIZE];
    if (job->mode != GB_MODE_PROCS &&
        set_blas_threads((int)gb_param(job, PARAM_BLAS_THREADS), why, sizeof why) != 0) {
        fprintf(stderr, "gilbench: blas_threads: %s\n", why);
        dgemm_inputs_free(in);
        return -1;
    }
    job->state = in;
    return 0;
}

static void threads_teardown(struct gb_job *job)
{
    dgemm_inputs_free(job->state);
    job->state = NULL;
    openblas_set_num_threads(1);
}

static uint64_t threads_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    char why[WHY_SIZE];
    if (w->job->mode == GB_MODE_PROCS &&
        set_blas_threads((int)gb_param(w->job, PARAM_BLAS_THREADS), why, sizeof why) != 0) {
        gb_fail(w, "%s", why);
        return 0;
    }
    w->figures[FIGURE_BLAS_THREADS] = openblas_get_num_threads();
    return dgemm_units(w, w->job->state, first, count);
}

static uint64_t threads_expected(const struct gb_job *job, uint64_t unit)
{
    return dgemm_unit_expected(job->state, unit);
}

static int threads_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                          struct gb_figure *out)
{
    double fewest = outcome->workers[0].figures[FIGURE_BLAS_THREADS];
    for (unsigned i = 1; i < job->workers; i++)
        if (outcome->workers[i].figures[FIGURE_BLAS_THREADS] < fewest)
            fewest = outcome->workers[i].figures[FIGURE_BLAS_THREADS];
    out[0] = (struct gb_figure){ "gflops",
                                 dgemm_gflops(job, (size_t)gb_param(job, PARAM_N), outcome->seconds) };
    out[1] = (struct gb_figure){ "blas_threads", fewest };
    return 2;
}

const struct gb_workload workload_blas_threads = {
    .name = "blas_threads",
    .description = "OpenBLAS dgemm (n=512) with blas_threads OpenBLAS threads per caller",
    .unit = "one n x n matrix multiply",
    .default_units = 48,
    .extra = true,
    .params = { { "n", "matrix order", 512, 16, 8192 },
                { "blas_threads", "OpenBLAS threads of each caller", 1, 1, 256 } },
    .setup = threads_setup,
    .teardown = threads_teardown,
    .work = threads_work,
    .expected_value = threads_expected,
    .report = threads_report,
};
