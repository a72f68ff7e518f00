/*
 * pool_threads.c - the pool dispatch in the gil and threads modes: a
 * persistent pool of N threads taking tasks from one shared queue, as
 * concurrent.futures.ThreadPoolExecutor's workers take work items from
 * their SimpleQueue.
 *
 * The queue is a mutex, a condition variable and two counters (tasks
 * submitted, tasks taken): task k is submitted when `submitted` passes k, and
 * the worker that moves `taken` past k owns it.  Each task in flight has a
 * slot of a ring of W slots (W = min(tasks, max(4N, 64)), fewer when the
 * payloads are large), with its argument and result payloads: the submitter
 * builds the argument in place and passes the slot (a pointer, as a thread
 * pool passes its arguments); the worker checks every argument byte, runs
 * work() on the task's units, builds the result in the slot and marks it done
 * under a second mutex, signalling the collector if it waits for that task;
 * the collector checks every result byte.  The main thread is both submitter
 * and collector, as `list(ex.map(f, items))` is: it submits ahead while slots
 * are free, and collects in submission order, each task's result recorded
 * exactly once (the slot says which task it holds and how often it was
 * completed).  Unlike map, which submits every task before it collects the
 * first, at most W tasks are in flight, so that the payloads' memory is
 * bounded; the main thread is not under the GIL model (as in shares, the
 * engine's main thread never takes it).
 *
 * Under the gil mode a worker holds the GIL while it takes a task from the
 * queue and while it runs it, and passes a check point between tasks, as a
 * Python thread does; a worker that finds the queue empty releases the GIL
 * before it waits, and takes it again once a task is there.  The queue's
 * mutex is never held while taking or dropping the GIL.
 *
 * Under the interp mode every worker is an interpreter with a GIL of its
 * own (bench/modes/interpreters.h), made before the region: it holds its
 * own GIL as above, and copies each argument into memory of its own before
 * checking it, and builds each result there before copying it into the
 * slot, as a cross-interpreter queue copies what crosses it.
 *
 * A payload that is wrong fails the run with one line naming the worker and
 * the task; the run still ends normally (the worker goes on, the collector
 * collects everything), so nothing hangs.  A crash takes the process down,
 * naming the worker thread (watchdog.c).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interpreters.h"
#include "pool.h"
#include "task_frame.h"
#include "watchdog.h"

struct ring_slot {
    uint64_t task;               /* written by the submitter before it submits */
    unsigned char *arg, *result; /* job->task_arg_bytes, job->task_result_bytes */
    uint64_t arg_sum;
    uint64_t result_sum, value;  /* written by the worker before it marks the slot done */
    unsigned worker;
    unsigned completions;        /* done_lock */
    bool done;                   /* done_lock */
};

struct thread_pool {
    const struct gb_job *job;
    uint64_t tasks, window;
    struct ring_slot *ring;
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_cond;   /* a task was submitted, or the queue closed */
    pthread_cond_t ready_cond;   /* a worker is waiting at the queue */
    uint64_t submitted, taken;   /* queue_lock */
    unsigned ready;              /* queue_lock */
    bool closed;                 /* queue_lock */
    pthread_mutex_t done_lock;
    pthread_cond_t done_cond;
    uint64_t awaited;            /* done_lock: the task the collector waits for */
    atomic_bool failed;          /* a check failed and was reported */
};

struct pool_thread {
    struct thread_pool *pool;
    struct gb_worker_slot *slot;
    pthread_t thread;
    /* interp: the worker's own copies of an argument and a result (its
     * interpreter's memory); NULL otherwise. */
    unsigned char *own_arg, *own_result;
};

static void run_one(struct thread_pool *p, struct pool_thread *t, uint64_t k)
{
    const struct gb_job *job = p->job;
    struct gb_worker_slot *me = t->slot;
    struct ring_slot *s = &p->ring[k % p->window];
    char why[256];
    /* interp: what crosses between interpreters is copied, as a
     * cross-interpreter queue copies it into the receiver's own object. */
    unsigned char *arg = t->own_arg ? t->own_arg : s->arg;
    unsigned char *result = t->own_result ? t->own_result : s->result;
    if (t->own_arg && job->task_arg_bytes)
        memcpy(arg, s->arg, job->task_arg_bytes);
    if (job->task_arg_bytes &&
        task_payload_check(arg, job->task_arg_bytes, GB_PAYLOAD_ARGUMENT, k, s->arg_sum, why,
                           sizeof why) != 0) {
        fprintf(stderr, "gilbench: pool: worker %u: task %" PRIu64 ": %s\n", me->ctx.index, k, why);
        atomic_store(&p->failed, true);
    }
    uint64_t first, count;
    gb_task_range(job, k, &first, &count);
    uint64_t value = pool_run_task(me, first, count);
    uint64_t result_sum = 0;
    if (job->task_result_bytes) {
        result_sum = task_payload_fill(result, job->task_result_bytes, GB_PAYLOAD_RESULT, k);
        if (gb_pool_test_hooks.payload)
            gb_pool_test_hooks.payload(GB_PAYLOAD_RESULT, k, result, job->task_result_bytes);
        if (t->own_result)
            memcpy(s->result, result, job->task_result_bytes);
    }
    pthread_mutex_lock(&p->done_lock);
    s->value = value;
    s->result_sum = result_sum;
    s->worker = me->ctx.index;
    s->completions++;
    s->done = true;
    if (p->awaited == k)
        pthread_cond_signal(&p->done_cond);
    pthread_mutex_unlock(&p->done_lock);
}

