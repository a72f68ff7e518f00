"""study_workloads.py - the studies' own Python workloads, built into the
runner rather than files under workloads/ because they measure the runner's
ways themselves (what a thread, a process or an interpreter costs to start
and to hold an input) and need what a file cannot give: whether a worker's
objects are its own copies, a check of the main process's list after the
run, and the memory of every process read while all are alive.

  shared_objects  1000 appends per unit, items.append(None) on one list
                  every worker shares (a forked worker's is its own copy),
                  each after work_per_append (1) of cpu_loop's iterations;
                  no append may be lost
  own_objects     the same on a list each unit makes for itself
  startup         an empty unit (the run measures starting the workers)
  shared_input    a size_mib input read one MiB chunk a unit: a bytearray
                  (write=0) or float objects (write=1); pss_total_kib and
                  rss_peak_total_kib are read while every worker is alive
  convoy          convoy.c's twin (make calibrate's mechanism table):
                  worker 0's blocking waits of server_us (1000) with the
                  GIL released beside K-1 workers running cpu_loop's loop;
                  the threads of one process only (gil, threads; shares)
"""
import os
import select
import sys
import time

from .gilbench_kit import LCG_A, LCG_C, MASK, lcg_jump, lcg_seed, unit_checksum, units_checksum
from .runner_common import usage
from .workload import Workload

ITERATIONS_PER_UNIT = 1000


class BuiltIn(Workload):
    """A workload of per-unit functions: value(unit, state) and its
    independent expectation expected(unit, state); the checksum of a range
    is their unit checksums summed, as the engine's."""

    def __init__(self, name, description, unit, units, settings, value, expected, make=None):
        Workload.__init__(self, name, description, unit, units, settings)
        self.value, self.expected, self.make = value, expected, make

    def setup(self, params, private):
        state = dict(params, private=private)
        if self.make:
            self.make(state)
        return state

    def work(self, state, first, count):
        return units_checksum(first, count, lambda unit: self.value(unit, state))

    def check(self, state, first, count, value):
        return value == units_checksum(first, count, lambda unit: self.expected(unit, state))

    @property
    def checked(self):
        return True


# ---- shared_objects, own_objects ----
# cpu_loop's iteration, then an append to a list: one list that every
# worker shares (made before the workers start; each forked process appends
# to its own copy) or a list the unit makes for itself.  list.append locks
# the list on a free-threaded build, and taking a reference to a list
# another thread made is an atomic add there.

def make_shared_list(state):
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


def shared_list_complete(state, units):
    """None if the one list the threads share holds every append (a forked
    worker's appends went to its own copy, checked as it went), else why not."""
    if not state["private"] and len(state["items"]) != units * ITERATIONS_PER_UNIT:
        return ("lost appends: the shared list holds %d items, the workers appended %d"
                % (len(state["items"]), units * ITERATIONS_PER_UNIT))
    return None


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


def make_input(state):
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


# ---- convoy ----
# convoy.c in Python: worker 0 (the share that starts at unit 0) makes every
# unit's round trip, timed from before the GIL is released to after it is
# taken back; workers 1 .. K-1 run cpu_loop's iteration (each loop back-edge
# is a check point of the eval loop) until worker 0 is done.  The same start
# gate: a pipe, one byte from each CPU-bound worker after its first
# iteration (holding the GIL), read by worker 0 with the GIL released before
# its first round trip.
# One difference: convoy.c's round trip is a request to an echo process that
# answers server_us later; here it is time.sleep(server_us), which releases
# and re-takes the GIL as socket.recv() does.  An echo process in Python
# would be a process of the same interpreter, whose own GIL (taken and
# dropped three times a round trip) the tracer, `gilbench gil-trace`, follows
# with the run's.  As convoy.c's echo does, the sleeping thread asks for a
# timer slack of 1 ns (prctl), so that it wakes when the answer is due.

CONVOY_GATE_SECONDS = 30  # plus 10 intervals a worker, as convoy.c waits


def convoy_value(unit):
    return (unit * 2654435761 + 12345) & MASK


