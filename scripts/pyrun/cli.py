"""cli.py - the runner's commands (run, list, check) and its reference.

pyrun runs a Python workload the way `gilbench run` runs a C one: the
Python ways of using many cores (threading, multiprocessing with fork,
forkserver or spawn, the executors, subinterpreters) at N workers, for the
sweep's Python workloads (workloads/<name>.py, see workload_files.py and
docs/adding-a-python-workload.md) and for `make calibrate`, which sets the
C twins' model beside them (cpu_loop.py, io_wait.py, blas_dgemm.py).

    python3 scripts/pyrun run --workload NAME --mode gil|threads|procs|forkserver|spawn|interp
                         [--workers N] [--units U]
                         [--dispatch shares|pool] [--chunksize C]
                         [--task-arg-kib K] [--task-result-kib K]
                         [--switch-interval-us US] [--param NAME=VALUE]
                         [--append-json FILE] [--error-log FILE] [--timeout S] [--dry-run]
                         [--accepted FILE] [--allow-idle-workers]
    python3 scripts/pyrun list           one line per workload file: name, units, unit, description
    python3 scripts/pyrun check --workload NAME [--param NAME=VALUE] [--timeout S]
                                    loads the file and runs setup(), work() on unit 0
                                    and check() in a process of its own, stopped after
                                    S s (default 120): a bad file is one line and exit
                                    2, a run of it that fails or dies 1, 124 too long

Modes are Python's own: gil = threading under CPython's GIL, threads = the
same on a free-threaded CPython (3.13t or later with the GIL off,
PYTHON_GIL=0), procs = multiprocessing with the fork start method,
forkserver and spawn = the same with those start methods (each process
loads the workload and rebuilds its state from its settings; the fork
server is started before the clock; shares only; no engine counterpart),
interp = a subinterpreter with a GIL of its own per worker, each run by a
thread (CPython 3.13's _interpreters, shares only; see ways.py).  The
options, the units and the JSON line are those of `gilbench run`, so
`make bench` times this script with hyperfine like the engine; the GIL
counters, which CPython does not keep, are null.  Exit status: 0, 1 (a
failed run), 2 (bad usage or a bad workload file), 124 (timed out), as for
the engine; --dry-run checks the options, loads the workload (in a
subinterpreter too, for interp, with its setup) and runs nothing: exit 3
when this Python cannot run the point's way (no free threading, no
subinterpreters, an import it lacks, a setup a subinterpreter refuses).
A run with fewer units than workers (fewer tasks, under a pool) is refused
(exit 2): its idle workers would measure nothing, unless the workload's
workers' starting is its work (startup) or --allow-idle-workers says so
(the dispatch's own tests).
--accepted FILE (the runner's own, for a workload that declares
DETERMINISTIC = True): the values check() accepted, kept from run to run;
a value found there is accepted by that equality, without calling check().


Dispatch: how the units reach the workers.
  shares (the default)  each of the N workers gets one share of the U units,
      threading.Thread(target=f, args=(share,)) or multiprocessing.Process,
      started and joined inside the timed region.
  pool --chunksize C (default: the workload's CHUNKSIZE, 1 unless its file
      says; 1 to 10^9)  the units become
      T = ceil(U / C) tasks, task k the units [kC, min((k+1)C, U)), run by a
      persistent pool of N workers: concurrent.futures.ThreadPoolExecutor(N)
      in the gil and threads modes, ProcessPoolExecutor(N, mp_context=
      multiprocessing.get_context("fork")) in the procs mode.  The executor
      is created and warmed before the clock starts (N tasks that wait on one
      barrier of N, so every worker thread or process exists and has run a
      task: ThreadPoolExecutor starts its threads one per submit while none
      is idle, ProcessPoolExecutor forks its processes at the first submit).
      The timed region is
          results = list(ex.map(pool_task, tasks, chunksize=1))
      submitting every task and collecting every result in submission order;
      the executor is shut down after it.

  Chunksize, mapped: one submitted item is one task of C units, and
  executor.map's own chunksize is always 1.  The engine's task is its unit of
  dispatch: one queue entry (threads) or one message through the task pipe
  (processes), one result coming back, one argument and one result payload.
  Item = task with map(chunksize=1) gives CPython exactly T of each in every
  mode: T futures, and under ProcessPoolExecutor T pickled call items and T
  result messages.  The alternative, the U units as items with
  map(chunksize=C), is not comparable: ThreadPoolExecutor ignores chunksize
  (it would make U futures, U dispatches, at any C), and ProcessPoolExecutor
  would carry one payload per unit, not per task, and return a list of C
  results per message.  What map(chunksize=k) with k > 1 would add, k tasks
  per IPC message, is the same thing as a larger C here.

  Payloads (pool only): --task-arg-kib K / --task-result-kib K (0 to 2^20,
  1 GiB; default: the workload's task_payload(), else 0) give each task's
  argument and result a bytes object of
  K KiB, its content made from the task's index (a 64-byte block of
  splitmix64 values of the index, repeated), built for every task before the
  clock starts.  The worker compares the argument it received with the one
  it expects, byte for byte, before doing the task's units (a mismatch
  raises, which fails the run); the collector compares each result's payload
  after the region, with the other checks of the results.  Threads pass a
  reference; processes pickle it through the executor's pipes.  As in the
  engine, at most 2^24 tasks (exit 2).  executor.map submits every task
  before it waits for the first result, so every payload is alive at once: a
  run whose T x (arg + result) bytes exceed MemAvailable fails at once
  (exit 1) instead of meeting the OOM killer.

  Results: every task returns its index, the checksum of its units (each
  unit's checksum summed mod 2^64, as a share's is), its worker and times.
  After the region each result is checked once, in submission order: its
  index is its position, exactly one per task, and the checksums summed mod
  2^64 are the run's checksum, the same expected value as under shares.

  Failures: an exception in a task (ProcessPoolExecutor's BrokenProcessPool
  when a worker process dies) fails the run with one line, the exception's
  last line; the executor is shut down without waiting, its processes are
  killed and reaped, and nothing is left behind.  Pool processes also die
  with the run if it is killed (PR_SET_PDEATHSIG).  A test hook,
  PYRUN_TEST_FAULT=KIND:K, makes task K raise (raise), kill its worker
  with SIGKILL (crash), flip one byte of its argument after building it,
  before submitting it (corrupt-arg), or of its result in the worker after
  building it (corrupt-result), or report itself as task K + 1
  (wrong-index).  Under --mode interp, raise:K makes interpreter K raise;
  under procs, forkserver and spawn (shares), raise:K and crash:K make
  worker K raise or die by SIGKILL before its work.

  Figures under pool: startup_seconds is the latest of the workers' first
  task starts after the clock started (dispatch latency, not starting: the
  workers exist already); worker_seconds_* are the workers' busy times, the
  sums of their tasks' own durations (0 for a worker that got no task); the
  CPU times and peak RSS of pool processes are those of their whole lives
  (warm-up and exit included: they are reaped at shutdown).

The JSON line has, beside the engine's fields, "dispatch" ("shares" or
"pool"), "chunksize" and "tasks" (both 0 under shares) and, under pool,
"task_arg_bytes" and "task_result_bytes"; "checked" (whether check() ran),
"python" and "gil_enabled", and what the workload's figures() adds.

Values and checks: each worker's share (each task, under pool) returns
work()'s int; the run's checksum is their sum mod 2^64.  After the region
every value is given to the workload's check() with its units (the C twins
compare with an independent expectation: the LCG's closed form, the sum of
A @ B from A's column sums and B's row sums) and the run fails on a
mismatch, like the engine; a workload without check() is run unchecked,
and its JSON line says "checked": false.  The studies' workloads
(shared_objects, own_objects, startup, shared_input) are built in:
study_workloads.py, and so is convoy, convoy.c's twin for make calibrate's
mechanism table (gil and threads modes only: its workers share one state).
"""
import sys

