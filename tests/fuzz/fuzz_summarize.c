/*
 * fuzz_summarize.c - `gilbench summarize`'s reader of the tab-separated
 * runs (and processes) files the sweep writes: any bytes as that file, then
 * the statistics, the CSV, the table and the answer lines from whatever it
 * accepted.  It must succeed or refuse with one status (1 or 2), never
 * crash, read out of bounds or leak (a refusal frees what was read: before,
 * every refused file kept its lines, and the fuzzer ran out of memory).  The first byte says whether the input is
 * the --runs file (0), or beside a fixed runs file the --processes file (odd) or
 * the --gil-traces file, the sweep's gil.csv (2).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fuzz_support.h"

/* In the folder the harness runs in (fuzz.sh gives each a scratch folder
 * of its own under build/), removed at exit: never left in /tmp. */
static char folder[] = "gilbench-fuzz-summarize.XXXXXX";
static char runs_path[64], processes_path[64], traces_path[64], csv_path[64];

static const char RUNS[] =
    "cpu_loop\t-\tgil\t1\t1.0\t1000\t0\t0\t0.001\n"
    "cpu_loop\t-\tgil\t1\t1.1\t1000\t0\t0\t0.001\n"
    "cpu_loop\t-\tgil\t2\t0.6\t1000\t0\t0\t0.001\n"
    "cpu_loop\t-\tgil\t2\t0.5\t1000\t0\t0\t0.001\n";

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

static void remove_folder(void)
{
    unlink(runs_path);
    unlink(processes_path);
    unlink(traces_path);
    unlink(csv_path);
    rmdir(folder);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    if (!mkdtemp(folder))
        abort();
    atexit(remove_folder);
    snprintf(runs_path, sizeof runs_path, "%s/runs.tsv", folder);
    snprintf(processes_path, sizeof processes_path, "%s/processes.tsv", folder);
    snprintf(traces_path, sizeof traces_path, "%s/gil.csv", folder);
    snprintf(csv_path, sizeof csv_path, "%s/summary.csv", folder);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    bool processes = data[0] & 1, traces = !processes && (data[0] & 2);
    const char *beside = processes ? "--processes" : "--gil-traces";
    if (processes || traces) {
        write_file(runs_path, RUNS, sizeof RUNS - 1);
        write_file(processes ? processes_path : traces_path, data + 1, size - 1);
    } else {
        write_file(runs_path, data + 1, size - 1);
    }
    char *argv[] = { "--runs", runs_path, "--csv", csv_path, "--table", "--answer", "--cpus", "2",
                     (char *)beside, processes ? processes_path : traces_path, NULL };
    int argc = processes || traces ? 10 : 8;
    int status = fuzz_call(summarize_command, argc, argv);
    if (status != 0 && status != 1 && status != 2)
        fuzz_finding("summarize ended with a status other than 0, 1 or 2");
    return 0;
}
