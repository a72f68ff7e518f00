/*
 * trace_file.c - writes `gilbench run --trace FILE` (see trace_file.h): a
 * commented header saying what the run was and what each event means, then
 * one tab-separated line per event, which `make timeline` (scripts/sweep/
 * timeline.py) turns into a picture.
 */
#include "trace_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_vocabulary.h"
#include "watchdog.h"

static void free_all(struct trace_file *t)
{
    if (t->traces)
        for (unsigned i = 0; i < t->workers; i++)
            gil_trace_free(&t->traces[i]);
    free(t->traces);
    free(t->temporary_path);
    t->traces = NULL;
    t->temporary_path = NULL;
}

void trace_file_abandon(struct trace_file *t)
{
    if (t->out)
        fclose(t->out);
    t->out = NULL;
    if (t->temporary_path)
        unlink(t->temporary_path);
    watchdog_remove_on_exit(NULL);
    free_all(t);
}

int trace_file_open(struct trace_file *t, const char *path, unsigned workers)
{
    *t = (struct trace_file){ .path = path, .workers = workers };
    size_t length = strlen(path) + sizeof ".XXXXXX";
    t->temporary_path = malloc(length);
    t->traces = aligned_alloc(_Alignof(struct gil_trace), workers * sizeof *t->traces);
    if (t->traces)
        memset(t->traces, 0, workers * sizeof *t->traces);
    bool allocated = t->temporary_path && t->traces;
    for (unsigned i = 0; i < workers && allocated; i++)
        allocated = gil_trace_init(&t->traces[i], GIL_TRACE_DEFAULT_CAPACITY) == 0;
    if (!allocated) {
        fprintf(stderr, "gilbench: out of memory for the trace of %u workers\n", workers);
        free_all(t);
        return 1;
    }
    /* A name of its own (two runs may trace to the same path), removed if
     * the run is killed before the file is complete. */
    snprintf(t->temporary_path, length, "%s.XXXXXX", path);
    int fd = mkstemp(t->temporary_path);
    t->out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!t->out) {
        int open_errno = errno;
        if (fd >= 0) {
            close(fd);
            unlink(t->temporary_path);
        }
        fprintf(stderr, "gilbench: cannot write the --trace file %s: %s\n", path,
                strerror(open_errno));
        free_all(t);
        return 1;
    }
    /* mkstemp makes it private; a result file gets the usual mode. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    watchdog_remove_on_exit(t->temporary_path);
    return 0;
}

int trace_file_finish(struct trace_file *t, const struct gb_job *job, long switch_interval_us,
                      double origin, double seconds, struct gil_figures **figures)
{
    if (job->mode == GB_MODE_INTERP)        /* each worker's interpreter has a GIL of its own */
        for (unsigned w = 0; w < t->workers; w++)
            for (size_t k = 0; k < t->traces[w].count; k++)
                t->traces[w].events[k].lock = w;
    *figures = malloc(sizeof **figures);
    if (*figures && gil_figures_of(t->traces, t->workers, *figures) != 0) {
        free(*figures);
        *figures = NULL;
    }
    uint64_t lost = 0;
    for (unsigned i = 0; i < t->workers; i++)
        lost += t->traces[i].lost;
    fprintf(t->out,
            "# gilbench trace: workload %s, mode %s, %u workers, %llu units, "
            "switch interval %ld us, run %.6f s\n"
            "# time_us: microseconds after the timed region began (%s)\n"
            "# wait: began to take the GIL; acquire: holds it; drop_request: waited a whole "
            "interval with no switch and asked the holder to drop it;\n"
            "# yield: dropped it because a waiter asked; release: dropped it of its own accord "
            "(I/O, C work, or done)\n"
            "# lost events: %llu (each worker keeps its first %zu)\n"
            "worker\ttime_us\tevent\n",
            job->workload->name, gb_mode_name(job->mode), job->workers,
            (unsigned long long)job->units, switch_interval_us, seconds,
            job->dispatch == GB_DISPATCH_POOL
                ? "pool: once every worker of the pool waited at its empty queue"
                : "before the first worker was created",
            (unsigned long long)lost, GIL_TRACE_DEFAULT_CAPACITY);
    errno = 0;
    int failed = gil_trace_write(t->out, t->traces, t->workers, origin) != 0;
    failed |= ferror(t->out) != 0;
    failed |= fclose(t->out) != 0;
    int write_errno = errno;
    t->out = NULL;
    if (!failed && rename(t->temporary_path, t->path) != 0) {
        write_errno = errno;
        failed = 1;
    }
    watchdog_remove_on_exit(NULL);
    if (failed) {
        fprintf(stderr, "gilbench: cannot write the --trace file %s: %s\n", t->path,
                write_errno ? strerror(write_errno) : "write error");
        unlink(t->temporary_path);
    } else if (lost) {
        fprintf(stderr, "gilbench: the trace keeps each worker's first %zu events; %llu later "
                "ones are not in %s\n", GIL_TRACE_DEFAULT_CAPACITY, (unsigned long long)lost,
                t->path);
    }
    free_all(t);
    return failed;
}
