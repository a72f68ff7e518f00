/*
 * pool_feeder.c - the process pool's feeder: a thread of the engine process
 * that serialises every task (its frame and argument payload, built from the
 * task's index) into the one task pipe that the worker processes read, as
 * ProcessPoolExecutor's call queue and multiprocessing.Pool's task handler
 * are fed by a thread of their own.
 *
 * It is started after the workers are forked (a child has only the forking
 * thread), waits at a gate until the timed region begins, writes one frame
 * per write() (a pipe full of tasks blocks it until a worker reads), and
 * closes its end after the last task, so that the workers read end of file
 * and exit.  SIGPIPE is blocked in this thread: if every worker is gone (the
 * run failed, and the engine has closed its own read end) a write fails with
 * EPIPE and the feeder stops.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fd_io.h"
#include "pool_processes.h"

static void *feeder_main(void *arg)
{
    struct process_pool *pp = arg;
    const struct gb_job *job = pp->job;
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, NULL);

    pthread_mutex_lock(&pp->gate_lock);
    while (!pp->gate_open)
        pthread_cond_wait(&pp->gate_cond, &pp->gate_lock);
    pthread_mutex_unlock(&pp->gate_lock);

    uint64_t bytes = job->task_arg_bytes;
    unsigned char *payload = pp->send_buffer + sizeof(struct task_frame);
    for (uint64_t k = 0; k < pp->tasks && !atomic_load(&pp->stop); k++) {
        struct task_frame f = { .magic = GB_FRAME_TASK, .task = k, .length = bytes };
        gb_task_range(job, k, &f.first, &f.count);
        if (bytes) {
            f.payload_sum = task_payload_fill(payload, bytes, GB_PAYLOAD_ARGUMENT, k);
            if (gb_pool_test_hooks.payload)
                gb_pool_test_hooks.payload(GB_PAYLOAD_ARGUMENT, k, payload, bytes);
        }
        if (gb_pool_test_hooks.frame)
            gb_pool_test_hooks.frame(GB_PAYLOAD_ARGUMENT, &f);
        memcpy(pp->send_buffer, &f, sizeof f);
        if (fd_write_all(pp->task_write, pp->send_buffer, sizeof f + bytes) != 0)
            break; /* EPIPE: no worker is left; the collector says why */
    }
    fd_close(&pp->task_write); /* the workers read end of file */
    return NULL;
}

int pool_feeder_start(struct process_pool *pp)
{
    int rc = pthread_create(&pp->feeder, NULL, feeder_main, pp);
    if (rc != 0) {
        fprintf(stderr, "gilbench: pool: cannot start the feeder thread: %s\n", strerror(rc));
        return -1;
    }
    pp->feeder_running = true;
    return 0;
}

void pool_feeder_open(struct process_pool *pp)
{
    pthread_mutex_lock(&pp->gate_lock);
    pp->gate_open = true;
    pthread_cond_signal(&pp->gate_cond);
    pthread_mutex_unlock(&pp->gate_lock);
}

void pool_feeder_join(struct process_pool *pp)
{
    if (!pp->feeder_running)
        return;
    pool_feeder_open(pp);
    pthread_join(pp->feeder, NULL);
    pp->feeder_running = false;
}
