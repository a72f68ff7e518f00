/*
 * gil_trace.c - the buffers of `gilbench run --trace` and their text form
 * (see gil_trace.h).
 */
#include "gil_trace.h"

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

struct numbered_event {
    struct gil_trace_event event;
    unsigned worker;
    size_t sequence;        /* its place in the worker's buffer */
};

static int by_time(const void *a, const void *b)
{
    const struct numbered_event *x = a, *y = b;
    if (x->event.at != y->event.at)
        return x->event.at < y->event.at ? -1 : 1;
    /* A worker's own events keep their order (qsort is not stable). */
    if (x->worker != y->worker)
        return x->worker < y->worker ? -1 : 1;
    return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

int gil_trace_write(FILE *out, const struct gil_trace *traces, unsigned n, double origin)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += traces[i].count;
    struct numbered_event *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return -1;
    size_t k = 0;
    for (unsigned i = 0; i < n; i++)
        for (size_t j = 0; j < traces[i].count; j++)
            all[k++] = (struct numbered_event){ .event = traces[i].events[j], .worker = i,
                                                   .sequence = j };
    qsort(all, total, sizeof *all, by_time);
    int status = 0;
    for (size_t j = 0; j < total && status == 0; j++)
        if (fprintf(out, "%u\t%.3f\t%s\n", all[j].worker, (all[j].event.at - origin) * 1e6,
                    gil_event_name(all[j].event.kind)) < 0)
            status = -1;
    free(all);
    return status;
}
