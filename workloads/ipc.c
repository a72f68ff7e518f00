/*
 * ipc - what moving data to the workers costs.  Every task hands a payload
 * (payload_kib, default 1 MiB) to a worker, which reads all of it (a checksum)
 * and hands a small result back.
 *
 * Threads share memory: the gil and threads modes pass a pointer, and the
 * worker reads the payload in place.  Processes do not: in the procs mode the
 * payload travels the way multiprocessing.Pool sends a task, through a pipe,
 * serialised.  A feeder thread in the engine process (Pool's task handler)
 * copies the payload into a send buffer behind a small header (the
 * "pickling") and writes it to the worker's task pipe; the worker reads the
 * whole message into a buffer of its own (the "unpickling"), checksums it and
 * writes the 8-byte result to its result pipe, which is also how it asks for
 * its next task; the feeder serves whichever worker asks first (poll).  The
 * difference between the modes, us_per_task, is the price of a copy through
 * the kernel per task, paid by one feeder for all workers.
 *
 * Fork after a thread has started: setup() makes the pipes and starts the
 * feeder before the engine forks.  A child has only the forking thread and
 * never touches the feeder's state (its send buffer, its counters): it closes
 * every pipe end but its own two and allocates its own buffer.  The engine
 * process keeps its copies of the workers' ends until teardown() (a workload
 * has no hook after the fork), so a dead worker does not wake the feeder by
 * itself; but the engine kills the other workers on the first failure, reaps
 * them all and then calls teardown(), which closes those copies: the pipes
 * are left with no reader or no writer, and a feeder blocked on one sees
 * EPIPE or EOF (SIGPIPE is blocked in the feeder thread), stops and is
 * joined.  A feeder that stops early closes its task pipes, so a worker still
 * waiting for a task sees EOF and fails instead of hanging.
 *
 * A unit is max(1, 4096 / payload_kib) tasks, so that a unit moves at least
 * 4 MiB.  Figures: us_per_task is the time one worker spends per task
 * (seconds x workers / tasks, in microseconds) and mb_per_s the payload bytes
 * delivered per second by all workers together (1 MB = 10^6 bytes).
 *
 * Check: payload word i is (i + 1) * K, so its checksum (the sum of its words)
 * has a closed form, and a unit's value is its task count times that: a task
 * lost, repeated or cut short fails the run.  In the procs mode the worker also
 * checks each header's task number and length.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd_io.h"
#include "run.h" /* gb_share: the feeder sends each worker its share */

enum { PARAM_PAYLOAD_KIB };

enum { CHECKPOINT_WORDS = 8192 }; /* a check point every 64 KiB of checksum */

static const uint64_t K = 0x9e3779b97f4a7c15u;

struct task_header {
    uint64_t task;                 /* 0, 1, ... for each worker */
    uint64_t length;               /* payload bytes that follow */
};

/* One worker's pipes, seen from the engine (feeder) and the worker. */
struct channel {
    int task_read, task_write;     /* feeder -> worker */
    int result_read, result_write; /* worker -> feeder */
};

struct ipc_state {
    size_t payload_bytes;
    uint64_t *payload;             /* the task's data: read-only once workers start */
    uint64_t tasks_per_unit;
    /* gil and threads modes: where a worker stores a task's result */
    struct { uint64_t value; char pad[56]; } *results;
    /* procs mode only */
    unsigned workers;
    struct channel *channels;
    unsigned char *send_buffer;    /* the feeder's: header + pickled payload */
    uint64_t *tasks_left;          /* the feeder's, per worker */
    struct pollfd *poll_fds;       /* the feeder's */
    unsigned *poll_workers;        /* the feeder's: the worker of each poll_fds entry */
    pthread_t feeder;
    bool feeder_running;
};

static uint64_t tasks_per_unit(const struct gb_job *job)
{
    uint64_t kib = gb_param(job, PARAM_PAYLOAD_KIB);
    return kib >= 4096 ? 1 : 4096 / kib;
}

