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
 * one row and one column of C = alpha * A * B (which row and column changes
 * from unit to unit), and these sums have formulas that do not use the
 * kernel: row i of C sums to alpha * sum_k A[i][k] * (row sum k of B), column
 * j to alpha * sum_k (column sum k of A) * B[k][j].  So a wrong kernel is
 * caught, at a cost of O(n) per unit (summing all of C would cost 6 % of the
 * multiply at n = 384, which a bare dgemm loop does not pay).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "../bench/workload.h"

enum { PARAM_N };

struct dgemm_inputs {
    size_t n;
    double *a, *b;          /* shared, read-only once the workers start */
    int64_t *row_sums;      /* of A * B, from the formula above */
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

static void free_inputs(struct dgemm_inputs *in)
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
static void product_sums(struct dgemm_inputs *in)
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

static int dgemm_setup(struct gb_job *job)
{
    size_t n = (size_t)gb_param(job, PARAM_N);
    struct dgemm_inputs *in = calloc(1, sizeof *in);
    if (in) {
        in->a = malloc(n * n * sizeof *in->a);
        in->b = malloc(n * n * sizeof *in->b);
        in->row_sums = malloc(n * sizeof *in->row_sums);
        in->column_sums = malloc(n * sizeof *in->column_sums);
    }
    if (!in || !in->a || !in->b || !in->row_sums || !in->column_sums) {
        fprintf(stderr, "gilbench: blas_dgemm: out of memory for two %zux%zu matrices\n", n, n);
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
    openblas_set_num_threads(1);
    job->state = in;
    return 0;
}

static void dgemm_teardown(struct gb_job *job)
{
    free_inputs(job->state);
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

static uint64_t dgemm_expected(const struct gb_job *job, uint64_t unit)
{
    const struct dgemm_inputs *in = job->state;
    int64_t sums = in->row_sums[unit_row(unit, in->n)] + in->column_sums[unit_column(unit, in->n)];
    return (uint64_t)((int64_t)unit_alpha(unit) * sums);
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
