"""run_folder - where a sweep writes: its live (temporary) folder under
TMPDIR with its owner file and keeper, the folders earlier sweeps killed
with SIGKILL left (removed once their owner is gone), the run folder under
RESULTS_DIR with its meta.json held as ONE dict in memory and written
atomically whenever it changes, the marks incomplete (interrupted) and
complete, and RESULTS_DIR/latest.
"""
import os
import shutil
import tempfile
import time

from sweep import meta as meta_files
from sweep.messages import die
from sweep.processes import Keeper, mark_owner, remove_orphaned_folders


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Live:
    """The sweep's temporary folder (TMPDIR/gilbench-live.XXXXXX) and its
    keeper; close() at a normal end removes it."""

    def __init__(self):
        tmp = os.environ.get("TMPDIR") or "/tmp"
        # A sweep killed with SIGKILL as a whole (its keeper with it) left its
        # folder: removed now that its owner is gone; so are the MPI ranks'
        # shared-memory folders of a sweep that is gone.
        remove_orphaned_folders(tmp, "gilbench-live.")
        remove_orphaned_folders("/dev/shm", "gilbench-mpi.")
        try:
            self.path = tempfile.mkdtemp(prefix="gilbench-live.", dir=tmp)
        except OSError:
            die("cannot make a temporary folder")
        self.mpi_shm = ""
        self.keeper = Keeper(self.path)
        # Written once the keeper watches the folder: what tells a later
        # sweep whether its owner is gone.
        if not mark_owner(self.path):
            die("cannot write in %s" % self.path)

    def file(self, name):
        return os.path.join(self.path, name)

    def write(self, name, text):
        """A small file of LIVE (the point's group and tag, for the keeper)."""
        try:
            with open(self.file(name), "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        except OSError:
            pass

    def make_mpi_shm(self):
        """A folder of this sweep's in /dev/shm for the MPI ranks' shared
        memory, removed with it; "" where it cannot be made."""
        if not (os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK)):
            return ""
        try:
            self.mpi_shm = tempfile.mkdtemp(prefix="gilbench-mpi.", dir="/dev/shm")
        except OSError:
            return ""
        mark_owner(self.mpi_shm)
        self.write("mpi_shm", self.mpi_shm + "\n")
        return self.mpi_shm

    def close(self):
        self.keeper.close()
        shutil.rmtree(self.path, ignore_errors=True)
        if self.mpi_shm:
            shutil.rmtree(self.mpi_shm, ignore_errors=True)


class Meta:
    """A run folder's meta.json: the dict, and write() after each change."""

    def __init__(self, path):
        self.path = path
        self.value = {}

    def load(self):
        """Reads the file again (a script changed it)."""
        try:
            self.value = meta_files.load_json(self.path)
        except (OSError, ValueError):
            die("cannot read %s" % self.path)

    def write(self):
        meta_files.write_json(self.path, self.value)

    def update(self, **fields):
        self.value.update(fields)
        self.write()

    def add_warning(self, message):
        self.value["warnings"] = list(self.value.get("warnings") or []) + [message]
        self.write()

    def mark_interrupted(self, signal_name):
        self.value["complete"] = False
        self.value["interrupted"] = {"signal": signal_name, "at_utc": utc_now()}
        self.write()

    def finish(self, started, failures):
        self.value.update(complete=True, finished_utc=utc_now(), duration_s=int(time.time()) - started,
                          failed_points=failures)
        self.write()


def make_run_folder(results_dir):
    """A new run folder under RESULTS_DIR with raw/, hyperfine/, logs/."""
    meta_files.make_folder(results_dir, "cannot create the results folder %s")
    if not (os.path.isdir(results_dir) and os.access(results_dir, os.W_OK)):
        die("the results folder %s is not writable" % results_dir)
    run_dir = meta_files.new_run_folder(results_dir)
    try:
        for part in ("raw", "hyperfine", "logs"):
            os.makedirs(os.path.join(run_dir, part), exist_ok=True)
    except OSError:
        die("cannot fill %s" % run_dir)
    return run_dir


def folder_writable(path):
    """A file can still be made in PATH (access(2): as root only a
    read-only file system says no)."""
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def require_writable(run_dir, results_dir):
    """Ends the sweep with one line when the run folder can no longer be
    written (its partial results stay, incomplete; latest is unchanged)."""
    for path in (run_dir, os.path.join(run_dir, "raw"), os.path.join(run_dir, "logs"),
                 os.path.join(run_dir, "hyperfine")):
        if not folder_writable(path):
            unwritable(run_dir, results_dir, path)


def unwritable(run_dir, results_dir, path):
    die("the run folder %s can no longer be written (%s): the sweep stops; its partial results are kept, "
        "incomplete, and %s/latest is unchanged" % (run_dir, path, results_dir))


def point_latest(results_dir, run_dir):
    """RESULTS_DIR/latest names RUN_DIR: a link of a name of its own,
    renamed over latest (two sweeps finishing together never share it)."""
    for _ in range(100):
        tmp = os.path.join(results_dir, ".latest." + next(tempfile._get_candidate_names())[:6])
        try:
            os.symlink(os.path.basename(run_dir), tmp)
            break
        except FileExistsError:
            continue
        except OSError:
            die("cannot point %s/latest at %s" % (results_dir, run_dir))
    else:
        die("cannot point %s/latest at %s" % (results_dir, run_dir))
    try:
        os.replace(tmp, os.path.join(results_dir, "latest"))
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        die("cannot point %s/latest at %s" % (results_dir, run_dir))
