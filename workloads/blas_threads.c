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
 * The work is blas_dgemm's (see there for the check: small-integer inputs, so
 * the products are exact; each unit checks one row and one column sum of C
 * against formulas that do not use the kernel), with the GIL released
 * around each cblas_dgemm; only the number of OpenBLAS threads per caller,
 * the blas_threads setting, differs.
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
 * Debian 12's build) fails the run with a message.  That the threads
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

#include "../bench/workload.h"

enum { PARAM_N, PARAM_BLAS_THREADS };
enum { FIGURE_BLAS_THREADS }; /* w->figures[]: the count each worker found in effect */

struct threads_inputs {
    size_t n;
    double *a, *b;          /* shared, read-only once the workers start */
    int64_t *row_sums;      /* of A * B, computed without the kernel */
    int64_t *column_sums;
};

/* A small integer in [-2, 2] that depends on (i, j) and the matrix. */
static double entry(size_t i, size_t j, uint64_t matrix)
{
    return (double)((int)(gb_unit_checksum(i * 131071 + j, matrix) % 5) - 2);
}

/* alpha cycles through 1, 2, 3 so that units differ. */
static double unit_alpha(uint64_t unit)
{
    return (double)(1 + unit % 3);
}

/* The row and column of C that unit u checks. */
static size_t unit_row(uint64_t unit, size_t n)
{
    return (size_t)(unit % n);
}

static size_t unit_column(uint64_t unit, size_t n)
{
    return (size_t)((unit * 7 + 3) % n);
}

static void free_inputs(struct threads_inputs *in)
{
    if (in) {
        free(in->a);
        free(in->b);
        free(in->row_sums);
        free(in->column_sums);
        free(in);
    }
}

/* Row sums of A * B as sum_k A[i][k] * rowsum_k(B); column sums as
 * sum_k colsum_k(A) * B[k][j]. */
static void product_sums(struct threads_inputs *in)
{
    size_t n = in->n;
    for (size_t i = 0; i < n; i++) {
        in->row_sums[i] = 0;
        in->column_sums[i] = 0;
    }
    for (size_t k = 0; k < n; k++) {
        int64_t row_k_of_b = 0, column_k_of_a = 0;
        for (size_t j = 0; j < n; j++) {
            row_k_of_b += (int64_t)in->b[k * n + j];
            column_k_of_a += (int64_t)in->a[j * n + k];
        }
        for (size_t i = 0; i < n; i++) {
            in->row_sums[i] += (int64_t)in->a[i * n + k] * row_k_of_b;
            in->column_sums[i] += column_k_of_a * (int64_t)in->b[k * n + i];
        }
    }
}

/* Tells OpenBLAS to use `threads` threads in this process and checks that
 * it took the number; -1 after one line on stderr if it did not. */
static int set_blas_threads(int threads)
{
    openblas_set_num_threads(threads);
    int got = openblas_get_num_threads();
    if (got == threads)
        return 0;
    fprintf(stderr, "gilbench: blas_threads: OpenBLAS gives %d threads when asked for %d "
            "(its configuration: %s)\n", got, threads, openblas_get_config());
    return -1;
}

static int threads_setup(struct gb_job *job)
{
    size_t n = (size_t)gb_param(job, PARAM_N);
    struct threads_inputs *in = calloc(1, sizeof *in);
    if (in) {
        in->a = malloc(n * n * sizeof *in->a);
        in->b = malloc(n * n * sizeof *in->b);
        in->row_sums = malloc(n * sizeof *in->row_sums);
        in->column_sums = malloc(n * sizeof *in->column_sums);
    }
    if (!in || !in->a || !in->b || !in->row_sums || !in->column_sums) {
        fprintf(stderr, "gilbench: blas_threads: out of memory for two %zux%zu matrices\n", n, n);
        free_inputs(in);
        return -1;
    }
    in->n = n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            in->a[i * n + j] = entry(i, j, 1);
            in->b[i * n + j] = entry(i, j, 2);
        }
    product_sums(in);
    /* In the procs mode each worker sets it in its own process; setting it
     * here too would start a pool that the first fork, inside the timed
     * region, would have to shut down. */
    if (job->mode != GB_MODE_PROCS &&
        set_blas_threads((int)gb_param(job, PARAM_BLAS_THREADS)) != 0) {
        free_inputs(in);
        return -1;
    }
    job->state = in;
    return 0;
}

static void threads_teardown(struct gb_job *job)
{
    free_inputs(job->state);
    job->state = NULL;
    openblas_set_num_threads(1);
}

static uint64_t threads_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    const struct threads_inputs *in = w->job->state;
    size_t n = in->n;
    if (w->job->mode == GB_MODE_PROCS &&
        set_blas_threads((int)gb_param(w->job, PARAM_BLAS_THREADS)) != 0)
        return 0; /* the wrong checksum fails the run */
    w->figures[FIGURE_BLAS_THREADS] = openblas_get_num_threads();
    double *c = malloc(n * n * sizeof *c);
    if (!c) {
        fprintf(stderr, "gilbench: blas_threads: worker %u out of memory\n", w->index);
        return 0; /* the wrong checksum fails the run */
    }
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        gb_release_gil(w);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n,
                    unit_alpha(unit), in->a, (int)n, in->b, (int)n, 0.0, c, (int)n);
        gb_reacquire_gil(w);
        size_t row = unit_row(unit, n), column = unit_column(unit, n);
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += c[row * n + i] + c[i * n + column];
        checksum += gb_unit_checksum(unit, (uint64_t)(int64_t)sum);
        gb_checkpoint(w);
    }
    free(c);
    return checksum;
}

static uint64_t threads_expected(const struct gb_job *job, uint64_t unit)
{
    const struct threads_inputs *in = job->state;
    int64_t sums = in->row_sums[unit_row(unit, in->n)] + in->column_sums[unit_column(unit, in->n)];
    return (uint64_t)((int64_t)unit_alpha(unit) * sums);
}

static int threads_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                          struct gb_figure *out)
{
    double n = (double)gb_param(job, PARAM_N);
    double units = (double)job->units * (job->weak ? job->workers : 1);
    double fewest = outcome->workers[0].figures[FIGURE_BLAS_THREADS];
    for (unsigned i = 1; i < job->workers; i++)
        if (outcome->workers[i].figures[FIGURE_BLAS_THREADS] < fewest)
            fewest = outcome->workers[i].figures[FIGURE_BLAS_THREADS];
    out[0] = (struct gb_figure){ "gflops", 2.0 * n * n * n * units / outcome->seconds / 1e9 };
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
