/*
 * gil.c - a model of CPython's global interpreter lock, step for step.
 *
 * The gil mode runs its worker threads under this lock so that they behave
 * like Python threads running interpreted code.  A plain mutex would be wrong:
 * it lets the holder re-take it at once (no switching at all for a CPU-bound
 * thread) and hands it over at the OS's whim.  CPython's lock (Python/ceval_gil.c
 * since 3.2, unchanged in substance through 3.13) is this algorithm:
 *
 * State, guarded by `mutex`: `locked`, and `switch_number`, which counts the
 * acquisitions by a thread other than the last holder.  `last_holder` is
 * guarded by `switch_mutex` (FORCE_SWITCHING, always on in CPython).  The drop
 * request is an atomic flag that holders poll at check points (CPython's
 * gil_drop_request bit of the eval breaker).
 *
 * take (CPython take_gil):
 *   1. lock mutex.
 *   2. while locked: remember switch_number; wait on `cond` for at most one
 *      switch interval; if the wait timed out, the lock is still held and no
 *      switch happened meanwhile, set the drop request.
 *   3. lock switch_mutex; locked = true; if last_holder is not me, last_holder
 *      = me and switch_number++; signal switch_cond; unlock switch_mutex.
 *   4. clear the drop request (the new holder starts clean); unlock mutex.
 *
 * drop (CPython drop_gil):
 *   1. lock mutex; locked = false; signal `cond` (one waiter, never a
 *      broadcast); unlock mutex.
 *   2. forced switching: if a drop request is pending, lock switch_mutex and,
 *      while last_holder is still me, clear the request and wait on
 *      switch_cond until some other thread has taken the lock.  So a thread
 *      that was asked to drop cannot take the lock straight back.
 *
 * check point (CPython's eval breaker, at loop back-edges and calls): if the
 * drop request is set, drop and immediately take again, which queues the
 * thread behind the waiter that asked.
 *
 * release / re-acquire around blocking calls and GIL-free work
 * (Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS) are plain drop and take.
 * They normally find no pending request, so they force no switch; the thread
 * that comes back then waits like any other, up to a full interval before it
 * may even ask for the lock (the convoy effect, CPython issue 52194).
 *
 * What follows from the algorithm, and is not added on top of it: the
 * interval is a target, not a limit (a holder that reaches no check point
 * keeps the lock); there is no queue and no fairness beyond forced switching:
 * the OS picks which waiter a signal wakes, and a thread returning from a
 * short blocking call can take the lock before a woken waiter has run.
 *
 * Differences from CPython, each deliberate:
 *   - The switch wait loops while last_holder is still the caller; CPython
 *     waits once and tolerates a spurious wake-up.  The loop makes the
 *     forced-switch guarantee hold always, which the tests assert.
 *   - Timed waits use CLOCK_MONOTONIC for both the deadline and the condition
 *     variable (with the default realtime clock every wait would time out at
 *     once and the lock would switch constantly).
 *   - Per-thread wait and hold times and request counts are recorded; CPython
 *     keeps none of them.  Each costs one clock read per take or drop, never
 *     one per check point, and one more at the end of a forced-switch wait.
 *     A thread's time is held from the acquire to the drop, and waiting from
 *     entering gil_take to the acquire and, after a drop that found a request
 *     pending, from the drop to the end of the forced-switch wait; a yield
 *     at a check point re-takes with the clock read that ended that wait,
 *     so a CPU-bound thread's hold + wait is its whole time, with no gap and
 *     nothing counted twice.  With --trace each take, drop and drop request
 *     is also noted in the thread's own buffer (gil_trace.h), reusing those
 *     clock reads; a drop request then costs one more read.
 *   - The main thread, which in Python holds the lock while it starts threads,
 *     is not modelled: workers compete only with each other.
 */
#include "gil.h"

#include <errno.h>
#include <time.h>

#include "clock.h"

static inline void note(struct gil_worker_stats *me, enum gil_event kind, double at)
{
    if (me->trace)
        gil_trace_note(me->trace, kind, at);
}

static struct timespec deadline_after_us(long interval_us)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long nsec = ts.tv_nsec + (long long)interval_us * 1000;
    ts.tv_sec += (time_t)(nsec / 1000000000);
    ts.tv_nsec = (long)(nsec % 1000000000);
    return ts;
}

