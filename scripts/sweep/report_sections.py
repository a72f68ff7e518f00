"""report_sections - what the report's sections say, read from a run
folder: the machine and the settings from meta.json, the speedup table's
cells from summary.csv, the failures, make calibrate's tables, CPython's
traced GIL (gil.csv), the run's modes in words and the captions of the GIL
timelines.  Returns text and
rows for sweep.report to lay out; escaping is report_html's.
"""
import json
import math
import os

from sweep.meta import is_number, percent, plain, readable_file, tenths, text_of
from sweep.report_html import Markup, escape, row
from sweep.tables import read_table

SUMMARY_COLUMNS = ("median_s", "speedup", "speedup_ci_lo", "speedup_ci_hi", "precision", "ci_level",
                   "speedup_vs_fastest", "fastest_mode", "other_cpu_share", "disturbed")
SPEEDUP_HEADER = ("workload", "variant", "mode", "workers", "median (s)", "speedup", "95 % interval", "±",
                  "against the fastest", "other CPU", "notes")
CALIBRATION_COLUMNS = ("workload", "mode", "workers", "interpreter", "model_median_s", "cpython_median_s",
                       "time_ratio", "model_speedup", "cpython_speedup", "speedup_ratio")
SINGLE_THREAD_COLUMNS = ("workload", "gil_build", "free_threaded_build", "gil_median_s",
                         "free_threaded_median_s", "free_threaded_over_gil")
MODE_WORDS = {"gil": "a model of CPython's GIL (gil)", "threads": "free threads (threads)",
              "procs": "forked processes (procs)", "mpi": "Open MPI ranks (mpi)",
              "interp": "interpreters with a GIL each (interp)",
              "forkserver": "processes from a fork server (forkserver)", "spawn": "spawned processes (spawn)"}


def given(value):
    """jq's `VALUE // default` test: null and false count as absent."""
    return value is not None and value is not False


def text_lines(path):
    """The lines of the text file PATH; none if it is not a readable,
    non-empty regular file (an optional file of the folder)."""
    if not readable_file(path):
        return []
    try:
        with open(path, encoding="utf-8", errors="surrogateescape", newline="\n") as f:
            text = f.read()
    except OSError:
        return []
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


# ---- the machine and the settings (meta.json) ----

def machine_rows(meta):
    """The machine table's rows: (what, value); None shows as "–"."""
    environment = meta.get("openblas_environment") or {}
    share = meta.get("other_cpu_share")
    return [
        ("date (UTC)", meta.get("date_utc")), ("host", meta.get("host")), ("command", meta.get("command")),
        ("complete", meta.get("complete")), ("CPU", meta.get("cpu_model")),
        ("CPUs online / usable", "%s / %s" % (text_of(meta.get("cpus_online")), text_of(meta.get("cpus_usable")))),
        ("kernel", meta.get("kernel")), ("OS", meta.get("os")), ("compiler", meta.get("compiler")),
        ("build flags", meta.get("build_flags")), ("OpenBLAS", meta.get("openblas_config")),
        ("OpenBLAS threading", meta.get("openblas_threading")),
        ("OPENBLAS_* variables", " ".join("%s=%s" % (key, text_of(value)) for key, value in environment.items())),
        ("hyperfine", meta.get("hyperfine_version")), ("gnuplot", meta.get("gnuplot_version")),
        ("git commit", meta.get("git_commit")),
        ("load average before", " ".join(text_of(x) for x in meta.get("loadavg_before") or [])),
        ("CPU share of other processes", None if share is None else "%s %%" % percent(share)),
        ("rounds", meta.get("rounds")),
    ]


