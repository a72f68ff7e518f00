"""pyrun.py - the shipped workloads written in Python, run the way
`gilbench run` runs them, for `make calibrate`: the model's modes beside the
real thing on the same machine.

    python3 pyrun.py run --workload cpu_loop|io_wait|blas_dgemm|shared_objects|own_objects|startup|shared_input
                         --mode gil|threads|procs|spawn|interp [--workers N] [--units U]
                         [--dispatch shares|pool] [--chunksize C]
                         [--task-arg-kib K] [--task-result-kib K]
                         [--switch-interval-us US] [--param NAME=VALUE]
                         [--append-json FILE] [--error-log FILE] [--timeout S] [--dry-run]

Modes are Python's own: gil = threading under CPython's GIL, threads = the
same on a free-threaded CPython (3.13t or later with the GIL off,
PYTHON_GIL=0), procs = multiprocessing with the fork start method, spawn =
the same with the spawn start method (each process rebuilds the workload's
state from its settings; shares only; no engine counterpart), interp =
a subinterpreter with a GIL of its own per worker, each run by a thread
(CPython 3.13's _interpreters, shares only; see run_interpreters).  The
options, the units and the JSON line are those of `gilbench run`, so
`make bench` times this script with hyperfine like the engine; the GIL
counters, which CPython does not keep, are null.  Exit status: 0, 1 (a
failed run), 2 (bad usage), 124 (timed out), as for the engine; --dry-run
checks the options and the interpreter and runs nothing.

Dispatch: how the units reach the workers.
  shares (the default)  each of the N workers gets one share of the U units,
      threading.Thread(target=f, args=(share,)) or multiprocessing.Process,
      started and joined inside the timed region.
  pool --chunksize C (default 1, executor.map's; 1 to 10^9)  the units become
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
  1 GiB; default 0) give each task's argument and result a bytes object of
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
  under procs and spawn (shares), raise:K and crash:K make worker K raise
  or die by SIGKILL before its work.

  Figures under pool: startup_seconds is the latest of the workers' first
  task starts after the clock started (dispatch latency, not starting: the
  workers exist already); worker_seconds_* are the workers' busy times, the
  sums of their tasks' own durations (0 for a worker that got no task); the
  CPU times and peak RSS of pool processes are those of their whole lives
  (warm-up and exit included: they are reaped at shutdown).

The JSON line has, beside the engine's fields, "dispatch" ("shares" or
"pool"), "chunksize" and "tasks" (both 0 under shares) and, under pool,
"task_arg_bytes" and "task_result_bytes".

The workloads, unit for unit:
  cpu_loop    1000 iterations of a 64-bit LCG step; every loop back-edge is
              a check point of CPython's eval loop, as in the model
  io_wait     one time.sleep(sleep_us), which releases the GIL
  blas_dgemm  one n x n OpenBLAS dgemm with the GIL released: numpy.matmul
              where NumPy imports, else cblas_dgemm through ctypes (the
              JSON line's "blas" says which)
  shared_objects  1000 appends, items.append(None) on one list all
              workers share (a forked worker's is its own copy), each after
              work_per_append (1) of cpu_loop's iterations; no append may be
              lost
  own_objects the same on a list each unit makes for itself
  startup     an empty unit (the run measures starting the workers)
  shared_input  a size_mib input read one MiB chunk a unit: a bytearray
              (write=0) or float objects (write=1); pss_total_kib and
              rss_peak_total_kib are read while every worker is alive
Each unit's value is checked against an independent expectation (a closed
form of the LCG; the sum of A @ B from A's column sums and B's row sums), and
the run fails on a mismatch, like the engine.
"""
import json
import os
import resource
import signal
import struct
import sys
import threading
import time
import traceback

MASK = (1 << 64) - 1
LCG_A = 6364136223846793005
LCG_C = 1442695040888963407
ITERATIONS_PER_UNIT = 1000
MAX_WORKERS = 4096
MAX_UNITS = 10**12
# As the engine's (bench/engine/run.h, bench/kit/workload.h):
MAX_CHUNKSIZE = 10**9
MAX_TASKS = 1 << 24
MAX_PAYLOAD_KIB = 1 << 20  # 1 GiB
WARM_UP_TIMEOUT_S = 60
ARG_SALT, RESULT_SALT = 0x61726700, 0x72657300  # which payload: argument, result

