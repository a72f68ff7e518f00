/*
 * answer.c - what `gilbench summarize` answers: for each workload (and
 * variant), which way to use at the usable CPU count.  Every way's time
 * there is set against one baseline, the fastest 1-worker way of the
 * workload, so that ways that start differently or run on different
 * interpreters are compared as a user chooses between them; a way whose
 * own single worker is slower than the baseline's has that named.  Whether
 * the leader is faster is decided by direct comparisons of the ways' times
 * (bench/stats/race.c, docs/statistics.md): decided, a tie within the
 * resolution, or undecided with the runs that would settle it.
 *
 * Where the sweep traced CPython's own GIL (summarize --gil-traces), the
 * line also says why: how much of its time one worker held the GIL under
 * threading, and how long free-threaded workers parked on locks.
 *
 * Three outputs share one description of each workload's answer: the
 * answer lines (answer.txt), the decision in words (decision.txt, the
 * report's opening) and the points that still decide an answer (the
 * sweep's next rounds).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary_rows.h"

#define MAX_WAYS 32

struct comparison {
    const struct row *way;
    struct race_comparison race; /* against the leader; unused for the leader */
    double one_worker_ratio;     /* its 1-worker time over the baseline's, when told apart
                                    and at least 1 + resolution; else NAN */
};

struct workload_answer {
    char label[2 * NAME_MAX_LENGTH];
    const char *workload, *variant;
    unsigned workers;
    const struct point *baseline; /* the fastest 1-worker way */
    struct comparison ways[MAX_WAYS]; /* at `workers`, fastest first */
    size_t count;
    enum race_verdict verdict; /* the line's: decided, a tie, or undecided */
    double extra_runs, extra_seconds; /* to decide it, when undecided */
    const char *gil_remark;
    const char *python; /* interpreters, for a Python workload; else NULL */
    /* Traced in CPython (gil.csv): one worker under threading, and the
     * free-threaded way's workers at `workers`; NULL when not traced. */
    const struct row *one_thread, *parked;
    const char *unknown_why; /* why one worker's GIL share is unknown, or NULL */
};

static const char *named(const struct settings *s, const struct workload_answer *a, const char *mode)
{
    if (!a->python)
        return mode;
    for (size_t i = 0; i < s->way_name_count; i++) {
        size_t length = strcspn(s->way_names[i], "=");
        if (strlen(mode) == length && strncmp(s->way_names[i], mode, length) == 0)
            return s->way_names[i] + length + 1;
    }
    return mode;
}

static const char *python_of(const struct settings *s, const char *workload)
{
    for (size_t i = 0; i < s->python_workload_count; i++) {
        size_t length = strcspn(s->python_workloads[i], "=");
        if (strlen(workload) == length && strncmp(s->python_workloads[i], workload, length) == 0)
            return s->python_workloads[i] + length + 1;
    }
    return NULL;
}

static double time_of(const struct point *p)
{
    return stats_median(p->seconds, p->runs);
}

/* A call's cost in seconds: hyperfine's whole-process time where known. */
static double call_seconds(const struct point *p)
{
    return isfinite(p->process_median) ? p->process_median : time_of(p);
}

/* Fastest first: by the speed against the baseline that the line shows
 * (for one baseline, the N-worker times' order). */
static int by_speed(const void *a, const void *b)
{
    double x = ((const struct comparison *)a)->way->against_fastest.value;
    double y = ((const struct comparison *)b)->way->against_fastest.value;
    return (x < y) - (x > y);
}

static const struct point *one_worker_of(const struct row *rows, size_t first, size_t end, const char *mode)
{
    for (size_t i = first; i < end; i++)
        if (rows[i].point->workers == 1 && strcmp(rows[i].point->mode, mode) == 0)
            return rows[i].point;
    return NULL;
}

/* The traced runs that say why: one worker under threading (else
 * ThreadPoolExecutor) on a GIL build, and the free-threaded way at the
 * answer's worker count. */
