"""compare - two results folders point by point (make compare A=... B=...):
for every point both measured (workload, variant, mode, workers), the ratio
of their median times and of their speedups, and whether the speedups agree
given their 95 % intervals, as a table, compare.csv, compare.json and a plot,
e.g. after changing the switch interval, the compiler flags or the machine.
Usage: python3 scripts/sweep compare A B   (A is the reference: a ratio is
B / A).  Writes RESULTS_DIR/compare-<A>-vs-<B>/, never touching A or B; the
last line printed names it ("gilbench: comparison in DIR (...)").
compare() does the work for make reproduce too, which gets the folder and
the rows from it.

compare.csv, one row per point in common (HEADER):
  workload, variant, mode, workers        the point (variant "-" for none)
  median_s_a, median_s_b, time_ratio      median times and B / A
  speedup_a, speedup_b, speedup_ratio     speedups and B / A
  speedup_ci_lo_a, speedup_ci_hi_a,       each run's interval of its speedup
  speedup_ci_lo_b, speedup_ci_hi_b        (summary.csv's speedup_ci_lo/hi)
  ci_level_a, ci_level_b                  the confidence those intervals have
                                          (below 0.95 with too few runs)
  b_in_a                                  yes: speedup_b lies inside A's interval
  a_in_b                                  yes: speedup_a lies inside B's interval
  verdict                                 same: the two intervals overlap (share
                                          at least one value); differs: they do
                                          not; unknown: a speedup or an interval
                                          is missing
The verdict is the overlap of the intervals, not mutual containment: two
independent 95 % intervals of one true speedup miss each other in well under
1 % of points, so "differs" is a difference that noise rarely makes; each
estimate inside the other's interval (b_in_a, a_in_b) is the stricter test,
which noise alone fails in about one point of six.  Bounds are inclusive.
1-worker points (speedup 1 by definition) are in the table but left out of
the closing figures.

Settings that make the two runs measure different things (RUNS, MAX_RUNS,
PRECISION, WARMUP, SWITCH_INTERVAL_US, PARAMS, the workloads' units, the CPU
model, the usable CPUs) are compared: one warning line on stderr per
difference, also in compare.json's "differences" and "warnings".
"""
import dataclasses
import glob
import math
import os
import statistics
import sys

from sweep import meta as run_meta
from sweep.messages import die, note, usage
from sweep.meta import jq_round, percent, plain, tenths
from sweep.plan import point_label
from sweep.plotting import draw_plot, gp_string
from sweep.tables import aligned, number, read_table, write_csv

HEADER = ["workload", "variant", "mode", "workers", "median_s_a", "median_s_b", "time_ratio",
          "speedup_a", "speedup_b", "speedup_ratio", "speedup_ci_lo_a", "speedup_ci_hi_a",
          "speedup_ci_lo_b", "speedup_ci_hi_b", "ci_level_a", "ci_level_b", "b_in_a", "a_in_b", "verdict"]
KEY = ("workload", "variant", "mode", "workers")
MEASURES = ("median_s", "speedup", "speedup_ci_lo", "speedup_ci_hi", "ci_level")
VERDICT_RULE = "same: the speedups 95 % intervals overlap; differs: they do not"


@dataclasses.dataclass
class Comparison:
    """What compare() made: its folder, compare.csv's rows (dicts by
    HEADER's names) and compare.json's content."""
    folder: str
    rows: list
    report: dict


# ---- figures and their text, as jq and awk printed them ----

def point_name(row):
    return "%s %s %s" % (point_label(row["workload"], row["variant"]), row["mode"], row["workers"])


def interval(speedup, lo, hi):
    """A speedup with its interval: "1.9 (1.8-2)", or "-"."""
    if speedup == "":
        return "-"
    if lo == "":
        return "%.3g" % (number(speedup) or 0)
    return "%.3g (%.3g-%.3g)" % (number(speedup) or 0, number(lo) or 0, number(hi) or 0)


def change(ratio):
    """A ratio as a change: "+5.3 %", or "-"."""
    return "-" if ratio == "" else "%+.1f %%" % (((number(ratio) or 0) - 1) * 100)


def many(rows):
    """The rows of points with more than one worker."""
    return [row for row in rows if (number(row["workers"]) or 0) > 1]


def median_pct(values):
    """The median of sorted percentages, an even count's to 2 decimals."""
    if not values:
        return None
    middle = statistics.median(values)
    return plain(middle if len(values) % 2 else jq_round(middle * 100) / 100)


