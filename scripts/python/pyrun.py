"""pyrun.py - the shipped workloads written in Python, run the way
`gilbench run` runs them, for `make calibrate`: the model's modes beside the
real thing on the same machine.

    python3 pyrun.py run --workload cpu_loop|io_wait|blas_dgemm
                         --mode gil|threads|procs [--workers N] [--units U]
                         [--switch-interval-us US] [--param NAME=VALUE]
                         [--append-json FILE] [--error-log FILE] [--timeout S]

Modes are Python's own: gil = threading.Thread under CPython's GIL, threads =
threading.Thread on a free-threaded CPython (3.13t with the GIL off), procs =
multiprocessing processes with the fork start method.  The options, the
units and the JSON line are those of `gilbench run`, so `make bench` times
this script with hyperfine like the engine; the GIL counters, which CPython
does not keep, are null.  Exit status: 0, 1 (a failed run), 2 (bad usage),
124 (timed out), as for the engine.

The workloads, unit for unit:
  cpu_loop    1000 iterations of a 64-bit LCG step; every loop back-edge is
              a check point of CPython's eval loop, as in the model
  io_wait     one time.sleep(sleep_us), which releases the GIL
  blas_dgemm  one n x n numpy.matmul (OpenBLAS dgemm, GIL released)
Each unit's value is checked against an independent expectation (a closed
form of the LCG; the sum of A @ B from A's column sums and B's row sums), and
the run fails on a mismatch, like the engine.
"""
import json
import os
import resource
import signal
import sys
import threading
import time

MASK = (1 << 64) - 1
LCG_A = 6364136223846793005
LCG_C = 1442695040888963407
ITERATIONS_PER_UNIT = 1000
MAX_WORKERS = 4096

WORKLOADS = {
    # name: (default units, {setting: (default, min, max)})
    "cpu_loop": (6000, {}),
    "io_wait": (32, {"sleep_us": (10000, 1, 10000000)}),
    "blas_dgemm": (96, {"n": (384, 16, 8192)}),
}


MAIN_PID = os.getpid()


def fail(message, status=1):
    """One line on stderr and the exit status; the workers of a failed or
    timed-out run in the procs mode do not outlive it."""
    sys.stderr.write("gilbench: %s\n" % message)
    sys.stderr.flush()
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing and os.getpid() == MAIN_PID:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
    os._exit(status)


def usage(message):
    fail(message, 2)


def unit_checksum(unit, value):
    """gb_unit_checksum of workload.h: splitmix64's finaliser over unit and value."""
    z = (unit * 0x9E3779B97F4A7C15 + value) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


# ---- cpu_loop ----

def lcg_seed(unit):
    return (unit * 0x9E3779B97F4A7C15 + 1) & MASK


def cpu_loop_unit(unit, state):
    x = lcg_seed(unit)
    a, c, mask = LCG_A, LCG_C, MASK
    for _ in range(ITERATIONS_PER_UNIT):
        x = (x * a + c) & mask
    return x


def cpu_loop_expected(unit, state):
    """The state after ITERATIONS_PER_UNIT steps, by repeated squaring of the map."""
    big_a, big_c, pa, pc = 1, 0, LCG_A, LCG_C
    n = ITERATIONS_PER_UNIT
    while n:
        if n & 1:
            big_a, big_c = (pa * big_a) & MASK, (pa * big_c + pc) & MASK
        pc, pa = (pa * pc + pc) & MASK, (pa * pa) & MASK
        n >>= 1
    return (big_a * lcg_seed(unit) + big_c) & MASK


# ---- io_wait ----

def io_wait_unit(unit, state):
    time.sleep(state["sleep_us"] / 1e6)
    return (unit * 2654435761 + 12345) & MASK


def io_wait_expected(unit, state):
    return (unit * 2654435761 + 12345) & MASK


# ---- blas_dgemm ----

