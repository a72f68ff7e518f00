/*
 * summarize.c - `gilbench summarize`: from the runs of a sweep, one row of
 * statistics per point (workload x mode x workers) as summary.csv, and the
 * speedup table that `make bench` prints at the end.
 *
 * Input (tab-separated, no header, written by scripts/sweep/tidy.py):
 *   --runs FILE       one line per measured run (warm-up runs excluded):
 *                     workload variant mode workers seconds max_rss_kib
 *                     gil_switches gil_wait_seconds startup_seconds, then
 *                     optionally worker_seconds_total cpu_seconds
 *                     other_cpu_ticks steal_ticks all_cpu_ticks
 *                     involuntary_switches cpu_mhz gil_hold_seconds
 *                     ("-" where a run could not measure a figure)
 *   --processes FILE  one line per point: workload variant mode workers
 *                     process_median_seconds (hyperfine's whole-process median)
 *   --gil-traces FILE the sweep's gil.csv (gil_traces.c): the figures of each
 *                     CPython point's one traced run, which fill its GIL
 *                     columns (the model's come from its runs)
 * A point is workload x variant x mode x workers; the variant (a study's
 * setting, such as released_pct=90) is "-" in the default sweep.  Points
 * keep the order in which their workload and variant, then their mode,
 * first appear in --runs, workers ascending.
 *
 * Speedup: the Hodges-Lehmann estimate of T(mode, 1) / T(mode, N) with its
 * rank confidence interval (stats.h, docs/statistics.md); efficiency =
 * speedup / N; karp_flatt with p = min(N, --cpus) processors.  Columns that
 * cannot be computed (no 1-worker point for that mode) are left empty.
 */
#include <errno.h>
#include <sched.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "atomic_file.h"
#include "commands.h"
#include "stats.h"
#include "summary_rows.h"

static void *grow(void *array, size_t *capacity, size_t item_size)
{
    size_t wanted = *capacity ? *capacity * 2 : 8;
    void *bigger = realloc(array, wanted * item_size);
    if (!bigger) {
        fprintf(stderr, "gilbench: out of memory\n");
        exit(1);
    }
    *capacity = wanted;
    return bigger;
}

static bool same_series(const struct point *p, const char *workload, const char *variant,
                        const char *mode)
{
    return strcmp(p->workload, workload) == 0 && strcmp(p->variant, variant) == 0 &&
           strcmp(p->mode, mode) == 0;
}

struct point *find_point(struct points *all, const char *workload, const char *variant,
                         const char *mode, unsigned workers, bool create)
{
    for (size_t i = 0; i < all->count; i++) {
        struct point *p = &all->items[i];
        if (p->workers == workers && same_series(p, workload, variant, mode))
            return p;
    }
    if (!create)
        return NULL;
    if (all->count == all->capacity)
        all->items = grow(all->items, &all->capacity, sizeof *all->items);
    struct point *p = &all->items[all->count++];
    *p = (struct point){ .workers = workers, .process_median = NAN };
    for (int f = 0; f < TRACED_FIELDS; f++)
        p->trace[f] = NAN;
    snprintf(p->workload, sizeof p->workload, "%s", workload);
    snprintf(p->variant, sizeof p->variant, "%s", variant);
    snprintf(p->mode, sizeof p->mode, "%s", mode);
    return p;
}

static void add_run(struct point *p, const double *values)
{
    if (p->runs == p->capacity) {
        size_t capacity = p->capacity;
        p->values = grow(p->values, &capacity, sizeof *p->values);
        p->seconds = grow(p->seconds, &p->capacity, sizeof *p->seconds);
    }
    memcpy(p->values[p->runs], values, sizeof *p->values);
    p->seconds[p->runs] = values[SECONDS];
    p->runs++;
}

/* A statistic of one field over a point's runs. */
static double field_stat(const struct point *p, enum run_field field,
                         double (*stat)(const double *, size_t))
{
    double *column = malloc(p->runs * sizeof *column);
    if (!column) {
        fprintf(stderr, "gilbench: out of memory\n");
        exit(1);
    }
    bool known = true;
    for (size_t i = 0; i < p->runs; i++) {
        column[i] = p->values[i][field];
        known &= !isnan(column[i]);
    }
    /* A figure some run did not measure ("-") is not summarised at all. */
    double value = known ? stat(column, p->runs) : NAN;
    free(column);
    return value;
}

