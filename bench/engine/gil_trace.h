/*
 * gil_trace.h - what `gilbench run --trace FILE` records: every take, drop
 * and drop request of the GIL model, per worker, with its time.
 *
 * Each worker owns one buffer, allocated before the timed region and filled
 * without locks or system calls (the GIL code already reads the clock at
 * each of these points); the engine writes the buffers out after the timed
 * region.  A full buffer keeps its first events and counts the rest as lost,
 * so a trace always covers the start of a run.
 */
#ifndef GILBENCH_GIL_TRACE_H
#define GILBENCH_GIL_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A worker holds the lock from ACQUIRE to the next YIELD or RELEASE, and
 * waits for it from WAIT to ACQUIRE and from a YIELD to its next WAIT (the
 * forced-switch wait): summed, these spans are its hold and wait seconds
 * (gil.h), but for a forced-switch wait after a RELEASE, counted and not
 * traced. */
enum gil_event {
    GIL_EVENT_WAIT,         /* began to take the lock (gil_take entered; after a
                             * yield, the end of the forced-switch wait) */
    GIL_EVENT_ACQUIRE,      /* holds the lock */
    GIL_EVENT_DROP_REQUEST, /* waited a whole interval with no switch: asked the holder to drop */
    GIL_EVENT_YIELD,        /* dropped the lock because a waiter asked (forced switch);
                             * waits from here until another thread has taken it */
    GIL_EVENT_RELEASE,      /* dropped the lock of its own accord: I/O or C work, or done */
};

struct gil_trace_event {
    double at;              /* CLOCK_MONOTONIC seconds */
    enum gil_event kind;
    unsigned lock;          /* which GIL: 0 for the model's one lock; CPython's
                             * subinterpreters each have their own */
};

/* Cache-line aligned: each worker bumps its own count at every event, and
 * neighbours in an array must not share the line. */
struct gil_trace {
    _Alignas(64) struct gil_trace_event *events;
    size_t capacity;
    size_t count;
    uint64_t lost;          /* events after the buffer was full */
};

/* Events kept per worker: enough for the first seconds of a run at the
 * default switch interval; untouched pages of the buffer cost no memory. */
#define GIL_TRACE_DEFAULT_CAPACITY ((size_t)1 << 18)

/* Returns 0, or -1 if the buffer could not be allocated. */
int gil_trace_init(struct gil_trace *trace, size_t capacity);
void gil_trace_free(struct gil_trace *trace);

static inline void gil_trace_note(struct gil_trace *trace, enum gil_event kind, double at)
{
    if (trace->count < trace->capacity)
        trace->events[trace->count++] = (struct gil_trace_event){ .at = at, .kind = kind, .lock = 0 };
    else
        trace->lost++;
}

/* "wait", "acquire", "drop_request", "yield", "release". */
const char *gil_event_name(enum gil_event kind);

/* Writes the events of n workers' traces as tab-separated lines
 * "worker<TAB>time_us<TAB>event", times in microseconds after `origin`,
 * in time order (a merge of the buffers, each already in order; equal
 * times by worker).  Returns 0, or -1 if a write or an allocation failed. */
int gil_trace_write(FILE *out, const struct gil_trace *traces, unsigned n, double origin);

#endif
