"""calibration - the tables of `make calibrate`: for every point measured
both as the C model (variant source=model) and in a CPython
(source=cpython-3.13.5, cpython-3.13.5t, cpython-3.11.2, ...), the ratio
model / CPython of the median times and of the speedups, one row per
interpreter.  Writes RUN_DIR/calibration.csv and prints it as a table;
points where the speedups differ by more than 15 % either way
(|speedup_ratio - 1| > 0.15) are marked.  Where one version was measured
both free-threaded and with its GIL, RUN_DIR/single_thread.csv: each
workload's one-worker time on the one against the other.
Usage: python3 scripts/sweep calibration RUN_DIR

calibration.csv, one row per CPython point beside the model's (HEADER):
  workload, mode, workers, interpreter        the point; interpreter: its source
  model_median_s, cpython_median_s, time_ratio    median times, model / CPython
  model_speedup, cpython_speedup, speedup_ratio   speedups, model / CPython
  differs                                     yes: |speedup_ratio - 1| > 0.15
single_thread.csv (SINGLE_HEADER): workload, gil_build, free_threaded_build,
  gil_median_s, free_threaded_median_s, free_threaded_over_gil
"""
import os

from sweep.messages import die, usage
from sweep.meta import run_folder_argument
from sweep.tables import aligned, number, read_table, write_csv

HEADER = ["workload", "mode", "workers", "interpreter", "model_median_s", "cpython_median_s", "time_ratio",
          "model_speedup", "cpython_speedup", "speedup_ratio", "differs"]
SINGLE_HEADER = ["workload", "gil_build", "free_threaded_build", "gil_median_s", "free_threaded_median_s",
                 "free_threaded_over_gil"]
COLUMNS = ("workload", "mode", "workers", "variant", "median_s", "speedup")


def value(text):
    """A field as a number in a division: an empty field counts as 0."""
    return number(text) or 0.0


def positive(text):
    return (number(text) or 0) > 0


def calibration_rows(rows):
    """calibration.csv's rows: every CPython point (in the summary's order;
    of a point given twice, the last line) whose point the model measured."""
    median, speedup, order = {}, {}, {}
    for row in rows:
        if not row["variant"].startswith("source="):
            continue
        key, source = (row["workload"], row["mode"], row["workers"]), row["variant"][len("source="):]
        median[key, source], speedup[key, source] = row["median_s"], row["speedup"]
        if source != "model":
            order.setdefault((key, source))
    table = []
    for key, source in order:
        if (key, "model") not in median:
            continue
        model_median, model_speedup = median[key, "model"], speedup[key, "model"]
        time_ratio = "%.3f" % (value(model_median) / value(median[key, source])) \
            if positive(median[key, source]) else ""
        speedup_ratio = "%.3f" % (value(model_speedup) / value(speedup[key, source])) \
            if speedup[key, source] != "" and positive(speedup[key, source]) and model_speedup != "" else ""
        # differs: |ratio - 1| > 0.15 either way (0.85 and 1.15 are within),
        # on the ratio as printed, so that the table and the flag agree.
        differs = speedup_ratio != "" and abs(float(speedup_ratio) - 1) > 0.15 + 1e-9
        table.append(list(key) + [source, model_median, median[key, source], time_ratio, model_speedup,
                                  speedup[key, source], speedup_ratio, "yes" if differs else "no"])
    return table


def single_thread_rows(rows):
    """What free threading costs one thread: each workload's one-worker time
    on a free-threaded build (cpython-X.Y.Zt, threads) against the same
    version with its GIL (cpython-X.Y.Z, gil: one thread never waits for the
    GIL), for each version measured both ways."""
    free, gil, order = {}, {}, {}
    for row in rows:
        if number(row["workers"]) != 1 or not row["variant"].startswith("source=cpython-"):
            continue
        source = row["variant"][len("source="):]
        if row["mode"] == "threads" and source.endswith("t"):
            free[row["workload"], source[:-1]] = row["median_s"]
        if row["mode"] == "gil":
            gil[row["workload"], source] = row["median_s"]
            order.setdefault((row["workload"], source))
    return [[workload, source, source + "t", gil[workload, source], free[workload, source],
             "%.3f" % (value(free[workload, source]) / value(gil[workload, source]))]
            for workload, source in order if (workload, source) in free and positive(gil[workload, source])]


def show(header, rows):
    """HEADER and ROWS as the table printed (columns aligned)."""
    for line in aligned([header] + rows):
        print(line)


def main(argv):
    run_dir, _ = run_folder_argument("calibration", argv)
    rows = read_table(os.path.join(run_dir, "summary.csv"), optional=COLUMNS)
    table, single = calibration_rows(rows), single_thread_rows(rows)
    if not table:
        usage("RUN='%s' has no point measured both as the model and in CPython (make calibrate)" % run_dir)
    if not write_csv(os.path.join(run_dir, "calibration.csv"), HEADER, table):
        die("cannot write %s" % os.path.join(run_dir, "calibration.csv"))
    print("model / CPython, point by point: time_ratio = median time ratio, speedup_ratio = speedup ratio;")
    print("differs: the speedups differ by more than 15 % (see docs/gil-model.md, \"Calibration\")")
    show(HEADER, table)
    single_path = os.path.join(run_dir, "single_thread.csv")
    try:
        os.unlink(single_path)
    except FileNotFoundError:
        pass
    except OSError as error:
        die("cannot remove %s: %s" % (single_path, error.strerror))
    if single:
        if not write_csv(single_path, SINGLE_HEADER, single):
            die("cannot write %s" % single_path)
        print()
        print("free threading's single-thread cost: one worker's median time, free-threaded build / GIL build")
        show(SINGLE_HEADER, single)
    return 0
