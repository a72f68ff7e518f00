/*
 * mpi_run.c - the mpi mode: this process is one rank of an Open MPI job
 * started by mpirun, and the ranks are the workers.  Built with mpicc into
 * build/gilbench-mpi only (see the Makefile); the workloads are the same
 * files as in every other mode.
 *
 * Each rank runs the workload's setup itself (ranks share no memory; on
 * other machines they could not), does its share of the units with
 * gb_share() as a worker of the same index would, and the timed region is
 * rank 0's clock between two barriers: the ranks start their shares
 * together and the region ends when the last has finished.  Launching the
 * ranks (mpirun, MPI_Init) is outside it: hyperfine's whole-process time
 * holds it, and the figure mpi_init_seconds gives MPI_Init's share.  After
 * the region the results travel by collectives: the checksum and CPU times
 * summed (MPI_Reduce), the peak RSS and own times by their extremes, the
 * own times also summed, the workload's figures and host names gathered to
 * rank 0, the ranks' gb_fail() marks combined (MPI_Allreduce: a failed rank
 * fails the run on all), and rank 0 checks the checksum and prints the JSON line;
 * mpi_collect_seconds is what that took.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "mpi_mode.h"
#include "watchdog.h"

const bool gb_mpi_built = true;

/* The distinct names among `count` gathered ones, comma-separated; names
 * that do not fit whole are left out, and a last "..." says so. */
static void distinct_hosts(const char *names, int count, char *out, size_t size)
{
    size_t used = 0;
    bool left_out = false;
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        const char *name = names + (size_t)i * MPI_MAX_PROCESSOR_NAME;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(name, names + (size_t)j * MPI_MAX_PROCESSOR_NAME) == 0;
        if (seen)
            continue;
        if (used + strlen(name) + 1 + sizeof ",..." > size) {
            left_out = true;
            continue;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "", name);
    }
    if (left_out)
        snprintf(out + used, size - used, "%s...", used ? "," : "");
}

/* Rank 0's part after the collectives: the checksum check and the figures. */
static int finish_on_root(struct gb_job *job, struct gb_result *r, const double *figures,
                          double started, double init_seconds, double collect_seconds)
{
    if (gb_check_checksum(job, r) != 0)
        return 1;
    struct gb_worker *contexts = calloc(job->workers, sizeof *contexts);
    if (!contexts) {
        fprintf(stderr, "gilbench: out of memory for the report of %u ranks\n", job->workers);
        return 1;
    }
    for (unsigned i = 0; i < job->workers; i++) {
        contexts[i] = (struct gb_worker){ .job = job, .index = i };
        memcpy(contexts[i].figures, figures + (size_t)i * GB_MAX_FIGURES,
               sizeof contexts[i].figures);
    }
    gb_add_workload_figures(job, contexts, started, r);
    free(contexts);
    if (r->figure_count + 2 <= GB_MAX_FIGURES) {
        r->figures[r->figure_count++] = (struct gb_figure){ "mpi_init_seconds", init_seconds };
        r->figures[r->figure_count++] = (struct gb_figure){ "mpi_collect_seconds", collect_seconds };
    }
    return 0;
}

