/*
 * thread_timelines.c - probe hits into each thread's timeline
 * (thread_timelines.h).
 */
#include "thread_timelines.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cpython_probes.h"

int uprobe_hit_earlier(const void *a, const void *b)
{
    const struct uprobe_hit *x = a, *y = b;
    if (x->time_ns != y->time_ns)
        return x->time_ns < y->time_ns ? -1 : 1;
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* One thread while its hits are read. */
struct thread {
    pid_t pid, tid;
    struct gil_trace trace;
    size_t cycle_start;     /* first event of the current take .. drop, whose lock the drop names */
    unsigned pending_depth; /* inside _Py_HandlePending */
    bool took;              /* GIL: acquired it at least once */
    bool worker;            /* parking: a thread that threading started */
    double first, last;     /* any hit */
    double parked_since, stw_since;
    bool parked, stopping;
    bool ended;             /* parking: its thread_run returned, at end_at */
    double end_at;
};

struct threads {
    struct thread *t;
    unsigned n, capacity;
    unsigned last;          /* the thread found last: hits come in runs */
};

static struct thread *thread_of(struct threads *all, const struct uprobe_hit *h, double at)
{
    if (all->last < all->n && all->t[all->last].tid == h->tid && all->t[all->last].pid == h->pid)
        return &all->t[all->last];
    for (unsigned i = 0; i < all->n; i++)
        if (all->t[i].tid == h->tid && all->t[i].pid == h->pid)
            return &all->t[all->last = i];
    if (all->n == all->capacity) {
        unsigned capacity = all->capacity ? 2 * all->capacity : 16;
        struct thread *t = realloc(all->t, capacity * sizeof *t);
        if (!t)
            return NULL;
        all->t = t;
        all->capacity = capacity;
    }
    all->t[all->n] = (struct thread){ .pid = h->pid, .tid = h->tid, .first = at, .last = at };
    return &all->t[all->last = all->n++];
}

static void free_threads(struct threads *all)
{
    for (unsigned i = 0; i < all->n; i++)
        free(all->t[i].trace.events);
    free(all->t);
}

static int append(struct gil_trace *trace, enum gil_event kind, double at)
{
    if (trace->count == trace->capacity) {
        size_t capacity = trace->capacity ? 2 * trace->capacity : 64;
        struct gil_trace_event *events = realloc(trace->events, capacity * sizeof *events);
        if (!events)
            return -1;
        trace->events = events;
        trace->capacity = capacity;
    }
    trace->events[trace->count++] = (struct gil_trace_event){ .at = at, .kind = kind };
    return 0;
}

/* The GILs: one per (process, interpreter). */
struct gil_ids {
    pid_t pid[256];
    uint64_t interpreter[256];
    unsigned n;
};

static unsigned gil_id(struct gil_ids *ids, pid_t pid, uint64_t interpreter)
{
    for (unsigned i = 0; i < ids->n; i++)
        if (ids->pid[i] == pid && ids->interpreter[i] == interpreter)
            return i;
    if (ids->n == 256)
        return 255;         /* beyond 256 GILs, the last ones share a number */
    ids->pid[ids->n] = pid;
    ids->interpreter[ids->n] = interpreter;
    return ids->n++;
}

static int gil_hit(struct thread *t, const struct uprobe_hit *h, double at, struct gil_ids *ids)
{
    switch (h->probe) {
    case GIL_TAKE_ENTRY:
        t->cycle_start = t->trace.count;
        return append(&t->trace, GIL_EVENT_WAIT, at);
    case GIL_TAKE_RETURN:
        t->took = true;
        return append(&t->trace, GIL_EVENT_ACQUIRE, at);
    case GIL_DROP_ENTRY: {
        if (append(&t->trace, t->pending_depth ? GIL_EVENT_YIELD : GIL_EVENT_RELEASE, at) < 0)
            return -1;
        unsigned lock = gil_id(ids, h->pid, h->argument);
        for (size_t k = t->cycle_start; k < t->trace.count; k++)
            t->trace.events[k].lock = lock;
        t->cycle_start = t->trace.count;
        return 0;
    }
    case GIL_PENDING_ENTRY:
        t->pending_depth++;
        return 0;
    case GIL_PENDING_RETURN:
        if (t->pending_depth)
            t->pending_depth--;
        return 0;
    }
    return 0;
}

static bool is_worker(const struct thread *t, const struct threads *all)
{
    if (t->tid != t->pid)
        return true;
    for (unsigned i = 0; i < all->n; i++)   /* a main thread is a worker if its process has no other */
        if (all->t[i].pid == t->pid && all->t[i].tid != t->pid && all->t[i].took)
            return false;
    return true;
}

int gil_timelines_of(const struct uprobe_hit *hits, size_t n, struct gil_timelines *out)
{
    memset(out, 0, sizeof *out);
    struct threads all = { 0 };
    struct gil_ids *ids = calloc(1, sizeof *ids);
    int status = ids ? 0 : -1;
    for (size_t k = 0; k < n && status == 0; k++) {
        double at = (double)hits[k].time_ns * 1e-9;
        struct thread *t = thread_of(&all, &hits[k], at);
        status = t ? gil_hit(t, &hits[k], at, ids) : -1;
        if (t)
            t->last = at;
    }
    if (status == 0) {
        /* A take that the run's end cut short keeps the lock of the thread's last drop. */
        for (unsigned i = 0; i < all.n; i++) {
            struct gil_trace *tr = &all.t[i].trace;
            for (size_t k = all.t[i].cycle_start; k < tr->count && all.t[i].cycle_start > 0; k++)
                tr->events[k].lock = tr->events[all.t[i].cycle_start - 1].lock;
        }
        out->workers = calloc(all.n ? all.n : 1, sizeof *out->workers);
        status = out->workers ? 0 : -1;
    }
    if (status == 0) {
        out->threads = all.n;
        out->locks = ids->n;
        out->origin = 0;
        for (unsigned i = 0; i < all.n; i++) {
            struct thread *t = &all.t[i];
            if (!t->took)
                continue;
            if (!is_worker(t, &all)) {
                struct gil_trace *tr = &t->trace;
                for (size_t k = 0; k + 1 < tr->count; k++)
                    if (tr->events[k].kind == GIL_EVENT_ACQUIRE)
                        out->main_hold_seconds += tr->events[k + 1].at - tr->events[k].at;
                continue;
            }
            if (out->worker_count == 0 || t->trace.events[0].at < out->origin)
                out->origin = t->trace.events[0].at;
            out->workers[out->worker_count++] = t->trace;
            t->trace = (struct gil_trace){ 0 };     /* now the timelines' */
        }
    }
    free(ids);
    free_threads(&all);
    if (status != 0)
        gil_timelines_free(out);
    return status;
}

void gil_timelines_free(struct gil_timelines *t)
{
    for (unsigned i = 0; t->workers && i < t->worker_count; i++)
        gil_trace_free(&t->workers[i]);
    free(t->workers);
    memset(t, 0, sizeof *t);
}

static int add_park(struct parking_figures *p, size_t *capacity, double seconds)
{
    if (p->parks == *capacity) {
        size_t grown = *capacity ? 2 * *capacity : 256;
        double *x = realloc(p->park_seconds, grown * sizeof *x);
        if (!x)
            return -1;
        p->park_seconds = x;
        *capacity = grown;
    }
    p->park_seconds[p->parks++] = seconds;
    p->parked_seconds += seconds;
    return 0;
}

int parking_figures_of(const struct uprobe_hit *hits, size_t n, struct parking_figures *out)
{
    memset(out, 0, sizeof *out);
    struct threads all = { 0 };
    size_t capacity = 0;
    int status = 0;
    /* A worker's thread_run entry is its first hit: it is known as a
     * worker before any of its parks. */
    for (size_t k = 0; k < n && status == 0; k++) {
        double at = (double)hits[k].time_ns * 1e-9;
        struct thread *t = thread_of(&all, &hits[k], at);
        if (!t) {
            status = -1;
            break;
        }
        t->last = at;
        switch (hits[k].probe) {
        case THREAD_ENTRY:
            t->worker = true;
            t->first = at;
            break;
        case THREAD_RETURN:
            t->ended = true;
            t->end_at = at;
            break;
        case PARK_ENTRY:
            t->parked = true;
            t->parked_since = at;
            break;
        case PARK_RETURN:
            if (t->parked && t->worker)
                status = add_park(out, &capacity, at - t->parked_since);
            t->parked = false;
            break;
        case STW_ENTRY:
            t->stopping = true;
            t->stw_since = at;
            break;
        case STW_RETURN:
            if (t->stopping) {
                out->stop_the_world++;
                out->stop_the_world_seconds += at - t->stw_since;
            }
            t->stopping = false;
            break;
        }
    }
    out->threads = all.n;
    for (unsigned i = 0; i < all.n; i++)
        if (all.t[i].worker) {
            out->workers++;
            out->lifetime_seconds += (all.t[i].ended ? all.t[i].end_at : all.t[i].last) - all.t[i].first;
        }
    free_threads(&all);
    if (status != 0)
        parking_figures_free(out);
    return status;
}

void parking_figures_free(struct parking_figures *p)
{
    free(p->park_seconds);
    p->park_seconds = NULL;
}