# ---- the comparison ----

def inside(speedup, lo, hi):
    """yes or no: SPEEDUP lies in [LO, HI]; "" if one of them is missing."""
    return "" if None in (speedup, lo, hi) else ("yes" if lo <= speedup <= hi else "no")


def ratio(b, a):
    """B / A to 4 decimals; "" without a positive A, a B, or a finite ratio."""
    return "%.4f" % (b / a) if a and a > 0 and b is not None and math.isfinite(b / a) else ""


def join(rows_a, rows_b):
    """compare.csv's rows: the points of A (in A's order; of a point given
    twice, the last line) that B has too."""
    def keyed(rows):
        points = {}
        for row in rows:
            row = dict(row, variant=row["variant"] or "-")
            points[tuple(row[k] for k in KEY)] = row
        return points
    points_a, points_b = keyed(rows_a), keyed(rows_b)
    joined = []
    for key, x in points_a.items():
        if key not in points_b:
            continue
        y = points_b[key]
        row = dict(zip(KEY, key))
        for measure in MEASURES:
            row[measure + "_a"], row[measure + "_b"] = x[measure], y[measure]
        ta, tb, sa, sb = (number(v) for v in (x["median_s"], y["median_s"], x["speedup"], y["speedup"]))
        row["time_ratio"], row["speedup_ratio"] = ratio(tb, ta), ratio(sb, sa)
        lo_a, hi_a, lo_b, hi_b = (number(row[n]) for n in HEADER[10:14])
        row["b_in_a"], row["a_in_b"] = inside(sb, lo_a, hi_a), inside(sa, lo_b, hi_b)
        if "" in (row["b_in_a"], row["a_in_b"]):
            row["verdict"] = "unknown"
        else:  # the intervals overlap: the higher low end is at most the lower high end
            row["verdict"] = "same" if max(lo_a, lo_b) <= min(hi_a, hi_b) else "differs"
        joined.append(row)
    return joined


def units_of(folder):
    """{workload: "units,..."} from the engine's result lines in FOLDER/raw
    (what the runs really did, defaults included); {} without them, or if
    a line is not JSON."""
    units = {}
    try:
        for path in sorted(glob.glob(os.path.join(glob.escape(folder), "raw", "*.jsonl"))):
            with open(path, "rb") as f:
                for line in f.read().decode("utf-8", errors="replace").splitlines():
                    if line.strip():
                        result = run_meta.parse_json(line)
                        if result is not None and not isinstance(result, dict):
                            return {}
                        if result and result.get("workload") is not None and result.get("units") is not None:
                            units.setdefault(run_meta.text_of(result["workload"]), []).append(result["units"])
    except (OSError, ValueError, RecursionError):
        return {}

    def order(value):  # jq's: numbers before text before the rest
        if run_meta.is_number(value):
            return (1, value, "")
        return (2, 0, value) if isinstance(value, str) else (3, 0, run_meta.text_of(value))
    return {w: ",".join(run_meta.text_of(u) for u in sorted({order(u): u for u in v}.values(), key=order))
            for w, v in units.items()}


def params_of(meta):
    """PARAMS as {workload.name: value}."""
    params = {}
    for item in (meta["settings"].get("params") or "").split(" "):
        if item:
            name, _, value = item.partition("=")
            params[name] = value
    return params


def shown(value):
    if value is None:
        return "unknown"
    return ",".join(run_meta.text_of(v) for v in value) if isinstance(value, list) else run_meta.text_of(value)


def differences(meta_a, meta_b, units_a, units_b, workloads):
    """The settings in which the two runs differ: [{setting, a, b}]."""
    sa, sb = meta_a["settings"], meta_b["settings"]
    pa, pb = params_of(meta_a), params_of(meta_b)
    candidates = [(name, sa.get(key), sb.get(key)) for name, key in (
        ("RUNS", "runs"), ("MAX_RUNS", "max_runs"), ("PRECISION", "precision_pct"), ("WARMUP", "warmup"),
        ("SWITCH_INTERVAL_US", "switch_interval_us"))]
    candidates += [("PARAMS " + k, pa.get(k, "default"), pb.get(k, "default"))
                   for k in sorted(set(pa) | set(pb)) if k.split(".")[0] in workloads]
    # The units the runs used, where PARAMS does not already say they differ.
    candidates += [("units of " + w, units_a[w], units_b[w]) for w in workloads
                   if w in units_a and w in units_b and pa.get(w + ".units", "") == pb.get(w + ".units", "")]
    candidates += [("CPU model", meta_a.get("cpu_model"), meta_b.get("cpu_model")),
                   ("usable CPUs", meta_a.get("cpus_usable"), meta_b.get("cpus_usable"))]
    return [{"setting": name, "a": shown(a), "b": shown(b)} for name, a, b in candidates if shown(a) != shown(b)]


