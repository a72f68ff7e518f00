/*
 * interpreters.c - see interpreters.h.
 */
#include "interpreters.h"

#include <stdio.h>
#include <stdlib.h>

int interpreters_make(struct interpreters *in, const struct gb_job *job, long switch_interval_us)
{
    unsigned n = job->workers;
    *in = (struct interpreters){ .gils = calloc(n, sizeof *in->gils),
                                 .jobs = calloc(n, sizeof *in->jobs),
                                 .state_made = calloc(n, sizeof *in->state_made) };
    if (!in->gils || !in->jobs || !in->state_made) {
        fprintf(stderr, "gilbench: out of memory for %u interpreters\n", n);
        interpreters_free(in);
        return -1;
    }
    for (; in->count < n; in->count++) {
        if (gil_init(&in->gils[in->count], switch_interval_us) != 0) {
            fprintf(stderr, "gilbench: cannot initialise the GIL of interpreter %u\n", in->count);
            interpreters_free(in);
            return -1;
        }
        in->jobs[in->count] = *job;
        in->jobs[in->count].state = job->workload->one_process ? job->state : NULL;
    }
    return 0;
}

int interpreter_start(struct interpreters *in, struct gb_worker *w)
{
    struct gb_job *own = &in->jobs[w->index];
    const struct gb_workload *wl = own->workload;
    if (!wl->one_process && wl->setup) {
        if (wl->setup(own) != 0) {
            /* The run fails; a pool worker still takes its tasks, on the
             * engine's state, so that the run ends. */
            gb_fail(w, "its interpreter could not make the workload's state (see above)");
            return -1;
        }
        in->state_made[w->index] = true;
    }
    w->job = own;
    return 0;
}

unsigned long interpreters_switches(struct interpreters *in)
{
    unsigned long switches = 0;
    for (unsigned i = 0; i < in->count; i++)
        switches += gil_switches(&in->gils[i]);
    return switches;
}

void interpreters_free(struct interpreters *in)
{
    for (unsigned i = 0; i < in->count; i++) {
        if (in->state_made && in->state_made[i] && in->jobs[i].workload->teardown)
            in->jobs[i].workload->teardown(&in->jobs[i]);
        gil_destroy(&in->gils[i]);
    }
    free(in->gils);
    free(in->jobs);
    free(in->state_made);
    *in = (struct interpreters){ 0 };
}