def tight_timer_slack():
    """This thread's timer slack to 1 ns where Linux's prctl is reachable;
    nothing happens elsewhere (the waits are then up to 50 us longer)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(29, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0),
                                                ctypes.c_ulong(0))  # PR_SET_TIMERSLACK
    except (OSError, AttributeError, ImportError):
        pass


def percentile(values, p):
    """stats_percentile of bench/stats/stats.c: linear between ranks."""
    ordered = sorted(values)
    rank = p / 100.0 * (len(ordered) - 1)
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


class Convoy(BuiltIn):
    """Worker 0's work differs from the others': it needs the run's worker
    and unit counts (run_shape), and shares its state with them (threads)."""

    def __init__(self):
        BuiltIn.__init__(self, "convoy", "one I/O worker's blocking waits beside K-1 CPU-bound workers: the "
                         "GIL's convoy effect", "one round trip of server_us", 100,
                         {"server_us": (1000, 0, 1000000)}, None, None)

    def setup(self, params, private):
        run = self.run_shape or {"workers": 1, "units": None, "mode": "gil", "dispatch": "shares"}
        if private or run["dispatch"] != "shares":
            usage("convoy runs as the threads of one process sharing its state: modes gil and threads, "
                  "dispatch shares (not %s)" % (run["mode"] if private else "a pool"))
        gate = os.pipe()
        return dict(params, workers=run["workers"], units=run["units"], gate=gate, done=[False], latencies=[],
                    elapsed=None)

    def work(self, state, first, count):
        if first != 0:
            return self.cpu_worker(state, first)
        if state["units"] is None:  # a check of one unit (pyrun check)
            state["units"] = count
        try:
            return self.io_worker(state)
        finally:
            state["done"][0] = True  # the CPU-bound workers stop, whatever happened

    def io_worker(self, state):
        tight_timer_slack()
        gate, need = state["gate"][0], state["workers"] - 1
        patience = CONVOY_GATE_SECONDS + 10 * sys.getswitchinterval() * state["workers"]
        deadline = time.monotonic() + patience
        while need > 0:  # blocked at the gate with the GIL released, as in accept()
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([gate], [], [], left)[0]:
                if time.monotonic() >= deadline:
                    raise RuntimeError("%d of the %d CPU-bound workers did not start within %.0f s"
                                       % (need, state["workers"] - 1, patience))
                continue
            need -= len(os.read(gate, need))
        seconds, latencies, total = state["server_us"] / 1e6, state["latencies"], 0
        started = time.perf_counter()
        for unit in range(state["units"]):
            t0 = time.perf_counter()
            time.sleep(seconds)
            latencies.append(time.perf_counter() - t0)
            total = (total + unit_checksum(unit, convoy_value(unit))) & MASK
        state["elapsed"] = time.perf_counter() - started
        return total

    def cpu_worker(self, state, first):
        x = lcg_seed(first)
        a, c, mask, done = LCG_A, LCG_C, MASK, state["done"]
        x = (x * a + c) & mask
        os.write(state["gate"][1], b"\1")  # running, and it has held the GIL
        while not done[0]:
            x = (x * a + c) & mask
        return 0  # worker 0 returns every unit's checksum, as in convoy.c

    def check(self, state, first, count, value):
        if first != 0:
            return value == 0
        return value == units_checksum(0, state["units"], convoy_value)

    def teardown(self, state):
        for fd in state["gate"]:
            try:
                os.close(fd)
            except OSError:
                pass

    def figures(self, state):
        latencies = state["latencies"]
        if not latencies or not state["elapsed"]:
            return {}
        return {"round_trips_per_s": len(latencies) / state["elapsed"],
                "latency_p50_us": percentile(latencies, 50) * 1e6, "latency_p99_us": percentile(latencies, 99) * 1e6}


def shared_objects():
    w = BuiltIn("shared_objects", "appends to one list every worker shares", "1000 appends", 3000,
                {"work_per_append": (1, 1, 1000)}, shared_objects_unit, appends_expected, make_shared_list)
    w.after = shared_list_complete
    return w


def own_objects():
    return BuiltIn("own_objects", "appends to a list of each unit's own", "1000 appends", 3000,
                   {"work_per_append": (1, 1, 1000)}, own_objects_unit, appends_expected)


def startup():
    w = BuiltIn("startup", "an empty unit: what starting the workers costs", "nothing", 1, {},
                lambda unit, state: unit, lambda unit, state: unit)
    w.idle_workers_measured = True  # a worker's starting is the work
    return w


def shared_input():
    w = BuiltIn("shared_input", "a large input every worker reads", "one MiB chunk", 256,
                {"size_mib": (256, 1, 16384), "write": (0, 0, 1)}, shared_input_unit, shared_input_expected,
                make_input)
    w.measures_memory = True
    return w


BUILT_IN = {"shared_objects": shared_objects, "own_objects": own_objects, "startup": startup,
            "shared_input": shared_input, "convoy": Convoy}
