/*
 * run_command.c - `gilbench run`: reads the options of one configuration,
 * checks every one of them before anything runs, runs it and prints the
 * result as one JSON line on stdout (and appends the same line to a file
 * with --append-json, which is how `make bench` keeps the line of every run
 * while hyperfine times the whole process and discards its output).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "json_out.h"
#include "mpi_mode.h"
#include "registry.h"
#include "run.h"
#include "watchdog.h"

#define MAX_WORKERS 4096
#define MAX_UNITS 1000000000000ULL
#define MAX_TIMEOUT_S 86400
#define MAX_PAYLOAD_KIB (GB_MAX_TASK_PAYLOAD / 1024)

static void print_run_help(void)
{
    printf("usage: gilbench run --workload NAME --mode gil|threads|procs|interp [options]\n"
           "\n"
           "Runs one configuration and prints its result as one JSON object on one line.\n"
           "\n"
           "  --workload NAME          a workload from `gilbench list`\n"
           "  --mode MODE              gil      threads under a model of CPython's GIL\n"
           "                           threads  the same threads with no lock (free-threaded Python)\n"
           "                           procs    forked worker processes (multiprocessing, fork)\n"
           "                           interp   threads, each an interpreter with its own GIL and\n"
           "                                    its own copy of the workload's state (PEP 684)\n"
           "                           mpi      Open MPI ranks: build/gilbench-mpi under mpirun -n N\n"
           "  --workers N              workers to run, 1 to %d (default 1)\n"
           "  --units U                total units of work, 1 to %llu (default: the workload's);\n"
           "                           fewer than --workers (than --workers x --chunksize under\n"
           "                           pool) is refused: idle workers would measure nothing\n"
           "  --allow-idle-workers     run it all the same (the dispatch's own tests do)\n"
           "  --weak                   every worker does all U units (weak scaling) instead of\n"
           "                           a share of them (strong scaling, the default)\n"
           "  --switch-interval-us US  the GIL's switch interval in microseconds, 1 to %ld\n"
           "                           (default %ld, as sys.getswitchinterval()); gil mode only\n"
           "  --param NAME=VALUE       a workload setting (listed below); repeatable\n"
           "  --append-json FILE       also append the JSON line to FILE, in one write\n"
           "  --error-log FILE         append error messages to FILE instead of stderr (for\n"
           "                           callers such as hyperfine that discard stderr)\n"
           "  --trace FILE             write every take, drop and drop request of the GIL,\n"
           "                           per worker, with its time, to FILE (gil mode only;\n"
           "                           make timeline TRACE=FILE draws it)\n"
           "  --timeout S              end the run after S seconds, 1 to %d (exit status 124);\n"
           "                           default: no limit\n"
           "  --dispatch shares|pool   shares (default): each worker one share of the units, as\n"
           "                           Thread(target=f, args=(share,)); pool: the units as tasks\n"
           "                           through a persistent pool of the workers, made before the\n"
           "                           timed region, as list(executor.map(f, units, chunksize=C))\n"
           "                           (not with --mode mpi or --weak)\n"
           "  --chunksize C            pool: units per task, 1 to %llu (default 1)\n"
           "  --task-arg-kib K         pool: bytes every task carries to its worker (its pickled\n"
           "                           arguments), 0 to %llu KiB (default: the workload's, or 0)\n"
           "  --task-result-kib K      pool: bytes every task's result carries back (the same)\n"
           "  --dry-run                check the options, run nothing, print nothing\n"
           "  --help                   this text\n"
           "\n"
           "Exit status: 0 success, 1 the run failed (a worker crashed or failed, a wrong\n"
           "checksum), 2 bad usage, 124 timed out; a crash of the whole process ends it by\n"
           "its signal.\n"
           "\nWorkload settings:\n",
           MAX_WORKERS, MAX_UNITS, GIL_MAX_INTERVAL_US, GIL_DEFAULT_INTERVAL_US, MAX_TIMEOUT_S,
           GB_MAX_CHUNKSIZE, MAX_PAYLOAD_KIB);
    for (size_t i = 0; i < gb_workload_count; i++) {
        const struct gb_workload *wl = gb_workloads[i];
        printf("  %s (default %llu units, a unit is %s)\n", wl->name,
               (unsigned long long)wl->default_units, wl->unit);
        for (int p = 0; p < GB_MAX_PARAMS && wl->params[p].name; p++)
            printf("      %-10s %s (default %llu, %llu to %llu)\n", wl->params[p].name,
                   wl->params[p].description, (unsigned long long)wl->params[p].default_value,
                   (unsigned long long)wl->params[p].min_value,
                   (unsigned long long)wl->params[p].max_value);
    }
}

static const char *workload_names(void)
{
    static char names[1024];
    size_t used = 0;
    for (size_t i = 0; i < gb_workload_count && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                 gb_workloads[i]->name);
    return names;
}

static enum gb_mode parse_mode(const char *text)
{
    if (strcmp(text, "gil") == 0)
        return GB_MODE_GIL;
    if (strcmp(text, "threads") == 0)
        return GB_MODE_THREADS;
    if (strcmp(text, "procs") == 0)
        return GB_MODE_PROCS;
    if (strcmp(text, "interp") == 0)
        return GB_MODE_INTERP;
    if (strcmp(text, "mpi") == 0) {
        if (!gb_mpi_built)
            usage_error("--mode mpi runs build/gilbench-mpi under mpirun; this build has no MPI "
                        "(apt-get install -y openmpi-bin libopenmpi-dev, then make)");
        return GB_MODE_MPI;
    }
    usage_error("unknown --mode '%s'; accepted: gil, threads, procs, interp%s", text,
                gb_mpi_built ? ", mpi" : "");
}

static enum gb_dispatch parse_dispatch(const char *text)
{
    if (strcmp(text, "shares") == 0)
        return GB_DISPATCH_SHARES;
    if (strcmp(text, "pool") == 0)
        return GB_DISPATCH_POOL;
    usage_error("unknown --dispatch '%s'; accepted: shares, pool", text);
}

/* The pool's settings, once the workload, mode and params are known: a
 * setting of the pool without it, or a job the pool cannot run, is a usage
 * error.  The payloads: the options, else the workload's own. */
