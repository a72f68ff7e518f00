"""gil_traces - CPython's own GIL, observed beside the timed runs: after the
rounds, ONE traced run of every point that runs in a CPython whose locks
can be traced (`gilbench gil-trace`, uprobes on the interpreter): the
Python workloads' threading, ThreadPoolExecutor and subinterpreters ways on
a GIL build (--locks gil), their free-threaded ways (--locks parking), and
make calibrate's CPython points of those modes.  The traced run is never
one of the timed runs: the point's own command, on its own, under the same
per-run timeout.

  RUN_DIR/gil/<id>.json  the tracer's figures (one JSON line)
  RUN_DIR/gil/<id>.tsv   the GIL's trace, in the model's trace format (a
                         free-threaded point has none)
  RUN_DIR/gil/<id>.out   the traced run's own result line
  RUN_DIR/gil/<id>.log   what the tracer and the run said
  RUN_DIR/gil.csv        one row per traced point (docs/results.md): the
                         figures, the traced and untraced times, the tracer's
                         cost

Each interpreter is asked once (`gil-trace --check`); one that cannot be
traced (stripped, no privileges, no uprobes) costs one line and leaves its
points' figures unknown, as does a traced run that fails: never the sweep.
GIL_TRACE=0 turns the step off.
"""
import os
import statistics
import subprocess
import time

from sweep.messages import last_words, note
from sweep.meta import is_number, last_json_object, lines_of, write_atomically
from sweep.plan import point_id, point_label, variant_source
from sweep.processes import stop_group, stop_tagged
from sweep.settings import adaptive_timeout
from sweep.tables import number, read_table, write_csv

# The columns that name a point.
POINT = ("workload", "variant", "mode", "workers")
# The ways that run in one process of one interpreter, and the locks traced.
LOCKS = {"gil": "gil", "gil+pool": "gil", "interp": "gil", "threads": "parking", "threads+pool": "parking"}
# The tracer's figures kept in gil.csv, as its JSON names them (null: "").
GIL_FIGURES = ("gil_takes gil_switches gil_forced_switches gil_handoffs gil_hold_seconds gil_wait_seconds "
               "gil_main_hold_seconds gil_hold_share gil_wait_share gil_hold_p50_seconds gil_hold_p99_seconds "
               "gil_wait_p50_seconds gil_wait_p99_seconds gil_handoff_p50_seconds gil_handoff_p99_seconds "
               "gil_switches_per_second gil_window_seconds").split()
PARKING_FIGURES = ("parks parked_seconds parked_share park_p50_seconds park_p99_seconds stop_the_world "
                   "stop_the_world_seconds").split()
COLUMNS = (list(POINT) + ["interpreter", "locks", "status", "why", "command_status", "threads", "traced_workers",
                          "lost_events"] + GIL_FIGURES + PARKING_FIGURES
           + ["command_seconds", "traced_seconds", "untraced_median_s", "tracer_overhead"])


def enabled(env):
    return (env.get("GIL_TRACE") or "1") != "0"


def traced_interpreter(sw, point):
    """(interpreter, locks) of a point whose locks can be traced, else None."""
    workload, variant, way, _ = point
    locks = LOCKS.get(way)
    if locks is None:
        return None
    if sw.is_python(workload):
        source = sw.python_for.get((workload, "free" if locks == "parking" else "gil"))
    else:
        source = variant_source(variant)
        if not source.startswith("cpython-"):
            return None
    if not source or source not in sw.python_of:
        return None
    if (sw.kind_of.get(source) == "free") != (locks == "parking"):
        return None
    return os.path.realpath(sw.python_of[source]), locks


def traceable_points(sw):
    """The plan's points with their (interpreter, locks), in plan order."""
    found = []
    for point in sw.plan:
        which = traced_interpreter(sw, point)
        if which:
            found.append((point, which))
    return found


