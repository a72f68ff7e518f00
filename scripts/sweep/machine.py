"""machine - writes a run folder's meta.json: the machine, the build, the
tools and the settings of the sweep, so that a result can be read (and
compared) without the machine it ran on.  The run starts incomplete;
the sweep (sweep bench) marks it complete at the end.
Usage: python3 scripts/sweep machine FILE WORKLOADS MODES WORKERS RUNS WARMUP
       INTERVAL_US QUICK PARAMS RERUN_OF STUDIES
(the points themselves are in the run folder's plan.tsv; GILBENCH names the
engine, build/gilbench by default).
Anything read from the machine may be missing elsewhere (no "model name"
on ARM, no git checkout in a release tarball, a tool without a version
line): it is then null, with a warning on the terminal and in meta.json's
"warnings", and never stops the sweep.  meta.json is written once, whole
(atomically).
"""
import os
import re
import shlex
import subprocess
import time

from sweep.messages import die, note, usage
from sweep.meta import parse_json, write_json
from sweep.plotting import GNUPLOT_ENV

ARGUMENTS = "FILE WORKLOADS MODES WORKERS RUNS WARMUP INTERVAL_US QUICK PARAMS RERUN_OF STUDIES"
# The tools run in the locale the shell scripts gave them (plotting's:
# C.UTF-8, no LANGUAGE), whatever the user's.
TOOL_ENV = GNUPLOT_ENV


class Warnings(list):
    """What could not be read, each also said on the terminal."""

    def unknown(self, what, why):
        self.append("%s unknown: %s" % (what, why))
        note("warning: %s unknown: %s" % (what, why))


def output(command, env=TOOL_ENV):
    """COMMAND's standard output (its errors left out), whatever its exit
    status; None if it cannot be started."""
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                              check=False).stdout.decode("utf-8", errors="surrogateescape")
    except OSError:
        return None


def first_line(command):
    """The first line COMMAND prints, or ""."""
    return (output(command) or "").split("\n")[0]


def field(text, name):
    """The value of the first line of TEXT that starts with NAME, as
    `awk -F': *'` gives its second field ("" if it has none)."""
    for line in text.split("\n"):
        if line.startswith(name):
            parts = re.split(": *", line)
            return parts[1] if len(parts) > 1 else ""
    return ""


def cpu_model(warnings):
    cpuinfo = os.environ.get("GILBENCH_CPUINFO") or "/proc/cpuinfo"
    try:
        with open(cpuinfo, "rb") as f:
            model = field(f.read().decode("utf-8", errors="surrogateescape"), "model name")
    except OSError:
        model = ""
    if not model:
        model = field(output(["lscpu"], dict(TOOL_ENV, LC_ALL="C")) or "", "Model name")
    if not model:
        warnings.unknown("CPU model", "no 'model name' in %s and none from lscpu" % cpuinfo)
    return model or None


def cpus_online(warnings):
    try:
        online = os.sysconf("SC_NPROCESSORS_ONLN")
    except (ValueError, OSError):
        online = -1
    if online < 0:
        warnings.unknown("online CPUs", "getconf _NPROCESSORS_ONLN gave nothing")
        return None
    return online


def usable_cpus():
    """The CPUs this process may run on, from its affinity mask alone (not
    OMP_NUM_THREADS); 1 if even that cannot be read."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return 1


def os_name(warnings):
    """PRETTY_NAME of /etc/os-release (a file of shell assignments)."""
    name = ""
    try:
        with open("/etc/os-release", encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    words = shlex.split(line[len("PRETTY_NAME="):], comments=True)
                    name = " ".join(words)
    except (OSError, ValueError):
        name = ""
    if not name:
        warnings.unknown("OS", "no PRETTY_NAME in /etc/os-release")
    return name or None


def git_commit(warnings):
    """The commit of this checkout, not of a repository that happens to
    enclose it (a release tarball unpacked inside another project)."""
    here = os.getcwd()
    commit = ""
    if (output(["git", "rev-parse", "--show-toplevel"]) or "").rstrip("\n") == here:
        commit = (output(["git", "rev-parse", "HEAD"]) or "").rstrip("\n")
        if commit and (output(["git", "status", "--porcelain", "--untracked-files=no"]) or "").rstrip("\n"):
            commit += " (with uncommitted changes)"
    if not commit:
        warnings.unknown("git commit", "%s is not a git checkout" % here)
    return commit or None


def version(tool, warnings):
    line = first_line([tool, "--version"])
    if not line:
        warnings.unknown("%s version" % tool, "%s --version printed nothing" % tool)
    return line or None


def load_average(warnings):
    """The three load averages of /proc/loadavg, or None."""
    try:
        with open("/proc/loadavg", encoding="utf-8", errors="replace") as f:
            fields = (f.readline().split() + ["", "", ""])[:3]
        loadavg = parse_json("[%s]" % ",".join(fields))
    except (OSError, ValueError):
        loadavg = None
    if loadavg is None:
        warnings.unknown("load average", "/proc/loadavg cannot be read")
    return loadavg


def engine_json(gilbench, command):
    """The JSON the engine prints for COMMAND, or None if it fails."""
    try:
        done = subprocess.run([gilbench, command], stdout=subprocess.PIPE, env=TOOL_ENV, check=False)
        return parse_json(done.stdout.decode("utf-8", errors="replace")) if done.returncode == 0 else None
    except (OSError, ValueError):
        return None


def split(text):
    """jq's split(","): nothing of an empty text."""
    return text.split(",") if text else []