/* Splits a line at tabs into at most max fields; returns how many. */
static int split_tabs(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *field = line; n < max; n++) {
        fields[n] = field;
        char *tab = strchr(field, '\t');
        if (!tab)
            return n + 1;
        *tab = '\0';
        field = tab + 1;
    }
    return max + 1; /* too many */
}

static bool parse_number(const char *text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    return *text != '\0' && *end == '\0' && errno == 0 && isfinite(*value) && *value >= 0;
}

/* Frees what read_input gathered. */
static void free_points(struct points *all)
{
    for (size_t i = 0; i < all->count; i++) {
        free(all->items[i].values);
        free(all->items[i].seconds);
    }
    free(all->items);
}

/* Reads one of the two input files; runs == true for --runs.  Returns
 * false after one line on stderr when the file cannot be read or a line is
 * not what it must be (the caller frees and exits 2). */
static bool read_input(const char *path, bool runs, struct points *all)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "gilbench: cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t size = 0;
    int least = runs ? 4 + REQUIRED_RUN_FIELDS : 5, most = runs ? 4 + RUN_FIELDS : 5;
    for (unsigned long number = 1; getline(&line, &size, in) != -1; number++) {
        char *fields[4 + RUN_FIELDS];
        double values[RUN_FIELDS];
        int n = split_tabs(line, fields, 4 + RUN_FIELDS);
        if (n == 1 && fields[0][0] == '\0')
            continue;
        for (int i = 0; i < RUN_FIELDS; i++)
            values[i] = NAN;
        bool good = n >= least && n <= most && *fields[0] && *fields[1] && *fields[2];
        for (int i = 0; good && i < 3; i++)
            good = strlen(fields[i]) < NAME_MAX_LENGTH && !strchr(fields[i], ',');
        double workers = 0;
        good = good && parse_number(fields[3], &workers) && workers >= 1 && workers <= 1e6 &&
               workers == floor(workers);
        /* Past the time, "-" is a figure the run could not measure (CPython
         * keeps no GIL counters): it is left empty in the summary. */
        for (int i = 4; good && i < n; i++) {
            if (i > 4 && strcmp(fields[i], "-") == 0)
                values[i - 4] = NAN;
            else
                good = parse_number(fields[i], &values[i - 4]);
        }
        if (!good) {
            fprintf(stderr, "gilbench: %s line %lu: expected %d to %d tab-separated fields (%s)\n", path,
                    number, least, most,
                    runs ? "workload variant mode workers seconds max_rss_kib gil_switches "
                           "gil_wait_seconds startup_seconds, optionally worker_seconds_total "
                           "cpu_seconds other_cpu_ticks steal_ticks all_cpu_ticks "
                           "involuntary_switches cpu_mhz gil_hold_seconds"
                         : "workload variant mode workers process_median_seconds");
            free(line);
            fclose(in);
            return false;
        }
        struct point *p = find_point(all, fields[0], fields[1], fields[2], (unsigned)workers, runs);
        if (runs)
            add_run(p, values);
        else if (p)
            p->process_median = values[0];
    }
    free(line);
    fclose(in);
    return true;
}

/* Order: each workload and variant where it first appears, its mode
 * series where they first appear, workers ascending within each: a
 * workload's rows stay together whatever order the runs came in (the
 * sweep's live runs come in its rounds' shuffled order). */
static struct points *sort_basis;
static size_t first_seen(const struct point *p, bool of_series)
{
    for (size_t i = 0; i < sort_basis->count; i++) {
        const struct point *q = &sort_basis->items[i];
        if (of_series ? same_series(q, p->workload, p->variant, p->mode)
                      : strcmp(q->workload, p->workload) == 0 && strcmp(q->variant, p->variant) == 0)
            return i;
    }
    return 0;
}

static int compare_points(const void *a, const void *b)
{
    const struct point *p = a, *q = b;
    size_t pw = first_seen(p, false), qw = first_seen(q, false);
    if (pw != qw)
        return pw < qw ? -1 : 1;
    size_t ps = first_seen(p, true), qs = first_seen(q, true);
    if (ps != qs)
        return ps < qs ? -1 : 1;
    return (p->workers > q->workers) - (p->workers < q->workers);
}

