/*
 * gil_figures.c - the mechanism figures of a GIL trace (see gil_figures.h):
 * each worker's spans, then every lock's events in time order for switches
 * and hand-offs.
 */
#include "gil_figures.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"

/* One event of the merged view: whose, when, what, on which lock. */
struct merged_event {
    double at;
    unsigned worker, lock;
    enum gil_event kind;
};

static int by_lock_then_time(const void *a, const void *b)
{
    const struct merged_event *x = a, *y = b;
    if (x->lock != y->lock)
        return x->lock < y->lock ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->worker < y->worker ? -1 : x->worker > y->worker;
}

static bool is_drop(enum gil_event kind)
{
    return kind == GIL_EVENT_YIELD || kind == GIL_EVENT_RELEASE;
}

/* A growable array of durations. */
struct durations {
    double *x;
    size_t n, capacity;
};

static int add(struct durations *d, double value)
{
    if (d->n == d->capacity) {
        size_t capacity = d->capacity ? 2 * d->capacity : 256;
        double *x = realloc(d->x, capacity * sizeof *x);
        if (!x)
            return -1;
        d->x = x;
        d->capacity = capacity;
    }
    d->x[d->n++] = value;
    return 0;
}

static double percentile_or_nan(const struct durations *d, double p)
{
    return d->n ? stats_percentile(d->x, d->n, p) : NAN;
}

/* Holds, waits and lifetimes: each worker on its own. */
static int worker_spans(const struct gil_trace *traces, unsigned n, struct gil_figures *f,
                        struct durations *holds, struct durations *waits)
{
    for (unsigned w = 0; w < n; w++) {
        const struct gil_trace *t = &traces[w];
        bool holding = false, waiting = false, switching = false, acquired = false;
        double since = 0;
        for (size_t k = 0; k < t->count; k++) {
            const struct gil_trace_event *e = &t->events[k];
            if (switching && e->kind != GIL_EVENT_DROP_REQUEST) {
                f->wait_seconds += e->at - since;   /* the forced-switch wait after a yield */
                switching = false;
            }
            switch (e->kind) {
            case GIL_EVENT_WAIT:
                waiting = true;
                since = e->at;
                break;
            case GIL_EVENT_ACQUIRE:
                if (waiting) {
                    f->wait_seconds += e->at - since;
                    if (add(waits, e->at - since) < 0)
                        return -1;
                }
                f->takes++;
                acquired = true;
                waiting = false;
                holding = true;
                since = e->at;
                break;
            case GIL_EVENT_YIELD:
            case GIL_EVENT_RELEASE:
                if (holding) {
                    f->hold_seconds += e->at - since;
                    if (add(holds, e->at - since) < 0)
                        return -1;
                }
                if (e->kind == GIL_EVENT_YIELD) {
                    f->forced_switches++;
                    switching = true;
                }
                holding = false;
                since = e->at;
                break;
            case GIL_EVENT_DROP_REQUEST:
                break;
            }
        }
        if (acquired) {
            f->workers++;
            f->lifetime_seconds += t->events[t->count - 1].at - t->events[0].at;
        }
    }
    return 0;
}

/* Switches and hand-offs: each lock's events in time order.  A hand-off
 * begins at a drop while another worker waits for that lock and ends at the
 * next acquire of the lock, if a worker waiting at the drop made it. */
static int lock_order(const struct gil_trace *traces, unsigned n, struct gil_figures *f,
                      struct durations *handoffs)
{
    size_t total = 0;
    for (unsigned w = 0; w < n; w++)
        total += traces[w].count;
    struct merged_event *all = malloc((total ? total : 1) * sizeof *all);
    double *waiting_since = malloc((n ? n : 1) * sizeof *waiting_since);
    if (!all || !waiting_since) {
        free(all);
        free(waiting_since);
        return -1;
    }
    size_t m = 0;
    for (unsigned w = 0; w < n; w++)
        for (size_t k = 0; k < traces[w].count; k++) {
            const struct gil_trace_event *e = &traces[w].events[k];
            all[m++] = (struct merged_event){ e->at, w, e->lock, e->kind };
        }
    qsort(all, m, sizeof *all, by_lock_then_time);

    int status = 0;
    for (size_t k = 0; k < m && status == 0;) {
        unsigned lock = all[k].lock, waiters = 0, last_holder = n;   /* n: nobody yet */
        bool pending = false;
        unsigned dropped_by = 0;
        double dropped_at = 0;
        for (unsigned w = 0; w < n; w++)
            waiting_since[w] = NAN;
        for (; k < m && all[k].lock == lock && status == 0; k++) {
            const struct merged_event *e = &all[k];
            if (e->kind == GIL_EVENT_WAIT) {
                if (isnan(waiting_since[e->worker]))
                    waiters++;
                waiting_since[e->worker] = e->at;
            } else if (e->kind == GIL_EVENT_ACQUIRE) {
                if (pending && e->worker != dropped_by && waiting_since[e->worker] <= dropped_at) {
                    f->handoffs++;
                    status = add(handoffs, e->at - dropped_at);
                }
                pending = false;
                if (!isnan(waiting_since[e->worker]))
                    waiters--;
                waiting_since[e->worker] = NAN;
                if (e->worker != last_holder)
                    f->switches++;
                last_holder = e->worker;
            } else if (is_drop(e->kind)) {
                bool other_waits = waiters > (isnan(waiting_since[e->worker]) ? 0u : 1u);
                pending = other_waits;
                dropped_by = e->worker;
                dropped_at = e->at;
            }
        }
    }
    free(all);
    free(waiting_since);
    return status;
}

int gil_figures_of(const struct gil_trace *traces, unsigned n, struct gil_figures *out)
{
    struct gil_figures f = { 0 };
    struct durations holds = { 0 }, waits = { 0 }, handoffs = { 0 };
    int status = worker_spans(traces, n, &f, &holds, &waits);
    if (status == 0)
        status = lock_order(traces, n, &f, &handoffs);
    if (status == 0) {
        double first = INFINITY, last = -INFINITY;
        for (unsigned w = 0; w < n; w++)
            if (traces[w].count) {
                first = fmin(first, traces[w].events[0].at);
                last = fmax(last, traces[w].events[traces[w].count - 1].at);
            }
        f.window_seconds = last > first ? last - first : NAN;
        f.hold_share = f.lifetime_seconds > 0 ? f.hold_seconds / f.lifetime_seconds : NAN;
        f.wait_share = f.lifetime_seconds > 0 ? f.wait_seconds / f.lifetime_seconds : NAN;
        f.hold_p50 = percentile_or_nan(&holds, 50);
        f.hold_p99 = percentile_or_nan(&holds, 99);
        f.wait_p50 = percentile_or_nan(&waits, 50);
        f.wait_p99 = percentile_or_nan(&waits, 99);
        f.handoff_p50 = percentile_or_nan(&handoffs, 50);
        f.handoff_p99 = percentile_or_nan(&handoffs, 99);
        f.switches_per_second = f.window_seconds > 0 ? (double)f.switches / f.window_seconds : NAN;
        *out = f;
    }
    free(holds.x);
    free(waits.x);
    free(handoffs.x);
    return status;
}
