/*
 * tasks - many small tasks: what dispatching one task costs, through a
 * persistent pool of workers or through new workers started for every batch.
 *
 * A task stands for a small Python function: task_us microseconds (default
 * 50) of cpu_loop's iterations holding the GIL, a check point after each.
 * One iteration takes about 56 ns here, so a task is task_us x 18 iterations
 * (18 x 56 ns ~ 1 us).  A unit is one task; its value is the generator's
 * state after those iterations from gb_lcg_seed(task), which the engine
 * checks against the closed form (gb_lcg_jump) without running the loop.
 *
 * per_batch=0, a persistent pool (a concurrent.futures executor reused for
 * every call): the engine's N workers take tasks one at a time until none is
 * left.  Threads (gil, threads) share a queue: a mutex and the next task's
 * index.  Processes (procs) are fed through pipes, as ProcessPoolExecutor
 * and multiprocessing.Pool feed theirs: a feeder thread of the engine process
 * writes each task's index, one 8-byte message per write(), into one task
 * pipe that every worker reads, and closes it when all are sent; a worker
 * reads until end of file, runs each task and writes its result (index and
 * value, 16 bytes) into one result pipe, which the feeder drains, so every
 * result comes back as a Future's does.  Each write is at most PIPE_BUF
 * bytes, so it is atomic: the pipe always holds whole messages, and a read of
 * one message's size by one of several readers returns exactly one message,
 * which goes to that reader alone.
 *
 * per_batch=1, new workers for every batch (a new executor per batch of
 * `batch` tasks): worker 0 is the dispatcher and the engine's other workers
 * return at once.  For each batch the dispatcher starts N sub-workers that
 * split the batch evenly and waits for all of them: threads (pthread_create,
 * pthread_join; under the gil mode each takes the GIL to start and drops it
 * at the end, and the dispatcher releases it while it waits) or forked
 * processes (results in a MAP_SHARED array, reaped with waitpid; each dies
 * with the dispatcher, PR_SET_PDEATHSIG, and one that does not exit 0 fails
 * the run: one line, then a wrong checksum).  --weak is refused: the tasks
 * are one queue, not a share per worker.
 *
 * Figures: us_per_task, the wall time per task with all workers
 * (seconds x 10^6 / tasks), and worker_us_per_task, the workers' time per
 * task (seconds x workers x 10^6 / tasks): task_us plus what dispatching and
 * starting workers cost, as long as the workers are not more than the CPUs.
 *
 * The feeder's safety measures are ipc.c's: it is started in setup, before
 * the engine forks; it has SIGPIPE blocked (a pipe with no reader is EPIPE);
 * the engine keeps its copies of the workers' pipe ends until teardown(),
 * which runs after every worker has been reaped (the engine kills the others
 * on the first failure), so closing them leaves the feeder, if blocked, with
 * EPIPE or end of file, and it stops and is joined.  A feeder that stops
 * early closes its ends, so workers see end of file, or die of SIGPIPE
 * writing a result: a failed run, not a hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd_io.h"
#include "lcg.h"
#include "workload.h"

enum { PARAM_TASK_US, PARAM_PER_BATCH, PARAM_BATCH };

enum { ITERATIONS_PER_US = 18 }; /* 18 x ~56 ns per iteration ~ 1 us */

struct task_result {
    uint64_t task;
    uint64_t value;
};
_Static_assert(sizeof(uint64_t) <= PIPE_BUF && sizeof(struct task_result) <= PIPE_BUF,
               "a message must be written atomically");

/* A sub-worker's result, procs and per_batch=1: one cache line each. */
struct sub_result {
    uint64_t checksum;
    char pad[56];
};

/* A pipe end as setup made it: its number and the pipe's identity. */
struct pipe_end {
    int fd;
    int access;                    /* O_RDONLY or O_WRONLY */
    dev_t dev;
    ino_t ino;
};

struct tasks_state {
    uint64_t tasks;
    uint64_t iterations;           /* per task */
    /* per_batch=0, gil and threads: the shared queue */
    pthread_mutex_t queue_lock;
    bool queue_lock_made;
    uint64_t next_task;
    /* per_batch=0, procs: the pipes and the feeder */
    int task_read, task_write;     /* feeder -> workers */
    int result_read, result_write; /* workers -> feeder */
    struct pipe_end feeder_ends[2];/* the feeder's two ends, as setup made them */
    pthread_t feeder;
    bool feeder_running;
    /* per_batch=1, procs: one result per sub-worker, MAP_SHARED */
    struct sub_result *sub_results;
    size_t sub_results_size;
};

