"""tidy - turns a run folder's raw files into its tidy data:
  runs.csv       one row per measured run (warm-up runs dropped), every
                 field of the engine's JSON line that all workloads share
  figures.csv    the workloads' own figures (gflops, latency_p99_us, ...):
                 one row per point and figure, with median, min and max
                 (names are plain tokens, so fields are not quoted)
  runs.tsv       the columns `gilbench summarize --runs` reads
  processes.tsv  hyperfine's whole-process median per point (over all its
                 calls: one per round, hyperfine/<id>.<call>.json)
runs.tsv also carries, per run, the noise the sweep measured around its
call (noise.tsv: CPU ticks of other processes and of the hypervisor, all
ticks of all CPUs, the clock): the k-th measured run of a point is its k-th
call's only run.
A point listed in failures.tsv keeps the runs it measured before the one
that failed (a point gets no call after a failed one): they stay in
runs.csv, marked point_failed=true, and nothing else comes from them (no
summary row, figure or plot point).  The points and their order come from
plan.tsv.
Usage: python3 scripts/sweep tidy RUN_DIR WARMUP
The files are written as jq wrote them when this was a shell script (its
@csv, @tsv and number format: 1e-05, 0.018766485500000003), each
atomically; numbers are held as jq holds them, doubles.
"""
import os
import re
import statistics

from sweep.messages import die, usage
from sweep.plan import point_label
from sweep.meta import names_in, parse_json, read_jq_values, read_text, text_of, write_atomically
from sweep.tables import jq_csv_row, jq_tsv_row, records

COMMON = ("workload variant mode workers seconds startup_seconds worker_seconds_min worker_seconds_max"
          " worker_seconds_total cpu_user_seconds cpu_sys_seconds involuntary_switches max_rss_kib checksum"
          " switch_interval_us gil_switches gil_wait_seconds gil_hold_seconds gil_drop_requests run"
          " process_median_s other_cpu_ticks steal_ticks all_cpu_ticks cpu_mhz setup_seconds check_seconds"
          " point_failed").split()
# The fields that are not common to all workloads are the workloads' figures.
NOT_FIGURES = set(COMMON) | {"units", "weak", "params", "ranks", "hosts", "dispatch", "chunksize", "tasks",
                             "task_arg_bytes", "task_result_bytes"}
NOISE = ("other_cpu_ticks", "steal_ticks", "all_cpu_ticks", "cpu_mhz")


# ---- the run folder's text files ----

def read_fields(line, count):
    """LINE's first COUNT fields as bash's `IFS=$'\\t' read -r` gives them:
    runs of tabs separate, the last takes the rest of the line."""
    rest, fields = line.strip("\t"), []
    for _ in range(count - 1):
        field, _, rest = rest.partition("\t")
        fields.append(field)
        rest = rest.lstrip("\t")
    return fields + [rest]


def plan_lines(run_dir):
    """plan.tsv's points (workload, variant, mode, workers): each line that
    ends with a newline, as the shell's `while read` took them."""
    text = read_text(os.path.join(run_dir, "plan.tsv"), "surrogateescape")
    if text is None:
        die("cannot read %s/plan.tsv" % run_dir)
    return [read_fields(line, 4) for line in text.split("\n")[:-1]]


def failed_points(run_dir):
    """failures.tsv's points, as lines of their first four fields."""
    lines = records(read_text(os.path.join(run_dir, "failures.tsv"), "surrogateescape") or "")
    return {"\t".join((line.split("\t") + ["", "", ""])[:4]) for line in lines}


def hyperfine_files(run_dir, point):
    """The calls' hyperfine files of POINT (hyperfine/<id>.<call>.json), in
    the shell's glob order."""
    names = names_in(os.path.join(run_dir, "hyperfine"))
    call = re.compile(re.escape(point) + r"\.[0-9].*\.json", re.S)
    return [run_dir + "/hyperfine/" + name for name in sorted(names, key=os.fsencode) if call.fullmatch(name)]


def good_points(run_dir):
    """The points that ran to the end, in plan order: (id, variant, failed,
    hyperfine files); a failed point's runs before its failure count."""
    failed = failed_points(run_dir)
    good = []
    for workload, variant, mode, workers in plan_lines(run_dir):
        point = "%s.%s.%s" % (point_label(workload, variant), mode, workers)
        raw = os.path.join(run_dir, "raw", point + ".jsonl")
        calls = hyperfine_files(run_dir, point)
        if os.path.exists(raw) and os.path.getsize(raw) > 0 and calls:
            good.append((point, variant, "\t".join((workload, variant, mode, workers)) in failed, calls))
    return good


def file_id(path, suffix):
    """A point's id from its file's name (what follows the last /)."""
    name = path.split("/")[-1]
    return name[:-len(suffix)] if name.endswith(suffix) else name


# ---- the tables ----

def process_medians(run_dir, good):
    """hyperfine's whole-process median per point over all its calls, by id."""
    times = {}
    try:
        for _, _, _, calls in good:
            for path in calls:
                point = re.sub(r"\.[0-9]+\.json$", "", path.split("/")[-1])
                for value in read_jq_values(path):
                    found = value["results"][0]["times"] if isinstance(value, dict) and value.get("results") else None
                    if not isinstance(found, list) or not all(isinstance(t, float) for t in found):
                        raise ValueError("no times")
                    times.setdefault(point, []).extend(found)
        return {point: statistics.median(found) for point, found in times.items()}
    except (OSError, ValueError, LookupError, TypeError, statistics.StatisticsError):
        die("cannot read hyperfine's results in %s/hyperfine" % run_dir)


