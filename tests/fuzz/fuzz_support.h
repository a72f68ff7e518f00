/*
 * fuzz_support.h - what the fuzzing harnesses share (libFuzzer, built by
 * `make fuzz`): a way back from usage_error, whose exit would end the
 * fuzzer (this file's gb_usage_exit jumps back to fuzz_call instead),
 * arguments made from an input, and the commands' output silenced.
 */
#ifndef GILBENCH_FUZZ_SUPPORT_H
#define GILBENCH_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* Makes fuzz_call silence the commands (a harness's LLVMFuzzerInitialize). */
void fuzz_quiet(void);

/* Runs command(argc, argv) with stdout and stderr on /dev/null (after
 * fuzz_quiet) and returns its status, or 2 if usage_error ended it; both
 * are put back after, also when --error-log moved stderr. */
int fuzz_call(int (*command)(int, char **), int argc, char **argv);

/* Copies data into buffer (size + 1 bytes) as lines, one argument each, at
 * most max of them into argv; returns how many. */
int fuzz_split_lines(const uint8_t *data, size_t size, char *buffer, char **argv, int max);

/* Ends the process with a message when a harness's own check fails: a
 * finding, which libFuzzer saves as a crash. */
_Noreturn void fuzz_finding(const char *what);

#endif