def blas_setup(state):
    import numpy  # only this workload needs NumPy
    n = state["n"]
    i = numpy.arange(n).reshape(n, 1)
    j = numpy.arange(n).reshape(1, n)
    # Small integers in [-2, 2]: every product and sum is exact in doubles.
    state["a"] = ((i * 7 + j * 3) % 5 - 2).astype(numpy.float64)
    state["b"] = ((i * 5 + j * 11) % 5 - 2).astype(numpy.float64)
    col_a = state["a"].sum(axis=0).astype(numpy.int64)
    row_b = state["b"].sum(axis=1).astype(numpy.int64)
    state["total"] = int((col_a * row_b).sum())


def blas_unit(unit, state):
    c = state["a"] @ state["b"]
    return (int(c.sum()) + unit) & MASK


def blas_expected(unit, state):
    return (state["total"] + unit) & MASK


UNIT_FUNCTIONS = {
    "cpu_loop": (cpu_loop_unit, cpu_loop_expected, None),
    "io_wait": (io_wait_unit, io_wait_expected, None),
    "blas_dgemm": (blas_unit, blas_expected, blas_setup),
}


# ---- the run ----

def share(units, workers, index):
    base, extra = divmod(units, workers)
    count = base + (1 if index < extra else 0)
    first = base * index + (index if index < extra else extra)
    return first, count


def work(workload, state, first, count):
    unit_fn = UNIT_FUNCTIONS[workload][0]
    checksum = 0
    for unit in range(first, first + count):
        checksum = (checksum + unit_checksum(unit, unit_fn(unit, state))) & MASK
    return checksum


