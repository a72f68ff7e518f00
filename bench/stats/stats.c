/*
 * stats.c - see stats.h.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double stats_min(const double *x, size_t n)
{
    double m = x[0];
    for (size_t i = 1; i < n; i++)
        m = x[i] < m ? x[i] : m;
    return m;
}

double stats_max(const double *x, size_t n)
{
    double m = x[0];
    for (size_t i = 1; i < n; i++)
        m = x[i] > m ? x[i] : m;
    return m;
}

double stats_sum(const double *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum;
}

double stats_mean(const double *x, size_t n)
{
    return stats_sum(x, n) / (double)n;
}

double stats_stddev(const double *x, size_t n)
{
    if (n < 2)
        return 0;
    double mean = stats_mean(x, n), squares = 0;
    for (size_t i = 0; i < n; i++)
        squares += (x[i] - mean) * (x[i] - mean);
    return sqrt(squares / (double)(n - 1));
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_percentile(const double *x, size_t n, double p)
{
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return NAN;
    memcpy(sorted, x, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_doubles);
    double rank = p / 100.0 * (double)(n - 1);
    size_t below = (size_t)floor(rank);
    size_t above = below + 1 < n ? below + 1 : below;
    double fraction = rank - (double)below;
    double value = sorted[below] + (sorted[above] - sorted[below]) * fraction;
    free(sorted);
    return value;
}

double stats_median(const double *x, size_t n)
{
    return stats_percentile(x, n, 50);
}

double stats_karp_flatt(double speedup, unsigned workers, unsigned cpus)
{
    double p = workers < cpus ? workers : cpus;
    if (p <= 1 || !(speedup > 0) || speedup > p)
        return NAN;
    return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p);
}
