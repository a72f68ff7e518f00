/*
 * pool_processes.c - the pool dispatch in the procs mode: a persistent pool
 * of N forked worker processes, fed through pipes by a feeder thread, as
 * ProcessPoolExecutor and multiprocessing.Pool (fork) are.
 *
 * Queue and framing: one shared task pipe, which every worker reads under a
 * process-shared lock (one reader at a time takes a whole frame, as
 * multiprocessing's queues lock their readers), and one result pipe per
 * worker, so that every result frame says by its pipe which worker sent it
 * and a worker's end of file is its own.  Frames: task_frame.h (a header
 * with a magic number, the task index, its first unit and count, the
 * payload's length and checksum; then the payload).  The feeder
 * (pool_feeder.c) writes the task frames; the workers
 * (pool_process_worker.c) answer each with a result frame; the collector,
 * the engine's main thread, polls the result pipes and checks each frame
 * (magic, a known task index not answered before, its units, length,
 * checksum and every payload byte), records each task's result by index and
 * combines them in submission order, as map() returns them.
 *
 * Before the region the workers are forked, the feeder is started (waiting
 * at a gate), and every worker has said hello; the region begins when the
 * gate opens and ends when the last result has been read.  Then the feeder
 * has closed the task pipe, the workers read end of file and exit, and are
 * reaped (outside the region, as a `with` block's shutdown would be).
 *
 * Failures: any bad frame fails the run with one line naming the worker and
 * the task.  A worker that dies shows as end of file on its result pipe; the
 * collector then reaps without blocking until it has its status (and every
 * poll that times out, 100 ms, reaps too), so a crash is named by index, pid
 * and signal, as in the shares dispatch; a task that no worker answered is
 * named once every pipe has closed.  On the first failure every worker is killed and reaped,
 * which leaves the feeder, if it is blocked in a write, with EPIPE; it is
 * joined; nothing is left running.  The watchdog (--timeout) kills the
 * workers' process group as it does for shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fd_io.h"
#include "pool_processes.h"

enum { POLL_TIMEOUT_MS = 100, EXIT_WAIT_MS = 5000 };

/* What the collector keeps: a result per task, by index. */
struct collector {
    unsigned char *received;     /* per task: answered */
    uint64_t *values;            /* per task: work()'s checksum of its units */
    uint64_t answered;
    unsigned char *payload;      /* one result payload */
    struct pollfd *fds;          /* per worker; fd -1 once at end of file */
};

static void free_pool(struct process_pool *pp)
{
    for (unsigned k = 0; k < pp->job->workers; k++) {
        if (pp->result_read)
            fd_close(&pp->result_read[k]);
        if (pp->result_write)
            fd_close(&pp->result_write[k]);
    }
    fd_close(&pp->task_read);
    fd_close(&pp->task_write);
    free(pp->result_read);
    free(pp->result_write);
    free(pp->send_buffer);
    if (pp->shared) {
        pthread_mutex_destroy(&pp->shared->reader_lock);
        munmap(pp->shared, sizeof *pp->shared);
    }
    pthread_mutex_destroy(&pp->gate_lock);
    pthread_cond_destroy(&pp->gate_cond);
}

/* Pipes (close-on-exec: a workload's exec must not keep them) and the
 * shared readers' lock.  0, or -1 after a message. */
/* The engine holds both ends of every worker's result pipe until it has
 * forked them all (2 descriptors a worker, and a few more): past ~500
 * workers that is more than the usual soft limit of 1024.  The soft limit
 * is raised as far as the hard one allows, as a program that needs them
 * does; what is still missing fails the run in one line (make_pool). */
static void raise_descriptor_limit(unsigned workers)
{
    struct rlimit limit;
    rlim_t needed = 2 * (rlim_t)workers + 64;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed)
        return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max > needed ? needed : limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

