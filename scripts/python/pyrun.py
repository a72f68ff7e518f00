"""pyrun.py - runs a Python workload the way `gilbench run` runs a C one:
the Python ways of using many cores (threading, multiprocessing with fork,
forkserver or spawn, the executors, subinterpreters) at N workers, for the
sweep's Python workloads (workloads/<name>.py, see workload_files.py and
docs/adding-a-python-workload.md) and for `make calibrate`, which sets the
C twins' model beside them (cpu_loop.py, io_wait.py, blas_dgemm.py).

    python3 pyrun.py run --workload NAME --mode gil|threads|procs|forkserver|spawn|interp
                         [--workers N] [--units U]
                         [--dispatch shares|pool] [--chunksize C]
                         [--task-arg-kib K] [--task-result-kib K]
                         [--switch-interval-us US] [--param NAME=VALUE]
                         [--append-json FILE] [--error-log FILE] [--timeout S] [--dry-run]
                         [--accepted FILE] [--allow-idle-workers]
    python3 pyrun.py list           one line per workload file: name, units, unit, description
    python3 pyrun.py check --workload NAME [--param NAME=VALUE] [--timeout S]
                                    loads the file and runs setup(), work() on unit 0
                                    and check() in a process of its own, stopped after
                                    S s (default 120): a bad file is one line and exit
                                    2, a run of it that fails or dies 1, 124 too long

Modes are Python's own: gil = threading under CPython's GIL, threads = the
same on a free-threaded CPython (3.13t or later with the GIL off,
PYTHON_GIL=0), procs = multiprocessing with the fork start method,
forkserver and spawn = the same with those start methods (each process
loads the workload and rebuilds its state from its settings; the fork
server is started before the clock; shares only; no engine counterpart),
interp = a subinterpreter with a GIL of its own per worker, each run by a
thread (CPython 3.13's _interpreters, shares only; see ways.py).  The
options, the units and the JSON line are those of `gilbench run`, so
`make bench` times this script with hyperfine like the engine; the GIL
counters, which CPython does not keep, are null.  Exit status: 0, 1 (a
failed run), 2 (bad usage or a bad workload file), 124 (timed out), as for
the engine; --dry-run checks the options, loads the workload (in a
subinterpreter too, for interp, with its setup) and runs nothing: exit 3
when this Python cannot run the point's way (no free threading, no
subinterpreters, an import it lacks, a setup a subinterpreter refuses).
A run with fewer units than workers (fewer tasks, under a pool) is refused
(exit 2): its idle workers would measure nothing, unless the workload's
workers' starting is its work (startup) or --allow-idle-workers says so
(the dispatch's own tests).
--accepted FILE (the runner's own, for a workload that declares
DETERMINISTIC = True): the values check() accepted, kept from run to run;
a value found there is accepted by that equality, without calling check().


Dispatch: how the units reach the workers.
  shares (the default)  each of the N workers gets one share of the U units,
      threading.Thread(target=f, args=(share,)) or multiprocessing.Process,
      started and joined inside the timed region.
  pool --chunksize C (default: the workload's CHUNKSIZE, 1 unless its file
      says; 1 to 10^9)  the units become
      T = ceil(U / C) tasks, task k the units [kC, min((k+1)C, U)), run by a
      persistent pool of N workers: concurrent.futures.ThreadPoolExecutor(N)
      in the gil and threads modes, ProcessPoolExecutor(N, mp_context=
      multiprocessing.get_context("fork")) in the procs mode.  The executor
      is created and warmed before the clock starts (N tasks that wait on one
      barrier of N, so every worker thread or process exists and has run a
      task: ThreadPoolExecutor starts its threads one per submit while none
      is idle, ProcessPoolExecutor forks its processes at the first submit).
      The timed region is
          results = list(ex.map(pool_task, tasks, chunksize=1))
      submitting every task and collecting every result in submission order;
      the executor is shut down after it.

  Chunksize, mapped: one submitted item is one task of C units, and
  executor.map's own chunksize is always 1.  The engine's task is its unit of
  dispatch: one queue entry (threads) or one message through the task pipe
  (processes), one result coming back, one argument and one result payload.
  Item = task with map(chunksize=1) gives CPython exactly T of each in every
  mode: T futures, and under ProcessPoolExecutor T pickled call items and T
  result messages.  The alternative, the U units as items with
  map(chunksize=C), is not comparable: ThreadPoolExecutor ignores chunksize
  (it would make U futures, U dispatches, at any C), and ProcessPoolExecutor
  would carry one payload per unit, not per task, and return a list of C
  results per message.  What map(chunksize=k) with k > 1 would add, k tasks
  per IPC message, is the same thing as a larger C here.

  Payloads (pool only): --task-arg-kib K / --task-result-kib K (0 to 2^20,
  1 GiB; default: the workload's task_payload(), else 0) give each task's
  argument and result a bytes object of
  K KiB, its content made from the task's index (a 64-byte block of
  splitmix64 values of the index, repeated), built for every task before the
  clock starts.  The worker compares the argument it received with the one
  it expects, byte for byte, before doing the task's units (a mismatch
  raises, which fails the run); the collector compares each result's payload
  after the region, with the other checks of the results.  Threads pass a
  reference; processes pickle it through the executor's pipes.  As in the
  engine, at most 2^24 tasks (exit 2).  executor.map submits every task
  before it waits for the first result, so every payload is alive at once: a
  run whose T x (arg + result) bytes exceed MemAvailable fails at once
  (exit 1) instead of meeting the OOM killer.

  Results: every task returns its index, the checksum of its units (each
  unit's checksum summed mod 2^64, as a share's is), its worker and times.
  After the region each result is checked once, in submission order: its
  index is its position, exactly one per task, and the checksums summed mod
  2^64 are the run's checksum, the same expected value as under shares.

  Failures: an exception in a task (ProcessPoolExecutor's BrokenProcessPool
  when a worker process dies) fails the run with one line, the exception's
  last line; the executor is shut down without waiting, its processes are
  killed and reaped, and nothing is left behind.  Pool processes also die
  with the run if it is killed (PR_SET_PDEATHSIG).  A test hook,
  PYRUN_TEST_FAULT=KIND:K, makes task K raise (raise), kill its worker
  with SIGKILL (crash), flip one byte of its argument after building it,
  before submitting it (corrupt-arg), or of its result in the worker after
  building it (corrupt-result), or report itself as task K + 1
  (wrong-index).  Under --mode interp, raise:K makes interpreter K raise;
  under procs, forkserver and spawn (shares), raise:K and crash:K make
  worker K raise or die by SIGKILL before its work.

  Figures under pool: startup_seconds is the latest of the workers' first
  task starts after the clock started (dispatch latency, not starting: the
  workers exist already); worker_seconds_* are the workers' busy times, the
  sums of their tasks' own durations (0 for a worker that got no task); the
  CPU times and peak RSS of pool processes are those of their whole lives
  (warm-up and exit included: they are reaped at shutdown).

The JSON line has, beside the engine's fields, "dispatch" ("shares" or
"pool"), "chunksize" and "tasks" (both 0 under shares) and, under pool,
"task_arg_bytes" and "task_result_bytes"; "checked" (whether check() ran),
"python" and "gil_enabled", and what the workload's figures() adds.

Values and checks: each worker's share (each task, under pool) returns
work()'s int; the run's checksum is their sum mod 2^64.  After the region
every value is given to the workload's check() with its units (the C twins
compare with an independent expectation: the LCG's closed form, the sum of
A @ B from A's column sums and B's row sums) and the run fails on a
mismatch, like the engine; a workload without check() is run unchecked,
and its JSON line says "checked": false.  The studies' workloads
(shared_objects, own_objects, startup, shared_input) are built in:
study_workloads.py.
"""
import json
import os
import resource
import select
import signal
import sys
import time

