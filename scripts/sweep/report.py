"""report - a run folder's index.html (make report RUN=..., and the end of
make bench): the decision and the answer first (decision.txt, answer.txt),
the Python workloads, the warnings and failures, the plots (the overview,
then each workload's plot beside its rows of the speedup table, then the
others), the GIL timelines (CPython's beside the model's), CPython's GIL
traced (gil.csv) with the tracer's cost, make calibrate's tables, the whole speedup
table of summary.csv, then the machine and the settings from meta.json.
Static, no script, no network: open it from the folder.  Its stylesheet,
scripts/sweep/report.css, is copied into the page.
Usage: python3 scripts/sweep report RUN_DIR
"""
import os
import re

from sweep import report_sections as sections
from sweep.messages import die
from sweep.meta import names_in, run_folder_argument, text_of, write_atomically
from sweep.report_html import escape, figure, header_row, items, link, row

STYLESHEET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.css")
TIMELINE_ORDER = ("cpu_loop", "io_wait", "convoy")
# The line of contents: each section's anchor and name, where the page has it.
CONTENTS = (("verdict", "The decision"), ("python", "Python workloads"), ("warnings", "Warnings"),
            ("plots", "Plots"), ("timelines", "The GIL at work"), ("gil", "CPython's GIL, traced"),
            ("model", "The model beside CPython"),
            ("speedup-table", "Speedups"), ("machine", "Machine"), ("settings", "Settings"))
