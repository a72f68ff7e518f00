"""plots - every plot of a results folder (make plots RUN=...; the end of
make bench), drawn by gnuplot as PNG and SVG into RUN/plots/ and copied to
$PLOTS_DIR (default plots/, the latest drawn: the plots another run drew
there and this one did not are removed).

Usage: python3 scripts/sweep plots RUN_DIR

Reads only summary.csv, figures.csv and meta.json, so it redraws without
re-running: a page per workload of the default sweep (speedup.gp), the
overview and efficiency grids, the GIL model's wait share (gil-wait.gp),
and a page per study (study-STUDY.gp; calibrate's also objects.gp).  This
module works out what each page shows (its workloads, modes, variants and
worker counts) and hands it to the scripts of scripts/gnuplot/, which read
the two CSV files themselves.
"""
import decimal
import glob
import os
import re

from sweep import meta as run_meta
from sweep.messages import die, note, printable, usage
from sweep.plotting import draw_plot, gp_string, interval_text, require_gnuplot
from sweep.tables import read_table

NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


# ---- lists as the shell's tools made them ----

def distinct(values):
    """VALUES without repeats, in the order they first come."""
    return list(dict.fromkeys(values))


def sort_value(text):
    """What GNU sort -n sees in TEXT: the number it starts with (blanks
    skipped; no + sign, no exponent), exactly; 0 where none starts."""
    m = re.match(r"[ \t]*(-?)([0-9]*)(?:\.([0-9]*))?", text)
    return decimal.Decimal("%s%s.%s0" % (m.group(1), m.group(2) or "0", m.group(3) or ""))


def sorted_unique(values, key=lambda text: text):
    """sort -n -u: VALUES in the numeric order of their KEY, the first of
    the values whose keys are equal numbers kept (as -t= -k2 -n -u keeps
    one variant of all whose settings read as one number)."""
    kept = []
    for value in sorted(values, key=lambda v: sort_value(key(v))):
        if not kept or sort_value(key(kept[-1])) != sort_value(key(value)):
            kept.append(value)
    return kept


def largest(values):
    """The last of VALUES after sort -n (ties: the last as text), or ""."""
    return max(values, key=lambda v: (sort_value(v), v), default="")


def after_equals(text):
    """sort -t= -k2's key: what follows the first '=' ("" without one)."""
    return text.partition("=")[2]


def plan_lines(study):
    """The fields of each line of scripts/studies/STUDY.plan that is not
    a comment or blank."""
    plan = "scripts/studies/%s.plan" % study
    try:
        with open(plan, encoding="utf-8", errors="surrogateescape") as f:
            return [line.split() for line in f.read().split("\n") if not line.startswith("#") and line.split()]
    except OSError:
        die("the %s study has no %s" % (study, plan))


def worker_count(text, run_dir):
    """TEXT (a worker count from summary.csv) for gnuplot, if it is a
    number; exit 2 if not (gnuplot would run it as a statement)."""
    if not NUMBER.fullmatch(text):
        usage("RUN='%s': summary.csv has a worker count that is not a number: '%s'" % (run_dir, printable(text)))
    return text


# ---- the pages ----