def settings_rows(meta):
    """The settings table's rows: (what, value); None, "" or [] show as "–"."""
    s = meta["settings"]

    def joined(name):
        return ", ".join(text_of(x) for x in (s.get(name) if given(s.get(name)) else []))

    def maybe(name, form):
        return form % text_of(s[name]) if given(s.get(name)) else None

    runs = s.get("runs")
    return [
        ("workloads", joined("workloads")), ("modes", joined("modes")), ("workers", joined("workers")),
        ("runs per point", "at least %s, at most %s" % (
            text_of(runs), text_of(s["max_runs"] if given(s.get("max_runs")) else runs))),
        ("precision asked", maybe("precision_pct", "±%s %% (95 %% interval)")),
        ("a tie for the answer", maybe("resolution_pct", "within ±%s %%")),
        ("time budget", maybe("budget_s", "%s s")),
        ("warm-up runs", s.get("warmup")), ("GIL switch interval", "%s µs" % text_of(s.get("switch_interval_us"))),
        ("shuffle seed", s.get("seed")), ("workload settings", s.get("params")), ("studies", joined("studies")),
        ("quick", s.get("quick")),
    ]


def fact_rows(pairs, empty_is_blank=False):
    """PAIRS as table rows, None (and "" if EMPTY_IS_BLANK) shown as "–"."""
    return [row(["–" if value is None or (empty_is_blank and value == "") else text_of(value)], header=what)
            for what, value in pairs]


def python_workload_rows(meta):
    """The Python workloads' table rows."""
    rows = []
    for w in meta.get("python_workloads") or []:
        python = w["python"] + (", " + w["free_threaded_python"] if w.get("free_threaded_python") else "")
        checked = "checked" if w["checked"] else Markup('<span class="warning">unchecked: no check()</span>')
        rows.append(row([w["name"], w["file"], w["description"], "%s × %s" % (text_of(w["units"]), w["unit"]),
                         python, checked]))
    return rows


def failure_rows(path):
    """failures.tsv's lines as rows of five cells (workload, variant, mode,
    workers, why)."""
    return [row((line.split("\t") + [""] * 5)[:5]) for line in text_lines(path)]


def run_modes_phrase(meta):
    """The run's modes in words: "a model of CPython's GIL (gil), free
    threads (threads) and forked processes (procs)"."""
    modes = meta["settings"].get("modes")
    words = [MODE_WORDS.get(m, m) for m in (modes if given(modes) else ["gil", "threads", "procs"])]
    if len(words) < 2:
        return words[0] if words else "its modes"
    return ", ".join(words[:-1]) + " and " + words[-1]


# ---- the speedup table (summary.csv) ----

