"""bench_output - what the sweep writes around its rounds: the run folder's
first files (plan.tsv, schedule.tsv's header, meta.json with the settings,
MPI hosts, interpreters and Python workloads), the banner, the points a
RERUN keeps, and at the end the tidy data, summary, answer, plots,
calibration table, timelines, warnings, the harness line, the report,
results/latest and the closing lines.
"""
import glob
import os
import shutil
import subprocess
import sys
import time

from sweep import gil_traces, hosts, interpreters, python_points
from sweep.messages import clock, die, note
from sweep.meta import lines_of, parse_json, write_atomically
from sweep.plan import plan_text, point_id, point_label
from sweep.run_folder import Meta, point_latest
from sweep.rounds import disturbed_points, wide_points


def start_run_folder(sw, env):
    """The run folder's first files and meta.json; the banner."""
    from sweep import bench
    s, run_dir = sw.s, sw.run_dir
    try:
        for name, text in (("failures.tsv", ""), ("noise.tsv", ""),
                           ("schedule.tsv", "round\tposition\tworkload\tvariant\tmode\tworkers\tstarted_utc\tseconds"
                                            "\tstatus\n")):
            with open(os.path.join(run_dir, name), "w", encoding="utf-8") as f:
                f.write(text)
    except OSError:
        die("cannot write in %s" % run_dir)
    if not write_atomically(os.path.join(run_dir, "plan.tsv"), plan_text(sw.plan)):
        die("cannot write %s/plan.tsv" % run_dir)
    os.environ["GILBENCH"] = sw.gilbench
    meta = sw.meta = Meta(os.path.join(run_dir, "meta.json"))
    if not bench.call_meta(meta.path, ",".join(sw.workloads + sw.python_workloads), ",".join(sw.modes),
                           ",".join(map(str, s.workers)), s.runs, s.warmup, s.interval, "1" if s.quick else "0",
                           " ".join(sw.params), s.rerun_of, ",".join(s.studies)):
        die("cannot write %s" % meta.path)
    meta.load()
    meta.value.setdefault("settings", {}).update(
        max_runs=s.max_runs, precision_pct=s.precision, resolution_pct=s.resolution, confidence=0.95,
        budget_s=sw.budget, seed=s.seed, dispatch=sw.dispatch, chunksize=sw.chunksize,
        default_sweep=not s.studies or s.bench_all, gil_trace=gil_traces.enabled(env))
    if "mpi" in sw.modes:
        try:
            version = subprocess.run(["mpirun", "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL).stdout.decode("utf-8", "replace").split("\n")[0]
        except OSError:
            version = ""
        given = sw.hostfile_given
        meta.value["mpi"] = {
            "version": version, "hostfile": given or None,
            "hostfile_lines": ([line.rstrip() for line in hosts.hostfile_lines(sw.hostfile)] if given else None),
            "hosts_left_out": list(sw.hosts_left_out), "mpirun_options": " ".join(hosts.mpirun_options(sw.hostfile)),
            "environment": {k: v for k, v in os.environ.items() if k.startswith("OMPI_MCA_")}}
    warnings = list(meta.value.get("warnings") or [])
    if sw.interpreters:
        meta.value["python"] = interpreters.python_versions(sw.interpreters)
        warnings += sw.python_notes
    if sw.python_workloads:
        meta.value["python_workloads"] = python_points.meta_entries(sw)
        for workload in sw.python_workloads:
            if any(f[0] == workload and len(f) > 3 and f[3] == "unchecked" for f in sw.listing):
                warnings.append("%s (workloads/%s.py) has no check(): its results are unchecked" % (workload, workload))
    warnings += ["left out: " + line for line in sw.left_out]
    meta.value["warnings"] = warnings
    meta.write()
    sw.answer_options = python_points.answer_options(sw)
    banner(sw)


def banner(sw):
    s = sw.s
    if not s.studies:
        python_part = ""
        if sw.python_workloads:
            ways = list(dict.fromkeys(p[2] for p in sw.plan if p[0] in sw.python_workloads))
            python_part = "; Python: %s x %s" % (" ".join(sw.python_workloads), " ".join(ways))
        c_part = "%s x %s x " % (" ".join(sw.workloads), " ".join(sw.ways)) if sw.workloads else ""
        pool = ("; a pool's task is %d unit%s" % (sw.chunksize, "" if sw.chunksize == 1 else "s")
                if "pool" in sw.dispatch else "")
        print("gilbench: %d points (%sworkers %s%s)%s" % (sw.total, c_part, " ".join(map(str, s.workers)),
                                                          python_part, pool))
    else:
        print("gilbench: %d points (%sstudies %s)" % (sw.total, "the default sweep and " if s.bench_all else "",
                                                      " ".join(s.studies)))
    print("gilbench: in rounds that take every point once, in an order shuffled per round (seed %d):" % s.seed)
    print("gilbench:   %d runs a point at least, then first the points each answer still needs (until it is" % s.runs)
    print("gilbench:   decided or a tie within ±%d %%), then those whose speedup is not yet known to ±%d %%"
          % (s.resolution, s.precision))
    print("gilbench:   (95 %% interval), at most %d runs, no new round for the latter after %d s;"
          % (s.max_runs, sw.budget))
    print("gilbench:   %d warm-up run%s first" % (s.warmup, "" if s.warmup == 1 else "s"))
    if s.rerun_of:
        print("gilbench: re-measuring the series of %s with a failed or wide point; the others are kept" % s.rerun_of)
    print("gilbench: results in %s" % sw.run_dir, flush=True)


def copy_kept(sw, kept):
    """RERUN: the points of steady series are copied as they were."""
    if not kept:
        return
    rerun_of, run_dir = sw.s.rerun_of, sw.run_dir
    noise = lines_of(os.path.join(rerun_of, "noise.tsv"))
    for point in sw.plan:
        pid = point_id(point)
        if pid not in kept:
            continue
        parts = [os.path.join(rerun_of, "raw", pid + ".jsonl"), os.path.join(rerun_of, "logs", pid + ".log")]
        parts += sorted(glob.glob(os.path.join(glob.escape(rerun_of), "hyperfine", glob.escape(pid) + ".*.json")))
        for part in parts:
            if os.path.exists(part):
                try:
                    shutil.copy(part, os.path.join(run_dir, os.path.relpath(part, rerun_of)))
                except OSError:
                    die("cannot copy %s" % part)
        sw.append("noise.tsv", "".join(line + "\n" for line in noise if line.split("\t")[0] == pid))
    print("gilbench: %d points kept from %s" % (len(kept), os.path.basename(rerun_of)), flush=True)


def summarize(sw, *options, stdout=None):
    run_dir, s = sw.run_dir, sw.s
    return subprocess.run([sw.gilbench, "summarize", "--runs", os.path.join(run_dir, "runs.tsv"), "--processes",
                           os.path.join(run_dir, "processes.tsv"), "--cpus", str(s.cpus)] + list(options),
                          stdin=subprocess.DEVNULL, stdout=stdout)


def finish(sw, started, sweep_started, rounds_started, rounds_ended):
    """After the rounds: tidy data, summary, plots, warnings, report, latest."""
    from sweep import bench
    s, run_dir, meta, rounds = sw.s, sw.run_dir, sw.meta, sw.rounds
    share = None
    if rounds.ticks_total > 0:
        share = parse_json("%.3f" % (max(rounds.other_total, 0) / rounds.ticks_total))
    meta.value.update(rounds=rounds.round, other_cpu_share=share)
    meta.write()
    load_warning = ""
    if share is not None and share > 0.10:
        load_warning = ("other processes used %.0f %% of the CPUs' time while the points ran: timings may be disturbed "
                        "(see each point's other_cpu_share)" % (share * 100))
        meta.add_warning(load_warning)
    tracer = gil_traces.Tracer(sw)
    if gil_traces.enabled(sw.env):
        tracer.run_all()
    if not bench.call_tidy(run_dir, s.warmup):
        die("cannot write the tidy data of %s" % run_dir)
    traced = tracer.write_csv()
    gil_options = ["--gil-traces", os.path.join(run_dir, "gil.csv")] if traced else []
    trace_line = tracer.summary_line(traced) if traced else ""
    if tracer.notes:
        meta.load()
        for message in tracer.notes:
            meta.add_warning(message)
    summary = os.path.join(run_dir, "summary.csv")
    runs = os.path.join(run_dir, "runs.tsv")
    has_summary = lambda: os.path.isfile(summary) and os.path.getsize(summary) > 0  # noqa: E731
    if os.path.isfile(runs) and os.path.getsize(runs) > 0:
        print(flush=True)
        if summarize(sw, "--csv", summary, "--precision", str(s.precision), "--table",
                     *gil_options).returncode != 0:
            die("cannot summarise %s" % run_dir)
        for form in ("answer", "decision"):
            done = summarize(sw, "--" + form, "--resolution", str(s.resolution), "--looks", str(s.looks),
                             *(sw.answer_options + gil_options), stdout=subprocess.PIPE)
            if done.returncode != 0 or not write_atomically(os.path.join(run_dir, form + ".txt"), done.stdout):
                die("cannot write %s/%s.txt" % (run_dir, form))
        if not bench.call_plot(run_dir):
            die("cannot draw the plots of %s" % run_dir)
    else:
        note("no point succeeded; no summary and no plots, and %s/latest is unchanged" % sw.results_dir)
    if "calibrate" in s.studies and has_summary():
        print(flush=True)
        if not bench.call_calibration(run_dir):
            meta.load()
            meta.add_warning("no calibration table (python3 scripts/sweep calibration %s)" % run_dir)
        print(flush=True)  # the GIL's mechanism, model beside CPython: traced runs after the timed ones
        if subprocess.run(bench.SWEEP + ["mechanism", run_dir]).returncode != 0:
            meta.load()
            meta.add_warning("no mechanism table (python3 scripts/sweep mechanism %s)" % run_dir)
    if "gil" in sw.modes and sw.workloads and has_summary():
        print(flush=True)
        if not bench.call_timeline(run_dir):
            meta.load()
            meta.add_warning("the GIL timelines could not be drawn (python3 scripts/sweep timeline %s)" % run_dir)
    if traced and has_summary():
        for message in gil_traces.draw_timelines(run_dir, traced, bench.SWEEP):
            note(message)
            meta.load()
            meta.add_warning(message)
    meta.load()  # the scripts above may have written to it
    wide = wide_points(run_dir, s.precision)
    wide_message = ""
    if wide:
        wide_message = "%d point%s known to less than ±%d %% at 95 %% (their interval's half-width): %s" % (
            len(wide), " is" if len(wide) == 1 else "s are", s.precision, " ".join(wide))
        meta.value["warnings"] = list(meta.value.get("warnings") or []) + [wide_message]
        meta.value["wide_points"] = [{"id": w.split(" (±")[0], "precision_pct": parse_json(w.split(" (±")[1][:-3])}
                                     for w in wide]
        meta.write()
    disturbed = disturbed_points(run_dir)
    disturbed_message = ""
    if disturbed:
        disturbed_message = ("other processes or the hypervisor took more than 10 %% of the CPUs during: %s"
                             % " ".join(disturbed))
        meta.add_warning(disturbed_message)
    harness_line = bench.call_harness_cost(run_dir, s.warmup, sweep_started, rounds_started, rounds_ended)
    if harness_line is None:
        die("cannot account for the time of %s" % run_dir)
    meta.load()
    meta.finish(started, rounds.failures)
    if has_summary() and not bench.call_report(run_dir):
        die("cannot write the report of %s" % run_dir)
    also_latest = ""
    if has_summary():
        point_latest(sw.results_dir, run_dir)
        also_latest = " (also %s/latest)" % sw.results_dir
    elapsed = int(time.time()) - started
    print()
    print("gilbench: done in %s (%d rounds); results in %s%s, plots in %s/" % (
        clock(elapsed), rounds.round, run_dir, also_latest, os.environ.get("PLOTS_DIR") or "plots"))
    index = os.path.join(run_dir, "index.html")
    if os.path.isfile(index) and os.path.getsize(index) > 0:
        print("gilbench: open %s/latest/index.html for the report" % sw.results_dir)
    print(harness_line, flush=True)
    if trace_line:
        print(trace_line, flush=True)
    if load_warning:
        note("warning: " + load_warning)
    if wide:
        note("warning: " + wide_message)
        note("re-measure their series with: make bench RERUN=" + run_dir)
    if disturbed:
        note("warning: " + disturbed_message)
    answer = os.path.join(run_dir, "answer.txt")
    if os.path.isfile(answer) and os.path.getsize(answer) > 0:
        print()
        print("The answer, from this run (at the usable CPU count, each way's speed against the fastest one-worker")
        print("way, 95 %% interval; decided, a tie within ±%d %% or undecided: the ways' times compared directly;"
              % s.resolution)
        print("≈: a tie or not yet told apart from the leader; docs/statistics.md):")
        for line in lines_of(answer):
            print("  " + line)
        sys.stdout.flush()
    if sw.left_out:
        count = len(sw.left_out)
        note("%d of the workloads asked for %s left out (why: above, and in meta.json's warnings): %s"
             % (count, "was" if count == 1 else "were", " ".join(sorted(sw.left))))
    if rounds.failures:
        note("%d of %d points FAILED (no summary row or plot point comes from them; runs they made before are kept in "
             "runs.csv, marked point_failed):" % (rounds.failures, sw.total))
        for line in lines_of(os.path.join(run_dir, "failures.tsv")):
            fields = (line.split("\t", 4) + [""] * 5)[:5]
            sys.stderr.write("  %s %s %s workers: %s\n" % (point_label(fields[0], fields[1]), fields[2], fields[3],
                                                          fields[4]))
    return 1 if rounds.failures or sw.left_out else 0