/* ---- a task ---- */

static uint64_t run_task(struct gb_worker *w, uint64_t iterations, uint64_t task)
{
    uint64_t x = gb_lcg_seed(task);
    for (uint64_t i = 0; i < iterations; i++) {
        x = gb_lcg_iteration(x);
        gb_checkpoint(w);
    }
    return x;
}

/* Tasks [first, first + count), one after another: their checksum. */
static uint64_t run_tasks(struct gb_worker *w, uint64_t first, uint64_t count)
{
    const struct tasks_state *st = w->job->state;
    uint64_t checksum = 0;
    for (uint64_t task = first; task < first + count; task++)
        checksum += gb_unit_checksum(task, run_task(w, st->iterations, task));
    return checksum;
}

/* ---- the feeder: a thread of the engine process, per_batch=0 and procs ---- */

/* Writes task messages until the pipe is full (EAGAIN: the end is
 * non-blocking) or all are sent, then closes the end.  0, or -1: stop. */
static int send_tasks(struct tasks_state *st, uint64_t *next)
{
    while (*next < st->tasks) {
        ssize_t n = write(st->task_write, next, sizeof *next);
        if (n == (ssize_t)sizeof *next)
            (*next)++;
        else if (n < 0 && errno == EAGAIN)
            return 0;
        else if (!(n < 0 && errno == EINTR))
            return -1; /* EPIPE: no worker is left to read */
    }
    fd_close(&st->task_write); /* the workers see end of file */
    return 0;
}

/* Reads the results there are; counts them in *received.  0, or -1: stop
 * (end of file before the last result, or a result that is not a task). */
static int drain_results(struct tasks_state *st, uint64_t *received)
{
    struct task_result results[256];
    ssize_t n = read(st->result_read, results, sizeof results);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    if (n == 0 || n % sizeof results[0] != 0) /* whole messages, written atomically */
        return -1;
    for (size_t i = 0; i < (size_t)n / sizeof results[0]; i++)
        if (results[i].task >= st->tasks)
            return -1;
    *received += (uint64_t)n / sizeof results[0];
    return 0;
}

static void *feeder_main(void *arg)
{
    struct tasks_state *st = arg;
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, NULL); /* no reader left: EPIPE */

    uint64_t next = 0, received = 0;
    bool failed = false;
    while (!failed && received < st->tasks) {
        struct pollfd fds[2] = { { .fd = st->result_read, .events = POLLIN },
                                 { .fd = st->task_write, .events = POLLOUT } };
        nfds_t n = st->task_write >= 0 ? 2 : 1;
        if (poll(fds, n, -1) < 0) {
            failed = errno != EINTR;
            continue;
        }
        if (n == 2 && fds[1].revents)
            failed = send_tasks(st, &next) != 0;
        if (!failed && fds[0].revents)
            failed = drain_results(st, &received) != 0;
    }
    if (failed) { /* workers waiting for a task see end of file, writing a result EPIPE */
        fd_close(&st->task_write);
        fd_close(&st->result_read);
    }
    return NULL;
}

/* ---- setup and teardown ---- */

static void free_state(struct tasks_state *st)
{
    if (!st)
        return;
    if (st->feeder_running) {
        /* Every worker is reaped: close the engine's copies of their ends,
         * so that the feeder, if it waits on one, sees EPIPE or EOF. */
        fd_close(&st->task_read);
        fd_close(&st->result_write);
        pthread_join(st->feeder, NULL);
    }
    fd_close(&st->task_read);
    fd_close(&st->task_write);
    fd_close(&st->result_read);
    fd_close(&st->result_write);
    if (st->queue_lock_made)
        pthread_mutex_destroy(&st->queue_lock);
    if (st->sub_results)
        munmap(st->sub_results, st->sub_results_size);
    free(st);
}

