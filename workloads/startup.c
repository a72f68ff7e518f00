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
 * A unit is an empty step whose value is its index: the checksum only proves
 * every unit was visited once.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../bench/workload.h"

extern char **environ;

enum { PARAM_SPAWN };

/* Starts `/proc/self/exe clock`, returns the CLOCK_MONOTONIC time it
 * printed on reaching main(), or -1 on failure (printed). */
static double spawn_fresh_process(void)
{
    int out[2];
    if (pipe(out) != 0) {
        perror("gilbench: startup: pipe");
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    char *argv[] = { "gilbench", "clock", NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    double reached_main = -1;
    if (rc != 0) {
        fprintf(stderr, "gilbench: startup: cannot start a fresh process: %s\n", strerror(rc));
    } else {
        FILE *in = fdopen(out[0], "r");
        if (!in || fscanf(in, "%lf", &reached_main) != 1)
            reached_main = -1;
        if (in) {
            fclose(in);
            out[0] = -1;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (reached_main < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "gilbench: startup: the fresh process did not report its start\n");
            reached_main = -1;
        }
    }
    if (out[0] >= 0)
        close(out[0]);
    return reached_main;
}

static uint64_t startup_work(struct gb_worker *w, uint64_t first, uint64_t count)
{
    if (gb_param(w->job, PARAM_SPAWN)) {
        gb_release_gil(w);
        double reached_main = spawn_fresh_process();
        gb_reacquire_gil(w);
        if (reached_main < 0)
            return 0; /* the wrong checksum fails the run */
        w->figures[0] = reached_main;
    }
    uint64_t checksum = 0;
    for (uint64_t unit = first; unit < first + count; unit++)
        checksum += gb_unit_checksum(unit, unit);
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
    double last = outcome->started_at;
    for (unsigned i = 0; i < job->workers; i++)
        if (outcome->workers[i].figures[0] > last)
            last = outcome->workers[i].figures[0];
    out[0] = (struct gb_figure){ "spawn_startup_seconds", last - outcome->started_at };
    return 1;
}

const struct gb_workload workload_startup = {
    .name = "startup",
    .description = "workers that do nothing: the cost of starting threads, forks and (spawn=1) fresh processes",
    .unit = "an empty step",
    .default_units = 1,
    .extra = true,
    .one_process = true, /* its figure compares clocks of the workers' hosts */
    .params = { { "spawn", "1: every worker also starts a fresh process and waits for it to run", 0,
                  0, 1 } },
    .work = startup_work,
    .expected_value = startup_expected,
    .report = startup_report,
};
