/*
 * fuzz_run_options.c - `gilbench run`'s options and --param values: each
 * input line is one argument after --dry-run, and run_command parses and
 * checks everything a run would (workload, mode, dispatch, counts, sizes,
 * settings) without running it.  It must return 0 or refuse with status 2;
 * anything else, or a sanitizer's report, is a finding.  Run in a scratch
 * folder: --error-log and the like may create files there.
 */
#include <stdint.h>
#include <stdlib.h>

#include "commands.h"
#include "fuzz_support.h"

enum { MAX_ARGS = 24 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buffer = malloc(size + 1);
    char *argv[MAX_ARGS + 2];
    /* --dry-run first: last, an option that wants a value would take it as
     * its value, and the run would really run. */
    argv[0] = "--dry-run";
    int argc = 1 + fuzz_split_lines(data, size, buffer, argv + 1, MAX_ARGS);
    argv[argc] = NULL;
    int status = fuzz_call(run_command, argc, argv);
    if (status != 0 && status != 2)
        fuzz_finding("run --dry-run ended with a status other than 0 or 2");
    free(buffer);
    return 0;
}