static int start_feeder(struct tasks_state *st)
{
    int task[2], result[2];
    if (pipe(task) != 0) {
        fprintf(stderr, "gilbench: tasks: cannot make the task pipe: %s\n", strerror(errno));
        return -1;
    }
    st->task_read = task[0];
    st->task_write = task[1];
    if (pipe(result) != 0) {
        fprintf(stderr, "gilbench: tasks: cannot make the result pipe: %s\n", strerror(errno));
        return -1;
    }
    st->result_read = result[0];
    st->result_write = result[1];
    st->feeder_ends[0] = (struct pipe_end){ .fd = st->task_write, .access = O_WRONLY };
    st->feeder_ends[1] = (struct pipe_end){ .fd = st->result_read, .access = O_RDONLY };
    for (int i = 0; i < 2; i++) {
        struct stat s;
        if (fstat(st->feeder_ends[i].fd, &s) != 0) {
            fprintf(stderr, "gilbench: tasks: cannot stat a pipe: %s\n", strerror(errno));
            return -1;
        }
        st->feeder_ends[i].dev = s.st_dev;
        st->feeder_ends[i].ino = s.st_ino;
    }
    /* The feeder's end only: a full pipe is EAGAIN, so that the feeder goes
     * on draining results (a worker blocked on a full result pipe would
     * otherwise never read the task the feeder is blocked writing). */
    if (fcntl(st->task_write, F_SETFL, O_NONBLOCK) != 0) {
        fprintf(stderr, "gilbench: tasks: cannot make the task pipe non-blocking: %s\n",
                strerror(errno));
        return -1;
    }
    int rc = pthread_create(&st->feeder, NULL, feeder_main, st);
    if (rc != 0) {
        fprintf(stderr, "gilbench: tasks: cannot start the feeder thread: %s\n", strerror(rc));
        return -1;
    }
    st->feeder_running = true;
    return 0;
}

