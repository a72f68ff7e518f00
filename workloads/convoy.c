/*
 * convoy - the convoy effect of CPython's GIL (python/cpython issue 52194,
 * bpo-7946): an I/O-bound thread that makes blocking request/response round
 * trips, alone and then beside CPU-bound threads.
 *
 * Worker 0 is the I/O worker.  Per unit it sends a 64-byte request over a
 * Unix socket to an echo process and reads the reply, with the GIL released
 * around the two calls, as socket.sendall() and recv() do.  The echo process
 * stands for a server across a network: it answers server_us microseconds
 * (default 1000) after the request arrived.  While worker 0 waits for the
 * reply a CPU-bound worker takes the GIL; to go on, worker 0 must take it
 * back, and the holder does not give it up of its own accord: worker 0 waits
 * for the switch interval to run out, asks, and gets the lock at the
 * holder's next check point (or later, if another CPU-bound waiter wins the
 * hand-over).  So every round trip costs about server_us plus one interval,
 * where alone it costs server_us.  Workers 1 .. K-1 run cpu_loop's iteration
 * and check point, holding the GIL, until the I/O worker is done (a flag in
 * memory shared across fork).
 *
 * No figure may depend on who happened to run first, so two things are
 * fixed rather than left to the scheduler:
 *   - A start gate.  Worker 0 makes its first round trip only once every
 *     CPU-bound worker is running: each one, after its first iteration and
 *     check point (under the gil mode: after it has held the GIL), writes
 *     one byte into a pipe that setup() made, and worker 0 reads K-1 bytes
 *     first, with the GIL released, as a thread blocked in accept() would.
 *     A pipe works alike for threads and for forked workers.  Without it, a
 *     CPU-bound worker that starts late finds the I/O worker done and the
 *     run measures no convoy at all.
 *   - The server's time.  A CPU-bound waiter, woken when worker 0 releases
 *     the GIL, needs tens of microseconds to run on a virtual machine; an
 *     echo that answers at once (~10 us) brings worker 0 back first, it
 *     takes the free lock again, and whether a round trip is convoyed
 *     becomes a race of wake-up latencies (measured on a 2-CPU VM with an
 *     immediate echo: p50 5-24 us in 20 of 20 runs beside a running
 *     CPU-bound worker).  A reply that takes server_us = 1000 gives the
 *     waiter a millisecond to take the lock.  server_us = 0 answers at once,
 *     for the curious: expect that race.
 *
 * The echo process is forked in setup, before the workers, so it is not in
 * the workers' process group (the engine waits for that group alone); it is
 * a process of its own, so it never touches the GIL, like a server on the
 * other end of a socket.  It sleeps until its reply is due with a timer
 * slack of 1 ns (the default 50 us would add itself to every round trip).
 * It dies with the engine (PR_SET_PDEATHSIG) and teardown ends it (EOF) and
 * reaps it.
 *
 * Figures: round trips per second over worker 0's own time from the gate's
 * opening to its last reply, and the 50th and 99th percentiles of one round
 * trip's latency, timed from before the release to after the re-acquire:
 * the server's time plus the wait for the GIL.
 *
 * Check: unit u's request is 8 words derived from u; the unit's value is a
 * digest of the reply, which equals expected_value(u), the digest of the
 * request, only if the echo came back intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fd_io.h"
#include "lcg.h"
#include "stats.h"
#include "workload.h"

enum { PARAM_SERVER_US };
enum { MESSAGE_WORDS = 8 }; /* a 64-byte message */
enum { FIGURE_ROUND_TRIPS_PER_S, FIGURE_P50_US, FIGURE_P99_US };

/* The done flag is used across fork, which needs a lock-free atomic. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");

/* In a MAP_SHARED mapping made by setup, so forked workers see `done`. */
struct convoy_state {
    atomic_int done;    /* set by the I/O worker after its last round trip */
    int socket_fd;      /* the engine's end of the socket pair */
    int gate_read;      /* the start gate: one byte per running CPU-bound worker */
    int gate_write;
    pid_t peer;         /* the echo process */
    double *latencies;  /* seconds, one per unit; the I/O worker's alone */
};

