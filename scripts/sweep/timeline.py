"""timeline - pictures of the GIL at work (make timeline; the end of make
bench when MODES has gil): traced gil-mode runs (`gilbench run --trace`)
drawn worker by worker with gnuplot (scripts/gnuplot/timeline.gp).

  python3 scripts/sweep timeline RUN_DIR
      traces cpu_loop, io_wait and convoy with the run's switch interval
      into RUN_DIR/timeline/ (<workload>.tsv trace, .json result line, .png
      and .svg picture) and copies the pictures to $PLOTS_DIR (default
      plots/) as timeline-<workload>
  python3 scripts/sweep timeline --draw TRACE
      draws one trace file as TRACE's name with .png and .svg in place of .tsv

Paths are read from the project's root (as for every command here) and
named in full in the messages.  Settings: TIMELINE_WORKERS (default 3),
TIMELINE_MS (the window drawn, from the start of the run; default 200),
TIMELINE_WORKLOADS (default "cpu_loop io_wait convoy").  GILBENCH (default
build/gilbench) runs them.  The traced runs are not timed runs: they never
enter runs.csv or the summary.

What gnuplot draws from a trace (worker, time_us, event), in milliseconds
clipped to [0, window], is a temporary file of five blocks separated by two
blank lines (gnuplot's `index`):
  block 0  "worker start end" while the worker holds the GIL
  block 1  ... while it waits for it (also the forced-switch wait after a yield)
  block 2  ... while it has released it for I/O or C work
  block 3  "worker time" for each drop request
  block 4  one line of totals over the whole trace: workers, holds, mean
           hold (ms), drop requests, yields, releases
A worker's time after its last release (it has finished) is not drawn.
Numbers are read and printed as awk did (C's strtod and printf).
"""
import math
import os
import re
import subprocess
import sys
import tempfile

from sweep import meta as run_meta
from sweep.listing import c_workloads
from sweep.messages import die, parse_list, parse_number, printable, usage
from sweep.plotting import draw_plot, gp_string, interval_text, require_gnuplot
from sweep.tables import awk_numeric, c_number

MAX_INT = 2147483647
KINDS = {"holding": 0, "waiting": 1}  # any other state: block 2, released


# ---- numbers as awk (mawk) printed them ----

def awk_int(x):
    """awk's %d of X: truncated, clamped to the int range (nan: its low end)."""
    if math.isnan(x):
        return -MAX_INT
    return MAX_INT if x >= MAX_INT else -MAX_INT if x <= -MAX_INT else int(x)


def c_float(form, x):
    """C's printf FORM (%.4f, %.3g...) of X; a nan keeps its sign."""
    if math.isnan(x):
        return "-nan" if math.copysign(1, x) < 0 else "nan"
    return form % x


def worker_key(x):
    """The worker X as awk names an array element: a whole number as it is,
    anything else as %.6g (two workers of one name are one)."""
    if math.isfinite(x) and x.is_integer() and abs(x) <= MAX_INT:
        return "%d" % x
    return c_float("%.6g", x)


# ---- a trace file in, gnuplot's data out ----

class Spans:
    """Each worker's state and the blocks drawn so far."""

    def __init__(self, window):
        self.window = window
        self.state, self.start, self.since = {}, {}, {}
        self.blocks = [[], [], [], []]

    def close(self, key, worker, t):
        state = self.state[key]
        if state == "":
            return
        if self.start[key] < self.window:
            self.blocks[KINDS.get(state, 2)].append("%d %s %s\n" % (
                awk_int(worker), c_float("%.4f", self.start[key]), c_float("%.4f", min_window(t, self.window))))
        self.state[key] = ""

    def open(self, key, state, t):
        self.state[key] = state
        self.start[key] = t


def min_window(t, window):
    return t if t < window else window