static int tasks_setup(struct gb_job *job)
{
    if (job->weak) {
        fprintf(stderr, "gilbench: tasks: --weak does not apply: the workers share one "
                        "queue of --units tasks\n");
        return -1;
    }
    struct tasks_state *st = calloc(1, sizeof *st);
    if (!st) {
        fprintf(stderr, "gilbench: tasks: out of memory\n");
        return -1;
    }
    st->task_read = st->task_write = st->result_read = st->result_write = -1;
    st->tasks = job->units;
    st->iterations = gb_param(job, PARAM_TASK_US) * ITERATIONS_PER_US;
    bool per_batch = gb_param(job, PARAM_PER_BATCH) != 0;
    int rc = 0;
    if (!per_batch && job->mode != GB_MODE_PROCS) {
        int err = pthread_mutex_init(&st->queue_lock, NULL);
        if (err != 0) {
            fprintf(stderr, "gilbench: tasks: cannot make the queue's mutex: %s\n",
                    strerror(err));
            rc = -1;
        }
        st->queue_lock_made = err == 0;
    } else if (!per_batch) {
        rc = start_feeder(st);
    } else if (job->mode == GB_MODE_PROCS) {
        st->sub_results_size = job->workers * sizeof *st->sub_results;
        st->sub_results = mmap(NULL, st->sub_results_size, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (st->sub_results == MAP_FAILED) {
            st->sub_results = NULL;
            fprintf(stderr, "gilbench: tasks: cannot map shared memory: %s\n", strerror(errno));
            rc = -1;
        }
    }
    if (rc != 0) {
        free_state(st);
        return -1;
    }
    job->state = st;
    return 0;
}

static void tasks_teardown(struct gb_job *job)
{
    free_state(job->state);
    job->state = NULL;
}

/* ---- per_batch=0: a persistent pool ---- */

/* gil and threads: take tasks from the shared queue until it is empty. */
static uint64_t work_from_queue(struct gb_worker *w)
{
    struct tasks_state *st = w->job->state;
    uint64_t checksum = 0;
    for (;;) {
        pthread_mutex_lock(&st->queue_lock);
        uint64_t task = st->next_task;
        if (task < st->tasks)
            st->next_task++;
        pthread_mutex_unlock(&st->queue_lock);
        if (task >= st->tasks)
            return checksum;
        checksum += gb_unit_checksum(task, run_task(w, st->iterations, task));
    }
}

/* procs: in the worker process.  Closes the copy of a feeder's end that it
 * inherited, if it did.  Its copy of the state cannot tell: fork copies the
 * file descriptors before the memory while the feeder goes on running, so a
 * feeder that closes its end in between leaves the child the end open and
 * task_write == -1 (and the task pipe would never reach end of file).  So the
 * number as setup made it is closed if it is still that pipe end; it cannot
 * be another file's, whatever the engine opened since. */
static void close_inherited_end(const struct pipe_end *end)
{
    struct stat s;
    if (fstat(end->fd, &s) == 0 && S_ISFIFO(s.st_mode) && s.st_dev == end->dev &&
        s.st_ino == end->ino && (fcntl(end->fd, F_GETFL) & O_ACCMODE) == end->access)
        close(end->fd);
}

/* procs: in the worker process.  Reads tasks until the task pipe reaches
 * end of file. */
static uint64_t work_from_pipe(struct gb_worker *w)
{
    struct tasks_state *st = w->job->state;
    close_inherited_end(&st->feeder_ends[0]);
    close_inherited_end(&st->feeder_ends[1]);
    uint64_t checksum = 0, task;
    for (;;) {
        ssize_t n = read(st->task_read, &task, sizeof task);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return checksum; /* every task is taken */
        if (n != (ssize_t)sizeof task) {
            fprintf(stderr, "gilbench: tasks: worker %u: reading a task: %s\n", w->index,
                    n < 0 ? strerror(errno) : "a message cut short");
            return 0; /* the wrong checksum fails the run */
        }
        struct task_result result = { task, run_task(w, st->iterations, task) };
        checksum += gb_unit_checksum(task, result.value);
        while ((n = write(st->result_write, &result, sizeof result)) < 0 && errno == EINTR)
            ;
        if (n != (ssize_t)sizeof result) {
            fprintf(stderr, "gilbench: tasks: worker %u: sending the result of task %llu: %s\n",
                    w->index, (unsigned long long)task, n < 0 ? strerror(errno) : "cut short");
            return 0;
        }
    }
}

/* ---- per_batch=1: new workers for every batch ---- */

struct sub_worker {
    struct gb_worker ctx;
    uint64_t first, count;
    uint64_t checksum;
};

static void *sub_thread_main(void *arg)
{
    struct sub_worker *s = arg;
    if (s->ctx.gil)
        gil_take(s->ctx.gil, &s->ctx.gil_stats);
    s->checksum = run_tasks(&s->ctx, s->first, s->count);
    if (s->ctx.gil)
        gil_drop(s->ctx.gil, &s->ctx.gil_stats);
    return NULL;
}

/* One batch in n threads; -1 after a message if one could not start. */
static int batch_in_threads(struct gb_worker *w, struct sub_worker *subs, pthread_t *threads,
                            unsigned n)
{
    int status = 0;
    unsigned started = 0;
    gb_release_gil(w); /* creating and joining threads is C: Py_BEGIN_ALLOW_THREADS */
    for (; started < n; started++) {
        int rc = pthread_create(&threads[started], NULL, sub_thread_main, &subs[started]);
        if (rc != 0) {
            fprintf(stderr, "gilbench: tasks: cannot start a thread for a batch: %s\n",
                    strerror(rc));
            status = -1;
            break;
        }
    }
    for (unsigned k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    gb_reacquire_gil(w);
    /* The sub-workers' GIL accounting counts as the dispatcher's. */
    for (unsigned k = 0; k < started; k++) {
        const struct gil_worker_stats *g = &subs[k].ctx.gil_stats;
        w->gil_stats.wait_seconds += g->wait_seconds;
        w->gil_stats.hold_seconds += g->hold_seconds;
        w->gil_stats.acquisitions += g->acquisitions;
        w->gil_stats.drop_requests_made += g->drop_requests_made;
        w->gil_stats.drop_requests_honoured += g->drop_requests_honoured;
    }
    return status;
}

/* One batch in n forked processes; -1 after a message if one could not start
 * or did not exit 0.  Each dies with the dispatcher (PR_SET_PDEATHSIG) and is
 * in the workers' process group, which the engine kills on a failure. */
static int batch_in_processes(struct gb_worker *w, struct sub_worker *subs, pid_t *pids,
                              unsigned n)
{
    struct tasks_state *st = w->job->state;
    pid_t dispatcher = getpid();
    int status = 0;
    unsigned started = 0;
    for (; started < n; started++) {
        st->sub_results[started].checksum = 0;
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "gilbench: tasks: cannot fork a process for a batch: %s\n",
                    strerror(errno));
            status = -1;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != dispatcher) /* it died before the line above */
                _exit(1);
            struct sub_worker *s = &subs[started];
            st->sub_results[started].checksum = run_tasks(&s->ctx, s->first, s->count);
            _exit(0);
        }
        pids[started] = pid;
    }
    for (unsigned k = 0; k < started; k++) {
        int wstatus = 0;
        pid_t reaped;
        while ((reaped = waitpid(pids[k], &wstatus, 0)) < 0 && errno == EINTR)
            ;
        bool exited_0 = reaped == pids[k] && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
        if (!exited_0 && status == 0)
            fprintf(stderr, "gilbench: tasks: batch worker %u (pid %ld) failed: %s\n", k,
                    (long)pids[k], reaped != pids[k] ? strerror(errno)
                                   : WIFSIGNALED(wstatus) ? strsignal(WTERMSIG(wstatus))
                                                          : "it exited with a non-zero status");
        if (!exited_0)
            status = -1;
        subs[k].checksum = st->sub_results[k].checksum;
    }
    return status;
}