def tracing_problem(gilbench, interpreter, locks="gil", env=None):
    """None when gil-trace can trace INTERPRETER's LOCKS here, else why not:
    its line, without "gilbench: "."""
    try:
        done = subprocess.run([gilbench, "gil-trace", "--check", "--interpreter", interpreter, "--locks", locks],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return "gilbench gil-trace --check did not answer (%s)" % error
    if done.returncode == 0:
        return None
    return last_words(done.stderr) or "gil-trace --check exited with status %d" % done.returncode


def check_interpreter(gilbench, interpreter, locks):
    """tracing_problem's reason, without the words the sweep's own line says."""
    why = tracing_problem(gilbench, interpreter, locks)
    prefix = "cannot trace the GIL of %s: " % interpreter
    return why[len(prefix):] if why and why.startswith(prefix) else why


def lock_words(locks):
    return "GIL" if locks == "gil" else "locks"


class Tracer:
    """The traced runs of one sweep (SW: gilbench, run_dir, plan, rounds,
    command_of, s); their outcome per point id, and the notes they cost."""

    def __init__(self, sw):
        self.sw = sw
        self.folder = os.path.join(sw.run_dir, "gil")
        self.outcome = {}  # point id -> (interpreter, locks, status, why)
        self.notes = []
        self.started = self.ended = None

    def say(self, message):
        note(message)
        self.notes.append(message)

    def run_all(self):
        sw = self.sw
        points = traceable_points(sw)
        if not points:
            return
        self.started = time.time()
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError:
            self.say("cannot create %s: the GIL is not traced" % self.folder)
            return
        refused = {}
        for interpreter, locks in dict.fromkeys(which for _, which in points):
            why = check_interpreter(sw.gilbench, interpreter, locks)
            if why:
                refused[(interpreter, locks)] = why
                self.say("the %s of %s cannot be traced here: %s; the GIL columns of its points are unknown"
                         % (lock_words(locks), interpreter, why))
        failed = sw.rounds.failed if sw.rounds is not None else set()
        count = sum(1 for point, which in points if which not in refused and point_id(point) not in failed)
        if count:
            print("gilbench: tracing the %s of %d point%s, one run each (beside the timed runs; GIL_TRACE=0: none)"
                  % ("GIL" if all(w[1] == "gil" for _, w in points) else "GIL and locks", count,
                     "" if count == 1 else "s"), flush=True)
        for point, (interpreter, locks) in points:
            pid = point_id(point)
            if (interpreter, locks) in refused:
                self.outcome[pid] = (interpreter, locks, "untraceable", "cannot trace the %s of %s: %s" % (
                    lock_words(locks), interpreter, refused[(interpreter, locks)]))
            elif pid in failed:
                self.outcome[pid] = (interpreter, locks, "failed", "the point failed in the timed runs")
            else:
                self.outcome[pid] = (interpreter, locks) + self.trace(point, interpreter, locks)
        self.ended = time.time()

    def trace(self, point, interpreter, locks):
        """One traced run of POINT: (status, why)."""
        sw, s = self.sw, self.sw.s
        pid = point_id(point)
        per_run = s.fixed_timeout
        if per_run is None:
            per_run = adaptive_timeout(sw.rounds.slowest.get(point_label(point[0], point[1]))
                                       if sw.rounds is not None else None)
        base = os.path.join(self.folder, pid)
        for ext in (".json", ".tsv", ".out"):
            try:
                if os.path.lexists(base + ext):
                    os.unlink(base + ext)
            except OSError as error:
                return self.failed(point, "cannot remove %s%s: %s" % (base, ext, error.strerror))
        # The trace (the GIL's events, drawn as the model's) is the GIL's only.
        # Named without its source= setting: the picture's title names the interpreter.
        variant = "+".join(v for v in point[1].split("+") if not v.startswith("source="))
        drawn = ["--trace", base + ".tsv", "--name", point_label(point[0], variant), "--switch-interval-us",
                 str(s.interval)] if locks == "gil" else []
        argv = [sw.gilbench, "gil-trace", "--interpreter", interpreter, "--locks", locks, "--json", base + ".json"] + \
            drawn + ["--timeout", str(per_run + 30), "--"] + sw.command_of(point) + ["--timeout", str(per_run)]
        tag = "%s/gil/%s" % (sw.run_dir, pid)
        environment = dict(os.environ, GILBENCH_POINT=tag)
        status = None
        try:
            with open(base + ".out", "wb") as out, open(base + ".log", "wb") as log:
                process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=log, env=environment,
                                           start_new_session=True)
                if sw.rounds is not None:
                    sw.rounds.process, sw.rounds.tag = process, tag
                try:
                    status = process.wait(timeout=per_run + 90)
                except subprocess.TimeoutExpired:
                    stop_group(process)
        except OSError as error:
            return self.failed(point, "cannot run gilbench gil-trace: %s" % error.strerror)
        finally:
            if sw.rounds is not None:
                sw.rounds.process, sw.rounds.tag = None, ""
            stop_tagged(tag)
        if status is None or status == 124:
            return self.failed(point, "timed out after %d s" % per_run)
        said = [line[len("gilbench: "):] for line in lines_of(base + ".log") if line.startswith("gilbench: ")]
        if status == 3:
            return self.failed(point, said[-1] if said else "the tracer could not trace it")
        if status != 0:
            return self.failed(point, said[-1] if said else "exited with status %d" % status)
        if last_json_object(base + ".json") is None:
            return self.failed(point, "the tracer wrote no figures (%s.json)" % base)
        return "traced", ""

    def failed(self, point, why):
        self.say("the traced run of %s %s %s workers failed (%s): its GIL figures are unknown"
                 % (point_label(point[0], point[1]), point[2], point[3], why))
        return "failed", why

    # ---- gil.csv ----

    def rows(self):
        """gil.csv's rows, as dicts of COLUMNS, in plan order."""
        untraced = untraced_medians(self.sw.run_dir)
        rows = []
        for point in self.sw.plan:
            pid = point_id(point)
            if pid not in self.outcome:
                continue
            interpreter, locks, status, why = self.outcome[pid]
            row = dict.fromkeys(COLUMNS, "")
            row.update(workload=point[0], variant=point[1], mode=point[2], workers=point[3], interpreter=interpreter,
                       locks=locks, status=status, why=why)
            base = os.path.join(self.folder, pid)
            figures = last_json_object(base + ".json") if status == "traced" else None
            if figures is not None:
                for name in ("command_status", "threads", "lost_events") + tuple(GIL_FIGURES + PARKING_FIGURES):
                    row[name] = csv_value(figures.get(name))
                row["traced_workers"] = csv_value(figures.get("workers"))
                row["command_seconds"] = csv_value(figures.get("seconds"))
                traced = result_seconds(base + ".out")
                row["traced_seconds"] = csv_value(traced)
                median = untraced.get(pid)
                row["untraced_median_s"] = csv_value(median)
                if traced is not None and median:
                    row["tracer_overhead"] = "%.4f" % (traced / median - 1)
            rows.append(row)
        return rows

    def write_csv(self):
        """RUN_DIR/gil.csv; returns its rows (none: no file)."""
        rows = self.rows()
        if not rows:
            return rows
        if not write_csv(os.path.join(self.sw.run_dir, "gil.csv"), COLUMNS, rows):
            self.say("cannot write %s/gil.csv: the GIL columns are unknown" % self.sw.run_dir)
            return []
        return rows

    def summary_line(self, rows):
        """The terminal's line on what was traced and what the tracer cost."""
        traced = [r for r in rows if r["status"] == "traced"]
        costs = sorted(float(r["tracer_overhead"]) for r in traced if r["tracer_overhead"] != "")
        if not traced:
            return ""  # the lines above said why
        spent = "" if self.started is None else " in %.0f s" % (self.ended - self.started)
        line = "gilbench: the GIL traced in %d of %d points (one extra run each%s; gil.csv, gil/)" % (
            len(traced), len(rows), spent)
        if costs:
            line += ": the tracer's cost, traced run / untraced median - 1: %s (median; %s to %s)" % (
                percent(statistics.median(costs)), percent(costs[0]), percent(costs[-1]))
        return line


