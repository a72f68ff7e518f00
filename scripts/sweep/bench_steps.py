"""bench_steps - the sweep's steps before its rounds, in order
(each check's line is the first and only one when it refuses): the
workloads and modes asked for, the plan with its CPython and Python
points, the units each workload runs, every point's settings tried by
what runs it (--dry-run), the mpi hosts; and DRY_RUN=1's estimate.
"""
import os
import shutil
import subprocess

from sweep import gil_traces, hosts, interpreters, plan as plans, python_points, settings
from sweep.messages import die, note, parse_list, parse_number, usage
from sweep.processes import bounded, process_start


def engine_list(gilbench, *options):
    done = subprocess.run([gilbench, "list"] + list(options), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    return [line.split()[0] for line in done.stdout.decode("utf-8", "replace").splitlines() if line.split()]


def choose_workloads(sw, env):
    """WORKLOADS, MODES, DISPATCH, CHUNKSIZE, the ways, MPI and HOSTFILE."""
    c_workloads = engine_list(sw.gilbench)
    default_workloads = engine_list(sw.gilbench, "--default")
    lister = interpreters.workload_lister(env)
    listing = interpreters.workload_listing(c_workloads, lister)
    if listing is None:
        die("cannot list the Python workload files (scripts/pyrun list)")
    sw.listing = listing
    python_all = [f[0] for f in listing if len(f) > 3 and f[3] != "shadowed" and "?" not in f[0]]
    all_workloads = c_workloads + python_all
    sw.all_workloads, sw.python_all = all_workloads, python_all
    settings.python_available_check(env, lister)
    chosen = parse_list("WORKLOADS", env.get("WORKLOADS") or ",".join(default_workloads), all_workloads)
    sw.python_workloads = [w for w in chosen if w in python_all]
    sw.workloads = [w for w in chosen if w not in python_all]
    sw.plan = []
    for workload in list(sw.python_workloads):
        for f in listing:
            if f[0] == workload and len(f) > 4 and f[3] == "bad":
                python_points.leave_out(sw, workload, f[4])
    for workload in sw.workloads:
        for f in listing:
            if f[0] == workload and len(f) > 4 and f[3] == "shadowed":
                note(f[4])
    sw.modes = parse_list("MODES", env.get("MODES") or "gil,threads,procs", settings.ALL_MODES.split(","))
    sw.dispatch = parse_list("DISPATCH", env.get("DISPATCH") or "shares", ["shares", "pool"])
    sw.chunksize = parse_number("CHUNKSIZE", env.get("CHUNKSIZE") or "1", 1, 1000000000)
    if "pool" in sw.dispatch and "mpi" in sw.modes:
        usage("DISPATCH=pool: the mpi mode has no pool (its ranks each take a share); leave mpi out of MODES or pool "
              "out of DISPATCH")
    sw.ways = plans.ways_of([m for m in sw.modes if m not in ("forkserver", "spawn")], sw.dispatch)
    if not env.get("MODES") and not env.get("DISPATCH"):
        sw.python_ways = list(plans.PYTHON_DEFAULT_WAYS)
    else:
        sw.python_ways = [w for w in plans.ways_of([m for m in sw.modes if m != "mpi"], sw.dispatch)
                          if w not in ("forkserver+pool", "spawn+pool", "interp+pool")]
    if sw.workloads and not sw.ways:
        usage("MODES='%s': forkserver and spawn are Python's start methods, for Python workloads only; give the C "
              "workloads gil, threads, procs, mpi or interp" % ",".join(sw.modes))
    if sw.python_workloads and not sw.python_ways:
        usage("MODES='%s': Python workloads run under %s (mpi is the C workloads')"
              % (",".join(sw.modes), plans.PYTHON_MODES))
    engine_name = os.path.basename(sw.gilbench)
    sw.gilbench_mpi = os.path.realpath(env.get("GILBENCH_MPI") or os.path.join(
        os.path.dirname(sw.gilbench), engine_name.replace("gilbench", "gilbench-mpi", 1)))
    hostfile = env.get("HOSTFILE") or ""
    if "mpi" in sw.modes:
        if not (shutil.which("mpirun") and os.access(sw.gilbench_mpi, os.X_OK)):
            usage("MODES has mpi, which needs Open MPI: apt-get install -y openmpi-bin libopenmpi-dev, then make bench "
                  "again")
        if hostfile and not (os.path.isfile(hostfile) and os.access(hostfile, os.R_OK)):
            usage("HOSTFILE='%s' is not a readable file" % hostfile)
    elif hostfile:
        usage("HOSTFILE is for the mpi mode, and MODES has no mpi")
    if (env.get("MPI_HOSTS_DOWN") or "refuse") not in ("refuse", "leave"):
        usage("MPI_HOSTS_DOWN='%s' is not accepted; accepted: refuse (the default: a host of HOSTFILE that does not "
              "answer ends the sweep before its first point) or leave (the mpi points run on the other hosts)"
              % env["MPI_HOSTS_DOWN"])
    sw.hostfile = sw.hostfile_given = hostfile


def default_units(sw):
    """Each workload's default units: the engine's run --help, the listing."""
    done = subprocess.run([sw.gilbench, "run", "--help"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    units = {}
    import re
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        found = re.match(r"  ([a-z_0-9]*) \(default ([0-9]*) units,", line)
        if found and found.group(1) in sw.plan_workloads:
            units[found.group(1)] = int(found.group(2)) if found.group(2) else 0
    for f in sw.listing:
        if len(f) > 1 and f[1].isdigit() and f[0] in sw.python_workloads:
            units[f[0]] = int(f[1])
    return units


def make_plan(sw, env):
    """The plan, its CPython and Python points, PARAMS and units, every
    point's settings tried, the mpi hosts."""
    s = sw.s
    defaults = ",".join(map(str, settings.default_workers(s.cpus, s.quick)))
    if s.rerun_of:
        try:
            sw.plan = plans.read_plan(os.path.join(s.rerun_of, "plan.tsv"))
        except OSError:
            die("cannot read %s/plan.tsv" % s.rerun_of)
    else:
        sw.plan = plans.sweep_plan(sw.workloads, sw.ways, s.workers, s.studies, s.bench_all, defaults, s.cpus,
                                   sw.python_workloads, sw.python_ways)
    if not s.rerun_of and "pool" in sw.dispatch and any(p[1].startswith("source=") for p in sw.plan):
        sw.plan = plans.pooled_sources(sw.plan, sw.dispatch)
    sw.plan_workloads = list(dict.fromkeys(p[0] for p in sw.plan))
    if s.rerun_of:
        sw.python_workloads = [w for w in sw.plan_workloads if w in sw.python_all]
    for workload in sw.plan_workloads:
        if workload not in sw.all_workloads:
            usage("the plan names workload '%s', which this build does not have" % workload)
    python_points.cpython_points(sw)
    python_points.choose_interpreters(sw)
    sw.params = plans.parse_params(env.get("PARAMS") or "", sw.plan_workloads)
    given = list(sw.params)
    units = sw.default_units = default_units(sw)
    if s.quick and not s.rerun_of:
        for workload, count in units.items():
            if not any(p.startswith(workload + ".units=") for p in sw.params):
                sw.params.append("%s.units=%d" % (workload, (count + 1) // 2))
    if not s.rerun_of:
        raise_idle_units(sw, given, units)
    try_points(sw)
    for message in sw.notes_after_checks:
        if message.split(" ")[0].split(":")[0] not in sw.left:
            note(message)
    mpi_checks(sw)
    if not sw.plan:
        usage("no point is left to run (see the lines above)")
    sw.total = len(sw.plan)
    sw.budget = s.budget_given if s.budget_given is not None else int(sw.total * (0.7 if s.quick else 2) + 0.5)


def raise_idle_units(sw, given, units):
    """A workload whose units are fewer than the workers of its largest
    point runs that many units instead (PARAMS's units are kept)."""
    s = sw.s
    for workload, need in plans.units_needed(sw.plan, sw.chunksize):
        if any(p.startswith(workload + ".units=") for p in given) or workload not in units:
            continue
        count = units[workload]
        if s.quick:
            count = (count + 1) // 2
        if need <= count:
            continue
        if workload not in sw.python_workloads:
            done = subprocess.run([sw.gilbench, "run", "--workload", workload, "--mode", "gil", "--workers", str(need),
                                   "--units", str(count), "--dry-run"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if done.returncode == 0:
                continue
        sw.params = [p for p in sw.params if not p.startswith(workload + ".units=")]
        sw.params.append("%s.units=%d" % (workload, need))
        sw.notes_after_checks.append("%s: %d units a run instead of %d, so that each worker of its largest point has "
                                     "work" % (workload, need, count))


def try_points(sw):
    """Every workload, variant and dispatch's settings, checked by what runs
    them at the largest worker count; then each Python file's check."""
    s = sw.s
    for workload, variant, way, most in plans.largest_points(sw.plan):
        if workload in sw.left:
            continue
        if (way[:-5] if way.endswith("+pool") else way) == "mpi":
            way = "gil"
        engine, chunksize = sw.engine_of((workload, variant, way, most))
        status, refusal = bounded(s.first_limit, sw.live.file("load." + workload), engine + [
            "run", "--workload", workload] + plans.way_options(way, variant, chunksize) + ["--workers", most]
            + plans.point_options(sw.params, workload, variant, s.interval) + ["--dry-run"])
        if workload in sw.python_workloads and status != 0:
            python_points.refused_way(sw, workload, way, status, refusal)
        elif status != 0:
            usage("PARAMS: " + python_points._strip(refusal))
    if sw.unavailable:
        sw.plan = [p for p in sw.plan if (p[0], p[2]) not in sw.unavailable]

    def check_options(workload):
        options = plans.point_options(sw.params, workload, "-", s.interval)[2:]
        out, skip = [], False
        for i, option in enumerate(options):
            if skip:
                skip = False
                continue
            if option == "--units":
                skip = True
                continue
            out.append(option)
        return out

    python_points.check_files(sw, check_options)


def mpi_checks(sw):
    """A workload that cannot run as MPI ranks; HOSTFILE's hosts asked once;
    the mark of this sweep's daemons; the ranks' shared-memory folder."""
    for workload in sorted({p[0] for p in sw.plan if p[2] == "mpi"}):
        done = subprocess.run([sw.gilbench_mpi, "run", "--workload", workload, "--mode", "mpi", "--dry-run"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            usage("MODES: " + python_points._strip(done.stdout.decode("utf-8", "replace").rstrip("\n")))
    sw.hosts_left_out = []
    if sw.hostfile and any(p[2] == "mpi" for p in sw.plan):
        answers = hosts.ask_hosts(sw.hostfile, hosts.LIST_MARKED_DAEMONS)
        silent = [host for host, answer in answers.items() if answer is None]
        if silent:
            words, many = hosts.hosts_words(silent), len(silent) > 1
            if (sw.env.get("MPI_HOSTS_DOWN") or "refuse") != "leave":
                usage("HOSTFILE: %s of %s do%s not answer ssh within 5 s: every mpi point would fail there; bring %s "
                      "back, or give MPI_HOSTS_DOWN=leave to run the mpi points on the other hosts"
                      % (words, sw.hostfile, "" if many else "es", "them" if many else "it"))
            lines = [line for line in hosts.hostfile_lines(sw.hostfile) if line.split()[0] not in silent]
            path = sw.live.file("hostfile")
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write("".join(line + "\n" for line in lines))
            if not lines:
                usage("HOSTFILE: %s of %s do not answer ssh within 5 s, and no other host is left"
                      % (words, sw.hostfile))
            note("HOSTFILE: %s of %s do%s not answer ssh within 5 s: the mpi points run on the other hosts "
                 "(MPI_HOSTS_DOWN=leave)" % (words, sw.hostfile, "" if many else "es"))
            sw.hosts_left_out = silent
            sw.hostfile = path
            slots = hosts.slots_of(path)
            if slots is not None:
                too_many = sorted({"%s %s" % (p[0], p[3]) for p in sw.plan
                                   if (p[2] == "mpi" or p[2].startswith("mpi+")) and int(p[3]) > slots})
                if too_many:
                    sw.plan = [p for p in sw.plan if not ((p[2] == "mpi" or p[2].startswith("mpi+"))
                                                          and int(p[3]) > slots)]
                    note("HOSTFILE: the hosts left have %d slot%s: the mpi points of more ranks are left out (%s)"
                         % (slots, "" if slots == 1 else "s", ", ".join(too_many)))
        hosts.remove_stale_daemons({h: a for h, a in answers.items() if a is not None}, note)
    if "mpi" in sw.modes:
        os.environ["OMPI_MCA_orte_launch_agent"] = "env GILBENCH_ORTED=%s:%d:%s %s" % (
            hosts.hostname(), os.getpid(), process_start(os.getpid()) or "",
            os.environ.get("OMPI_MCA_orte_launch_agent") or "orted")
        if not sw.hostfile and not os.environ.get("OMPI_MCA_btl_vader_backing_directory"):
            shm = sw.live.make_mpi_shm()
            if shm:
                os.environ["OMPI_MCA_btl_vader_backing_directory"] = shm


def dry_run(sw, env):
    """DRY_RUN=1: the plan, its expected time and the limits it meets."""
    from sweep.bench import call_plan_estimate
    s = sw.s
    plan_path, units_path = sw.live.file("plan.tsv"), sw.live.file("units")
    lines = []
    for workload in dict.fromkeys(p[0] for p in sw.plan):
        units = sw.default_units.get(workload)
        for setting in sw.params:
            if setting.split("=", 1)[0] == workload + ".units":
                units = setting.split("=", 1)[1]
        lines.append("%s %s\n" % (workload, "?" if units in (None, "") else units))
    with open(plan_path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(plans.plan_text(sw.plan))
    with open(units_path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("".join(lines))
    reference = env.get("ESTIMATE_FROM") or os.path.join(sw.results_dir, "latest")
    if not os.path.isdir(reference):
        if env.get("ESTIMATE_FROM"):
            usage("ESTIMATE_FROM='%s' is not a results folder" % env["ESTIMATE_FROM"])
        reference = ""
    status = call_plan_estimate(plan_path, units_path, s.cpus, s.runs, s.warmup, s.max_runs, reference)
    traced = len(gil_traces.traceable_points(sw)) if gil_traces.enabled(env) else 0
    if status == 0 and traced:
        print("gilbench: then one traced run of each of the %d point%s whose GIL (or free-threaded locks) CPython can "
              "trace, beside the timed runs: about one more run each (GIL_TRACE=0: none)"
              % (traced, "" if traced == 1 else "s"))
    return status
