"""estimate - what `make bench DRY_RUN=1` prints instead of running: the
sweep's plan (its points by workload and way, the units each workload's
runs do), its expected wall time from the unit times a results folder
measured on this machine, and the machine's limits that its largest point
meets.  PLAN_CPUS=N plans it for N usable CPUs (the sweep makes the
plan: the default worker list and each study's "cpus" follow N).

Usage: python3 scripts/sweep estimate PLAN UNITS CPUS RUNS WARMUP MAX_RUNS [REFERENCE]
  PLAN       plan.tsv: workload, variant, way, workers per line
  UNITS      lines "workload units": what one run of each does
  REFERENCE  a results folder whose 1-worker runs give each workload's
             time per unit here (raw/<point>.jsonl: seconds / units); the
             per-call cost of starting a run is its meta.json harness's
             process time per call

The estimate is a range, not a figure: a point of N workers takes between
its 1-worker time divided by min(N, CPUS) (every way scaling perfectly)
and its 1-worker time (no way scaling: the GIL serialising pure Python),
for warm-up + RUNS calls; MAX_RUNS calls where the answer needs more.
"""
import glob
import os
import re
import resource

from sweep.messages import clock, parse_number, usage
from sweep.machine import usable_cpus
from sweep.meta import is_number, load_json, read_jq_values, read_text, text_of
from sweep.tables import leading_number, records

USAGE = "python3 scripts/sweep estimate PLAN UNITS CPUS RUNS WARMUP MAX_RUNS [REFERENCE]"


