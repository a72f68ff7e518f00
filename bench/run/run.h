/*
 * run.h - running one configuration (workload x mode x workers): the top of
 * the engine, which drives the modes (bench/modes/), the pool
 * (bench/dispatch/) and the trace file (bench/output/).  The command line
 * (bench/commands/run_command.c) fills a gb_job; gb_run() does the timed
 * region and hands back a gb_result for json_out.c to print.  What the
 * layers below share about a run is bench/engine/run_vocabulary.h.
 */
#ifndef GILBENCH_RUN_H
#define GILBENCH_RUN_H

#include "run_vocabulary.h"

/* Runs the job.  Returns 0 and fills *result when every worker finished and
 * the checksum matched; otherwise prints one line per problem on stderr and
 * returns 1.  trace_path: NULL, or where to write the GIL trace (gil mode). */
int gb_run(struct gb_job *job, long switch_interval_us, const char *trace_path,
           struct gb_result *result);

#endif
