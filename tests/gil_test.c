/*
 * gil_test.c - the GIL model's invariants, under stress.  Also built with
 * ThreadSanitizer.  Timing assertions here are about the algorithm's
 * behaviour (a waiter cannot get the lock before its first timed wait has
 * expired; it does get it), with generous upper bounds for a busy machine.
 * The accounting is checked exactly, against the thread's own trace and
 * clock, never against a timing threshold.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "gil.h"
#include "tap.h"

static void sleep_us(long us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    nanosleep(&ts, NULL);
}

/* What a thread's trace says of its time (gil.h, gil_trace.h): held from
 * each acquire to the next yield or release; waiting in gil_take from each
 * wait to the next acquire, and in the forced-switch wait from each yield to
 * the next wait (the re-take that follows at once). */
struct traced_times {
    double hold, take_wait, switch_wait;
    double first, last;     /* the first and the last event */
};

static struct traced_times traced_times(const struct gil_trace *tr)
{
    struct traced_times t = { 0 };
    double since = 0;
    enum gil_event previous = GIL_EVENT_RELEASE;
    for (size_t k = 0; k < tr->count; k++) {
        const struct gil_trace_event *e = &tr->events[k];
        if (e->kind == GIL_EVENT_WAIT) {
            if (previous == GIL_EVENT_YIELD)
                t.switch_wait += e->at - since;
            since = e->at;
        } else if (e->kind == GIL_EVENT_ACQUIRE) {
            t.take_wait += e->at - since;
            since = e->at;
        } else if (e->kind == GIL_EVENT_YIELD || e->kind == GIL_EVENT_RELEASE) {
            t.hold += e->at - since;
            since = e->at;
        }
        if (e->kind != GIL_EVENT_DROP_REQUEST)
            previous = e->kind;
    }
    if (tr->count > 0) {
        t.first = tr->events[0].at;
        t.last = tr->events[tr->count - 1].at;
    }
    return t;
}

/* Equal but for rounding: sums of the same clock readings in another order. */
static int same_time(double a, double b)
{
    return a - b < 1e-9 && b - a < 1e-9;
}

/* A check point, as workloads write it (see workload.h). */
static void checkpoint(struct gil *gil, struct gil_worker_stats *me)
{
    if (atomic_load_explicit(&gil->drop_request, memory_order_relaxed))
        gil_honour_drop_request(gil, me);
}

/* ---- stress: one holder at a time, nobody starves ---- */

enum { STRESS_THREADS = 16, STRESS_ROUNDS = 1500 };

struct stress {
    struct gil gil;
    atomic_int holders;
    atomic_int max_holders;
    atomic_int finished;
};

struct stress_thread {
    struct stress *shared;
    unsigned seed;
    struct gil_worker_stats stats;
    struct gil_trace trace;
    int rounds_done;
    double started, finished;   /* around everything it did with the lock */
};

static void enter(struct stress *s)
{
    int now = atomic_fetch_add(&s->holders, 1) + 1;
    int max = atomic_load(&s->max_holders);
    while (now > max && !atomic_compare_exchange_weak(&s->max_holders, &max, now))
        ;
}

/* The counted region is only ever entered while holding the lock, so two
 * threads inside it at once would mean two holders. */
static void critical_section(struct stress *s)
{
    enter(s);
    for (volatile int i = 0; i < 20; i++)
        ;
    atomic_fetch_sub(&s->holders, 1);
}

static void *stress_main(void *arg)
{
    struct stress_thread *t = arg;
    struct stress *s = t->shared;
    t->started = gb_now();
    gil_take(&s->gil, &t->stats);
    for (int round = 0; round < STRESS_ROUNDS; round++) {
        /* Some CPU work with check points, then a blocking section of random length. */
        for (int spin = 0; spin < 200; spin++) {
            critical_section(s);
            checkpoint(&s->gil, &t->stats);
        }
        if (rand_r(&t->seed) % 4 == 0) {
            gil_drop(&s->gil, &t->stats);
            if (rand_r(&t->seed) % 2)
                sleep_us(rand_r(&t->seed) % 50);
            gil_take(&s->gil, &t->stats);
        }
        t->rounds_done++;
    }
    gil_drop(&s->gil, &t->stats);
    t->finished = gb_now();
    atomic_fetch_add(&s->finished, 1);
    return NULL;
}

