"""report - a run folder's index.html (make report RUN=..., and the end of
make bench): the decision and the answer first (decision.txt, answer.txt),
the Python workloads, the warnings and failures, every plot of plots/ (SVG,
linked to the PNG), the GIL timelines, make calibrate's tables, the speedup
table of summary.csv, then the machine and the settings from meta.json.
Static, no script, no network: open it from the folder.
Usage: python3 scripts/sweep report RUN_DIR
"""
import os

from sweep import report_sections as sections
from sweep.messages import die, usage
from sweep.meta import check_results_folder, text_of, write_atomically
from sweep.report_html import escape, figure, items, link, row

TIMELINE_ORDER = ("cpu_loop", "io_wait", "convoy")


def svg_names(folder):
    """The names (without .svg) of FOLDER's SVG files, sorted; none if it
    cannot be read.  Hidden files (a drawing under way) are not shown."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n[:-4] for n in names if n.endswith(".svg") and not n.startswith(".")
                  and os.path.exists(os.path.join(folder, n)))


def plot_figures(run_dir):
    """Every plot: the overview first (the whole story in one picture), then the rest by name."""
    names = svg_names(os.path.join(run_dir, "plots"))
    ordered = (["overview"] if "overview" in names else []) + [n for n in names if n != "overview"]
    return [figure("plots/%s.svg" % n, "plots/%s.png" % n, n, escape(n)) for n in ordered]


def timeline_figures(run_dir):
    """make bench's three timelines in the order of their story, then any other."""
    names = svg_names(os.path.join(run_dir, "timeline"))
    ordered = [n for n in TIMELINE_ORDER if n in names] + [n for n in names if n not in TIMELINE_ORDER]
    return [figure("timeline/%s.svg" % n, "timeline/%s.png" % n, "timeline of " + n,
                   "%s Trace: %s." % (escape("%s: %s" % (n, sections.timeline_caption(n, run_dir))),
                                      link("timeline/%s.tsv" % n)))
            for n in ordered]


