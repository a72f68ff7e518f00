"""settings - the sweep's settings (make bench's variables), read from the
environment and all checked before anything runs: a bad one is one line
naming it and what is accepted, exit status 2.  The Makefile passes the
variables it was given; a variable that is set but empty is an error, not
the default.

  WORKLOADS            names, comma- or space-separated (default: all)
  MODES                gil, threads, procs (default: all three), mpi, interp
  WORKERS              worker counts (default: powers of two from 1 to
                       max(8, 2 x usable CPUs), plus the usable CPU count)
  RUNS                 measured runs every point gets at least: one per round
                       (default 5; QUICK: 4, the fewest that give a 95 % interval)
  MAX_RUNS             runs a point may get at most (default 20; QUICK: 8;
                       RUNS given alone: RUNS, a fixed number of runs)
  PRECISION            % half-width of a speedup's 95 % interval that ends a
                       point's rounds (default 3)
  RESOLUTION           % within which two ways' times are a tie for the answer
                       (default 5): the answer's points get rounds, before
                       other wide points and past BUDGET, until each of its
                       comparisons is decided or a tie at this resolution
  BUDGET               seconds of measuring after which no round beyond RUNS
                       starts (default 2 s per point; QUICK: 0.7 s per point)
  SEED                 the seed of the rounds' shuffled order (default: a new one)
  WARMUP               unmeasured runs of a point before its first (default 1; QUICK: 0)
  SWITCH_INTERVAL_US   the gil mode's switch interval (default 5000)
  DISPATCH             shares, pool or both (default shares): each worker one
                       share of the units, or the units as tasks of CHUNKSIZE
                       units through a persistent pool (modes gil+pool, ...)
  CHUNKSIZE            units per pool task (default 1)
  PARAMS               workload settings, WORKLOAD.NAME=VALUE, e.g. blas_dgemm.n=512
                       (NAME units sets the workload's --units)
  TIMEOUT              seconds one run may take (default: 120 s until a workload's
                       first point has run, then max(30 s, 20 x its slowest run))
  QUICK=1              a first look: 4 runs, no warm-up, workers 1, CPUs, 2 x CPUs,
                       half of each workload's default units
  STUDIES              run these studies (scripts/studies/NAME.plan, or "all")
                       instead of the default sweep
  BENCH_ALL=1          the default sweep and every study (make bench-all)
  RERUN=DIR            re-measure the series (workload, variant, mode) of DIR
                       with a failed point or one wider than its PRECISION,
                       whole, with DIR's settings, into a new folder
  TIMELINE_WORKERS, TIMELINE_MS   the traced gil-mode runs drawn at the end
                       when MODES has gil (sweep timeline; default 3, 200)
  HOSTFILE             the mpi mode's machines: passed to mpirun --hostfile
  MPI_HOSTS_DOWN       refuse (default) or leave: a host of HOSTFILE that does
                       not answer ssh before the first point ends the sweep,
                       or is left out of the hosts the mpi points use
  DRY_RUN=1            print the plan, its expected time and the limits it
                       meets; run nothing (PLAN_CPUS=N: for N usable CPUs;
                       ESTIMATE_FROM=DIR: the run whose unit times it uses)
  GILBENCH             the engine binary (default build/gilbench)
  RESULTS_DIR          where run folders go (default results)
  PLOTS_DIR            where the latest plots are copied (default plots)
  GILBENCH_COMMAND     the command line to record in meta.json (default: the
                       make goal GILBENCH_GOAL and the settings given)

The exit statuses and the folder it writes: sweep.bench, docs/results.md.
"""
import os
import time

from sweep.messages import note, parse_list, parse_number, split, usage
from sweep.machine import usable_cpus
from sweep.meta import check_results_folder, names_in

# The settings recorded in meta.json's command line, in this order.
RECORDED = ("WORKLOADS MODES DISPATCH CHUNKSIZE WORKERS RUNS MAX_RUNS PRECISION RESOLUTION BUDGET SEED WARMUP "
            "SWITCH_INTERVAL_US PARAMS TIMEOUT QUICK STUDIES RERUN RESULTS_DIR PLOTS_DIR TIMELINE_WORKERS "
            "TIMELINE_MS PYTHON FREE_THREADED_PYTHON HOSTFILE MPI_HOSTS_DOWN").split()
# The settings that may not be set but empty.
NOT_EMPTY = ("WORKLOADS MODES DISPATCH CHUNKSIZE WORKERS RUNS MAX_RUNS PRECISION RESOLUTION BUDGET SEED WARMUP "
             "SWITCH_INTERVAL_US PARAMS TIMEOUT QUICK STUDIES RERUN RESULTS_DIR DRY_RUN PLAN_CPUS "
             "ESTIMATE_FROM").split()
ALL_MODES = "gil,threads,procs,mpi,interp,forkserver,spawn"


