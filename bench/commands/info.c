/*
 * info.c - `gilbench info`: what this binary was built with and what the
 * machine gives it, as one JSON object, for a results folder's meta.json.
 * OpenBLAS is asked directly (openblas_get_config) rather than guessed from
 * package names, since the library actually loaded is what ran.
 */
#include <cblas.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "json_out.h"

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "unknown C compiler"
#endif

#ifndef GB_BUILD_FLAGS
#define GB_BUILD_FLAGS "unknown"
#endif

static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return (int)sysconf(_SC_NPROCESSORS_ONLN);
    return CPU_COUNT(&set);
}

static const char *openblas_threading(int parallel)
{
    switch (parallel) {
    case 0: return "sequential";
    case 1: return "pthreads";
    case 2: return "openmp";
    }
    return "unknown";
}

int info_command(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        usage_error("info takes no arguments");
    printf("{\"compiler\":");
    json_write_string(stdout, COMPILER);
    printf(",\"build_flags\":");
    json_write_string(stdout, GB_BUILD_FLAGS);
    printf(",\"openblas_config\":");
    json_write_string(stdout, openblas_get_config());
    printf(",\"openblas_threading\":\"%s\"", openblas_threading(openblas_get_parallel()));
    printf(",\"openblas_default_threads\":%d", openblas_get_num_threads());
    printf(",\"cpus_online\":%ld,\"cpus_usable\":%d}\n", sysconf(_SC_NPROCESSORS_ONLN),
           usable_cpus());
    return fflush(stdout) == 0 ? 0 : 1;
}