static void sleep_until(const struct timespec *deadline)
{
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL) == EINTR)
        ;
}

/* The echo process: sends every message back, server_us after it arrived,
 * until the engine closes its end.  It exits with _exit, so nothing the
 * engine had buffered is written twice. */
static _Noreturn void echo_peer(int fd, pid_t engine, uint64_t server_us)
{
    /* Sent when the thread that forked ends: setup runs on the main thread. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != engine)          /* the engine died before the line above */
        _exit(1);
    prctl(PR_SET_NAME, "convoy-echo");
    prctl(PR_SET_TIMERSLACK, 1UL);    /* wake when the reply is due, not 50 us later */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    /* A reader of the engine's output must never wait for this process. */
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
    uint64_t message[MESSAGE_WORDS];
    for (;;) {
        int got = fd_read_all(fd, message, sizeof message);
        if (got == 0)
            _exit(0);
        if (got < 0)
            _exit(1);
        if (server_us > 0) {
            struct timespec due;
            clock_gettime(CLOCK_MONOTONIC, &due);
            long long nsec = due.tv_nsec + (long long)server_us * 1000;
            due.tv_sec += (time_t)(nsec / 1000000000);
            due.tv_nsec = (long)(nsec % 1000000000);
            sleep_until(&due);
        }
        if (fd_send_all(fd, message, sizeof message) != 0)
            _exit(1);
    }
}

static void free_state(struct convoy_state *s)
{
    fd_close(&s->socket_fd);
    fd_close(&s->gate_read);
    fd_close(&s->gate_write);
    free(s->latencies);
    munmap(s, sizeof *s);
}

static int convoy_setup(struct gb_job *job)
{
    if (job->weak) {
        fprintf(stderr, "gilbench: convoy: --weak does not apply: one I/O worker makes "
                        "all the round trips\n");
        return -1;
    }
    struct convoy_state *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        fprintf(stderr, "gilbench: convoy: cannot map shared memory: %s\n", strerror(errno));
        return -1;
    }
    atomic_init(&s->done, 0);
    s->socket_fd = s->gate_read = s->gate_write = -1;
    s->latencies = malloc(job->units * sizeof *s->latencies);
    if (!s->latencies) {
        fprintf(stderr, "gilbench: convoy: out of memory for %llu latencies\n",
                (unsigned long long)job->units);
        free_state(s);
        return -1;
    }
    int gate[2];
    if (pipe2(gate, O_CLOEXEC) != 0) {
        fprintf(stderr, "gilbench: convoy: cannot make the start gate's pipe: %s\n",
                strerror(errno));
        free_state(s);
        return -1;
    }
    s->gate_read = gate[0];
    s->gate_write = gate[1];
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        fprintf(stderr, "gilbench: convoy: cannot create a socket pair: %s\n", strerror(errno));
        free_state(s);
        return -1;
    }
    pid_t engine = getpid();
    pid_t peer = fork();
    if (peer < 0) {
        fprintf(stderr, "gilbench: convoy: cannot fork the echo process: %s\n", strerror(errno));
        close(pair[0]);
        close(pair[1]);
        free_state(s);
        return -1;
    }
    if (peer == 0) {
        close(pair[0]);
        close(gate[0]);
        close(gate[1]);
        echo_peer(pair[1], engine, gb_param(job, PARAM_SERVER_US));
    }
    close(pair[1]);
    s->socket_fd = pair[0];
    s->peer = peer;
    job->state = s;
    return 0;
}

static void convoy_teardown(struct gb_job *job)
{
    struct convoy_state *s = job->state;
    if (!s)
        return;
    close(s->socket_fd); /* the echo process reads end of file and exits */
    s->socket_fd = -1;
    while (waitpid(s->peer, NULL, 0) < 0 && errno == EINTR)
        ;
    free_state(s);
    job->state = NULL;
}

