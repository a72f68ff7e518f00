/*
 * stats_test.c - the statistics of a sweep on hand-made numbers: order
 * statistics, standard deviation, the speedup and its confidence interval
 * (exact ranks, and coverage of a known ratio under known noise), Karp-Flatt.
 */
#include <math.h>
#include <stdint.h>

#include "simulated_noise.h"
#include "stats.h"
#include "tap.h"

static int near(double a, double b)
{
    return fabs(a - b) < 1e-4 * (fabs(b) > 1 ? fabs(b) : 1);
}

int main(void)
{
    const double odd[] = { 5, 1, 3 };
    const double even[] = { 4, 1, 3, 2 };
    const double one[] = { 7 };
    ok(near(stats_median(odd, 3), 3), "median of 5 1 3 is 3");
    ok(near(stats_median(even, 4), 2.5), "median of 4 1 3 2 is 2.5");
    ok(near(stats_median(one, 1), 7), "median of one value is that value");
    ok(near(odd[0], 5) && near(odd[1], 1), "the input is left unsorted");
    ok(near(stats_min(even, 4), 1) && near(stats_max(even, 4), 4), "min and max");
    ok(near(stats_mean(even, 4), 2.5), "mean");
    ok(near(stats_stddev(even, 4), sqrt(5.0 / 3.0)), "sample standard deviation divides by n - 1");
    ok(near(stats_stddev(one, 1), 0), "standard deviation of one value is 0");

    const double ramp[] = { 10, 20, 30, 40, 50 };
    ok(near(stats_percentile(ramp, 5, 0), 10) && near(stats_percentile(ramp, 5, 100), 50),
       "percentiles 0 and 100 are min and max");
    ok(near(stats_percentile(ramp, 5, 99), 49.6), "p99 of 10..50 interpolates to 49.6");
    ok(near(stats_percentile(ramp, 5, 25), 20), "p25 of 10..50 is 20");

    const double t1[] = { 1.0, 1.2, 1.1 };
    const double t2[] = { 0.5, 0.6, 0.55 };
    struct speedup s = stats_speedup(t1, 3, t2, 3, 0.95);
    /* The 9 ratios T1_i / T2_j, sorted: 1/0.6 ... 1.2/0.5; their median is 2. */
    ok(near(s.value, 2.0), "speedup is the median of the pairwise ratios (2)");
    ok(near(s.low, 1.0 / 0.6) && near(s.high, 1.2 / 0.5),
       "3 runs against 3 cannot reach 95 %%: the widest interval, min and max ratio");
    ok(near(s.level, 0.9), "... which has 90 %% (1 - 2 / C(6, 3))");

    /* Mann-Whitney: for 4 against 4 there are C(8, 4) = 70 arrangements,
     * one with U = 0, one with U = 1, two with U = 2. */
    ok(near(stats_mann_whitney_cdf(4, 4, 0), 1.0 / 70), "P(U <= 0) for 4 and 4 is 1/70");
    ok(near(stats_mann_whitney_cdf(4, 4, 2), 4.0 / 70), "P(U <= 2) for 4 and 4 is 4/70");
    ok(near(stats_mann_whitney_cdf(4, 4, 16), 1), "P(U <= m n) is 1");
    ok(near(stats_mann_whitney_cdf(8, 8, 13), 0.0249), "P(U <= 13) for 8 and 8 is 0.0249 (tables: 0.025 critical 13)");
    ok(fabs(stats_mann_whitney_cdf(70, 70, 2450) - 0.5) < 0.01, "the normal approximation is centred (70 and 70)");
    ok(fabs(stats_mann_whitney_cdf(60, 60, 1500) - stats_mann_whitney_cdf(61, 59, 1500)) < 0.01,
       "exact (60 x 60) and approximate (61 x 59) agree near the tail");

    /* Coverage: a known ratio with known noise.  Runs are 1.7 s and 1 s
     * times log-normal noise (sigma 5 %); over 2000 simulated pairs of 8 and
     * 8 runs the 95 % interval must hold 1.7 about 95 % of the time. */
    uint64_t state = 12345;
    unsigned covered = 0, trials = 2000;
    double width = 0;
    for (unsigned trial = 0; trial < trials; trial++) {
        double a[8], b[8];
        for (int i = 0; i < 8; i++) {
            a[i] = 1.7 * exp(0.05 * normal(&state));
            b[i] = 1.0 * exp(0.05 * normal(&state));
        }
        struct speedup c = stats_speedup(a, 8, b, 8, 0.95);
        covered += c.low <= 1.7 && 1.7 <= c.high;
        width += (c.high - c.low) / c.value / trials;
    }
    double rate = (double)covered / trials;
    ok(rate > 0.93 && rate < 0.97, "the 95 %% interval covers a known ratio %.1f %% of the time", rate * 100);
    ok(width > 0.02 && width < 0.2, "... with a mean width of %.1f %% for 5 %% noise", width * 100);
    /* The same with drift shared by both sets: interleaved runs see the
     * same slow machine, so pairs from one round move together. */
    covered = 0;
    for (unsigned trial = 0; trial < trials; trial++) {
        double a[10], b[10];
        for (int i = 0; i < 10; i++) {
            double drift = 1 + 0.02 * i; /* the machine slows by 2 % a round */
            a[i] = 1.7 * drift * exp(0.03 * normal(&state));
            b[i] = 1.0 * drift * exp(0.03 * normal(&state));
        }
        struct speedup c = stats_speedup(a, 10, b, 10, 0.95);
        covered += c.low <= 1.7 && 1.7 <= c.high;
    }
    rate = (double)covered / trials;
    ok(rate > 0.93, "with drift shared by interleaved runs it still covers (%.1f %%)", rate * 100);
    struct speedup tiny = stats_speedup(t1, 1, t2, 1, 0.95);
    ok(near(tiny.value, 2) && near(tiny.low, 2) && near(tiny.high, 2) && near(tiny.level, 0),
       "one run against one: the ratio, with no confidence at all");

    ok(near(stats_karp_flatt(1.6, 2, 2), 0.25), "Karp-Flatt of S = 1.6 on 2 processors is 0.25");
    ok(near(stats_karp_flatt(4, 4, 8), 0), "a perfect speedup has serial fraction 0");
    ok(near(stats_karp_flatt(1, 8, 8), 1), "no speedup at all has serial fraction 1");
    ok(near(stats_karp_flatt(1.8, 4, 2), 0.1111111111), "4 workers on 2 CPUs: p = 2 (S = 1.8 gives 1/9)");
    ok(isnan(stats_karp_flatt(1, 1, 8)), "Karp-Flatt is undefined for 1 worker");
    ok(isnan(stats_karp_flatt(3.9, 4, 2)), "... and where S exceeds the processors (blocking waits)");
    return done_testing();
}
