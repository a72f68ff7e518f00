/*
 * run_vocabulary.c - the parts of bench/engine/run_vocabulary.h that every
 * way of running a job uses after its workers are done (gb_run() and the
 * mpi mode's ranks): the checksum a run must reach and its check, the
 * workload's own figures, and the modes' names.
 */
#include "run_vocabulary.h"

#include <stdio.h>

const char *gb_mode_name(enum gb_mode mode)
{
    switch (mode) {
    case GB_MODE_GIL: return "gil";
    case GB_MODE_THREADS: return "threads";
    case GB_MODE_INTERP: return "interp";
    case GB_MODE_PROCS: return "procs";
    case GB_MODE_MPI: return "mpi";
    }
    return "?";
}

uint64_t gb_expected_checksum(const struct gb_job *job)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < job->workers; i++) {
        uint64_t first, count;
        gb_share(job, i, &first, &count);
        for (uint64_t u = first; u < first + count; u++)
            sum += gb_unit_checksum(u, job->workload->expected_value(job, u));
    }
    return sum;
}

int gb_check_checksum(const struct gb_job *job, struct gb_result *r)
{
    r->expected_checksum = gb_expected_checksum(job);
    if (r->checksum == r->expected_checksum)
        return 0;
    fprintf(stderr,
            "gilbench: wrong result: %s computed checksum %llu, expected %llu "
            "(mode %s, %u workers, %llu units)\n",
            job->workload->name, (unsigned long long)r->checksum,
            (unsigned long long)r->expected_checksum, gb_mode_name(job->mode), job->workers,
            (unsigned long long)job->units);
    return 1;
}

void gb_add_workload_figures(const struct gb_job *job, const struct gb_worker *contexts,
                             double started, struct gb_result *r)
{
    if (!job->workload->report)
        return;
    struct gb_run_outcome outcome = { .started_at = started, .seconds = r->seconds,
                                      .workers = contexts };
    r->figure_count = job->workload->report(job, &outcome, r->figures);
}
