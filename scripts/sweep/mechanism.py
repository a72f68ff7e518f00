"""mechanism - make calibrate's mechanism table: the model's GIL beside
CPython's, mechanism to mechanism.  For each workload and worker count,
MECHANISM_RUNS traced runs of the model (`gilbench run --mode gil --trace`)
and as many of its Python version on the run's newest CPython with a GIL,
traced by the engine's uprobe tracer (`gilbench gil-trace -- PYTHON
scripts/pyrun run --mode gil ...`), the two in turn, both with the run's
settings (PARAMS, units, switch interval).  These are runs beside the timed
ones, never among them: they enter neither runs.csv nor the summary.
Usage: python3 scripts/sweep mechanism RUN_DIR

Writes RUN_DIR/mechanism.csv (HEADER), one row per workload, workers and
figure (FIGURES), and prints it as a table; the traces and JSON lines are
kept in RUN_DIR/mechanism/ (W.N.R.model.tsv, .json; W.N.R.cpython.tsv,
.json, and pyrun's own line W.N.R.cpython.run.json; R: the run, from 1).
Where CPython cannot be traced (a stripped interpreter, no root or
CAP_PERFMON, a kernel without uprobe events, an engine without gil-trace),
one line says why and the cpython column is "unknown"; a traced run that
fails says so in one line and counts as not measured.  Exit status 0 then;
1 only when the table cannot be written.

Settings: MECHANISM_WORKLOADS (default "cpu_loop io_wait blas_dgemm
convoy"), MECHANISM_WORKERS (default "2 4 8"), MECHANISM_RUNS (default 3),
GILBENCH (default build/gilbench).

mechanism.csv (HEADER):
  workload, workers    the point (mode gil: threading under CPython's GIL)
  interpreter          the CPython's source (cpython-3.13.5), "unknown" without one
  figure               one of FIGURES' names
  model, cpython       the figure's median over the runs; "" where no run
                       had anything to measure (no hand-off at all),
                       "unknown" where no run could be measured
  ratio                model / cpython ("" unless both are numbers, cpython > 0)
  differs              yes: |ratio - 1| > 0.15
  model_min, model_max, cpython_min, cpython_max   the figure's range over the runs
"""
import os
import statistics
import subprocess
import sys

from sweep import interpreters
from sweep.gil_traces import tracing_problem
from sweep.messages import die, last_words, note, parse_list, parse_number, split, usage
from sweep.meta import is_number, last_json_object, run_folder_argument, text_of
from sweep.plan import point_options
from sweep.tables import aligned, number, write_csv

HEADER = ["workload", "workers", "interpreter", "figure", "model", "cpython", "ratio", "differs", "model_min",
          "model_max", "cpython_min", "cpython_max"]
WORKLOADS = ["cpu_loop", "io_wait", "blas_dgemm", "convoy"]
UNKNOWN = "unknown"
TIMEOUT_S = 300

# name: how it is read from a JSON line with the trace's figures (the
# model's `run --trace`, gil-trace's --json; gil_figures.h).
FIGURES = [
    ("switches_per_s", lambda j: j.get("gil_switches_per_second")),
    ("wait_share", lambda j: j.get("gil_wait_share")),
    ("hold_p50_ms", lambda j: scaled(j.get("gil_hold_p50_seconds"), 1e3)),
    ("hold_p99_ms", lambda j: scaled(j.get("gil_hold_p99_seconds"), 1e3)),
    ("handoff_p50_us", lambda j: scaled(j.get("gil_handoff_p50_seconds"), 1e6)),
    ("handoff_p99_us", lambda j: scaled(j.get("gil_handoff_p99_seconds"), 1e6)),
    ("forced_switches", lambda j: j.get("gil_forced_switches")),
    ("forced_per_s", lambda j: per_second(j.get("gil_forced_switches"), j.get("gil_window_seconds"))),
    ("window_s", lambda j: j.get("gil_window_seconds")),
]


def scaled(value, factor):
    return value * factor if is_number(value) else value


def per_second(count, seconds):
    return count / seconds if is_number(count) and is_number(seconds) and seconds > 0 else None