def timeline_points(rows, workers):
    """Per workload, the traced threading point whose trace is drawn beside
    the model's: WORKERS workers (the model's timelines'), else the fewest
    of 2 or more."""
    chosen = {}
    for row in rows:
        if row["status"] != "traced" or row["mode"] != "gil" or int(row["workers"]) < 2:
            continue
        best = chosen.get(row["workload"])
        rank = (int(row["workers"]) != workers, int(row["workers"]))
        if best is None or rank < best[0]:
            chosen[row["workload"]] = (rank, row)
    return [row for _, row in chosen.values()]


def draw_timelines(run_dir, rows, sweep_command):
    """RUN_DIR/timeline/cpython-WORKLOAD.tsv, .png and .svg: CPython's GIL
    of one traced threading point per workload, drawn as the model's
    timelines are (TIMELINE_MS).  Returns the lines of what could not be drawn."""
    given = os.environ.get("TIMELINE_WORKERS", "3")
    workers = int(given) if given.isdigit() else 3
    folder = os.path.join(run_dir, "timeline")
    failed = []
    for row in timeline_points(rows, workers):
        trace = os.path.join(run_dir, "gil", point_id((row["workload"], row["variant"], row["mode"], row["workers"]))
                             + ".tsv")
        target = os.path.join(folder, "cpython-%s.tsv" % row["workload"])
        try:
            os.makedirs(folder, exist_ok=True)
            with open(trace, "rb") as f:
                text = f.read()
        except OSError:
            failed.append("no trace of CPython's GIL to draw for %s (%s)" % (row["workload"], trace))
            continue
        if not write_atomically(target, text) or subprocess.run(
                sweep_command + ["timeline", "--draw", target], stdout=subprocess.DEVNULL).returncode != 0:
            failed.append("CPython's GIL timeline of %s could not be drawn (python3 scripts/sweep timeline --draw %s)"
                          % (row["workload"], target))
    return failed


def percent(x):
    return "%+.0f %%" % (x * 100)


def result_seconds(path):
    """The timed seconds of the traced run's own result line."""
    value = last_json_object(path)
    seconds = value.get("seconds") if value else None
    return float(seconds) if is_number(seconds) else None


def csv_value(value):
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return "%.9g" % value
    return str(value)


def untraced_medians(run_dir):
    """Each point's median timed seconds over the runs of the points that
    did not fail (runs.csv, the tidy runs, read by its columns' names), by id."""
    times = {}
    for run in read_table(os.path.join(run_dir, "runs.csv"), required=POINT + ("seconds",),
                          optional=("point_failed",)):
        value = number(run["seconds"])
        if value is not None and run["point_failed"] != "true":
            times.setdefault(point_id(tuple(run[name] for name in POINT)), []).append(value)
    return {pid: statistics.median(values) for pid, values in times.items()}