def noise_table(run_dir):
    """The noise around each call, per point in call order."""
    noise = {}
    for line in records(read_text(os.path.join(run_dir, "noise.tsv")) or ""):
        fields = line.split("\t") if line else []
        if len(fields) >= 5:
            noise.setdefault(fields[0], []).append(dict(zip(NOISE, fields[1:5])))
    return noise


def measured_runs(run_dir, warmup, good):
    """Every measured run (warm-up runs are the first lines of each file),
    numbered from 1, with its point's variant and process median."""
    process = process_medians(run_dir, good)
    noise = noise_table(run_dir)
    variants = {point: (variant, failed) for point, variant, failed, _ in good}
    runs, current, index = [], None, -1
    try:
        for point, _, _, _ in good:
            path = run_dir + "/raw/" + point + ".jsonl"
            for line in read_jq_values(path):
                # The files one after another: a file named twice continues.
                index, current = (index + 1, current) if path == current else (0, path)
                if index < warmup:
                    continue
                if not isinstance(line, dict) and line is not None:
                    raise TypeError("a run's line is not an object")
                name, k = file_id(path, ".jsonl"), int(index - warmup)
                variant, failed = variants.get(name, (None, None))
                parts = name.split(".")
                calls = noise.get(name, [])
                run = dict(line or {})
                # The mode as the plan names the way (threads+pool), from the
                # id label.mode.workers: the engine says only "threads".
                run.update(variant=variant, point_failed=failed, mode=parts[-2] if len(parts) > 1 else None,
                           run=k + 1, process_median_s=process.get(name))
                run.update({field: calls[k][field] if k < len(calls) else "-" for field in NOISE})
                runs.append(run)
    except (OSError, ValueError, TypeError):
        die("cannot read the runs in %s/raw" % run_dir)
    return runs


def jq_key(value):
    """VALUE's place in jq's order: null, false, true, numbers, strings,
    arrays, objects."""
    if value is None or isinstance(value, bool):
        return (0 if value is None else 1 + value,)
    if isinstance(value, (int, float)):
        return (3, value)
    if isinstance(value, str):
        return (4, value)
    if isinstance(value, list):
        return (5, tuple(jq_key(v) for v in value))
    return (6, tuple(jq_key(k) for k in sorted(value)), tuple(jq_key(value[k]) for k in sorted(value)))


def figure_lines(runs):
    """figures.csv's rows: per point and figure, its runs, median, min, max."""
    groups = {}
    for run in runs:
        point = [run.get(name) for name in ("workload", "variant", "mode", "workers")]
        for figure, value in run.items():
            if figure not in NOT_FIGURES and isinstance(value, float):
                key = jq_key([point, figure])
                groups.setdefault(key, (point, figure, []))[2].append(value)
    return [",".join(text_of(v) for v in point + [figure, len(values), statistics.median(values),
                                                    min(values), max(values)])
            for point, figure, values in (groups[key] for key in sorted(groups))]


def either(value):
    """jq's `value // "-"`: a run could not measure it (null: CPython
    keeps no GIL counters)."""
    return "-" if value is None or value is False else value


def cpu_seconds(run):
    """User plus system CPU time, "-" unless the run has both."""
    user, system = run.get("cpu_user_seconds"), run.get("cpu_sys_seconds")
    if either(user) == "-" or either(system) == "-":
        return "-"
    if isinstance(user, float) and isinstance(system, float):
        return user + system
    if isinstance(user, str) and isinstance(system, str):
        return user + system
    raise TypeError("cpu_user_seconds and cpu_sys_seconds cannot be added")


def runs_tsv_row(run):
    g = run.get
    return [g("workload"), g("variant"), g("mode"), g("workers"), g("seconds"), g("max_rss_kib"),
            either(g("gil_switches")), either(g("gil_wait_seconds")), g("startup_seconds"),
            either(g("worker_seconds_total")), cpu_seconds(run), g("other_cpu_ticks"), g("steal_ticks"),
            g("all_cpu_ticks"), either(g("involuntary_switches")), g("cpu_mhz")]


def write(path, lines):
    """LINES, each ended by a newline, to PATH atomically."""
    if not write_atomically(path, "".join(line + "\n" for line in lines)):
        die("cannot write %s" % path)


def main(argv):
    if len(argv) != 2:
        usage("scripts/sweep tidy takes RUN_DIR WARMUP")
    run_dir = argv[0]
    try:
        warmup = parse_json(argv[1])
    except ValueError:
        warmup = None
    if not isinstance(warmup, (int, float)) or isinstance(warmup, bool):
        usage("scripts/sweep tidy: WARMUP='%s' is not a number" % argv[1])
    good = good_points(run_dir)
    runs = measured_runs(run_dir, warmup, good) if good else []
    kept = [run for run in runs if run["point_failed"] in (None, False)]
    try:
        tables = {
            "runs.csv": [",".join(COMMON)] + [jq_csv_row(run.get(name) for name in COMMON) for run in runs],
            "figures.csv": ["workload,variant,mode,workers,figure,runs,median,min,max"] + figure_lines(kept),
            "runs.tsv": [jq_tsv_row(runs_tsv_row(run)) for run in kept],
            "processes.tsv": [jq_tsv_row([run.get(name) for name in ("workload", "variant", "mode", "workers",
                                                                        "process_median_s")])
                              for run in kept if run["run"] == 1],
        }
    except (ValueError, TypeError):
        die("cannot read the runs in %s/raw" % run_dir)
    for name, lines in tables.items():
        write(os.path.join(run_dir, name), lines)
    return 0
