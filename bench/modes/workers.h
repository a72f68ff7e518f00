/*
 * workers.h - the two ways of running N workers: threads in this process
 * (modes gil and threads) and forked processes (mode procs).  Both call
 * worker_fn once per slot and return when every worker has finished.
 */
#ifndef GILBENCH_WORKERS_H
#define GILBENCH_WORKERS_H

#include <sys/types.h>

#include "run.h"

typedef void (*worker_fn)(struct gb_worker_slot *slot);

/* Returns 0, or 1 after printing why on stderr (a thread that could not be
 * created; the ones already running are still joined). */
int run_in_threads(struct gb_worker_slot *slots, unsigned n, worker_fn fn);

/* What the worker processes used, from wait4(). */
struct process_usage {
    double user_seconds;
    double sys_seconds;
    long max_rss_kib;           /* the largest of any one worker */
    long involuntary_switches;  /* summed over the workers */
};

/* slots must be in memory shared with the children (MAP_SHARED): that is how
 * their results come back.  Returns 0, or 1 after printing on stderr which
 * worker failed and how (signal or exit status).  Either way every child has
 * been reaped. */
int run_in_processes(struct gb_worker_slot *slots, unsigned n, worker_fn fn,
                     struct process_usage *usage);

/* The process group of the running worker processes, 0 when there is none:
 * what the watchdog kills and reaps before the engine exits. */
extern volatile pid_t worker_process_group;

#endif
