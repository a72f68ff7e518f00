/*
 * json_out.h - the one-line JSON object that `gilbench run` prints for a run.
 */
#ifndef GILBENCH_JSON_OUT_H
#define GILBENCH_JSON_OUT_H

#include <stdio.h>

#include "run_vocabulary.h"

/* Writes the object and a newline into a buffer; returns it (malloc'd) or NULL. */
char *result_json_line(const struct gb_job *job, long switch_interval_us,
                       const struct gb_result *result);

/* Writes a JSON string literal for text (quotes and escapes included): valid
 * UTF-8 as it is, each byte that is not part of a valid sequence as \ufffd. */
void json_write_string(FILE *out, const char *text);

#endif
