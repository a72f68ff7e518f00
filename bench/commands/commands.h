/*
 * commands.h - the subcommands of the gilbench program.  Each takes the
 * arguments after its own name and returns the exit status.
 */
#ifndef GILBENCH_COMMANDS_H
#define GILBENCH_COMMANDS_H

int run_command(int argc, char **argv);
int list_command(int argc, char **argv);
int info_command(int argc, char **argv);
int summarize_command(int argc, char **argv);
int overhead_command(int argc, char **argv);
int peak_command(int argc, char **argv);
int gil_trace_command(int argc, char **argv);

#endif
