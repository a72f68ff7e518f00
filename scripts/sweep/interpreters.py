"""interpreters - the CPythons the sweep runs: the one that lists the
Python workload files (pyrun list), the interpreters of make calibrate's
CPython points and of the Python workloads (those `make pythons` built,
PYTHON, a free-threaded one), how each is run (PYTHON_GIL), and what
meta.json says of each (version, GIL, configure flags, BLAS).

An interpreter is a tuple (source, kind, python): source cpython-VERSION
(kind gil: with its GIL) or cpython-VERSIONt (kind free: GIL off).
"""
import json
import os
import shutil
import subprocess

from sweep.messages import note, usage
from sweep.tables import records

# What the probe of each interpreter runs (a file of its own, not a string).
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interpreter_probe.py")


def pythons_dir(env=os.environ):
    """Where `make pythons` keeps the interpreters it builds."""
    cache = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or "/root", ".cache")
    return env.get("PYTHONS_DIR") or os.path.join(cache, "gilbench", "python")


# The builds of `make pythons`: KIND -> its folder under pythons_dir(), its
# interpreter there, and what a note says when that interpreter fails.
BUILDS = {"gil": ("gil", "python3.13", "does not run"),
          "free": ("nogil", "python3.13t", "does not run with the GIL off")}


def verified_build(kind, env=os.environ):
    """The interpreter `make pythons` built of KIND when its build was
    verified (its .gilbench-verified mark), else None."""
    folder, python, _ = BUILDS[kind]
    built = os.path.join(pythons_dir(env), folder)
    return os.path.join(built, "bin", python) if os.path.isfile(os.path.join(built, ".gilbench-verified")) else None


def kind_env(kind, env=os.environ):
    """The environment that runs a CPython of KIND: PYTHON_GIL=0 keeps a
    free-threaded build's GIL off; a GIL build refuses PYTHON_GIL=0, so
    there the variable is unset."""
    environment = dict(env)
    if kind == "free":
        environment["PYTHON_GIL"] = "0"
    else:
        environment.pop("PYTHON_GIL", None)
    return environment


def kind_prefix(kind):
    """The same as env(1) arguments, for a command line: env ARGS PYTHON ..."""
    return ["env", "PYTHON_GIL=0"] if kind == "free" else ["env", "-u", "PYTHON_GIL"]