def parse_number_list(name, value, low, high):
    """A list of such numbers, sorted; a repeated number is refused."""
    items = split(value)
    if not items:
        usage("%s is empty; accepted: numbers from %s to %s" % (name, low, high))
    numbers = []
    for item in items:
        number = parse_number(name, item, low, high)
        if number in numbers:
            usage("%s: '%s' is given twice" % (name, number))
        numbers.append(number)
    return sorted(numbers)


_SPECIAL = set(" !\"$&'()*,;<>?[\\]^`{|}")


def shell_quote(value):
    """VALUE as bash's printf %q writes it."""
    if value == "":
        return "''"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        escapes = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\E", "'": "\\'", "\\": "\\\\"}
        return "$'" + "".join(escapes.get(c, "\\%03o" % ord(c) if ord(c) < 32 or ord(c) == 127 else c)
                              for c in value) + "'"
    return "".join("\\" + c if c in _SPECIAL or (i == 0 and c in "#~") else c for i, c in enumerate(value))


def recorded_command(env):
    """What meta.json records as the command: make's goal and the settings
    it was given (GILBENCH_COMMAND when that is given)."""
    if env.get("GILBENCH_COMMAND"):
        return env["GILBENCH_COMMAND"]
    goal = env.get("GILBENCH_GOAL")
    command = "make " + goal if goal else "python3 scripts/sweep bench"
    for name in RECORDED:
        if name in env and not (name == "STUDIES" and goal == "calibrate"):
            command += " %s=%s" % (name, shell_quote(env[name]))
    return command


def known_studies():
    return sorted(name[:-5] for name in names_in("scripts/studies") if name.endswith(".plan"))


def default_workers(cpus, quick):
    """Powers of two up to max(8, 2 x CPUs) and the CPU count; QUICK: 1,
    the CPUs and twice them."""
    if quick:
        return sorted({1, cpus, cpus * 2})
    limit, n, found = max(8, cpus * 2), 1, set()
    while n <= limit:
        found.add(n)
        n *= 2
    return sorted(found | {cpus})


class Settings:
    """The checked settings (attributes in lower case)."""


def read_first(env):
    """The first checks of the settings, up to the workloads: returns
    a Settings with cpus, dry_run, quick, bench_all, studies, rerun_of and
    ENV changed as RERUN's meta.json says."""
    s = Settings()
    s.cpus = usable_cpus()
    s.dry_run = env.get("DRY_RUN") or "0"  # set but empty: 0
    if s.dry_run not in ("0", "1"):
        usage("DRY_RUN='%s' is not accepted; accepted: 0 or 1" % s.dry_run)
    if env.get("PLAN_CPUS"):
        if s.dry_run != "1":
            usage("PLAN_CPUS plans a sweep for another machine, so it needs DRY_RUN=1; a sweep runs on the CPUs it has")
        s.cpus = parse_number("PLAN_CPUS", env["PLAN_CPUS"], 1, 4096)
    for name in NOT_EMPTY:
        if name in env and env[name] == "" and name != "DRY_RUN":
            usage("%s is empty; leave it out for the default" % name)
    if "NOISE_THRESHOLD" in env:
        usage("NOISE_THRESHOLD is replaced by PRECISION: the % half-width of a speedup's interval that is enough "
              "(default 3)")
    quick, bench_all = env.get("QUICK") or "0", env.get("BENCH_ALL") or "0"
    if quick not in ("0", "1"):
        usage("QUICK='%s' is not accepted; accepted: 0 or 1" % quick)
    s.quick, s.bench_all = quick == "1", bench_all == "1"
    known = known_studies()
    all_studies = [name for name in known if name != "calibrate"]
    if env.get("STUDIES"):
        if s.bench_all:
            usage("make bench-all runs every study; STUDIES cannot be given with it")
        for name in ("WORKLOADS", "MODES", "WORKERS"):
            if env.get(name):
                usage("%s chooses the default sweep, which STUDIES replaces; give one or the other" % name)
        given = ",".join(all_studies) if env["STUDIES"] == "all" else env["STUDIES"]
        s.studies = parse_list("STUDIES", given, known)
    else:
        s.studies = all_studies if s.bench_all else []
    s.rerun_of, s.rerun_meta = "", None
    if env.get("RERUN"):
        read_rerun(s, env)
    return s


