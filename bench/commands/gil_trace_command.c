/*
 * gil_trace_command.c - `gilbench gil-trace`: runs a command under CPython
 * with the kernel's uprobes on the interpreter's lock functions
 * (bench/cpython/) and says what CPython's GIL did: per thread every wait,
 * hold and drop, as the same figures and the same trace format as the
 * model's, or, for a free-threaded build, how long its threads parked.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "atomic_file.h"
#include "commands.h"
#include "cpython_probes.h"
#include "gil_figures.h"
#include "json_out.h"
#include "stats.h"
#include "thread_timelines.h"
#include "traced_command.h"
#include "uprobes.h"

enum { CANNOT_TRACE = 3 };

struct options {
    const char *interpreter, *json_path, *trace_path, *name;
    long switch_interval_us;    /* for the trace's header: what the command runs with */
    enum cpython_locks locks;
    double timeout;
    int check;
    char **command;
};

static void print_help(void)
{
    printf("usage: gilbench gil-trace [options] -- COMMAND [ARG...]\n"
           "       gilbench gil-trace --check [--interpreter PATH] [--locks gil|parking]\n"
           "\n"
           "Runs COMMAND with the kernel's uprobes on a CPython 3.13 interpreter's lock\n"
           "functions and reports what its GIL did: every thread's waits, holds and drops.\n"
           "Needs root or CAP_PERFMON, a kernel with uprobe events and an interpreter with\n"
           "its symbol table (the builds of make pythons).  When it cannot trace, it says\n"
           "why in one line, exits 3 and does not run COMMAND.\n"
           "\n"
           "  --interpreter PATH   the binary to probe (default: COMMAND, found on PATH)\n"
           "  --locks gil|parking  gil (default): take_gil, drop_gil, _Py_HandlePending;\n"
           "                       parking, for a free-threaded build: _PyParkingLot_Park,\n"
           "                       stop_the_world, _PyThreadState_Attach/_Detach\n"
           "  --json FILE          one JSON line of figures, written when COMMAND ends\n"
           "  --trace FILE         the events in the format of `gilbench run --trace`\n"
           "                       (gil only), one worker thread per worker\n"
           "  --name NAME          the trace's name for what runs (default: COMMAND's name)\n"
           "  --switch-interval-us US  the switch interval COMMAND runs with, for the\n"
           "                       trace's header (default 5000, CPython's own)\n"
           "  --timeout SECONDS    stop COMMAND after this long (exit status 124)\n"
           "  --check              only say whether tracing is possible (exit 0 or 3)\n"
           "\n"
           "The exit status is COMMAND's (128 + N if a signal N ended it).  The workers are\n"
           "the threads other than their process's main thread; the figures are theirs.\n");
}

static char *find_on_path(const char *name)
{
    if (strchr(name, '/'))
        return realpath(name, NULL);
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *dir = path; *dir;) {
        size_t length = strcspn(dir, ":");
        char candidate[PATH_MAX];
        if (snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, length ? dir : ".", name)
                < (int)sizeof candidate &&
            access(candidate, X_OK) == 0)
            return realpath(candidate, NULL);
        dir += length + (dir[length] == ':');
    }
    return NULL;
}

static struct options parse(int argc, char **argv)
{
    struct options o = { .locks = CPYTHON_GIL, .switch_interval_us = 5000 };
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            exit(0);
        }
        if (strcmp(a, "--check") == 0) {
            o.check = 1;
            continue;
        }
        if (a[0] != '-')
            break;
        if (i + 1 >= argc)
            usage_error("gil-trace: %s needs a value (gil-trace --help)", a);
        const char *value = argv[++i];
        if (strcmp(a, "--interpreter") == 0)
            o.interpreter = value;
        else if (strcmp(a, "--json") == 0)
            o.json_path = value;
        else if (strcmp(a, "--trace") == 0)
            o.trace_path = value;
        else if (strcmp(a, "--name") == 0)
            o.name = value;
        else if (strcmp(a, "--switch-interval-us") == 0)
            o.switch_interval_us = (long)parse_whole_number(a, value, 1, 1000000000);
        else if (strcmp(a, "--locks") == 0) {
            if (strcmp(value, "gil") == 0)
                o.locks = CPYTHON_GIL;
            else if (strcmp(value, "parking") == 0)
                o.locks = CPYTHON_PARKING;
            else
                usage_error("gil-trace: --locks is gil or parking, not '%s'", value);
        } else if (strcmp(a, "--timeout") == 0) {
            char *end;
            errno = 0;
            o.timeout = strtod(value, &end);
            if (end == value || *end || errno || !(o.timeout > 0) || o.timeout > 1e7)
                usage_error("gil-trace: --timeout takes seconds (a number above 0), not '%s'", value);
        } else {
            usage_error("gil-trace: unknown option '%s' (gil-trace --help)", a);
        }
    }
    o.command = i < argc ? argv + i : NULL;
    if (!o.check && !o.command)
        usage_error("gil-trace: no command to run: gilbench gil-trace [options] -- COMMAND [ARG...]");
    if (o.check && !o.interpreter && !o.command)
        usage_error("gil-trace: --check needs --interpreter PATH");
    if (o.trace_path && o.locks != CPYTHON_GIL)
        usage_error("gil-trace: --trace draws the GIL: it needs --locks gil");
    return o;
}