/* A run in which some workers get no unit (shares) or no task (pool)
 * measures fewer workers than it names: refused, with the units it needs. */
static void refuse_idle_workers(const struct gb_job *job)
{
    if (job->weak || job->workload->idle_workers_measured)
        return;
    bool pool = job->dispatch == GB_DISPATCH_POOL;
    uint64_t portions = pool ? (job->units + job->chunksize - 1) / job->chunksize : job->units;
    if (portions >= job->workers)
        return;
    unsigned long long idle = job->workers - portions;
    const char *s = idle == 1 ? "" : "s";
    if (pool)
        usage_error("--workers %u with --units %llu in tasks of --chunksize %llu: %llu worker%s would get "
                    "no task; give --units at least %llu", job->workers, (unsigned long long)job->units,
                    (unsigned long long)job->chunksize, idle, s,
                    (unsigned long long)job->workers * job->chunksize);
    usage_error("--workers %u with --units %llu: %llu worker%s would get no unit; give --units at least %u "
                "(or --weak)", job->workers, (unsigned long long)job->units, idle, s, job->workers);
}

static void apply_dispatch(struct gb_job *job, const char *mode_text, const char *chunksize_text,
                           const char *arg_kib_text, const char *result_kib_text)
{
    const char *pool_option = chunksize_text ? "--chunksize"
                              : arg_kib_text ? "--task-arg-kib"
                              : result_kib_text ? "--task-result-kib" : NULL;
    if (job->dispatch != GB_DISPATCH_POOL) {
        if (pool_option)
            usage_error("%s applies to --dispatch pool only (the dispatch is shares)", pool_option);
        char why[512];
        if (gb_shares_problem(job, why, sizeof why) != 0)
            usage_error("%s", why);
        return;
    }
    if (strcmp(mode_text, "mpi") == 0) /* before parse_mode: also in a build without MPI */
        usage_error("--dispatch pool needs a pool of threads or forked processes; --mode mpi "
                    "has none (each rank does its share)");
    job->chunksize = chunksize_text ? parse_whole_number("--chunksize", chunksize_text, 1,
                                                         GB_MAX_CHUNKSIZE)
                                    : 1;
    uint64_t arg_bytes = 0, result_bytes = 0;
    if (job->workload->task_payload)
        job->workload->task_payload(job, &arg_bytes, &result_bytes);
    if (arg_kib_text)
        arg_bytes = parse_whole_number("--task-arg-kib", arg_kib_text, 0, MAX_PAYLOAD_KIB) * 1024;
    if (result_kib_text)
        result_bytes = parse_whole_number("--task-result-kib", result_kib_text, 0,
                                          MAX_PAYLOAD_KIB) * 1024;
    job->task_arg_bytes = arg_bytes;
    job->task_result_bytes = result_bytes;
    char why[512];
    if (gb_pool_problem(job, why, sizeof why) != 0)
        usage_error("%s", why);
}

