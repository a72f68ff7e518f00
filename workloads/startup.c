/*
 * startup - what it costs to start workers and have them running, with
 * nothing else to do: the engine's startup_seconds is the time from the
 * start of the timed region until the last worker runs, so in the threads
 * mode it is pthread_create's cost (threading.Thread.start) and in procs
 * fork's (multiprocessing's fork start method).
 *
 * spawn=1 adds what multiprocessing's spawn start method pays: every worker
 * starts a fresh copy of this program (posix_spawn: fork + exec, dynamic
 * loading of the C library and OpenBLAS, as a fresh interpreter loads its
 * own) and waits until it has reached main(), which it reports as its
 * CLOCK_MONOTONIC time (`gilbench clock`).  The figure spawn_startup_seconds
 * is the time from the start of the timed region until the last fresh
 * process was running.  The GIL is released around it, as subprocess does.
 *
 * What the fresh processes use is counted alike in every mode: each worker
 * reaps its own with wait4(), whose rusage gives its CPU time and peak RSS,
 * and the figures spawn_cpu_user_seconds, spawn_cpu_sys_seconds (added up)
 * and spawn_max_rss_kib (the largest) report them.  The engine's own
 * cpu_*_seconds and max_rss_kib do not count alike: in the procs mode a
 * worker process's usage, read by the engine when it reaps the worker,
 * includes the children the worker reaped (the fresh process), while in the
 * gil and threads modes the engine reads its own usage (RUSAGE_SELF), which
 * leaves out the children its threads reaped.  Compare modes with the
 * spawn_* figures.
 *
 * A unit is an empty step whose value is its index: the checksum only proves
 * every unit was visited once.  A fresh process that cannot be started or
 * does not report its start fails the run through gb_fail(): one line on
 * stderr naming the worker and why, and exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "workload.h"

extern char **environ;

enum { PARAM_SPAWN };

/* w->figures[]: what a worker's fresh process did. */
enum { FIGURE_REACHED_MAIN, FIGURE_USER_SECONDS, FIGURE_SYS_SECONDS, FIGURE_MAX_RSS_KIB };

/* Starts `/proc/self/exe clock`, waits for the CLOCK_MONOTONIC time it
 * prints on reaching main() and reaps it (wait4: *usage is what it used).
 * Returns that time, or -1 after gb_fail(). */
static double spawn_fresh_process(struct gb_worker *w, struct rusage *usage)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        gb_fail(w, "cannot make a pipe for its fresh process: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    char *argv[] = { "gilbench", "clock", NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
        gb_fail(w, "cannot start a fresh process: %s", strerror(rc));
        close(out[0]);
        return -1;
    }
    double reached_main = -1;
    FILE *in = fdopen(out[0], "r");
    if (!in || fscanf(in, "%lf", &reached_main) != 1)
        reached_main = -1;
    if (in)
        fclose(in);
    else
        close(out[0]);
    int status = 0;
    pid_t reaped;
    while ((reaped = wait4(pid, &status, 0, usage)) < 0 && errno == EINTR)
        ;
    if (reaped != pid) {
        gb_fail(w, "waiting for its fresh process (pid %ld): %s", (long)pid, strerror(errno));
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reached_main < 0) {
        char how[64];
        if (WIFSIGNALED(status))
            snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0)
            snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
        else
            snprintf(how, sizeof how, "exited without printing its start");
        gb_fail(w, "its fresh process (pid %ld) %s", (long)pid, how);
        return -1;
    }
    return reached_main;
}

static uint64_t startup_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++)
        checksum += gb_unit_checksum(unit, unit);
    if (gb_param(w->job, PARAM_SPAWN)) {
        struct rusage usage;
        gb_release_gil(w);
        double reached_main = spawn_fresh_process(w, &usage);
        gb_reacquire_gil(w);
        if (reached_main < 0)
            return checksum; /* gb_fail() has failed the run */
        w->figures[FIGURE_REACHED_MAIN] = reached_main;
        w->figures[FIGURE_USER_SECONDS] = gb_timeval_seconds(usage.ru_utime);
        w->figures[FIGURE_SYS_SECONDS] = gb_timeval_seconds(usage.ru_stime);
        w->figures[FIGURE_MAX_RSS_KIB] = (double)usage.ru_maxrss;
    }
    return checksum;
}

static uint64_t startup_expected(const struct gb_job *job, uint64_t unit)
{
    (void)job;
    return unit;
}

static int startup_report(const struct gb_job *job, const struct gb_run_outcome *outcome,
                          struct gb_figure *out)
{
    if (!gb_param(job, PARAM_SPAWN))
        return 0;
    double last = outcome->started_at, user = 0, sys = 0, max_rss = 0;
    for (unsigned i = 0; i < job->workers; i++) {
        const double *f = outcome->workers[i].figures;
        if (f[FIGURE_REACHED_MAIN] > last)
            last = f[FIGURE_REACHED_MAIN];
        user += f[FIGURE_USER_SECONDS];
        sys += f[FIGURE_SYS_SECONDS];
        if (f[FIGURE_MAX_RSS_KIB] > max_rss)
            max_rss = f[FIGURE_MAX_RSS_KIB];
    }
    out[0] = (struct gb_figure){ "spawn_startup_seconds", last - outcome->started_at };
    out[1] = (struct gb_figure){ "spawn_cpu_user_seconds", user };
    out[2] = (struct gb_figure){ "spawn_cpu_sys_seconds", sys };
    out[3] = (struct gb_figure){ "spawn_max_rss_kib", max_rss };
    return 4;
}

const struct gb_workload workload_startup = {
    .name = "startup",
    .description = "workers that do nothing: the cost of starting threads, forks and (spawn=1) fresh processes",
    .unit = "an empty step",
    .default_units = 1,
    .extra = true,
    .one_process = true, /* its figure compares clocks of the workers' hosts */
    .idle_workers_measured = true, /* a worker's starting is the work */
    .params = { { "spawn", "1: every worker also starts a fresh process and waits for it to run", 0,
                  0, 1 } },
    .work = startup_work,
    .expected_value = startup_expected,
    .report = startup_report,
};
