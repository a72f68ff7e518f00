/*
 * summary_text.c - `gilbench summarize` for a person: the table of every
 * point (see summary_rows.h; the answer lines are answer.c's).  Figures are rounded to
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
int summary_decimals(const struct speedup *s)
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
            int d = summary_decimals(&r->speedup);
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