int gil_init(struct gil *gil, long interval_us)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc == 0)
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_mutex_init(&gil->mutex, NULL);
    if (rc == 0)
        rc = pthread_cond_init(&gil->cond, &attr);
    if (rc == 0)
        rc = pthread_mutex_init(&gil->switch_mutex, NULL);
    if (rc == 0)
        rc = pthread_cond_init(&gil->switch_cond, NULL);
    pthread_condattr_destroy(&attr);
    gil->locked = false;
    gil->switch_number = 0;
    gil->last_holder = NULL;
    atomic_init(&gil->drop_request, 0);
    /* As in CPython, an interval below 1 us is taken as 1 us. */
    gil->interval_us = interval_us < 1 ? 1 : interval_us;
    return rc;
}

void gil_destroy(struct gil *gil)
{
    pthread_cond_destroy(&gil->switch_cond);
    pthread_mutex_destroy(&gil->switch_mutex);
    pthread_cond_destroy(&gil->cond);
    pthread_mutex_destroy(&gil->mutex);
}

/* take_gil(), asked for at `asked_at` (a clock read of the caller's). */
static void take(struct gil *gil, struct gil_worker_stats *me, double asked_at)
{
    note(me, GIL_EVENT_WAIT, asked_at);

    pthread_mutex_lock(&gil->mutex);
    while (gil->locked) {
        unsigned long saved_switch_number = gil->switch_number;
        struct timespec deadline = deadline_after_us(gil->interval_us);
        int rc = pthread_cond_timedwait(&gil->cond, &gil->mutex, &deadline);
        if (rc == ETIMEDOUT && gil->locked && gil->switch_number == saved_switch_number) {
            /* Stamped before the request is visible, so that the holder's
             * yield always comes after it in the trace. */
            if (me->trace)
                note(me, GIL_EVENT_DROP_REQUEST, gb_now());
            atomic_store_explicit(&gil->drop_request, 1, memory_order_relaxed);
            me->drop_requests_made++;
        }
    }

    pthread_mutex_lock(&gil->switch_mutex);
    gil->locked = true;
    if (gil->last_holder != me) {
        gil->last_holder = me;
        gil->switch_number++;
    }
    pthread_cond_signal(&gil->switch_cond);
    pthread_mutex_unlock(&gil->switch_mutex);

    atomic_store_explicit(&gil->drop_request, 0, memory_order_relaxed);
    pthread_mutex_unlock(&gil->mutex);

    double now = gb_now();
    me->wait_seconds += now - asked_at;
    me->hold_started = now;
    me->acquisitions++;
    note(me, GIL_EVENT_ACQUIRE, now);
}

void gil_take(struct gil *gil, struct gil_worker_stats *me)
{
    take(gil, me, gb_now());
}

/* drop_gil(); `why` says, for the trace, whether a waiter asked for it.
 * Returns when the caller stopped waiting for the lock: the time it dropped
 * it, or, after a forced-switch wait, the end of that wait.  The forced-switch
 * wait (from the drop until another thread has taken the lock) counts as
 * waiting: the thread runs no Python meanwhile, as in gil_take.  It costs one
 * more clock read, only when a drop request was pending. */
static double drop(struct gil *gil, struct gil_worker_stats *me, enum gil_event why)
{
    double dropped_at = gb_now();
    me->hold_seconds += dropped_at - me->hold_started;
    note(me, why, dropped_at);

    pthread_mutex_lock(&gil->mutex);
    gil->locked = false;
    pthread_cond_signal(&gil->cond);
    pthread_mutex_unlock(&gil->mutex);

    if (!atomic_load_explicit(&gil->drop_request, memory_order_relaxed))
        return dropped_at;
    pthread_mutex_lock(&gil->switch_mutex);
    if (gil->last_holder == me) {
        atomic_store_explicit(&gil->drop_request, 0, memory_order_relaxed);
        while (gil->last_holder == me)
            pthread_cond_wait(&gil->switch_cond, &gil->switch_mutex);
    }
    pthread_mutex_unlock(&gil->switch_mutex);
    double switched_at = gb_now();
    me->wait_seconds += switched_at - dropped_at;
    me->switch_wait_seconds += switched_at - dropped_at;
    return switched_at;
}

void gil_drop(struct gil *gil, struct gil_worker_stats *me)
{
    drop(gil, me, GIL_EVENT_RELEASE);
}

void gil_honour_drop_request(struct gil *gil, struct gil_worker_stats *me)
{
    me->drop_requests_honoured++;
    /* The take is asked for when the drop returns, with that clock read:
     * drop and take then leave no gap in the accounting, and the trace's
     * yield -> wait is exactly the forced-switch wait. */
    take(gil, me, drop(gil, me, GIL_EVENT_YIELD));
}

unsigned long gil_switches(struct gil *gil)
{
    pthread_mutex_lock(&gil->mutex);
    unsigned long n = gil->switch_number;
    pthread_mutex_unlock(&gil->mutex);
    return n;
}