# A workload's own table, beside its plot: the speedup table's columns but
# its name and variant (the section's), the interval's half-width (the
# interval is there) and the other processes' CPU share (the whole table has it).
POINT_COLUMNS = (2, 3, 4, 5, 6, 8, 10)
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\sviewBox\s*=\s*["\']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)')


class Points:
    """summary.csv's rows, the flag's limit, and the sweep's rows (no
    variant) of each workload, in the file's order."""

    def __init__(self, run_dir, meta):
        self.rows = sections.summary_rows(run_dir)
        self.target = sections.precision_target(meta)
        self.of = {}
        for r in self.rows:
            if r["variant"] in ("-", ""):
                self.of.setdefault(r["workload"], []).append(r)

    def table_rows(self, rows, columns=None):
        out = []
        for r in rows:
            cells, flagged = sections.speedup_cells(r, self.target)
            out.append(row(cells if columns is None else [cells[i] for i in columns],
                           attrs=' class="flagged"' if flagged else ""))
        return "\n".join(out)


def svg_names(folder):
    """The names (without .svg) of FOLDER's SVG files, sorted; none if it
    cannot be read.  Hidden files (a drawing under way) are not shown."""
    return sorted(n[:-4] for n in names_in(folder) if n.endswith(".svg") and not n.startswith(".")
                  and os.path.exists(os.path.join(folder, n)))


def svg_size(path):
    """The size an SVG of gnuplot's is drawn for (its viewBox), or None:
    the page never shows it larger, so its text keeps gnuplot's size."""
    try:
        with open(path, "rb") as f:
            found = SVG_SIZE.search(f.read(4096))
        size = tuple(round(float(x)) for x in found.groups()) if found else None
    except (OSError, ValueError, OverflowError):
        return None
    return size if size and min(size) > 0 else None


def plot(run_dir, folder, name, alt, caption_html, css=""):
    """FOLDER/NAME.svg of the run, linked to its PNG, at its own size."""
    return figure("%s/%s.svg" % (folder, name), "%s/%s.png" % (folder, name), alt, caption_html,
                  size=svg_size(os.path.join(run_dir, folder, name + ".svg")), css=css)


# ---- the sections, in the page's order ----

def head(name, meta, css):
    cpu = meta.get("cpu_model")
    return """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gilbench: %s</title>
<style>
%s</style>
</head>
<body>
<div class="page">
<header class="masthead">
<h1>gilbench run %s</h1>
<p class="lede">When threads help and when only processes do, measured on this machine (%s,
%s usable CPUs), every workload under %s.
Tidy data beside this page: summary.csv, figures.csv, runs.csv, meta.json.</p>
""" % (escape(name), css, escape(name), escape(cpu if sections.given(cpu) else "unknown CPU"),
       escape(text_of(meta.get("cpus_usable"))), escape(sections.run_modes_phrase(meta)))


def verdict(decision, answer, meta):
    """The decision in words, then the answer, one line a workload."""
    out = []
    if decision:
        out.append('<h2>The decision</h2>\n<ul id="decision" class="answer">\n%s\n</ul>\n' % items(decision))
    if answer:
        resolution = meta["settings"].get("resolution_pct")
        out.append("""<h2>The answer</h2>
<ul id="answer" class="answer">
%s
</ul>
<p class="note">Each way's speed at the usable CPU count against the fastest way with one worker, with its 95 %% interval.
Whether the leader is faster is decided by comparing the ways' times directly (docs/statistics.md): decided,
a tie within ±%s %%, or undecided, with the runs that would decide it;
≈ joins a way to the leader when they are a tie or not yet told apart, a semicolon when they are told apart.
Each way's own speedup (over its own single worker) is in the table below.</p>
""" % (items(answer), escape(text_of(resolution if sections.given(resolution) else 5))))
    return '<section class="verdict" id="verdict">\n%s</section>\n' % "".join(out) if out else ""


def python_section(meta):
    rows = sections.python_workload_rows(meta)
    if not rows:
        return ""
    return """<section id="python">
<h2>Python workloads</h2>
<p class="note">Files under workloads/, run by scripts/pyrun under Python's own ways: threading (gil; threads on a free-threaded build), multiprocessing with fork (procs), forkserver and spawn, ThreadPoolExecutor (gil+pool), ProcessPoolExecutor (procs+pool) and subinterpreters (interp). What a Python could not run is listed under the warnings.</p>
<div class="scroll">
<table id="python-workloads"><tr><th>workload</th><th>file</th><th>what it does</th><th>default units</th><th>Python</th><th>results</th></tr>
%s
</table>
</div>
</section>
""" % "\n".join(rows)


def warnings_section(run_dir, meta):
    warnings = meta.get("warnings") or []
    failures = sections.failure_rows(os.path.join(run_dir, "failures.tsv"))
    out = ['<section id="warnings">\n<h2>Warnings and failures</h2>\n']
    if not warnings and not failures:
        out.append("<p>None.</p>\n")
    if warnings:
        out.append('<ul class="warning">\n%s\n</ul>\n' % items(warnings))
    if failures:
        out.append('<table id="failures" class="failure"><tr><th>workload</th><th>variant</th><th>mode</th>'
                   '<th>workers</th><th>why</th></tr>\n%s\n</table>\n' % "\n".join(failures))
    return "".join(out) + "</section>\n"


def plots_section(run_dir, points, decision):
    """The overview first (the whole story in one picture), then each
    workload: its plot on the left, its rows of the speedup table on the
    right, and its decision above them; then the other plots by name."""
    names = svg_names(os.path.join(run_dir, "plots"))
    out = ['<section id="plots">\n<h2>Plots</h2>\n']
    if "overview" in names:
        out.append(plot(run_dir, "plots", "overview", "overview", escape("overview"), css="overview") + "\n")
    workloads = [w for w in points.of if w in names and w != "overview"]
    for w in workloads:
        out.append('<section class="workload" id="workload-%s">\n<h3>%s</h3>\n' % (escape(w), escape(w)))
        out.extend('<p class="verdict-line">%s</p>\n' % escape(line)
                   for line in decision if line.split(" ", 1)[0] == w)
        out.append('<div class="pair">\n%s\n<div class="scroll">\n<table class="points" id="points-%s">\n%s\n%s\n'
                   '</table>\n</div>\n</div>\n</section>\n' % (
                       plot(run_dir, "plots", w, w, escape(w)), escape(w),
                       header_row(sections.SPEEDUP_HEADER[i] for i in POINT_COLUMNS),
                       points.table_rows(points.of[w], POINT_COLUMNS)))
    out.extend(plot(run_dir, "plots", n, n, escape(n), css="other") + "\n"
               for n in names if n != "overview" and n not in workloads)
    return "".join(out) + "</section>\n"


def timelines_section(run_dir):
    """make bench's three timelines in the order of their story, then any
    other; CPython's own of a workload (cpython-NAME, its traced run) beside
    the model's of the same name."""
    names = svg_names(os.path.join(run_dir, "timeline"))
    model = [n for n in names if not n.startswith("cpython-")]
    ordered = [n for n in TIMELINE_ORDER if n in model] + [n for n in model if n not in TIMELINE_ORDER]
    ordered += [n for n in names if n.startswith("cpython-") and n[len("cpython-"):] not in model]
    if not ordered:
        return ""

    def one(n):
        if n.startswith("cpython-"):
            caption = sections.cpython_timeline_caption(n[len("cpython-"):])
        else:
            caption = "%s: %s" % (n, sections.timeline_caption(n, run_dir))
        return plot(run_dir, "timeline", n, "timeline of " + n, "%s Trace: %s." % (
            escape(caption), link("timeline/%s.tsv" % n)), css="other")

    parts = []
    for n in ordered:
        if "cpython-" + n in names:
            parts.append('<div class="beside">\n%s\n%s\n</div>\n' % (one(n), one("cpython-" + n)))
        else:
            parts.append(one(n) + "\n")
    return """<section id="timelines">
<h2>The GIL at work</h2>
<p class="note">Traced gil-mode runs (<code>gilbench run --trace</code>), separate from the timed runs: red, a
worker holds the GIL; orange, it waits for it; blue, it has released it for I/O or C work;
triangles, drop requests. Where a workload ran in CPython too, CPython's own GIL in its traced run
(<code>gilbench gil-trace</code>) is beside the model's.</p>
%s</section>
""" % "".join(parts)


def gil_section(run_dir):
    """CPython's GIL in each traced point (gil.csv), and what the tracing cost."""
    rows, costs = sections.gil_table(run_dir)
    if not rows:
        return ""
    cost = ""
    if costs:
        ordered = sorted(costs)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        cost = (" The tracer's cost, the traced run's time over the point's untraced median minus 1, was %+.0f %% "
                "at the median of %d points (%+.0f %% to %+.0f %%): one run against the median of several, so it "
                "carries that run's own noise." % (median * 100, len(costs), ordered[0] * 100, ordered[-1] * 100))
    return """<section id="gil">
<h2>CPython's GIL, traced</h2>
<p class="note">One extra run of each point that ran in CPython on a build whose locks can be traced, beside
the timed runs (never one of them): <code>gilbench gil-trace</code> puts the kernel's uprobes on the
interpreter's take_gil, drop_gil and _Py_HandlePending (free-threaded: the parking lot and
stop-the-world). Held, waited: each worker thread's time holding or waiting for the GIL over its
life (first GIL event to last), summed over the workers; parked: free-threaded workers' time parked on
a contended lock. Data: gil.csv, gil/ (docs/results.md).%s</p>
<div class="scroll">
<table id="gil-traces">
%s
%s
</table>
</div>
</section>
""" % (escape(cost), header_row(sections.GIL_HEADER), "\n".join(rows))


def calibration_section(run_dir, meta):
    calibration = sections.calibration_rows(run_dir)
    if not calibration:
        return ""
    out = ["""<section id="model">
<h2>The model beside CPython</h2>
<p class="note">make calibrate: each point measured as the C model and as its Python version in each CPython
(gil: threading; procs: multiprocessing with fork, on a build with the GIL; threads: threading on a
free-threaded build). Ratios are model / CPython; highlighted rows differ in speedup by more than
15 % (docs/gil-model.md, "Calibration", says why). The interpreters:</p>
<ul>
""" + "\n".join(sections.interpreter_items(meta)) + """
</ul>
<div class="scroll">
<table id="calibration">
<tr><th>workload</th><th>mode</th><th>workers</th><th>interpreter</th><th>model median (s)</th><th>CPython median (s)</th><th>time ratio</th><th>model speedup</th><th>CPython speedup</th><th>speedup ratio</th></tr>
""" + "\n".join(calibration) + "\n</table>\n</div>\n"]
    single_thread = sections.single_thread_rows(run_dir)
    if single_thread:
        out.append("""<p class="note">What free threading costs one thread: each workload's one-worker median time on the
free-threaded build against the same version with its GIL.</p>
<table id="single-thread">
<tr><th>workload</th><th>GIL build</th><th>free-threaded build</th><th>GIL build median (s)</th><th>free-threaded median (s)</th><th>free-threaded / GIL</th></tr>
""" + "\n".join(single_thread) + "\n</table>\n")
    out.append(sections.mechanism_table(run_dir))
    return "".join(out) + "</section>\n"


def speedups_section(points):
    return """<section id="speedup-table">
<h2>Speedups</h2>
<p class="note">speedup: T(1 worker) / T(N workers) of the same mode, the median over all pairs of runs, with its
95 % interval (docs/statistics.md); ±: the interval's half-width; against the fastest: over the
fastest 1-worker time of any mode; other CPU: what other processes took of the CPUs while the point
ran. Flagged rows: wider than ±""" + escape(text_of(points.target)) + """ % (wide), or disturbed. Times in seconds.</p>
<div class="scroll">
<table id="speedups">
""" + header_row(sections.SPEEDUP_HEADER) + "\n" + points.table_rows(points.rows) + """
</table>
</div>
</section>
"""


def facts_section(meta):
    """The machine and the settings, side by side."""
    return """<div class="facts">
<section>
<h2>Machine</h2>
<table id="machine">
""" + "\n".join(sections.fact_rows(sections.machine_rows(meta))) + """
</table>
</section>
<section>
<h2>Settings</h2>
<table id="settings">
""" + "\n".join(sections.fact_rows(sections.settings_rows(meta), empty_is_blank=True)) + """
</table>
</section>
</div>
"""


def page(run_dir, meta, css):
    """index.html's text, CSS its stylesheet."""
    name = os.path.basename(run_dir.rstrip("/")) or run_dir
    decision = sections.text_lines(os.path.join(run_dir, "decision.txt"))
    answer = sections.text_lines(os.path.join(run_dir, "answer.txt"))
    points = Points(run_dir, meta)
    body = [verdict(decision, answer, meta), python_section(meta), warnings_section(run_dir, meta),
            plots_section(run_dir, points, decision), timelines_section(run_dir), gil_section(run_dir),
            calibration_section(run_dir, meta), speedups_section(points), facts_section(meta)]
    # The contents: a link to each section the page has.
    shown = [(anchor, title) for anchor, title in CONTENTS if any('id="%s"' % anchor in part for part in body)]
    toc = '<nav class="toc">%s</nav>\n</header>\n<main>\n' % " ".join(
        '<a href="#%s">%s</a>' % (anchor, escape(title)) for anchor, title in shown)
    return (head(name, meta, css) + toc + "".join(body) + "</main>\n"
            "<footer>gilbench: a static page (no script, nothing from the network); "
            "every figure on it is in the files beside it.</footer>\n</div>\n</body>\n</html>\n")


def main(argv):
    run_dir, meta = run_folder_argument("report", argv)
    try:
        with open(STYLESHEET, encoding="utf-8") as f:
            css = f.read()
    except OSError as error:
        die("cannot read %s: %s" % (STYLESHEET, error.strerror))
    path = os.path.join(run_dir, "index.html")
    if not write_atomically(path, page(run_dir, meta, css)):
        die("cannot write %s" % path)
    print("gilbench: report in %s" % path)
    return 0
