/*
 * fuzz_trace.c - the trace writer (gil_trace_write, what `gilbench run
 * --trace` files hold) on any events: 1 to 8 workers, each a run of events
 * in time order as a worker records them.  Read back line by line, the file
 * must hold every event once, as "worker<TAB>time_us<TAB>event", in time
 * order overall, each worker's events in its own order and at its own times
 * (to the microsecond precision written).  The reader is the harness's own.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "gil_trace.h"

enum { MAX_WORKERS = 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned workers = 1 + data[0] % MAX_WORKERS;
    struct gil_trace traces[MAX_WORKERS];
    size_t events = (size - 1) / 3 + 1;
    for (unsigned w = 0; w < workers; w++)
        if (gil_trace_init(&traces[w], events) != 0)
            abort();
    /* Each event: its worker, its kind, and how far after that worker's
     * previous event it comes (0 to 255 µs: equal times happen). */
    double origin = 1000.0, clock[MAX_WORKERS];
    for (unsigned w = 0; w < workers; w++)
        clock[w] = origin;
    size_t total = 0;
    for (size_t i = 1; i + 2 < size; i += 3) {
        unsigned w = data[i] % workers;
        clock[w] += data[i + 2] * 1e-6;
        gil_trace_note(&traces[w], (enum gil_event)(data[i + 1] % 5), clock[w]);
        total++;
    }
    char *text = NULL;
    size_t text_size = 0;
    FILE *out = open_memstream(&text, &text_size);
    if (!out || gil_trace_write(out, traces, workers, origin) != 0)
        fuzz_finding("gil_trace_write failed on events in memory");
    fclose(out);

    size_t seen = 0, next[MAX_WORKERS] = { 0 };
    double last = -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned w;
        double us;
        char name[32];
        if (sscanf(line, "%u\t%lf\t%31s", &w, &us, name) != 3 || w >= workers)
            fuzz_finding("a trace line is not worker<TAB>time_us<TAB>event");
        if (us < last)
            fuzz_finding("the trace is not in time order");
        last = us;
        if (next[w] >= traces[w].count)
            fuzz_finding("a worker has more events in the file than it recorded");
        const struct gil_trace_event *e = &traces[w].events[next[w]++];
        if (strcmp(name, gil_event_name(e->kind)) != 0)
            fuzz_finding("an event is out of its worker's order or misnamed");
        if (fabs(us - (e->at - origin) * 1e6) > 0.01)
            fuzz_finding("an event's time differs from the one recorded");
        seen++;
    }
    if (seen != total)
        fuzz_finding("the trace does not hold every event once");
    for (unsigned w = 0; w < workers; w++)
        gil_trace_free(&traces[w]);
    free(text);
    return 0;
}