from runner_common import AT_FAILURE, MASK, UNAVAILABLE, fail, last_line, signal_name, usage
import pool
import ways
import workload_files

MAX_WORKERS = 4096
MAX_UNITS = workload_files.MAX_UNITS
# As the engine's (bench/engine/run_vocabulary.h, bench/engine/workload.h):
MAX_CHUNKSIZE = workload_files.MAX_CHUNKSIZE
MAX_TASKS = 1 << 24
MAX_PAYLOAD_KIB = 1 << 20  # 1 GiB
MODES = ("gil", "threads", "procs", "forkserver", "spawn", "interp")
START_METHODS = {"procs": "fork", "forkserver": "forkserver", "spawn": "spawn"}


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else check()


def gil_came_back(mode, when):
    """Mode threads measures free threading: a run during which the GIL was
    switched back on (CPython does that when it imports an extension module
    that does not declare itself free-threading safe, unless PYTHON_GIL=0
    forbids it) is not one, and fails."""
    if mode == "threads" and gil_enabled():
        fail("the GIL was switched back on during %s (%s): mode threads needs it off; "
             "run with PYTHON_GIL=0" % (when, sys.executable))


def parse_whole(option, text, low, high):
    if not text.isdigit():
        usage("%s '%s' is not a whole number; accepted: %d to %d" % (option, text, low, high))
    value = int(text)
    if not low <= value <= high:
        usage("%s %d is out of range; accepted: %d to %d" % (option, value, low, high))
    return value