/* Worker 0: every task of the run, batch after batch, each in n new workers. */
static uint64_t dispatch_batches(struct gb_worker *w)
{
    const struct gb_job *job = w->job;
    const struct tasks_state *st = job->state;
    unsigned n = job->workers;
    uint64_t batch = gb_param(job, PARAM_BATCH);
    struct sub_worker *subs = calloc(n, sizeof *subs);
    pthread_t *threads = calloc(n, sizeof *threads);
    pid_t *pids = calloc(n, sizeof *pids);
    uint64_t checksum = 0;
    int status = subs && threads && pids ? 0 : -1;
    if (status != 0)
        fprintf(stderr, "gilbench: tasks: out of memory for %u batch workers\n", n);
    for (uint64_t first = 0; first < st->tasks && status == 0; first += batch) {
        uint64_t size = st->tasks - first < batch ? st->tasks - first : batch;
        uint64_t base = size / n, extra = size % n; /* split as gb_share does */
        for (unsigned k = 0; k < n; k++) {
            subs[k] = (struct sub_worker){
                .ctx = { .gil = w->gil, .job = job, .index = k },
                .first = first + base * k + (k < extra ? k : extra),
                .count = base + (k < extra ? 1 : 0),
            };
        }
        status = job->mode == GB_MODE_PROCS ? batch_in_processes(w, subs, pids, n)
                                            : batch_in_threads(w, subs, threads, n);
        for (unsigned k = 0; k < n; k++)
            checksum += subs[k].checksum;
    }
    free(subs);
    free(threads);
    free(pids);
    return status == 0 ? checksum : 0; /* a failure: the wrong checksum fails the run */
}

/*
 * The checksum contract: the engine expects the sum over all units (tasks)
 * of gb_unit_checksum(u, expected_value(u)), whatever worker did which.
 * Tasks are assigned dynamically, not by the engine's split, so each worker
 * returns the sum over the tasks it ran (worker 0 over all of them with
 * per_batch=1, the others 0): the total matches exactly when every task ran
 * once and computed the right value.
 */
static uint64_t tasks_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    (void)first;
    (void)count;
    if (gb_param(w->job, PARAM_PER_BATCH))
        return w->index == 0 ? dispatch_batches(w) : 0;
    return w->job->mode == GB_MODE_PROCS ? work_from_pipe(w) : work_from_queue(w);
}

static uint64_t tasks_expected(const struct gb_job *job, uint64_t unit)
{
    return gb_lcg_jump(gb_lcg_seed(unit), gb_param(job, PARAM_TASK_US) * ITERATIONS_PER_US);
}

static int tasks_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                        struct gb_figure *out)
{
    double us_per_task = outcome->seconds * 1e6 / (double)job->units;
    out[0] = (struct gb_figure){ "us_per_task", us_per_task };
    out[1] = (struct gb_figure){ "worker_us_per_task", us_per_task * job->workers };
    return 2;
}

const struct gb_workload workload_tasks = {
    .name = "tasks",
    .description = "many small tasks through a persistent pool or new workers per batch: "
                   "the dispatch cost per task",
    .unit = "one task of task_us microseconds of loop iterations",
    .default_units = 2000,
    .extra = true,
    .one_process = true,
    .params = {
        { "task_us", "CPU work of one task in microseconds (holding the GIL)", 50, 1, 100000 },
        { "per_batch", "1: new workers for every batch; 0: one persistent pool", 0, 0, 1 },
        { "batch", "tasks per batch with per_batch=1", 64, 1, 1000000 },
    },
    .setup = tasks_setup,
    .teardown = tasks_teardown,
    .work = tasks_work,
    .expected_value = tasks_expected,
    .report = tasks_report,
};
