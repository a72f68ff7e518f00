/*
 * json_out.h - the one-line JSON object that `gilbench run` prints for a run.
 */
#ifndef GILBENCH_JSON_OUT_H
#define GILBENCH_JSON_OUT_H

#include <stdio.h>

#include "gil_figures.h"
#include "run_vocabulary.h"

/* Writes the object and a newline into a buffer; returns it (malloc'd) or NULL. */
char *result_json_line(const struct gb_job *job, long switch_interval_us,
                       const struct gb_result *result);

/* Writes a JSON string literal for text (quotes and escapes included): valid
 * UTF-8 as it is, each byte that is not part of a valid sequence as \ufffd. */
void json_write_string(FILE *out, const char *text);

/* Writes ,"name":value: %.9g, or null if value is not finite. */
void json_write_number(FILE *out, const char *name, double value);

/* Writes the figures as JSON members, each preceded by a comma:
 * ,"gil_takes":N,"gil_forced_switches":N,...,"gil_hold_p50_seconds":X,...
 * (null for NAN).  The switches and the hold and wait sums are left to the
 * caller (the model reports its own counters under those names).
 * Member names: gil_takes, gil_forced_switches,
 * gil_handoffs, gil_hold_share, gil_wait_share, gil_hold_p50_seconds,
 * gil_hold_p99_seconds, gil_wait_p50_seconds, gil_wait_p99_seconds,
 * gil_handoff_p50_seconds, gil_handoff_p99_seconds, gil_switches_per_second,
 * gil_window_seconds. */
void gil_figures_write_json(FILE *out, const struct gil_figures *f);

#endif