def _runs(python, arguments, env=None, timeout=None):
    try:
        return subprocess.run([python] + arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def workload_lister(env=os.environ):
    """A Python 3.8 or newer that can read the workload files' declarations:
    PYTHON, else the newest that make pythons built, else Debian's python3,
    else python3 on PATH; None where there is none."""
    candidates = [env.get("PYTHON") or "", verified_build("gil", env) or "", "/usr/bin/python3",
                  shutil.which("python3") or ""]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            done = _runs(candidate, ["-c", "import sys; sys.exit(sys.version_info < (3, 8))"])
            if done is not None and done.returncode == 0:
                return candidate
    return None


def calibrate_twins():
    """The C workloads make calibrate runs in CPython too (source=cpython)."""
    twins = set()
    try:
        with open("scripts/studies/calibrate.plan", encoding="utf-8") as f:
            for line in f:
                fields = line.split()
                if not line.startswith("#") and len(fields) >= 4 and "cpython" in fields[3]:
                    twins.add(fields[0])
    except OSError:
        pass
    return twins


def workload_listing(c_workloads, lister):
    """pyrun list's lines as lists (name, units, unit, checked|unchecked|bad,
    description) of the workload files; [] without a Python, None if the
    listing failed.  A file named after a C workload is that workload's
    twin (make calibrate's CPython side), left out, or else not run: its
    line says "shadowed" and why."""
    if not lister:
        return []
    done = _runs(lister, ["scripts/pyrun", "list"])
    if done is None or done.returncode != 0:
        return None
    twins, lines = calibrate_twins(), []
    for line in records(done.stdout.decode("utf-8", "surrogateescape")):
        fields = line.split("\t")
        name = fields[0]
        if name not in c_workloads:
            lines.append(fields)
        elif len(fields) > 3 and fields[3] == "bad":
            lines.append([name, "-", "-", "shadowed", fields[4] if len(fields) > 4 else ""])
        elif name not in twins:
            lines.append([name, "-", "-", "shadowed", "workloads/%s.py is not run: %s is the C workload workloads/%s.c; "
                          "rename the file to run it as a Python workload" % (name, name, name)])
    return lines


def interpreter_line(kind, python):
    """(source, kind, python) for a CPython 3.8 or newer that runs as KIND
    says; None otherwise."""
    if not python:
        return None
    done = _runs(python, [PROBE, "version", kind], env=kind_env(kind))
    if done is None or done.returncode != 0:
        return None
    version = done.stdout.decode("utf-8", "replace").strip()
    return ("cpython-" + version, kind, python) if version else None


def cpython_interpreters(env=os.environ):
    """The interpreters of the CPython points: the two `make pythons` built
    (when it did), then PYTHON (default Debian's python3) and a free-threaded
    one (FREE_THREADED_PYTHON, else the first python3.14t or python3.13t on
    PATH); a second one of a version already listed is left out.  Exits 2
    when PYTHON or FREE_THREADED_PYTHON is not what it must be."""
    found = []
    for kind, (folder, _, fault) in BUILDS.items():
        built = verified_build(kind, env)
        if built is None:
            continue
        line = interpreter_line(kind, built)
        if line:
            found.append(line)
        else:
            note("the interpreter built in %s/%s %s: left out (make pythons PYTHONS_REBUILD=1 builds it again)"
                 % (pythons_dir(env), folder, fault))
    python = env.get("PYTHON") or "/usr/bin/python3"
    line = interpreter_line("gil", python)
    if not line:
        usage("PYTHON='%s' is not a Python 3.8 or newer with a GIL; install with: apt-get install -y python3 "
              "(a free-threaded one goes in FREE_THREADED_PYTHON)" % python)
    found.append(line)
    if env.get("FREE_THREADED_PYTHON"):
        line = interpreter_line("free", env["FREE_THREADED_PYTHON"])
        if not line:
            usage("FREE_THREADED_PYTHON='%s' does not run with the GIL off (a free-threaded build such as python3.13t "
                  "is needed)" % env["FREE_THREADED_PYTHON"])
        found.append(line)
    else:
        for candidate in ("python3.14t", "python3.13t"):
            free = shutil.which(candidate)
            line = free and interpreter_line("free", free)
            if line:
                found.append(line)
                break
    seen, kept = set(), []
    for line in found:
        if line[0] not in seen:
            seen.add(line[0])
            kept.append(line)
    return kept


def has_subinterpreters(python):
    """PYTHON (a GIL build) has 3.13's _interpreters."""
    done = _runs(python, ["-c", "import _interpreters"], env=kind_env("gil"))
    return done is not None and done.returncode == 0


def python_versions(lines):
    """meta.json's python: {interpreters: [...]}: each one's version, whether
    its GIL is on, how it was configured, and how its blas_dgemm reaches
    OpenBLAS, with the BLAS library it loads."""
    described = []
    for source, kind, python in lines:
        done = _runs(python, [PROBE, "describe"], env=kind_env(kind))
        entry = None
        if done is not None and done.returncode == 0:
            try:
                entry = json.loads(done.stdout.decode("utf-8", "replace"))
            except ValueError:
                entry = None
        if isinstance(entry, dict):
            described.append({"source": source, "kind": kind, **entry})
        else:
            described.append({"source": source, "kind": kind, "executable": python, "version": None})
    return {"interpreters": described}


def version_key(source):
    """A key that sorts cpython-3.9.1 before cpython-3.13.5 (sort -V)."""
    parts = []
    for piece in source.replace("-", ".").split("."):
        digits = "".join(c for c in piece if c.isdigit())
        parts.append((int(digits) if digits and piece[:len(digits)] == digits else -1, piece))
    return parts
