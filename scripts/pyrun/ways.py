"""ways.py - the Python ways of running a share of the units per worker
(dispatch shares): threading.Thread, multiprocessing.Process with the fork,
forkserver or spawn start method, and subinterpreters with a GIL each.

Each returns one record per worker, (value, started, finished, first,
count): work()'s value for the worker's share, its perf_counter times.  A
worker that raises fails the run with the exception's last line, naming
the worker; one whose work() returns no int is a bad workload (exit 2); a
process that dies fails it naming its signal or status.  The others are
stopped first; nothing is left behind.
"""
import os
import signal
import threading
import time

from . import workload_files
from .process_memory import measure_memory
from .runner_common import fail, last_line, share, signal_name, usage
from .workload import value_problem

# What a forked worker inherits: the run's workload and state, set before
# its processes start.
CURRENT = {}


def do_share(workload, state, first, count):
    """("ok", value, started, finished), ("bad", why) or ("error", line)."""
    started = time.perf_counter()
    try:
        value = workload.work(state, first, count)
    except BaseException as e:  # sys.exit() in work() too
        return ("error", last_line(e))
    finished = time.perf_counter()
    problem = value_problem(workload, value, first, count)
    return ("bad", problem) if problem else ("ok", value, started, finished)


def run_threads(workload, state, workers, units):
    outcomes = [None] * workers

    def body(index):
        first, count = share(units, workers, index)
        outcomes[index] = do_share(workload, state, first, count) + (first, count)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [record("worker %d" % i, outcome) for i, outcome in enumerate(outcomes)]


def record(who, outcome):
    """A worker's (value, started, finished, first, count), or the run's end."""
    if outcome is None:
        fail("%s ended without a result" % who)
    if outcome[0] == "bad":
        usage(outcome[1])
    if outcome[0] == "error":
        fail("%s raised %s" % (who, outcome[1]))
    return outcome[1:]


# ---- processes: fork, forkserver, spawn ----

def process_worker(name, params, index, first, count, conn, rebuild, hold, fault):
    """A worker process: its share, its outcome through conn, then (hold)
    waiting for a word from conn while the run reads its memory.  A process
    that is not forked (rebuild) inherits nothing: it loads the workload and
    makes its state from the settings, as a subinterpreter does, and tears
    it down after.  fault: fail here (a test)."""
    if fault == ("crash", index):
        os.kill(os.getpid(), signal.SIGKILL)
    if rebuild:
        workload = workload_files.load(name)
        state = workload.setup(params, True)
    else:
        workload, state = CURRENT["workload"], CURRENT["state"]
    if fault == ("raise", index):
        outcome = ("error", "RuntimeError: test fault: worker %d raised" % index)
    else:
        outcome = do_share(workload, state, first, count)
    if rebuild:
        workload.teardown(state)
    conn.send(outcome)
    if hold and outcome[0] == "ok":
        conn.recv()
    conn.close()
    if outcome[0] != "ok":
        os._exit(1)


def run_processes(workload, state, params, workers, units, context, memory, fault):
    """multiprocessing.Process per worker, from context (fork, forkserver or
    spawn).  With memory (a dict), the workers wait after their results
    until the memory of every process of the run is read."""
    rebuild = context.get_start_method() != "fork"
    CURRENT.update(workload=workload, state=state)
    pipes, processes, shares = [], [], []
    for i in range(workers):
        first, count = share(units, workers, i)
        receive, send = context.Pipe(duplex=memory is not None)
        p = context.Process(target=process_worker,
                            args=(workload.name, params, i, first, count, send, rebuild, memory is not None, fault))
        p.start()
        send.close()
        pipes.append(receive)
        processes.append(p)
        shares.append((first, count))
    outcomes = []
    for receive in pipes:
        try:
            outcomes.append(receive.recv())
        except EOFError:
            outcomes.append(None)
        if outcomes[-1] is None or outcomes[-1][0] != "ok":
            break
    failed = next((i for i, o in enumerate(outcomes) if o is None or o[0] != "ok"), None)
    if failed is None and memory is not None:
        measure_memory([os.getpid()] + [p.pid for p in processes], memory)
        for receive in pipes:
            receive.send(0)
    if failed is not None:
        # The others are stopped first (a held one waits for a release that
        # will not come), then the one that failed says why.
        p, outcome = processes[failed], outcomes[failed]
        for other in processes:
            if other is not p and other.is_alive():
                other.kill()
                other.join()
        p.join()
        who = "worker %d (pid %d)" % (failed, p.pid)
        if outcome is None:
            fail("%s %s" % (who, "killed by " + signal_name(-p.exitcode) if p.exitcode < 0
                            else "exited with status %d" % p.exitcode if p.exitcode
                            else "exited without sending its result"))
        record(who, outcome)
    results = []
    for i, p in enumerate(processes):
        p.join()
        if p.exitcode != 0:
            for other in processes:
                if other.is_alive():
                    other.kill()
                    other.join()
            fail("worker %d (pid %d) %s after its result" % (i, p.pid, "killed by " + signal_name(-p.exitcode)
                 if p.exitcode < 0 else "exited with status %d" % p.exitcode))
        results.append(outcomes[i][1:] + shares[i])
    return results


