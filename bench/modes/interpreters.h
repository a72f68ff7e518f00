/*
 * interpreters.h - the interp mode: N worker threads of one process, each an
 * interpreter of its own with a GIL of its own, as CPython's subinterpreters
 * are since PEP 684 (`_interpreters` in 3.13, `concurrent.interpreters` in
 * 3.14).
 *
 * Each interpreter has
 *   - its own GIL model (a struct gil): the workload's check points and
 *     releases behave as in the gil mode, but no worker ever waits for
 *     another's lock;
 *   - its own copy of what the workload's setup() makes, made by the worker
 *     itself as it starts: objects cannot be shared between interpreters, so
 *     a subinterpreter imports the workload's module and builds its state
 *     anew.  That is what starting an interpreter costs in the model beyond
 *     starting a thread (CPython's interpreter also imports its own copy of
 *     the standard modules it needs: docs/gil-model.md).  The state of a
 *     one_process workload stands for what the interpreters of one process
 *     do share (pipes, shared memory, helper processes): it is not copied;
 *   - under the pool dispatch, task arguments and results copied into and
 *     out of memory of its own, as a cross-interpreter queue copies them
 *     (bench/dispatch/pool_threads.c).
 */
#ifndef GILBENCH_INTERPRETERS_H
#define GILBENCH_INTERPRETERS_H

#include <stdbool.h>

#include "gil.h"
#include "workload.h"

struct interpreters {
    unsigned count;
    struct gil *gils;           /* one per worker */
    struct gb_job *jobs;        /* one per worker: the run's job with a state of its own */
    bool *state_made;           /* jobs[i]'s setup() succeeded: its teardown() is owed */
};

/* One GIL per worker, before the run.  0, or -1 after a line. */
int interpreters_make(struct interpreters *in, const struct gb_job *job, long switch_interval_us);

/* In worker w's own thread as it starts: its interpreter's state (the
 * workload's setup() on a job of its own, which w->job then points to).
 * 0, or -1 after gb_fail() (w->job left as it was). */
int interpreter_start(struct interpreters *in, struct gb_worker *w);

/* GIL switches of every interpreter (each its own; normally none). */
unsigned long interpreters_switches(struct interpreters *in);

/* After the run: every interpreter's teardown() and GIL. */
void interpreters_free(struct interpreters *in);

#endif
