/*
 * dgemm_units.h - what the dgemm workloads (blas_dgemm, blas_threads) share:
 * the input matrices, the multiplies with the GIL released around each
 * cblas_dgemm, as NumPy does, and their exact check.
 *
 * Check: the inputs hold small integers in [-2, 2], so every product is
 * exact in double arithmetic whatever order the kernel adds in.  A unit's
 * value is the sum of one row and one column of C = alpha * A * B (which row
 * and column, and alpha in 1..3, change from unit to unit), and these sums
 * have formulas that do not use the kernel: row i of C sums to
 * alpha * sum_k A[i][k] * (row sum k of B), column j to
 * alpha * sum_k (column sum k of A) * B[k][j].  So a wrong kernel is caught,
 * at O(n) per unit (summing all of C would cost 6 % of the multiply at
 * n = 384, which a bare dgemm loop does not pay).
 */
#ifndef GILBENCH_DGEMM_UNITS_H
#define GILBENCH_DGEMM_UNITS_H

#include "workload.h"

struct dgemm_inputs {
    size_t n;
    double *a, *b;          /* shared, read-only once the workers start */
    int64_t *row_sums;      /* of A * B, from the formulas above */
    int64_t *column_sums;
};

/* The n x n inputs and their sums; NULL after one line on stderr naming
 * the workload. */
struct dgemm_inputs *dgemm_inputs_new(size_t n, const char *workload);
void dgemm_inputs_free(struct dgemm_inputs *in);

/* Does units [first, first + count): returns their checksum, or fails the
 * run through gb_fail() (no memory for the product) and returns 0. */
uint64_t dgemm_units(struct gb_worker *w, const struct dgemm_inputs *in, uint64_t first,
                     uint64_t count);

/* The value unit `unit` must produce. */
uint64_t dgemm_unit_expected(const struct dgemm_inputs *in, uint64_t unit);

/* GFLOP/s of the whole run: 2 n^3 per unit, over the timed region. */
double dgemm_gflops(const struct gb_job *job, size_t n, double seconds);

#endif