static void test_stress(void)
{
    static struct stress s;
    struct stress_thread threads[STRESS_THREADS];
    pthread_t ids[STRESS_THREADS];
    gil_init(&s.gil, 20); /* a short interval: many forced switches */
    for (int i = 0; i < STRESS_THREADS; i++) {
        threads[i] = (struct stress_thread){ .shared = &s, .seed = 1234u + (unsigned)i };
        gil_trace_init(&threads[i].trace, GIL_TRACE_DEFAULT_CAPACITY);
        threads[i].stats.trace = &threads[i].trace;
        pthread_create(&ids[i], NULL, stress_main, &threads[i]);
    }
    for (int i = 0; i < STRESS_THREADS; i++)
        pthread_join(ids[i], NULL);
    uint64_t acquisitions = 0, honoured = 0;
    int all_done = 1;
    for (int i = 0; i < STRESS_THREADS; i++) {
        acquisitions += threads[i].stats.acquisitions;
        honoured += threads[i].stats.drop_requests_honoured;
        all_done &= threads[i].rounds_done == STRESS_ROUNDS;
    }
    diag("%d threads: %llu acquisitions, %llu drop requests honoured, %lu switches",
         STRESS_THREADS, (unsigned long long)acquisitions, (unsigned long long)honoured,
         gil_switches(&s.gil));
    ok(atomic_load(&s.max_holders) == 1, "never two holders at once (max seen: %d)",
       atomic_load(&s.max_holders));
    ok(all_done && atomic_load(&s.finished) == STRESS_THREADS,
       "every thread got the lock often enough to finish all its rounds");
    ok(acquisitions >= 5000, "many thousands of acquisitions (%llu)",
       (unsigned long long)acquisitions);
    ok(honoured > 0, "forced switches happened under stress (%llu)", (unsigned long long)honoured);

    /* The trace of every thread agrees with its counters, and no two holds
     * in it overlap: written by the holders themselves, in their own
     * buffers, with the times the lock code reads anyway. */
    int counts_agree = 1;
    struct hold { double from, to; } *holds = malloc(acquisitions * sizeof *holds);
    size_t n_holds = 0;
    for (int i = 0; i < STRESS_THREADS && holds; i++) {
        const struct gil_trace *tr = &threads[i].trace;
        uint64_t acquires = 0, yields = 0;
        for (size_t k = 0; k < tr->count; k++) {
            enum gil_event e = tr->events[k].kind;
            if (e == GIL_EVENT_ACQUIRE && n_holds < acquisitions) {
                holds[n_holds].from = tr->events[k].at;
                holds[n_holds].to = k + 1 < tr->count ? tr->events[k + 1].at : 1e300;
                n_holds++;
            }
            acquires += e == GIL_EVENT_ACQUIRE;
            yields += e == GIL_EVENT_YIELD;
        }
        counts_agree &= tr->lost == 0 && acquires == threads[i].stats.acquisitions &&
                        yields == threads[i].stats.drop_requests_honoured;
    }
    ok(counts_agree, "each thread's trace has one acquire per acquisition and one yield per "
                     "drop request honoured");
    int overlapping = 0;
    for (size_t a = 0; holds && a < n_holds; a++)
        for (size_t b = a + 1; b < n_holds; b++)
            overlapping += holds[a].from < holds[b].to && holds[b].from < holds[a].to;
    ok(holds && n_holds == acquisitions && overlapping == 0,
       "no two holds in the traces overlap (%zu holds, %d overlaps)", n_holds, overlapping);
    free(holds);

    /* Each thread's hold and wait are its trace's holds and waits, and
     * together no more than its lifetime: nothing is counted twice.  A
     * forced-switch wait after a release is counted but not traced (it has
     * no event), so the switch wait is at least what the trace shows. */
    int within_lifetime = 1, hold_traced = 1, take_wait_traced = 1, switch_wait_traced = 1;
    double switch_wait = 0, wait = 0;
    for (int i = 0; i < STRESS_THREADS; i++) {
        const struct stress_thread *t = &threads[i];
        struct traced_times tt = traced_times(&t->trace);
        within_lifetime &= t->stats.hold_seconds + t->stats.wait_seconds <=
                           t->finished - t->started + 1e-9;
        hold_traced &= same_time(t->stats.hold_seconds, tt.hold);
        take_wait_traced &= same_time(t->stats.wait_seconds - t->stats.switch_wait_seconds,
                                      tt.take_wait);
        switch_wait_traced &= tt.switch_wait <= t->stats.switch_wait_seconds + 1e-9;
        switch_wait += t->stats.switch_wait_seconds;
        wait += t->stats.wait_seconds;
    }
    diag("waits: %.3f s, of which %.3f s in forced-switch waits", wait, switch_wait);
    ok(within_lifetime, "each thread's hold + wait is within its lifetime");
    ok(hold_traced, "each thread's hold time is the sum of its traced holds");
    ok(take_wait_traced, "each thread's wait outside forced switches is the sum of its traced "
                         "waits (wait -> acquire)");
    ok(switch_wait_traced, "each thread's forced-switch wait covers its traced ones "
                           "(yield -> wait)");
    for (int i = 0; i < STRESS_THREADS; i++)
        gil_trace_free(&threads[i].trace);
    gil_destroy(&s.gil);
}