static const struct point *fastest_one_worker(const struct points *all, const struct point *p)
{
    const struct point *fastest = NULL;
    double best = INFINITY;
    for (size_t i = 0; i < all->count; i++) {
        const struct point *one = &all->items[i];
        if (one->workers != 1 || strcmp(one->workload, p->workload) != 0 ||
            strcmp(one->variant, p->variant) != 0)
            continue;
        double median = stats_median(one->seconds, one->runs);
        if (median < best) {
            best = median;
            fastest = one;
        }
    }
    return fastest;
}

static struct row summarise(const struct points *all, const struct point *p,
                            const struct settings *settings)
{
    struct row r = { .point = p };
    r.median = stats_median(p->seconds, p->runs);
    r.min = stats_min(p->seconds, p->runs);
    r.max = stats_max(p->seconds, p->runs);
    r.stddev = stats_stddev(p->seconds, p->runs);
    r.spread = r.max / r.min - 1;
    r.speedup = r.against_fastest = (struct speedup){ NAN, NAN, NAN, NAN };
    r.efficiency = r.karp_flatt = r.precision = NAN;
    for (size_t i = 0; i < all->count; i++) {
        const struct point *one = &all->items[i];
        if (one->workers == 1 && same_series(one, p->workload, p->variant, p->mode)) {
            if (p->workers == 1) /* by definition, whatever the runs */
                r.speedup = (struct speedup){ 1, 1, 1, 1 };
            else
                r.speedup = stats_speedup(one->seconds, one->runs, p->seconds, p->runs,
                                          settings->confidence);
            r.efficiency = r.speedup.value / p->workers;
            r.karp_flatt = stats_karp_flatt(r.speedup.value, p->workers, settings->cpus);
            r.precision = (r.speedup.high - r.speedup.low) / (2 * r.speedup.value);
        }
    }
    const struct point *fastest = fastest_one_worker(all, p);
    if (fastest) {
        r.fastest_mode = fastest->mode;
        r.against_fastest = fastest == p ? (struct speedup){ 1, 1, 1, 1 }
                                         : stats_speedup(fastest->seconds, fastest->runs,
                                                         p->seconds, p->runs, settings->confidence);
    }
    /* The workers' own lifetimes where the runs give them (a worker that
     * ends early waits for nothing), else N x the timed region. */
    double lifetimes = field_stat(p, WORKER_SECONDS_TOTAL, stats_median);
    if (!isfinite(lifetimes) || lifetimes <= 0)
        lifetimes = p->workers * r.median;
    r.gil_switches = field_stat(p, GIL_SWITCHES, stats_median);
    r.gil_wait_seconds = field_stat(p, GIL_WAIT_SECONDS, stats_median);
    r.gil_wait_share = r.gil_wait_seconds / lifetimes;
    r.gil_hold_share = field_stat(p, GIL_HOLD_SECONDS, stats_median) / lifetimes;
    r.gil_parked_share = NAN;
    /* A point that ran in CPython has no GIL counters of its own: its one
     * traced run's figures stand for it (they are over the workers'
     * lifetimes from their first GIL event to their last). */
    if (p->traced) {
        r.gil_traced = true;
        r.gil_switches = p->trace[TRACED_SWITCHES];
        r.gil_wait_seconds = p->trace[TRACED_WAIT_SECONDS];
        r.gil_wait_share = p->trace[TRACED_WAIT_SHARE];
        r.gil_hold_share = p->trace[TRACED_HOLD_SHARE];
        r.gil_parked_share = p->trace[TRACED_PARKED_SHARE];
    }
    double processors = p->workers < settings->cpus ? p->workers : settings->cpus;
    r.cpu_delivered = field_stat(p, CPU_SECONDS, stats_median) / (processors * r.median);
    double all_ticks = field_stat(p, ALL_TICKS, stats_sum);
    r.other_cpu_share = r.steal_share = NAN;
    if (all_ticks >= MIN_TICKS) {
        r.other_cpu_share = field_stat(p, OTHER_TICKS, stats_sum) / all_ticks;
        r.steal_share = field_stat(p, STEAL_TICKS, stats_sum) / all_ticks;
    }
    r.disturbed = r.other_cpu_share > DISTURBED_SHARE || r.steal_share > DISTURBED_SHARE;
    return r;
}

/* A number for the CSV; empty when not defined. */
static void csv_number(FILE *out, double value, const char *format)
{
    fputc(',', out);
    if (isfinite(value))
        fprintf(out, format, value);
}

