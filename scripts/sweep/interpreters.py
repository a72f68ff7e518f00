"""interpreters - which Pythons the sweep finds on this machine: where
`make pythons` keeps the CPython builds it verified (pythons_dir,
verified_build), and the Python that reads the workload files'
declarations for make list (listing_python).  The one place in the
package where these choices are made; the sweep's own discovery of the
interpreters that run CPython points (scripts/lib.sh's interpreter_line and
cpython_interpreters, used by scripts/bench.sh) is to join them here.
"""
import os
import shutil
import subprocess

# The builds of make pythons: KIND (gil: with its GIL, free: free-threaded)
# -> (its folder under pythons_dir(), its interpreter inside that folder).
BUILDS = {"gil": ("gil", "bin/python3.13"), "free": ("nogil", "bin/python3.13t")}


def _setting(name):
    """The environment variable NAME, None when unset or empty (as the
    shell's ${NAME:-...} reads it)."""
    return os.environ.get(name) or None


def pythons_dir():
    """Where make pythons keeps the interpreters it builds: PYTHONS_DIR,
    else XDG_CACHE_HOME/gilbench/python, else ~/.cache/gilbench/python."""
    cache = _setting("XDG_CACHE_HOME") or (_setting("HOME") or "/root") + "/.cache"
    return _setting("PYTHONS_DIR") or cache + "/gilbench/python"


def verified_build(kind):
    """The interpreter make pythons built of KIND ("gil" or "free") when its
    build was verified (the .gilbench-verified mark), else None."""
    folder, python = BUILDS[kind]
    built = os.path.join(pythons_dir(), folder)
    return os.path.join(built, python) if os.path.isfile(os.path.join(built, ".gilbench-verified")) else None


def at_least(python, version):
    """PYTHON (a path) runs and is VERSION (a tuple, e.g. (3, 8)) or newer."""
    try:
        return subprocess.run([python, "-c", "import sys; sys.exit(sys.version_info < %r)" % (version,)],
                              stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


def listing_python():
    """A Python 3.8 or newer that can read the workload files' declarations
    (pyrun list reads them without running them): PYTHON, else the 3.13
    that make pythons built (a file may use syntax Debian's python3 is too
    old for, which the sweep's interpreter runs), else Debian's python3,
    else python3 on PATH; None where there is none."""
    for candidate in (_setting("PYTHON"), verified_build("gil"), "/usr/bin/python3", shutil.which("python3")):
        if candidate and os.access(candidate, os.X_OK) and at_least(candidate, (3, 8)):
            return candidate
    return None
