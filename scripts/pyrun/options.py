"""options.py - a run's options read and checked before anything runs: the
workload and its settings, the mode and whether this Python can run it,
the dispatch, units and payloads, and what the machine must hold (idle
workers, a pool's task count and memory, shared_input's copies).  A bad
option is one line and exit 2; a way this Python lacks is exit 3 under
--dry-run.
"""
import sys

from . import ways, workload_files
from .runner_common import UNAVAILABLE, fail, usage

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