WORKLOADS = {
    # name: (default units, {setting: (default, min, max)})
    "cpu_loop": (6000, {}),
    "io_wait": (32, {"sleep_us": (10000, 1, 10000000)}),
    "blas_dgemm": (96, {"n": (384, 16, 8192)}),
    "shared_objects": (3000, {"work_per_append": (1, 1, 1000)}),
    "own_objects": (3000, {"work_per_append": (1, 1, 1000)}),
    "startup": (1, {}),
    "shared_input": (256, {"size_mib": (256, 1, 16384), "write": (0, 0, 1)}),
}
# Workloads whose figures include the memory of every process of the run,
# read while every worker is alive (see measure_memory).
MEMORY_WORKLOADS = {"shared_input"}


MODES = ("gil", "threads", "procs", "spawn", "interp")
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
    return lcg_jump(unit, ITERATIONS_PER_UNIT)


def lcg_jump(unit, n):
    """The state after n steps from the unit's seed, by repeated squaring of the map."""
    big_a, big_c, pa, pc = 1, 0, LCG_A, LCG_C
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
# Two paths to the same OpenBLAS dgemm: numpy.matmul where NumPy imports
# (Debian's python3), else cblas_dgemm called through ctypes (interpreters
# built from source have no NumPy).  Both release the GIL around the
# multiply: NumPy around matmul, ctypes around every foreign call.
# PYRUN_BLAS=numpy|ctypes chooses; by default NumPy when it imports.

CBLAS_ROW_MAJOR, CBLAS_NO_TRANS = 101, 111


def blas_entries(n):
    """A and B of the engine's blas_dgemm: small integers in [-2, 2], so
    that every product and sum is exact in doubles."""
    a = [float((i * 7 + j * 3) % 5 - 2) for i in range(n) for j in range(n)]
    b = [float((i * 5 + j * 11) % 5 - 2) for i in range(n) for j in range(n)]
    return a, b


def blas_expected_total(n, a, b):
    """sum(A @ B) = sum over k of (column k of A summed) x (row k of B summed)."""
    col_a = [sum(int(a[i * n + k]) for i in range(n)) for k in range(n)]
    row_b = [sum(int(b[k * n + j]) for j in range(n)) for k in range(n)]
    return sum(x * y for x, y in zip(col_a, row_b))


def openblas():
    """The OpenBLAS the engine links (its soname), with the three calls set
    up, and told to use one thread per caller as the engine does."""
    import ctypes
    import ctypes.util
    names = [os.environ.get("PYRUN_OPENBLAS"), "libopenblas.so.0", ctypes.util.find_library("openblas")]
    errors = []
    for name in [n for n in names if n]:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as e:
            errors.append(str(e))
    else:
        fail("blas_dgemm through ctypes: no OpenBLAS library could be loaded (%s); "
             "install with: apt-get install -y libopenblas0-pthread" % ("; ".join(errors) or "none found"))
    p, i, d = ctypes.POINTER(ctypes.c_double), ctypes.c_int, ctypes.c_double
    lib.cblas_dgemm.argtypes = [i, i, i, i, i, i, d, p, i, p, i, d, p, i]
    lib.cblas_dgemm.restype = None
    lib.cblas_dgemv.argtypes = [i, i, i, i, d, p, i, p, i, d, p, i]
    lib.cblas_dgemv.restype = None
    lib.cblas_ddot.argtypes = [i, p, i, p, i]
    lib.cblas_ddot.restype = d
    if hasattr(lib, "openblas_set_num_threads"):
        lib.openblas_set_num_threads(1)
    return lib


def blas_via():
    choice = os.environ.get("PYRUN_BLAS", "")
    if choice not in ("", "numpy", "ctypes"):
        usage("PYRUN_BLAS '%s' is not numpy or ctypes" % choice)
    if choice == "ctypes":
        return "ctypes"
    try:
        import numpy  # noqa: F401
        return "numpy"
    except ImportError:
        if choice == "numpy":
            usage("PYRUN_BLAS=numpy, but %s cannot import numpy" % sys.executable)
        return "ctypes"


def blas_setup(state):
    n = state["n"]
    a, b = blas_entries(n)
    state["total"] = blas_expected_total(n, a, b)
    state["via"] = blas_via()
    if state["via"] == "numpy":
        import numpy
        state["a"] = numpy.array(a).reshape(n, n)
        state["b"] = numpy.array(b).reshape(n, n)
    else:
        import ctypes
        state["lib"] = openblas()
        matrix, vector = ctypes.c_double * (n * n), ctypes.c_double * n
        state["a"], state["b"] = matrix(*a), matrix(*b)
        state["ones"] = vector(*([1.0] * n))
        state["matrix"], state["vector"] = matrix, vector


