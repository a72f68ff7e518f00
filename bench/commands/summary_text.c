/*
 * summary_text.c - `gilbench summarize` for a person: the table of every
 * point and the answer lines (see summary_rows.h).  Figures are rounded to
 * what their intervals support: a speedup known to +-0.02 is printed with
 * two decimals, one known to +-0.3 with one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary_rows.h"

/* Decimals that show a value to the first significant digit of its
 * interval's half-width (0 to 3). */
static int supported_decimals(const struct speedup *s)
{
    double half = (s->high - s->low) / 2;
    if (!(half > 0))
        return 2;
    int decimals = (int)ceil(-log10(half));
    return decimals < 0 ? 0 : decimals > 3 ? 3 : decimals;
}

static void label_of(const struct point *p, char *out, size_t size)
{
    bool plain = strcmp(p->variant, "-") == 0;
    snprintf(out, size, "%s%s%s", p->workload, plain ? "" : "@", plain ? "" : p->variant);
}

void summary_print_table(const struct row *rows, size_t count, const struct settings *settings)
{
    int width = 12, mode_width = 8;
    for (size_t i = 0; i < count; i++) {
        char label[2 * NAME_MAX_LENGTH];
        label_of(rows[i].point, label, sizeof label);
        if ((int)strlen(label) > width)
            width = (int)strlen(label);
        if ((int)strlen(rows[i].point->mode) > mode_width)
            mode_width = (int)strlen(rows[i].point->mode);
    }
    printf("%-*s %-*s %7s %10s %8s  %-15s %7s  %s\n", width, "workload", mode_width, "mode", "workers",
           "median", "speedup", "(interval)", "+-", "notes");
    for (size_t i = 0; i < count; i++) {
        const struct row *r = &rows[i];
        char label[2 * NAME_MAX_LENGTH], speedup[16] = "-", interval[40] = "", precision[16] = "";
        char notes[96] = "";
        label_of(r->point, label, sizeof label);
        if (isfinite(r->speedup.value)) {
            int d = supported_decimals(&r->speedup);
            snprintf(speedup, sizeof speedup, "%.*f", d, r->speedup.value);
            if (r->point->workers > 1) {
                snprintf(interval, sizeof interval, "(%.*f-%.*f)", d, r->speedup.low, d,
                         r->speedup.high);
                snprintf(precision, sizeof precision, "%.1f %%", r->precision * 100);
                if (settings->precision_target > 0 && r->precision > settings->precision_target)
                    strcat(notes, "wide ");
                if (r->speedup.level < settings->confidence)
                    snprintf(notes + strlen(notes), sizeof notes - strlen(notes),
                             "(%.0f %% interval: few runs) ", r->speedup.level * 100);
            }
        }
        if (r->disturbed)
            strcat(notes, "disturbed");
        printf("%-*s %-*s %7u %8.3f s %8s  %-15s %7s  %s\n", width, label, mode_width, r->point->mode,
               r->point->workers, r->median, speedup, interval, precision, notes);
    }
}

static bool overlap(const struct speedup *a, const struct speedup *b)
{
    return a->low <= b->high && b->low <= a->high;
}

static int by_speedup(const void *a, const void *b)
{
    const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
    return (x->speedup.value < y->speedup.value) - (x->speedup.value > y->speedup.value);
}

static void print_mode(const struct row *r)
{
    int d = supported_decimals(&r->speedup);
    printf("%s %.*f\u00d7 (%.*f\u2013%.*f)", r->point->mode, d, r->speedup.value, d, r->speedup.low, d,
           r->speedup.high);
}

/* One answer line for the rows of one workload and variant at `workers`. */
static void answer_line(const struct row **at, size_t n, unsigned workers, unsigned cpus)
{
    qsort(at, n, sizeof *at, by_speedup);
    char label[2 * NAME_MAX_LENGTH];
    label_of(at[0]->point, label, sizeof label);
    printf("%s at %u workers (%u usable CPU%s): ", label, workers, cpus, cpus == 1 ? "" : "s");
    print_mode(at[0]);
    const struct row *gil = NULL;
    bool gil_ties = false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(at[i]->point->mode, "gil") == 0)
            gil = at[i];
    for (size_t i = 1; i < n; i++) {
        bool tie = overlap(&at[i]->speedup, &at[0]->speedup);
        fputs(tie ? " \u2248 " : "; ", stdout);
        print_mode(at[i]);
        if (at[i] == gil)
            gil_ties = tie;
    }
    /* What the figures say of the GIL, from these intervals alone. */
    if (gil && gil != at[0] && !gil_ties && gil->speedup.low <= 1 && at[0]->speedup.low > 1.1)
        printf(" \u2014 the GIL serialises it");
    else if (gil && (gil == at[0] || gil_ties) && at[0]->speedup.low > 1.1)
        printf(" \u2014 the GIL does not hold it back");
    putchar('\n');
}

void summary_print_answer(const struct row *rows, size_t count, const struct settings *settings)
{
    const struct row **at = malloc(count * sizeof *at);
    if (!at)
        return;
    /* Where the question is asked: at the usable CPU count (2 workers on a
     * 1-CPU machine, where blocking waits can still overlap). */
    unsigned target = settings->cpus >= 2 ? settings->cpus : 2;
    for (size_t first = 0; first < count;) {
        size_t end = first;
        while (end < count && strcmp(rows[end].point->workload, rows[first].point->workload) == 0 &&
               strcmp(rows[end].point->variant, rows[first].point->variant) == 0)
            end++;
        /* The largest worker count measured up to the target. */
        unsigned workers = 0;
        for (size_t i = first; i < end; i++) {
            unsigned w = rows[i].point->workers;
            if (w > 1 && w <= target && w > workers && isfinite(rows[i].speedup.value))
                workers = w;
        }
        size_t n = 0;
        for (size_t i = first; workers && i < end; i++)
            if (rows[i].point->workers == workers && isfinite(rows[i].speedup.value))
                at[n++] = &rows[i];
        if (n > 0)
            answer_line(at, n, workers, settings->cpus);
        first = end;
    }
    free(at);
}
