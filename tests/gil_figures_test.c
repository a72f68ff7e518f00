/*
 * gil_figures_test.c - the figures of a GIL trace (bench/stats/gil_figures.c)
 * on hand-made traces whose answers are known: holds, waits, shares and
 * their percentiles, switches, forced switches, hand-offs and their latency,
 * and locks kept apart (subinterpreters each have their own).
 */
#include <math.h>

#include "gil_figures.h"
#include "tap.h"

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

struct event_spec {
    double at;
    enum gil_event kind;
    unsigned lock;
};

static void fill(struct gil_trace *t, const struct event_spec *e, size_t n)
{
    gil_trace_init(t, n);
    for (size_t k = 0; k < n; k++)
        t->events[t->count++] = (struct gil_trace_event){ e[k].at, e[k].kind, e[k].lock };
}

/* Two workers on one lock: 0 holds 0..10, is made to drop it; 1, waiting
 * since 1, has it at 10.5 (a hand-off of 0.5), holds to 20 and is made to
 * drop it; 0, waiting again since 11, has it at 20.25 (0.25) and releases
 * it at 25, when 1 waits since 21 and takes it at 25.75 (0.75), then
 * releases at 30. */
static void two_workers(void)
{
    const struct event_spec w0[] = {
        { 0, GIL_EVENT_WAIT, 0 }, { 0, GIL_EVENT_ACQUIRE, 0 }, { 10, GIL_EVENT_YIELD, 0 },
        { 11, GIL_EVENT_WAIT, 0 }, { 20.25, GIL_EVENT_ACQUIRE, 0 }, { 25, GIL_EVENT_RELEASE, 0 },
    };
    const struct event_spec w1[] = {
        { 1, GIL_EVENT_WAIT, 0 }, { 10.5, GIL_EVENT_ACQUIRE, 0 }, { 20, GIL_EVENT_YIELD, 0 },
        { 21, GIL_EVENT_WAIT, 0 }, { 25.75, GIL_EVENT_ACQUIRE, 0 }, { 30, GIL_EVENT_RELEASE, 0 },
    };
    struct gil_trace t[2];
    fill(&t[0], w0, sizeof w0 / sizeof *w0);
    fill(&t[1], w1, sizeof w1 / sizeof *w1);
    struct gil_figures f;
    ok(gil_figures_of(t, 2, &f) == 0, "two workers: computed");
    ok(f.workers == 2 && f.takes == 4, "four takes by two workers (%u, %llu)", f.workers,
       (unsigned long long)f.takes);
    ok(f.switches == 4, "every take changed the holder: 4 switches (%llu)", (unsigned long long)f.switches);
    ok(f.forced_switches == 2, "two yields are forced switches (%llu)", (unsigned long long)f.forced_switches);
    ok(f.handoffs == 3, "three drops with a waiter are hand-offs (%llu)", (unsigned long long)f.handoffs);
    ok(near(f.handoff_p50, 0.5), "the median hand-off is 0.5 (%g)", f.handoff_p50);
    /* holds: 10, 4.75 (w0); 9.5, 4.25 (w1) */
    ok(near(f.hold_seconds, 28.5), "holds add up to 28.5 (%g)", f.hold_seconds);
    /* waits to an acquire: w0 0, 9.25; w1 9.5, 4.75; the forced-switch waits: w0 1, w1 1 */
    ok(near(f.wait_seconds, 25.5), "waits add up to 25.5 with the forced-switch waits (%g)", f.wait_seconds);
    ok(near(f.wait_p50, 7), "the median wait to an acquire is 7, between 4.75 and 9.25 (%g)", f.wait_p50);
    ok(near(f.lifetime_seconds, 25 + 29), "lives: 25 and 29 (%g)", f.lifetime_seconds);
    ok(near(f.hold_share, 28.5 / 54) && near(f.wait_share, 25.5 / 54), "shares of their lives");
    ok(near(f.window_seconds, 30) && near(f.switches_per_second, 4.0 / 30), "window 30, 4/30 switches a second");
    gil_trace_free(&t[0]);
    gil_trace_free(&t[1]);
}

/* The same times on two locks: nobody waits for the other's lock, so no
 * hand-off, and each lock changes holder once (its first take). */
static void two_locks(void)
{
    const struct event_spec w0[] = {
        { 0, GIL_EVENT_WAIT, 0 }, { 0, GIL_EVENT_ACQUIRE, 0 }, { 10, GIL_EVENT_RELEASE, 0 },
    };
    const struct event_spec w1[] = {
        { 1, GIL_EVENT_WAIT, 1 }, { 1, GIL_EVENT_ACQUIRE, 1 }, { 12, GIL_EVENT_RELEASE, 1 },
    };
    struct gil_trace t[2];
    fill(&t[0], w0, 3);
    fill(&t[1], w1, 3);
    struct gil_figures f;
    ok(gil_figures_of(t, 2, &f) == 0, "two locks: computed");
    ok(f.handoffs == 0 && isnan(f.handoff_p50), "no hand-off between two locks");
    ok(f.switches == 2, "one switch per lock, its first take (%llu)", (unsigned long long)f.switches);
    ok(near(f.hold_share, 1.0), "each held its own lock all its life (%g)", f.hold_share);
    gil_trace_free(&t[0]);
    gil_trace_free(&t[1]);
}

/* No events, and a worker that never took the lock: nothing measured. */
static void nothing(void)
{
    struct gil_figures f;
    ok(gil_figures_of(NULL, 0, &f) == 0 && f.workers == 0 && isnan(f.hold_share) && isnan(f.hold_p50),
       "no traces: no figures");
    const struct event_spec w0[] = { { 3, GIL_EVENT_WAIT, 0 } };
    struct gil_trace t;
    fill(&t, w0, 1);
    ok(gil_figures_of(&t, 1, &f) == 0 && f.workers == 0 && f.takes == 0 && isnan(f.wait_p50),
       "a worker that only waited: not a worker, no wait measured");
    gil_trace_free(&t);
}

int main(void)
{
    two_workers();
    two_locks();
    nothing();
    return done_testing();
}