RUN_OPTIONS = {"--workload", "--mode", "--workers", "--units", "--switch-interval-us",
               "--param", "--append-json", "--error-log", "--timeout", "--accepted",
               "--dispatch", "--chunksize", "--task-arg-kib", "--task-result-kib", "--dry-run",
               "--allow-idle-workers"}


def read_options(command, argv, names):
    """The options of argv as {name: value} (--param a list, --dry-run True)."""
    options = {"params": []}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, equals, value = arg.partition("=")
        if name not in names:
            usage("unknown option '%s' for %s" % (arg, command))
        if name in ("--dry-run", "--allow-idle-workers"):
            if equals:
                usage("%s takes no value" % name)
            options[name] = True
            i += 1
            continue
        if not equals:
            if i + 1 >= len(argv):
                usage("%s needs a value" % name)
            i += 1
            value = argv[i]
        if name == "--param":
            options["params"].append(value)
        else:
            options[name] = value
        i += 1
    return options


def workload_params(workload, texts, unavailable_status):
    """The settings' values: defaults, then each --param NAME=VALUE."""
    params = {name: spec[0] for name, spec in workload.settings.items()}
    for text in texts:
        name, equals, value = text.partition("=")
        if not equals or name not in workload.settings:
            usage("workload %s has no setting '%s'; accepted: %s"
                  % (workload.name, name, ", ".join(workload.settings) or "none"))
        spec = workload.settings[name]
        params[name] = parse_whole("--param " + name, value, spec[1], spec[2])
    return params


def parse_run(argv):
    options = read_options("run", argv, RUN_OPTIONS)
    mode = options.get("--mode")
    if mode not in MODES:
        usage("unknown --mode '%s'; accepted: %s" % (mode, ", ".join(MODES)))
    dispatch = options.get("--dispatch", "shares")
    if dispatch not in ("shares", "pool"):
        usage("unknown --dispatch '%s'; accepted: shares, pool" % dispatch)
    for name in ("--chunksize", "--task-arg-kib", "--task-result-kib"):
        if name in options and dispatch != "pool":
            usage("%s is for a pool's tasks, so it needs --dispatch pool, not %s" % (name, dispatch))
    dry_run = options.get("--dry-run", False)
    workload = workload_files.load(options.get("--workload"), UNAVAILABLE if dry_run else 1)
    params = workload_params(workload, options["params"], UNAVAILABLE if dry_run else 1)
    units = (parse_whole("--units", options["--units"], 1, MAX_UNITS)
             if "--units" in options else workload.units)
    if workload.name == "shared_input" and units > params["size_mib"]:
        usage("shared_input's --units %d exceed its input: a unit is one MiB chunk; give --units at most "
              "size_mib (--param size_mib=%d)" % (units, params["size_mib"]))
    o = {
        "workload": workload, "mode": mode, "params": params, "dry_run": dry_run,
        "workers": parse_whole("--workers", options.get("--workers", "1"), 1, MAX_WORKERS),
        "units": units,
        "dispatch": dispatch,
        "chunksize": parse_whole("--chunksize", options["--chunksize"], 1, MAX_CHUNKSIZE)
        if "--chunksize" in options else (workload.chunksize if dispatch == "pool" else 0),
        "interval": parse_whole("--switch-interval-us", options.get("--switch-interval-us", "5000"),
                                1, 1000000),
        "append": options.get("--append-json"),
        "accepted": options.get("--accepted"),
        "error_log": options.get("--error-log"),
        "timeout": parse_whole("--timeout", options.get("--timeout", "0"), 0, 86400),
    }
    if not options.get("--allow-idle-workers"):
        refuse_idle_workers(o)
    if dispatch == "pool":
        declared = workload.task_payload(params)
        for i, name in enumerate(("--task-arg-kib", "--task-result-kib")):
            key = "task_arg_bytes" if i == 0 else "task_result_bytes"
            if name in options:
                o[key] = parse_whole(name, options[name], 0, MAX_PAYLOAD_KIB) * 1024
            else:
                o[key] = declared[i]
                if type(o[key]) is not int or not 0 <= o[key] <= MAX_PAYLOAD_KIB * 1024:
                    usage("%s: task_payload() must return (argument bytes, result bytes), whole numbers "
                          "from 0 to %d" % (workload.path or workload.name, MAX_PAYLOAD_KIB * 1024))
    return o


