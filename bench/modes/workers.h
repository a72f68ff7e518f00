/*
 * workers.h - the two ways of running N workers: threads in this process
 * (modes gil and threads, thread_workers.c) and forked processes (mode
 * procs, forked_workers.c).  Both call worker_fn once per slot and return
 * when every worker has finished.  The pool dispatch (bench/dispatch/) runs
 * its own threads, and its processes through the worker_processes calls
 * below.
 */
#ifndef GILBENCH_WORKERS_H
#define GILBENCH_WORKERS_H

#include <stdbool.h>
#include <sys/types.h>

#include "run_vocabulary.h"

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

/* ---- forked workers, step by step (run_in_processes is built on these) ---- */

struct worker_processes {
    struct gb_worker_slot *slots;
    unsigned forked;            /* children started */
    unsigned left;              /* children not yet reaped */
    pid_t group;                /* their process group (the first child's pid) */
    pid_t *pids;
    bool *reaped;
    bool killed;                /* the engine sent SIGKILL to the group */
    int status;                 /* 0, or 1 once a failure has been reported */
    struct process_usage usage; /* of the children reaped so far */
};

/* The child's part: runs in the forked process, which exits 0 when it returns. */
typedef void (*process_main_fn)(struct gb_worker_slot *slot, void *arg);

/* Forks n children, child i running main(&slots[i], arg) in a process group
 * of their own, each dying with the engine.  Returns 0, or 1 after a message
 * (the children forked so far are killed; p->forked says how many to reap). */
int worker_processes_start(struct worker_processes *p, struct gb_worker_slot *slots, unsigned n,
                           process_main_fn main, void *arg);

/* Reaps what has ended: with `block`, waits for at least one child (if any
 * is left).  A child that was killed by a signal or exited non-zero is
 * reported in one line ("worker 1 (pid 123) was killed by signal 11 ...")
 * unless its slot says it reported itself (failure_reported) or the engine
 * killed it; the first failure kills the others.  Returns p->status. */
int worker_processes_reap(struct worker_processes *p, bool block);

/* Kills every child (SIGKILL to the group); they are not reported. */
void worker_processes_kill(struct worker_processes *p);

/* Reaps every child left (blocking), frees p; returns p->status. */
int worker_processes_finish(struct worker_processes *p);

/* Names the worker of slot `index`, for a message of its own. */
pid_t worker_processes_pid(const struct worker_processes *p, unsigned index);

#endif