static void find_traced(const struct row *rows, size_t first, size_t end, struct workload_answer *a)
{
    static const char *const one_thread_ways[] = { "gil", "gil+pool" }, *const free_ways[] = { "threads",
                                                                                               "threads+pool" };
    for (size_t w = 0; w < 2 && !a->one_thread; w++)
        for (size_t i = first; i < end; i++) {
            const struct point *p = rows[i].point;
            if (p->workers != 1 || !p->traced || strcmp(p->mode, one_thread_ways[w]) != 0)
                continue;
            if (isfinite(rows[i].gil_hold_share))
                a->one_thread = &rows[i];
            else if (!a->unknown_why)
                a->unknown_why = p->trace_why[0] ? p->trace_why : "not traced";
        }
    if (a->one_thread)
        a->unknown_why = NULL;
    for (size_t w = 0; w < 2 && !a->parked; w++)
        for (size_t i = first; i < end; i++) {
            const struct point *p = rows[i].point;
            if (p->workers == a->workers && p->traced && strcmp(p->mode, free_ways[w]) == 0 &&
                isfinite(rows[i].gil_parked_share))
                a->parked = &rows[i];
        }
}

/* The answer of the rows first .. end - 1 (one workload and variant);
 * false when it has none (no way measured at 1 and at more workers). */
static bool describe(const struct row *rows, size_t first, size_t end, const struct settings *s,
                     struct workload_answer *a)
{
    memset(a, 0, sizeof *a);
    const struct point *p0 = rows[first].point;
    a->workload = p0->workload;
    a->variant = p0->variant;
    bool plain = strcmp(p0->variant, "-") == 0;
    snprintf(a->label, sizeof a->label, "%s%s%s", p0->workload, plain ? "" : "@", plain ? "" : p0->variant);
    a->python = python_of(s, p0->workload);
    /* Where the question is asked: at the usable CPU count (2 workers on a
     * 1-CPU machine, where blocking waits can still overlap), or the
     * largest worker count measured below it. */
    unsigned target = s->cpus >= 2 ? s->cpus : 2;
    for (size_t i = first; i < end; i++) {
        unsigned w = rows[i].point->workers;
        if (w > 1 && w <= target && w > a->workers && isfinite(rows[i].against_fastest.value))
            a->workers = w;
    }
    for (size_t i = first; a->workers && i < end && a->count < MAX_WAYS; i++)
        if (rows[i].point->workers == a->workers && isfinite(rows[i].against_fastest.value))
            a->ways[a->count++].way = &rows[i];
    if (a->count == 0)
        return false;
    a->baseline = one_worker_of(rows, first, end, a->ways[0].way->fastest_mode);
    qsort(a->ways, a->count, sizeof *a->ways, by_speed);

    const struct point *leader = a->ways[0].way->point;
    double confidence = stats_race_confidence(s->confidence, a->count - 1, s->looks);
    bool tie = false, undecided = false;
    double most_extra = 0;
    for (size_t i = 0; i < a->count; i++) {
        struct comparison *c = &a->ways[i];
        const struct point *p = c->way->point, *own = one_worker_of(rows, first, end, p->mode);
        /* Its own single worker against the baseline's, one comparison. */
        c->one_worker_ratio = NAN;
        if (own && a->baseline && own != a->baseline) {
            struct race_comparison single = stats_race_compare(a->baseline->seconds, a->baseline->runs,
                                                               own->seconds, own->runs, s->confidence,
                                                               s->resolution);
            /* Named when it is known and at least the resolution: a
             * smaller difference is not what sets the ways apart. */
            if (single.verdict == RACE_SEPARATED && single.ratio.value >= 1 + s->resolution)
                c->one_worker_ratio = single.ratio.value;
        }
        if (i == 0)
            continue;
        c->race = stats_race_compare(leader->seconds, leader->runs, p->seconds, p->runs, confidence,
                                     s->resolution);
        tie |= c->race.verdict == RACE_TIED;
        if (c->race.verdict == RACE_UNDECIDED) {
            undecided = true;
            size_t runs = p->runs < leader->runs ? p->runs : leader->runs;
            double extra = c->race.runs_to_decide - (double)runs;
            if (extra > most_extra)
                most_extra = extra;
            a->extra_runs += extra;
            a->extra_seconds += extra * call_seconds(p);
        }
    }
    if (undecided) {
        a->extra_runs += most_extra; /* the leader's */
        a->extra_seconds += most_extra * call_seconds(leader);
    }
    a->verdict = undecided ? RACE_UNDECIDED : tie ? RACE_TIED : RACE_SEPARATED;

