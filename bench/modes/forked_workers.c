/*
 * forked_workers.c - runs the workers as forked processes, the way
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
 *
 * These are the procs mode's workers, one share each.  The process pool's
 * workers (bench/dispatch/pool_processes.c, each running the loop of
 * pool_process_worker.c) are forked and reaped with the same steps
 * (worker_processes_* in workers.h), reaping without blocking while the pool
 * collects results.
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

static void child_main(struct gb_worker_slot *slot, process_main_fn main, void *arg, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* the parent died before the line above */
        _exit(1);
    default_fatal_signals(); /* the parent names a crashed worker itself */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    main(slot, arg);
    _exit(0);
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

void worker_processes_kill(struct worker_processes *p)
{
    if (p->group && p->left > 0) {
        kill(-p->group, SIGKILL);
        p->killed = true;
    }
}

int worker_processes_start(struct worker_processes *p, struct gb_worker_slot *slots, unsigned n,
                           process_main_fn main, void *arg)
{
    *p = (struct worker_processes){ .slots = slots };
    p->pids = calloc(n, sizeof *p->pids);
    p->reaped = calloc(n, sizeof *p->reaped);
    if (!p->pids || !p->reaped) {
        fprintf(stderr, "gilbench: out of memory for %u worker processes\n", n);
        p->status = 1;
        return 1;
    }
    pid_t parent = getpid();
    fflush(NULL); /* nothing buffered may be written twice */
    for (; p->forked < n; p->forked++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "gilbench: could not fork worker %u of %u: %s\n", p->forked, n,
                    strerror(errno));
            p->status = 1;
            worker_processes_kill(p);
            return 1;
        }
        if (pid == 0) {
            setpgid(0, p->group);
            child_main(&slots[p->forked], main, arg, parent);
        }
        /* Set the group from both sides, as shells do, so that it exists
         * before the parent waits on it whichever side runs first. */
        setpgid(pid, p->group ? p->group : pid);
        if (!p->group)
            worker_process_group = p->group = pid;
        p->pids[p->forked] = pid;
        p->left++;
    }
    return 0;
}

static int worker_index(const struct worker_processes *p, pid_t pid)
{
    for (unsigned i = 0; i < p->forked; i++)
        if (p->pids[i] == pid)
            return (int)i;
    return -1;
}

int worker_processes_reap(struct worker_processes *p, bool block)
{
    bool waited = false;
    while (p->left > 0) {
        int wstatus;
        struct rusage ru;
        pid_t pid = wait4(-p->group, &wstatus, block && !waited ? 0 : WNOHANG, &ru);
        if (pid == 0)
            break; /* none has ended (WNOHANG) */
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "gilbench: waiting for worker processes failed: %s\n",
                    strerror(errno));
            p->status = 1;
            p->left = 0;
            break;
        }
        int index = worker_index(p, pid);
        if (index < 0 || p->reaped[index])
            continue;
        waited = true;
        p->reaped[index] = true;
        p->left--;
        p->usage.user_seconds += gb_timeval_seconds(ru.ru_utime);
        p->usage.sys_seconds += gb_timeval_seconds(ru.ru_stime);
        if (ru.ru_maxrss > p->usage.max_rss_kib)
            p->usage.max_rss_kib = ru.ru_maxrss;
        p->usage.involuntary_switches += ru.ru_nivcsw;
        bool failed = !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
        /* A worker killed by us after an earlier failure is not news. */
        bool killed_by_us = p->killed && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL;
        if (failed && !killed_by_us) {
            if (!p->slots[index].failure_reported)
                report_failure(index, pid, wstatus);
            p->status = 1;
            worker_processes_kill(p);
        }
    }
    return p->status;
}

int worker_processes_finish(struct worker_processes *p)
{
    while (p->left > 0 && worker_processes_reap(p, true) >= 0 && p->left > 0)
        ;
    worker_process_group = 0;
    free(p->pids);
    free(p->reaped);
    p->pids = NULL;
    p->reaped = NULL;
    return p->status;
}

pid_t worker_processes_pid(const struct worker_processes *p, unsigned index)
{
    return index < p->forked ? p->pids[index] : 0;
}

static void run_worker_fn(struct gb_worker_slot *slot, void *arg)
{
    worker_fn fn = *(worker_fn *)arg;
    fn(slot);
}

int run_in_processes(struct gb_worker_slot *slots, unsigned n, worker_fn fn,
                     struct process_usage *usage)
{
    struct worker_processes p;
    worker_processes_start(&p, slots, n, run_worker_fn, &fn);
    int status = worker_processes_finish(&p);
    *usage = p.usage;
    return status;
}