class Pages:
    """The plots of one results folder, drawn one by one into RUN/plots/;
    drawn lists the files made."""

    def __init__(self, run_dir, meta, rows):
        self.run_dir = run_dir
        self.out_dir = os.path.join(run_dir, "plots")
        self.meta = meta
        self.rows = rows
        self.drawn = []
        self.common = ""

    def draw(self, script, name, extra):
        """scripts/gnuplot/SCRIPT as NAME.png and NAME.svg, with the
        settings every page gets and EXTRA (which may override them)."""
        draw_plot(script, os.path.join(self.out_dir, name), self.common + extra)
        self.drawn += [name + ".png", name + ".svg"]

    def python_label(self, workload):
        """For a Python workload, its interpreters from meta.json ("Python:
        CPython 3.13.5, free-threaded 3.13.5t"); "" for a C workload."""
        labels = []
        for entry in self.meta.get("python_workloads") or []:
            if entry["name"] == workload:
                label = "Python: " + re.sub("^cpython-", "CPython ", entry["python"], count=1)
                if entry.get("free_threaded_python") is not None:
                    label += ", free-threaded " + re.sub("^cpython-", "", entry["free_threaded_python"], count=1)
                labels.append(label)
        return "\n".join(labels).rstrip("\n")

    def default_sweep(self, sweep_rows, workloads, modes):
        """A page per workload, the two grids, and the GIL model's wait share."""
        for workload in workloads:
            label = self.python_label(workload)
            own_modes = distinct(row["mode"] for row in sweep_rows if row["workload"] == workload)
            self.draw("speedup.gp", workload, "wl=%s; modes=%s; python_ways=%d; python_label=%s" % (
                gp_string(workload), gp_string(" ".join(own_modes)), 1 if label else 0, gp_string(label)))
        self.draw("grid.gp", "overview", "what='speedup'")
        self.draw("grid.gp", "efficiency", "what='efficiency'")
        # The C workloads' (CPython keeps no such count).
        python = {entry["name"] for entry in self.meta.get("python_workloads") or []}
        c_workloads = [workload for workload in workloads if workload not in python]
        if c_workloads and " gil " in " %s " % " ".join(modes):
            self.draw("gil-wait.gp", "gil_wait", "workloads=%s" % gp_string(" ".join(c_workloads)))

    def calibrate(self):
        """Every workload of the calibrate study on one page, the model
        beside CPython (its own workloads only: the startup and memory
        studies have CPython points too), and what shared objects cost free
        threading when both lists were measured."""
        calibrated = "," + ",".join(fields[0] for fields in plan_lines("calibrate")) + ","
        rows = [row for row in self.rows if re.fullmatch("source=[^+]*", row["variant"])
                and "," + row["workload"] + "," in calibrated]
        if not rows:
            note("no measured point: no plot for the calibrate study")
            return
        maxw = worker_count(largest([row["workers"] for row in rows]), self.run_dir)
        cpython = [row for row in rows if row["variant"].startswith("source=cpython")]
        # Each interpreter's curves: SOURCE:MODE:DASH, one dash type per interpreter.
        dashes = {}
        for row in cpython:
            dashes.setdefault(row["variant"][7:], 2 + len(dashes))
        points = distinct("%s:%s:%d" % (row["variant"][7:], row["mode"], dashes[row["variant"][7:]])
                          for row in cpython)
        model_modes = distinct(row["mode"] for row in rows if row["variant"] == "source=model")
        self.draw("study-calibrate.gp", "calibrate",
                  "calibrate_workloads=%s; model_modes=%s; cpython_points=%s; maxw=%s" % (
                      gp_string(" ".join(distinct(row["workload"] for row in rows))),
                      gp_string(" ".join(model_modes)), gp_string("\n".join(points)), maxw))
        measured = {row["workload"] for row in rows}
        if "shared_objects" in measured and "own_objects" in measured:
            def sources_of(mode):
                return " ".join(distinct(row["variant"][7:] for row in cpython
                                         if row["workload"] == "shared_objects" and row["mode"] == mode))
            self.draw("study-objects.gp", "objects", "free_source=%s; gil_source=%s; maxw=%s" % (
                gp_string(sources_of("threads")), gp_string((sources_of("procs").split() or [""])[0]), maxw))

    def study(self, study, peak):
        """A study's page, given its variants (numerically ordered) and
        worker counts."""
        for file in ("scripts/gnuplot/study-%s.gp" % study, "scripts/studies/%s.plan" % study):
            if not os.path.isfile(file):
                die("the %s study has no %s" % (study, file))
        plan = plan_lines(study)
        workload = plan[0][0] if plan else ""
        rows = [row for row in self.rows if row["workload"] == workload]
        if not rows:
            note("no measured point of %s: no plot for the %s study" % (workload, study))
            return
        variants = sorted_unique([row["variant"] for row in rows if row["variant"] != "-"], key=after_equals)
        if not variants:  # every point with a variant failed
            if not any(len(fields) >= 4 and fields[3] == "-" for fields in plan):
                note("no measured point of the %s study: no plot for it" % study)
                return
            note("no point of the %s study with a variant was measured: its page shows the others only" % study)
        workers = " ".join(sorted_unique(row["workers"] for row in rows))
        # The CPython whose points the page shows beside the model's (the
        # plan's source=cpython-newest: one interpreter), if any.
        cpython = next((row["variant"][7:].split("+")[0] for row in rows
                        if row["variant"].startswith("source=cpython-")), "")
        self.draw("study-%s.gp" % study, study, "variants=%s; study_workers=%s; maxw=%s; peak=%s; cpython=%s" % (
            gp_string(" ".join(variants)), gp_string(workers), worker_count(workers.rsplit(" ", 1)[-1], self.run_dir),
            peak, gp_string(cpython)))


