/*
 * stats.h - the statistics a sweep reports: order statistics of repeated
 * timings, the speedup with its bounds, parallel efficiency and the
 * Karp-Flatt serial fraction.
 */
#ifndef GILBENCH_STATS_H
#define GILBENCH_STATS_H

#include <stddef.h>

/* Each of these takes n >= 1 values and leaves them unchanged. */
double stats_min(const double *x, size_t n);
double stats_max(const double *x, size_t n);
double stats_mean(const double *x, size_t n);
/* Sample standard deviation (divides by n - 1); 0 for a single value. */
double stats_stddev(const double *x, size_t n);
/* The p-th percentile, 0 <= p <= 100, interpolating linearly between the
 * closest ranks (what numpy.percentile does by default). */
double stats_percentile(const double *x, size_t n, double p);
double stats_median(const double *x, size_t n);

struct speedup {
    double value;   /* median(T1) / median(TN) */
    double low;     /* min(T1) / max(TN): the worst pairing of two runs */
    double high;    /* max(T1) / min(TN): the best pairing */
};
struct speedup stats_speedup(const double *t1, size_t n1, const double *tn, size_t nn);

/* The experimentally determined serial fraction for speedup s on n > 1
 * workers: (1/s - 1/n) / (1 - 1/n).  NaN for n <= 1. */
double stats_karp_flatt(double speedup, unsigned workers);

#endif
