/*
 * watchdog.c - see watchdog.h.  Both handlers only write() a message made
 * beforehand and then end the process, which is all a signal handler may
 * safely do.
 */
#include "watchdog.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Sanitizers install their own handlers for crashes and report them. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
static const bool sanitized = true;
#else
static const bool sanitized = false;
#endif

volatile pid_t worker_process_group;

static char timeout_message[128];
static char crash_messages[NSIG][192];
/* "worker 3 ", set by a worker thread for itself: a crash on that thread
 * names it (the gil and threads modes, where a crash ends the process). */
static _Thread_local char thread_name[32];
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
enum { FATAL_SIGNAL_COUNT = sizeof fatal_signals / sizeof fatal_signals[0] };

/* A file being written that must not survive a killed run (see watchdog.h). */
static char unfinished_file[4096];
static volatile sig_atomic_t has_unfinished_file;

void watchdog_remove_on_exit(const char *path)
{
    has_unfinished_file = 0;
    if (path && strlen(path) < sizeof unfinished_file) {
        strcpy(unfinished_file, path);
        has_unfinished_file = 1;
    }
}

static void remove_unfinished_file(void)
{
    if (has_unfinished_file)
        unlink(unfinished_file);
}

static void write_message(const char *message)
{
    ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
    (void)ignored;
}

/* Worker processes would die anyway (PR_SET_PDEATHSIG), but killing and
 * reaping them here means none outlives the engine even for a moment. */
static void kill_and_reap_workers(void)
{
    pid_t group = worker_process_group;
    if (group > 0) {
        kill(-group, SIGKILL);
        while (waitpid(-group, NULL, 0) > 0)
            ;
    }
}

static void on_alarm(int signal_number)
{
    (void)signal_number;
    write_message(timeout_message);
    kill_and_reap_workers();
    remove_unfinished_file();
    _exit(GB_EXIT_TIMEOUT);
}

static void on_termination(int signal_number)
{
    kill_and_reap_workers();
    remove_unfinished_file();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void stop_workers_on_termination(void)
{
    static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        sigaction(signals[i], NULL, &old);
        if (old.sa_handler == SIG_IGN)
            continue; /* ignored on entry (a background job): stays ignored */
        struct sigaction action = { .sa_handler = on_termination };
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, NULL);
    }
}

void watchdog_start(unsigned seconds)
{
    if (seconds == 0)
        return;
    snprintf(timeout_message, sizeof timeout_message,
             "gilbench: timed out: the run took longer than %u s (--timeout) and was killed\n", seconds);
    struct sigaction action = { .sa_handler = on_alarm };
    sigemptyset(&action.sa_mask);
    sigaction(SIGALRM, &action, NULL);
    alarm(seconds);
}

void watchdog_name_thread(unsigned worker)
{
    snprintf(thread_name, sizeof thread_name, "worker %u ", worker);
}

static void on_fatal_signal(int signal_number)
{
    /* "gilbench: " + the thread's name + the rest, made up in one write. */
    const char *message = crash_messages[signal_number];
    static const char prefix[] = "gilbench: ";
    char line[sizeof crash_messages[0] + sizeof thread_name];
    size_t used = 0, length = strlen(message);
    if (thread_name[0] && strncmp(message, prefix, sizeof prefix - 1) == 0) {
        size_t name_length = strlen(thread_name);
        memcpy(line, prefix, sizeof prefix - 1);
        used = sizeof prefix - 1;
        memcpy(line + used, thread_name, name_length);
        used += name_length;
        message += sizeof prefix - 1;
        length -= sizeof prefix - 1;
    }
    memcpy(line + used, message, length + 1);
    write_message(line);
    remove_unfinished_file();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void report_fatal_signals(void)
{
    report_fatal_signals_of(NULL);
}

void report_fatal_signals_of(const char *who)
{
    if (sanitized)
        return;
    for (int i = 0; i < FATAL_SIGNAL_COUNT; i++) {
        int s = fatal_signals[i];
        snprintf(crash_messages[s], sizeof crash_messages[s],
                 "gilbench: %s%scrashed: killed by signal %d (%s)\n", who ? who : "",
                 who ? " " : "", s, strsignal(s));
        struct sigaction action = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND };
        sigemptyset(&action.sa_mask);
        sigaction(s, &action, NULL);
    }
}

void default_fatal_signals(void)
{
    if (sanitized)
        return;
    for (int i = 0; i < FATAL_SIGNAL_COUNT; i++)
        signal(fatal_signals[i], SIG_DFL);
}