/* The checksum of n words at p, with a check point every 64 KiB. */
static uint64_t payload_checksum(struct gb_worker *w, const uint64_t *p, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i += CHECKPOINT_WORDS) {
        size_t end = n - i < CHECKPOINT_WORDS ? n : i + CHECKPOINT_WORDS;
        for (size_t j = i; j < end; j++)
            sum += p[j];
        gb_checkpoint(w);
    }
    return sum;
}

/* sum_{i=0}^{n-1} (i + 1) K = K n (n + 1) / 2, mod 2^64. */
static uint64_t expected_payload_checksum(size_t n)
{
    uint64_t half = n % 2 == 0 ? n / 2 * (n + 1) : (n + 1) / 2 * n;
    return K * half;
}

/* ---- the feeder: a thread of the engine process, procs mode only ---- */

/* Reads a worker's message (the result of its last task, or its first
 * request), then sends its next task if it has one left.  -1: stop. */
static int serve(struct ipc_state *st, unsigned k, uint64_t *sent)
{
    struct channel *c = &st->channels[k];
    uint64_t result;
    if (fd_read_all(c->result_read, &result, sizeof result) != 1)
        return -1;
    if (st->tasks_left[k] == 0)
        return 0;
    struct task_header header = { .task = sent[k], .length = st->payload_bytes };
    memcpy(st->send_buffer, &header, sizeof header);
    memcpy(st->send_buffer + sizeof header, st->payload, st->payload_bytes); /* "pickling" */
    if (fd_write_all(c->task_write, st->send_buffer, sizeof header + st->payload_bytes) != 0)
        return -1;
    sent[k]++;
    st->tasks_left[k]--;
    return 0;
}

static void *feeder_main(void *arg)
{
    struct ipc_state *st = arg;
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, NULL); /* a dead worker: EPIPE */

    uint64_t *sent = calloc(st->workers, sizeof *sent);
    bool *waiting = calloc(st->workers, sizeof *waiting); /* for its last result */
    bool failed = !sent || !waiting;
    for (unsigned k = 0; k < st->workers && !failed; k++)
        waiting[k] = st->tasks_left[k] > 0;
    while (!failed) {
        nfds_t n = 0;
        for (unsigned k = 0; k < st->workers; k++)
            if (waiting[k]) {
                st->poll_fds[n] = (struct pollfd){ .fd = st->channels[k].result_read,
                                                   .events = POLLIN };
                st->poll_workers[n++] = k;
            }
        if (n == 0)
            break; /* every task served, every result read */
        if (poll(st->poll_fds, n, -1) < 0) {
            failed = errno != EINTR;
            continue;
        }
        for (nfds_t i = 0; i < n && !failed; i++) {
            if (!st->poll_fds[i].revents)
                continue;
            unsigned k = st->poll_workers[i];
            bool last = st->tasks_left[k] == 0;
            failed = serve(st, k, sent) != 0;
            if (last)
                waiting[k] = false;
        }
    }
    if (failed) /* a worker still waiting for a task sees EOF */
        for (unsigned k = 0; k < st->workers; k++)
            fd_close(&st->channels[k].task_write);
    free(sent);
    free(waiting);
    return NULL;
}

/* ---- setup and teardown ---- */

static void free_state(struct ipc_state *st)
{
    if (!st)
        return;
    if (st->feeder_running) {
        /* Every worker is reaped: close the engine's copies of their ends,
         * so that the feeder, if it waits on one, sees EPIPE or EOF. */
        for (unsigned k = 0; k < st->workers; k++) {
            fd_close(&st->channels[k].task_read);
            fd_close(&st->channels[k].result_write);
        }
        pthread_join(st->feeder, NULL);
    }
    for (unsigned k = 0; st->channels && k < st->workers; k++) {
        fd_close(&st->channels[k].task_read);
        fd_close(&st->channels[k].task_write);
        fd_close(&st->channels[k].result_read);
        fd_close(&st->channels[k].result_write);
    }
    free(st->channels);
    free(st->payload);
    free(st->results);
    free(st->send_buffer);
    free(st->tasks_left);
    free(st->poll_fds);
    free(st->poll_workers);
    free(st);
}

