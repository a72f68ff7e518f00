/*
 * dgemm_units.c - see dgemm_units.h.
 */
#include "dgemm_units.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The row and column of C that a unit checks. */
static size_t unit_row(uint64_t unit, size_t n)
{
    return (size_t)(unit % n);
}

static size_t unit_column(uint64_t unit, size_t n)
{
    return (size_t)((unit * 7 + 3) % n);
}

void dgemm_inputs_free(struct dgemm_inputs *in)
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

struct dgemm_inputs *dgemm_inputs_new(size_t n, const char *workload)
{
    struct dgemm_inputs *in = calloc(1, sizeof *in);
    if (in) {
        in->a = malloc(n * n * sizeof *in->a);
        in->b = malloc(n * n * sizeof *in->b);
        in->row_sums = malloc(n * sizeof *in->row_sums);
        in->column_sums = malloc(n * sizeof *in->column_sums);
    }
    if (!in || !in->a || !in->b || !in->row_sums || !in->column_sums) {
        fprintf(stderr, "gilbench: %s: out of memory for two %zux%zu matrices\n", workload, n, n);
        dgemm_inputs_free(in);
        return NULL;
    }
    in->n = n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            in->a[i * n + j] = entry(i, j, 1);
            in->b[i * n + j] = entry(i, j, 2);
        }
    product_sums(in);
    return in;
}

uint64_t dgemm_units(struct gb_worker *w, const struct dgemm_inputs *in, uint64_t first,
                     uint64_t count)
{
    size_t n = in->n;
    double *c = malloc(n * n * sizeof *c);
    if (!c) {
        gb_fail(w, "out of memory for its %zux%zu product matrix", n, n);
        return 0;
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

uint64_t dgemm_unit_expected(const struct dgemm_inputs *in, uint64_t unit)
{
    int64_t sums = in->row_sums[unit_row(unit, in->n)] + in->column_sums[unit_column(unit, in->n)];
    return (uint64_t)((int64_t)unit_alpha(unit) * sums);
}

double dgemm_gflops(const struct gb_job *job, size_t n, double seconds)
{
    double units = (double)job->units * (job->weak ? job->workers : 1);
    double size = (double)n;
    return 2.0 * size * size * size * units / seconds / 1e9;
}