from . import workload_files
from .check_file import check_file
from .run import run
from .runner_common import last_line, usage

def main(argv):
    commands = {"run": run, "list": list_files, "check": check_file}
    if not argv or argv[0] not in commands:
        usage("pyrun needs a command: run, list or check; see scripts/pyrun/cli.py")
    return commands[argv[0]](argv[1:])


def list_files(argv):
    """One line per workload file, tab-separated: name, default units, unit,
    checked or unchecked (whether it has a check), description; read without
    running the files.  A bad file's line is: name - - bad why."""
    if argv:
        usage("list takes no options")
    lines = []
    for name in workload_files.file_names() + workload_files.file_names(valid=False):
        problem = workload_files.name_problem(name)
        if problem is None:
            try:
                w = workload_files.declarations(name)
            except workload_files.BadFile as e:
                problem = str(e)
            except Exception as e:  # whatever reading it raised: that file's line, not the listing's end
                problem = "%s: cannot be read: %s" % (workload_files.shown_path(workload_files.file_path(name)),
                                                     last_line(e))
        if problem is not None:
            lines.append("%s\t-\t-\tbad\t%s" % (workload_files.shown_name(name), one_field(problem)))
            continue
        checked = "checked" if "check" in w.functions else "unchecked"
        lines.append("%s\t%d\t%s\t%s\t%s" % (name, w.units, w.unit, checked, one_field(w.description)))
    sys.stdout.buffer.write("".join(line + "\n" for line in lines).encode("utf-8", "backslashreplace"))
    return 0


def one_field(text):
    """text as one field of a tab-separated line."""
    return workload_files.CONTROL.sub(" ", text)