def page(run_dir, meta):
    """index.html's text."""
    name = os.path.basename(run_dir.rstrip("/")) or run_dir
    decision = items(sections.text_lines(os.path.join(run_dir, "decision.txt")))
    answer = items(sections.text_lines(os.path.join(run_dir, "answer.txt")))
    python_workloads = "\n".join(sections.python_workload_rows(meta))
    warnings = items(meta.get("warnings") or [])
    failures = "\n".join(sections.failure_rows(os.path.join(run_dir, "failures.tsv")))
    target = sections.precision_target(meta)
    speedups = []
    for r in sections.summary_rows(run_dir):
        cells, flagged = sections.speedup_cells(r, target)
        speedups.append(row(cells, attrs=' class="flagged"' if flagged else ""))
    timelines = timeline_figures(run_dir)
    calibration = "\n".join(sections.calibration_rows(run_dir))
    single_thread = "\n".join(sections.single_thread_rows(run_dir))
    resolution = meta["settings"].get("resolution_pct")
    cpu = meta.get("cpu_model")
    out = ["""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>gilbench: %s</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1500px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
#speedups td { text-align: right; } #speedups td:nth-child(-n+3) { text-align: left; }
figure { margin: 1.5em 0; } figure img { max-width: 100%%; border: 1px solid #eee; }
.warning { color: #8a4b00; } .failure { color: #b00020; } tr.differs, tr.flagged { background: #fff3e0; }
.answer { font-size: 18px; line-height: 1.6; }
</style>
</head>
<body>
<h1>gilbench run %s</h1>
<p>When threads help and when only processes do, measured on this machine (%s,
%s usable CPUs), every workload under %s.
Tidy data beside this page: summary.csv, figures.csv, runs.csv, meta.json.</p>
""" % (escape(name), escape(name), escape(cpu if sections.given(cpu) else "unknown CPU"),
       escape(text_of(meta.get("cpus_usable"))), escape(sections.run_modes_phrase(meta)))]
    if decision:
        out.append('<h2>The decision</h2>\n<ul id="decision" class="answer">\n%s\n</ul>\n' % decision)
    if answer:
        out.append("""<h2>The answer</h2>
<p>Each way's speed at the usable CPU count against the fastest way with one worker, with its 95 % interval.
Whether the leader is faster is decided by comparing the ways' times directly (docs/statistics.md): decided,
a tie within ±""" + escape(text_of(resolution if sections.given(resolution) else 5)) + """ %, or undecided, with the runs that would decide it;
≈ joins a way to the leader when they are a tie or not yet told apart, ; when they are told apart.
Each way's own speedup (over its own single worker) is in the table below.</p>
<ul id="answer" class="answer">
""" + answer + "\n</ul>\n")
    if python_workloads:
        out.append("""<h2>Python workloads</h2>
<p>Files under workloads/, run by scripts/pyrun under Python's own ways: threading (gil; threads on a free-threaded build), multiprocessing with fork (procs), forkserver and spawn, ThreadPoolExecutor (gil+pool), ProcessPoolExecutor (procs+pool) and subinterpreters (interp). What a Python could not run is listed under the warnings.</p>
<table id="python-workloads"><tr><th>workload</th><th>file</th><th>what it does</th><th>default units</th><th>Python</th><th>results</th></tr>
""" + python_workloads + "\n</table>\n")
    out.append("<h2>Warnings and failures</h2>\n")
    if not warnings and not failures:
        out.append("<p>None.</p>\n")
    if warnings:
        out.append('<ul class="warning">\n%s\n</ul>\n' % warnings)
    if failures:
        out.append('<table id="failures" class="failure"><tr><th>workload</th><th>variant</th><th>mode</th>'
                   '<th>workers</th><th>why</th></tr>\n%s\n</table>\n' % failures)
    out.append("<h2>Plots</h2>\n%s\n" % "".join(f + "\n" for f in plot_figures(run_dir)))
    if timelines:
        out.append("""<h2>The GIL at work</h2>
<p>Traced gil-mode runs (<code>gilbench run --trace</code>), separate from the timed runs: red, a
worker holds the GIL; orange, it waits for it; blue, it has released it for I/O or C work;
triangles, drop requests.</p>
%s
""" % "".join(f + "\n" for f in timelines))
    if calibration:
        out.append("""<h2>The model beside CPython</h2>
<p>make calibrate: each point measured as the C model and as its Python version in each CPython
(gil: threading; procs: multiprocessing with fork, on a build with the GIL; threads: threading on a
free-threaded build). Ratios are model / CPython; highlighted rows differ in speedup by more than
15 % (docs/gil-model.md, "Calibration", says why). The interpreters:</p>
<ul>
""" + "\n".join(sections.interpreter_items(meta)) + """
</ul>
<table id="calibration">
<tr><th>workload</th><th>mode</th><th>workers</th><th>interpreter</th><th>model median (s)</th><th>CPython median (s)</th><th>time ratio</th><th>model speedup</th><th>CPython speedup</th><th>speedup ratio</th></tr>
""" + calibration + "\n</table>\n")
        if single_thread:
            out.append("""<p>What free threading costs one thread: each workload's one-worker median time on the
free-threaded build against the same version with its GIL.</p>
<table id="single-thread">
<tr><th>workload</th><th>GIL build</th><th>free-threaded build</th><th>GIL build median (s)</th><th>free-threaded median (s)</th><th>free-threaded / GIL</th></tr>
""" + single_thread + "\n</table>\n")
    out.append("""<h2>Speedups</h2>
<p>speedup: T(1 worker) / T(N workers) of the same mode, the median over all pairs of runs, with its
95 % interval (docs/statistics.md); ±: the interval's half-width; against the fastest: over the
fastest 1-worker time of any mode; other CPU: what other processes took of the CPUs while the point
ran. Flagged rows: wider than ±""" + escape(text_of(target)) + """ % (wide), or disturbed. Times in seconds.</p>
<table id="speedups">
<tr><th>workload</th><th>variant</th><th>mode</th><th>workers</th><th>median (s)</th><th>speedup</th><th>95 % interval</th><th>±</th><th>against the fastest</th><th>other CPU</th><th>notes</th></tr>
""" + "\n".join(speedups) + """
</table>
<h2>Machine</h2>
<table id="machine">
""" + "\n".join(sections.fact_rows(sections.machine_rows(meta))) + """
</table>
<h2>Settings</h2>
<table id="settings">
""" + "\n".join(sections.fact_rows(sections.settings_rows(meta), empty_is_blank=True)) + """
</table>
</body>
</html>
""")
    return "".join(out)


def main(argv):
    if len(argv) != 1:
        usage("report takes one results folder: python3 scripts/sweep report RUN_DIR")
    run_dir = argv[0][:-1] if argv[0].endswith("/") else argv[0]
    meta = check_results_folder("RUN", run_dir)
    path = os.path.join(run_dir, "index.html")
    if not write_atomically(path, page(run_dir, meta)):
        die("cannot write %s" % path)
    print("gilbench: report in %s" % path)
    return 0
