/*
 * race.c - which of several ways is fastest, told by direct comparisons
 * of their times at one worker count (see stats.h and docs/statistics.md,
 * "Deciding the answer").  The leader is compared with each other way: the
 * ratio T(other) / T(leader) with its rank interval, at a confidence that
 * accounts for the other ways compared and for the sweep looking again
 * after every round.  A comparison is separated when the interval
 * excludes 1, tied when it lies within +-resolution, undecided otherwise;
 * an undecided one gets an estimate of the runs that would settle it.
 */
#include <math.h>

#include "stats.h"

double stats_race_confidence(double confidence, size_t contenders, size_t looks)
{
    if (contenders < 1)
        contenders = 1;
    if (looks < 1)
        looks = 1;
    /* Bonferroni over the contenders; over the looks, looks^(2/3), the
     * growth of Pocock's constant nominal level with the number of looks
     * (the union bound, looks, is far too strict for looks that share most
     * of their runs).  tests/race_test.c checks by simulation that the
     * whole sequence keeps the error rate. */
    return 1 - (1 - confidence) / ((double)contenders * pow((double)looks, 2.0 / 3));
}

/* Runs a point that would bring the interval's half-width `half` (log
 * scale, seen with `runs` runs) down to `target`: half-widths shrink as
 * one over the square root of the runs. */
static double runs_for(double half, double target, size_t runs)
{
    if (!(target > 0) || !isfinite(half))
        return INFINITY;
    double wanted = (double)runs * (half / target) * (half / target);
    return ceil(wanted > (double)runs + 1 ? wanted : (double)runs + 1);
}

struct race_comparison stats_race_compare(const double *leader, size_t n_leader, const double *other,
                                          size_t n_other, double confidence, double resolution)
{
    struct race_comparison c = { .verdict = RACE_UNDECIDED, .runs_to_decide = NAN };
    /* T(other) / T(leader): the leader's "speedup" over the other way. */
    c.ratio = stats_speedup(other, n_other, leader, n_leader, confidence);
    if (!isfinite(c.ratio.value))
        return c;
    double limit = log1p(resolution);
    double low = log(c.ratio.low), high = log(c.ratio.high);
    if (c.ratio.level >= confidence && low > 0)
        c.verdict = RACE_SEPARATED;
    else if (c.ratio.level >= confidence && low >= -limit && high <= limit)
        c.verdict = RACE_TIED;
    if (c.verdict != RACE_UNDECIDED)
        return c;
    /* Too few runs for the level: at least one more each, then as below. */
    size_t runs = n_leader < n_other ? n_leader : n_other;
    double centre = log(c.ratio.value), half = (high - low) / 2;
    double apart = runs_for(half, fabs(centre), runs);
    double within = runs_for(half, limit - fabs(centre), runs);
    c.runs_to_decide = apart < within ? apart : within;
    if (c.ratio.level < confidence && !(c.runs_to_decide > (double)runs + 1))
        c.runs_to_decide = (double)runs + 1;
    return c;
}
