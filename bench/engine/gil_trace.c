/*
 * gil_trace.c - the buffers of `gilbench run --trace` and their text form
 * (see gil_trace.h).
 */
#include "gil_trace.h"

#include <stdbool.h>
#include <stdlib.h>

int gil_trace_init(struct gil_trace *trace, size_t capacity)
{
    trace->events = calloc(capacity, sizeof *trace->events);
    trace->capacity = trace->events ? capacity : 0;
    trace->count = 0;
    trace->lost = 0;
    return trace->events ? 0 : -1;
}

void gil_trace_free(struct gil_trace *trace)
{
    free(trace->events);
    trace->events = NULL;
    trace->capacity = trace->count = 0;
}

const char *gil_event_name(enum gil_event kind)
{
    switch (kind) {
    case GIL_EVENT_WAIT: return "wait";
    case GIL_EVENT_ACQUIRE: return "acquire";
    case GIL_EVENT_DROP_REQUEST: return "drop_request";
    case GIL_EVENT_YIELD: return "yield";
    case GIL_EVENT_RELEASE: return "release";
    }
    return "?";
}

/* The merge: a binary min-heap of worker indices keyed by the time of
 * each worker's next event. */
struct merge {
    const struct gil_trace *traces;
    size_t *next;           /* per worker: its next event */
    unsigned *heap;
    unsigned size;
};

static bool earlier(const struct merge *m, unsigned a, unsigned b)
{
    double ta = m->traces[a].events[m->next[a]].at, tb = m->traces[b].events[m->next[b]].at;
    return ta < tb || (ta == tb && a < b);
}

static void sift_down(struct merge *m, unsigned i)
{
    for (;;) {
        unsigned smallest = i, left = 2 * i + 1, right = left + 1;
        if (left < m->size && earlier(m, m->heap[left], m->heap[smallest]))
            smallest = left;
        if (right < m->size && earlier(m, m->heap[right], m->heap[smallest]))
            smallest = right;
        if (smallest == i)
            return;
        unsigned swap = m->heap[i];
        m->heap[i] = m->heap[smallest];
        m->heap[smallest] = swap;
        i = smallest;
    }
}

int gil_trace_write(FILE *out, const struct gil_trace *traces, unsigned n, double origin)
{
    struct merge m = { .traces = traces, .next = calloc(n ? n : 1, sizeof *m.next),
                       .heap = malloc((n ? n : 1) * sizeof *m.heap) };
    int status = m.next && m.heap ? 0 : -1;
    for (unsigned i = 0; i < n && status == 0; i++)
        if (traces[i].count > 0)
            m.heap[m.size++] = i;
    for (unsigned i = m.size / 2; i-- > 0;)
        sift_down(&m, i);
    while (m.size > 0 && status == 0) {
        unsigned w = m.heap[0];
        const struct gil_trace_event *e = &traces[w].events[m.next[w]++];
        if (fprintf(out, "%u\t%.3f\t%s\n", w, (e->at - origin) * 1e6, gil_event_name(e->kind)) < 0)
            status = -1;
        if (m.next[w] == traces[w].count)
            m.heap[0] = m.heap[--m.size];
        sift_down(&m, 0);
    }
    free(m.next);
    free(m.heap);
    return status;
}
