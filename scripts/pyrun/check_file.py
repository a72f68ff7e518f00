"""check_file.py - `check`: what a sweep asks of a Python workload before its
first point, in a child process that this one watches and bounds, so that
whatever the file does costs one line.
"""
import os
import select
import signal
import sys
import time

from . import ways, workload_files
from .options import parse_whole, read_options, workload_params
from .runner_common import UNAVAILABLE, fail, last_line, signal_name, usage
from .values import checked_values, threads_left

def check_file(argv):
    """What a sweep asks of a Python workload before its first point: the
    file loaded, its state made, unit 0 done and checked, its state torn
    down, in a child process of its own (its own process group, stdin from
    /dev/null, its output read here) that this one watches, so that
    whatever the file does costs one line: it raises, returns no verdict,
    exits, is killed by a signal, or runs past --timeout S (default 120),
    its whole group is stopped.  Silent and exit 0 when good; else one line
    and exit 2 (1: it failed or died; 3: an import this Python lacks; 124:
    timed out)."""
    options = read_options("check", argv, {"--workload", "--param", "--timeout"})
    limit = parse_whole("--timeout", options.get("--timeout", "120"), 1, 86400)
    name = options.get("--workload") or ""
    shown = name
    if workload_files.NAME.match(name) and os.path.isfile(workload_files.file_path(name)):
        shown = workload_files.shown_path(workload_files.file_path(name))
    what = "%s: its check (setup(), work() on unit 0, check())" % shown
    done_read, done_write = os.pipe()
    output_read, output_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        os.close(done_read)
        os.close(output_read)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_write, 1)
        os.dup2(output_write, 2)
        try:
            check_in_child(options)
        except BaseException as e:  # sys.exit() in the file, or anything it let out
            fail("%s ended with %s" % (what, last_line(e)))
        os.write(done_write, b"done")
        os._exit(0)
    os.close(done_write)
    os.close(output_write)
    try:
        os.setpgid(child, child)
    except OSError:
        pass  # the child did it first, or is gone already
    deadline = time.monotonic() + limit
    received = {done_read: b"", output_read: b""}  # the last 64 KiB of each
    unread = [done_read, output_read]

    def take(timeout):
        """Reads what the child wrote by now; False when nothing was ready."""
        if not unread:  # both ends closed: only the wait remains
            time.sleep(timeout)
            return False
        ready = select.select(unread, [], [], timeout)[0]
        for fd in ready:
            chunk = os.read(fd, 65536)
            if chunk:
                received[fd] = (received[fd] + chunk)[-65536:]
            else:
                unread.remove(fd)
        return bool(ready)

    status = None
    while status is None:
        take(0.05)
        pid, waited = os.waitpid(child, os.WNOHANG)
        if pid:
            status = waited
        elif time.monotonic() > deadline:
            stop_group(child)
            fail("%s did not end within %d s (--timeout) and was stopped: does work() wait for something "
                 "(input, a thread, a process) or loop forever?" % (what, limit), 124)
    while take(0):
        pass
    told, output = received[done_read], received[output_read]
    stop_group(child)  # what the check started and left in its group
    said = [line for line in output.decode("utf-8", "replace").splitlines() if line.startswith("gilbench: ")]
    if said and not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        sys.stderr.write(said[-1] + "\n")
        sys.stderr.flush()
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
    if os.WIFSIGNALED(status):
        fail("%s was killed by %s" % (what, signal_name(os.WTERMSIG(status))))
    if os.WEXITSTATUS(status) != 0:
        fail("%s exited with status %d without a message" % (what, os.WEXITSTATUS(status)))
    if told != b"done":
        fail("%s exited with status 0 before it ended: does the file call os._exit()?" % what)
    return 0


def stop_group(leader):
    """SIGKILL to the process group of leader, and leader reaped if it is
    not yet."""
    try:
        os.killpg(leader, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(leader, 0)
    except ChildProcessError:
        pass


def check_in_child(options):
    """The check itself: one line and the exit status on stderr if bad."""
    workload = workload_files.load(options.get("--workload"), UNAVAILABLE)
    params = workload_params(workload, options["params"], UNAVAILABLE)
    shown = workload.shown
    try:
        state = workload.setup(params, False)
    except BaseException as e:
        fail("%s: setup() raised %s" % (shown, last_line(e)))
    outcome = ways.do_share(workload, state, 0, 1)
    if outcome[0] == "bad":
        usage(outcome[1])
    if outcome[0] == "error":
        fail("%s: work(state, 0, 1) raised %s" % (shown, outcome[1]))
    o = {"workload": workload, "mode": "gil", "workers": 1, "units": 1}
    checked_values(o, state, [(outcome[1], 0, 1)])
    try:
        workload.teardown(state)
    except BaseException as e:
        fail("%s: teardown() raised %s" % (shown, last_line(e)))
    threads_left(workload)
