/*
 * blas_dgemm - n x n double matrix multiplies through OpenBLAS's cblas_dgemm,
 * with the GIL released around each call, as NumPy's matmul does.  This is
 * GIL-free C-extension work: threads scale in every mode.
 *
 * OpenBLAS is told to use one thread per caller, so the suite, not OpenBLAS,
 * decides the parallelism.  Debian's pthread build of OpenBLAS is the one to
 * use: its OpenMP build can hang in a forked child.
 *
 * The inputs, the multiplies and their exact check are bench/kit/dgemm_units.c.
 */
#include <cblas.h>

#include "dgemm_units.h"

enum { PARAM_N };

static int dgemm_setup(struct gb_job *job)
{
    job->state = dgemm_inputs_new((size_t)gb_param(job, PARAM_N), "blas_dgemm");
    if (!job->state)
        return -1;
    openblas_set_num_threads(1);
    return 0;
}

static void dgemm_teardown(struct gb_job *job)
{
    dgemm_inputs_free(job->state);
    job->state = NULL;
}

static uint64_t dgemm_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    return dgemm_units(w, w->job->state, first, count);
}

static uint64_t dgemm_expected(const struct gb_job *job, uint64_t unit)
{
    return dgemm_unit_expected(job->state, unit);
}

static int dgemm_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                        struct gb_figure *out)
{
    size_t n = (size_t)gb_param(job, PARAM_N);
    out[0] = (struct gb_figure){ "gflops", dgemm_gflops(job, n, outcome->seconds) };
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