/* Unit u's request. */
static void make_request(uint64_t unit, uint64_t *words)
{
    for (int i = 0; i < MESSAGE_WORDS; i++)
        words[i] = gb_unit_checksum(unit, (uint64_t)i);
}

/* A digest of a message that every changed, lost or reordered word changes. */
static uint64_t digest(const uint64_t *words)
{
    uint64_t d = 0;
    for (int i = 0; i < MESSAGE_WORDS; i++)
        d = gb_unit_checksum(d, words[i]);
    return d;
}

/* One request and its reply; NULL, or what went wrong. */
static const char *round_trip(int fd, const uint64_t *request, uint64_t *reply)
{
    if (fd_send_all(fd, request, MESSAGE_WORDS * sizeof *request) != 0)
        return strerror(errno);
    int got = fd_read_all(fd, reply, MESSAGE_WORDS * sizeof *reply);
    if (got == 1)
        return NULL;
    return got == 0 || errno == 0 ? "the echo process hung up" : strerror(errno);
}

/* How long worker 0 waits at the gate before it gives the run up: far
 * longer than starting the workers takes (under the gil mode each needs one
 * turn with the GIL, about one interval, to get there), but finite, so that a
 * CPU-bound worker that never started (a thread the engine could not create;
 * it then joins the others) fails the run instead of hanging it. */
static double gate_patience_seconds(const struct gb_worker *w)
{
    double interval = w->gil ? (double)w->gil->interval_us * 1e-6 : 0;
    return 30 + 10 * interval * w->job->workers;
}

/* Worker 0, with the GIL released: waits until each of the K-1 CPU-bound
 * workers has written its byte.  NULL, or why it could not (in why). */
static const char *wait_at_gate(struct gb_worker *w, const struct convoy_state *s, char *why, size_t size)
{
    unsigned cpu_workers = w->job->workers - 1, arrived = 0;
    double patience = gate_patience_seconds(w), deadline = gb_now() + patience;
    while (arrived < cpu_workers) {
        double left = deadline - gb_now();
        if (left <= 0) {
            snprintf(why, size, "%u of the %u CPU-bound workers did not start within %.0f s",
                     cpu_workers - arrived, cpu_workers, patience);
            return why;
        }
        struct pollfd gate = { .fd = s->gate_read, .events = POLLIN };
        int ready = poll(&gate, 1, (int)(left * 1000) + 1);
        if (ready < 0 && errno != EINTR) {
            snprintf(why, size, "waiting at the start gate: %s", strerror(errno));
            return why;
        }
        if (ready <= 0)
            continue;
        char bytes[256];
        size_t want = cpu_workers - arrived < sizeof bytes ? cpu_workers - arrived : sizeof bytes;
        ssize_t n = read(s->gate_read, bytes, want);
        if (n > 0) {
            arrived += (unsigned)n;
        } else if (n == 0 || errno != EINTR) {
            snprintf(why, size, "reading the start gate: %s", n == 0 ? "end of file" : strerror(errno));
            return why;
        }
    }
    return NULL;
}

