"""processes - what the sweep starts, and that nothing of it stays running.

Every call of a point runs with GILBENCH_POINT=TAG in its environment:
stop_tagged(TAG) kills whatever still carries the tag once the call is over
(a workload's process that outlived its run, mpirun's ssh sessions in
process groups of their own).  bounded() runs a check or a dry run with a
time limit and that same clean-up.  stop_group() ends a call's process group
(TERM, then KILL).  The keeper is a separate process that waits, without
polling, for the end of a pipe only the sweep holds: when the sweep ends in
any way (SIGKILL included), the keeper kills the point that was running
(the group in LIVE/point, the tag in LIVE/point_tag), removes the MPI
ranks' shared-memory folder (LIVE/mpi_shm) and the sweep's temporary
folder LIVE.  After a normal end it finds nothing to stop.
"""
import os
import shutil
import signal
import subprocess
import time


def process_start(pid):
    """The process's start time (clock ticks since boot, /proc/PID/stat's
    22nd field), which tells it from a later process of the same number;
    None when there is no such process."""
    try:
        with open("/proc/%s/stat" % pid, "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except (OSError, ValueError):
        return None
    fields = stat.rsplit(") ", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def tagged_pids(tag):
    """The pids of the processes whose environment has GILBENCH_POINT=TAG."""
    wanted = b"GILBENCH_POINT=" + os.fsencode(tag)
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if wanted in f.read().split(b"\0"):
                    found.append(int(name))
        except OSError:
            continue
    return found


def send(targets, signum):
    """Sends SIGNUM to each of TARGETS (a pid, or minus a process group's
    id); one that is gone, or not ours, is passed over."""
    for target in targets:
        try:
            os.kill(target, signum)
        except OSError:
            pass


def stop_tagged(tag):
    """Kills every process whose environment has GILBENCH_POINT=TAG."""
    if not tag:
        return
    send(tagged_pids(tag), signal.SIGKILL)


def stop_group(process):
    """Ends the process group led by PROCESS (a Popen) and PROCESS itself:
    TERM, then KILL whatever is left after 2 s, then reaps it."""
    if process is None:
        return
    leader = process.pid
    send((-leader, leader), signal.SIGTERM)
    for _ in range(20):
        try:
            os.kill(-leader, 0)
        except OSError:
            break
        time.sleep(0.1)
    send((-leader, leader), signal.SIGKILL)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def bounded(limit, tag, command, env=None):
    """COMMAND (a list) with stdin from /dev/null and GILBENCH_POINT=TAG,
    its process group stopped after LIMIT seconds (TERM, KILL 2 s later,
    by timeout(1)), then every process it left with the tag: (status,
    its stdout and stderr together as text; status 124 when it ran out of time)."""
    environment = dict(os.environ if env is None else env)
    environment["GILBENCH_POINT"] = tag
    try:
        done = subprocess.run(["timeout", "--kill-after=2", str(limit)] + list(command),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=environment)
        status, output = done.returncode, done.stdout.decode("utf-8", "replace")
    except OSError as error:
        status, output = 127, "gilbench: %s: %s" % (command[0], error.strerror)
    finally:  # also when a signal stops the sweep meanwhile
        stop_tagged(tag)
    return status, output.rstrip("\n")


def status_words(status):
    """An exit status as words."""
    if status == 124:
        return "did not end in time and was stopped"
    if status > 128:
        try:
            name = signal.Signals(status - 128).name
            return "was killed by signal %d (%s)" % (status - 128, name)
        except ValueError:
            pass
    return "exited with status %d without a message" % status


def mark_owner(folder):
    """Writes FOLDER/owner, "PID START" of this process, which
    remove_orphaned_folders reads; False if it cannot."""
    try:
        with open(os.path.join(folder, "owner"), "w", encoding="ascii") as f:
            f.write("%d %s\n" % (os.getpid(), process_start(os.getpid()) or ""))
        return True
    except OSError:
        return False


class Keeper:
    """The sweep's keeper: a forked process that waits for the end of a pipe
    only the sweep holds, then stops what the sweep left (see the module's
    docstring).  close() at a normal end lets it finish and reaps it."""

    def __init__(self, live):
        self.live = live
        read_end, self.write_end = os.pipe()  # not inherited by what the sweep starts
        self.pid = os.fork()
        if self.pid == 0:  # the keeper
            try:
                os.close(self.write_end)
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(signum, signal.SIG_IGN)
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                while True:
                    try:
                        if not os.read(read_end, 4096):
                            break
                    except InterruptedError:
                        continue
                clean_up(live)
            finally:
                os._exit(0)
        os.close(read_end)

    def close(self):
        """A normal end: the pipe closed and the keeper waited for."""
        if self.write_end is not None:
            os.close(self.write_end)
            self.write_end = None
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass


def _first_line(path):
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.readline().strip("\n")
    except OSError:
        return ""


def clean_up(live):
    """What the keeper does: the running point's group and tagged processes
    killed, the MPI shared-memory folder and LIVE removed."""
    group = _first_line(os.path.join(live, "point"))
    if group.isdigit():
        send((-int(group),), signal.SIGKILL)
    stop_tagged(_first_line(os.path.join(live, "point_tag")))
    shm = _first_line(os.path.join(live, "mpi_shm"))
    if shm:
        shutil.rmtree(shm, ignore_errors=True)
    shutil.rmtree(live, ignore_errors=True)


def remove_orphaned_folders(parent, prefix):
    """Removes the folders PARENT/PREFIX* that are this user's and whose
    owner (their file owner, from mark_owner) is gone; a folder without that
    file once it is a minute old (its owner was killed before writing it)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        folder = os.path.join(parent, name)
        try:
            info = os.stat(folder)
        except OSError:
            continue
        if not os.path.isdir(folder) or os.path.islink(folder) or info.st_uid != os.geteuid():
            continue
        try:
            with open(os.path.join(folder, "owner"), encoding="ascii", errors="replace") as f:
                words = f.read().split()
            pid, start = (words + ["", ""])[:2]
            if pid and process_start(pid) == start:
                continue
        except OSError:
            if time.time() - info.st_mtime <= 60:
                continue
        shutil.rmtree(folder, ignore_errors=True)