    /* What the figures say of the GIL (the gil way: threading under a
     * GIL), from these comparisons alone. */
    const struct comparison *gil = NULL;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->ways[i].way->point->mode, "gil") == 0)
            gil = &a->ways[i];
    const struct speedup *best = &a->ways[0].way->against_fastest;
    if (gil && gil != &a->ways[0] && gil->race.verdict == RACE_SEPARATED &&
        gil->way->against_fastest.low <= 1 && best->low > 1.1)
        a->gil_remark = "the GIL serialises it";
    else if (gil && (gil == &a->ways[0] || gil->race.verdict == RACE_TIED) && best->low > 1.1)
        a->gil_remark = "the GIL does not hold it back";
    find_traced(rows, first, end, a);
    return true;
}

static void print_way(FILE *out, const struct settings *s, const struct workload_answer *a,
                      const struct row *r)
{
    const struct speedup *x = &r->against_fastest;
    int d = summary_decimals(x);
    fprintf(out, "%s %.*f\u00d7 (%.*f\u2013%.*f)", named(s, a, r->point->mode), d, x->value, d, x->low, d,
            x->high);
}

/* The median share of a point's timed region spent starting its workers
 * (NAN where the runs do not say). */
#define STARTUP_WORTH_NAMING 0.10
static double startup_share(const struct point *p)
{
    double *shares = malloc(p->runs * sizeof *shares);
    if (!shares)
        return NAN;
    for (size_t i = 0; i < p->runs; i++)
        shares[i] = p->values[i][STARTUP_SECONDS] / p->values[i][SECONDS];
    double share = stats_median(shares, p->runs);
    free(shares);
    return share;
}

/* Held this much of its time, one worker cannot help but keep the others
 * out; released this much, the GIL is not what limits threads. */
#define HOLDS_IT 0.90
#define RELEASES_IT 0.25

/* Why, from the traced runs: how much of its time one worker held the GIL
 * (threads gain at most 1 / that share under it: the holds of N threads
 * cannot overlap), and how much of theirs free-threaded workers spent
 * parked on a contended lock.  Nothing when neither was traced.  The
 * tracer's workers are the threads other than the main one: a thread the
 * workload starts itself (a server's) is among them. */
static void print_traced(FILE *out, const struct workload_answer *a)
{
    if (a->one_thread) {
        double held = a->one_thread->gil_hold_share;
        const char *way = strcmp(a->one_thread->point->mode, "gil") == 0 ? "threading" : "ThreadPoolExecutor";
        if (held >= HOLDS_IT)
            fprintf(out, "; one worker held the GIL %.0f %% of its time under %s (traced): threads cannot help",
                    held * 100, way);
        else if (held > RELEASES_IT)
            fprintf(out, "; one worker held the GIL %.0f %% of its time under %s (traced): the GIL caps threads "
                         "at %.1f\u00d7", held * 100, way, 1 / held);
        else {
            fprintf(out, "; one worker released the GIL %.0f %% of its time under %s (traced): threads scale",
                    (1 - held) * 100, way);
            if (held > 0.01)
                fprintf(out, ", up to %.0f\u00d7 under the GIL", floor(1 / held));
        }
    } else if (a->unknown_why) {
        fprintf(out, "; GIL share unknown: %s", a->unknown_why);
    }
    if (a->parked)
        fprintf(out, "; free-threaded, its %u workers parked on locks %.0f %% of their time (traced)",
                a->workers, a->parked->gil_parked_share * 100);
}

