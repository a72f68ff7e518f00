/*
 * mpi_mode.h - the mpi mode's entry point.  build/gilbench-mpi, linked with
 * Open MPI (bench/modes/mpi/mpi_run.c), runs a job as the ranks of an mpirun job;
 * build/gilbench has no MPI and says how to get it (mpi_absent.c).
 */
#ifndef GILBENCH_MPI_MODE_H
#define GILBENCH_MPI_MODE_H

#include <stdbool.h>

#include "run_vocabulary.h"

/* True in a build with Open MPI. */
extern const bool gb_mpi_built;

/* Runs the job in this rank of an MPI job of job->workers ranks (the
 * caller's --workers, checked against the rank count).  Sets *reports on
 * the rank that prints the result (rank 0), where *result is filled.
 * Returns 0, 1 for a failed run, 2 for a rank count that is not --workers. */
int gb_run_mpi(struct gb_job *job, struct gb_result *result, bool *reports);

#endif
