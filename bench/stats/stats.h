/*
 * stats.h - the statistics a sweep reports: order statistics of repeated
 * timings, the speedup with its confidence interval, and the Karp-Flatt
 * serial fraction.
 */
#ifndef GILBENCH_STATS_H
#define GILBENCH_STATS_H

#include <stddef.h>

/* Each of these takes n >= 1 values and leaves them unchanged. */
double stats_min(const double *x, size_t n);
double stats_max(const double *x, size_t n);
double stats_mean(const double *x, size_t n);
double stats_sum(const double *x, size_t n);
/* Sample standard deviation (divides by n - 1); 0 for a single value. */
double stats_stddev(const double *x, size_t n);
/* The p-th percentile, 0 <= p <= 100, interpolating linearly between the
 * closest ranks (what numpy.percentile does by default). */
double stats_percentile(const double *x, size_t n, double p);
double stats_median(const double *x, size_t n);

/*
 * The speedup T1 / TN of two sets of timed runs, with a confidence interval
 * (bench/stats/speedup_interval.c; the reasoning is in docs/statistics.md).
 * value: the Hodges-Lehmann estimate, the median of T1_i / TN_j over all
 * pairs of a 1-worker run i and an N-worker run j.  low, high: the
 * distribution-free interval of the same pairwise ratios whose ranks come
 * from the Mann-Whitney distribution; it covers the true ratio with
 * probability `level` or more whenever the two sets' noise has one shape up
 * to scale (multiplicative noise, drift shared by interleaved runs).  With
 * few runs the asked confidence may be out of reach: level then says what
 * the widest interval, [min ratio, max ratio], has.
 */
struct speedup {
    double value;
    double low, high;
    double level;
};
struct speedup stats_speedup(const double *t1, size_t n1, const double *tn, size_t nn,
                             double confidence);

/* P(U <= u) for the Mann-Whitney statistic U of samples of m and n values
 * under the null hypothesis: exact for m * n <= 3600, a normal approximation
 * with continuity correction above. */
double stats_mann_whitney_cdf(size_t m, size_t n, double u);

/*
 * Deciding which way is fastest (bench/stats/race.c, docs/statistics.md):
 * the leader's times against another way's at one worker count.
 * stats_race_confidence: the confidence each comparison is made at so that
 * the answer as a whole keeps `confidence`, with `contenders` ways compared
 * with the leader and up to `looks` looks at the same comparison (one per
 * round after the first RUNS: MAX_RUNS - RUNS + 1).
 * stats_race_compare: ratio = T(other) / T(leader) at that confidence;
 * separated when it is above 1 with that confidence (the leader is
 * faster), tied when it lies within 1 +- resolution (an equivalence test),
 * undecided otherwise, with runs_to_decide the runs each of the two would
 * need, at the spread seen, for one or the other (NAN when settled).
 */
enum race_verdict { RACE_UNDECIDED, RACE_SEPARATED, RACE_TIED };
struct race_comparison {
    struct speedup ratio;
    enum race_verdict verdict;
    double runs_to_decide;
};
double stats_race_confidence(double confidence, size_t contenders, size_t looks);
struct race_comparison stats_race_compare(const double *leader, size_t n_leader, const double *other,
                                          size_t n_other, double confidence, double resolution);

/* The experimentally determined serial fraction for speedup s with
 * p = min(workers, cpus) processors: (1/s - 1/p) / (1 - 1/p).  NaN where it
 * does not apply: p <= 1, or s > p (work that does not need a processor
 * per worker, such as blocking waits, is not "parallel work" in its sense). */
double stats_karp_flatt(double speedup, unsigned workers, unsigned cpus);

#endif