def field(value):
    """A figure as the CSV holds it: a number, "" for null (nothing to
    measure), UNKNOWN for a run that gave no line."""
    if value is UNKNOWN:
        return UNKNOWN
    if not is_number(value):
        return ""
    return "%d" % value if isinstance(value, int) else "%.6g" % value


def ratio_of(model, cpython):
    m, c = number(model), number(cpython)
    if m is None or c is None or c <= 0:
        return "", ""
    ratio = "%.3f" % (m / c)
    return ratio, "yes" if abs(float(ratio) - 1) > 0.15 + 1e-9 else "no"


def gil_python(meta):
    """(source, executable) of the run's newest CPython with its GIL, or None."""
    found = [(i.get("source") or "", i.get("executable") or "") for i in
             ((meta.get("python") or {}).get("interpreters") or [])
             if isinstance(i, dict) and i.get("kind") == "gil" and i.get("executable")]
    found = [f for f in found if os.path.isfile(f[1]) and os.access(f[1], os.X_OK)]
    return sorted(found, key=lambda f: interpreters.version_key(f[0]))[-1] if found else None


def run(command, stdout_path, env):
    """COMMAND with its stdout into STDOUT_PATH (through a temporary file,
    renamed when it succeeded): (status, its last stderr line)."""
    sys.stdout.flush()
    tmp = stdout_path + ".part"
    try:
        with open(tmp, "wb") as out:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, env=env)
        if done.returncode == 0:
            os.replace(tmp, stdout_path)
    except OSError as error:
        return 127, "%s: %s" % (command[0], error.strerror)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return done.returncode, last_words(done.stderr)


def enough_units(options, workers):
    """The point's options with at least one unit a worker, as the sweep
    raises a workload's units for its largest point."""
    options = list(options)
    for i, option in enumerate(options[:-1]):
        if option == "--units" and options[i + 1].isdigit() and int(options[i + 1]) < workers:
            options[i + 1] = str(workers)
    return options


def traced_pair(gilbench, python, workload, workers, options, interval, base, env, cpython_traceable):
    """The model's and CPython's JSON lines of one traced run of a point,
    files BASE.model.* and BASE.cpython.* (UNKNOWN for a side that could not
    be measured; a failed run says why in one line)."""
    point = ["run", "--workload", workload, "--mode", "gil", "--workers", str(workers)] + enough_units(options, workers)
    status, why = run([gilbench] + point + ["--timeout", str(TIMEOUT_S), "--trace", base + ".model.tsv"],
                      base + ".model.json", env)
    model = last_json_object(base + ".model.json") if status == 0 else None
    if model is None:
        note("mechanism table: the model's traced run of %s at %d workers failed: %s" % (
            workload, workers, why or "status %d" % status))
        model = UNKNOWN
    cpython = UNKNOWN
    if cpython_traceable:
        command = [gilbench, "gil-trace", "--interpreter", python, "--json", base + ".cpython.json",
                   "--trace", base + ".cpython.tsv", "--name", workload, "--switch-interval-us", interval,
                   "--timeout", str(TIMEOUT_S + 10), "--",
                   python, "scripts/pyrun"] + point + ["--timeout", str(TIMEOUT_S)]
        status, why = run(command, base + ".cpython.run.json", interpreters.kind_env("gil", env))
        cpython = last_json_object(base + ".cpython.json") if status == 0 else None
        if cpython is None:
            note("mechanism table: CPython's traced run of %s at %d workers failed: %s" % (
                workload, workers, why or "status %d" % status))
            cpython = UNKNOWN
    return model, cpython


def summary(lines, read):
    """A figure over the runs' JSON LINES: (median, min, max) as fields;
    UNKNOWN when no run could be measured, "" when none had the figure."""
    measured = [line for line in lines if line is not UNKNOWN]
    if not measured:
        return UNKNOWN, UNKNOWN, UNKNOWN
    values = sorted(read(line) for line in measured if is_number(read(line)))
    if not values:
        return "", "", ""
    median = statistics.median(values)
    return field(median), field(values[0]), field(values[-1])