static int start_feeder(struct gb_job *job, struct ipc_state *st)
{
    unsigned n = job->workers;
    st->workers = n;
    st->channels = malloc(n * sizeof *st->channels);
    st->send_buffer = malloc(sizeof(struct task_header) + st->payload_bytes);
    st->tasks_left = malloc(n * sizeof *st->tasks_left);
    st->poll_fds = malloc(n * sizeof *st->poll_fds);
    st->poll_workers = malloc(n * sizeof *st->poll_workers);
    if (!st->channels || !st->send_buffer || !st->tasks_left || !st->poll_fds ||
        !st->poll_workers) {
        fprintf(stderr, "gilbench: ipc: out of memory for the feeder of %u workers\n", n);
        return -1;
    }
    for (unsigned k = 0; k < n; k++)
        st->channels[k] = (struct channel){ -1, -1, -1, -1 };
    for (unsigned k = 0; k < n; k++) {
        int task[2], result[2];
        if (pipe(task) != 0) {
            fprintf(stderr, "gilbench: ipc: cannot make the pipes of worker %u: %s\n", k,
                    strerror(errno));
            return -1;
        }
        st->channels[k].task_read = task[0];
        st->channels[k].task_write = task[1];
        if (pipe(result) != 0) {
            fprintf(stderr, "gilbench: ipc: cannot make the pipes of worker %u: %s\n", k,
                    strerror(errno));
            return -1;
        }
        st->channels[k].result_read = result[0];
        st->channels[k].result_write = result[1];
        uint64_t first, count;
        gb_share(job, k, &first, &count);
        st->tasks_left[k] = count * st->tasks_per_unit;
    }
    int rc = pthread_create(&st->feeder, NULL, feeder_main, st);
    if (rc != 0) {
        fprintf(stderr, "gilbench: ipc: cannot start the feeder thread: %s\n", strerror(rc));
        return -1;
    }
    st->feeder_running = true;
    return 0;
}

static int ipc_setup(struct gb_job *job)
{
    struct ipc_state *st = calloc(1, sizeof *st);
    if (!st) {
        fprintf(stderr, "gilbench: ipc: out of memory\n");
        return -1;
    }
    st->payload_bytes = (size_t)gb_param(job, PARAM_PAYLOAD_KIB) * 1024;
    st->tasks_per_unit = tasks_per_unit(job);
    st->payload = malloc(st->payload_bytes);
    st->results = calloc(job->workers, sizeof *st->results);
    if (!st->payload || !st->results) {
        fprintf(stderr, "gilbench: ipc: out of memory for a %zu-byte payload\n",
                st->payload_bytes);
        free_state(st);
        return -1;
    }
    for (size_t i = 0; i < st->payload_bytes / 8; i++)
        st->payload[i] = (i + 1) * K;
    if (job->mode == GB_MODE_PROCS && start_feeder(job, st) != 0) {
        free_state(st);
        return -1;
    }
    job->state = st;
    return 0;
}

static void ipc_teardown(struct gb_job *job)
{
    free_state(job->state);
    job->state = NULL;
}

/* ---- the workers ---- */

/* gil and threads: the task is a pointer to the payload. */
static uint64_t work_in_place(struct gb_worker *w, uint64_t first, uint64_t count)
{
    struct ipc_state *st = w->job->state;
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t value = 0;
        for (uint64_t t = 0; t < st->tasks_per_unit; t++) {
            st->results[w->index].value = payload_checksum(w, st->payload, st->payload_bytes / 8);
            value += st->results[w->index].value;
        }
        checksum += gb_unit_checksum(unit, value);
    }
    return checksum;
}

/* procs: in the child.  Keeps only this worker's ends of the pipes. */
static void close_other_ends(struct ipc_state *st, unsigned me)
{
    for (unsigned k = 0; k < st->workers; k++) {
        fd_close(&st->channels[k].task_write);
        fd_close(&st->channels[k].result_read);
        if (k != me) {
            fd_close(&st->channels[k].task_read);
            fd_close(&st->channels[k].result_write);
        }
    }
}