def trace_data(trace, window):
    """Reads the trace file TRACE (binary, opened); returns gnuplot's data
    for the first WINDOW ms, the text of its "# lost events:" lines and its
    totals (holds, mean hold in ms as printed, drop requests, yields,
    releases)."""
    spans = Spans(window)
    holds = yields = releases = requests = 0
    held = 0.0
    lost = []
    for raw in trace:
        line = raw[:-1].decode("latin-1") if raw.endswith(b"\n") else raw.decode("latin-1")
        fields = line.split("\t")
        if line.startswith("#"):
            m = re.match("# lost events: ([0-9]*)", line)
            if m:
                lost.append(m.group(1))
            continue
        if fields[0] == "worker" or len(fields) < 3:
            continue
        w = c_number(fields[0]) + 0
        t = c_number(fields[1]) / 1000
        event = fields[2]
        key = worker_key(w)
        spans.state.setdefault(key, "")
        if event == "wait":
            if spans.state[key] != "waiting":
                spans.close(key, w, t)
                spans.open(key, "waiting", t)
        elif event == "acquire":
            spans.close(key, w, t)
            spans.open(key, "holding", t)
            holds += 1
            spans.since[key] = t
        elif event in ("yield", "release"):
            spans.close(key, w, t)
            spans.open(key, "waiting" if event == "yield" else "released", t)
            if event == "yield":
                yields += 1
            else:
                releases += 1
            held += t - spans.since.get(key, 0.0)
        elif event == "drop_request":
            requests += 1
            if not t > window:  # t <= window, where awk takes a nan for equal
                spans.blocks[3].append("%d %s\n" % (awk_int(w), c_float("%.4f", t)))
    # Spans still open at the end: a worker still waiting or holding when
    # the buffer filled is drawn to the window's edge; one that released for
    # the last time has finished and is not.
    for key, state in list(spans.state.items()):
        if state in ("waiting", "holding"):
            spans.close(key, c_number(key), window)
    out = []
    for b, block in enumerate(spans.blocks):
        # gnuplot rejects an empty index block: give it one point off the plot.
        out.append("".join(block) or ("-1 -1\n" if b == 3 else "-1 -1 -1\n"))
        out.append("\n\n")
    totals = (holds, c_float("%.4f", held / holds if holds else 0), requests, yields, releases)
    out.append("%d %d %s %d %d %d\n" % ((len(spans.state),) + totals))
    return "".join(out), "\n".join(lost).rstrip("\n"), totals


def summary_line(totals, lost, requests_seen=True):
    """The whole run's totals for the picture's foot (the mean hold and
    LOST compared as awk compared them: as numbers if they look like one).
    CPython's waiters set drop requests inline: its traces cannot show them."""
    holds, mean, requests, yields, releases = totals
    value = c_number(mean)
    if value >= 0.1 if awk_numeric(mean) else mean >= "0.1":
        hold = c_float("%.3g", value) + " ms"
    else:
        hold = c_float("%.3g", value * 1000) + " us"
    line = "whole run: %d holds, mean hold %s; %s, %d forced switches, %d releases" % (
        holds, hold, "%d drop requests" % requests if requests_seen else "drop requests unseen", yields, releases)
    if c_number(lost) > 0 if awk_numeric(lost) else lost > "0":
        line += "; %d events past the trace buffer not drawn" % awk_int(c_number(lost))
    return line


def draw_trace(trace, base, window_ms, data):
    """BASE.png and BASE.svg from the trace file TRACE, through the
    temporary file DATA."""
    try:
        with open(trace, "rb") as f:
            header = f.readline().rstrip(b"\n").replace(b"\0", b"").decode("utf-8", errors="surrogateescape")
            if not header.startswith("# gilbench trace: "):
                usage("'%s' is not a gilbench trace (see gilbench run --trace)" % printable(trace))
            # "workload W, mode gil, N workers, U units, switch interval I us, run S s"
            found = [re.match(pattern, header) for pattern in (
                r"# gilbench trace: workload ([^,]*),", r".*, ([0-9]*) workers,",
                r".*switch interval ([0-9]*) us", r".*, run ([0-9.]*) s\Z")]
            if not all(m and m.group(1) for m in found) or re.search("[\udc80-\udcff]", header):
                usage("'%s' has a malformed header line: %s" % (printable(trace), printable(header)))
            workload, n, interval, run_s = (m.group(1) for m in found)
            cpython = re.match(r"# gilbench trace: workload [^,]*, CPython ([^,]*),", header)
            # The window ends with the run if the run is shorter.
            run_ms = c_number(run_s) * 1000
            window = awk_int(run_ms + 0.999 if run_ms < window_ms else window_ms)
            f.seek(0)
            text, lost, totals = trace_data(f, window)
    except OSError as error:
        usage("cannot read the trace file '%s': %s" % (printable(trace), error.strerror))
    try:
        with open(data, "w", encoding="ascii") as f:
            f.write(text)
    except OSError:
        die("cannot write %s" % data)
    span = "the whole run (%d ms)" % window if run_ms <= window_ms else "the first %d ms" % window
    # A trace of CPython (gilbench gil-trace) names its interpreter; its time
    # starts at the first worker thread's first event.
    under = "CPython's GIL (%s)" % os.path.basename(cpython.group(1)) if cpython else "the GIL model"
    start = "the first worker's first event" if cpython else "the timed region began"
    draw_plot("timeline.gp", base, "data=%s; workers=%s; window=%d; title_text=%s; summary=%s; xlabel_text=%s" % (
        gp_string(data), n, window,
        gp_string("%s under %s: %s workers, switch interval %s, %s" % (
            workload, under, n, interval_text(interval), span)),
        gp_string(summary_line(totals, lost, requests_seen=not cpython)),
        gp_string("milliseconds after " + start)))