def blas_unit(unit, state):
    if state["via"] == "numpy":
        c = state["a"] @ state["b"]
        return (int(c.sum()) + unit) & MASK
    # C = A B, then its sum as ones . (C ones): three foreign calls, each
    # with the GIL released, and no Python loop over C's n^2 entries.
    n, lib = state["n"], state["lib"]
    c, row_sums = state["matrix"](), state["vector"]()
    lib.cblas_dgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, n, n, n,
                    1.0, state["a"], n, state["b"], n, 0.0, c, n)
    lib.cblas_dgemv(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, n, n, 1.0, c, n, state["ones"], 1, 0.0, row_sums, 1)
    return (int(lib.cblas_ddot(n, row_sums, 1, state["ones"], 1)) + unit) & MASK


def blas_expected(unit, state):
    return (state["total"] + unit) & MASK


# ---- shared_objects, own_objects ----
# cpu_loop's iteration, then an append to a list: one list that every
# worker shares (made here, by the main thread, before the workers start;
# each forked process appends to its own copy) or a list the unit makes for
# itself.  list.append locks the list on a free-threaded build, and taking
# a reference to a list another thread made is an atomic add there.

def shared_objects_setup(state):
    state["items"] = []


def shared_objects_unit(unit, state):
    x = lcg_seed(unit)
    a, c, mask, work = LCG_A, LCG_C, MASK, state["work_per_append"]
    items = state["items"]
    before = len(items)
    for _ in range(ITERATIONS_PER_UNIT):
        for _ in range(work):
            x = (x * a + c) & mask
        items.append(None)
    if state["private"] and len(items) - before != ITERATIONS_PER_UNIT:
        raise RuntimeError("lost appends: its list grew by %d items, it appended %d"
                           % (len(items) - before, ITERATIONS_PER_UNIT))
    return x


def own_objects_unit(unit, state):
    x = lcg_seed(unit)
    a, c, mask, work = LCG_A, LCG_C, MASK, state["work_per_append"]
    items = []
    for _ in range(ITERATIONS_PER_UNIT):
        for _ in range(work):
            x = (x * a + c) & mask
        items.append(None)
    if len(items) != ITERATIONS_PER_UNIT:
        raise RuntimeError("lost appends: its list holds %d items, it appended %d"
                           % (len(items), ITERATIONS_PER_UNIT))
    return x


def appends_expected(unit, state):
    return lcg_jump(unit, ITERATIONS_PER_UNIT * state["work_per_append"])


def shared_objects_after(state, units):
    """The one list the threads share holds every append (a forked worker's
    appends went to its own copy, checked as it went)."""
    if not state["private"] and len(state["items"]) != units * ITERATIONS_PER_UNIT:
        fail("lost appends: the shared list holds %d items, the workers appended %d"
             % (len(state["items"]), units * ITERATIONS_PER_UNIT))


# ---- startup ----
# An empty unit whose value is its index: what the run measures is starting
# the workers (startup_seconds), as the engine's startup does.

def startup_unit(unit, state):
    return unit


# ---- shared_input ----
# A large input made once by setup and read by every worker, one MiB chunk
# per unit.  write=0: a bytearray (a buffer, as a NumPy array's data is):
# reading it changes nothing, so forked workers keep sharing its pages; a
# unit reads one byte of each 4 KiB page of its chunk.  write=1: the same
# size as float objects in a list: reading an object changes its reference
# count, in its header, so a forked worker copies every page of objects it
# reads (the engine's write=1 models this); a unit sums its chunk's floats.
# Spawned workers and subinterpreters share nothing: each builds its own.

PAGE_BYTES = 4096
FLOATS_PER_MIB = (1 << 20) // 32  # a float object is 24 bytes, its list slot 8


def shared_input_setup(state):
    size = state["size_mib"]
    if state["write"]:
        state["input"] = [float(i) for i in range(size * FLOATS_PER_MIB)]
        return
    pages = [bytes((value,)) * PAGE_BYTES for value in range(251)]
    data = bytearray(size << 20)
    for page in range(size << 8):
        data[page * PAGE_BYTES:(page + 1) * PAGE_BYTES] = pages[page % 251]
    state["input"] = data


def shared_input_unit(unit, state):
    if state["write"]:
        return int(sum(state["input"][unit * FLOATS_PER_MIB:(unit + 1) * FLOATS_PER_MIB]))
    with memoryview(state["input"]) as view:
        return sum(view[unit << 20:(unit + 1) << 20:PAGE_BYTES])


def shared_input_expected(unit, state):
    if state["write"]:
        first, end = unit * FLOATS_PER_MIB, (unit + 1) * FLOATS_PER_MIB
        return (first + end - 1) * (end - first) // 2
    return sum(page % 251 for page in range(unit << 8, (unit + 1) << 8))


def process_kib(pid, name, field):
    """A field of /proc/PID/NAME in KiB, or -1 where it cannot be read."""
    try:
        with open("/proc/%d/%s" % (pid, name)) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return -1