/* Opens the probes, or says in one line why not and returns NULL. */
static struct uprobes *open_probes(const char *interpreter, enum cpython_locks locks)
{
    const char *what = locks == CPYTHON_GIL ? "the GIL" : "the locks";
    char why[512];
    struct cpython_probes plan;
    if (cpython_probes_find(interpreter, locks, &plan, why, sizeof why) != 0) {
        fprintf(stderr, "gilbench: cannot trace %s of %s: %s\n", what, interpreter, why);
        return NULL;
    }
    if (uprobes_pmu_type() < 0) {
        fprintf(stderr, "gilbench: cannot trace %s of %s: the kernel has no uprobe events "
                "(/sys/bus/event_source/devices/uprobe/type)\n", what, interpreter);
        return NULL;
    }
    enum uprobes_status status;
    struct uprobes *u = uprobes_open(interpreter, plan.specs, plan.count, &status, why, sizeof why);
    if (!u && status == UPROBES_NOT_PERMITTED)
        fprintf(stderr, "gilbench: cannot trace %s of %s: not permitted: tracing needs root or "
                "CAP_PERFMON (%s)\n", what, interpreter, why);
    else if (!u)
        fprintf(stderr, "gilbench: cannot trace %s of %s: %s\n", what, interpreter, why);
    return u;
}

struct report {
    const char *interpreter;
    enum cpython_locks locks;
    const struct traced_run *run;
    const struct gil_timelines *gil;
    const struct gil_figures *figures;
    const struct parking_figures *parking;
    const struct options *options;
};

static int write_json(FILE *out, const void *what)
{
    const struct report *r = what;
    fputs("{\"interpreter\":", out);
    json_write_string(out, r->interpreter);
    fprintf(out, ",\"locks\":\"%s\",\"command_status\":%d,\"seconds\":%.9g",
            r->locks == CPYTHON_GIL ? "gil" : "parking", r->run->status, r->run->seconds);
    fprintf(out, ",\"lost_events\":%llu,\"unattributed_events\":%llu",
            (unsigned long long)r->run->lost, (unsigned long long)r->run->unattributed);
    if (r->locks == CPYTHON_GIL) {
        const struct gil_figures *f = r->figures;
        fprintf(out, ",\"threads\":%u,\"gils\":%u,\"workers\":%u,\"gil_switches\":%llu",
                r->gil->threads, r->gil->locks, f->workers, (unsigned long long)f->switches);
        json_write_number(out, "gil_hold_seconds", f->workers ? f->hold_seconds : NAN);
        json_write_number(out, "gil_wait_seconds", f->workers ? f->wait_seconds : NAN);
        json_write_number(out, "gil_main_hold_seconds", r->gil->main_hold_seconds);
        gil_figures_write_json(out, f);
    } else {
        const struct parking_figures *p = r->parking;
        size_t n = (size_t)p->parks;
        fprintf(out, ",\"threads\":%u,\"workers\":%u,\"parks\":%llu", p->threads, p->workers,
                (unsigned long long)p->parks);
        json_write_number(out, "parked_seconds", p->parked_seconds);
        json_write_number(out, "parked_share",
                          p->lifetime_seconds > 0 ? p->parked_seconds / p->lifetime_seconds : NAN);
        json_write_number(out, "park_p50_seconds", n ? stats_percentile(p->park_seconds, n, 50) : NAN);
        json_write_number(out, "park_p99_seconds", n ? stats_percentile(p->park_seconds, n, 99) : NAN);
        fprintf(out, ",\"stop_the_world\":%llu", (unsigned long long)p->stop_the_world);
        json_write_number(out, "stop_the_world_seconds", p->stop_the_world_seconds);
    }
    fputs("}\n", out);
    return 0;
}

