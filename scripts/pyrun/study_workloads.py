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
"""
from .gilbench_kit import LCG_A, LCG_C, MASK, lcg_jump, lcg_seed, units_checksum
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
            "shared_input": shared_input}