def measure_memory(pids, memory):
    """memory's pss_total_kib (Pss of smaps_rollup) and rss_peak_total_kib
    (VmHWM), each summed over pids (-1 where one is unknown), read while
    every one of them is alive (a process's share of a page grows when
    another exits), and the seconds the reading took, which the run leaves
    out of its timed region as the engine does."""
    began = time.perf_counter()
    pss = [process_kib(pid, "smaps_rollup", "Pss:") for pid in pids]
    hwm = [process_kib(pid, "status", "VmHWM:") for pid in pids]
    memory["pss_total_kib"] = -1 if min(pss) < 0 else sum(pss)
    memory["rss_peak_total_kib"] = -1 if min(hwm) < 0 else sum(hwm)
    memory["read_seconds"] = time.perf_counter() - began


UNIT_FUNCTIONS = {
    "cpu_loop": (cpu_loop_unit, cpu_loop_expected, None),
    "io_wait": (io_wait_unit, io_wait_expected, None),
    "blas_dgemm": (blas_unit, blas_expected, blas_setup),
    "shared_objects": (shared_objects_unit, appends_expected, shared_objects_setup),
    "own_objects": (own_objects_unit, appends_expected, None),
    "startup": (startup_unit, startup_unit, None),
    "shared_input": (shared_input_unit, shared_input_expected, shared_input_setup),
}
# What a workload checks once the run is over, in the main process.
AFTER_RUN = {"shared_objects": shared_objects_after}


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


# ---- the interp mode: subinterpreters with a GIL each (PEP 684) ----
# Each worker is a thread that creates an interpreter of its own
# (_interpreters, CPython 3.13, with the isolated configuration: its own
# GIL) and runs its share there: the interpreter imports this file and
# rebuilds the workload's state, since objects cannot be shared between
# interpreters; its result comes back as one line through a pipe of its own.
# Every interpreter is destroyed after the timed region.

INTERP_CODE = """
import sys
sys.path.insert(0, %(dir)r)
import pyrun
pyrun.interp_worker(%(workload)r, %(settings)r, %(first)d, %(count)d, %(fd)d, %(fault)r, %(release)d)
"""


def interpreters_module():
    """CPython's _interpreters, or None where this Python has none."""
    try:
        import _interpreters
    except ImportError:
        return None
    return _interpreters


def interp_worker(workload, settings, first, count, fd, fault, release):
    """In a subinterpreter: the workload's state made here, the share, and
    'checksum started finished' written to fd; then, if release is a file
    descriptor, waiting for one byte from it (while the run reads its
    memory).  fault: raise here (a test)."""
    if fault:
        raise RuntimeError("test fault: interpreter %d raised" % fault[1])
    state = dict(settings)
    setup = UNIT_FUNCTIONS[workload][2]
    if setup:
        setup(state)
    started = time.perf_counter()
    checksum = work(workload, state, first, count)
    os.write(fd, ("%d %r %r\n" % (checksum, started, time.perf_counter())).encode())
    if release >= 0:
        os.read(release, 1)


def snapshot_line(excinfo):
    """The last line of an exception raised in a subinterpreter."""
    text = getattr(excinfo, "formatted", None) or "%s: %s" % (
        getattr(getattr(excinfo, "type", None), "__name__", "Exception"), getattr(excinfo, "msg", ""))
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1] if lines else "an exception"


