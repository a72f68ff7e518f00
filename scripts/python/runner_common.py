"""runner_common.py - what every part of the Python runner (pyrun.py) shares:
its one-line failures and their exit statuses, the last line of an
exception, and how U units are cut into one share per worker.

Exit statuses, as the engine's: 1 a failed run, 2 bad usage (or a bad
workload file), 3 (--dry-run only) this Python cannot run the point's way
here, 124 timed out.
"""
import os
import sys
import traceback

MASK = (1 << 64) - 1
MAIN_PID = os.getpid()
UNAVAILABLE = 3


def fail(message, status=1):
    """One line on stderr and the exit status; the worker processes of a
    failed or timed-out run do not outlive it."""
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


def last_line(error):
    """An exception's last line: 'Type: message'."""
    lines = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()
    return lines[-1] if lines else type(error).__name__


def share(units, workers, index):
    """Worker index's share of units: (first unit, count), the first
    units % workers workers one unit more, as the engine cuts them."""
    base, extra = divmod(units, workers)
    count = base + (1 if index < extra else 0)
    first = base * index + (index if index < extra else extra)
    return first, count
