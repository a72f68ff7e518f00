"""values.py - what a run's values must pass after the region: each given to
the workload's check() (or accepted by equality when check() accepted it in
an earlier run of a DETERMINISTIC workload, --accepted FILE), and no thread
the workload started left running.
"""
import json

from .runner_common import fail, last_line, usage

def accepted_values(o):
    """The values check() accepted in earlier runs, as a set of (settings,
    first, count, value) lines, for a DETERMINISTIC workload run with
    --accepted FILE (the sweep's: one per workload); else None."""
    if not o.get("accepted") or not o["workload"].deterministic:
        return None
    try:
        with open(o["accepted"]) as f:
            return set(line.rstrip("\n") for line in f)
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as e:
        fail("cannot read --accepted file %s: %s" % (o["accepted"], getattr(e, "strerror", None) or e))


def shown_int(value):
    """An int as a message gives it: whole, unless it is too long to read."""
    if value.bit_length() <= 200:
        return "%d" % value
    return "an int of about %d digits" % (value.bit_length() * 0.30103 + 1)


def checked_values(o, state, values):
    """Gives each (value, first, count) to the workload's check(); fails on
    a wrong one.  True if checked, False if the workload has no check.  A
    DETERMINISTIC workload's value that check() accepted in an earlier run
    (--accepted) is accepted by that equality instead: every value is still
    checked, the costly way once."""
    workload = o["workload"]
    accepted = accepted_values(o)
    settings = json.dumps(o["params"], sort_keys=True, separators=(",", ":")) if accepted is not None else ""
    newly = []
    if not workload.checked:
        return False
    for value, first, count in values:
        line = "%s\t%d\t%d\t%x" % (settings, first, count, value)
        if accepted is not None and line in accepted:
            continue
        try:
            verdict = workload.check(state, first, count, value)
        except BaseException as e:
            fail("%s: check(state, %d, %d, value) raised %s" % (workload.shown, first, count, last_line(e)))
        if type(verdict).__name__ == "bool_":  # NumPy's, from (a == b).all()
            verdict = bool(verdict)
        if verdict is not True and verdict is not False:
            usage("%s: check() returned %s, not True or False%s" % (
                workload.shown, "None" if verdict is None else "a " + type(verdict).__name__,
                ": does it end with return?" if verdict is None else ""))
        if not verdict:
            fail("wrong result: %s's units [%d, %d) gave %s, which its check rejects (mode %s, %d workers, "
                 "%d units)" % (workload.name, first, first + count, shown_int(value), o["mode"], o["workers"],
                                o["units"]))
        newly.append(line)
    if accepted is not None and newly:
        try:
            with open(o["accepted"], "a") as f:
                f.write("".join(line + "\n" for line in newly))
        except OSError as e:
            fail("cannot append to --accepted file %s: %s" % (o["accepted"], e.strerror))
    return True


def threads_left(workload):
    """A workload that leaves a thread running that is not a daemon one
    would keep a program from exiting: one line, exit 1."""
    import threading
    left = [t for t in threading.enumerate()
            if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if left:
        fail("%s: %d thread%s that work() or setup() started %s still running after the run (not daemon "
             "threads: a program would wait for them at exit); join them, or start them with daemon=True"
             % (workload.shown, len(left), "" if len(left) == 1 else "s", "is" if len(left) == 1 else "are"))