def publish(run_dir, out_dir, drawn):
    """Copies the files DRAWN to $PLOTS_DIR, each replacing its namesake
    through a temporary file of its own, and only then removes the plots
    this run did not draw: a plots command running at the same time never
    finds a file gone mid-copy, and the last to finish wins."""
    plots_dir = os.environ.get("PLOTS_DIR") or "plots"
    run_meta.make_folder(plots_dir)
    for name in drawn:
        if not run_meta.copy_atomically(os.path.join(out_dir, name), os.path.join(plots_dir, name)):
            die("cannot copy the plots to %s" % plots_dir)
    for pattern in ("*.png", "*.svg"):
        for file in sorted(glob.glob(os.path.join(glob.escape(plots_dir), pattern))):
            if os.path.basename(file) not in drawn:
                try:
                    os.remove(file)
                except FileNotFoundError:
                    pass
                except OSError:
                    die("cannot remove %s" % file)
    print("gilbench: plots of %s drawn in %s and %s/" % (run_dir, out_dir, plots_dir))


def main(argv):
    run_dir, meta = run_meta.run_folder_argument("plots", argv)
    require_gnuplot()
    # Absolute, so that gnuplot reads no name as a command ('<...').
    csv = os.path.realpath(os.path.join(run_dir, "summary.csv"))
    figures = os.path.realpath(os.path.join(run_dir, "figures.csv"))
    rows = read_table(csv, ("workload", "mode", "workers", "variant"))
    settings = meta["settings"]
    # The default sweep's rows: no variant, a workload of the sweep's
    # WORKLOADS (none in a studies-only run, whose studies may have
    # variant-less rows of a default workload: the pool study's shares points).
    keep = "," + ("" if settings.get("default_sweep") is False else ",".join(settings["workloads"])) + ","
    sweep_rows = [row for row in rows if row["variant"] == "-" and "," + row["workload"] + "," in keep]
    workloads = distinct(row["workload"] for row in sweep_rows)
    modes = distinct(row["mode"] for row in sweep_rows)
    # A studies-only run: each study page sets its own.
    maxw = worker_count(largest([row["workers"] for row in sweep_rows]) or "1", run_dir)
    studies = " ".join(settings.get("studies") or [])
    if not workloads and not studies:
        usage("RUN='%s': summary.csv has no rows to plot" % run_dir)
    cpus = meta.get("cpus_usable")
    cpu_model = meta.get("cpu_model")
    machine = "%s, %s usable CPUs; GIL switch interval %s" % (
        "unknown CPU" if cpu_model is None else cpu_model, "" if cpus is None else run_meta.text_of(cpus),
        interval_text(run_meta.text_of(settings.get("switch_interval_us"))))

    pages = Pages(run_dir, meta, rows)
    run_meta.make_folder(pages.out_dir)
    pages.common = "csv=%s; modes=%s; workloads=%s; cpus=%s; maxw=%s; machine=%s; figures=%s; " % (
        gp_string(csv), gp_string(" ".join(modes)), gp_string(" ".join(workloads)),
        "" if cpus is None else run_meta.text_of(cpus), maxw, gp_string(machine), gp_string(figures))
    if workloads:
        pages.default_sweep(sweep_rows, workloads, modes)
    peak = meta.get("fma_gflops_single_core")
    for study in studies.split():
        if study == "calibrate":
            pages.calibrate()
        else:
            pages.study(study, run_meta.text_of(peak if peak is not None else 0))
    publish(run_dir, pages.out_dir, pages.drawn)
    return 0
