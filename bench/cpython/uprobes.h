/*
 * uprobes.h - the kernel's uprobes through perf_event_open(2), no tracer
 * program: a set of probes (a function's entry or return in one binary),
 * opened on every CPU for every process (pid = -1, cpu = i: opening them on
 * one process with inherit = 1 breaks CPython's thread start), each hit
 * sampled with its process, thread, CLOCK_MONOTONIC time and first integer
 * argument, read from one ring buffer per CPU.  The caller keeps the hits
 * of the processes it traces.
 *
 * The kernel removes the probes when their descriptors close: on
 * uprobes_close(), on any exit, and on SIGKILL of the tracing process.
 */
#ifndef GILBENCH_UPROBES_H
#define GILBENCH_UPROBES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UPROBES_MAX 16

struct uprobe_spec {
    const char *function;   /* for messages */
    uint64_t offset;        /* file offset (elf_symbols.h) */
    int on_return;          /* 1: the function's return (a uretprobe) */
};

/* One hit of one probe. */
struct uprobe_hit {
    uint64_t time_ns;       /* CLOCK_MONOTONIC */
    uint64_t argument;      /* the first integer argument register at the hit
                             * (rdi on x86-64, x0 on arm64; 0 elsewhere); at a
                             * return probe it means nothing */
    pid_t pid, tid;
    unsigned probe;         /* index into the specs given to uprobes_open */
};

enum uprobes_status {
    UPROBES_OK,
    UPROBES_NO_PMU,         /* no /sys/bus/event_source/devices/uprobe/type */
    UPROBES_NOT_PERMITTED,  /* EACCES/EPERM: needs root or CAP_PERFMON */
    UPROBES_FAILED,         /* any other error; the message says which */
};

struct uprobes;             /* opaque */

/* Opens the n probes on `binary` on every online CPU with their ring
 * buffers, enabled.  On failure returns NULL and sets *status and, in
 * `why` (size why_size), a few words such as "perf_event_open on CPU 3:
 * Too many open files"; nothing stays open. */
struct uprobes *uprobes_open(const char *binary, const struct uprobe_spec *specs, unsigned n,
                             enum uprobes_status *status, char *why, size_t why_size);

/* Waits up to timeout_ms for hits (poll on the buffers), then appends every
 * hit waiting in every buffer to *hits (grown with realloc; *count and
 * *capacity updated), in no particular order.  Returns 0, or -1 if memory
 * ran out (the hits that did not fit are counted as lost). */
int uprobes_drain(struct uprobes *u, int timeout_ms, struct uprobe_hit **hits, size_t *count,
                  size_t *capacity);

/* Hits the kernel dropped (PERF_RECORD_LOST) or that did not fit. */
uint64_t uprobes_lost(const struct uprobes *u);

/* Disables and closes every probe and unmaps the buffers.  NULL is fine. */
void uprobes_close(struct uprobes *u);

/* The uprobe PMU's type, or -1 if the kernel has none. */
int uprobes_pmu_type(void);

#endif
