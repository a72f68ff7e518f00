/*
 * args.h - strict parsing of command-line values.  Every bad value ends the
 * program with one line on stderr naming the option, the value and what is
 * accepted, and exit status 2; nothing is printed on stdout.
 */
#ifndef GILBENCH_ARGS_H
#define GILBENCH_ARGS_H

#include <stdint.h>

#define GB_EXIT_USAGE 2

/* Prints "gilbench: <message>" and exits with status 2 (gb_usage_exit). */
_Noreturn void usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* How usage_error ends: exit(status); a fuzzing harness's own definition
 * jumps back to it instead (it must not return). */
_Noreturn void gb_usage_exit(int status);

/* A whole number in [min, max], written in decimal digits only (no sign, no
 * spaces, no suffix). */
uint64_t parse_whole_number(const char *option, const char *text, uint64_t min, uint64_t max);

#endif