def run_threads(workload, state, workers, units):
    results = [None] * workers

    def body(index):
        started = time.perf_counter()
        first, count = share(units, workers, index)
        checksum = work(workload, state, first, count)
        results[index] = (checksum, started, time.perf_counter())

    threads = [threading.Thread(target=body, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if any(r is None for r in results):
        fail("a worker thread failed (see above)")
    return results


def run_processes(workload, state, workers, units, context):
    pipes, processes = [], []

    def body(index, conn):
        started = time.perf_counter()
        first, count = share(units, workers, index)
        checksum = work(workload, state, first, count)
        conn.send((checksum, started, time.perf_counter()))
        conn.close()

    for i in range(workers):
        receive, send = context.Pipe(duplex=False)
        p = context.Process(target=body, args=(i, send))
        p.start()
        send.close()
        pipes.append(receive)
        processes.append(p)
    results = []
    for i, (receive, p) in enumerate(zip(pipes, processes)):
        try:
            results.append(receive.recv())
        except EOFError:
            results.append(None)
        p.join()
        if p.exitcode != 0 or results[-1] is None:
            for other in processes:
                if other.is_alive():
                    other.kill()
            how = ("killed by signal %d" % -p.exitcode if p.exitcode and p.exitcode < 0
                   else "exited with status %s" % p.exitcode)
            fail("worker %d (pid %d) %s" % (i, p.pid, how))
    return results


def gil_enabled():
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else check()


def parse_whole(option, text, low, high):
    if not text.isdigit():
        usage("%s '%s' is not a whole number; accepted: %d to %d" % (option, text, low, high))
    value = int(text)
    if not low <= value <= high:
        usage("%s %d is out of range; accepted: %d to %d" % (option, value, low, high))
    return value


def parse_options(argv):
    if not argv or argv[0] != "run":
        usage("pyrun.py needs the command run; see its header")
    options = {"workers": 1, "interval": 5000, "params": [], "timeout": 0}
    names = {"--workload", "--mode", "--workers", "--units", "--switch-interval-us",
             "--param", "--append-json", "--error-log", "--timeout"}
    i = 1
    while i < len(argv):
        arg = argv[i]
        name, equals, value = arg.partition("=")
        if name not in names:
            usage("unknown option '%s' for run" % arg)
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
    workload = options.get("--workload")
    if workload not in WORKLOADS:
        usage("unknown --workload '%s'; accepted: %s" % (workload, ", ".join(WORKLOADS)))
    mode = options.get("--mode")
    if mode not in ("gil", "threads", "procs"):
        usage("unknown --mode '%s'; accepted: gil, threads, procs" % mode)
    default_units, settings = WORKLOADS[workload]
    state = {name: spec[0] for name, spec in settings.items()}
    for text in options["params"]:
        name, equals, value = text.partition("=")
        if not equals or name not in settings:
            usage("workload %s has no setting '%s'; accepted: %s"
                  % (workload, name, ", ".join(settings) or "none"))
        state[name] = parse_whole("--param " + name, value, settings[name][1], settings[name][2])
    return {
        "workload": workload, "mode": mode, "state": state,
        "workers": parse_whole("--workers", str(options.get("--workers", 1)), 1, MAX_WORKERS),
        "units": parse_whole("--units", options["--units"], 1, 10**12)
        if "--units" in options else default_units,
        "interval": parse_whole("--switch-interval-us", str(options.get("--switch-interval-us", 5000)),
                                1, 1000000),
        "append": options.get("--append-json"),
        "error_log": options.get("--error-log"),
        "timeout": parse_whole("--timeout", str(options.get("--timeout", 0)), 0, 86400),
    }


def on_timeout(signum, frame):
    fail("timed out: the run took longer than its --timeout and was stopped", 124)


def main(argv):
    o = parse_options(argv)
    if o["error_log"]:
        try:
            log = os.open(o["error_log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as e:
            usage("cannot open --error-log file %s: %s" % (o["error_log"], e.strerror))
        os.dup2(log, 2)
        os.close(log)
    if o["mode"] == "threads" and gil_enabled():
        usage("mode threads needs a free-threaded Python with the GIL off (python3.13t, "
              "PYTHON_GIL=0); %s has a GIL" % sys.executable)
    if o["mode"] != "threads" and not gil_enabled():
        usage("mode %s models CPython with its GIL; %s runs without one" % (o["mode"], sys.executable))
    if o["timeout"]:
        signal.signal(signal.SIGALRM, on_timeout)
        signal.alarm(o["timeout"])
    sys.setswitchinterval(o["interval"] / 1e6)
    workload, state, workers, units = o["workload"], o["state"], o["workers"], o["units"]
    setup = UNIT_FUNCTIONS[workload][2]
    if setup:
        setup(state)

    if o["mode"] == "procs":
        # Imported before the timed region, which a user's script does too.
        import multiprocessing
        context = multiprocessing.get_context("fork")

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if o["mode"] == "procs":
        results = run_processes(workload, state, workers, units, context)
    else:
        results = run_threads(workload, state, workers, units)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    signal.alarm(0)

    checksum = sum(r[0] for r in results) & MASK
    expected_fn = UNIT_FUNCTIONS[workload][1]
    expected = sum(unit_checksum(u, expected_fn(u, state)) for u in range(units)) & MASK
    if checksum != expected:
        fail("wrong result: %s computed checksum %d, expected %d (mode %s, %d workers, %d units)"
             % (workload, checksum, expected, o["mode"], workers, units))
    own = [r[2] - r[1] for r in results]
    line = json.dumps({
        "workload": workload, "mode": o["mode"], "workers": workers, "units": units,
        "weak": False, "seconds": seconds,
        "startup_seconds": max(r[1] for r in results) - started,
        "worker_seconds_min": min(own), "worker_seconds_max": max(own),
        "worker_seconds_total": sum(own),
        "cpu_user_seconds": after.ru_utime - before.ru_utime + children.ru_utime,
        "cpu_sys_seconds": after.ru_stime - before.ru_stime + children.ru_stime,
        "max_rss_kib": max(after.ru_maxrss, children.ru_maxrss),
        "involuntary_switches": after.ru_nivcsw - before.ru_nivcsw + children.ru_nivcsw,
        "checksum": "%x" % checksum, "switch_interval_us": o["interval"],
        "gil_switches": None, "gil_wait_seconds": None, "gil_hold_seconds": None,
        "gil_drop_requests": None,
        "params": {k: v for k, v in state.items() if k in WORKLOADS[workload][1]},
        "python": "%s %s" % (sys.implementation.name, sys.version.split()[0]),
        "gil_enabled": gil_enabled(),
    }, separators=(",", ":")) + "\n"
    if o["append"]:
        try:
            with open(o["append"], "a") as f:
                f.write(line)
        except OSError as e:
            fail("cannot append to %s: %s" % (o["append"], e.strerror))
    sys.stdout.write(line)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