def read_rerun(s, env):
    """RERUN=DIR: DIR's settings into ENV (none of them may be given now)."""
    rerun_of = env["RERUN"][:-1] if env["RERUN"].endswith("/") else env["RERUN"]
    meta = check_results_folder("RERUN", rerun_of)
    plan = os.path.join(rerun_of, "plan.tsv")
    if not (os.path.isfile(plan) and os.path.getsize(plan) > 0):
        usage("RERUN='%s' is not a results folder (no plan.tsv)" % rerun_of)
    for name in ("WORKLOADS MODES DISPATCH CHUNKSIZE WORKERS RUNS MAX_RUNS PRECISION RESOLUTION SEED WARMUP "
                 "SWITCH_INTERVAL_US PARAMS STUDIES").split():
        if env.get(name):
            usage("RERUN takes its settings from %s; %s cannot be given with it" % (rerun_of, name))
    if s.quick or s.bench_all:
        usage("RERUN takes its settings from %s; QUICK and bench-all cannot be given with it" % rerun_of)
    given = meta["settings"]

    def text(value):
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def either(name, fallback):
        value = given.get(name)
        return fallback if value is None or value is False else value

    env["RUNS"] = text(given.get("runs"))
    env["WARMUP"] = text(given.get("warmup"))
    env["SWITCH_INTERVAL_US"] = text(given.get("switch_interval_us"))
    env["MAX_RUNS"] = text(either("max_runs", given.get("runs")))
    env["PRECISION"] = text(either("precision_pct", 3))
    env["RESOLUTION"] = text(either("resolution_pct", 5))
    env["CHUNKSIZE"] = text(either("chunksize", 1))
    if (given.get("params") or "") != "":
        env["PARAMS"] = given["params"]
    s.studies = list(given.get("studies") or [])
    env["WORKLOADS"] = ",".join(given["workloads"])
    env["MODES"] = ",".join(given.get("modes") or [])
    env["WORKERS"] = ",".join(text(n) for n in given.get("workers") or [])
    if not env.get("HOSTFILE"):
        hostfile = (meta.get("mpi") or {}).get("hostfile") if isinstance(meta.get("mpi"), dict) else None
        if hostfile:
            env["HOSTFILE"] = hostfile
    if env.get("PYTHON") or env.get("FREE_THREADED_PYTHON"):
        usage("RERUN runs the CPython points on the interpreters of %s/meta.json; PYTHON and FREE_THREADED_PYTHON "
              "cannot be given with it" % rerun_of)
    s.rerun_of, s.rerun_meta = rerun_of, meta


def read_numbers(s, env):
    """WORKERS, RUNS, MAX_RUNS, PRECISION, RESOLUTION, SEED, WARMUP,
    SWITCH_INTERVAL_US, TIMEOUT, BUDGET, TIMELINE_*: into S."""
    s.workers = parse_number_list("WORKERS", env.get("WORKERS") or ",".join(map(str, default_workers(s.cpus, s.quick))),
                                  1, 4096)
    quick_runs, quick_max_runs, quick_warmup = (4, 8, 0) if s.quick else (5, 20, 1)
    s.runs = parse_number("RUNS", env.get("RUNS") or str(quick_runs), 1, 1000)
    max_default = s.runs if env.get("RUNS") else quick_max_runs
    s.max_runs = parse_number("MAX_RUNS", env.get("MAX_RUNS") or str(max_default), 1, 1000)
    if s.max_runs < s.runs:
        usage("MAX_RUNS='%d' is below RUNS (%d): a point gets at least RUNS runs" % (s.max_runs, s.runs))
    s.precision = parse_number("PRECISION", env.get("PRECISION") or "3", 1, 100)
    s.resolution = parse_number("RESOLUTION", env.get("RESOLUTION") or "5", 1, 50)
    # How often the rounds look at one comparison of an answer.
    s.looks = s.max_runs - s.runs + 1
    s.seed = parse_number("SEED", env.get("SEED") or str(int(time.time_ns() % 1000000000) % 1000000), 0, 999999999)
    s.warmup = parse_number("WARMUP", env.get("WARMUP") or str(quick_warmup), 0, 100)
    s.interval = parse_number("SWITCH_INTERVAL_US", env.get("SWITCH_INTERVAL_US") or "5000", 1, 1000000)
    s.fixed_timeout = parse_number("TIMEOUT", env["TIMEOUT"], 1, 86400) if env.get("TIMEOUT") else None
    # What a Python workload's loading and check may take: a first run's limit.
    s.first_limit = s.fixed_timeout if s.fixed_timeout is not None else 120
    s.budget_given = parse_number("BUDGET", env["BUDGET"], 1, 604800) if env.get("BUDGET") else None
    parse_number("TIMELINE_WORKERS", env.get("TIMELINE_WORKERS", "3"), 1, 64)
    parse_number("TIMELINE_MS", env.get("TIMELINE_MS", "200"), 1, 600000)
    if 1 not in s.workers:
        s.workers = [1] + s.workers
        note("WORKERS: added 1, the reference of every speedup")


def adaptive_timeout(slowest):
    """Seconds one run may take, given the slowest run of the workload so
    far (None before its first point)."""
    if slowest is None:
        return 120
    return max(30, 20 * int(slowest * 1000000) // 1000000 + 1)


def python_available_check(env, lister):
    """A Python workload asked for on a machine without a python3."""
    if lister or not env.get("WORKLOADS"):
        return
    for workload in split(env["WORKLOADS"]):
        if os.path.isfile("workloads/%s.py" % workload) and not os.path.isfile("workloads/%s.c" % workload):
            usage("WORKLOADS: %s is a Python workload (workloads/%s.py), and this machine has no python3; install "
                  "with: apt-get install -y python3" % (workload, workload))

