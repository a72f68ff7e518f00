/*
 * pool_process_worker.c - a worker process of the process pool: what
 * multiprocessing's worker loop does.  Forked before the timed region, it
 * keeps only its own ends of the pipes, says hello on its result pipe, and
 * then, until the task pipe reaches end of file: takes the readers' lock,
 * reads one task frame and its argument payload, drops the lock, checks the
 * frame and every argument byte, runs work() on the task's units, builds the
 * result payload and writes the result frame back.
 *
 * A problem it finds (a bad frame, a wrong byte, a pipe error) is one line
 * on stderr naming this worker and the task; it marks its slot as reported
 * and exits with status 1, so that the engine fails the run without a second
 * line.  A crash is named by the engine, which reaps it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd_io.h"
#include "pool_processes.h"

__attribute__((format(printf, 2, 3), noreturn))
static void worker_fails(struct gb_worker_slot *slot, const char *format, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    fprintf(stderr, "gilbench: pool: worker %u (pid %ld): %s\n", slot->ctx.index, (long)getpid(),
            message);
    slot->failure_reported = true;
    _exit(1);
}

static void keep_own_ends(struct process_pool *pp, unsigned me)
{
    fd_close(&pp->task_write);
    for (unsigned k = 0; k < pp->job->workers; k++) {
        fd_close(&pp->result_read[k]);
        if (k != me)
            fd_close(&pp->result_write[k]);
    }
}

/* Reads the next task under the readers' lock: 1, or 0 at end of file.  A
 * bad frame or a read error leaves the shared stream out of step, so the
 * worker fails still holding the lock: no other worker reads after it, and
 * the engine, seeing this one end, stops them all. */
static int read_task(struct process_pool *pp, struct gb_worker_slot *slot, struct task_frame *f,
                     unsigned char *payload)
{
    const struct gb_job *job = pp->job;
    pthread_mutex_lock(&pp->shared->reader_lock);
    int rc = fd_read_all(pp->task_read, f, sizeof *f);
    if (rc == 0) {
        pthread_mutex_unlock(&pp->shared->reader_lock);
        return 0;
    }
    char why[256];
    if (rc < 0)
        worker_fails(slot, "reading a task: %s",
                     errno ? strerror(errno) : "end of file in the middle of a frame");
    if (task_frame_check(f, job, GB_FRAME_TASK, job->task_arg_bytes, why, sizeof why) != 0)
        worker_fails(slot, "%s", why);
    if (job->task_arg_bytes && fd_read_all(pp->task_read, payload, job->task_arg_bytes) != 1)
        worker_fails(slot, "task %" PRIu64 ": reading its argument: %s", f->task,
                     errno ? strerror(errno) : "end of file in the middle of a frame");
    pthread_mutex_unlock(&pp->shared->reader_lock);
    return 1;
}

void pool_process_main(struct gb_worker_slot *slot, void *arg)
{
    struct process_pool *pp = arg;
    const struct gb_job *job = pp->job;
    unsigned me = slot->ctx.index;
    keep_own_ends(pp, me);
    int out = pp->result_write[me];
    unsigned char *payload = task_payload_buffer(job->task_arg_bytes);
    unsigned char *send = task_payload_buffer(sizeof(struct task_frame) + job->task_result_bytes);
    if (!payload || !send)
        worker_fails(slot, "out of memory for its payloads");
    struct task_frame hello = { .magic = GB_FRAME_HELLO, .worker = me };
    if (fd_write_all(out, &hello, sizeof hello) != 0)
        worker_fails(slot, "cannot write to its result pipe: %s", strerror(errno));

    struct task_frame f;
    while (read_task(pp, slot, &f, payload) == 1) {
        char why[256];
        if (job->task_arg_bytes &&
            task_payload_check(payload, job->task_arg_bytes, GB_PAYLOAD_ARGUMENT, f.task,
                               f.payload_sum, why, sizeof why) != 0)
            worker_fails(slot, "task %" PRIu64 ": %s", f.task, why);
        struct task_frame r = { .magic = GB_FRAME_RESULT, .worker = me, .task = f.task,
                                .first = f.first, .count = f.count,
                                .length = job->task_result_bytes };
        r.value = pool_run_task(slot, f.first, f.count);
        unsigned char *result = send + sizeof r;
        uint64_t length = job->task_result_bytes;
        if (length) {
            r.payload_sum = task_payload_fill(result, length, GB_PAYLOAD_RESULT, f.task);
            if (gb_pool_test_hooks.payload)
                gb_pool_test_hooks.payload(GB_PAYLOAD_RESULT, f.task, result, length);
        }
        if (gb_pool_test_hooks.frame)
            gb_pool_test_hooks.frame(GB_PAYLOAD_RESULT, &r);
        memcpy(send, &r, sizeof r);
        /* The bytes there are, whatever the header says (a test may change it). */
        if (fd_write_all(out, send, sizeof r + job->task_result_bytes) != 0)
            worker_fails(slot, "task %" PRIu64 ": sending its result: %s", f.task, strerror(errno));
    }
    free(payload);
    free(send);
}
