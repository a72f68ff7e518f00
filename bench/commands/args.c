/*
 * args.c - see args.h.
 */
#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Weak, so that a fuzzing harness (tests/fuzz/) can replace it and go on
 * to its next input after a refused one. */
__attribute__((weak)) _Noreturn void gb_usage_exit(int status)
{
    exit(status);
}

void usage_error(const char *format, ...)
{
    char message[8192]; /* room for paths: PATH_MAX is 4096 */
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    /* One write of the whole line: the ranks of an mpirun each refuse, and
     * mpirun passes their stderr on as it comes, so pieces would interleave. */
    char line[sizeof message + 16];
    snprintf(line, sizeof line, "gilbench: %s\n", message);
    fputs(line, stderr);
    gb_usage_exit(GB_EXIT_USAGE);
}

uint64_t parse_whole_number(const char *option, const char *text, uint64_t min, uint64_t max)
{
    const char *p = text;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*text == '\0' || *p != '\0')
        usage_error("%s '%s' is not a whole number; accepted: %llu to %llu", option, text,
                    (unsigned long long)min, (unsigned long long)max);
    errno = 0;
    unsigned long long value = strtoull(text, NULL, 10);
    if (errno == ERANGE || value < min || value > max)
        usage_error("%s '%s' is out of range; accepted: %llu to %llu", option, text,
                    (unsigned long long)min, (unsigned long long)max);
    return value;
}
