/*
 * run.c - one configuration, start to finish: the workload's setup, the
 * timed region (create the workers, let them work, wait for all of them),
 * the failure marks (gb_fail) and the checksum check, the totals, the
 * teardown.
 *
 * Under the shares dispatch the timed region is what a Python user times
 * around start() and join(): it begins before the first worker is created
 * and ends when the last one has been joined or reaped, so it includes what
 * starting threads or processes costs.  Start-up (until the last worker is
 * running) is also reported on its own.  Under the pool dispatch the pool
 * (bench/dispatch/) marks the region itself: it begins after the pool is
 * made and ends when the last result has been read (startup_seconds is 0).
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "clock.h"
#include "interpreters.h"
#include "pool.h"
#include "region.h"
#include "trace_file.h"
#include "workers.h"

static void worker_body(struct gb_worker_slot *slot)
{
    struct gb_worker *w = &slot->ctx;
    /* interp: the worker runs once its interpreter exists, state and all. */
    if (slot->interpreters && interpreter_start(slot->interpreters, w) != 0) {
        slot->started_at = slot->finished_at = gb_now();
        return;
    }
    slot->started_at = gb_now();
    if (w->gil)
        gil_take(w->gil, &w->gil_stats);
    slot->checksum = w->job->workload->work(w, slot->first_unit, slot->unit_count);
    if (w->gil)
        gil_drop(w->gil, &w->gil_stats);
    slot->finished_at = gb_now();
    if (w->job->workload->after_work) {
        w->job->workload->after_work(w);
        slot->after_work_done_at = gb_now();
    }
}

/* What the workload's after_work() calls added to the timed region: from the
 * end of the last worker's work() to the return of the last after_work(). */
static double after_work_seconds(const struct gb_worker_slot *slots, unsigned n)
{
    double last_work = 0, last_after = 0;
    for (unsigned i = 0; i < n; i++) {
        if (slots[i].finished_at > last_work)
            last_work = slots[i].finished_at;
        if (slots[i].after_work_done_at > last_after)
            last_after = slots[i].after_work_done_at;
    }
    return last_after > last_work ? last_after - last_work : 0;
}

static void summarise_workers(const struct gb_job *job, const struct gb_worker_slot *slots,
                              double started, struct gb_result *r)
{
    double last_start = started;
    r->worker_seconds_min = 1e300;
    r->worker_seconds_max = 0;
    for (unsigned i = 0; i < job->workers; i++) {
        const struct gb_worker_slot *s = &slots[i];
        double own = s->finished_at - s->started_at;
        if (s->started_at > last_start)
            last_start = s->started_at;
        if (own < r->worker_seconds_min)
            r->worker_seconds_min = own;
        if (own > r->worker_seconds_max)
            r->worker_seconds_max = own;
        r->worker_seconds_total += own;
        r->checksum += s->checksum;
        r->gil_wait_seconds += s->ctx.gil_stats.wait_seconds;
        r->gil_hold_seconds += s->ctx.gil_stats.hold_seconds;
        r->gil_drop_requests += s->ctx.gil_stats.drop_requests_honoured;
    }
    r->startup_seconds = last_start - started;
}

static bool any_worker_failed(const struct gb_worker_slot *slots, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (slots[i].ctx.failed)
            return true;
    return false;
}

/* The timed region and what it measured, by dispatch and mode.
 *
 * Shares: threads may start processes of their own (the startup workload's
 * fresh processes): reaped by the threads, they count in RUSAGE_CHILDREN, as
 * the worker processes' own children count in theirs in procs mode. */
static int run_workers(const struct gb_job *job, struct gb_worker_slot *slots,
                       struct pool_outcome *run)
{
    if (job->dispatch == GB_DISPATCH_POOL)
        return job->mode == GB_MODE_PROCS ? pool_run_processes(job, slots, run)
                                          : pool_run_threads(job, slots, run);
    gb_region_begin(&run->region);
    int status = job->mode == GB_MODE_PROCS
                     ? run_in_processes(slots, job->workers, worker_body, &run->children)
                     : run_in_threads(slots, job->workers, worker_body);
    gb_region_end(&run->region);
    return status;
}