static int make_pool(struct process_pool *pp)
{
    unsigned n = pp->job->workers;
    raise_descriptor_limit(n);
    pp->task_read = pp->task_write = -1;
    pthread_mutex_init(&pp->gate_lock, NULL);
    pthread_cond_init(&pp->gate_cond, NULL);
    atomic_init(&pp->stop, false);
    pp->result_read = malloc(n * sizeof *pp->result_read);
    pp->result_write = malloc(n * sizeof *pp->result_write);
    for (unsigned k = 0; k < n; k++) {
        if (pp->result_read)
            pp->result_read[k] = -1;
        if (pp->result_write)
            pp->result_write[k] = -1;
    }
    if (!pp->result_read || !pp->result_write) {
        fprintf(stderr, "gilbench: pool: out of memory for %u worker processes\n", n);
        return -1;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fprintf(stderr, "gilbench: pool: cannot make the task pipe: %s\n", strerror(errno));
        return -1;
    }
    pp->task_read = fds[0];
    pp->task_write = fds[1];
    for (unsigned k = 0; k < n; k++) {
        if (pipe2(fds, O_CLOEXEC) != 0) {
            fprintf(stderr, "gilbench: pool: cannot make the result pipe of worker %u: %s\n", k,
                    strerror(errno));
            return -1;
        }
        pp->result_read[k] = fds[0];
        pp->result_write[k] = fds[1];
    }
    void *shared = mmap(NULL, sizeof *pp->shared, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        fprintf(stderr, "gilbench: pool: cannot map the readers' lock: %s\n", strerror(errno));
        return -1;
    }
    pp->shared = shared;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&pp->shared->reader_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    return 0;
}

/* After the fork: the engine keeps only the feeder's end of the task pipe
 * and the collector's ends of the result pipes, so that a dead worker's
 * pipe reaches end of file and a feeder with no reader left gets EPIPE. */
static void keep_engine_ends(struct process_pool *pp)
{
    fd_close(&pp->task_read);
    for (unsigned k = 0; k < pp->job->workers; k++)
        fd_close(&pp->result_write[k]);
}

/* Reaps worker k if it ends within EXIT_WAIT_MS: true if it did. */
static bool await_exit(struct process_pool *pp, unsigned k)
{
    struct timespec pause = { 0, 1000000 };
    for (int waited = 0; waited < EXIT_WAIT_MS; waited++) {
        worker_processes_reap(&pp->procs, false);
        if (pp->procs.reaped[k])
            return true;
        nanosleep(&pause, NULL);
    }
    return false;
}

/* Every worker's hello, before the region: 0, or -1 (reported by reaping,
 * or here). */
static int await_hellos(struct process_pool *pp)
{
    for (unsigned k = 0; k < pp->job->workers; k++) {
        struct task_frame hello;
        int rc = fd_read_all(pp->result_read[k], &hello, sizeof hello);
        if (rc == 1 && hello.magic == GB_FRAME_HELLO && hello.worker == k)
            continue;
        if (rc == 1 || !await_exit(pp, k) || pp->procs.status == 0)
            fprintf(stderr, "gilbench: pool: worker %u (pid %ld) did not start: %s\n", k,
                    (long)worker_processes_pid(&pp->procs, k),
                    rc == 1 ? "a bad first frame" : "its result pipe closed");
        return -1;
    }
    return 0;
}

/* Reads one result frame from worker k.  1 recorded; 0 end of file before
 * a frame; -1 failed (reported); -2 end of file inside a frame (not yet
 * reported: the worker's end may say more). */
