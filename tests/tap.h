/*
 * tap.h - a minimal Test Anything Protocol producer for the C tests, so that
 * `prove` runs them beside the shell tests and prints one summary.
 * Header-only: each test program includes it once.
 */
#ifndef GILBENCH_TAP_H
#define GILBENCH_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static int ok(int passed, const char *name, ...)
{
    va_list ap;
    va_start(ap, name);
    printf("%sok %d - ", passed ? "" : "not ", ++tap_count);
    vprintf(name, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
    if (!passed)
        tap_failed++;
    return passed;
}

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    fputs("# ", stdout);
    vprintf(format, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
}

/* Prints the plan; returns the exit status for main. */
__attribute__((unused)) static int done_testing(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif
