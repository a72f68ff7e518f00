"""runner_common.py - what every part of the Python runner (pyrun) shares:
its one-line failures and their exit statuses, the last line of an
exception, and how U units are cut into one share per worker.

Exit statuses, as the engine's: 1 a failed run, 2 bad usage (or a bad
workload file), 3 (--dry-run only) this Python cannot run the point's way
here, 124 timed out.
"""
import os
import signal
import sys
import traceback

MASK = (1 << 64) - 1
MAIN_PID = os.getpid()
UNAVAILABLE = 3


# What a failed run still does before it ends (the workload's teardown):
# callables, each run once, in the main process only.
AT_FAILURE = []


def fail(message, status=1):
    """One line on stderr and the exit status; the worker processes of a
    failed or timed-out run do not outlive it, the workload's teardown
    (AT_FAILURE) runs, for at most 10 s, and multiprocessing's temporary
    folder (a pymp-* of the fork server's) is removed."""
    sys.stderr.write("gilbench: %s\n" % message)
    sys.stderr.flush()
    if os.getpid() != MAIN_PID:
        os._exit(status)
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
    if AT_FAILURE:
        signal.signal(signal.SIGALRM, lambda signum, frame: os._exit(status))
        signal.alarm(10)
        while AT_FAILURE:
            try:
                AT_FAILURE.pop()()
            except BaseException:
                pass  # the run has failed already; its line is said
        signal.alarm(0)
    util = sys.modules.get("multiprocessing.util")
    if util is not None and hasattr(util, "_run_finalizers"):
        try:
            util._run_finalizers()  # what multiprocessing does at a normal exit: its temporary folder
        except BaseException:
            pass
    os._exit(status)


def signal_name(number):
    """'signal 11 (SIGSEGV)'."""
    try:
        return "signal %d (%s)" % (number, signal.Signals(number).name)
    except ValueError:
        return "signal %d" % number


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