def summarize(rows):
    """The closing figures, over the points with N > 1 workers and a speedup
    in both runs; the shares inside the other's interval over those with
    both intervals."""
    points = []
    for row in many(rows):
        if row["speedup_ratio"] != "":
            levels = [number(row["ci_level_a"]), number(row["ci_level_b"])]
            points.append({"point": point_name(row), "verdict": row["verdict"], "b_in_a": row["b_in_a"],
                           "a_in_b": row["a_in_b"], "low": any(v is not None and v < 0.95 for v in levels),
                           "abs_pct": jq_round(abs(float(row["speedup_ratio"]) - 1) * 100 * 100) / 100})
    points.sort(key=lambda p: p["abs_pct"])
    known = [p for p in points if p["verdict"] != "unknown"]

    def share(field):
        count = sum(p[field] == "yes" for p in known)
        return {"count": count, "share": plain(count / len(known)) if known else None}
    return {
        "points": len(points),
        "with_intervals": len(known),
        "differ": sum(p["verdict"] == "differs" for p in points),
        "unknown": len(points) - len(known),
        "median_abs_speedup_diff_pct": median_pct([p["abs_pct"] for p in points]),
        "worst_abs_speedup_diff_pct": plain(points[-1]["abs_pct"]) if points else None,
        "worst_point": points[-1]["point"] if points else None,
        "b_in_a": share("b_in_a"),
        "a_in_b": share("a_in_b"),
        "intervals_below_95": sum(p["low"] for p in known),
        "differing_points": [p["point"] for p in points if p["verdict"] == "differs"],
    }


def closing_line(s):
    if s["points"] == 0:
        return "gilbench: no point with N > 1 workers has a speedup in both runs"
    line = "gilbench: %d point%s with N > 1 workers: %d differ%s" % (
        s["points"], "" if s["points"] == 1 else "s", s["differ"], "s" if s["differ"] == 1 else "")
    if s["unknown"] > 0:
        line += " (%d without an interval)" % s["unknown"]
    line += "; |speedup B / A - 1|: median %s %%, worst %s %% (%s)" % (
        tenths(s["median_abs_speedup_diff_pct"]), tenths(s["worst_abs_speedup_diff_pct"]), s["worst_point"])
    if s["with_intervals"]:
        line += "; B inside A's interval: %d of %d (%s %%), A inside B's: %d of %d (%s %%)" % (
            s["b_in_a"]["count"], s["with_intervals"], percent(s["b_in_a"]["share"]),
            s["a_in_b"]["count"], s["with_intervals"], percent(s["a_in_b"]["share"]))
    if s["intervals_below_95"] > 0:
        line += "; %d with an interval below 95 %% confidence (too few runs)" % s["intervals_below_95"]
    return line


def table(rows):
    """The table printed point by point."""
    lines = [["point", "mode", "workers", "time_ratio", "speedup A", "speedup B", "B/A - 1", "B in A", "A in B",
              "verdict"]]
    for r in rows:
        lines.append([point_label(r["workload"], r["variant"]), r["mode"], r["workers"], r["time_ratio"] or "-",
                      interval(r["speedup_a"], r["speedup_ci_lo_a"], r["speedup_ci_hi_a"]),
                      interval(r["speedup_b"], r["speedup_ci_lo_b"], r["speedup_ci_hi_b"]),
                      change(r["speedup_ratio"]), r["b_in_a"] or "-", r["a_in_b"] or "-", r["verdict"]])
    return aligned(lines)


def unique(values):
    return list(dict.fromkeys(values))


