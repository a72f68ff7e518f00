/*
 * race_test.c - the rule that decides the answer (bench/stats/race.c),
 * simulated as the sweep applies it: every way gets RUNS runs, then after
 * each round the leader (the way with the smallest median time) is
 * compared with every other way, and the leader and the undecided ways get
 * one more run each, until every comparison is settled or MAX_RUNS is
 * reached.  The answer at the end is wrong when it calls a way faster that
 * is not (a separation where the true times are equal or reversed) or a
 * tie where the true times differ by the resolution or more.  Its rate
 * must stay within the stated 5 % with noise like a quiet machine's and
 * like the Python runs' (a share of runs 10-50 % slow), and the rule must
 * still decide what is plain to see.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "simulated_noise.h"
#include "stats.h"
#include "tap.h"

#define RUNS 5
#define MAX_RUNS 20
#define LOOKS (MAX_RUNS - RUNS + 1)
#define MAX_WAYS 8
#define RESOLUTION 0.05
#define TRIALS 1000

struct scenario {
    size_t ways;
    double truth[MAX_WAYS]; /* each way's true time */
    double noise;           /* log-normal sigma */
    double slow_share;      /* runs that are also 10-50 % slow */
};

struct outcome {
    double wrong, tied, separated, undecided; /* shares of trials */
    double runs;                              /* mean runs of the leader */
};

static double one_run(const struct scenario *s, size_t way, uint64_t *state)
{
    double t = s->truth[way] * exp(s->noise * normal(state));
    if (uniform(state) < s->slow_share)
        t *= 1.1 + 0.4 * uniform(state);
    return t;
}

static size_t leader_of(double times[][MAX_RUNS], const size_t *count, size_t ways)
{
    size_t leader = 0;
    for (size_t w = 1; w < ways; w++)
        if (stats_median(times[w], count[w]) < stats_median(times[leader], count[leader]))
            leader = w;
    return leader;
}

static struct outcome simulate(const struct scenario *s, uint64_t seed)
{
    uint64_t state = seed;
    struct outcome o = { 0 };
    double confidence = stats_race_confidence(0.95, s->ways - 1, LOOKS);
    for (unsigned trial = 0; trial < TRIALS; trial++) {
        double times[MAX_WAYS][MAX_RUNS];
        size_t count[MAX_WAYS] = { 0 };
        enum race_verdict verdict[MAX_WAYS];
        size_t leader = 0;
        for (size_t w = 0; w < s->ways; w++)
            while (count[w] < RUNS)
                times[w][count[w]++] = one_run(s, w, &state);
        for (;;) {
            leader = leader_of(times, count, s->ways);
            bool more = false, wanted[MAX_WAYS] = { false };
            for (size_t w = 0; w < s->ways; w++) {
                if (w == leader)
                    continue;
                verdict[w] = stats_race_compare(times[leader], count[leader], times[w], count[w],
                                                confidence, RESOLUTION)
                                 .verdict;
                if (verdict[w] == RACE_UNDECIDED && count[w] < MAX_RUNS)
                    wanted[w] = wanted[leader] = more = true;
            }
            if (!more || count[leader] >= MAX_RUNS)
                break;
            for (size_t w = 0; w < s->ways; w++)
                if (wanted[w] && count[w] < MAX_RUNS)
                    times[w][count[w]++] = one_run(s, w, &state);
        }
        bool wrong = false, any_tie = false, undecided = false;
        for (size_t w = 0; w < s->ways; w++) {
            if (w == leader)
                continue;
            double gap = log(s->truth[w] / s->truth[leader]);
            if (verdict[w] == RACE_SEPARATED && gap <= 0)
                wrong = true;
            if (verdict[w] == RACE_TIED && fabs(gap) >= log1p(RESOLUTION) - 1e-12)
                wrong = true;
            any_tie |= verdict[w] == RACE_TIED;
            undecided |= verdict[w] == RACE_UNDECIDED;
        }
        o.wrong += wrong;
        o.undecided += undecided;
        o.tied += !undecided && any_tie;
        o.separated += !undecided && !any_tie;
        o.runs += (double)count[leader];
    }
    o.wrong /= TRIALS;
    o.tied /= TRIALS;
    o.separated /= TRIALS;
    o.undecided /= TRIALS;
    o.runs /= TRIALS;
    return o;
}

static void report(const char *name, const struct outcome *o)
{
    diag("%s: wrong %.1f %%, separated %.1f %%, tied %.1f %%, undecided %.1f %%, %.1f runs of the leader",
         name, o->wrong * 100, o->separated * 100, o->tied * 100, o->undecided * 100, o->runs);
}