static void *pool_thread_main(void *arg)
{
    struct pool_thread *t = arg;
    struct thread_pool *p = t->pool;
    struct gb_worker *w = &t->slot->ctx;
    watchdog_name_thread(w->index);
    bool holding = false; /* the GIL (gil mode), or its own (interp) */
    /* interp: the interpreter exists, state and all, before the region. */
    if (t->slot->interpreters)
        interpreter_start(t->slot->interpreters, w);
    pthread_mutex_lock(&p->queue_lock);
    p->ready++;
    pthread_cond_signal(&p->ready_cond);
    for (;;) {
        if (p->taken < p->submitted) {
            if (w->gil && !holding) { /* a task is there: take the GIL, then look again */
                pthread_mutex_unlock(&p->queue_lock);
                gb_reacquire_gil(w);
                holding = true;
                pthread_mutex_lock(&p->queue_lock);
                continue;
            }
            uint64_t k = p->taken++;
            pthread_mutex_unlock(&p->queue_lock);
            run_one(p, t, k);
            gb_checkpoint(w);
            pthread_mutex_lock(&p->queue_lock);
        } else if (p->closed) {
            break;
        } else if (holding) { /* the queue is empty: wait without the GIL */
            pthread_mutex_unlock(&p->queue_lock);
            gb_release_gil(w);
            holding = false;
            pthread_mutex_lock(&p->queue_lock);
        } else {
            pthread_cond_wait(&p->queue_cond, &p->queue_lock);
        }
    }
    pthread_mutex_unlock(&p->queue_lock);
    if (holding)
        gb_release_gil(w);
    return NULL;
}

static void submit(struct thread_pool *p, uint64_t k)
{
    struct ring_slot *s = &p->ring[k % p->window];
    s->task = k;
    uint64_t bytes = p->job->task_arg_bytes;
    if (bytes) {
        s->arg_sum = task_payload_fill(s->arg, bytes, GB_PAYLOAD_ARGUMENT, k);
        if (gb_pool_test_hooks.payload)
            gb_pool_test_hooks.payload(GB_PAYLOAD_ARGUMENT, k, s->arg, bytes);
    }
    pthread_mutex_lock(&p->queue_lock);
    p->submitted = k + 1;
    pthread_cond_signal(&p->queue_cond);
    pthread_mutex_unlock(&p->queue_lock);
}

/* Waits for task k's result and records it: 0, or -1 after one line. */
static int collect(struct thread_pool *p, uint64_t k, uint64_t *checksum)
{
    struct ring_slot *s = &p->ring[k % p->window];
    pthread_mutex_lock(&p->done_lock);
    p->awaited = k;
    while (!s->done)
        pthread_cond_wait(&p->done_cond, &p->done_lock);
    p->awaited = UINT64_MAX;
    unsigned completions = s->completions;
    s->done = false;
    s->completions = 0;
    pthread_mutex_unlock(&p->done_lock);
    char why[256];
    if (s->task != k || completions != 1) {
        fprintf(stderr, "gilbench: pool: task %" PRIu64 ": its slot holds task %" PRIu64
                ", completed %u times\n", k, s->task, completions);
        return -1;
    }
    if (p->job->task_result_bytes &&
        task_payload_check(s->result, p->job->task_result_bytes, GB_PAYLOAD_RESULT, k,
                           s->result_sum, why, sizeof why) != 0) {
        fprintf(stderr, "gilbench: pool: worker %u: task %" PRIu64 ": %s\n", s->worker, k, why);
        return -1;
    }
    *checksum += s->value;
    return 0;
}

/* The ring's size: enough to keep every worker busy, bounded in memory. */
static uint64_t window_size(const struct gb_job *job, uint64_t tasks)
{
    uint64_t w = 4 * (uint64_t)job->workers > 64 ? 4 * (uint64_t)job->workers : 64;
    uint64_t per_task = job->task_arg_bytes + job->task_result_bytes;
    if (per_task) {
        uint64_t by_memory = (256ULL << 20) / per_task;
        uint64_t least = (uint64_t)job->workers + 1;
        by_memory = by_memory > least ? by_memory : least;
        w = w < by_memory ? w : by_memory;
    }
    return w < tasks ? w : tasks;
}

static void free_ring(struct thread_pool *p)
{
    for (uint64_t i = 0; p->ring && i < p->window; i++) {
        free(p->ring[i].arg);
        free(p->ring[i].result);
    }
    free(p->ring);
}

