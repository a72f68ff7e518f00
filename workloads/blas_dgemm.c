/*
 * blas_dgemm - n x n double matrix multiplies through OpenBLAS's cblas_dgemm,
 * with the GIL released around each call, as NumPy's matmul does.  This is
 * GIL-free C-extension work: threads scale in every mode.
 *
 * OpenBLAS is told to use one thread per caller, so the suite, not OpenBLAS,
 * decides the parallelism.  Debian's pthread build of OpenBLAS is the one to
 * use: its OpenMP build can hang in a forked child.
 *
 * Check: the inputs hold small integers, so every product is exact in double
 * arithmetic whatever order the kernel adds in.  A unit's value is the sum of
 * all entries of C = alpha * A * B, which must equal
 * alpha * sum_k (column sum k of A) * (row sum k of B): an O(n^2) formula
 * that does not use the kernel, so a wrong kernel is caught.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "../bench/workload.h"

enum { PARAM_N };

struct dgemm_inputs {
    size_t n;
    double *a, *b;      /* shared, read-only once the workers start */
    int64_t sum_of_a_times_b;
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

static int dgemm_setup(struct gb_job *job)
{
    size_t n = (size_t)gb_param(job, PARAM_N);
    struct dgemm_inputs *in = calloc(1, sizeof *in);
    if (in) {
        in->a = malloc(n * n * sizeof *in->a);
        in->b = malloc(n * n * sizeof *in->b);
    }
    if (!in || !in->a || !in->b) {
        fprintf(stderr, "gilbench: blas_dgemm: out of memory for two %zux%zu matrices\n", n, n);
        if (in) {
            free(in->a);
            free(in->b);
        }
        free(in);
        return -1;
    }
    in->n = n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            in->a[i * n + j] = entry(i, j, 1);
            in->b[i * n + j] = entry(i, j, 2);
        }
    for (size_t k = 0; k < n; k++) {
        int64_t column_of_a = 0, row_of_b = 0;
        for (size_t i = 0; i < n; i++) {
            column_of_a += (int64_t)in->a[i * n + k];
            row_of_b += (int64_t)in->b[k * n + i];
        }
        in->sum_of_a_times_b += column_of_a * row_of_b;
    }
    openblas_set_num_threads(1);
    job->state = in;
    return 0;
}

static void dgemm_teardown(struct gb_job *job)
{
    struct dgemm_inputs *in = job->state;
    if (in) {
        free(in->a);
        free(in->b);
        free(in);
    }
    job->state = NULL;
}

static uint64_t dgemm_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    const struct dgemm_inputs *in = w->job->state;
    size_t n = in->n;
    double *c = malloc(n * n * sizeof *c);
    if (!c) {
        fprintf(stderr, "gilbench: blas_dgemm: worker %u out of memory\n", w->index);
        return 0; /* the wrong checksum fails the run */
    }
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        gb_release_gil(w);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n,
                    unit_alpha(unit), in->a, (int)n, in->b, (int)n, 0.0, c, (int)n);
        gb_reacquire_gil(w);
        double sum = 0;
        for (size_t i = 0; i < n * n; i++)
            sum += c[i];
        checksum += gb_unit_checksum(unit, (uint64_t)(int64_t)sum);
        gb_checkpoint(w);
    }
    free(c);
    return checksum;
}

static uint64_t dgemm_expected(const struct gb_job *job, uint64_t unit)
{
    const struct dgemm_inputs *in = job->state;
    return (uint64_t)((int64_t)unit_alpha(unit) * in->sum_of_a_times_b);
}

static int dgemm_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                        struct gb_figure *out)
{
    double n = (double)gb_param(job, PARAM_N);
    double units = (double)job->units * (job->weak ? job->workers : 1);
    out[0] = (struct gb_figure){ "gflops", 2.0 * n * n * n * units / outcome->seconds / 1e9 };
    return 1;
}

const struct gb_workload workload_blas_dgemm = {
    .name = "blas_dgemm",
    .description = "OpenBLAS dgemm (n=384) with the GIL released around each call, as NumPy does",
    .unit = "one n x n matrix multiply",
    .default_units = 96,
    .params = { { "n", "matrix order", 384, 16, 8192 } },
    .setup = dgemm_setup,
    .teardown = dgemm_teardown,
    .work = dgemm_work,
    .expected_value = dgemm_expected,
    .report = dgemm_report,
};
