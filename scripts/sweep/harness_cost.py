"""harness_cost - where a sweep's wall time went: inside the timed regions
of its runs, or in what surrounds them (the processes' start, the
workloads' set-up and checks, warm-up runs, the sweep's own work between
calls, before the rounds and after them).  Writes meta.json's "harness"
and prints one line.
Usage: python3 scripts/sweep harness_cost RUN_DIR WARMUP SWEEP_STARTED
       ROUNDS_STARTED ROUNDS_ENDED
(the three times as `date +%s.%N`; the end is now).
Only the points this sweep called count (a RERUN's kept points were
measured by another sweep).  A figure a run did not report counts 0.
"""
import os
import time

from sweep.messages import die, usage
from sweep.meta import jq_number, jq_round, load_json, plain, read_jq_values, write_json
from sweep.plan import point_id
from sweep.tables import leading_number, records

ARGUMENTS = "RUN_DIR WARMUP SWEEP_STARTED ROUNDS_STARTED ROUNDS_ENDED"


def difference(start, end):
    """END - START seconds, to the millisecond (awk's printf "%.3f")."""
    return float("%.3f" % (leading_number(end) - leading_number(start)))


def called_points(run_dir):
    """The seconds of the calls of schedule.tsv (to the microsecond) and
    the ids of the points called, in their first call's order."""
    try:
        with open(os.path.join(run_dir, "schedule.tsv"), encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError:
        die("cannot read %s/schedule.tsv" % run_dir)
    total, points = 0.0, {}
    for line in records(text)[1:]:
        fields = line.split("\t") + [""] * 8
        points[point_id(fields[2:6])] = True
        total += leading_number(fields[7])
    return float("%.6f" % total), list(points)


def run_seconds(run_dir, points, warmup):
    """The regions, warm-up regions, set-ups and checks of every run of
    POINTS (the first WARMUP lines of each file are its warm-up runs); all
    0 if a file cannot be read or holds a figure that is not a number."""
    timed = warm = setup = check = 0.0

    def seconds(line, name):
        # jq's `.NAME // 0`: null has no fields, other values fail.
        value = None if line is None else line.get(name) if isinstance(line, dict) else line[name]
        if value is None or value is False:
            return 0.0
        if not isinstance(value, float):
            raise TypeError("%s is not a number" % name)
        return value

    try:
        for point in points:
            path = os.path.join(run_dir, "raw", point + ".jsonl")
            if not os.path.isfile(path):
                continue
            for index, line in enumerate(read_jq_values(path)):
                timed += seconds(line, "seconds")
                warm += seconds(line, "seconds") if index < warmup else 0.0
                setup += seconds(line, "setup_seconds")
                check += seconds(line, "check_seconds")
    except (OSError, ValueError, TypeError, LookupError):
        return 0.0, 0.0, 0.0, 0.0
    return timed, warm, setup, check


def harness(run_dir, warmup, sweep_started, rounds_started, rounds_ended, now):
    calls, points = called_points(run_dir)
    timed, warm, setup, check = run_seconds(run_dir, points, warmup)
    wall = difference(sweep_started, now)

    def r(x):
        return plain(jq_round(x * 1000) / 1000)

    # timed: the regions of the measured runs (warm-up runs apart).
    measured = timed - warm
    return {"wall_s": plain(wall), "timed_s": r(measured),
            "timed_share": plain(jq_round(measured / wall * 1000) / 1000) if wall > 0 else None,
            "warmup_timed_s": r(warm), "calls_s": r(calls), "setup_s": r(setup), "check_s": r(check),
            # In the calls but outside the regions, set-ups and checks: the
            # processes start and end, hyperfine, the rest of the runner.
            "process_rest_s": r(max(calls - timed - setup - check, 0)),
            "before_rounds_s": plain(difference(sweep_started, rounds_started)),
            "between_calls_s": r(max(difference(rounds_started, rounds_ended) - calls, 0)),
            "after_rounds_s": plain(difference(rounds_ended, now))}


def seconds_text(x):
    """A duration of the line: whole seconds from 10 s, else tenths."""
    return "%s s" % jq_number(jq_round(x) if x >= 10 else jq_round(x * 10) / 10)


def main(argv):
    if len(argv) != 5:
        usage("scripts/sweep harness_cost takes " + ARGUMENTS)
    run_dir, warmup_text, sweep_started, rounds_started, rounds_ended = argv
    now = "%.9f" % time.time()
    try:
        warmup = float(warmup_text)
    except ValueError:
        usage("scripts/sweep harness_cost: WARMUP='%s' is not a number" % warmup_text)
    h = harness(run_dir, warmup, sweep_started, rounds_started, rounds_ended, now)
    meta_path = os.path.join(run_dir, "meta.json")
    try:
        meta = load_json(meta_path)
    except (OSError, ValueError, RecursionError):
        die("cannot write %s" % meta_path)
    if not isinstance(meta, dict):
        die("cannot write %s" % meta_path)
    meta["harness"] = h
    write_json(meta_path, meta)
    if h["timed_share"] is None:
        die("cannot account for the sweep's time in %s" % run_dir)
    s = seconds_text
    print("gilbench: of %s wall, %s (%s %%) were timed regions;" % (s(h["wall_s"]), s(h["timed_s"]),
                                                                     jq_number(jq_round(h["timed_share"] * 100)))
          + " in the calls around them %s of warm-up regions, %s of set-up, %s of checks,"
          % (s(h["warmup_timed_s"]), s(h["setup_s"]), s(h["check_s"]))
          + " %s of starting and ending processes; %s before the rounds," % (s(h["process_rest_s"]),
                                                                            s(h["before_rounds_s"]))
          + " %s between calls, %s after them" % (s(h["between_calls_s"]), s(h["after_rounds_s"])))
    return 0
