"""bench - the sweep behind make bench, bench-all and calibrate: every
workload x mode x worker count (and the studies' points), each point timed
by hyperfine, into a new results folder.  Settings come from the
environment (sweep.settings); this module only puts the steps in order:
the settings, the plan (sweep.plan, sweep.python_points), the run folder
(sweep.run_folder), the rounds (sweep.rounds), then the tidy data,
summary, plots and report (the scripts each step calls).

Exit status: 0 all points measured; 1 some point failed or the run itself
could not be written; 2 a bad setting; 128+N interrupted by signal N (the
partial folder is kept, marked incomplete).
"""
import os
import signal
import subprocess
import sys
import time

from sweep import bench_output, bench_steps, hosts, interpreters, plan as plans, run_folder, settings
from sweep.messages import die, note, usage
from sweep.processes import stop_group, stop_tagged
from sweep.rounds import Rounds, steady_series_points


# ---- the scripts the sweep calls (one function each) ----
# The package's other commands, each run as a process of its own (as
# `python3 scripts/sweep COMMAND` runs them).
SWEEP = [sys.executable, "scripts/sweep"]


def call_tidy(run_dir, warmup):
    return subprocess.run(SWEEP + ["tidy", run_dir, str(warmup)]).returncode == 0


def call_meta(path, *arguments):
    return subprocess.run(SWEEP + ["machine", path] + [str(a) for a in arguments]).returncode == 0


def plots_env():
    return dict(os.environ, PLOTS_DIR=os.environ.get("PLOTS_DIR") or "plots")


def call_plot(run_dir):
    return subprocess.run(SWEEP + ["plots", run_dir], env=plots_env()).returncode == 0


def call_calibration(run_dir):
    return subprocess.run(SWEEP + ["calibration", run_dir]).returncode == 0


def call_timeline(run_dir):
    return subprocess.run(SWEEP + ["timeline", run_dir], env=plots_env()).returncode == 0


def call_harness_cost(run_dir, warmup, sweep_started, rounds_started, rounds_ended):
    done = subprocess.run(SWEEP + ["harness_cost", run_dir, str(warmup), "%.9f" % sweep_started,
                           "%.9f" % rounds_started, "%.9f" % rounds_ended], stdout=subprocess.PIPE)
    return done.stdout.decode("utf-8", "surrogateescape").rstrip("\n") if done.returncode == 0 else None


def call_report(run_dir):
    return subprocess.run(SWEEP + ["report", run_dir], stdout=subprocess.DEVNULL).returncode == 0


def call_plan_estimate(plan_path, units_path, cpus, runs, warmup, max_runs, reference):
    return subprocess.run(SWEEP + ["estimate", plan_path, units_path, str(cpus), str(runs), str(warmup),
                           str(max_runs), reference]).returncode


class Sweep:
    """One sweep's state: what the steps share."""

    def __init__(self, env):
        self.env = env
        self.live = None
        self.interpreters, self.kind_of, self.python_of, self.python_for = [], {}, {}, {}
        self.left, self.left_out, self.python_notes, self.notes_after_checks = set(), [], [], []
        self.unavailable = set()
        self.hostfile = ""
        self.rounds = None

    def append(self, name, text):
        """A line to a file of the run folder."""
        try:
            with open(os.path.join(self.run_dir, name), "a", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        except OSError:
            run_folder.unwritable(self.run_dir, self.results_dir, os.path.join(self.run_dir, name))

    def is_python(self, workload):
        return workload in self.python_workloads

    def engine_of(self, point):
        """What runs a point that is not an MPI one (the C engine, or pyrun on
        its interpreter) and the units per task to ask for."""
        workload, variant, way, _ = point
        engine, chunksize, source, kind = [self.gilbench], str(self.chunksize), plans.variant_source(variant), "gil"
        if self.is_python(workload):
            chunksize = self.env.get("CHUNKSIZE") and str(self.chunksize) or ""
            if (way[:-5] if way.endswith("+pool") else way) == "threads":
                kind = "free"
            source = self.python_for.get((workload, kind), "")
        if source and source in self.kind_of:
            engine = interpreters.kind_prefix(self.kind_of[source]) + [self.python_of[source], "scripts/pyrun"]
        return engine, chunksize

    def command_of(self, point):
        """A point's command line (its call's own options come after)."""
        workload, variant, mode, n = point
        engine, chunksize = self.engine_of(point)
        if mode == "mpi":
            engine = ["mpirun", "-n", n] + hosts.mpirun_options(self.hostfile) + [self.gilbench_mpi]
        command = engine + ["run", "--workload", workload] + plans.way_options(mode, variant, chunksize) + [
            "--workers", n] + plans.point_options(self.params, workload, variant, self.s.interval)
        if self.is_python(workload):
            command += ["--accepted", self.live.file("accepted.%s.tsv" % workload)]
        return command

    def on_signal(self, signum, _frame):
        """Stops the point, keeps the partial folder marked incomplete."""
        for each in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(each, signal.SIG_IGN)
        if self.rounds is not None:
            stop_group(self.rounds.process)
            stop_tagged(self.rounds.tag)
        name = signal.Signals(signum).name
        self.meta.mark_interrupted(name)
        print(file=sys.stderr)
        note("interrupted by %s: the partial results in %s are kept and marked incomplete; %s/latest is unchanged"
             % (name, self.run_dir, self.results_dir))
        raise SystemExit(128 + signum)


def main(argv):
    if argv:
        usage("python3 scripts/sweep bench takes no arguments: its settings come from the environment (make bench)")
    sweep_started = time.time()
    env = dict(os.environ)
    command = settings.recorded_command(env)
    os.environ["GILBENCH_COMMAND"] = command
    sw = Sweep(env)
    try:
        return run(sw, env, sweep_started)
    finally:
        if sw.live is not None:
            sw.live.close()


def run(sw, env, sweep_started):
    sw.gilbench = env.get("GILBENCH") or "build/gilbench"
    sw.results_dir = env.get("RESULTS_DIR") or "results"
    if not (os.path.isfile(sw.gilbench) and os.access(sw.gilbench, os.X_OK)):
        die("no engine at %s; run make first" % sw.gilbench)
    s = sw.s = settings.read_first(env)
    bench_steps.choose_workloads(sw, env)
    settings.read_numbers(s, env)
    sw.live = run_folder.Live()
    bench_steps.make_plan(sw, env)
    if s.dry_run == "1":
        return bench_steps.dry_run(sw, env)
    kept = set(steady_series_points(s.rerun_of, s.precision)) if s.rerun_of else set()
    sw.run_dir = run_folder.make_run_folder(sw.results_dir)
    bench_output.start_run_folder(sw, env)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, sw.on_signal)
    started = int(time.time())
    rounds_started = time.time()
    rounds = sw.rounds = Rounds(sw, sw.plan, kept)
    bench_output.copy_kept(sw, kept)
    rounds.run()
    rounds_ended = time.time()
    return bench_output.finish(sw, started, sweep_started, rounds_started, rounds_ended)