static const char CSV_HEADER[] =
    "workload,mode,workers,runs,median_s,min_s,max_s,stddev_s,speedup,speedup_ci_lo,speedup_ci_hi,"
    "efficiency,karp_flatt,process_median_s,max_rss_kib,gil_switches,gil_wait_s,"
    "spread,startup_median_s,gil_wait_share,ci_level,precision,speedup_vs_fastest,"
    "speedup_vs_fastest_lo,speedup_vs_fastest_hi,fastest_mode,cpu_delivered,other_cpu_share,"
    "steal_share,involuntary_switches,cpu_mhz,disturbed,dispatch,gil_hold_share,gil_parked_share,"
    "gil_source,variant\n";

static void write_csv_row(FILE *out, const struct row *r)
{
    const struct point *p = r->point;
    fprintf(out, "%s,%s,%u,%zu", p->workload, p->mode, p->workers, p->runs);
    csv_number(out, r->median, "%.6f");
    csv_number(out, r->min, "%.6f");
    csv_number(out, r->max, "%.6f");
    csv_number(out, r->stddev, "%.6f");
    csv_number(out, r->speedup.value, "%.4f");
    csv_number(out, r->speedup.low, "%.4f");
    csv_number(out, r->speedup.high, "%.4f");
    csv_number(out, r->efficiency, "%.4f");
    csv_number(out, r->karp_flatt, "%.4f");
    csv_number(out, p->process_median, "%.6f");
    csv_number(out, field_stat(p, RSS_KIB, stats_max), "%.0f");
    csv_number(out, r->gil_switches, "%.0f");
    csv_number(out, r->gil_wait_seconds, "%.6f");
    csv_number(out, r->spread, "%.4f");
    csv_number(out, field_stat(p, STARTUP_SECONDS, stats_median), "%.6f");
    csv_number(out, r->gil_wait_share, "%.4f");
    csv_number(out, r->speedup.level, "%.4f");
    csv_number(out, r->precision, "%.4f");
    csv_number(out, r->against_fastest.value, "%.4f");
    csv_number(out, r->against_fastest.low, "%.4f");
    csv_number(out, r->against_fastest.high, "%.4f");
    fprintf(out, ",%s", r->fastest_mode ? r->fastest_mode : "");
    csv_number(out, r->cpu_delivered, "%.4f");
    csv_number(out, r->other_cpu_share, "%.4f");
    csv_number(out, r->steal_share, "%.4f");
    csv_number(out, field_stat(p, INVOLUNTARY_SWITCHES, stats_median), "%.0f");
    csv_number(out, field_stat(p, CPU_MHZ, stats_median), "%.0f");
    /* A way of running such as "threads+pool" is its mode through a pool. */
    bool pool = strlen(p->mode) > 5 && strcmp(p->mode + strlen(p->mode) - 5, "+pool") == 0;
    fprintf(out, ",%s,%s", r->disturbed ? "yes" : "no", pool ? "pool" : "shares");
    csv_number(out, r->gil_hold_share, "%.4f");
    csv_number(out, r->gil_parked_share, "%.4f");
    /* Where the GIL columns come from: the runs' own counters (the model),
     * CPython's one traced run, or nowhere.  The variant stays last (the
     * tests and studies match it at the line's end). */
    bool counted = isfinite(r->gil_switches) || isfinite(r->gil_wait_seconds);
    fprintf(out, ",%s,%s\n",
            r->gil_traced ? (counted || isfinite(r->gil_hold_share) || isfinite(r->gil_parked_share) ? "traced" : "")
                          : counted ? "runs" : "",
            p->variant);
}

struct csv_rows {
    const struct row *rows;
    size_t count;
};

static int write_csv_rows(FILE *out, const void *what)
{
    const struct csv_rows *c = what;
    fputs(CSV_HEADER, out);
    for (size_t i = 0; i < c->count; i++)
        write_csv_row(out, &c->rows[i]);
    return 0;
}

/* The CSV, written whole or not at all (atomic_file.h). */
static int write_csv(const char *path, const struct row *rows, size_t count)
{
    if (strlen(path) + sizeof ".tmp" > 4096) {   /* the limit it has always had */
        fprintf(stderr, "gilbench: --csv path is too long\n");
        return GB_EXIT_USAGE;
    }
    struct csv_rows what = { rows, count };
    return write_atomically(path, write_csv_rows, &what);
}