int gb_run_mpi(struct gb_job *job, struct gb_result *r, bool *reports)
{
    memset(r, 0, sizeof *r);
    double init_started = gb_now();
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        fprintf(stderr, "gilbench: MPI_Init failed (is this run under mpirun?)\n");
        *reports = true;
        return 1;
    }
    double init_seconds = gb_now() - init_started;
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    *reports = rank == 0;
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    int name_length = 0;
    MPI_Get_processor_name(name, &name_length);
    char who[MPI_MAX_PROCESSOR_NAME + 64];
    snprintf(who, sizeof who, "rank %d of %d on %s", rank, ranks, name);
    report_fatal_signals_of(who);
    if ((unsigned)ranks != job->workers) {
        if (rank == 0)
            fprintf(stderr, "gilbench: --workers %u but mpirun started %d ranks; give mpirun "
                            "-n %u\n", job->workers, ranks, job->workers);
        MPI_Finalize();
        return 2;
    }

    /* Setup on every rank; if any fails, all stop (after its message). */
    int setup_failed = job->workload->setup && job->workload->setup(job) != 0;
    int any_failed = 0;
    MPI_Allreduce(&setup_failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any_failed) {
        if (!setup_failed && job->workload->teardown)
            job->workload->teardown(job);
        MPI_Finalize();
        return 1;
    }

    struct gb_worker worker = { .gil = NULL, .job = job, .index = (unsigned)rank };
    uint64_t first, count;
    gb_share(job, (unsigned)rank, &first, &count);
    struct rusage before, after;

    MPI_Barrier(MPI_COMM_WORLD);
    double started = gb_now();
    /* CPU time of the work alone: Open MPI's barriers spin while they wait. */
    getrusage(RUSAGE_SELF, &before);
    uint64_t checksum = job->workload->work(&worker, first, count);
    getrusage(RUSAGE_SELF, &after);
    double own_seconds = gb_now() - started;
    MPI_Barrier(MPI_COMM_WORLD);
    double finished = gb_now();

    double cpu[2] = { gb_timeval_seconds(after.ru_utime) - gb_timeval_seconds(before.ru_utime),
                      gb_timeval_seconds(after.ru_stime) - gb_timeval_seconds(before.ru_stime) };
    double cpu_sum[2] = { 0, 0 };
    long rss = after.ru_maxrss, rss_max = 0;
    long preempted = after.ru_nivcsw - before.ru_nivcsw, preempted_sum = 0;
    double own_min = 0, own_max = 0, own_total = 0, init_max = 0;
    uint64_t checksum_sum = 0;
    MPI_Reduce(&checksum, &checksum_sum, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(cpu, cpu_sum, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&rss, &rss_max, 1, MPI_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&preempted, &preempted_sum, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&own_seconds, &own_min, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(&own_seconds, &own_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&own_seconds, &own_total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&init_seconds, &init_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    /* Rank 0's buffers for the gathers; every rank learns whether they exist. */
    double *figures = rank == 0 ? calloc((size_t)ranks * GB_MAX_FIGURES, sizeof *figures) : NULL;
    char *names = rank == 0 ? calloc((size_t)ranks, MPI_MAX_PROCESSOR_NAME) : NULL;
    int buffers = rank != 0 || (figures && names);
    MPI_Bcast(&buffers, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (buffers) {
        MPI_Gather(worker.figures, GB_MAX_FIGURES, MPI_DOUBLE, figures, GB_MAX_FIGURES,
                   MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME,
                   MPI_CHAR, 0, MPI_COMM_WORLD);
    }
    /* A rank's gb_fail() fails the run on every rank (each said why). */
    int failed = worker.failed, any_rank_failed = 0;
    MPI_Allreduce(&failed, &any_rank_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    double collect_seconds = gb_now() - finished;

    int status = any_rank_failed ? 1 : 0;
    if (rank == 0 && status == 0) {
        if (!buffers) {
            fprintf(stderr, "gilbench: out of memory gathering %d ranks' results\n", ranks);
            status = 1;
        } else {
            r->seconds = finished - started;
            r->startup_seconds = 0; /* the ranks were running before the region began */
            r->worker_seconds_min = own_min;
            r->worker_seconds_max = own_max;
            r->worker_seconds_total = own_total;
            r->cpu_user_seconds = cpu_sum[0];
            r->cpu_sys_seconds = cpu_sum[1];
            r->max_rss_kib = rss_max;
            r->involuntary_switches = preempted_sum;
            r->checksum = checksum_sum;
            distinct_hosts(names, ranks, r->hosts, sizeof r->hosts);
            status = finish_on_root(job, r, figures, started, init_max, collect_seconds);
        }
    }
    free(figures);
    free(names);
    if (job->workload->teardown)
        job->workload->teardown(job);
    MPI_Finalize();
    return status;
}
