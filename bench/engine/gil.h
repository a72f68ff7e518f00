/*
 * gil.h - a C model of CPython's global interpreter lock (see gil.c for the
 * algorithm and how it maps onto CPython's Python/ceval_gil.c).
 */
#ifndef GILBENCH_GIL_H
#define GILBENCH_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gil_trace.h"

/* What one thread did with the lock; written only by that thread. */
struct gil_worker_stats {
    /* Not running Python because of the lock: inside gil_take, waiting for
     * it, and, after a drop with a request pending, in the forced-switch
     * wait until another thread has taken it (switch_wait_seconds). */
    double wait_seconds;
    double switch_wait_seconds;     /* the forced-switch part of wait_seconds */
    double hold_seconds;            /* between acquiring and dropping it */
    uint64_t acquisitions;
    uint64_t drop_requests_made;    /* timed out waiting with no switch meanwhile */
    uint64_t drop_requests_honoured;/* dropped the lock at a check point on request */
    double hold_started;            /* internal: when the current hold began */
    struct gil_trace *trace;        /* NULL, or this thread's --trace buffer */
};

struct gil {
    pthread_mutex_t mutex;          /* guards locked, switch_number; with cond */
    pthread_cond_t cond;            /* signalled (never broadcast) on drop */
    pthread_mutex_t switch_mutex;   /* FORCE_SWITCHING: guards last_holder */
    pthread_cond_t switch_cond;     /* signalled when a thread takes the lock */
    bool locked;
    unsigned long switch_number;    /* acquisitions by a thread other than the last holder */
    const struct gil_worker_stats *last_holder;
    atomic_int drop_request;        /* CPython's gil_drop_request / eval breaker bit */
    long interval_us;               /* sys.setswitchinterval, in microseconds */
};

#define GIL_DEFAULT_INTERVAL_US 5000L
#define GIL_MAX_INTERVAL_US 1000000L

/* Returns 0, or an errno value if a pthread object could not be made. */
int gil_init(struct gil *gil, long interval_us);
void gil_destroy(struct gil *gil);

/* take_gil(): returns holding the lock. */
void gil_take(struct gil *gil, struct gil_worker_stats *me);
/* drop_gil(): the caller must hold the lock.  With a drop request pending
 * it returns only once another thread has taken the lock (forced switching). */
void gil_drop(struct gil *gil, struct gil_worker_stats *me);
/* What the holder does at a check point that sees a drop request. */
void gil_honour_drop_request(struct gil *gil, struct gil_worker_stats *me);

/* switch_number, read safely. */
unsigned long gil_switches(struct gil *gil);

#endif