# ---- subinterpreters with a GIL each (PEP 684) ----
# Each worker is a thread that creates an interpreter of its own
# (_interpreters, CPython 3.13, with the isolated configuration: its own
# GIL) and runs its share there: the interpreter imports the runner and the
# workload and rebuilds the state, since objects cannot be shared between
# interpreters; its outcome comes back as one line through a pipe of its
# own.  Every interpreter is destroyed after the timed region.

INTERP_CODE = """
import sys
sys.path.insert(0, %(dir)r)
from pyrun import ways
ways.%(call)s
"""


def interpreters_module():
    """CPython's _interpreters, or None where this Python has none."""
    try:
        import _interpreters
    except ImportError:
        return None
    return _interpreters


def interp_code(call):
    # The folder that holds the package, as __main__.py puts it on sys.path.
    return INTERP_CODE % {"dir": os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "call": call}


def interp_worker(name, params, first, count, fd, fault, release):
    """In a subinterpreter: the workload loaded and its state made here,
    the share, and 'ok value started finished' (the value in hexadecimal) (or 'bad why') written to
    fd; then, if release is a file descriptor, waiting for one byte from it
    (while the run reads its memory).  fault: raise here (a test)."""
    if fault:
        raise RuntimeError("test fault: interpreter %d raised" % fault[1])
    workload = workload_files.load(name)
    state = workload.setup(params, True)
    # An exception propagates: exec() returns it, its type and message kept.
    started = time.perf_counter()
    value = workload.work(state, first, count)
    finished = time.perf_counter()
    workload.teardown(state)
    problem = value_problem(workload, value, first, count)
    # The value in hexadecimal: decimal text of an int over 4300 digits is refused (sys.set_int_max_str_digits)
    os.write(fd, ("bad %s\n" % problem if problem else "ok %x %r %r\n" % (value, started, finished)).encode())
    if release >= 0:
        os.read(release, 1)


def interp_probe(name, params):
    """In a subinterpreter: the workload loaded and, for a file, its state
    made and torn down: what --dry-run asks of a subinterpreter."""
    workload = workload_files.load(name)
    if workload.path:
        workload.teardown(workload.setup(params, True))


def snapshot_line(excinfo):
    """The last line of an exception raised in a subinterpreter."""
    text = getattr(excinfo, "formatted", None) or "%s: %s" % (
        getattr(getattr(excinfo, "type", None), "__name__", "Exception"), getattr(excinfo, "msg", ""))
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1] if lines else "an exception"


def probe_interpreter(interpreters, name, params):
    """None if a subinterpreter can load the workload (and set it up), else why not."""
    try:
        interp = interpreters.create("isolated")
    except Exception as e:
        return "no subinterpreter could be created: %s" % last_line(e)
    try:
        excinfo = interpreters.exec(interp, interp_code("interp_probe(%r, %r)" % (name, params)))
        return None if excinfo is None else snapshot_line(excinfo)
    finally:
        interpreters.destroy(interp)


def run_interpreters(interpreters, workload, params, workers, units, fault, memory):
    """Returns (records, interpreter ids); the caller destroys the
    interpreters after the region.  With memory (a dict), every
    interpreter waits after its result until this process's memory is
    read, its state still alive."""
    pipes = [os.pipe() for _ in range(workers)]
    releases = [os.pipe() if memory is not None else (-1, -1) for _ in range(workers)]
    ids, errors = [None] * workers, [None] * workers

    def body(index):
        first, count = share(units, workers, index)
        try:
            ids[index] = interpreters.create("isolated")
            call = "interp_worker(%r, %r, %d, %d, %d, %r, %d)" % (
                workload.name, params, first, count, pipes[index][1],
                fault if fault == ("raise", index) else None, releases[index][0])
            excinfo = interpreters.exec(ids[index], interp_code(call))
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
            lines.append(f.readline().decode().rstrip("\n"))
    if memory is not None:
        if all(line.startswith("ok ") for line in lines):
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
        fields = line.split()
        if line.startswith("bad "):
            destroy_interpreters(interpreters, ids)
            usage(line[4:])
        if errors[index] or len(fields) != 4 or fields[0] != "ok":
            destroy_interpreters(interpreters, ids)
            fail("interpreter %d: %s" % (index, errors[index] or "it sent no result"))
        results.append((int(fields[1], 16), float(fields[2]), float(fields[3])) + share(units, workers, index))
    return results, ids


def destroy_interpreters(interpreters, ids):
    for interp in ids:
        if interp is not None:
            try:
                interpreters.destroy(interp)
            except Exception as e:
                fail("could not destroy interpreter %s: %s" % (interp, last_line(e)))