def run_interpreters(workload, state, workers, units, fault, memory):
    """Returns (results, interpreter ids): (checksum, started, finished) per
    worker; the caller destroys the interpreters after the region.  With
    memory (a dict), every interpreter waits after its result until this
    process's memory is read, its state still alive."""
    interpreters = POOL["interpreters"]
    settings = {k: v for k, v in state.items() if k in WORKLOADS[workload][1]}
    settings["private"] = True  # an interpreter's objects are its own
    pipes = [os.pipe() for _ in range(workers)]
    releases = [os.pipe() if memory is not None else (-1, -1) for _ in range(workers)]
    ids, errors = [None] * workers, [None] * workers

    def body(index):
        first, count = share(units, workers, index)
        try:
            ids[index] = interpreters.create("isolated")
            code = INTERP_CODE % {"dir": os.path.dirname(os.path.abspath(__file__)),
                                  "workload": workload, "settings": settings, "first": first,
                                  "count": count, "fd": pipes[index][1],
                                  "fault": fault if fault == ("raise", index) else None,
                                  "release": releases[index][0]}
            excinfo = interpreters.exec(ids[index], code)
            if excinfo is not None:
                errors[index] = snapshot_line(excinfo)
        except Exception as e:
            errors[index] = last_line(e)
        finally:
            os.close(pipes[index][1])

    threads = [threading.Thread(target=body, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    # One line each (or EOF when an interpreter failed), read while they run.
    lines = []
    for read_end, _ in pipes:
        with os.fdopen(read_end, "rb") as f:
            lines.append(f.readline().decode().split())
    if memory is not None:
        if all(len(line) == 3 for line in lines):
            measure_memory([os.getpid()], memory)
        for read_end, write_end in releases:
            os.write(write_end, b"x")
            os.close(write_end)
    for t in threads:
        t.join()
    for read_end, _ in releases:
        if read_end >= 0:
            os.close(read_end)
    results = []
    for index, line in enumerate(lines):
        if errors[index] or len(line) != 3:
            destroy_interpreters(ids)
            fail("interpreter %d: %s" % (index, errors[index] or "it sent no result"))
        results.append((int(line[0]), float(line[1]), float(line[2])))
    return results, ids


def destroy_interpreters(ids):
    for interp in ids:
        if interp is not None:
            try:
                POOL["interpreters"].destroy(interp)
            except Exception as e:
                fail("could not destroy interpreter %s: %s" % (interp, last_line(e)))


def process_worker(workload, state, index, first, count, conn, rebuild, hold, fault):
    """A worker process: its share, its result through conn, then (hold)
    waiting for a word from conn while the run reads its memory.  A spawned
    process (rebuild) inherits nothing: it makes the workload's state from
    its settings, as a subinterpreter does.  fault: die here (a test)."""
    if fault == ("crash", index):
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == ("raise", index):
        raise RuntimeError("test fault: worker %d raised" % index)
    if rebuild:
        state = dict(state, private=True)
        setup = UNIT_FUNCTIONS[workload][2]
        if setup:
            setup(state)
    started = time.perf_counter()
    checksum = work(workload, state, first, count)
    conn.send((checksum, started, time.perf_counter()))
    if hold:
        conn.recv()
    conn.close()


def run_processes(workload, state, workers, units, context, memory, fault):
    """multiprocessing.Process per worker (fork, or spawn: then the workload's
    settings are sent and each process rebuilds its state).  With memory (a
    dict), the workers wait after their results until the memory of every
    process of the run is read."""
    spawn = context.get_start_method() != "fork"
    given = {k: v for k, v in state.items() if k in WORKLOADS[workload][1]} if spawn else state
    pipes, processes = [], []
    for i in range(workers):
        first, count = share(units, workers, i)
        receive, send = context.Pipe(duplex=memory is not None)
        p = context.Process(target=process_worker,
                            args=(workload, given, i, first, count, send, spawn, memory is not None, fault))
        p.start()
        send.close()
        pipes.append(receive)
        processes.append(p)
    results = []
    for receive in pipes:
        try:
            results.append(receive.recv())
        except EOFError:
            break
    if memory is not None and len(results) == workers:
        measure_memory([os.getpid()] + [p.pid for p in processes], memory)
        for receive in pipes:
            receive.send(0)
    # The first worker that sent no result (its pipe closed: it died) fails
    # the run, the others killed first (held ones wait for a release that
    # will not come); else each is joined in order and the first that exited
    # badly fails it.
    order = ([len(results)] if len(results) < workers else []) + list(range(workers))
    for i in order:
        p = processes[i]
        p.join()
        if p.exitcode != 0 or i >= len(results):
            for other in processes:
                if other.is_alive():
                    other.kill()
                    other.join()
            how = ("killed by signal %d" % -p.exitcode if p.exitcode < 0
                   else "exited with status %d" % p.exitcode if p.exitcode
                   else "exited without sending its result")
            fail("worker %d (pid %d) %s" % (i, p.pid, how))
    return results


# ---- the pool (--dispatch pool) ----

# What a pool's workers need, set before the executor exists: threads share
# it, forked processes inherit it (tasks carry only their index, units and
# payload).
POOL = {}


class PayloadMismatch(Exception):
    pass


def payload_bytes(index, size, salt):
    """size bytes from task index: a 64-byte block of splitmix64 values of
    the index, repeated."""
    block = b"".join(struct.pack("<Q", unit_checksum(index, salt + j)) for j in range(8))
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


def first_difference(got, want):
    """The offset of the first byte where got and want differ (or the
    shorter one's length)."""
    a, b = memoryview(got), memoryview(want)
    n, at, step = min(len(a), len(b)), 0, 4096
    while at < n and a[at:at + step] == b[at:at + step]:
        at += step
    for i in range(at, min(at + step, n)):
        if a[i] != b[i]:
            return i
    return n


def payload_problem(what, index, got, size, salt):
    """None if got is the payload task index should carry, else a line
    saying where it differs."""
    want = payload_bytes(index, size, salt)
    if type(got) is bytes and got == want:
        return None
    if type(got) is not bytes:
        return "task %d's %s is a %s, not %d bytes" % (index, what, type(got).__name__, size)
    if len(got) != size:
        return "task %d's %s has %d bytes, not %d" % (index, what, len(got), size)
    return "task %d's %d-byte %s arrived changed: byte %d differs from the one %s" % (
        index, size, what, first_difference(got, want), "sent" if what == "argument" else "the worker built")


def flip_one_byte(data):
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0xFF
    return bytes(changed)


FAULTS = ("raise", "crash", "corrupt-arg", "corrupt-result", "wrong-index")


def parse_fault(text):
    """PYRUN_TEST_FAULT=KIND:K, a test hook (see the module's docstring)."""
    if not text:
        return None
    kind, colon, index = text.partition(":")
    if kind not in FAULTS or not colon or not index.isdigit():
        usage("PYRUN_TEST_FAULT '%s' is not KIND:TASK; kinds: %s" % (text, ", ".join(FAULTS)))
    return kind, int(index)


def worker_id():
    return os.getpid(), threading.get_ident()


def die_with_parent():
    """A pool process's initializer: it dies with the run, even a killed
    one (Linux's PR_SET_PDEATHSIG; elsewhere, nothing)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != MAIN_PID:  # the run ended before prctl
        os._exit(1)


def pool_warm(index):
    """One of the N warm-up tasks: it waits until N of them run at once, so
    that N distinct workers exist and have taken a task."""
    POOL["barrier"].wait(WARM_UP_TIMEOUT_S)
    return worker_id()


def pool_task(task):
    """One task: its units' checksum, its worker, its times and its result payload."""
    started = time.perf_counter()
    index, first, count, argument = task
    fault = POOL["fault"]
    if POOL["arg_bytes"]:
        problem = payload_problem("argument", index, argument, POOL["arg_bytes"], ARG_SALT)
        if problem:
            raise PayloadMismatch(problem)
    if fault == ("raise", index):
        raise RuntimeError("test fault: task %d raised" % index)
    if fault == ("crash", index):
        os.kill(os.getpid(), signal.SIGKILL)
    checksum = work(POOL["workload"], POOL["state"], first, count)
    result = None
    if POOL["result_bytes"]:
        result = payload_bytes(index, POOL["result_bytes"], RESULT_SALT)
        if fault == ("corrupt-result", index):
            result = flip_one_byte(result)
    if fault == ("wrong-index", index):
        index += 1
    return index, checksum, worker_id(), started, time.perf_counter(), result


def last_line(error):
    """An exception's last line: 'Type: message'."""
    lines = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()
    return lines[-1] if lines else type(error).__name__


def pool_tasks(units, chunksize, arg_bytes, fault):
    """The tasks, each (index, first unit, units, argument payload)."""
    tasks = []
    for index, first in enumerate(range(0, units, chunksize)):
        argument = payload_bytes(index, arg_bytes, ARG_SALT) if arg_bytes else None
        if fault == ("corrupt-arg", index) and argument:
            argument = flip_one_byte(argument)
        tasks.append((index, first, min(chunksize, units - first), argument))
    return tasks


def run_pool(o, fault):
    """Dispatch pool: returns (seconds, results, rusage of this process over
    the region, rusage of the reaped children, the region's start)."""
    import concurrent.futures
    workers = o["workers"]
    POOL.update(workload=o["workload"], state=o["state"], fault=fault,
                arg_bytes=o["task_arg_kib"] * 1024, result_bytes=o["task_result_kib"] * 1024)
    if o["mode"] == "procs":
        import multiprocessing
        context = multiprocessing.get_context("fork")
        POOL["barrier"] = context.Barrier(workers)
        executor = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=context, initializer=die_with_parent)
    else:
        POOL["barrier"] = threading.Barrier(workers)
        executor = concurrent.futures.ThreadPoolExecutor(workers)

    def abandon(message):
        executor.shutdown(wait=False, cancel_futures=True)
        fail(message)

    try:
        ids = list(executor.map(pool_warm, range(workers)))
    except Exception as e:
        abandon("the pool's %d workers did not all start: %s" % (workers, last_line(e)))
    if len(set(ids)) != workers:
        abandon("the pool's warm-up ran on %d workers, not %d" % (len(set(ids)), workers))
    tasks = pool_tasks(o["units"], o["chunksize"], POOL["arg_bytes"], fault)

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    try:
        results = list(executor.map(pool_task, tasks, chunksize=1))
    except Exception as e:
        abandon("a task failed: %s" % last_line(e))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    executor.shutdown(wait=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, pool_results(tasks, results), (before, after), children, started


def pool_results(tasks, results):
    """Checks every result once, in submission order, and turns them into
    one (checksum, first start, busy seconds) per worker of the pool, as
    the shares path's (checksum, start, end) per worker."""
    if len(results) != len(tasks):
        fail("the pool returned %d results for %d tasks" % (len(results), len(tasks)))
    per_worker = {}
    for position, result in enumerate(results):
        index, checksum, worker, started, ended, payload = result
        if index != position:
            fail("the pool's result %d is task %d's" % (position, index))
        if POOL["result_bytes"]:
            problem = payload_problem("result", index, payload, POOL["result_bytes"], RESULT_SALT)
            if problem:
                fail(problem)
        total, first, busy = per_worker.get(worker, (0, started, 0.0))
        per_worker[worker] = ((total + checksum) & MASK, min(first, started), busy + ended - started)
    return list(per_worker.values())


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


def parse_options(argv):
    if not argv or argv[0] != "run":
        usage("pyrun.py needs the command run; see its header")
    options = {"workers": 1, "interval": 5000, "params": [], "timeout": 0}
    names = {"--workload", "--mode", "--workers", "--units", "--switch-interval-us",
             "--param", "--append-json", "--error-log", "--timeout",
             "--dispatch", "--chunksize", "--task-arg-kib", "--task-result-kib", "--dry-run"}
    i = 1
    while i < len(argv):
        arg = argv[i]
        name, equals, value = arg.partition("=")
        if name not in names:
            usage("unknown option '%s' for run" % arg)
        if name == "--dry-run":
            if equals:
                usage("--dry-run takes no value")
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
    workload = options.get("--workload")
    if workload not in WORKLOADS:
        usage("unknown --workload '%s'; accepted: %s" % (workload, ", ".join(WORKLOADS)))
    mode = options.get("--mode")
    if mode not in MODES:
        usage("unknown --mode '%s'; accepted: %s" % (mode, ", ".join(MODES)))
    dispatch = options.get("--dispatch", "shares")
    if dispatch not in ("shares", "pool"):
        usage("unknown --dispatch '%s'; accepted: shares, pool" % dispatch)
    for name in ("--chunksize", "--task-arg-kib", "--task-result-kib"):
        if name in options and dispatch != "pool":
            usage("%s is for a pool's tasks, so it needs --dispatch pool, not %s" % (name, dispatch))
    default_units, settings = WORKLOADS[workload]
    state = {name: spec[0] for name, spec in settings.items()}
    for text in options["params"]:
        name, equals, value = text.partition("=")
        if not equals or name not in settings:
            usage("workload %s has no setting '%s'; accepted: %s"
                  % (workload, name, ", ".join(settings) or "none"))
        state[name] = parse_whole("--param " + name, value, settings[name][1], settings[name][2])
    units = (parse_whole("--units", options["--units"], 1, MAX_UNITS)
             if "--units" in options else default_units)
    if workload == "shared_input" and units > state["size_mib"]:
        usage("shared_input's --units %d exceed its input: a unit is one MiB chunk; give --units at most "
              "size_mib (--param size_mib=%d)" % (units, state["size_mib"]))
    return {
        "workload": workload, "mode": mode, "state": state, "dry_run": options.get("--dry-run", False),
        "workers": parse_whole("--workers", str(options.get("--workers", 1)), 1, MAX_WORKERS),
        "units": units,
        "dispatch": dispatch,
        "chunksize": parse_whole("--chunksize", options["--chunksize"], 1, MAX_CHUNKSIZE)
        if "--chunksize" in options else (1 if dispatch == "pool" else 0),
        "task_arg_kib": parse_whole("--task-arg-kib", options.get("--task-arg-kib", "0"), 0, MAX_PAYLOAD_KIB),
        "task_result_kib": parse_whole("--task-result-kib", options.get("--task-result-kib", "0"), 0,
                                       MAX_PAYLOAD_KIB),
        "interval": parse_whole("--switch-interval-us", str(options.get("--switch-interval-us", 5000)),
                                1, 1000000),
        "append": options.get("--append-json"),
        "error_log": options.get("--error-log"),
        "timeout": parse_whole("--timeout", str(options.get("--timeout", 0)), 0, 86400),
    }


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
    need = tasks * (o["task_arg_kib"] + o["task_result_kib"]) * 1024
    try:
        with open("/proc/meminfo") as f:
            available = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return
    if need > available:
        fail("the pool's payloads need %d MiB at once (%d tasks; executor.map submits them all "
             "before the first result), more than the %d MiB available"
             % (need >> 20, tasks, available >> 20))


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
    if o["mode"] == "interp":
        POOL["interpreters"] = interpreters_module()
        if POOL["interpreters"] is None:
            usage("mode interp needs subinterpreters with a GIL each (the _interpreters module of "
                  "CPython 3.13 or later); %s has none" % sys.executable)
        if o["dispatch"] == "pool":
            usage("mode interp runs shares only here: an executor of interpreters "
                  "(InterpreterPoolExecutor) is CPython 3.14's")
    if o["mode"] == "spawn" and o["dispatch"] == "pool":
        usage("mode spawn runs shares only here; the process pool is measured with fork (--mode procs)")
    if o["dry_run"]:
        return 0
    fault = (parse_fault(os.environ.get("PYRUN_TEST_FAULT", ""))
             if o["dispatch"] == "pool" or o["mode"] in ("interp", "procs", "spawn") else None)
    if o["dispatch"] == "pool":
        check_pool(o)
    if o["timeout"]:
        signal.signal(signal.SIGALRM, on_timeout)
        signal.alarm(o["timeout"])
    sys.setswitchinterval(o["interval"] / 1e6)
    workload, state, workers, units = o["workload"], o["state"], o["workers"], o["units"]
    # A forked or spawned worker, or a subinterpreter, touches its own copies.
    state["private"] = o["mode"] in ("procs", "spawn", "interp")
    setup = UNIT_FUNCTIONS[workload][2]
    if setup:
        setup(state)
    gil_came_back(o["mode"], "the workload's setup")

    if o["dispatch"] == "pool":
        seconds, results, (before, after), children, started = run_pool(o, fault)
        tasks = -(-units // o["chunksize"])
        # (checksum, first start, busy seconds) per worker that ran a task;
        # a worker that got none was busy 0 s.
        own = [r[2] for r in results] + [0.0] * max(0, workers - len(results))
    else:
        if o["mode"] in ("procs", "spawn"):
            # Imported before the timed region, which a user's script does too.
            import multiprocessing
            context = multiprocessing.get_context("fork" if o["mode"] == "procs" else "spawn")
            # And what the first Pipe() and Process.start() would import
            # inside the region (multiprocessing.connection alone takes
            # 10-30 ms): the region measures starting processes.
            import multiprocessing.connection
            if o["mode"] == "procs":
                import multiprocessing.popen_fork
            else:
                import multiprocessing.popen_spawn_posix
        memory = {} if workload in MEMORY_WORKLOADS else None

        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        interpreter_ids = []
        if o["mode"] in ("procs", "spawn"):
            results = run_processes(workload, state, workers, units, context, memory, fault)
        elif o["mode"] == "interp":
            results, interpreter_ids = run_interpreters(workload, state, workers, units, fault, memory)
        else:
            results = run_threads(workload, state, workers, units)
        seconds = time.perf_counter() - started - (memory or {}).get("read_seconds", 0)
        if memory is not None and o["mode"] in ("gil", "threads"):
            measure_memory([os.getpid()], memory)  # one process, its threads' input shared
        after = resource.getrusage(resource.RUSAGE_SELF)
        destroy_interpreters(interpreter_ids)  # after the region, as a pool's shutdown is
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        tasks = 0
        own = [r[2] - r[1] for r in results]
    signal.alarm(0)
    gil_came_back(o["mode"], "the run")

    if workload in AFTER_RUN:
        AFTER_RUN[workload](state, units)
    checksum = sum(r[0] for r in results) & MASK
    expected_fn = UNIT_FUNCTIONS[workload][1]
    expected = sum(unit_checksum(u, expected_fn(u, state)) for u in range(units)) & MASK
    if checksum != expected:
        fail("wrong result: %s computed checksum %d, expected %d (mode %s, %d workers, %d units)"
             % (workload, checksum, expected, o["mode"], workers, units))
    line = {
        "workload": workload, "mode": o["mode"], "workers": workers, "units": units,
        "weak": False, "dispatch": o["dispatch"], "chunksize": o["chunksize"], "tasks": tasks,
        "seconds": seconds,
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
    }
    if o["dispatch"] == "shares" and workload in MEMORY_WORKLOADS:
        line.update(pss_total_kib=memory["pss_total_kib"], rss_peak_total_kib=memory["rss_peak_total_kib"])
    if workload == "blas_dgemm":
        line["blas"] = "numpy.matmul" if state["via"] == "numpy" else "ctypes cblas_dgemm"
    if o["dispatch"] == "pool":
        line.update(task_arg_bytes=o["task_arg_kib"] * 1024, task_result_bytes=o["task_result_kib"] * 1024)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