def rows_of(workload, workers, source, models, cpythons):
    """The point's rows: each figure's median over the runs, and its range."""
    rows = []
    for name, read in FIGURES:
        m, c = summary(models, read), summary(cpythons, read)
        rows.append([workload, str(workers), source, name, m[0], c[0]] + list(ratio_of(m[0], c[0]))
                    + [m[1], m[2], c[1], c[2]])
    return rows


def shown(text):
    """A figure as the printed table shows it: 3 significant digits."""
    value = number(text)
    if value is None:
        return text or "-"
    return "%.3g" % value if abs(value) < 1000 else "%.0f" % value


def show(rows):
    """The table printed: per point three lines (model, CPython, ratio),
    one column per figure."""
    names = [name for name, _ in FIGURES]
    table = [["workload", "workers", "side"] + names]
    points = list(dict.fromkeys((r[0], r[1]) for r in rows))
    for workload, workers in points:
        mine = {r[3]: r for r in rows if (r[0], r[1]) == (workload, workers)}
        for side, column in (("model", 4), ("cpython", 5), ("ratio", 6)):
            table.append([workload, workers, side] + [
                shown(mine[n][column]) + ("*" if side == "ratio" and mine[n][7] == "yes" else "") for n in names])
    for line in aligned(table):
        print(line)


def main(argv):
    run_dir, meta = run_folder_argument("mechanism", argv)
    workloads = parse_list("MECHANISM_WORKLOADS", os.environ.get("MECHANISM_WORKLOADS", " ".join(WORKLOADS)),
                           WORKLOADS)
    workers = [parse_number("MECHANISM_WORKERS", n, 1, 1024)
               for n in split(os.environ.get("MECHANISM_WORKERS", "2 4 8"))] or \
        usage("MECHANISM_WORKERS is empty; give worker counts, e.g. 2 4 8")
    runs = parse_number("MECHANISM_RUNS", os.environ.get("MECHANISM_RUNS", "3"), 1, 99)
    gilbench = os.environ.get("GILBENCH") or "build/gilbench"
    settings = meta.get("settings") or {}
    params = split(text_of(settings.get("params") or ""))
    interval = text_of(settings.get("switch_interval_us") or 5000)
    # As the timed runs: one OpenBLAS thread (meta.json's run_environment).
    run_environment = meta.get("run_environment")
    env = dict(os.environ, **(run_environment if isinstance(run_environment, dict) else {"OPENBLAS_NUM_THREADS": "1"}))
    python = gil_python(meta)
    problem = "the run has no CPython with a GIL to trace" if python is None else tracing_problem(
        gilbench, python[1], env=env)
    if problem:
        note("mechanism table: CPython's column is unknown: %s" % problem)
    out = os.path.join(run_dir, "mechanism")
    try:
        os.makedirs(out, exist_ok=True)
        for name in os.listdir(out):  # an earlier table's traces: none of them may pass for this one's
            if os.path.isfile(os.path.join(out, name)):
                os.unlink(os.path.join(out, name))
    except OSError as error:
        die("cannot prepare %s: %s" % (out, error.strerror))
    source = python[0] if python else UNKNOWN
    rows = []
    for workload in workloads:
        options = point_options(params, workload, "-", interval)
        for n in workers:
            models, cpythons = [], []
            for r in range(1, runs + 1):  # the two sides in turn, so that the machine's drift falls on both
                model, cpython = traced_pair(gilbench, python[1] if python else None, workload, n, options,
                                             interval, os.path.join(out, "%s.%d.%d" % (workload, n, r)), env,
                                             problem is None)
                models.append(model)
                cpythons.append(cpython)
            rows += rows_of(workload, n, source, models, cpythons)
    if not write_csv(os.path.join(run_dir, "mechanism.csv"), HEADER, rows):
        die("cannot write %s" % os.path.join(run_dir, "mechanism.csv"))
    print("The GIL's mechanism, model beside CPython (%s, %s): medians of %d traced runs of each, not the timed "
          "runs;" % (source, python[1] if python else "none", runs))
    print("ratio = model / CPython, * beyond 15 %% (docs/gil-model.md, \"Mechanism to mechanism\"); %s"
          % os.path.join(run_dir, "mechanism.csv"))
    show(rows)
    return 0
