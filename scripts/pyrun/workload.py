"""workload.py - what the runner needs of a workload, whichever kind it is:
a file under workloads/ (workload_files.py) or one of the studies'
built-in workloads (study_workloads.py) both give a Workload; and the
check every way makes of what work() returned (value_problem).
"""
import os


class Workload:
    """What the runner needs of a workload.  A file's functions are its
    own; a built-in one's come from study_workloads.py and also take the
    'private' flag (whether the worker's objects are its own copies)."""

    def __init__(self, name, description, unit, units, settings, path=None, chunksize=1, deterministic=False):
        self.name, self.description, self.unit, self.units = name, description, unit, units
        self.settings, self.path, self.chunksize = settings, path, chunksize
        self.deterministic = deterministic
        self.module = None
        self.functions = set()  # a file's top-level functions
        self.measures_memory = False  # its figures include every process's memory
        self.after = None  # a built-in's check of what the run left in the main process
        self.idle_workers_measured = False  # a worker with no unit still does what it measures (starting)
        self.run_shape = None  # the run's workers, units, mode and dispatch (a dict), set before setup()

    # The calls below are the runner's; a file's optional ones may be absent.
    def setup(self, params, private):
        fn = self._function("setup")
        return dict(params) if fn is None else fn(dict(params))

    def work(self, state, first, count):
        return self.module.work(state, first, count)

    def check(self, state, first, count, value):
        """None if the workload has no check, else True or False."""
        fn = self._function("check")
        return None if fn is None else fn(state, first, count, value)

    def teardown(self, state):
        fn = self._function("teardown")
        if fn is not None:
            fn(state)

    def task_payload(self, params):
        fn = self._function("task_payload")
        return (0, 0) if fn is None else fn(dict(params))

    def figures(self, state):
        fn = self._function("figures")
        return {} if fn is None else fn(state)

    @property
    def checked(self):
        return self._function("check") is not None

    @property
    def shown(self):
        """How messages name it: its file, else its name."""
        return shown_path(self.path) if self.path else self.name

    def _function(self, name):
        return getattr(self.module, name, None) if self.module is not None else None


def shown_path(path):
    """A file's path as messages give it: from the current folder when it
    is below it, else whole."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def value_problem(workload, value, first, count):
    """None if value is what work() must return (an int), else why not."""
    if type(value) is int:
        return None
    return ("%s: work(state, %d, %d) returned %s, not an int: return a count or a checksum of what it did"
            % (workload.shown, first, count,
               "None" if value is None else "a " + type(value).__name__))
