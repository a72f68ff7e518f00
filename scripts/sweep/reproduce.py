"""reproduce - how well does a sweep reproduce on this machine?  (make
reproduce; python3 scripts/sweep reproduce).  Runs the sweep of `make bench`
twice, back to back, with the same settings (those of the environment:
QUICK, WORKLOADS, RUNS, PARAMS... as the sweep reads them), each into
its own folder under RESULTS_DIR, then compares the second with the first
(sweep.compare: compare.csv, compare.json, the plot) and prints, point by
point and overall, how far the two speedups differ and whether each lies
inside the other's 95 % interval.  The overall figures go to reproduce.json
in the comparison's folder.

Exit status: 0 both sweeps succeeded (however far apart they are: the
figures are a report, not a test); 1 a sweep had a failed point (the two
are still compared if both have a summary) or the comparison could not be
made; 2 a bad setting (the first sweep refuses it; nothing is run);
128+N interrupted by signal N: SIGINT, SIGTERM and SIGHUP are passed on to
the running sweep, which stops its point and keeps its partial folder, and
the second sweep is not started.

reproduce.json: {sweeps: [{folder, status}, {folder, status}], compare
(the folder), settings (the first sweep's), differences (settings in which
the sweeps differ, from compare.json), speedups: compare.json's summary
(points, with_intervals, differ, median_abs_speedup_diff_pct,
worst_abs_speedup_diff_pct, worst_point, b_in_a {count, share}, a_in_b,
intervals_below_95, differing_points), times: {points,
median_abs_time_diff_pct, worst_abs_time_diff_pct, worst_point}}.
"""
import io
import os
import selectors
import shlex
import signal
import subprocess
import sys
import time

from sweep import compare as comparing
from sweep.messages import die, note, usage
from sweep.meta import percent, plain, tenths, write_json
from sweep.tables import aligned, number

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
RESULTS_LINE = b"gilbench: results in "


