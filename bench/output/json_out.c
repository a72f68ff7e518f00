/*
 * json_out.c - formats a run's result as one JSON object on one line.
 * Numbers of seconds are printed with 9 significant digits; the checksum is
 * a hex string because JSON readers hold numbers as doubles and would round
 * a 64-bit value.  The dispatch fields follow the configuration: "dispatch",
 * "chunksize" and "tasks" (both 0 under shares) always, the payload sizes
 * under the pool only.
 */
#include "json_out.h"

#include <math.h>

#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence that starts at p (1 to 4), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF.  p is
 * NUL-terminated, and NUL is never a continuation byte. */
static size_t utf8_length(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xF5 ? 0 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && p[0] == 0xE0 && p[1] < 0xA0) || (n == 3 && p[0] == 0xED && p[1] >= 0xA0) ||
        (n == 4 && p[0] == 0xF0 && p[1] < 0x90) || (n == 4 && p[0] == 0xF4 && p[1] >= 0x90))
        return 0;
    return n;
}

void json_write_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_length(p);
        if (n == 0) { /* JSON text is UTF-8: a byte that is not stands for U+FFFD */
            fputs("\\ufffd", out);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p++);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, n, out);
            p += n;
        }
    }
    fputc('"', out);
}

char *result_json_line(const struct gb_job *job, long switch_interval_us,
                       const struct gb_result *r)
{
    char *line = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&line, &size);
    if (!out)
        return NULL;
    bool gil = job->mode == GB_MODE_GIL || job->mode == GB_MODE_INTERP; /* a GIL, or one each */
    fputs("{\"workload\":", out);
    json_write_string(out, job->workload->name);
    fprintf(out, ",\"mode\":\"%s\",\"workers\":%u", gb_mode_name(job->mode), job->workers);
    fprintf(out, ",\"units\":%llu,\"weak\":%s", (unsigned long long)job->units,
            job->weak ? "true" : "false");
    bool pool = job->dispatch == GB_DISPATCH_POOL;
    fprintf(out, ",\"dispatch\":\"%s\",\"chunksize\":%llu,\"tasks\":%llu",
            gb_dispatch_name(job->dispatch), (unsigned long long)(pool ? job->chunksize : 0),
            (unsigned long long)gb_task_count(job));
    if (pool)
        fprintf(out, ",\"task_arg_bytes\":%llu,\"task_result_bytes\":%llu",
                (unsigned long long)job->task_arg_bytes, (unsigned long long)job->task_result_bytes);
    fprintf(out, ",\"seconds\":%.9g,\"startup_seconds\":%.9g", r->seconds, r->startup_seconds);
    fprintf(out, ",\"setup_seconds\":%.9g,\"check_seconds\":%.9g", r->setup_seconds, r->check_seconds);
    fprintf(out, ",\"worker_seconds_min\":%.9g,\"worker_seconds_max\":%.9g",
            r->worker_seconds_min, r->worker_seconds_max);
    fprintf(out, ",\"worker_seconds_total\":%.9g", r->worker_seconds_total);
    fprintf(out, ",\"cpu_user_seconds\":%.6f,\"cpu_sys_seconds\":%.6f", r->cpu_user_seconds,
            r->cpu_sys_seconds);
    fprintf(out, ",\"max_rss_kib\":%ld", r->max_rss_kib);
    fprintf(out, ",\"involuntary_switches\":%ld", r->involuntary_switches);
    fprintf(out, ",\"checksum\":\"%016llx\"", (unsigned long long)r->checksum);
    fprintf(out, ",\"switch_interval_us\":%ld", gil ? switch_interval_us : 0L);
    fprintf(out, ",\"gil_switches\":%lu,\"gil_wait_seconds\":%.9g,\"gil_hold_seconds\":%.9g",
            r->gil_switches, r->gil_wait_seconds, r->gil_hold_seconds);
    fprintf(out, ",\"gil_drop_requests\":%llu", (unsigned long long)r->gil_drop_requests);
    if (r->trace_figures)
        gil_figures_write_json(out, r->trace_figures);
    fputs(",\"params\":{", out);
    for (int i = 0; i < GB_MAX_PARAMS && job->workload->params[i].name; i++) {
        fputs(i ? "," : "", out);
        json_write_string(out, job->workload->params[i].name);
        fprintf(out, ":%llu", (unsigned long long)job->params[i]);
    }
    fputc('}', out);
    if (job->mode == GB_MODE_MPI) {
        fprintf(out, ",\"ranks\":%u,\"hosts\":[", job->workers);
        for (const char *host = r->hosts; *host;) {
            size_t length = strcspn(host, ",");
            char name[256];
            /* memcpy, not snprintf("%.*s"): gcc 12 under -fsanitize=address
             * takes the argument for null and fails the build (-Wformat-truncation). */
            size_t kept = length < sizeof name - 1 ? length : sizeof name - 1;
            memcpy(name, host, kept);
            name[kept] = '\0';
            if (host != r->hosts)
                fputc(',', out);
            json_write_string(out, name);
            host += length + (host[length] == ',');
        }
        fputc(']', out);
    }
    for (int i = 0; i < r->figure_count; i++) {
        fputc(',', out);
        json_write_string(out, r->figures[i].name);
        fprintf(out, ":%.10g", r->figures[i].value);
    }
    fputs("}\n", out);
    if (fclose(out) != 0) {
        free(line);
        return NULL;
    }
    return line;
}

void json_write_number(FILE *out, const char *name, double value)
{
    if (isfinite(value))
        fprintf(out, ",\"%s\":%.9g", name, value);
    else
        fprintf(out, ",\"%s\":null", name);
}

void gil_figures_write_json(FILE *out, const struct gil_figures *f)
{
    fprintf(out, ",\"gil_takes\":%llu,\"gil_forced_switches\":%llu,\"gil_handoffs\":%llu",
            (unsigned long long)f->takes, (unsigned long long)f->forced_switches,
            (unsigned long long)f->handoffs);
    json_write_number(out, "gil_hold_share", f->hold_share);
    json_write_number(out, "gil_wait_share", f->wait_share);
    json_write_number(out, "gil_hold_p50_seconds", f->hold_p50);
    json_write_number(out, "gil_hold_p99_seconds", f->hold_p99);
    json_write_number(out, "gil_wait_p50_seconds", f->wait_p50);
    json_write_number(out, "gil_wait_p99_seconds", f->wait_p99);
    json_write_number(out, "gil_handoff_p50_seconds", f->handoff_p50);
    json_write_number(out, "gil_handoff_p99_seconds", f->handoff_p99);
    json_write_number(out, "gil_switches_per_second", f->switches_per_second);
    json_write_number(out, "gil_window_seconds", f->window_seconds);
}