/* Each way whose single worker is slower than the baseline's, and each
 * whose workers take a tenth of its time to start: what sets its curve
 * apart from its own speedup. */
static void print_fixed_costs(FILE *out, const struct settings *s, const struct workload_answer *a)
{
    bool first = true;
    for (size_t i = 0; i < a->count; i++) {
        const struct comparison *c = &a->ways[i];
        if (!(c->one_worker_ratio > 1))
            continue;
        fprintf(out, "%s%.2f\u00d7 as long under %s", first ? "; one worker takes " : ", ",
                c->one_worker_ratio, named(s, a, c->way->point->mode));
        first = false;
    }
    if (!first)
        fprintf(out, " as under %s", named(s, a, a->baseline->mode));
    /* Starting the workers, where it is a tenth of the time or more. */
    first = true;
    for (size_t i = 0; i < a->count; i++) {
        const struct point *p = a->ways[i].way->point;
        double share = startup_share(p);
        if (!(share >= STARTUP_WORTH_NAMING))
            continue;
        fprintf(out, "%s%.0f %%%s under %s", first ? "; starting the workers is " : ", ", share * 100,
                first ? " of the time" : "", named(s, a, p->mode));
        first = false;
    }
}

static void print_minutes(FILE *out, double seconds)
{
    if (seconds < 90)
        fprintf(out, "%.0f s", ceil(seconds));
    else
        fprintf(out, "%.0f min", ceil(seconds / 60));
}

static void print_status(FILE *out, const struct settings *s, const struct workload_answer *a)
{
    if (a->count < 2)
        return;
    if (a->verdict == RACE_SEPARATED)
        fputs(" [decided]", out);
    else if (a->verdict == RACE_TIED)
        fprintf(out, " [a tie within \u00b1%g %%]", s->resolution * 100);
    else {
        fprintf(out, " [undecided: about %.0f more runs (", a->extra_runs);
        print_minutes(out, a->extra_seconds);
        fputs(") would decide it]", out);
    }
}

static bool overlap(const struct speedup *a, const struct speedup *b)
{
    return a->low <= b->high && b->low <= a->high;
}

/* Ways joined to the leader by "≈" where the direct comparison calls them
 * a tie, or has not told them apart and their intervals against the
 * baseline overlap; "; " where it told them apart.  The status at the end
 * says which. */
static void print_answer_line(FILE *out, const struct settings *s, const struct workload_answer *a)
{
    fprintf(out, "%s at %u workers (%u usable CPU%s%s%s): ", a->label, a->workers, s->cpus,
            s->cpus == 1 ? "" : "s", a->python ? "; " : "", a->python ? a->python : "");
    for (size_t i = 0; i < a->count; i++) {
        if (i > 0) {
            enum race_verdict v = a->ways[i].race.verdict;
            bool joined = v == RACE_TIED ||
                          (v == RACE_UNDECIDED &&
                           overlap(&a->ways[i].way->against_fastest, &a->ways[0].way->against_fastest));
            fputs(joined ? " \u2248 " : "; ", out);
        }
        print_way(out, s, a, a->ways[i].way);
    }
    if (a->gil_remark)
        fprintf(out, " \u2014 %s", a->gil_remark);
    print_traced(out, a);
    print_fixed_costs(out, s, a);
    print_status(out, s, a);
    fputc('\n', out);
}

/* The decision in words, e.g. "featurize on this machine: use
 * multiprocessing(fork), 1.7x one worker of threading; ...". */