int main(void)
{
    ok(fabs(stats_race_confidence(0.95, 1, 1) - 0.95) < 1e-12,
       "one comparison, looked at once: its confidence is the answer's");
    ok(fabs(stats_race_confidence(0.95, 2, 8) - (1 - 0.05 / 8)) < 1e-12,
       "two comparisons, 8 looks: 1 - 5 %% / (2 x 8^(2/3))");

    /* The worst cases for the error: ways whose true times are equal (any
     * separation is wrong), and ways exactly the resolution apart (any tie
     * is wrong). */
    struct scenario equal_quiet = { .ways = 2, .truth = { 1, 1 }, .noise = 0.05 };
    struct outcome o = simulate(&equal_quiet, 11);
    report("2 equal ways, 5 % noise", &o);
    ok(o.wrong <= 0.05, "2 equal ways, 5 %% log-normal noise: a faster way is named in %.1f %% of answers (<= 5 %%)",
       o.wrong * 100);

    struct scenario equal_python = { .ways = 2, .truth = { 1, 1 }, .noise = 0.01, .slow_share = 0.3 };
    o = simulate(&equal_python, 12);
    report("2 equal ways, Python-like noise", &o);
    ok(o.wrong <= 0.05,
       "2 equal ways, 30 %% of runs 10-50 %% slow: a faster way is named in %.1f %% of answers (<= 5 %%)",
       o.wrong * 100);

    struct scenario equal_many = { .ways = 8, .truth = { 1, 1, 1, 1, 1, 1, 1, 1 }, .noise = 0.05 };
    o = simulate(&equal_many, 13);
    report("8 equal ways, 5 % noise", &o);
    ok(o.wrong <= 0.05, "8 equal ways (a Python workload's): a faster way is named in %.1f %% of answers (<= 5 %%)",
       o.wrong * 100);

    struct scenario at_resolution = { .ways = 2, .truth = { 1, 1 + RESOLUTION }, .noise = 0.03 };
    o = simulate(&at_resolution, 14);
    report("2 ways 5 % apart, 3 % noise", &o);
    ok(o.wrong <= 0.05, "2 ways exactly 5 %% apart: a tie is called in %.1f %% of answers (<= 5 %%)", o.wrong * 100);

    /* What is plain to see is decided, and quickly. */
    struct scenario apart = { .ways = 3, .truth = { 1, 1.3, 1.7 }, .noise = 0.05 };
    o = simulate(&apart, 15);
    report("3 ways 1.3x and 1.7x apart, 5 % noise", &o);
    ok(o.separated >= 0.95 && o.runs < RUNS + 1.5,
       "ways 1.3x apart with 5 %% noise are decided in %.1f %% of answers, after %.1f runs", o.separated * 100, o.runs);
    struct scenario same_steady = { .ways = 2, .truth = { 1, 1 }, .noise = 0.01 };
    o = simulate(&same_steady, 16);
    report("2 equal ways, 1 % noise", &o);
    ok(o.tied >= 0.95, "equal ways with 1 %% noise are called a tie within 5 %% in %.1f %% of answers", o.tied * 100);

    /* An undecided comparison says what would settle it. */
    const double leader[] = { 1.00, 1.10, 0.95, 1.20, 1.02 }, other[] = { 1.05, 1.18, 1.00, 1.25, 1.08 };
    struct race_comparison c = stats_race_compare(leader, 5, other, 5, 0.99, RESOLUTION);
    ok(c.verdict == RACE_UNDECIDED && c.runs_to_decide > 5 && isfinite(c.runs_to_decide),
       "an overlapping pair is undecided, with an estimate of the runs that settle it (%.0f)", c.runs_to_decide);
    const double fast[] = { 1.0, 1.01, 0.99, 1.0, 1.02 }, slow[] = { 1.5, 1.52, 1.49, 1.51, 1.5 };
    c = stats_race_compare(fast, 5, slow, 5, 0.99, RESOLUTION);
    ok(c.verdict == RACE_SEPARATED && isnan(c.runs_to_decide) && c.ratio.value > 1.4,
       "a slower way 1.5x behind is separated (ratio %.2f)", c.ratio.value);
    c = stats_race_compare(slow, 5, fast, 5, 0.99, RESOLUTION);
    ok(c.verdict == RACE_UNDECIDED, "a 'leader' that is the slower of the two is never separated from the faster");
    return done_testing();
}
