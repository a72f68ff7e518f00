"""pool.py - the pool dispatch (--dispatch pool): the units as tasks of
chunksize units, run by a persistent concurrent.futures executor of N
workers (ThreadPoolExecutor, or ProcessPoolExecutor with the fork start
method), warmed before the clock; each task's argument and result payloads
really built, moved and compared byte for byte.  See cli.py's header for
what is timed and how chunksize maps onto executor.map.
"""
import os
import resource
import signal
import struct
import threading
import time

from .gilbench_kit import MASK, unit_checksum
from .runner_common import MAIN_PID, fail, last_line, usage
from .workload import value_problem

WARM_UP_TIMEOUT_S = 60
ARG_SALT, RESULT_SALT = 0x61726700, 0x72657300  # which payload: argument, result

# What a pool's workers need, set before the executor exists: threads share
# it, forked processes inherit it (tasks carry only their index, units and
# payload).
POOL = {}


class PayloadMismatch(Exception):
    pass


class BadWorkload(Exception):
    """work() returned what it must not: the workload's fault (exit 2)."""


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
    workload = POOL["workload"]
    value = workload.work(POOL["state"], first, count)
    problem = value_problem(workload, value, first, count)
    if problem:
        raise BadWorkload(problem)
    result = None
    if POOL["result_bytes"]:
        result = payload_bytes(index, POOL["result_bytes"], RESULT_SALT)
        if fault == ("corrupt-result", index):
            result = flip_one_byte(result)
    if fault == ("wrong-index", index):
        index += 1
    return index, value, worker_id(), started, time.perf_counter(), result

def pool_tasks(units, chunksize, arg_bytes, fault):
    """The tasks, each (index, first unit, units, argument payload)."""
    tasks = []
    for index, first in enumerate(range(0, units, chunksize)):
        argument = payload_bytes(index, arg_bytes, ARG_SALT) if arg_bytes else None
        if fault == ("corrupt-arg", index) and argument:
            argument = flip_one_byte(argument)
        tasks.append((index, first, min(chunksize, units - first), argument))
    return tasks


def run_pool(o, workload, state, fault):
    """Dispatch pool: returns (seconds, per-worker records, per-task
    records, rusage of this process over the region, rusage of the reaped
    children, the region's start)."""
    import concurrent.futures
    workers = o["workers"]
    POOL.update(workload=workload, state=state, fault=fault,
                arg_bytes=o["task_arg_bytes"], result_bytes=o["task_result_bytes"])
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
    except BaseException as e:
        abandon("the pool's %d workers did not all start: %s" % (workers, last_line(e)))
    if len(set(ids)) != workers:
        abandon("the pool's warm-up ran on %d workers, not %d" % (len(set(ids)), workers))
    tasks = pool_tasks(o["units"], o["chunksize"], POOL["arg_bytes"], fault)

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    try:
        results = list(executor.map(pool_task, tasks, chunksize=1))
    except BadWorkload as e:
        executor.shutdown(wait=False, cancel_futures=True)
        usage(str(e))
    except BaseException as e:  # a task's SystemExit too
        abandon("a task failed: %s" % last_line(e))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    executor.shutdown(wait=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    per_worker, per_task = pool_results(tasks, results)
    return seconds, per_worker, per_task, (before, after), children, started


def pool_results(tasks, results):
    """Checks every result's place and payload once, in submission order,
    and turns them into one (value sum, first start, busy seconds) per
    worker of the pool, and one (value, first, count) per task for the
    workload's check."""
    if len(results) != len(tasks):
        fail("the pool returned %d results for %d tasks" % (len(results), len(tasks)))
    per_worker, per_task = {}, []
    for position, result in enumerate(results):
        index, value, worker, started, ended, payload = result
        if index != position:
            fail("the pool's result %d is task %d's" % (position, index))
        if POOL["result_bytes"]:
            problem = payload_problem("result", index, payload, POOL["result_bytes"], RESULT_SALT)
            if problem:
                fail(problem)
        total, first, busy = per_worker.get(worker, (0, started, 0.0))
        per_worker[worker] = ((total + value) & MASK, min(first, started), busy + ended - started)
        per_task.append((value, tasks[index][1], tasks[index][2]))
    return list(per_worker.values()), per_task