def json_argument(name, text):
    try:
        return parse_json(text)
    except ValueError:
        usage("scripts/sweep machine: %s='%s' is not a JSON value" % (name, text))


def settings(workloads, modes, workers, runs, warmup, interval, quick, params, studies):
    try:
        numbers = [float(n) for n in split(workers)]
    except ValueError:
        usage("scripts/sweep machine: WORKERS='%s' is not a list of numbers" % workers)
    quick = json_argument("QUICK", quick)
    return {
        "workloads": split(workloads),
        "modes": split(modes),
        "workers": [int(n) if n.is_integer() else n for n in numbers],
        "runs": json_argument("RUNS", runs),
        "warmup": json_argument("WARMUP", warmup),
        "switch_interval_us": json_argument("INTERVAL_US", interval),
        "quick": quick == 1 and not isinstance(quick, bool),
        "params": params,
        "studies": [study for study in split(studies) if study],
    }


def main(argv):
    if len(argv) != 11:
        usage("scripts/sweep machine takes " + ARGUMENTS)
    out, workloads, modes, workers, runs, warmup, interval, quick, params, rerun_of, studies = argv
    given = settings(workloads, modes, workers, runs, warmup, interval, quick, params, studies)
    gilbench = os.environ.get("GILBENCH") or "build/gilbench"
    warnings = Warnings()
    machine = {"cpu_model": cpu_model(warnings), "cpus_online": cpus_online(warnings), "os": os_name(warnings),
               "git_commit": git_commit(warnings), "hyperfine_version": version("hyperfine", warnings),
               "gnuplot_version": version("gnuplot", warnings), "loadavg_before": load_average(warnings)}
    build = engine_json(gilbench, "info")
    if not isinstance(build, dict):
        die("%s info failed" % gilbench)
    # The single-core FMA peak, measured (not the nominal clock), for the
    # study that compares BLAS GFLOP/s with it.
    peak = None
    if "blas_threads" in given["studies"]:
        measured = engine_json(gilbench, "peak")
        peak = measured.get("fma_gflops_single_core") if isinstance(measured, dict) else None
    uname = os.uname()
    write_json(out, {
        "complete": False,
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": uname.nodename,
        "command": os.environ.get("GILBENCH_COMMAND") or "python3 scripts/sweep bench",
        "settings": given,
        "rerun_of": rerun_of or None,
        "cpu_model": machine["cpu_model"],
        "cpus_online": machine["cpus_online"],
        "cpus_usable": usable_cpus(),
        "kernel": "%s %s" % (uname.sysname, uname.release),
        "os": machine["os"],
        "compiler": build.get("compiler"),
        "build_flags": build.get("build_flags"),
        "openblas_config": build.get("openblas_config"),
        "openblas_threading": build.get("openblas_threading"),
        "openblas_default_threads": build.get("openblas_default_threads"),
        "fma_gflops_single_core": peak,
        # Every OPENBLAS_* variable as the user had it, none if none (the
        # runs themselves use OPENBLAS_NUM_THREADS=1: run_environment).
        "openblas_environment": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
        "run_environment": {"OPENBLAS_NUM_THREADS": "1"},
        "hyperfine_version": machine["hyperfine_version"],
        "gnuplot_version": machine["gnuplot_version"],
        "git_commit": machine["git_commit"],
        "loadavg_before": machine["loadavg_before"],
        "warnings": list(warnings),
    })
    return 0