/* ---- a waiter facing a CPU-bound holder ---- */

struct duel {
    struct gil gil;
    atomic_int waiter_has_it;
    atomic_int holder_ready;
    double waiter_asked_at, waiter_got_at;
};

static void *cpu_bound_holder(void *arg)
{
    struct duel *d = arg;
    struct gil_worker_stats me = { 0 };
    gil_take(&d->gil, &me);
    atomic_store(&d->holder_ready, 1);
    double give_up = gb_now() + 5.0;
    while (!atomic_load(&d->waiter_has_it) && gb_now() < give_up)
        checkpoint(&d->gil, &me);
    gil_drop(&d->gil, &me);
    return NULL;
}

static void test_waiter_gets_it_after_one_interval(long interval_us)
{
    struct duel d = { 0 };
    gil_init(&d.gil, interval_us);
    pthread_t holder;
    pthread_create(&holder, NULL, cpu_bound_holder, &d);
    while (!atomic_load(&d.holder_ready))
        sleep_us(100);
    struct gil_worker_stats me = { 0 };
    d.waiter_asked_at = gb_now();
    gil_take(&d.gil, &me);
    d.waiter_got_at = gb_now();
    atomic_store(&d.waiter_has_it, 1);
    gil_drop(&d.gil, &me);
    pthread_join(holder, NULL);

    double waited_us = (d.waiter_got_at - d.waiter_asked_at) * 1e6;
    ok(waited_us >= interval_us * 0.99,
       "interval %ld us: the waiter does not get the lock before one interval (%.0f us)",
       interval_us, waited_us);
    ok(waited_us <= interval_us * 40.0 + 100000,
       "interval %ld us: the waiter gets the lock, about one interval later (%.0f us)",
       interval_us, waited_us);
    ok(me.drop_requests_made >= 1, "interval %ld us: the waiter asked by setting a drop request",
       interval_us);
    gil_destroy(&d.gil);
}

/* ---- a release around a blocking call lets another thread run ---- */

struct blocking {
    struct gil gil;
    atomic_int released;
    double released_at, reacquired_at, other_got_at;
};

static void *blocking_caller(void *arg)
{
    struct blocking *b = arg;
    struct gil_worker_stats me = { 0 };
    gil_take(&b->gil, &me);
    b->released_at = gb_now();
    gil_drop(&b->gil, &me);         /* Py_BEGIN_ALLOW_THREADS */
    atomic_store(&b->released, 1);
    sleep_us(100000);               /* the blocking call */
    gil_take(&b->gil, &me);         /* Py_END_ALLOW_THREADS */
    b->reacquired_at = gb_now();
    gil_drop(&b->gil, &me);
    return NULL;
}