int gb_run(struct gb_job *job, long switch_interval_us, const char *trace_path,
           struct gb_result *r)
{
    memset(r, 0, sizeof *r);
    gb_fail_reset();
    const struct gb_workload *wl = job->workload;
    char why[512];
    if ((job->dispatch == GB_DISPATCH_POOL ? gb_pool_problem(job, why, sizeof why)
                                           : gb_shares_problem(job, why, sizeof why)) != 0) {
        fprintf(stderr, "gilbench: %s\n", why);
        return 1;
    }
    size_t slots_size = sizeof(struct gb_worker_slot) * job->workers;
    /* Shared so that forked workers can hand their results back. */
    struct gb_worker_slot *slots = mmap(NULL, slots_size, PROT_READ | PROT_WRITE,
                                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        fprintf(stderr, "gilbench: cannot map %zu bytes for %u workers\n", slots_size,
                job->workers);
        return 1;
    }
    struct gil gil;
    bool use_gil = job->mode == GB_MODE_GIL;
    if (use_gil && gil_init(&gil, switch_interval_us) != 0) {
        fprintf(stderr, "gilbench: cannot initialise the GIL model\n");
        munmap(slots, slots_size);
        return 1;
    }
    struct trace_file trace = { 0 };
    struct interpreters interpreters = { 0 };
    bool interp = job->mode == GB_MODE_INTERP;
    bool tracing = (use_gil || interp) && trace_path;
    bool set_up = false; /* setup() succeeded: teardown() is owed */
    bool failed = tracing && trace_file_open(&trace, trace_path, job->workers) != 0;
    double setup_started = gb_now();
    if (!failed) {
        failed = wl->setup && wl->setup(job) != 0;
        set_up = !failed;
    }
    if (!failed && interp)
        failed = interpreters_make(&interpreters, job, switch_interval_us) != 0;
    r->setup_seconds = gb_now() - setup_started;
    if (failed) {
        if (tracing)
            trace_file_abandon(&trace);
        if (use_gil)
            gil_destroy(&gil);
        if (set_up && wl->teardown)
            wl->teardown(job);
        munmap(slots, slots_size);
        return 1;
    }
    for (unsigned i = 0; i < job->workers; i++) {
        struct gil *own_gil = use_gil ? &gil : interp ? &interpreters.gils[i] : NULL;
        slots[i].ctx = (struct gb_worker){ .gil = own_gil, .job = job, .index = i };
        slots[i].interpreters = interp ? &interpreters : NULL;
        if (tracing)
            slots[i].ctx.gil_stats.trace = &trace.traces[i];
        if (job->dispatch == GB_DISPATCH_SHARES)
            gb_share(job, i, &slots[i].first_unit, &slots[i].unit_count);
    }

    struct pool_outcome run = { 0 };
    int status = run_workers(job, slots, &run);
    double started = run.region.started, finished = run.region.finished;
    struct process_usage children = run.children;
    const struct rusage *before = &run.region.self_before, *after = &run.region.self_after;
    if (job->mode != GB_MODE_PROCS) {
        const struct rusage *cb = &run.region.children_before, *ca = &run.region.children_after;
        children.user_seconds = gb_timeval_seconds(ca->ru_utime) - gb_timeval_seconds(cb->ru_utime);
        children.sys_seconds = gb_timeval_seconds(ca->ru_stime) - gb_timeval_seconds(cb->ru_stime);
        /* ru_maxrss of the children is the largest ever: only a new peak is theirs. */
        if (ca->ru_maxrss > cb->ru_maxrss)
            children.max_rss_kib = ca->ru_maxrss;
        children.involuntary_switches = ca->ru_nivcsw - cb->ru_nivcsw;
    }
    if (status == 0 && wl->after_work)
        finished -= after_work_seconds(slots, job->workers);
    if (status == 0 && any_worker_failed(slots, job->workers))
        status = 1; /* each said why (gb_fail): no checksum comparison */

    if (status == 0) {
        r->seconds = finished - started;
        summarise_workers(job, slots, started, r);
        r->checksum += run.checksum; /* the pool's, by task; 0 under shares */
        r->cpu_user_seconds = gb_timeval_seconds(after->ru_utime) -
                              gb_timeval_seconds(before->ru_utime) + children.user_seconds;
        r->cpu_sys_seconds = gb_timeval_seconds(after->ru_stime) -
                             gb_timeval_seconds(before->ru_stime) + children.sys_seconds;
        r->max_rss_kib = after->ru_maxrss > children.max_rss_kib ? after->ru_maxrss
                                                                 : children.max_rss_kib;
        r->involuntary_switches = after->ru_nivcsw - before->ru_nivcsw + children.involuntary_switches;
        if (use_gil)
            r->gil_switches = gil_switches(&gil);
        if (interp)
            r->gil_switches = interpreters_switches(&interpreters);
        double check_started = gb_now();
        status = gb_check_checksum(job, r);
        r->check_seconds = gb_now() - check_started;
    }
    if (status == 0 && wl->report) {
        struct gb_worker *contexts = malloc(sizeof *contexts * job->workers);
        if (contexts) {
            for (unsigned i = 0; i < job->workers; i++)
                contexts[i] = slots[i].ctx;
            gb_add_workload_figures(job, contexts, started, r);
            free(contexts);
        } else {
            fprintf(stderr, "gilbench: out of memory for the report of %u workers\n", job->workers);
            status = 1;
        }
    }

    /* After the timed region, so that writing costs the run nothing. */
    if (tracing && status == 0)
        status = trace_file_finish(&trace, job, switch_interval_us, started, r->seconds,
                                   &r->trace_figures);
    else if (tracing)
        trace_file_abandon(&trace);

    if (interp)
        interpreters_free(&interpreters); /* every interpreter's state, after the region */
    if (wl->teardown)
        wl->teardown(job);
    if (use_gil)
        gil_destroy(&gil);
    munmap(slots, slots_size);
    return status;
}