/* Worker 0: every round trip of the run, timed, then the figures. */
static uint64_t io_worker(struct gb_worker *w, struct convoy_state *s)
{
    uint64_t units = w->job->units, done = 0, checksum = 0;
    char why[160];
    gb_release_gil(w); /* blocked at the gate, as in accept() */
    const char *gate = wait_at_gate(w, s, why, sizeof why);
    gb_reacquire_gil(w);
    if (gate) {
        atomic_store_explicit(&s->done, 1, memory_order_release);
        gb_fail(w, "%s", gate);
        return 0;
    }
    double started = gb_now();
    for (uint64_t u = 0; u < units; u++) {
        uint64_t request[MESSAGE_WORDS], reply[MESSAGE_WORDS];
        make_request(u, request);
        double t0 = gb_now();
        gb_release_gil(w);
        const char *error = round_trip(s->socket_fd, request, reply);
        gb_reacquire_gil(w);
        s->latencies[u] = gb_now() - t0;
        if (error) {
            gb_fail(w, "round trip %llu failed: %s", (unsigned long long)u, error);
            break;
        }
        checksum += gb_unit_checksum(u, digest(reply));
        done++;
        gb_checkpoint(w);
    }
    double elapsed = gb_now() - started;
    atomic_store_explicit(&s->done, 1, memory_order_release); /* the CPU workers stop */
    if (done > 0) {
        double p50 = stats_percentile(s->latencies, done, 50);
        double p99 = stats_percentile(s->latencies, done, 99);
        if (isnan(p50) || isnan(p99)) {
            gb_fail(w, "out of memory for the latency percentiles"); /* rather than print NaN */
            return 0;
        }
        w->figures[FIGURE_ROUND_TRIPS_PER_S] = (double)done / elapsed;
        w->figures[FIGURE_P50_US] = p50 * 1e6;
        w->figures[FIGURE_P99_US] = p99 * 1e6;
    }
    return checksum;
}

/* Workers 1 .. K-1: cpu_loop's work, holding the GIL, until worker 0 is
 * done.  After the first iteration and check point (under the gil mode the
 * worker holds the GIL there: the engine takes it before work()) it is
 * running and competing for the lock: it opens its part of the gate. */
static void cpu_worker(struct gb_worker *w, const struct convoy_state *s)
{
    uint64_t x = gb_lcg_iteration(gb_lcg_seed(w->index));
    gb_checkpoint(w);
    char running = 1;
    if (fd_write_all(s->gate_write, &running, 1) != 0) /* worker 0 then gives up */
        fprintf(stderr, "gilbench: convoy: worker %u: writing to the start gate: %s\n",
                w->index, strerror(errno));
    while (!atomic_load_explicit(&s->done, memory_order_relaxed)) {
        x = gb_lcg_iteration(x);
        gb_checkpoint(w);
    }
    /* Not reported: stored so that the loop's work is not dead code. */
    w->figures[0] = (double)x;
}

/*
 * The checksum contract: the engine expects the sum over all units of
 * gb_unit_checksum(u, expected_value(u)), and its split gives each unit to
 * exactly one worker's [first, first + count).  Here the split does not
 * apply: worker 0 makes every round trip, whatever its range, and the CPU
 * workers do no unit.  So worker 0 returns the sum over all units and the
 * others 0, which adds up to the same total.
 */
static uint64_t convoy_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    (void)first;
    (void)count;
    struct convoy_state *s = w->job->state;
    if (w->index == 0)
        return io_worker(w, s);
    cpu_worker(w, s);
    return 0;
}

static uint64_t convoy_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    uint64_t request[MESSAGE_WORDS];
    make_request(unit, request);
    return digest(request);
}

static int convoy_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                         struct gb_figure *out)
{
    (void)job;
    const double *f = outcome->workers[0].figures;
    out[0] = (struct gb_figure){ "round_trips_per_s", f[FIGURE_ROUND_TRIPS_PER_S] };
    out[1] = (struct gb_figure){ "latency_p50_us", f[FIGURE_P50_US] };
    out[2] = (struct gb_figure){ "latency_p99_us", f[FIGURE_P99_US] };
    return 3;
}

const struct gb_workload workload_convoy = {
    .name = "convoy",
    .description = "one I/O worker's socket round trips beside K-1 CPU-bound workers: "
                   "the GIL's convoy effect",
    .unit = "one 64-byte round trip to an echo process that answers after server_us",
    .default_units = 100,
    .extra = true,
    .one_process = true,
    .params = { { "server_us", "the echo process's time to answer, in us (a server across "
                               "a network)", 1000, 0, 1000000 } },
    .setup = convoy_setup,
    .teardown = convoy_teardown,
    .work = convoy_work,
    .expected_value = convoy_expected,
    .report = convoy_report,
};