static void print_decision(FILE *out, const struct settings *s, const struct workload_answer *a)
{
    const struct row *leader = a->ways[0].way;
    int d = summary_decimals(&leader->against_fastest);
    bool open = a->verdict == RACE_UNDECIDED && a->count > 1;
    fprintf(out, "%s on this machine at %u workers: %s%s", a->label, a->workers, open ? "" : "use ",
            named(s, a, leader->point->mode));
    if (a->verdict == RACE_TIED)
        for (size_t i = 1; i < a->count; i++)
            if (a->ways[i].race.verdict == RACE_TIED)
                fprintf(out, " or %s", named(s, a, a->ways[i].way->point->mode));
    fprintf(out, "%s, %.*f\u00d7 the speed of one worker of %s", open ? " leads so far" : "", d,
            leader->against_fastest.value, named(s, a, a->baseline->mode));
    if (a->verdict == RACE_TIED)
        fprintf(out, " (a tie within \u00b1%g %%)", s->resolution * 100);
    if (a->gil_remark)
        fprintf(out, "; %s", a->gil_remark);
    print_traced(out, a);
    /* Ways that scale on their own but give no speedup over the baseline:
     * their single worker is slower (a slower interpreter, start-up, a
     * pool's cost per task). */
    for (size_t i = 1; i < a->count; i++) {
        const struct comparison *c = &a->ways[i];
        if (c->one_worker_ratio > 1 && c->way->against_fastest.high < 1.1 && c->way->speedup.low > 1.1)
            fprintf(out, "; %s gives nothing here: its one worker is %.2f\u00d7 slower",
                    named(s, a, c->way->point->mode), c->one_worker_ratio);
    }
    if (a->verdict == RACE_UNDECIDED && a->count > 1) {
        fprintf(out, "; not yet decided: about %.0f more runs (", a->extra_runs);
        print_minutes(out, a->extra_seconds);
        fputs(") would decide it", out);
    }
    fputs(".\n", out);
}

/* The points whose runs may still settle an undecided answer: the leader,
 * each way not yet told apart from it whose estimate is within reach
 * (with max_runs, at most twice as many runs: the estimate is rough), and
 * the baseline.  A comparison that would need far more runs than the
 * sweep may give gets none: it stays undecided, with its estimate. */
static void print_deciding(FILE *out, const struct settings *s, const struct workload_answer *a)
{
    if (a->verdict != RACE_UNDECIDED)
        return;
    bool any = false;
    for (size_t i = 1; i < a->count; i++) {
        const struct comparison *c = &a->ways[i];
        if (c->race.verdict != RACE_UNDECIDED ||
            (s->max_runs > 0 && !(c->race.runs_to_decide <= 2.0 * (double)s->max_runs)))
            continue;
        const struct point *p = c->way->point;
        fprintf(out, "%s\t%s\t%s\t%u\n", p->workload, p->variant, p->mode, p->workers);
        any = true;
    }
    if (!any)
        return;
    const struct point *p = a->ways[0].way->point;
    fprintf(out, "%s\t%s\t%s\t%u\n", p->workload, p->variant, p->mode, p->workers);
    if (a->baseline)
        fprintf(out, "%s\t%s\t%s\t1\n", a->baseline->workload, a->baseline->variant, a->baseline->mode);
}

void summary_print_answer(FILE *out, enum answer_form form, const struct row *rows, size_t count,
                          const struct settings *settings)
{
    struct workload_answer *a = malloc(sizeof *a);
    if (!a)
        return;
    for (size_t first = 0; first < count;) {
        size_t end = first;
        while (end < count && strcmp(rows[end].point->workload, rows[first].point->workload) == 0 &&
               strcmp(rows[end].point->variant, rows[first].point->variant) == 0)
            end++;
        if (describe(rows, first, end, settings, a)) {
            if (form == ANSWER_LINES)
                print_answer_line(out, settings, a);
            else if (form == ANSWER_DECISION)
                print_decision(out, settings, a);
            else
                print_deciding(out, settings, a);
        }
        first = end;
    }
    free(a);
}