def median_per_unit(path):
    """The upper median of seconds / units over PATH's results whose units
    are a number above 0; None without one, or when a result is not what
    the engine writes (then the whole file is left out, as jq left it)."""
    times = []
    try:
        results = read_jq_values(path)
    except (OSError, ValueError, RecursionError):
        return None
    for result in results:
        if result is not None and not isinstance(result, dict):
            return None
        units = result.get("units") if result else None
        if units is None or isinstance(units, bool) or (is_number(units) and units <= 0):
            continue
        if not (is_number(units) and is_number(result.get("seconds"))):
            return None
        times.append(result["seconds"] / units)
    return sorted(times)[len(times) // 2] if times else None


def per_call_cost(reference):
    """The reference's harness process time (meta.json's
    .harness.process_rest_s) per call of its schedule (a line a call after
    the header) as the text the estimate reads; the whole figure when the
    schedule has no call; "" without the figure."""
    try:
        meta = load_json(os.path.join(reference, "meta.json"))
    except (OSError, ValueError, RecursionError):
        return ""
    harness = meta.get("harness") if isinstance(meta, dict) else None
    figure = harness.get("process_rest_s") if isinstance(harness, dict) else None
    if figure is None:
        return ""
    schedule = read_text(os.path.join(reference, "schedule.tsv"), "surrogateescape")
    calls = (schedule.count("\n") if schedule is not None else 1) - 1
    return "%.4f" % (leading_number(text_of(figure)) / calls) if calls > 0 else text_of(figure)


def unit_times(reference):
    """{point id (workload[@variant].way): its 1-worker time per unit} from
    REFERENCE/raw/<id>.1.jsonl."""
    times = {}
    for path in sorted(glob.glob(os.path.join(glob.escape(reference), "raw", "*.1.jsonl"))):
        try:
            if os.path.getsize(path) == 0:
                continue
        except OSError:
            continue
        median = median_per_unit(path)
        if median is not None:
            times[os.path.basename(path)[:-len(".1.jsonl")]] = median
    return times


def whole(text):
    """A setting's text as awk's %d prints it."""
    return int(leading_number(text))


def plan_lines(plan, units_text, times, per_call, cpus, runs, warmup, max_runs, reference):
    """The plan by workload and way, the units a run and, from REFERENCE's
    times, each workload's slowest 1-worker run and the expected time."""
    units = {}
    for line in records(units_text):
        fields = line.split()
        if fields:
            units[fields[0]] = fields[1] if len(fields) > 1 else ""
    workers, one_worker, workloads, unmeasured = {}, {}, [], []
    low = high = most_high = 0.0
    call, reps, most_reps = leading_number(per_call), leading_number(warmup) + leading_number(runs), \
        leading_number(warmup) + leading_number(max_runs)
    for line in records(plan):
        workload, variant, way, count = (line.split("\t") + [""] * 4)[:4]
        label = workload if variant == "-" else workload + "@" + variant
        workers.setdefault((label, way), []).append(count)
        if workload not in workloads:
            workloads.append(workload)
        # time per unit: this variant in this way, else the workload in that way
        t = times.get("%s@%s.%s" % (workload, variant, way), times.get("%s.%s" % (workload, way)))
        if t is None:
            if "%s %s" % (label, way) not in unmeasured:
                unmeasured.append("%s %s" % (label, way))
            continue
        one = t * leading_number(units.get(workload, ""))
        one_worker[workload] = max(one_worker.get(workload, one), one)
        n = leading_number(count)
        share = one / (n if n < leading_number(cpus) else leading_number(cpus))
        low += reps * (share + call)
        high += reps * (one + call)
        most_high += most_reps * (one + call)
    lines = ["  %-30s %-14s %s" % ("workload", "way", "workers")]
    lines += ["  %-30s %-14s %s" % (label, way, " ".join(counts)) for (label, way), counts in workers.items()]
    if reference == "none":
        lines.append("gilbench: units a run (no results folder to take times from: ESTIMATE_FROM=DIR, or a make "
                     "bench first):")
    else:
        lines.append("gilbench: units a run, and the slowest way's 1-worker run time from %s:" % reference)
    for workload in workloads:
        time = "" if reference == "none" else \
            "%.3f s" % one_worker[workload] if workload in one_worker else "not measured there"
        lines.append(("  %-20s %12s units  %s" % (workload, units.get(workload, ""), time)).rstrip(" "))
    if low > 0:
        lines.append("gilbench: expected time of the measured points: %s to %s (warm-up + %d runs a point, every "
                     "way scaling perfectly to min(N, %d) workers, or none at all; %.3f s a call to start and end "
                     "its processes); up to %s if every point took %d runs" % (
                         clock(low), clock(high), whole(runs), whole(cpus), call, clock(most_high), whole(max_runs)))
    if unmeasured and reference != "none":
        lines.append("gilbench: not in the estimate (no 1-worker run of theirs in %s): %s"
                     % (reference, ", ".join(unmeasured)))
    return lines


def proc_value(path):
    """A figure of /proc, or "unknown"."""
    text = read_text(path, "surrogateescape")
    return "unknown" if text is None else text.rstrip("\n")


def limit(which, hard=False):
    """A resource limit as `ulimit` prints it: a number or "unlimited"."""
    try:
        value = resource.getrlimit(which)[1 if hard else 0]
    except (OSError, ValueError):
        return "unknown"
    return "unlimited" if value == resource.RLIM_INFINITY else str(value)


def within(need, limit_text):
    """ok or over: NEED fits in LIMIT_TEXT (unknown and unlimited do)."""
    if limit_text in ("unknown", "unlimited"):
        return "ok"
    return "ok" if re.fullmatch(r"[ \t]*[-+]?[0-9]+[ \t]*", limit_text) and need <= int(limit_text) else "over"


def mem_available():
    """MemAvailable of /proc/meminfo in MiB, "unknown" if it cannot be read."""
    text = read_text("/proc/meminfo", "surrogateescape")
    if text is None:
        return "unknown"
    return "".join("%d MiB" % int(leading_number(line.split()[1]) / 1024) if len(line.split()) > 1 else "0 MiB"
                   for line in records(text) if line.startswith("MemAvailable:"))


def limit_lines(plan):
    """The machine's limits that the largest point of PLAN meets."""
    counts = [(line.split("\t") + [""] * 4)[3] if "\t" in line else line for line in records(plan)]
    most_text = max(counts, key=lambda c: (leading_number(c), c), default="")
    most = int(leading_number(most_text))
    threads_max = proc_value("/proc/sys/kernel/threads-max")
    nproc_limit = limit(resource.RLIMIT_NPROC)
    files_hard = limit(resource.RLIMIT_NOFILE, hard=True)
    pipe_pages = proc_value("/proc/sys/fs/pipe-user-pages-soft")
    lines = ["gilbench: the largest point has %s workers; this machine's limits:" % most_text,
             "  threads of one process (%s workers, plus the collector): kernel.threads-max %s, ulimit -u %s: "
             "%s/%s (over: the run fails in one line, could not create worker thread K of N)"
             % (most_text, threads_max, nproc_limit, within(most + 2, threads_max), within(most + 2, nproc_limit)),
             "  processes (procs: %s forks): ulimit -u %s: %s (over: could not fork worker K of N)"
             % (most_text, nproc_limit, within(most + 2, nproc_limit))]
    if re.search(r"\tprocs[+]pool\t", plan):
        lines.append("  descriptors (a process pool: 2 a worker, %d in all): hard limit %s: %s (the engine raises "
                     "its soft limit to what it needs; over the hard one: cannot make the result pipe of worker K)"
                     % (2 * most + 64, files_hard, within(2 * most + 64, files_hard)))
        lines.append("  pipe buffers (one pipe a worker, 16 pages each: %d pages): fs.pipe-user-pages-soft %s: %s "
                     "(over: the kernel gives later pipes one page; the pool still runs, with more wake-ups)"
                     % ((most + 1) * 16, pipe_pages, within((most + 1) * 16, pipe_pages)))
    if re.search(r"^shared_input\t[^\t\n]*\t(interp|spawn|forkserver)(\t|[+])", plan, re.M):
        lines.append("  memory (shared_input's interpreters and spawned workers each build the input): "
                     "MemAvailable %s (over: refused in one line before the run)" % mem_available())
    return lines


def main(argv):
    if len(argv) < 6:
        usage("estimate takes the plan and its settings: " + USAGE)
    plan_path, units_path, cpus, runs, warmup, max_runs = argv[:6]
    reference = argv[6] if len(argv) > 6 else ""
    for name, value, high in (("CPUS", cpus, 4096), ("RUNS", runs, 10 ** 6), ("WARMUP", warmup, 10 ** 6),
                              ("MAX_RUNS", max_runs, 10 ** 6)):
        parse_number(name, value, 0 if name == "WARMUP" else 1, high)
    plan = read_text(plan_path, "surrogateescape")
    if plan is None:
        usage("cannot read the plan %s" % plan_path)
    times, per_call = {}, ""
    if reference and os.path.isdir(os.path.join(reference, "raw")):
        times, per_call = unit_times(reference), per_call_cost(reference)
    machine_cpus = str(usable_cpus())
    print("gilbench: the plan on %s usable CPU%s%s: %d points" % (
        cpus, "" if cpus == "1" else "s",
        "" if cpus == machine_cpus else " (PLAN_CPUS; this machine has %s)" % machine_cpus, plan.count("\n")))
    for line in plan_lines(plan, read_text(units_path, "surrogateescape") or "", times, per_call or "0", cpus, runs, warmup,
                           max_runs, reference or "none") + limit_lines(plan):
        print(line)
    return 0
