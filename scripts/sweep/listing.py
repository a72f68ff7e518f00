"""listing - every workload a sweep can run (make list): the engine's C
workloads (build/gilbench list, the engine given by GILBENCH; "[Python
twin]" where workloads/NAME.py is make calibrate's CPython side of it),
then the Python workload files (workloads/NAME.py without a C twin),
marked [Python], with whether they check their results; a file that
cannot be read says why.
Usage: python3 scripts/sweep listing

python_listing() gives the Python workload files' lines as the sweep reads
them: scripts/pyrun list's, read by the Python interpreters.workload_lister()
chooses, less the C workloads' twins.
"""
import glob
import os
import re
import subprocess

from sweep.interpreters import workload_lister, workload_listing
from sweep.messages import die, note, usage
from sweep.tables import records


def python_listing(c_names, lister):
    """pyrun list's lines (name, units, unit, checked|unchecked|bad,
    description: tab-separated), read by LISTER (workload_lister()), of the
    workload files; [] without a LISTER.  A file named after a C workload
    (C_NAMES) is that workload's twin (make calibrate's CPython side of the
    model), left out here, or else a file that is not run: its line says
    "shadowed" and why, for the sweep and make list to say.  Dies when
    pyrun list fails."""
    listing = workload_listing(c_names, lister)
    if listing is None:
        die("cannot list the Python workload files")
    return ["\t".join(fields) for fields in listing]


def tab_fields(line, count):
    """LINE's COUNT fields as the shell's `IFS=<tab> read` gives them: runs
    of tabs separate, tabs at either end do not count, the last field
    takes the rest; missing fields are ""."""
    fields = re.split(r"\t+", line.strip("\t"), maxsplit=count - 1) if line.strip("\t") else []
    return fields + [""] * (count - len(fields))


def c_workloads(gilbench):
    """The engine's `list` lines as [(name, the rest of the line)], split
    as the shell's `read -r name rest` splits them."""
    if not os.access(gilbench, os.X_OK):
        die("no engine at %s; run make first" % gilbench)
    try:
        done = subprocess.run([gilbench, "list"], stdout=subprocess.PIPE)
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        die("%s list failed" % gilbench)
    workloads = []
    for line in records(done.stdout.decode("utf-8", errors="surrogateescape")):
        name, rest = (re.split(r"[ \t]+", line.strip(" \t"), maxsplit=1) + [""])[:2]
        workloads.append((name, rest))
    return workloads


def main(argv):
    if argv:
        usage("listing takes no arguments: python3 scripts/sweep listing (make list)")
    c_list = c_workloads(os.environ.get("GILBENCH") or "build/gilbench")
    lister = workload_lister()
    listing = python_listing({name for name, _ in c_list}, lister)
    listed = {line.split("\t")[0] for line in listing}
    for name, rest in c_list:
        if not name:
            continue
        # A file of its name that the listing does not show as shadowed is its twin.
        twin = os.path.isfile("workloads/%s.py" % name) and not (lister and name in listed)
        print("%-14s %s%s" % (name, rest, " [Python twin: workloads/%s.py]" % name if twin else ""))
    if not lister:
        if glob.glob("workloads/*.py"):
            note("no python3 here: the Python workloads (workloads/*.py) are not listed")
        return 0
    for line in listing:
        name, units, unit, checked, description = tab_fields(line, 5)
        if not name:
            continue
        if checked in ("bad", "shadowed"):
            print("%-14s [Python] cannot be run: %s" % (name, description))
        else:
            print("%-14s %s [Python: workloads/%s.py, %s units of %s%s]" % (
                name, description, name, units, unit, "" if checked == "checked" else "; unchecked: no check()"))
    return 0
