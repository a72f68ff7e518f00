/*
 * pool_processes.h - the process pool's state, shared by its three parts:
 * the engine's side (pool_processes.c: pipes, forking, collecting), the
 * feeder thread (pool_feeder.c) and the worker processes' loop
 * (pool_process_worker.c).  Private to bench/dispatch/.
 */
#ifndef GILBENCH_POOL_PROCESSES_H
#define GILBENCH_POOL_PROCESSES_H

#include <pthread.h>
#include <stdatomic.h>

#include "pool.h"
#include "task_frame.h"

#define GB_FRAME_HELLO 0x6f6c6568u /* "helo": a worker is up, before the region */

/* In MAP_SHARED memory: seen by every worker process. */
struct pool_shared {
    pthread_mutex_t reader_lock; /* PTHREAD_PROCESS_SHARED: one reader of the task pipe */
};

struct process_pool {
    const struct gb_job *job;
    uint64_t tasks;
    int task_read, task_write;   /* the one task queue: feeder -> workers */
    int *result_read;            /* per worker: worker -> collector */
    int *result_write;
    struct pool_shared *shared;
    struct worker_processes procs;
    /* the feeder, a thread of the engine process */
    pthread_t feeder;
    bool feeder_running;
    pthread_mutex_t gate_lock;
    pthread_cond_t gate_cond;
    bool gate_open;              /* gate_lock: the region has begun, or the run is over */
    atomic_bool stop;            /* the run failed: send nothing more */
    unsigned char *send_buffer;  /* a task frame and its argument payload */
};

/* pool_feeder.c: starts the feeder, which waits at the gate, then writes
 * every task's frame into the task pipe and closes it.  0, or -1 after a
 * message. */
int pool_feeder_start(struct process_pool *pp);
/* Opens the gate (with stop: to leave at once) and joins the feeder. */
void pool_feeder_open(struct process_pool *pp);
void pool_feeder_join(struct process_pool *pp);

/* pool_process_worker.c: a worker process's life (process_main_fn). */
void pool_process_main(struct gb_worker_slot *slot, void *arg);

#endif