# ---- traced runs of a results folder ----

def traced_runs(run_dir, gilbench, workers, window_ms, data):
    meta = run_meta.check_results_folder("RUN", run_dir)
    available = [name for name, _ in c_workloads(gilbench)]
    workloads = parse_list("TIMELINE_WORKLOADS", os.environ.get("TIMELINE_WORKLOADS", "cpu_loop io_wait convoy"),
                           available)
    interval = run_meta.text_of(meta["settings"].get("switch_interval_us"))
    out = os.path.join(run_dir, "timeline")
    plots = os.environ.get("PLOTS_DIR") or "plots"
    for folder in (out, plots):
        run_meta.make_folder(folder)
    for wl in workloads:
        run_line(gilbench, wl, workers, interval, out)
        draw_trace(os.path.join(out, wl + ".tsv"), os.path.join(out, wl), window_ms, data)
        # Through temporary files of their own: two runs at once never mix their pictures.
        for ext in ("png", "svg"):
            if not run_meta.copy_atomically(os.path.join(out, "%s.%s" % (wl, ext)),
                                            os.path.join(plots, "timeline-%s.%s" % (wl, ext))):
                die("cannot copy the timeline of %s to %s" % (wl, plots))
    print("gilbench: timelines in %s" % out)


def run_line(gilbench, wl, workers, interval, out):
    """The traced run of WL: OUT/WL.tsv, and its result line in OUT/WL.json
    once complete."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".%s.json." % wl, dir=out)
    except OSError:
        die("cannot write in %s" % out)
    try:
        sys.stdout.flush()
        try:
            with os.fdopen(fd, "wb") as result:
                status = subprocess.run([gilbench, "run", "--workload", wl, "--mode", "gil", "--workers", str(workers),
                                         "--switch-interval-us", interval, "--timeout", "300",
                                         "--trace", os.path.join(out, wl + ".tsv")], stdout=result).returncode
            if status == 0:
                os.chmod(tmp, run_meta.file_mode())
                os.replace(tmp, os.path.join(out, wl + ".json"))
        except OSError:
            status = None
        if status != 0:
            die("the traced run of %s failed" % wl)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def main(argv):
    # Made absolute (the messages name the files so).
    args = [arg if arg in ("--draw", "") else os.path.realpath(arg) for arg in argv]
    gilbench = os.environ.get("GILBENCH") or "build/gilbench"
    workers = parse_number("TIMELINE_WORKERS", os.environ.get("TIMELINE_WORKERS", "3"), 1, 64)
    window_ms = parse_number("TIMELINE_MS", os.environ.get("TIMELINE_MS", "200"), 1, 600000)
    require_gnuplot()
    try:
        fd, data = tempfile.mkstemp(prefix="gilbench-timeline.", dir=os.environ.get("TMPDIR") or "/tmp")
        os.close(fd)
    except OSError:
        die("cannot make a temporary file")
    try:
        # gnuplot takes a name that starts with "<" for a command.
        data = os.path.realpath(data)
        if args[:1] == ["--draw"]:
            if len(args) != 2:
                usage("timeline --draw takes one trace file")
            if not os.path.isfile(args[1]):
                usage("no trace file '%s'" % printable(args[1]))
            base = args[1][:-4] if args[1].endswith(".tsv") else args[1]
            draw_trace(args[1], base, window_ms, data)
            print("gilbench: timeline in %s.png and %s.svg" % (base, base))
            return 0
        if len(args) != 1:
            usage("timeline takes one results folder (or --draw TRACE)")
        traced_runs(args[0], gilbench, workers, window_ms, data)
        return 0
    finally:
        os.unlink(data)
