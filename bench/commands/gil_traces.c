/*
 * gil_traces.c - summarize's --gil-traces FILE: the figures of each point's
 * one traced run in CPython (the sweep's gil.csv, from `gilbench
 * gil-trace`), attached to the points read from --runs, so that summary.csv
 * and the answer lines, written by summarize alone, carry them.
 *
 * The file is CSV with a header; the columns are found by name (workload,
 * variant, mode, workers, status, why, gil_switches, gil_wait_seconds,
 * gil_hold_share, gil_wait_share, parked_share), so the sweep may add
 * others.  A field may be quoted ("...", "" for a quote), as Python's csv
 * module writes one that holds a comma.  An empty figure is unknown.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary_rows.h"

#define MAX_COLUMNS 64

enum column { C_WORKLOAD, C_VARIANT, C_MODE, C_WORKERS, C_STATUS, C_WHY, C_FIGURES };
/* The columns read, by name: the point, its status, then TRACED_FIELDS in
 * enum traced_field's order. */
static const char *const NAMES[] = { "workload", "variant", "mode", "workers", "status", "why",
                                     "gil_switches", "gil_wait_seconds", "gil_hold_share",
                                     "gil_wait_share", "parked_share" };
#define NAME_COUNT (sizeof NAMES / sizeof *NAMES)

/* Splits one CSV record in place into at most MAX_COLUMNS fields, undoing
 * the quotes; returns how many, or -1 when a quote is not closed on the
 * line or a field has too many. */
static int split_csv(char *line, char **fields)
{
    int n = 0;
    char *in = line;
    line[strcspn(line, "\r\n")] = '\0';
    for (;;) {
        if (n == MAX_COLUMNS)
            return -1;
        char *out = in;
        fields[n++] = out;
        if (*in == '"') {
            in++;
            for (;;) {
                if (*in == '\0')
                    return -1;
                if (*in == '"' && in[1] == '"') {
                    *out++ = '"';
                    in += 2;
                } else if (*in == '"') {
                    in++;
                    break;
                } else {
                    *out++ = *in++;
                }
            }
            if (*in != ',' && *in != '\0')
                return -1;
        } else {
            while (*in != ',' && *in != '\0')
                *out++ = *in++;
        }
        char end = *in;
        *out = '\0';
        if (end == '\0')
            return n;
        in++;
    }
}

static bool figure(const char *text, double *value)
{
    if (*text == '\0') {
        *value = NAN;
        return true;
    }
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    return *end == '\0' && errno == 0 && isfinite(*value) && *value >= 0;
}

/* One line: false when it is malformed. */
static bool read_row(char *line, const int *at, int columns, struct points *all)
{
    char *fields[MAX_COLUMNS];
    if (split_csv(line, fields) != columns)
        return false;
    double values[TRACED_FIELDS];
    for (int f = 0; f < TRACED_FIELDS; f++)
        if (!figure(fields[at[C_FIGURES + f]], &values[f]))
            return false;
    const char *text = fields[at[C_WORKERS]];
    char *end;
    errno = 0;
    unsigned long workers = strtoul(text, &end, 10);
    if (*text < '1' || *text > '9' || *end != '\0' || errno != 0)
        return false;
    struct point *p = workers > UINT_MAX ? NULL
                      : find_point(all, fields[at[C_WORKLOAD]], fields[at[C_VARIANT]], fields[at[C_MODE]],
                                   (unsigned)workers, false);
    if (!p)
        return true; /* a point this summary does not have */
    p->traced = true;
    bool traced = strcmp(fields[at[C_STATUS]], "traced") == 0;
    for (int f = 0; f < TRACED_FIELDS; f++)
        p->trace[f] = traced ? values[f] : NAN;
    const char *why = fields[at[C_WHY]];
    snprintf(p->trace_why, sizeof p->trace_why, "%s", traced ? "" : *why ? why : "not traced");
    return true;
}

bool gil_traces_read(const char *path, struct points *all)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "gilbench: cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t size = 0;
    bool good = getline(&line, &size, in) != -1;
    char *header[MAX_COLUMNS];
    int columns = good ? split_csv(line, header) : -1, at[NAME_COUNT];
    for (size_t c = 0; c < NAME_COUNT; c++) {
        at[c] = -1;
        for (int i = 0; i < columns; i++)
            if (strcmp(header[i], NAMES[c]) == 0)
                at[c] = i;
        good &= at[c] >= 0;
    }
    if (!good) {
        fprintf(stderr, "gilbench: %s: its first line does not name the columns workload, variant, mode, "
                        "workers, status, why, gil_switches, gil_wait_seconds, gil_hold_share, "
                        "gil_wait_share and parked_share\n", path);
    }
    for (unsigned long number = 2; good && getline(&line, &size, in) != -1; number++) {
        if (line[strspn(line, "\r\n")] == '\0')
            continue;
        if (!read_row(line, at, columns, all)) {
            fprintf(stderr, "gilbench: %s line %lu: expected %d comma-separated fields, the figures empty "
                            "or numbers of 0 or more\n", path, number, columns);
            good = false;
        }
    }
    free(line);
    fclose(in);
    return good;
}