static int write_trace(FILE *out, const void *what)
{
    const struct report *r = what;
    const struct options *o = r->options;
    const char *name = o->name ? o->name : o->command[0];
    if (!o->name && strrchr(name, '/'))
        name = strrchr(name, '/') + 1;
    /* The model's header line, as the timeline reads it; then the command. */
    fputs("# gilbench trace: workload ", out);
    for (const char *c = name; *c; c++)
        fputc(*c == ',' || *c == '\n' || *c == '\r' ? ' ' : *c, out);
    /* "run": the span the events cover, from the first worker's first event
     * (the interpreter's own start is before it). */
    double last = r->gil->origin;
    for (unsigned w = 0; w < r->gil->worker_count; w++)
        if (r->gil->workers[w].count)
            last = fmax(last, r->gil->workers[w].events[r->gil->workers[w].count - 1].at);
    fprintf(out, ", CPython %s, %u workers, switch interval %ld us, run %.6f s\n# command:",
            r->interpreter, r->gil->worker_count, o->switch_interval_us, last - r->gil->origin);
    for (char *const *word = o->command; *word; word++) {
        fputc(' ', out);
        for (const char *c = *word; *c; c++)     /* one line whatever the words hold */
            fputc(*c == '\n' || *c == '\r' ? ' ' : *c, out);
    }
    fprintf(out, "\n# workers: the threads other than the main thread; time_us: microseconds after\n"
            "# the first worker's first event\n"
            "# wait: entered take_gil; acquire: returned from it; yield: drop_gil inside "
            "_Py_HandlePending (asked to drop it);\n"
            "# release: any other drop_gil (I/O, C work, or done); CPython's drop requests are "
            "set inline and cannot be seen\n"
            "# lost events: %llu\n"
            "worker\ttime_us\tevent\n", (unsigned long long)r->run->lost);
    return gil_trace_write(out, r->gil->workers, r->gil->worker_count, r->gil->origin);
}

int gil_trace_command(int argc, char **argv)
{
    struct options o = parse(argc, argv);
    char *interpreter = find_on_path(o.interpreter ? o.interpreter : o.command[0]);
    if (!interpreter)
        usage_error("gil-trace: cannot find the interpreter %s%s",
                    o.interpreter ? o.interpreter : o.command[0],
                    o.interpreter || strchr(o.command[0], '/') ? "" : " on PATH");
    struct uprobes *u = open_probes(interpreter, o.locks);
    if (!u) {
        free(interpreter);
        return CANNOT_TRACE;
    }
    if (o.check) {
        uprobes_close(u);
        free(interpreter);
        return 0;
    }
    struct traced_run run;
    int started = traced_command_run(u, o.command, o.timeout, &run);
    uprobes_close(u);           /* before anything else: the probes cost every run of the binary */
    if (started != 0) {
        free(interpreter);
        return 127;
    }
    struct gil_timelines gil = { 0 };
    struct gil_figures figures = { 0 };
    struct parking_figures parking = { 0 };
    int failed = o.locks == CPYTHON_GIL
                     ? gil_timelines_of(run.hits, run.count, &gil) != 0 ||
                           gil_figures_of(gil.workers, gil.worker_count, &figures) != 0
                     : parking_figures_of(run.hits, run.count, &parking) != 0;
    if (failed)
        fprintf(stderr, "gilbench: out of memory reading the trace of %s\n", o.command[0]);
    struct report r = { interpreter, o.locks, &run, &gil, &figures, &parking, &o };
    if (!failed && o.json_path)
        failed = write_atomically(o.json_path, write_json, &r);
    if (!failed && o.trace_path)
        failed = write_atomically(o.trace_path, write_trace, &r);
    if (run.lost)
        fprintf(stderr, "gilbench: the kernel dropped %llu of the probes' hits: the figures of %s "
                "miss them\n", (unsigned long long)run.lost, o.command[0]);
    gil_timelines_free(&gil);
    parking_figures_free(&parking);
    traced_run_free(&run);
    free(interpreter);
    return failed && run.status == 0 ? 1 : run.status;
}
