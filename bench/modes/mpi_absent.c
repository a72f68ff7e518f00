/*
 * mpi_absent.c - the mpi mode in a build without Open MPI: weak definitions
 * that build/gilbench-mpi replaces with bench/modes/mpi/mpi_run.c.
 */
#include "mpi_mode.h"

#include <stdio.h>

__attribute__((weak)) const bool gb_mpi_built = false;

__attribute__((weak)) int gb_run_mpi(struct gb_job *job, struct gb_result *result, bool *reports)
{
    (void)job;
    (void)result;
    *reports = true;
    fprintf(stderr, "gilbench: this build has no MPI: the mpi mode runs build/gilbench-mpi "
                    "under mpirun (apt-get install -y openmpi-bin libopenmpi-dev, then make)\n");
    return 2;
}
