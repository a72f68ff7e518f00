/*
 * speedup_interval.c - the speedup of two sets of runs with its confidence
 * interval (see stats.h): the Hodges-Lehmann estimate of the ratio T1 / TN
 * and the rank interval around it, whose ranks come from the exact
 * distribution of the Mann-Whitney statistic.  Ratios are shifts of log
 * times, so this is the textbook two-sample shift interval on log T.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Above this many pairs the normal approximation is used (the exact table
 * needs (n + 1) x (m n + 1) doubles). */
#define EXACT_PAIRS 3600

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The exact distribution of U: p[u] = P(U = u), u = 0 .. m n, as counts
 * of arrangements over C(m + n, m).  count[j][u] with i values of the first
 * sample is count[j][u - j] with i - 1 (the largest of all values is of the
 * first sample and exceeds all j of the second) plus count[j - 1][u] with i
 * (it is of the second).  NULL when out of memory. */
static double *exact_distribution(size_t m, size_t n)
{
    size_t cells = m * n + 1;
    double *now = calloc((n + 1) * cells, sizeof *now);
    double *before = calloc((n + 1) * cells, sizeof *before);
    double *p = malloc(cells * sizeof *p);
    if (!now || !before || !p) {
        free(now);
        free(before);
        free(p);
        return NULL;
    }
    for (size_t j = 0; j <= n; j++)
        before[j * cells] = 1; /* no value of the first sample: U = 0 */
    for (size_t i = 1; i <= m; i++) {
        memset(now, 0, (n + 1) * cells * sizeof *now);
        now[0] = 1; /* no value of the second sample: U = 0 */
        for (size_t j = 1; j <= n; j++)
            for (size_t v = 0; v <= i * j; v++)
                now[j * cells + v] = (v >= j ? before[j * cells + v - j] : 0) +
                                     now[(j - 1) * cells + v];
        double *swap = before;
        before = now;
        now = swap;
    }
    double total = 0;
    for (size_t v = 0; v < cells; v++)
        total += before[n * cells + v];
    for (size_t v = 0; v < cells; v++)
        p[v] = before[n * cells + v] / total;
    free(now);
    free(before);
    return p;
}

static double normal_cdf(size_t m, size_t n, double u)
{
    double mean = (double)m * (double)n / 2;
    double sd = sqrt((double)m * (double)n * (double)(m + n + 1) / 12);
    return 0.5 * erfc(-(floor(u) + 0.5 - mean) / (sd * sqrt(2)));
}

double stats_mann_whitney_cdf(size_t m, size_t n, double u)
{
    if (u < 0)
        return 0;
    if (m == 0 || n == 0 || u >= (double)(m * n))
        return 1;
    if (m * n > EXACT_PAIRS)
        return normal_cdf(m, n, u);
    double *p = exact_distribution(m, n), below = 0;
    if (!p)
        return NAN;
    for (size_t v = 0; (double)v <= u; v++)
        below += p[v];
    free(p);
    return below;
}

/* The largest c with P(U <= c) <= tail, with that probability in *miss;
 * -1 when even P(U = 0) is over the tail (too few runs), with *miss =
 * P(U = 0), what the widest interval misses by on each side. */
static long last_rank_within(size_t m, size_t n, double tail, double *miss)
{
    size_t pairs = m * n;
    if (pairs > EXACT_PAIRS) {
        double mean = (double)pairs / 2, sd = sqrt((double)pairs * (double)(m + n + 1) / 12);
        /* Start near the 95 % answer and step to the boundary for `tail`. */
        long c = (long)floor(mean - 1.959963984540054 * sd);
        while (c >= 0 && normal_cdf(m, n, (double)c) > tail)
            c--;
        while (c + 1 < (long)pairs && normal_cdf(m, n, (double)(c + 1)) <= tail)
            c++;
        *miss = c >= 0 ? normal_cdf(m, n, (double)c) : normal_cdf(m, n, 0);
        return c;
    }
    double *p = exact_distribution(m, n);
    if (!p) {
        *miss = NAN;
        return -1;
    }
    double below = 0;
    long c = -1;
    for (size_t v = 0; v <= pairs; v++) {
        if (below + p[v] > tail)
            break;
        below += p[v];
        c = (long)v;
    }
    *miss = c >= 0 ? below : p[0];
    free(p);
    return c;
}

/* The rank for (m, n, tail) is asked again and again (every point of a
 * sweep, every round; the simulations of tests/stats_test.c): the last few
 * answers are kept.  Callers are single-threaded (summarize, the tests). */
#define REMEMBERED 64
static struct { size_t m, n; double tail, miss; long rank; } remembered[REMEMBERED];
static size_t remembered_next;

static long rank_within(size_t m, size_t n, double tail, double *miss)
{
    for (size_t i = 0; i < REMEMBERED; i++)
        if (remembered[i].m == m && remembered[i].n == n && remembered[i].tail == tail) {
            *miss = remembered[i].miss;
            return remembered[i].rank;
        }
    long rank = last_rank_within(m, n, tail, miss);
    if (!isnan(*miss)) {
        size_t slot = remembered_next++ % REMEMBERED;
        remembered[slot].m = m;
        remembered[slot].n = n;
        remembered[slot].tail = tail;
        remembered[slot].miss = *miss;
        remembered[slot].rank = rank;
    }
    return rank;
}

struct speedup stats_speedup(const double *t1, size_t n1, const double *tn, size_t nn,
                             double confidence)
{
    struct speedup s = { NAN, NAN, NAN, NAN };
    size_t pairs = n1 * nn;
    double *ratios = pairs ? malloc(pairs * sizeof *ratios) : NULL;
    if (!ratios)
        return s;
    for (size_t i = 0; i < n1; i++)
        for (size_t j = 0; j < nn; j++)
            ratios[i * nn + j] = t1[i] / tn[j];
    qsort(ratios, pairs, sizeof *ratios, compare_doubles);
    s.value = pairs % 2 ? ratios[pairs / 2] : (ratios[pairs / 2 - 1] + ratios[pairs / 2]) / 2;
    /* The interval [ratio k, ratio pairs + 1 - k] (1-based) misses the true
     * ratio with probability 2 P(U <= k - 1): the largest k whose miss is
     * at most 1 - confidence, or k = 1 (the widest) if none is. */
    double miss;
    long c = rank_within(n1, nn, (1 - confidence) / 2, &miss);
    size_t k = c >= 0 ? (size_t)c + 1 : 1;
    s.low = ratios[k - 1];
    s.high = ratios[pairs - k];
    s.level = 1 - 2 * miss;
    free(ratios);
    return s;
}