/* Applies one --param NAME=VALUE to the job, whose workload is known. */
static void apply_param(struct gb_job *job, const char *text, bool *given)
{
    const char *equals = strchr(text, '=');
    if (!equals || equals == text)
        usage_error("--param '%s' is not NAME=VALUE", text);
    size_t name_length = (size_t)(equals - text);
    const struct gb_workload *wl = job->workload;
    for (int i = 0; i < GB_MAX_PARAMS && wl->params[i].name; i++) {
        const struct gb_param *p = &wl->params[i];
        if (strlen(p->name) != name_length || strncmp(p->name, text, name_length) != 0)
            continue;
        if (given[i])
            usage_error("--param %s is given twice", p->name);
        given[i] = true;
        char option[64];
        snprintf(option, sizeof option, "--param %s", p->name);
        job->params[i] = parse_whole_number(option, equals + 1, p->min_value, p->max_value);
        return;
    }
    char accepted[512] = "";
    size_t used = 0;
    for (int i = 0; i < GB_MAX_PARAMS && wl->params[i].name && used < sizeof accepted; i++)
        used += (size_t)snprintf(accepted + used, sizeof accepted - used, "%s%s", i ? ", " : "",
                                 wl->params[i].name);
    usage_error("workload %s has no setting '%.*s'; accepted: %s", wl->name, (int)name_length,
                text, used ? accepted : "none");
}

/* The value of an option given as "--name value" or "--name=value". */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const char *arg = argv[*i];
    size_t length = strlen(name);
    if (arg[length] == '=')
        return arg + length + 1;
    if (*i + 1 >= argc)
        usage_error("%s needs a value", name);
    return argv[++*i];
}

static bool is_option(const char *arg, const char *name)
{
    size_t length = strlen(name);
    return strncmp(arg, name, length) == 0 && (arg[length] == '\0' || arg[length] == '=');
}

/* Appends line to path in one write(); a write cut short (a full disk, a
 * file size limit) is undone, so the file never holds half a line. */