static void test_release_lets_others_run(void)
{
    struct blocking b = { 0 };
    gil_init(&b.gil, 5000);
    pthread_t caller;
    pthread_create(&caller, NULL, blocking_caller, &b);
    while (!atomic_load(&b.released))
        sleep_us(100);
    struct gil_worker_stats me = { 0 };
    gil_take(&b.gil, &me);
    b.other_got_at = gb_now();
    sleep_us(20000); /* hold it a while, as a CPU-bound thread would */
    gil_drop(&b.gil, &me);
    pthread_join(caller, NULL);
    ok(b.other_got_at > b.released_at && b.other_got_at < b.reacquired_at,
       "another thread takes the lock while the holder is in a blocking call");
    ok(me.wait_seconds < 0.05, "it does not have to wait for the blocking call to end (%.1f ms)",
       me.wait_seconds * 1e3);
    gil_destroy(&b.gil);
}

/* ---- forced switching hands the lock to the waiter ---- */

struct handover {
    struct gil gil;
    atomic_int stop;
    atomic_int forced_drops;
    atomic_int handed_back_to_dropper;
};

static void *spinning_thread(void *arg)
{
    struct handover *h = arg;
    struct gil_worker_stats me = { 0 };
    gil_take(&h->gil, &me);
    while (!atomic_load(&h->stop)) {
        if (atomic_load_explicit(&h->gil.drop_request, memory_order_relaxed)) {
            /* While we hold the lock nobody else can take it, so these
             * two readings bracket exactly the handover. */
            unsigned long before = gil_switches(&h->gil);
            gil_honour_drop_request(&h->gil, &me);
            unsigned long after = gil_switches(&h->gil);
            atomic_fetch_add(&h->forced_drops, 1);
            /* >= 2: someone else took it, then we took it back. */
            if (after - before < 2)
                atomic_fetch_add(&h->handed_back_to_dropper, 1);
        }
    }
    gil_drop(&h->gil, &me);
    return NULL;
}