def plot(folder, rows, a, b):
    """compare.png and compare.svg: one panel per workload, or
    workload@variant for the points of a study, with the modes it has;
    ringed: the points whose speedups differ.  One range of ratios for every
    panel, from 1/2 to 2 at least."""
    labels = [point_label(r["workload"], r["variant"]) for r in rows]
    panels = unique(labels)
    modes = {label: unique(r["mode"] for r, of in zip(rows, labels) if of == label) for label in panels}
    panel_modes = "".join("modes_%d=%s; " % (k, gp_string(" ".join(modes[label]))) for k, label in enumerate(panels, 1))
    ratios = [r for r in (number(row["time_ratio"]) for row in rows) if r is not None]
    low = min([0.5] + [r for r in ratios if r > 0])
    high = max([2] + ratios)
    maxw = max((number(r["workers"]) or 0) for r in rows)

    def base(path):  # basename(1)'s: trailing slashes do not count
        return os.path.basename(path.rstrip("/")) or ("/" if path.startswith("/") else "")
    draw_plot("compare.gp", os.path.join(folder, "compare"), "csv=%s; panels=%s; modes=%s; maxw=%s; ylo=%g; "
              "yhi=%g; %smachine=%s" % (
                  gp_string(os.path.realpath(os.path.join(folder, "compare.csv"))), gp_string(" ".join(panels)),
                  gp_string(" ".join(unique(r["mode"] for r in rows))), run_meta.text_of(float(maxw)),
                  low / 1.15, high * 1.15, panel_modes, gp_string("B / A: %s / %s" % (base(b), base(a)))))


def compare(a, b, results_dir, out=sys.stdout):
    """Compares the results folders A and B (B / A) into a new folder under
    RESULTS_DIR: compare.csv, compare.json, the plot; prints the warnings
    (stderr), the table and the closing line (OUT).  Exits 2 on a bad
    folder, 1 when a file cannot be written."""
    meta_a = run_meta.check_results_folder("A", a)
    meta_b = run_meta.check_results_folder("B", b)
    if os.path.realpath(a) == os.path.realpath(b):
        usage("A and B are the same folder: %s" % a)
    needed, extra = ("workload", "mode", "workers", "median_s", "speedup"), ("variant",) + MEASURES[2:]
    rows = join(read_table(os.path.join(a, "summary.csv"), needed, extra),
                read_table(os.path.join(b, "summary.csv"), needed, extra))
    if not rows:
        usage("A (%s) and B (%s) share no point (workload, variant, mode, workers): nothing to compare" % (a, b))
    workloads = sorted({row["workload"] for row in rows})
    found = differences(meta_a, meta_b, units_of(a), units_of(b), workloads)
    warnings = ["A and B differ in %s: %s in A, %s in B" % (d["setting"], d["a"], d["b"]) for d in found]

    run_meta.make_folder(results_dir)
    # Named after the folders themselves (results/latest is a link).
    folder = run_meta.new_run_folder(results_dir, "compare-%s-vs-%s" % (
        os.path.basename(os.path.realpath(a)), os.path.basename(os.path.realpath(b))))
    if not write_csv(os.path.join(folder, "compare.csv"), HEADER, rows):
        die("cannot write %s" % os.path.join(folder, "compare.csv"))
    summary = summarize(rows)
    report = {"a": a, "b": b, "a_settings": meta_a["settings"], "b_settings": meta_b["settings"],
              "a_cpu": meta_a.get("cpu_model"), "b_cpu": meta_b.get("cpu_model"),
              "a_cpus_usable": meta_a.get("cpus_usable"), "b_cpus_usable": meta_b.get("cpus_usable"),
              "differences": found, "warnings": warnings, "verdict_rule": VERDICT_RULE, "summary": summary}
    run_meta.write_json(os.path.join(folder, "compare.json"), report)

    for line in warnings:
        note("warning: " + line)
    print("B / A, point by point (A = %s, B = %s): time_ratio < 1 means B is faster;" % (a, b), file=out)
    print("speedups with their intervals; verdict: same when the intervals overlap, differs when they do not",
          file=out)
    for line in table(rows) + [closing_line(summary)]:
        print(line, file=out)
    out.flush()
    plot(folder, rows, a, b)
    return Comparison(folder, rows, report)


def main(argv):
    if len(argv) != 2:
        usage("make compare needs A=results/<folder> B=results/<folder>")
    a, b = (arg[:-1] if arg.endswith("/") else arg for arg in argv)
    done = compare(a, b, os.environ.get("RESULTS_DIR") or "results")
    print("gilbench: comparison in %s (compare.csv, compare.json, compare.png, compare.svg)" % done.folder)
    return 0
