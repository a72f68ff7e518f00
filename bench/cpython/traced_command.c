/*
 * traced_command.c - the traced command's life (traced_command.h): fork,
 * exec, drain the probes' buffers while it runs, keep its family's hits.
 */
#include "traced_command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "thread_timelines.h"

static volatile sig_atomic_t passed_on;  /* a signal to pass on to the command, or 0 */

static void remember_signal(int signum)
{
    passed_on = signum;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The parent of a process, from /proc/PID/stat; -1 if it is gone. */
static pid_t parent_of(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t length = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[length] = '\0';
    const char *after_name = strrchr(text, ')');   /* the name may hold spaces and parentheses */
    int parent;
    char state;
    if (!after_name || sscanf(after_name + 1, " %c %d", &state, &parent) != 2)
        return -1;
    return (pid_t)parent;
}

/* Which processes belong to the command: decided once per process. */
struct family {
    pid_t root;
    pid_t pid[1024];
    signed char member[1024];   /* 1 member, 0 stranger, -1 unknown (gone before asked) */
    unsigned n;
};

static int membership(struct family *f, pid_t pid)
{
    if (pid == f->root)
        return 1;
    for (unsigned i = 0; i < f->n; i++)
        if (f->pid[i] == pid)
            return f->member[i];
    int verdict = 0;
    pid_t p = pid;
    for (int depth = 0; depth < 64; depth++) {
        p = parent_of(p);
        if (p < 0) {
            verdict = -1;
            break;
        }
        if (p == f->root) {
            verdict = 1;
            break;
        }
        if (p <= 1)
            break;
    }
    if (f->n < 1024) {
        f->pid[f->n] = pid;
        f->member[f->n++] = (signed char)verdict;
    }
    return verdict;
}

/* Keeps the hits from `from` on that belong to the family. */
static void keep_family(struct family *f, struct traced_run *out, size_t from)
{
    size_t kept = from;
    for (size_t k = from; k < out->count; k++) {
        int verdict = membership(f, out->hits[k].pid);
        if (verdict == 1)
            out->hits[kept++] = out->hits[k];
        else if (verdict < 0)
            out->unattributed++;
    }
    out->count = kept;
}

static int shell_status(int wait_status)
{
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return 1;
}

int traced_command_run(struct uprobes *u, char *const *argv, double timeout_seconds,
                       struct traced_run *out)
{
    memset(out, 0, sizeof *out);
    int report[2];              /* the child's exec error, if any; closed by a successful exec */
    if (pipe2(report, O_CLOEXEC) != 0) {
        fprintf(stderr, "gilbench: cannot make a pipe: %s\n", strerror(errno));
        return -1;
    }
    passed_on = 0;
    struct sigaction pass = { .sa_handler = remember_signal }, saved[3];
    const int signals[3] = { SIGINT, SIGTERM, SIGHUP };
    for (int i = 0; i < 3; i++)
        sigaction(signals[i], &pass, &saved[i]);
    double started = now();
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "gilbench: cannot start %s: %s\n", argv[0], strerror(errno));
        close(report[0]);
        close(report[1]);
        for (int i = 0; i < 3; i++)
            sigaction(signals[i], &saved[i], NULL);
        return -1;
    }
    if (child == 0) {
        for (int i = 0; i < 3; i++)
            sigaction(signals[i], &saved[i], NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a killed tracer leaves nothing running */
        close(report[0]);
        execvp(argv[0], argv);
        int error = errno;
        (void)!write(report[1], &error, sizeof error);
        _exit(127);
    }
    close(report[1]);
    struct family *family = calloc(1, sizeof *family);
    bool ended = false, out_of_memory = !family;
    int wait_status = 0;
    if (family)
        family->root = child;
    bool timed_out = false;
    size_t capacity = 0;
    while (!ended) {
        size_t before = out->count;
        if (uprobes_drain(u, 20, &out->hits, &out->count, &capacity) != 0)
            out_of_memory = true;
        if (family)
            keep_family(family, out, before);
        pid_t done = waitpid(child, &wait_status, WNOHANG);
        if (done == child) {
            ended = true;
            break;
        }
        if (passed_on) {
            kill(child, passed_on);
            passed_on = 0;
        }
        if (timeout_seconds > 0 && !timed_out && now() - started > timeout_seconds) {
            timed_out = true;
            kill(child, SIGKILL);
        }
    }
    out->seconds = now() - started;
    /* The hits of its last moments are in the buffers already: a uprobe
     * writes its record in the thread's own context, before it goes on. */
    size_t before = out->count;
    if (uprobes_drain(u, 0, &out->hits, &out->count, &capacity) != 0)
        out_of_memory = true;
    if (family)
        keep_family(family, out, before);
    free(family);
    for (int i = 0; i < 3; i++)
        sigaction(signals[i], &saved[i], NULL);
    int exec_error = 0;
    bool exec_failed = read(report[0], &exec_error, sizeof exec_error) == (ssize_t)sizeof exec_error;
    close(report[0]);
    if (exec_failed) {
        fprintf(stderr, "gilbench: cannot run %s: %s\n", argv[0], strerror(exec_error));
        out->status = 127;
    } else {
        out->status = timed_out ? 124 : shell_status(wait_status);
    }
    if (out_of_memory)
        fprintf(stderr, "gilbench: out of memory for the probes' hits; the trace is incomplete\n");
    out->lost = uprobes_lost(u);
    qsort(out->hits, out->count, sizeof *out->hits, uprobe_hit_earlier);
    return 0;
}

void traced_run_free(struct traced_run *run)
{
    free(run->hits);
    run->hits = NULL;
    run->count = 0;
}
