/*
 * process_workers.c - runs the workers as forked processes, the way
 * multiprocessing with the fork start method does.
 *
 * The children share nothing with the parent but what fork copies and the
 * result slots, which live in a MAP_SHARED mapping made before the fork.
 * They form a process group of their own (led by the first child) so that the
 * parent can wait for exactly its workers, in whatever order they finish,
 * without reaping any helper process a workload's setup may have started.
 * Each child asks the kernel to kill it if the parent dies (PR_SET_PDEATHSIG),
 * so an interrupted or killed run leaves no orphan behind.
 *
 * The first worker that fails (killed by a signal, or a non-zero exit status)
 * fails the run: the remaining workers are killed, every child is reaped, and
 * one line names each failed worker and how it failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "watchdog.h"
#include "workers.h"

volatile pid_t worker_process_group;

static void child_main(struct gb_worker_slot *slot, worker_fn fn, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* the parent died before the line above */
        _exit(1);
    default_fatal_signals(); /* the parent names a crashed worker itself */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    fn(slot);
    _exit(0);
}

static int worker_index(const pid_t *pids, unsigned n, pid_t pid)
{
    for (unsigned i = 0; i < n; i++)
        if (pids[i] == pid)
            return (int)i;
    return -1;
}

static void report_failure(int index, pid_t pid, int status)
{
    if (WIFSIGNALED(status))
        fprintf(stderr, "gilbench: worker %d (pid %ld) was killed by signal %d (%s)\n", index,
                (long)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        fprintf(stderr, "gilbench: worker %d (pid %ld) exited with status %d\n", index,
                (long)pid, WEXITSTATUS(status));
}

int run_in_processes(struct gb_worker_slot *slots, unsigned n, worker_fn fn,
                     struct process_usage *usage)
{
    *usage = (struct process_usage){ 0 };
    pid_t *pids = calloc(n, sizeof *pids);
    if (!pids) {
        fprintf(stderr, "gilbench: out of memory for %u worker processes\n", n);
        return 1;
    }
    pid_t parent = getpid();
    pid_t group = 0;
    unsigned forked = 0;
    int status = 0;

    fflush(NULL); /* nothing buffered may be written twice */
    for (; forked < n; forked++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "gilbench: could not fork worker %u of %u: %s\n", forked, n,
                    strerror(errno));
            status = 1;
            break;
        }
        if (pid == 0) {
            setpgid(0, group);
            child_main(&slots[forked], fn, parent);
        }
        /* Set the group from both sides, as shells do, so that it exists
         * before the parent waits on it whichever side runs first. */
        setpgid(pid, group ? group : pid);
        if (!group)
            worker_process_group = group = pid;
        pids[forked] = pid;
    }
    if (status != 0 && group)
        kill(-group, SIGKILL);

    for (unsigned reaped = 0; reaped < forked;) {
        int wstatus;
        struct rusage ru;
        pid_t pid = wait4(-group, &wstatus, 0, &ru);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "gilbench: waiting for worker processes failed: %s\n",
                    strerror(errno));
            status = 1;
            break;
        }
        int index = worker_index(pids, forked, pid);
        if (index < 0)
            continue;
        reaped++;
        usage->user_seconds += gb_timeval_seconds(ru.ru_utime);
        usage->sys_seconds += gb_timeval_seconds(ru.ru_stime);
        if (ru.ru_maxrss > usage->max_rss_kib)
            usage->max_rss_kib = ru.ru_maxrss;
        usage->involuntary_switches += ru.ru_nivcsw;
        bool failed = !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
        /* A worker killed by us after an earlier failure is not news. */
        bool killed_by_us = status != 0 && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL;
        if (failed && !killed_by_us) {
            report_failure(index, pid, wstatus);
            if (status == 0)
                kill(-group, SIGKILL);
            status = 1;
        }
    }
    worker_process_group = 0;
    free(pids);
    return status;
}