static void test_forced_switch_goes_to_waiter(void)
{
    static struct handover h;
    gil_init(&h.gil, 1000);
    pthread_t ids[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&ids[i], NULL, spinning_thread, &h);
    sleep_us(300000);
    atomic_store(&h.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(ids[i], NULL);
    int forced = atomic_load(&h.forced_drops);
    ok(forced >= 10, "two CPU-bound threads switch by forced drops (%d in 0.3 s at 1 ms)", forced);
    ok(atomic_load(&h.handed_back_to_dropper) == 0,
       "after every forced drop another thread held the lock before the dropper got it back "
       "(%d of %d did not)", atomic_load(&h.handed_back_to_dropper), forced);
    gil_destroy(&h.gil);
}

/* ---- the forced-switch wait is waiting, and counted as such ---- */

struct held_switch {
    struct gil gil;
    atomic_int holder_ready;
    atomic_int stop;
    struct gil_worker_stats holder, waiter;
    struct gil_trace holder_trace, waiter_trace;
};

static void *switch_holder(void *arg)
{
    struct held_switch *h = arg;
    gil_take(&h->gil, &h->holder);
    atomic_store(&h->holder_ready, 1);
    double give_up = gb_now() + 10.0;
    while (!atomic_load(&h->stop) && gb_now() < give_up)
        checkpoint(&h->gil, &h->holder);
    gil_drop(&h->gil, &h->holder);
    return NULL;
}

static void *switch_waiter(void *arg)
{
    struct held_switch *h = arg;
    gil_take(&h->gil, &h->waiter);
    gil_drop(&h->gil, &h->waiter);
    return NULL;
}

/* The test holds switch_mutex, so that the hand-over cannot complete: the
 * holder, asked to drop, drops and then waits for the switch until the test
 * lets go.  That wait must count as waiting: the holder runs nothing then. */
static void test_forced_switch_wait_is_counted(void)
{
    static struct held_switch h;
    gil_init(&h.gil, 1000);
    gil_trace_init(&h.holder_trace, 64);
    gil_trace_init(&h.waiter_trace, 64);
    h.holder.trace = &h.holder_trace;
    h.waiter.trace = &h.waiter_trace;
    pthread_t holder, waiter;
    pthread_create(&holder, NULL, switch_holder, &h);
    while (!atomic_load(&h.holder_ready))
        sleep_us(100);
    pthread_mutex_lock(&h.gil.switch_mutex);
    pthread_create(&waiter, NULL, switch_waiter, &h);
    /* The waiter asks after one interval; the holder yields at once. */
    double give_up = gb_now() + 5.0;
    while (!atomic_load_explicit(&h.gil.drop_request, memory_order_relaxed) && gb_now() < give_up)
        sleep_us(100);
    sleep_us(50000);
    double let_go_at = gb_now();
    pthread_mutex_unlock(&h.gil.switch_mutex);
    pthread_join(waiter, NULL);
    atomic_store(&h.stop, 1);
    pthread_join(holder, NULL);

    double yielded_at = 0;
    for (size_t k = 0; k < h.holder_trace.count; k++)
        if (h.holder_trace.events[k].kind == GIL_EVENT_YIELD)
            yielded_at = h.holder_trace.events[k].at;
    struct traced_times tt = traced_times(&h.holder_trace);
    const struct gil_worker_stats *s = &h.holder;
    diag("forced-switch wait: %.1f ms, switch held for %.1f ms after the yield",
         s->switch_wait_seconds * 1e3, (let_go_at - yielded_at) * 1e3);
    ok(s->drop_requests_honoured == 1 && yielded_at > 0, "the holder yielded once (%llu)",
       (unsigned long long)s->drop_requests_honoured);
    /* It cannot have left the switch before the test let go of it. */
    ok(s->switch_wait_seconds >= let_go_at - yielded_at,
       "the holder's forced-switch wait covers the time the switch was held (%.1f >= %.1f ms)",
       s->switch_wait_seconds * 1e3, (let_go_at - yielded_at) * 1e3);
    ok(s->wait_seconds >= s->switch_wait_seconds + tt.take_wait - 1e-9,
       "... and is part of its wait time, beside its waits in gil_take");
    ok(same_time(s->switch_wait_seconds, tt.switch_wait),
       "in the trace it is the time from the yield to the next wait");
    ok(same_time(s->hold_seconds + s->wait_seconds, tt.last - tt.first),
       "hold + wait is the holder's whole time, from its first wait to its release: no gap, "
       "nothing counted twice (%.6f + %.6f s against %.6f s)", s->hold_seconds,
       s->wait_seconds, tt.last - tt.first);
    ok(same_time(s->hold_seconds, tt.hold), "its hold is the sum of its traced holds");
    ok(same_time(h.waiter.wait_seconds - h.waiter.switch_wait_seconds,
                 traced_times(&h.waiter_trace).take_wait),
       "the waiter's wait is its traced wait");
    gil_trace_free(&h.holder_trace);
    gil_trace_free(&h.waiter_trace);
    gil_destroy(&h.gil);
}

/* ---- a lone thread is never asked to drop ---- */

static void test_uncontended(void)
{
    struct gil gil;
    gil_init(&gil, 1);
    struct gil_worker_stats me = { 0 };
    gil_take(&gil, &me);
    for (int i = 0; i < 1000; i++) {
        checkpoint(&gil, &me);
        gil_drop(&gil, &me);
        gil_take(&gil, &me);
    }
    gil_drop(&gil, &me);
    ok(me.drop_requests_honoured == 0 && me.drop_requests_made == 0,
       "a lone thread is never asked to drop the lock");
    ok(gil_switches(&gil) == 1, "re-taking by the last holder is not a switch (%lu)",
       gil_switches(&gil));
    ok(gil.interval_us == 1, "an interval below 1 us is taken as 1 us");
    gil_destroy(&gil);
    gil_init(&gil, 0);
    ok(gil.interval_us == 1, "an interval of 0 is taken as 1 us, as CPython does");
    gil_destroy(&gil);
}

int main(void)
{
    test_uncontended();
    test_stress();
    test_waiter_gets_it_after_one_interval(1000);
    test_waiter_gets_it_after_one_interval(5000);
    test_waiter_gets_it_after_one_interval(20000);
    test_release_lets_others_run();
    test_forced_switch_goes_to_waiter();
    test_forced_switch_wait_is_counted();
    return done_testing();
}