def refuse_idle_workers(o):
    """A run in which some workers get no unit (shares) or no task (pool)
    measures fewer workers than it names: refused (exit 2), as the engine's."""
    if o["workload"].idle_workers_measured:
        return
    pool = o["dispatch"] == "pool"
    portions = -(-o["units"] // o["chunksize"]) if pool else o["units"]
    if portions >= o["workers"]:
        return
    idle = o["workers"] - portions
    if pool:
        usage("--workers %d with --units %d in tasks of --chunksize %d: %d worker%s would get no task; give "
              "--units at least %d" % (o["workers"], o["units"], o["chunksize"], idle, "" if idle == 1 else "s",
                                       o["workers"] * o["chunksize"]))
    usage("--workers %d with --units %d: %d worker%s would get no unit; give --units at least %d"
          % (o["workers"], o["units"], idle, "" if idle == 1 else "s", o["workers"]))


def check_pool(o):
    """What a pool's run needs beyond its options' ranges: at most
    MAX_TASKS tasks (exit 2, as the engine), and memory for every payload at
    once (exit 1): executor.map submits every task before it waits for the
    first result, so every argument is alive until its task ends, and every
    result until the run ends."""
    tasks = -(-o["units"] // o["chunksize"])
    if tasks > MAX_TASKS:
        usage("--units %d in tasks of --chunksize %d make %d tasks, more than %d: give a larger "
              "--chunksize" % (o["units"], o["chunksize"], tasks, MAX_TASKS))
    need = tasks * (o["task_arg_bytes"] + o["task_result_bytes"])
    available = mem_available()
    if available is not None and need > available:
        fail("the pool's payloads need %d MiB at once (%d tasks; executor.map submits them all "
             "before the first result), more than the %d MiB available"
             % (need >> 20, tasks, available >> 20))


RUN_LIMIT = {"seconds": 0}  # the run's --timeout, for its message


def mem_available():
    """MemAvailable of /proc/meminfo in bytes; None where it cannot be read."""
    try:
        with open("/proc/meminfo") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return None


def check_input_copies(o):
    """shared_input under spawn, forkserver or interp: every worker builds a
    whole input of its own (size_mib), beside the main process's; refused
    at once (exit 1) when they cannot fit, rather than met by the OOM
    killer mid-run."""
    if o["workload"].name != "shared_input" or o["mode"] not in ("spawn", "forkserver", "interp"):
        return
    need = (o["workers"] + 1) * (o["params"]["size_mib"] << 20)
    available = mem_available()
    if available is not None and need > available:
        fail("shared_input: %d workers' copies of the %d MiB input and the main process's need %d MiB, more "
             "than the %d MiB available; give fewer --workers or a smaller size_mib"
             % (o["workers"], o["params"]["size_mib"], need >> 20, available >> 20))


def on_timeout(signum, frame):
    fail("timed out: the run took longer than %d s (--timeout) and was stopped" % RUN_LIMIT["seconds"], 124)


def check_mode(o):
    """Whether this Python can run the point's way; exit 3 under --dry-run
    (the sweep leaves the point out with this line), else 2."""
    status = UNAVAILABLE if o["dry_run"] else 2
    mode = o["mode"]
    if mode == "threads" and gil_enabled():
        fail("mode threads needs a free-threaded Python with the GIL off (python3.13t, "
             "PYTHON_GIL=0); %s has a GIL" % sys.executable, status)
    if mode != "threads" and not gil_enabled():
        fail("mode %s is CPython with its GIL; %s runs without one" % (mode, sys.executable), status)
    if mode == "interp":
        if o["dispatch"] == "pool":
            usage("mode interp runs shares only here: an executor of interpreters "
                  "(InterpreterPoolExecutor) is CPython 3.14's")
        o["interpreters"] = ways.interpreters_module()
        if o["interpreters"] is None:
            fail("mode interp needs subinterpreters with a GIL each (the _interpreters module of "
                 "CPython 3.13 or later); %s has none" % sys.executable, status)
    if mode in ("spawn", "forkserver") and o["dispatch"] == "pool":
        usage("mode %s runs shares only here; the process pool is measured with fork (--mode procs)" % mode)


def dry_run(o):
    """Loading the workload was this Python's test; a subinterpreter must
    also load it (and set up a file's state) for the interp mode."""
    if o["mode"] == "interp":
        problem = ways.probe_interpreter(o["interpreters"], o["workload"].name, o["params"])
        if problem:
            fail("%s cannot run in a subinterpreter of %s %s: %s" % (
                o["workload"].name, sys.executable, sys.version.split()[0], problem), UNAVAILABLE)
    return 0


def stop_fork_server():
    """The fork server's workers are its children, not this process's:
    stopping and reaping the server (which reaped them) brings their CPU
    time into this run's, and leaves no server behind.  _stop is
    multiprocessing's own (3.8 and later); without it the server ends when
    this process does, its CPU time not counted."""
    import multiprocessing.forkserver
    stop = getattr(getattr(multiprocessing.forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def run_region(o, state, fault):
    """The timed region under shares: (seconds, records, rusage before and
    after, children's rusage, start, memory)."""
    workload, workers, units, mode = o["workload"], o["workers"], o["units"], o["mode"]
    context = None
    if mode in START_METHODS:
        # Imported before the timed region, which a user's script does too,
        # and what the first Pipe() and Process.start() would import inside
        # it (multiprocessing.connection alone takes 10-30 ms): the region
        # measures starting processes.
        import multiprocessing
        import multiprocessing.connection
        context = multiprocessing.get_context(START_METHODS[mode])
        if mode == "procs":
            import multiprocessing.popen_fork  # noqa: F401
        elif mode == "spawn":
            import multiprocessing.popen_spawn_posix  # noqa: F401
        else:
            import multiprocessing.forkserver
            import multiprocessing.popen_forkserver  # noqa: F401
            multiprocessing.forkserver.ensure_running()  # a user's program starts it once
    memory = {} if workload.measures_memory else None
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    interpreter_ids = []
    if context is not None:
        records = ways.run_processes(workload, state, o["params"], workers, units, context, memory, fault)
    elif mode == "interp":
        records, interpreter_ids = ways.run_interpreters(o["interpreters"], workload, o["params"], workers,
                                                         units, fault, memory)
    else:
        records = ways.run_threads(workload, state, workers, units)
    seconds = time.perf_counter() - started - (memory or {}).get("read_seconds", 0)
    if memory is not None and mode in ("gil", "threads"):
        ways.measure_memory([os.getpid()], memory)  # one process, its threads' input shared
    after = resource.getrusage(resource.RUSAGE_SELF)
    ways.destroy_interpreters(o.get("interpreters"), interpreter_ids)  # after the region, as a pool's shutdown is
    if mode == "forkserver":
        stop_fork_server()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, records, (before, after), children, started, memory


def accepted_values(o):
    """The values check() accepted in earlier runs, as a set of (settings,
    first, count, value) lines, for a DETERMINISTIC workload run with
    --accepted FILE (the sweep's: one per workload); else None."""
    if not o.get("accepted") or not o["workload"].deterministic:
        return None
    try:
        with open(o["accepted"]) as f:
            return set(line.rstrip("\n") for line in f)
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as e:
        fail("cannot read --accepted file %s: %s" % (o["accepted"], getattr(e, "strerror", None) or e))


def shown_int(value):
    """An int as a message gives it: whole, unless it is too long to read."""
    if value.bit_length() <= 200:
        return "%d" % value
    return "an int of about %d digits" % (value.bit_length() * 0.30103 + 1)


def checked_values(o, state, values):
    """Gives each (value, first, count) to the workload's check(); fails on
    a wrong one.  True if checked, False if the workload has no check.  A
    DETERMINISTIC workload's value that check() accepted in an earlier run
    (--accepted) is accepted by that equality instead: every value is still
    checked, the costly way once."""
    workload = o["workload"]
    accepted = accepted_values(o)
    settings = json.dumps(o["params"], sort_keys=True, separators=(",", ":")) if accepted is not None else ""
    newly = []
    if not workload.checked:
        return False
    for value, first, count in values:
        line = "%s\t%d\t%d\t%x" % (settings, first, count, value)
        if accepted is not None and line in accepted:
            continue
        try:
            verdict = workload.check(state, first, count, value)
        except BaseException as e:
            fail("%s: check(state, %d, %d, value) raised %s" % (workload.shown, first, count, last_line(e)))
        if type(verdict).__name__ == "bool_":  # NumPy's, from (a == b).all()
            verdict = bool(verdict)
        if verdict is not True and verdict is not False:
            usage("%s: check() returned %s, not True or False%s" % (
                workload.shown, "None" if verdict is None else "a " + type(verdict).__name__,
                ": does it end with return?" if verdict is None else ""))
        if not verdict:
            fail("wrong result: %s's units [%d, %d) gave %s, which its check rejects (mode %s, %d workers, "
                 "%d units)" % (workload.name, first, first + count, shown_int(value), o["mode"], o["workers"],
                                o["units"]))
        newly.append(line)
    if accepted is not None and newly:
        try:
            with open(o["accepted"], "a") as f:
                f.write("".join(line + "\n" for line in newly))
        except OSError as e:
            fail("cannot append to --accepted file %s: %s" % (o["accepted"], e.strerror))
    return True


def run(argv):
    o = parse_run(argv)
    if o["error_log"]:
        try:
            log = os.open(o["error_log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as e:
            usage("cannot open --error-log file %s: %s" % (o["error_log"], e.strerror))
        os.dup2(log, 2)
        os.close(log)
    # A crash of the interpreter (a C extension's segfault) says what it was
    # in the log ("Fatal Python error: Segmentation fault"), where the
    # sweep finds the run's line; hyperfine only knows that a signal came.
    import faulthandler
    faulthandler.enable()
    check_mode(o)
    if o["dry_run"]:
        return dry_run(o)
    fault = (pool.parse_fault(os.environ.get("PYRUN_TEST_FAULT", ""))
             if o["dispatch"] == "pool" or o["mode"] in ("interp",) + tuple(START_METHODS) else None)
    if o["dispatch"] == "pool":
        check_pool(o)
    check_input_copies(o)
    if o["timeout"]:
        RUN_LIMIT["seconds"] = o["timeout"]
        signal.signal(signal.SIGALRM, on_timeout)
        signal.alarm(o["timeout"])
    sys.setswitchinterval(o["interval"] / 1e6)
    workload, workers, units = o["workload"], o["workers"], o["units"]
    # A forked or spawned worker, or a subinterpreter, touches its own copies.
    private = o["mode"] != "gil" and o["mode"] != "threads"
    setup_started = time.perf_counter()
    try:
        state = workload.setup(o["params"], private)
    except BaseException as e:
        fail("%s: setup() raised %s" % (workload.name, last_line(e)))
    setup_seconds = time.perf_counter() - setup_started
    # A run that fails from here on still tears its state down.
    AT_FAILURE.append(lambda: workload.teardown(state))
    gil_came_back(o["mode"], "the workload's setup")

    if o["dispatch"] == "pool":
        seconds, records, values, (before, after), children, started = pool.run_pool(o, workload, state, fault)
        tasks = len(values)
        # (value sum, first start, busy seconds) per worker that ran a task;
        # a worker that got none was busy 0 s.
        own = [r[2] for r in records] + [0.0] * max(0, workers - len(records))
        memory = None
    else:
        seconds, records, (before, after), children, started, memory = run_region(o, state, fault)
        tasks = 0
        own = [r[2] - r[1] for r in records]
        values = [(r[0], r[3], r[4]) for r in records]
    gil_came_back(o["mode"], "the run")

    if workload.after:
        problem = workload.after(state, units)
        if problem:
            fail(problem)
    check_started = time.perf_counter()
    checked = checked_values(o, state, values)
    check_seconds = time.perf_counter() - check_started
    try:
        extra = workload.figures(state)
    except BaseException as e:
        fail("%s: figures() raised %s" % (workload.name, last_line(e)))
    AT_FAILURE.clear()
    try:
        workload.teardown(state)
    except BaseException as e:
        fail("%s: teardown() raised %s" % (workload.name, last_line(e)))
    threads_left(workload)
    signal.alarm(0)  # the run's limit covers its checks and teardown too
    checksum = sum(r[0] for r in records) & MASK
    line = {
        "workload": workload.name, "mode": o["mode"], "workers": workers, "units": units,
        "weak": False, "dispatch": o["dispatch"], "chunksize": o["chunksize"], "tasks": tasks,
        "seconds": seconds,
        "startup_seconds": max(r[1] for r in records) - started,
        "setup_seconds": setup_seconds, "check_seconds": check_seconds,
        "worker_seconds_min": min(own), "worker_seconds_max": max(own),
        "worker_seconds_total": sum(own),
        "cpu_user_seconds": after.ru_utime - before.ru_utime + children.ru_utime,
        "cpu_sys_seconds": after.ru_stime - before.ru_stime + children.ru_stime,
        "max_rss_kib": max(after.ru_maxrss, children.ru_maxrss),
        "involuntary_switches": after.ru_nivcsw - before.ru_nivcsw + children.ru_nivcsw,
        "checksum": "%x" % checksum, "checked": checked, "switch_interval_us": o["interval"],
        "gil_switches": None, "gil_wait_seconds": None, "gil_hold_seconds": None,
        "gil_drop_requests": None,
        "params": o["params"],
        "python": "%s %s" % (sys.implementation.name, sys.version.split()[0]),
        "gil_enabled": gil_enabled(),
    }
    if memory is not None:
        line.update(pss_total_kib=memory["pss_total_kib"], rss_peak_total_kib=memory["rss_peak_total_kib"])
    if o["dispatch"] == "pool":
        line.update(task_arg_bytes=o["task_arg_bytes"], task_result_bytes=o["task_result_bytes"])
    line.update({k: v for k, v in extra.items() if k not in line})
    line = json.dumps(line, separators=(",", ":")) + "\n"
    if o["append"]:
        try:
            with open(o["append"], "a") as f:
                f.write(line)
        except OSError as e:
            fail("cannot append to %s: %s" % (o["append"], e.strerror))
    sys.stdout.write(line)
    sys.stdout.flush()
    return 0


def list_files(argv):
    """One line per workload file, tab-separated: name, default units, unit,
    checked or unchecked (whether it has a check), description; read without
    running the files.  A bad file's line is: name - - bad why."""
    if argv:
        usage("list takes no options")
    lines = []
    for name in workload_files.file_names() + workload_files.file_names(valid=False):
        problem = workload_files.name_problem(name)
        if problem is None:
            try:
                w = workload_files.declarations(name)
            except workload_files.BadFile as e:
                problem = str(e)
            except Exception as e:  # whatever reading it raised: that file's line, not the listing's end
                problem = "%s: cannot be read: %s" % (workload_files.shown_path(workload_files.file_path(name)),
                                                     last_line(e))
        if problem is not None:
            lines.append("%s\t-\t-\tbad\t%s" % (workload_files.shown_name(name), one_field(problem)))
            continue
        checked = "checked" if "check" in w.functions else "unchecked"
        lines.append("%s\t%d\t%s\t%s\t%s" % (name, w.units, w.unit, checked, one_field(w.description)))
    sys.stdout.buffer.write("".join(line + "\n" for line in lines).encode("utf-8", "backslashreplace"))
    return 0


def one_field(text):
    """text as one field of a tab-separated line."""
    return workload_files.CONTROL.sub(" ", text)


def check_file(argv):
    """What a sweep asks of a Python workload before its first point: the
    file loaded, its state made, unit 0 done and checked, its state torn
    down, in a child process of its own (its own process group, stdin from
    /dev/null, its output read here) that this one watches, so that
    whatever the file does costs one line: it raises, returns no verdict,
    exits, is killed by a signal, or runs past --timeout S (default 120),
    its whole group is stopped.  Silent and exit 0 when good; else one line
    and exit 2 (1: it failed or died; 3: an import this Python lacks; 124:
    timed out)."""
    options = read_options("check", argv, {"--workload", "--param", "--timeout"})
    limit = parse_whole("--timeout", options.get("--timeout", "120"), 1, 86400)
    name = options.get("--workload") or ""
    shown = name
    if workload_files.NAME.match(name) and os.path.isfile(workload_files.file_path(name)):
        shown = workload_files.shown_path(workload_files.file_path(name))
    what = "%s: its check (setup(), work() on unit 0, check())" % shown
    done_read, done_write = os.pipe()
    output_read, output_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        os.close(done_read)
        os.close(output_read)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_write, 1)
        os.dup2(output_write, 2)
        try:
            check_in_child(options)
        except BaseException as e:  # sys.exit() in the file, or anything it let out
            fail("%s ended with %s" % (what, last_line(e)))
        os.write(done_write, b"done")
        os._exit(0)
    os.close(done_write)
    os.close(output_write)
    try:
        os.setpgid(child, child)
    except OSError:
        pass  # the child did it first, or is gone already
    deadline = time.monotonic() + limit
    received = {done_read: b"", output_read: b""}  # the last 64 KiB of each
    unread = [done_read, output_read]

    def take(timeout):
        """Reads what the child wrote by now; False when nothing was ready."""
        if not unread:  # both ends closed: only the wait remains
            time.sleep(timeout)
            return False
        ready = select.select(unread, [], [], timeout)[0]
        for fd in ready:
            chunk = os.read(fd, 65536)
            if chunk:
                received[fd] = (received[fd] + chunk)[-65536:]
            else:
                unread.remove(fd)
        return bool(ready)

    status = None
    while status is None:
        take(0.05)
        pid, waited = os.waitpid(child, os.WNOHANG)
        if pid:
            status = waited
        elif time.monotonic() > deadline:
            stop_group(child)
            fail("%s did not end within %d s (--timeout) and was stopped: does work() wait for something "
                 "(input, a thread, a process) or loop forever?" % (what, limit), 124)
    while take(0):
        pass
    told, output = received[done_read], received[output_read]
    stop_group(child)  # what the check started and left in its group
    said = [line for line in output.decode("utf-8", "replace").splitlines() if line.startswith("gilbench: ")]
    if said and not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        sys.stderr.write(said[-1] + "\n")
        sys.stderr.flush()
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
    if os.WIFSIGNALED(status):
        fail("%s was killed by %s" % (what, signal_name(os.WTERMSIG(status))))
    if os.WEXITSTATUS(status) != 0:
        fail("%s exited with status %d without a message" % (what, os.WEXITSTATUS(status)))
    if told != b"done":
        fail("%s exited with status 0 before it ended: does the file call os._exit()?" % what)
    return 0


def stop_group(leader):
    """SIGKILL to the process group of leader, and leader reaped if it is
    not yet."""
    try:
        os.killpg(leader, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(leader, 0)
    except ChildProcessError:
        pass


def check_in_child(options):
    """The check itself: one line and the exit status on stderr if bad."""
    workload = workload_files.load(options.get("--workload"), UNAVAILABLE)
    params = workload_params(workload, options["params"], UNAVAILABLE)
    shown = workload.shown
    try:
        state = workload.setup(params, False)
    except BaseException as e:
        fail("%s: setup() raised %s" % (shown, last_line(e)))
    outcome = ways.do_share(workload, state, 0, 1)
    if outcome[0] == "bad":
        usage(outcome[1])
    if outcome[0] == "error":
        fail("%s: work(state, 0, 1) raised %s" % (shown, outcome[1]))
    o = {"workload": workload, "mode": "gil", "workers": 1, "units": 1}
    checked_values(o, state, [(outcome[1], 0, 1)])
    try:
        workload.teardown(state)
    except BaseException as e:
        fail("%s: teardown() raised %s" % (shown, last_line(e)))
    threads_left(workload)


def threads_left(workload):
    """A workload that leaves a thread running that is not a daemon one
    would keep a program from exiting: one line, exit 1."""
    import threading
    left = [t for t in threading.enumerate()
            if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if left:
        fail("%s: %d thread%s that work() or setup() started %s still running after the run (not daemon "
             "threads: a program would wait for them at exit); join them, or start them with daemon=True"
             % (workload.shown, len(left), "" if len(left) == 1 else "s", "is" if len(left) == 1 else "are"))


def main(argv):
    commands = {"run": run, "list": list_files, "check": check_file}
    if not argv or argv[0] not in commands:
        usage("pyrun.py needs a command: run, list or check; see its header")
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