static void print_summarize_help(void)
{
    printf("usage: gilbench summarize --runs FILE [--processes FILE] [--gil-traces FILE]\n"
           "                          [--csv FILE] [--table]\n"
           "                          [--answer] [--decision] [--deciding] [--cpus N]\n"
           "                          [--confidence PCT] [--precision PCT] [--resolution PCT]\n"
           "                          [--looks N] [--max-runs N] [--way-name WAY=NAME]...\n"
           "                          [--python-workload NAME=TEXT]...\n"
           "\n"
           "Per-point statistics of a sweep (what `make bench` calls after its runs).\n"
           "  --runs FILE       tab-separated, one measured run per line: workload variant\n"
           "                    mode workers seconds max_rss_kib gil_switches\n"
           "                    gil_wait_seconds startup_seconds, optionally followed by\n"
           "                    worker_seconds_total cpu_seconds other_cpu_ticks\n"
           "                    steal_ticks all_cpu_ticks involuntary_switches cpu_mhz\n"
           "                    gil_hold_seconds\n"
           "                    (- if unknown)\n"
           "  --processes FILE  tab-separated, one point per line: workload variant mode\n"
           "                    workers process_median_seconds (hyperfine's median)\n"
           "  --gil-traces FILE the sweep's gil.csv: each CPython point's one traced run\n"
           "                    (gilbench gil-trace); its figures fill the point's GIL\n"
           "                    columns, and the answer says how much of one worker's\n"
           "                    time the GIL was held\n"
           "  --csv FILE        write summary.csv there (through a temporary file)\n"
           "  --table           print the speedup table on stdout\n"
           "  --answer          print one answer line per workload on stdout: each way's\n"
           "                    time at the usable CPU count against the fastest 1-worker\n"
           "                    way, fastest first, and whether it is decided\n"
           "  --decision        print the answer in words, one sentence per workload\n"
           "  --deciding        print the points an undecided answer still needs runs of\n"
           "                    (workload variant mode workers, tab-separated)\n"
           "  --max-runs N      with --deciding: leave out a comparison whose estimate\n"
           "                    needs more than 2 N runs (MAX_RUNS; default: no limit)\n"
           "  --resolution PCT  ways whose times are within PCT %% are a tie (default 5)\n"
           "  --looks N         how often the sweep looks at one comparison: MAX_RUNS -\n"
           "                    RUNS + 1 (default 1; the answer's confidence accounts for it)\n"
           "  --way-name WAY=NAME         a Python workload's words for a way (repeatable)\n"
           "  --python-workload NAME=TEXT  NAME is a Python workload, TEXT its interpreters\n"
           "  --cpus N          the usable CPUs the runs had (Karp-Flatt, CPU delivered,\n"
           "                    the answer's worker count); default: this process's\n"
           "  --confidence PCT  of the speedup intervals, 50 to 99.9 (default 95)\n"
           "  --precision PCT   flag points whose interval's half-width is above PCT %%\n"
           "                    of their speedup as wide (default: none)\n");
}

static double parse_percent(const char *option, const char *text, double min, double max)
{
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || errno != 0 || !(value >= min && value <= max))
        usage_error("%s '%s' is not a percentage from %g to %g", option, text, min, max);
    return value / 100;
}

/* NAME=TEXT, both non-empty, on one line (--way-name, --python-workload),
 * the count-th of its option. */
#define MAX_NAME_PAIRS 256
static const char *name_pair(const char *option, const char *text, size_t count)
{
    if (count >= MAX_NAME_PAIRS)
        usage_error("%s is given more than %d times", option, MAX_NAME_PAIRS);
    size_t name = strcspn(text, "=");
    if (name == 0 || text[name] != '=' || text[name + 1] == '\0' || strchr(text, '\t') || strchr(text, '\n'))
        usage_error("%s '%s' is not NAME=TEXT", option, text);
    return text;
}

static unsigned affinity_cpus(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? (unsigned)CPU_COUNT(&set) : 1;
}