def _float(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _fixed(text, digits):
    """TEXT to DIGITS decimals; "" stays "", text that is no number as it is."""
    value = _float(text)
    return text if value is None else "%.*f" % (digits, value)


def summary_rows(run_dir):
    """summary.csv's rows, by column name (a column it lacks reads as "")."""
    return read_table(os.path.join(run_dir, "summary.csv"), required=("workload", "mode", "workers"),
                      optional=("variant",) + SUMMARY_COLUMNS)


def speedup_cells(r, target_pct):
    """A point's cells of the speedup table (SPEEDUP_HEADER), and whether
    it is flagged: wider than ±TARGET_PCT, below 95 % confidence, disturbed.
    Digits follow the interval: fewer where it is wide."""
    half, speedup = r["precision"], r["speedup"]
    h, s = _float(half) or 0, _float(speedup) or 0
    digits = 2 if half == "" or h <= 0 else (1 if h * s >= 0.05 else (2 if h * s >= 0.005 else 3))
    level = _float(r["ci_level"])
    low_level = level < 0.95 if level is not None else r["ci_level"] < "0.95"
    notes = ("wide " if half != "" and (h * 100 > target_pct or low_level) else "") + \
        ("disturbed" if r["disturbed"] == "yes" else "")
    one = _float(r["workers"]) == 1
    cells = [r["workload"], r["variant"], r["mode"], r["workers"], _fixed(r["median_s"], 3), _fixed(speedup, digits),
             "" if r["speedup_ci_lo"] == "" or one else
             _fixed(r["speedup_ci_lo"], digits) + " – " + _fixed(r["speedup_ci_hi"], digits),
             "" if half == "" or one else "%.1f %%" % (h * 100),
             _fixed(r["speedup_vs_fastest"], digits) + ("" if r["fastest_mode"] == "" else " (%s)" % r["fastest_mode"]),
             "" if r["other_cpu_share"] == "" else "%.0f %%" % ((_float(r["other_cpu_share"]) or 0) * 100),
             notes]
    return cells, notes != ""


def precision_target(meta):
    """The precision asked, in %: the flag's limit (100 when none was)."""
    asked = meta["settings"].get("precision_pct")
    return asked if given(asked) else 100


# ---- make calibrate's tables ----

def calibration_rows(run_dir):
    path = os.path.join(run_dir, "calibration.csv")
    if not readable_file(path):
        return []
    return [row([r[name] for name in CALIBRATION_COLUMNS], attrs=' class="differs"' if r["differs"] == "yes" else "")
            for r in read_table(path, optional=CALIBRATION_COLUMNS + ("differs",))]


MECHANISM_COLUMNS = ("workload", "workers", "figure", "model", "cpython", "ratio")


def mechanism_table(run_dir):
    """mechanism.csv (sweep.mechanism) as the report's table, "" without it."""
    path = os.path.join(run_dir, "mechanism.csv")
    if not readable_file(path):
        return ""
    rows = read_table(path, optional=MECHANISM_COLUMNS + ("interpreter", "differs"))
    sources = ", ".join(sorted({r["interpreter"] for r in rows})) or "unknown"
    return ("""<p class="note">The GIL's mechanism, model beside CPython (%s, traced by gilbench gil-trace): one traced
run of each per workload and worker count, beside the timed runs; hold and hand-off percentiles, switches and forced
switches (a holder made to drop the lock) per second, the share of the workers' time spent waiting. unknown: not
measured (why: the sweep's output); highlighted: beyond 15 %% (docs/gil-model.md, "Mechanism to mechanism").</p>
<div class="scroll">
<table id="mechanism">
<tr><th>workload</th><th>workers</th><th>figure</th><th>model</th><th>CPython</th><th>ratio</th></tr>
""" % escape(sources) + "\n".join(row([r[name] for name in MECHANISM_COLUMNS],
                                      attrs=' class="differs"' if r["differs"] == "yes" else "") for r in rows)
            + "\n</table>\n</div>\n")


def single_thread_rows(run_dir):
    path = os.path.join(run_dir, "single_thread.csv")
    if not readable_file(path):
        return []
    return [row([r[name] for name in SINGLE_THREAD_COLUMNS]) for r in read_table(path, optional=SINGLE_THREAD_COLUMNS)]


def interpreter_items(meta):
    """Each interpreter of make calibrate, and how its blas_dgemm reached OpenBLAS."""
    python = meta.get("python") or {}
    lines = []
    for i in python.get("interpreters") or []:
        kind = "free-threaded, PYTHON_GIL=0" if i.get("kind") == "free" else "with its GIL"
        blas = i.get("blas") if given(i.get("blas")) else "unknown"
        lines.append("<li>%s: %s (%s;\n         blas_dgemm through %s)</li>" % (
            escape(text_of(i.get("source"))), escape(text_of(i.get("executable"))), kind, escape(text_of(blas))))
    return lines


# ---- the GIL timelines ----

def _json_values(text):
    """The JSON values of TEXT, one after the other (as jq reads a file),
    up to the first that is not JSON."""
    decoder, at, values = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if at >= len(text):
            return values
        try:
            value, at = decoder.raw_decode(text, at)
        except ValueError:
            return values
        values.append(value)


def convoy_caption(path):
    """The convoy's timeline told from its traced run's result line: the
    server's time, the round trips' median and p99, the switch interval."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            values = _json_values(f.read())
    except OSError:
        values = []
    for v in values:
        params = v.get("params") if isinstance(v, dict) else None
        figures = [v.get(k) for k in ("latency_p50_us", "latency_p99_us", "switch_interval_us", "workers")] + \
            [params.get("server_us") if isinstance(params, dict) else None]
        if all(is_number(x) and math.isfinite(x) for x in figures):
            p50, p99, interval, workers, server = figures
            others = "the other is" if workers == 2 else "the other %s are" % text_of(plain(workers - 1))
            return ("Worker 0 makes round trips to a server that answers after %s µs; %s CPU-bound. "
                    "In this traced run its round trips took %s ms at the median (p99 %s ms) against %s ms "
                    "for the server alone, with a switch interval of %s ms: coming back from the server, "
                    "it waits for the holder to yield (the convoy effect)." % (
                        text_of(server), others, tenths(p50 / 1000), tenths(p99 / 1000),
                        tenths(server / 1000), tenths(interval / 1000)))
    return ("Worker 0 makes round trips to an echo server; the others are CPU-bound; each time worker 0 "
            "comes back it waits for the holder to yield the GIL: the convoy effect.")


def timeline_caption(name, run_dir):
    """What the timeline of workload NAME shows."""
    if name == "cpu_loop":
        return ("CPU-bound threads take turns: a waiter asks for the GIL after one switch interval (a drop "
                "request), the holder yields at its next check point, and the operating system, not a queue, "
                "picks who runs next. One thread runs at a time.")
    if name == "io_wait":
        return ("Each worker holds the GIL only for the instant between two waits (the mean hold above), so "
                "the waits of all workers overlap and threads scale like processes.")
    if name == "convoy":
        return convoy_caption(os.path.join(run_dir, "timeline", "convoy.json"))
    return "Holding, waiting and released time of each worker."


# ---- CPython's GIL, traced (gil.csv) ----

GIL_HEADER = ("workload", "way", "workers", "interpreter", "held", "waited", "parked", "switches / s",
              "hold p50 / p99 (ms)", "wait p50 / p99 (ms)", "hand-off p50 (ms)", "traced (s)", "untraced (s)",
              "tracer's cost")


def gil_table(run_dir):
    """gil.csv's rows as the report's table rows (unknown ones say why),
    and its tracer's costs (traced / untraced - 1) as numbers."""
    path = os.path.join(run_dir, "gil.csv")
    if not readable_file(path):
        return [], []
    rows, costs = [], []
    for r in read_table(path, required=("workload", "variant", "mode", "workers"), optional=(
            "interpreter", "status", "why", "gil_hold_share", "gil_wait_share", "parked_share",
            "gil_switches_per_second", "gil_hold_p50_seconds", "gil_hold_p99_seconds", "gil_wait_p50_seconds",
            "gil_wait_p99_seconds", "gil_handoff_p50_seconds", "traced_seconds", "untraced_median_s",
            "tracer_overhead")):
        label = r["workload"] + ("" if r["variant"] in ("", "-") else "@" + r["variant"])
        first = [label, r["mode"], r["workers"], os.path.basename(r["interpreter"])]
        if r["status"] != "traced":
            rows.append("<tr>%s<td class=\"why\" colspan=\"%d\">unknown: %s</td></tr>" % (
                "".join("<td>%s</td>" % escape(cell) for cell in first), len(GIL_HEADER) - len(first),
                escape(r["why"] or r["status"])))
            continue
        cost = _float(r["tracer_overhead"])
        if cost is not None:
            costs.append(cost)
        rows.append(row(first + [_share(r["gil_hold_share"]), _share(r["gil_wait_share"]), _share(r["parked_share"]),
                                 _fixed(r["gil_switches_per_second"], 0),
                                 _pair_ms(r["gil_hold_p50_seconds"], r["gil_hold_p99_seconds"]),
                                 _pair_ms(r["gil_wait_p50_seconds"], r["gil_wait_p99_seconds"]),
                                 _ms(r["gil_handoff_p50_seconds"]), _fixed(r["traced_seconds"], 3),
                                 _fixed(r["untraced_median_s"], 3),
                                 "" if cost is None else "%+.0f %%" % (cost * 100)]))
    return rows, costs


def _share(text):
    value = _float(text)
    return "" if value is None else "%.0f %%" % (value * 100)


def _ms(text):
    value = _float(text)
    return "" if value is None else "%.3g" % (value * 1000)


def _pair_ms(p50, p99):
    return "" if _float(p50) is None else "%s / %s" % (_ms(p50), _ms(p99))


def cpython_timeline_caption(name):
    """What CPython's own timeline of workload NAME shows."""
    return ("CPython's own GIL in one traced threading run of %s (gilbench gil-trace: uprobes on take_gil, "
            "drop_gil and _Py_HandlePending), drawn as the model's: red, a thread holds it; orange, it waits; "
            "blue, it released it (I/O, C work, or done). CPython's drop requests are set inline by the waiter "
            "and cannot be seen, so none is drawn; a forced switch shows as a hold that ends while the other "
            "waits." % name)
