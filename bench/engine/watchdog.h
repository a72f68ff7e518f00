/*
 * watchdog.h - a run that takes too long is ended, and a run that crashes
 * says how, even when its stderr goes to a log that nobody watches live.
 */
#ifndef GILBENCH_WATCHDOG_H
#define GILBENCH_WATCHDOG_H

#include <sys/types.h>

#define GB_EXIT_TIMEOUT 124 /* as timeout(1) */

/* The process group of the running worker processes, 0 when there is none:
 * what the watchdog kills and reaps before the engine exits.  Set by whoever
 * forks them (bench/modes/forked_workers.c). */
extern volatile pid_t worker_process_group;

/* After `seconds`, print one line and exit with status 124; worker
 * processes die with the engine (PR_SET_PDEATHSIG).  0 means no limit. */
void watchdog_start(unsigned seconds);

/* On SIGTERM, SIGINT or SIGHUP, kill and reap the worker processes, then
 * die of the signal. */
void stop_workers_on_termination(void);

/* On SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT, print which signal before
 * dying of it.  Not under a sanitizer, which reports these itself. */
void report_fatal_signals(void);
/* The same, naming who crashed (e.g. "rank 1 of 4 on host"). */
void report_fatal_signals_of(const char *who);

/* Called by a worker thread: a crash on this thread is reported as
 * "gilbench: worker N crashed: killed by signal ...". */
void watchdog_name_thread(unsigned worker);

/* The handlers above (timeout, termination, crash) also unlink `path`, a
 * temporary file that only a complete run renames into place; NULL forgets
 * it.  One file at a time. */
void watchdog_remove_on_exit(const char *path);

/* Back to the default actions: for forked workers, whose death the parent
 * reports by index. */
void default_fatal_signals(void);

#endif