int summarize_command(int argc, char **argv)
{
    const char *runs_path = NULL, *processes_path = NULL, *csv_path = NULL, *traces_path = NULL;
    bool table = false, answer = false, decision = false, deciding = false;
    struct settings settings = { .confidence = 0.95, .cpus = 0, .precision_target = 0, .resolution = 0.05,
                                 .looks = 1 };
    const char *names[MAX_NAME_PAIRS], *pythons[MAX_NAME_PAIRS];
    settings.way_names = names;
    settings.python_workloads = pythons;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_summarize_help();
            return 0;
        } else if (strcmp(argv[i], "--table") == 0) {
            table = true;
        } else if (strcmp(argv[i], "--answer") == 0) {
            answer = true;
        } else if (strcmp(argv[i], "--decision") == 0) {
            decision = true;
        } else if (strcmp(argv[i], "--deciding") == 0) {
            deciding = true;
        } else if (i + 1 < argc && strcmp(argv[i], "--resolution") == 0) {
            settings.resolution = parse_percent("--resolution", argv[++i], 0.1, 100);
        } else if (i + 1 < argc && strcmp(argv[i], "--max-runs") == 0) {
            settings.max_runs = (size_t)parse_whole_number("--max-runs", argv[++i], 1, 1000);
        } else if (i + 1 < argc && strcmp(argv[i], "--looks") == 0) {
            settings.looks = (size_t)parse_whole_number("--looks", argv[++i], 1, 1000);
        } else if (i + 1 < argc && strcmp(argv[i], "--way-name") == 0) {
            names[settings.way_name_count] = name_pair("--way-name", argv[++i], settings.way_name_count);
            settings.way_name_count++;
        } else if (i + 1 < argc && strcmp(argv[i], "--python-workload") == 0) {
            pythons[settings.python_workload_count] =
                name_pair("--python-workload", argv[++i], settings.python_workload_count);
            settings.python_workload_count++;
        } else if (i + 1 < argc && strcmp(argv[i], "--runs") == 0) {
            runs_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--processes") == 0) {
            processes_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--gil-traces") == 0) {
            traces_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--csv") == 0) {
            csv_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--cpus") == 0) {
            settings.cpus = (unsigned)parse_whole_number("--cpus", argv[++i], 1, 1u << 20);
        } else if (i + 1 < argc && strcmp(argv[i], "--confidence") == 0) {
            settings.confidence = parse_percent("--confidence", argv[++i], 50, 99.9);
        } else if (i + 1 < argc && strcmp(argv[i], "--precision") == 0) {
            settings.precision_target = parse_percent("--precision", argv[++i], 0.1, 100);
        } else {
            usage_error("unknown or incomplete option '%s' for summarize; see summarize --help",
                        argv[i]);
        }
    }
    if (!runs_path)
        usage_error("summarize needs --runs FILE");
    if (!csv_path && !table && !answer && !decision && !deciding)
        usage_error("summarize needs --csv FILE, --table, --answer, --decision, --deciding or several");
    if (settings.cpus == 0)
        settings.cpus = affinity_cpus();

    struct points all = { 0 };
    /* Refusals after this point free what was read before exiting 2, so
     * that a caller that goes on (the fuzzing harness) loses nothing. */
    if (!read_input(runs_path, true, &all) || (processes_path && !read_input(processes_path, false, &all)) ||
        (traces_path && !gil_traces_read(traces_path, &all))) {
        free_points(&all);
        return GB_EXIT_USAGE;
    }
    if (all.count == 0) {
        fprintf(stderr, "gilbench: %s has no runs\n", runs_path);
        free_points(&all);
        return GB_EXIT_USAGE;
    }
    sort_basis = &all;
    struct point *sorted = malloc(all.count * sizeof *sorted);
    struct row *rows = malloc(all.count * sizeof *rows);
    if (!sorted || !rows) {
        fprintf(stderr, "gilbench: out of memory\n");
        return 1;
    }
    memcpy(sorted, all.items, all.count * sizeof *sorted);
    qsort(sorted, all.count, sizeof *sorted, compare_points);
    for (size_t i = 0; i < all.count; i++)
        rows[i] = summarise(&all, &sorted[i], &settings);

    int status = csv_path ? write_csv(csv_path, rows, all.count) : 0;
    if (table)
        summary_print_table(rows, all.count, &settings);
    if (answer) {
        if (table)
            putchar('\n');
        summary_print_answer(stdout, ANSWER_LINES, rows, all.count, &settings);
    }
    if (decision)
        summary_print_answer(stdout, ANSWER_DECISION, rows, all.count, &settings);
    if (deciding)
        summary_print_answer(stdout, ANSWER_DECIDING, rows, all.count, &settings);
    free_points(&all);
    free(sorted);
    free(rows);
    return status;
}