class Sweeps:
    """The two sweeps, one at a time, and the signal that stops them: the
    first of SIGINT, SIGTERM and SIGHUP is passed on to the running sweep
    (in a process group of its own, so that a Ctrl-C reaches it once, from
    here) and the rest are ignored; main() then stops."""

    def __init__(self):
        self.child = None
        self.signalled = None
        self.forwarded = False

    def on_signal(self, signum, _frame):
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        self.signalled = signum
        self.forward()

    def forward(self):
        if self.signalled and self.child is not None and self.child.returncode is None and not self.forwarded:
            self.forwarded = True
            try:
                os.kill(self.child.pid, self.signalled)
            except ProcessLookupError:
                pass

    def interrupted(self, during, left):
        """Says what the signal stopped (DURING: where it came; LEFT: what
        is not made); returns the exit status, 128 + the signal's number."""
        note("reproduce: interrupted by %s%s; %s not made" % (signal.Signals(self.signalled).name, during, left))
        return 128 + self.signalled

    def sweep(self, n):
        """Runs the sweep (sweep.bench) with this environment, its output on stdout
        as it comes; returns its status and its folder (from its "results
        in" line, or None)."""
        print("gilbench: reproduce: sweep %d of 2" % n, flush=True)
        try:
            child = subprocess.Popen([sys.executable, "scripts/sweep", "bench"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     process_group=0)
        except OSError as error:
            die("reproduce: cannot run the sweep: %s" % error.strerror)
        self.child = child
        try:
            self.forward()  # a signal that came while it started
            folder = copy_output(child)
            status = child.wait()
        finally:
            # Nothing of ours outlives this: the sweep stops its own point on TERM.
            if child.returncode is None:
                child.terminate()
                child.wait()
            child.stdout.close()
        self.child = None
        return (128 - status if status < 0 else status), folder


def copy_output(child):
    """Copies CHILD's stdout to ours until its end, or 5 s after CHILD ends
    (a process it left may hold the pipe open); returns what follows its
    first "gilbench: results in " line, or None."""
    sys.stdout.flush()
    fd = child.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    folder, pending, deadline, echo = None, b"", None, True
    while True:
        if deadline is None and child.poll() is not None:
            deadline = time.monotonic() + 5
        timeout = 0.1 if deadline is None else deadline - time.monotonic()
        if timeout <= 0:
            break
        if not selector.select(timeout):
            continue
        data = os.read(fd, 65536)
        if not data:
            break
        if echo:
            try:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            except OSError:  # our stdout is gone: the sweep goes on
                echo = False
        if folder is None:
            *lines, pending = (pending + data).split(b"\n")
            folder = next((os.fsdecode(line[len(RESULTS_LINE):]) for line in lines
                           if line.startswith(RESULTS_LINE)), None)
    selector.close()
    if folder is None and pending.startswith(RESULTS_LINE):
        folder = os.fsdecode(pending[len(RESULTS_LINE):])
    return folder


def inside_text(row):
    """Whether each speedup lies inside the other's interval, in words."""
    b_in_a, a_in_b = row["b_in_a"], row["a_in_b"]
    if "" in (b_in_a, a_in_b):
        return "no interval to compare"
    if b_in_a == "yes" and a_in_b == "yes":
        return "each inside the other's interval"
    if b_in_a == "yes":
        return "2nd inside the 1st's interval only"
    if a_in_b == "yes":
        return "1st inside the 2nd's interval only"
    if row["verdict"] == "differs":
        return "neither inside the other's; the intervals are apart: differs"
    return "neither inside the other's; the intervals overlap"


def point_lines(rows):
    """Point by point (N > 1 workers: at 1 worker the speedup is 1 by
    definition)."""
    points = [["  " + comparing.point_name(r),
               comparing.interval(r["speedup_a"], r["speedup_ci_lo_a"], r["speedup_ci_hi_a"]),
               comparing.interval(r["speedup_b"], r["speedup_ci_lo_b"], r["speedup_ci_hi_b"]),
               comparing.change(r["speedup_ratio"]), comparing.change(r["time_ratio"]), inside_text(r)]
              for r in comparing.many(rows)]
    if not points:
        return ["  (no point with more than one worker and a speedup in both sweeps)"]
    return aligned([["  point", "speedup, sweep 1", "speedup, sweep 2", "2nd / 1st - 1", "time 2nd / 1st - 1",
                     "intervals"]] + points)


def times_of(rows):
    """How far the median times moved, 1 worker included."""
    points = sorted(({"pct": float("%.2f" % abs((number(r["time_ratio"]) - 1) * 100)),
                      "point": comparing.point_name(r)} for r in rows if number(r["time_ratio"]) is not None),
                    key=lambda p: p["pct"])
    return {"points": len(points),
            "median_abs_time_diff_pct": comparing.median_pct([p["pct"] for p in points]),
            "worst_abs_time_diff_pct": plain(points[-1]["pct"]) if points else None,
            "worst_point": points[-1]["point"] if points else None}


def overall_lines(record):
    s, t = record["speedups"], record["times"]
    if s["points"] == 0:
        yield "gilbench: reproduce: no point with more than one worker has a speedup in both sweeps"
    else:
        yield "gilbench: reproduce: the speedups of %d point%s differ by %s %% in the median, %s %% at worst (%s)" % (
            s["points"], "" if s["points"] == 1 else "s", tenths(s["median_abs_speedup_diff_pct"]),
            tenths(s["worst_abs_speedup_diff_pct"]), s["worst_point"])
    if s["with_intervals"] > 0:
        yield ("gilbench: reproduce: the 2nd speedup lies inside the 1st's interval at %d of %d points (%s %%), "
               "the 1st inside the 2nd's at %d (%s %%); the intervals are apart (differs) at %d%s") % (
            s["b_in_a"]["count"], s["with_intervals"], percent(s["b_in_a"]["share"]),
            s["a_in_b"]["count"], percent(s["a_in_b"]["share"]), s["differ"],
            "; %d with an interval below 95 %% confidence" % s["intervals_below_95"]
            if s["intervals_below_95"] > 0 else "")
    if t["points"] > 0:
        yield ("gilbench: reproduce: the median times of %d points (1 worker included) differ by %s %% in the "
               "median, %s %% at worst (%s)") % (t["points"], tenths(t["median_abs_time_diff_pct"]),
                                                 tenths(t["worst_abs_time_diff_pct"]), t["worst_point"])
    yield ("gilbench: reproduce: sweeps in %s and %s; comparison in %s (compare.csv, compare.json, reproduce.json, "
           "compare.png, compare.svg)") % (record["sweeps"][0]["folder"], record["sweeps"][1]["folder"],
                                           record["compare"])


def main(argv):
    if argv:
        usage("reproduce takes no arguments: its settings are those of make bench, in the environment")
    if os.environ.get("RERUN"):
        usage("RERUN re-measures one folder; make reproduce runs the whole sweep twice and cannot take it")
    results_dir = os.environ.get("RESULTS_DIR") or "results"
    sweeps = Sweeps()
    for s in SIGNALS:
        if signal.getsignal(s) != signal.SIG_IGN:  # one ignored on entry stays ignored, as in a shell
            signal.signal(s, sweeps.on_signal)

    statuses, folders = [], []
    for n in (1, 2):
        if sweeps.signalled:
            return sweeps.interrupted("", "the second sweep and the comparison are")
        status, folder = sweeps.sweep(n)
        if sweeps.signalled:
            return sweeps.interrupted(" during sweep %d of 2" % n, "the comparison is" if n == 2 else
                                      "the second sweep and the comparison are")
        statuses.append(status)
        folders.append(folder)
        if status == 1:
            if not folder:
                note("reproduce: sweep %d of 2 failed (above); no comparison" % n)
                return 1
            summary = os.path.join(folder, "summary.csv")
            if not (os.path.isfile(summary) and os.path.getsize(summary) > 0):
                note("reproduce: sweep %d of 2 measured nothing; no comparison" % n)
                return 1
            note("reproduce: sweep %d of 2 had failed points (above); the points both measured are still compared" % n)
        elif status == 2:
            return 2  # the setting is named above; nothing more is run
        elif status != 0:
            note("reproduce: sweep %d of 2 ended with status %d; no comparison" % (n, status))
            return status
        if n == 1:
            print()

    print()
    print("gilbench: reproduce: comparing sweep 2 (B) with sweep 1 (A)", flush=True)
    said = io.StringIO()
    try:
        done = comparing.compare(folders[0], folders[1], results_dir, out=said)
    except SystemExit:
        if sweeps.signalled:
            return sweeps.interrupted(" during the comparison", "reproduce.json is")
        sys.stdout.write(said.getvalue())
        note("reproduce: the two sweeps could not be compared (python3 scripts/sweep compare %s %s)"
             % (shlex.quote(folders[0]), shlex.quote(folders[1])))
        return 1
    if sweeps.signalled:
        return sweeps.interrupted(" during the comparison", "reproduce.json is")

    print()
    print("Sweep 2 against sweep 1, point by point: speedup (95 % interval) in each, how far apart, and")
    print("whether each lies inside the other's interval (differs: the intervals do not even overlap)")
    for line in point_lines(done.rows):
        print(line)
    record = {"sweeps": [{"folder": f, "status": s} for f, s in zip(folders, statuses)], "compare": done.folder,
              "settings": done.report["a_settings"], "differences": done.report["differences"],
              "speedups": done.report["summary"], "times": times_of(done.rows)}
    write_json(os.path.join(done.folder, "reproduce.json"), record)
    print()
    for line in overall_lines(record):
        print(line)
    return 1 if any(statuses) else 0