static int read_result(struct process_pool *pp, struct collector *c, unsigned k)
{
    const struct gb_job *job = pp->job;
    long pid = (long)worker_processes_pid(&pp->procs, k);
    struct task_frame f;
    int rc = fd_read_all(pp->result_read[k], &f, sizeof f);
    if (rc <= 0 && errno == 0)
        return rc == 0 ? 0 : -2;
    char why[320], detail[256];
    if (rc < 0) {
        snprintf(why, sizeof why, "reading its result pipe: %s", strerror(errno));
    } else if (task_frame_check(&f, job, GB_FRAME_RESULT, job->task_result_bytes, why,
                                sizeof why) != 0) {
    } else if (f.worker != k) {
        snprintf(why, sizeof why, "task %" PRIu64 ": bad frame: it says worker %u", f.task,
                 f.worker);
    } else if (c->received[f.task]) {
        snprintf(why, sizeof why, "task %" PRIu64 ": a duplicate result (answered before)",
                 f.task);
    } else if (f.length && (rc = fd_read_all(pp->result_read[k], c->payload, f.length)) != 1) {
        if (rc <= 0 && errno == 0)
            return -2;
        snprintf(why, sizeof why, "task %" PRIu64 ": reading its result: %s", f.task,
                 strerror(errno));
    } else if (f.length && task_payload_check(c->payload, f.length, GB_PAYLOAD_RESULT, f.task,
                                              f.payload_sum, detail, sizeof detail) != 0) {
        snprintf(why, sizeof why, "task %" PRIu64 ": %s", f.task, detail);
    } else {
        c->received[f.task] = 1;
        c->values[f.task] = f.value;
        c->answered++;
        return 1;
    }
    fprintf(stderr, "gilbench: pool: worker %u (pid %ld): %s\n", k, pid, why);
    return -1;
}

/* Worker k's result pipe ended inside a frame: -1 after a line (the
 * worker's own end, if it crashed, or the cut frame). */
static int frame_cut_short(struct process_pool *pp, unsigned k)
{
    await_exit(pp, k);
    if (pp->procs.status == 0) /* not a crash: the frame itself is the news */
        fprintf(stderr, "gilbench: pool: worker %u (pid %ld): end of file in the middle of a "
                        "result frame\n", k, (long)worker_processes_pid(&pp->procs, k));
    return -1;
}

/* Every result pipe is at end of file and results are missing: -1 after a
 * line (a worker's crash, one that closed its pipe and runs on, or the first
 * task without a result). */
static int every_pipe_closed(struct process_pool *pp, const struct collector *c)
{
    for (unsigned k = 0; k < pp->job->workers; k++) {
        if (!await_exit(pp, k) && pp->procs.status == 0) {
            fprintf(stderr, "gilbench: pool: worker %u (pid %ld) closed its result pipe before "
                            "the last result and still runs\n", k,
                    (long)worker_processes_pid(&pp->procs, k));
            return -1;
        }
        if (pp->procs.status != 0)
            return -1; /* named by the reaping */
    }
    uint64_t k = 0;
    while (k < pp->tasks && c->received[k])
        k++;
    fprintf(stderr, "gilbench: pool: task %" PRIu64 " has no result, and every worker has ended "
                    "(%" PRIu64 " of %" PRIu64 " tasks answered)\n", k, c->answered, pp->tasks);
    return -1;
}

/* Workers whose result pipe is closed and who have not been reaped yet. */
static unsigned closed_unreaped(const struct process_pool *pp, const struct collector *c)
{
    unsigned count = 0;
    for (unsigned k = 0; k < pp->job->workers; k++)
        count += c->fds[k].fd < 0 && !pp->procs.reaped[k];
    return count;
}

/* Collects every task's result: 0, or -1 after a line.  A worker's end of
 * file costs no wait: a worker that has sent its last result exits while
 * others still work.  Until it is reaped, every turn reaps without blocking
 * (and polls for at most 1 ms), so that a crash is named as soon as the
 * kernel has its status; otherwise a poll that waits 100 ms in vain reaps. */