/* procs: one task, received and answered.  0 or -1 after a message. */
static int receive_task(struct gb_worker *w, const struct channel *c, uint64_t task,
                        uint64_t *buffer, uint64_t *result)
{
    struct ipc_state *st = w->job->state;
    struct task_header header;
    if (fd_read_all(c->task_read, &header, sizeof header) != 1 ||
        fd_read_all(c->task_read, buffer, st->payload_bytes) != 1) { /* "unpickling" */
        fprintf(stderr, "gilbench: ipc: worker %u: reading task %llu: %s\n", w->index,
                (unsigned long long)task, errno ? strerror(errno) : "end of file");
        return -1;
    }
    if (header.task != task || header.length != st->payload_bytes) {
        fprintf(stderr, "gilbench: ipc: worker %u: got task %llu of %llu bytes, expected "
                "task %llu of %zu\n", w->index, (unsigned long long)header.task,
                (unsigned long long)header.length, (unsigned long long)task, st->payload_bytes);
        return -1;
    }
    *result = payload_checksum(w, buffer, st->payload_bytes / 8);
    if (fd_write_all(c->result_write, result, sizeof *result) != 0) {
        fprintf(stderr, "gilbench: ipc: worker %u: sending result %llu: %s\n", w->index,
                (unsigned long long)task, strerror(errno));
        return -1;
    }
    return 0;
}

static uint64_t work_through_pipes(struct gb_worker *w, uint64_t first, uint64_t count)
{
    struct ipc_state *st = w->job->state;
    close_other_ends(st, w->index);
    const struct channel *c = &st->channels[w->index];
    if (count == 0)
        return 0;
    uint64_t *buffer = malloc(st->payload_bytes);
    uint64_t request = 0, task = 0, checksum = 0;
    if (!buffer || fd_write_all(c->result_write, &request, sizeof request) != 0) {
        fprintf(stderr, "gilbench: ipc: worker %u: cannot ask for its first task\n", w->index);
        free(buffer);
        return 0; /* the wrong checksum fails the run */
    }
    for (uint64_t unit = first; unit < first + count; unit++) {
        uint64_t value = 0;
        for (uint64_t t = 0; t < st->tasks_per_unit; t++) {
            uint64_t result;
            if (receive_task(w, c, task++, buffer, &result) != 0) {
                free(buffer);
                return 0;
            }
            value += result;
        }
        checksum += gb_unit_checksum(unit, value);
    }
    free(buffer);
    return checksum;
}

static uint64_t ipc_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    return w->job->mode == GB_MODE_PROCS ? work_through_pipes(w, first, count)
                                         : work_in_place(w, first, count);
}

static uint64_t ipc_expected(const struct gb_job *job, uint64_t unit)
{
    (void)unit;
    size_t words = (size_t)gb_param(job, PARAM_PAYLOAD_KIB) * 1024 / 8;
    return tasks_per_unit(job) * expected_payload_checksum(words);
}

static int ipc_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                      struct gb_figure *out)
{
    double units = (double)job->units * (job->weak ? job->workers : 1);
    double tasks = units * (double)tasks_per_unit(job);
    double bytes = tasks * (double)gb_param(job, PARAM_PAYLOAD_KIB) * 1024;
    out[0] = (struct gb_figure){ "us_per_task", outcome->seconds * job->workers / tasks * 1e6 };
    out[1] = (struct gb_figure){ "mb_per_s", bytes / outcome->seconds / 1e6 };
    return 2;
}

const struct gb_workload workload_ipc = {
    .name = "ipc",
    .description = "hands each task a payload: a pointer for threads, pickled through a pipe "
                   "for processes",
    .unit = "max(1, 4096 / payload_kib) tasks (at least 4 MiB moved)",
    .default_units = 16,
    .extra = true,
    .one_process = true,
    .params = { { "payload_kib", "payload of one task in KiB", 1024, 1, 65536 } },
    .setup = ipc_setup,
    .teardown = ipc_teardown,
    .work = ipc_work,
    .expected_value = ipc_expected,
    .report = ipc_report,
};
