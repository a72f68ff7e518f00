/*
 * main.c - the gilbench program: dispatches to its subcommands.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "commands.h"
#include "registry.h"

static void print_help(void)
{
    printf("usage: gilbench COMMAND [options]\n"
           "\n"
           "Measures when threads help and when only processes do: every workload runs\n"
           "under a model of CPython's GIL (gil), with free threads (threads) and in forked\n"
           "processes (procs).\n"
           "\n"
           "Commands:\n"
           "  list [--default]      every workload with its one-line description (--default:\n"
           "                        only those of the default sweep)\n"
           "  run [options]         run one configuration, print one JSON line (run --help)\n"
           "  info                  this build and machine as JSON: compiler, OpenBLAS, CPUs\n"
           "  summarize [options]   per-point statistics from a sweep's runs (summarize --help)\n"
           "  overhead              what a check point and a GIL release/re-acquire cost here\n"
           "  peak                  this machine's single-core double-precision FMA peak (GFLOP/s)\n"
           "  gil-trace [options] -- COMMAND   run COMMAND under CPython with uprobes on its GIL\n"
           "                        and report its waits, holds and hand-offs (gil-trace --help)\n"
           "  clock                 print CLOCK_MONOTONIC at the start of main() (for startup)\n"
           "  --help                this text\n");
}

/* `list`: every workload; `list --default`: those of the default sweep. */
int list_command(int argc, char **argv)
{
    bool default_only = argc == 1 && strcmp(argv[0], "--default") == 0;
    if (argc > 1 || (argc == 1 && !default_only))
        usage_error("list takes no arguments but --default");
    for (size_t i = 0; i < gb_workload_count; i++) {
        const struct gb_workload *wl = gb_workloads[i];
        if (!default_only || !wl->extra)
            printf("%-14s %s%s\n", wl->name, wl->description,
                   wl->extra ? " [extra: not in the default sweep]" : "");
    }
    return 0;
}

/*
 * OpenBLAS starts its own thread pool when the library is loaded, before
 * main(), sized by OPENBLAS_NUM_THREADS or else the CPU count.  Those threads
 * spin for a while after start-up and would compete with the workers of a
 * run (measured: about 0.07 s of CPU in the first 0.3 s).  The suite, not
 * OpenBLAS, decides the parallelism, so a run executes itself again with
 * OPENBLAS_NUM_THREADS=1 when it finds a larger pool.  `make bench` sets the
 * variable itself, so timed runs are never re-executed.
 */
/*
 * The same, before OpenBLAS is loaded: a function of the program's
 * .preinit_array runs before every shared library's constructor (glibc
 * passes it argc, argv and the environment).  For `run`, when nothing says
 * how many threads OpenBLAS should start, the program executes itself again
 * at once with OPENBLAS_NUM_THREADS=1, so that OpenBLAS never starts a pool
 * of the CPU count: a low process limit (ulimit -u) would refuse it inside
 * OpenBLAS's constructor, which ends the program before main() with lines
 * of its own.  (setenv() here would not do: libc's own initialisation,
 * which comes after, takes the environment from the kernel's again.)  Other
 * commands (info reports OpenBLAS's default) load it as it is.
 */
static void blas_one_thread_unless_told(int argc, char **argv, char **envp)
{
    if (argc < 2 || strcmp(argv[1], "run") != 0 || getenv("GILBENCH_REEXECUTED"))
        return;
    size_t count = 0;
    for (; envp[count]; count++)
        if (strncmp(envp[count], "OPENBLAS_NUM_THREADS=", 21) == 0 ||
            strncmp(envp[count], "GOTO_NUM_THREADS=", 17) == 0 ||
            strncmp(envp[count], "OMP_NUM_THREADS=", 16) == 0)
            return;
    static char *with_one_thread[8192]; /* no allocation before libc is set up */
    if (count + 3 > sizeof with_one_thread / sizeof *with_one_thread)
        return;
    memcpy(with_one_thread, envp, count * sizeof *envp);
    with_one_thread[count] = "OPENBLAS_NUM_THREADS=1";
    with_one_thread[count + 1] = "GILBENCH_REEXECUTED=1";
    with_one_thread[count + 2] = NULL;
    execve("/proc/self/exe", argv, with_one_thread);
    /* Not fatal: OpenBLAS starts its pool, as without this. */
}
__attribute__((section(".preinit_array"), used))
static void (*const set_blas_threads_first)(int, char **, char **) = blas_one_thread_unless_told;

static void ensure_single_threaded_blas(char **argv)
{
    if (openblas_get_num_threads() <= 1 || getenv("GILBENCH_REEXECUTED"))
        return;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("GILBENCH_REEXECUTED", "1", 1);
    execv("/proc/self/exe", argv);
    /* Not fatal: the run is still correct, only noisier. */
    fprintf(stderr, "gilbench: warning: could not restart with one OpenBLAS thread\n");
}

int main(int argc, char **argv)
{
    /* `clock`: the moment this process reached main(), for the startup
     * workload, which starts fresh processes and waits for them to run.
     * First of all, so that nothing else is counted. */
    if (argc == 2 && strcmp(argv[1], "clock") == 0) {
        printf("%.9f\n", gb_now());
        return 0;
    }
    if (argc < 2)
        usage_error("a command is needed; accepted: list, run, info, summarize, overhead, peak, gil-trace, clock, --help");
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(command, "list") == 0)
        return list_command(argc - 2, argv + 2);
    if (strcmp(command, "run") == 0) {
        ensure_single_threaded_blas(argv);
        return run_command(argc - 2, argv + 2);
    }
    if (strcmp(command, "info") == 0)
        return info_command(argc - 2, argv + 2);
    if (strcmp(command, "summarize") == 0)
        return summarize_command(argc - 2, argv + 2);
    if (strcmp(command, "overhead") == 0)
        return overhead_command(argc - 2, argv + 2);
    if (strcmp(command, "peak") == 0)
        return peak_command(argc - 2, argv + 2);
    if (strcmp(command, "gil-trace") == 0)
        return gil_trace_command(argc - 2, argv + 2);
    usage_error("unknown command '%s'; accepted: list, run, info, summarize, overhead, peak, gil-trace, clock, --help", command);
}