static int append_line(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "gilbench: cannot open --append-json file %s: %s\n", path, strerror(errno));
        return 1;
    }
    off_t size_before = lseek(fd, 0, SEEK_END);
    size_t length = strlen(line);
    ssize_t written = write(fd, line, length);
    int write_errno = errno;
    if (written != (ssize_t)length) {
        if (written > 0 && size_before >= 0 && ftruncate(fd, size_before) != 0)
            fprintf(stderr, "gilbench: %s now ends in a partial line: %s\n", path, strerror(errno));
        close(fd);
        fprintf(stderr, "gilbench: cannot append to %s: %s\n", path,
                written < 0 ? strerror(write_errno) : "short write (disk full?)");
        return 1;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "gilbench: cannot append to %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

int run_command(int argc, char **argv)
{
    const char *workload_name = NULL, *mode_text = NULL, *units_text = NULL;
    const char *append_path = NULL, *trace_path = NULL;
    const char *chunksize_text = NULL, *arg_kib_text = NULL, *result_kib_text = NULL;
    const char *param_texts[64];
    int param_count = 0;
    struct gb_job job = { .workers = 1 };
    long switch_interval_us = GIL_DEFAULT_INTERVAL_US;
    unsigned timeout_s = 0;
    bool dry_run = false, allow_idle_workers = false;

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_run_help();
            return 0;
        } else if (is_option(arg, "--workload")) {
            workload_name = option_value(argc, argv, &i, "--workload");
        } else if (is_option(arg, "--mode")) {
            mode_text = option_value(argc, argv, &i, "--mode");
        } else if (is_option(arg, "--workers")) {
            job.workers = (unsigned)parse_whole_number(
                "--workers", option_value(argc, argv, &i, "--workers"), 1, MAX_WORKERS);
        } else if (is_option(arg, "--units")) {
            units_text = option_value(argc, argv, &i, "--units");
        } else if (is_option(arg, "--switch-interval-us")) {
            switch_interval_us = (long)parse_whole_number(
                "--switch-interval-us", option_value(argc, argv, &i, "--switch-interval-us"), 1,
                GIL_MAX_INTERVAL_US);
        } else if (strcmp(arg, "--weak") == 0) {
            job.weak = true;
        } else if (strcmp(arg, "--allow-idle-workers") == 0) {
            allow_idle_workers = true;
        } else if (strcmp(arg, "--dry-run") == 0) {
            dry_run = true;
        } else if (is_option(arg, "--timeout")) {
            timeout_s = (unsigned)parse_whole_number(
                "--timeout", option_value(argc, argv, &i, "--timeout"), 1, MAX_TIMEOUT_S);
        } else if (is_option(arg, "--dispatch")) {
            job.dispatch = parse_dispatch(option_value(argc, argv, &i, "--dispatch"));
        } else if (is_option(arg, "--chunksize")) {
            chunksize_text = option_value(argc, argv, &i, "--chunksize");
        } else if (is_option(arg, "--task-arg-kib")) {
            arg_kib_text = option_value(argc, argv, &i, "--task-arg-kib");
        } else if (is_option(arg, "--task-result-kib")) {
            result_kib_text = option_value(argc, argv, &i, "--task-result-kib");
        } else if (is_option(arg, "--param")) {
            if (param_count == (int)(sizeof param_texts / sizeof param_texts[0]))
                usage_error("too many --param options");
            param_texts[param_count++] = option_value(argc, argv, &i, "--param");
        } else if (is_option(arg, "--error-log")) {
            const char *log_path = option_value(argc, argv, &i, "--error-log");
            if (*log_path == '\0')
                usage_error("--error-log needs a file name");
            int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
            if (fd < 0)
                usage_error("cannot open --error-log file %s: %s", log_path, strerror(errno));
            dup2(fd, STDERR_FILENO);
            close(fd);
        } else if (is_option(arg, "--trace")) {
            trace_path = option_value(argc, argv, &i, "--trace");
            if (*trace_path == '\0')
                usage_error("--trace needs a file name");
        } else if (is_option(arg, "--append-json")) {
            append_path = option_value(argc, argv, &i, "--append-json");
            if (*append_path == '\0')
                usage_error("--append-json needs a file name");
        } else {
            usage_error("unknown option '%s' for run; see gilbench run --help", arg);
        }
    }
    if (!workload_name)
        usage_error("run needs --workload NAME; accepted: %s", workload_names());
    job.workload = gb_find_workload(workload_name);
    if (!job.workload)
        usage_error("unknown --workload '%s'; accepted: %s", workload_name, workload_names());
    if (!mode_text)
        usage_error("run needs --mode; accepted: gil, threads, procs, interp");
    if (job.dispatch == GB_DISPATCH_POOL && strcmp(mode_text, "mpi") == 0)
        apply_dispatch(&job, mode_text, chunksize_text, arg_kib_text, result_kib_text);
    job.mode = parse_mode(mode_text);
    if (job.mode == GB_MODE_MPI && job.workload->one_process)
        usage_error("workload %s cannot run as MPI ranks: its workers meet through pipes or "
                    "memory of one process", job.workload->name);
    if (trace_path && job.mode != GB_MODE_GIL && job.mode != GB_MODE_INTERP)
        usage_error("--trace records the GIL's events, so it needs --mode gil or interp, not %s",
                    mode_text);
    job.units = units_text ? parse_whole_number("--units", units_text, 1, MAX_UNITS)
                           : job.workload->default_units;
    if (job.weak && job.units > MAX_UNITS / job.workers)
        usage_error("--units %llu x --workers %u is more than %llu units in all",
                    (unsigned long long)job.units, job.workers, MAX_UNITS);

    bool given[GB_MAX_PARAMS] = { false };
    for (int i = 0; i < GB_MAX_PARAMS && job.workload->params[i].name; i++)
        job.params[i] = job.workload->params[i].default_value;
    for (int i = 0; i < param_count; i++)
        apply_param(&job, param_texts[i], given);
    apply_dispatch(&job, mode_text, chunksize_text, arg_kib_text, result_kib_text);
    if (!allow_idle_workers)
        refuse_idle_workers(&job);
    if (dry_run)
        return 0;

    watchdog_start(timeout_s);
    report_fatal_signals();
    stop_workers_on_termination();
    struct gb_result result;
    if (job.mode == GB_MODE_MPI) {
        bool reports = false;
        int mpi_status = gb_run_mpi(&job, &result, &reports);
        if (mpi_status != 0 || !reports)
            return mpi_status;
    } else if (gb_run(&job, switch_interval_us, trace_path, &result) != 0) {
        return 1;
    }
    char *line = result_json_line(&job, switch_interval_us, &result);
    free(result.trace_figures);
    if (!line) {
        fprintf(stderr, "gilbench: out of memory formatting the result\n");
        return 1;
    }
    int status = append_path ? append_line(append_path, line) : 0;
    if (status == 0 && (fputs(line, stdout) == EOF || fflush(stdout) != 0)) {
        fprintf(stderr, "gilbench: cannot write the result to stdout\n");
        status = 1;
    }
    free(line);
    return status;
}