static int collect(struct process_pool *pp, struct collector *c)
{
    unsigned n = pp->job->workers, open = n, unreaped = 0;
    for (unsigned k = 0; k < n; k++)
        c->fds[k] = (struct pollfd){ .fd = pp->result_read[k], .events = POLLIN };
    while (c->answered < pp->tasks) {
        if (open == 0)
            return every_pipe_closed(pp, c);
        int ready = poll(c->fds, n, unreaped ? 1 : POLL_TIMEOUT_MS);
        if (ready < 0 && errno != EINTR) {
            fprintf(stderr, "gilbench: pool: poll failed: %s\n", strerror(errno));
            return -1;
        }
        if (ready <= 0 || unreaped) {
            if (worker_processes_reap(&pp->procs, false) != 0)
                return -1; /* a worker crashed or exited non-zero: named */
            unreaped = closed_unreaped(pp, c);
        }
        for (unsigned k = 0; ready > 0 && k < n; k++) {
            if (c->fds[k].fd < 0 || !c->fds[k].revents)
                continue;
            int rc = read_result(pp, c, k);
            if (rc == -1)
                return -1;
            if (rc == -2)
                return frame_cut_short(pp, k);
            if (rc == 0) {
                c->fds[k].fd = -1;
                open--;
                unreaped = closed_unreaped(pp, c);
            }
        }
    }
    return 0;
}

int pool_run_processes(const struct gb_job *job, struct gb_worker_slot *slots,
                       struct pool_outcome *out)
{
    struct process_pool pp = { .job = job, .tasks = gb_task_count(job) };
    struct collector c = {
        .received = calloc(pp.tasks, 1),
        .values = calloc(pp.tasks, sizeof *c.values),
        .fds = calloc(job->workers, sizeof *c.fds),
    };
    int status = make_pool(&pp) != 0;
    if (status == 0 && (!c.received || !c.values || !c.fds)) {
        fprintf(stderr, "gilbench: pool: out of memory for the results of %" PRIu64 " tasks\n",
                pp.tasks);
        status = 1;
    }
    if (status == 0) {
        status = worker_processes_start(&pp.procs, slots, job->workers, pool_process_main, &pp);
        keep_engine_ends(&pp);
    }
    /* The feeder's and the collector's buffers are made after the fork:
     * made before it, their pages would be copy-on-write, and the first
     * task to reuse each page would pay for copying it in the region. */
    if (status == 0) {
        pp.send_buffer = task_payload_buffer(sizeof(struct task_frame) + job->task_arg_bytes);
        c.payload = task_payload_buffer(job->task_result_bytes);
        if (!pp.send_buffer || !c.payload) {
            fprintf(stderr, "gilbench: pool: out of memory for the task and result payloads\n");
            status = 1;
        }
    }
    if (status == 0)
        status = pool_feeder_start(&pp) != 0 || await_hellos(&pp) != 0;

    /* The timed region begins here: the workers are forked and waiting for
     * a task, the feeder waits at its gate.  The pool exists before the
     * region, as a user's executor does (`with ProcessPoolExecutor(N) as
     * ex:` or a multiprocessing.Pool, then `list(ex.map(f, items,
     * chunksize=C))` timed); what forking costs is the shares dispatch's
     * startup_seconds. */
    if (status == 0) {
        gb_region_begin(&out->region);
        pool_feeder_open(&pp);
        status = collect(&pp, &c) != 0;
        /* The region ends when the last result has been read (or the run failed). */
        gb_region_end(&out->region);
    }
    if (status != 0) {
        atomic_store(&pp.stop, true);
        worker_processes_kill(&pp.procs);
    }
    pool_feeder_join(&pp); /* done: it closed the task pipe; failed: EPIPE or stopped */
    if (worker_processes_finish(&pp.procs) != 0)
        status = 1;
    out->children = pp.procs.usage;
    for (uint64_t k = 0; status == 0 && k < pp.tasks; k++)
        out->checksum += c.values[k]; /* in submission order, as map() returns them */
    for (unsigned i = 0; i < job->workers; i++) {
        slots[i].started_at = out->region.started;
        if (slots[i].finished_at < slots[i].started_at)
            slots[i].finished_at = slots[i].started_at;
    }
    free(c.received);
    free(c.values);
    free(c.payload);
    free(c.fds);
    free_pool(&pp);
    return status;
}