static int make_ring(struct thread_pool *p)
{
    const struct gb_job *job = p->job;
    p->ring = calloc(p->window, sizeof *p->ring);
    bool ok = p->ring != NULL;
    for (uint64_t i = 0; ok && i < p->window; i++) {
        if (job->task_arg_bytes)
            ok = (p->ring[i].arg = task_payload_buffer(job->task_arg_bytes)) != NULL;
        if (ok && job->task_result_bytes)
            ok = (p->ring[i].result = task_payload_buffer(job->task_result_bytes)) != NULL;
    }
    if (!ok)
        fprintf(stderr, "gilbench: pool: out of memory for %" PRIu64 " tasks in flight of %" PRIu64
                " + %" PRIu64 " payload bytes\n", p->window, job->task_arg_bytes,
                job->task_result_bytes);
    return ok ? 0 : -1;
}

int pool_run_threads(const struct gb_job *job, struct gb_worker_slot *slots,
                     struct pool_outcome *out)
{
    struct thread_pool p = { .job = job, .tasks = gb_task_count(job), .awaited = UINT64_MAX };
    p.window = window_size(job, p.tasks);
    unsigned n = job->workers;
    struct pool_thread *threads = calloc(n, sizeof *threads);
    if (!threads || make_ring(&p) != 0) {
        if (!threads)
            fprintf(stderr, "gilbench: pool: out of memory for %u threads\n", n);
        free(threads);
        free_ring(&p);
        return 1;
    }
    pthread_mutex_init(&p.queue_lock, NULL);
    pthread_cond_init(&p.queue_cond, NULL);
    pthread_cond_init(&p.ready_cond, NULL);
    pthread_mutex_init(&p.done_lock, NULL);
    pthread_cond_init(&p.done_cond, NULL);
    atomic_init(&p.failed, false);

    int status = 0;
    unsigned created = 0;
    for (unsigned i = 0; i < n && job->mode == GB_MODE_INTERP && status == 0; i++) {
        threads[i].own_arg = task_payload_buffer(job->task_arg_bytes);
        threads[i].own_result = task_payload_buffer(job->task_result_bytes);
        if (!threads[i].own_arg || !threads[i].own_result) {
            fprintf(stderr, "gilbench: pool: out of memory for interpreter %u's payloads\n", i);
            status = 1;
        }
    }
    for (; created < n && status == 0; created++) {
        threads[created].pool = &p;
        threads[created].slot = &slots[created];
        int rc = pthread_create(&threads[created].thread, NULL, pool_thread_main, &threads[created]);
        if (rc != 0) {
            fprintf(stderr, "gilbench: pool: could not create worker thread %u of %u: %s\n",
                    created, n, strerror(rc));
            status = 1;
            break;
        }
    }
    pthread_mutex_lock(&p.queue_lock);
    while (status == 0 && p.ready < n)
        pthread_cond_wait(&p.ready_cond, &p.queue_lock);
    pthread_mutex_unlock(&p.queue_lock);

    /* The timed region begins here, with every worker waiting at the empty
     * queue: the pool exists before it, as a user's executor does (`with
     * ThreadPoolExecutor(N) as ex:`, then `list(ex.map(f, items))` timed).
     * What starting threads costs is the shares dispatch's startup_seconds;
     * this region is what dispatching to running workers costs. */
    if (status == 0) {
        gb_region_begin(&out->region);
        uint64_t k = 0, collected = 0;
        for (; k < p.tasks && status == 0; k++) {
            if (k >= p.window)
                status = collect(&p, collected++, &out->checksum) != 0;
            if (status == 0)
                submit(&p, k);
        }
        while (status == 0 && collected < k)
            status = collect(&p, collected++, &out->checksum) != 0;
        /* The region ends when the last result has been read. */
        gb_region_end(&out->region);
    }

    pthread_mutex_lock(&p.queue_lock);
    p.closed = true; /* the workers finish what is queued and leave */
    pthread_cond_broadcast(&p.queue_cond);
    pthread_mutex_unlock(&p.queue_lock);
    for (unsigned i = 0; i < created; i++)
        pthread_join(threads[i].thread, NULL);
    if (atomic_load(&p.failed))
        status = 1;
    for (unsigned i = 0; i < n; i++) { /* a worker's time: the region's start .. its last task */
        slots[i].started_at = out->region.started;
        if (slots[i].finished_at < slots[i].started_at)
            slots[i].finished_at = slots[i].started_at;
    }
    pthread_mutex_destroy(&p.queue_lock);
    pthread_cond_destroy(&p.queue_cond);
    pthread_cond_destroy(&p.ready_cond);
    pthread_mutex_destroy(&p.done_lock);
    pthread_cond_destroy(&p.done_cond);
    free_ring(&p);
    for (unsigned i = 0; i < n; i++) {
        free(threads[i].own_arg);
        free(threads[i].own_result);
    }
    free(threads);
    return status;
}
