/*
 * stats_test.c - the statistics of a sweep on hand-made numbers: order
 * statistics, standard deviation, the speedup and its bounds, Karp-Flatt.
 */
#include <math.h>

#include "../bench/stats.h"
#include "tap.h"

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
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
    struct speedup s = stats_speedup(t1, 3, t2, 3);
    ok(near(s.value, 2.0), "speedup is the ratio of the medians (1.1 / 0.55 = 2)");
    ok(near(s.low, 1.0 / 0.6), "lower bound is min T1 / max TN");
    ok(near(s.high, 1.2 / 0.5), "upper bound is max T1 / min TN");
    ok(s.low <= s.value && s.value <= s.high, "the bounds enclose the speedup");

    ok(near(stats_karp_flatt(1.6, 2), 0.25), "Karp-Flatt of S = 1.6 on 2 workers is 0.25");
    ok(near(stats_karp_flatt(4, 4), 0), "a perfect speedup has serial fraction 0");
    ok(near(stats_karp_flatt(1, 8), 1), "no speedup at all has serial fraction 1");
    ok(isnan(stats_karp_flatt(1, 1)), "Karp-Flatt is undefined for 1 worker");
    return done_testing();
}
