"""run.py - `run`: one timed run of a workload under one of Python's ways,
its values checked, its JSON line written (the engine's fields, as
`gilbench run` writes them).
"""
import json
import os
import resource
import signal
import sys
import time

from . import pool, ways
from .options import START_METHODS, check_input_copies, check_mode, check_pool, gil_came_back, gil_enabled, parse_run
from .runner_common import AT_FAILURE, MASK, UNAVAILABLE, fail, last_line, usage
from .values import checked_values, threads_left

RUN_LIMIT = {"seconds": 0}  # the run's --timeout, for its message


def on_timeout(signum, frame):
    fail("timed out: the run took longer than %d s (--timeout) and was stopped" % RUN_LIMIT["seconds"], 124)


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
    # What a built-in workload whose workers differ (convoy) is told of the run.
    workload.run_shape = {"workers": workers, "units": units, "mode": o["mode"], "dispatch": o["dispatch"]}
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
