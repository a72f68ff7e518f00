"""python_points - the points that run in CPython: make calibrate's
source=cpython points (one source per interpreter that can run the point's
mode) and the Python workloads (workloads/NAME.py, run by scripts/pyrun):
the interpreter each loads on (a bounded dry run per kind), the ways one
cannot run (pyrun's exit 3), the check of each file before any point, the
file of values its check() accepted (--accepted), and leave_out: a file
that cannot be run costs one line, and the others run (or, when nothing
else was asked for, that line is the sweep's usage error).
"""
from sweep import interpreters
from sweep.messages import note, usage
from sweep.plan import PYTHON_DEFAULT_WAYS
from sweep.processes import bounded, status_words

WAY_NAMES = {"gil": "threading", "threads": "threading (free-threaded)", "procs": "multiprocessing(fork)",
             "forkserver": "multiprocessing(forkserver)", "spawn": "multiprocessing(spawn)",
             "interp": "subinterpreters", "gil+pool": "ThreadPoolExecutor",
             "threads+pool": "ThreadPoolExecutor (free-threaded)", "procs+pool": "ProcessPoolExecutor(fork)"}


def way_name(way):
    """What a Python programmer calls a way of running."""
    return WAY_NAMES.get(way, way)


def answer_options(sweep):
    """summarize's options: the words of the Python ways and workloads."""
    options = []
    for way in PYTHON_DEFAULT_WAYS + ["threads+pool"]:
        options += ["--way-name", "%s=%s" % (way, way_name(way))]
    for workload in sweep.python_workloads:
        gil, free = sweep.python_for[(workload, "gil")], sweep.python_for.get((workload, "free"), "")
        options += ["--python-workload", "%s=%s%s" % (workload, gil.replace("cpython-", "CPython ", 1),
                                                       ", free-threaded " + free.replace("cpython-", "", 1) if free else "")]
    return options


def leave_out(sweep, workload, line):
    """WORKLOAD's file cannot be run: left out with LINE, or LINE is the
    usage error when nothing else is left."""
    remaining = [w for w in sweep.python_workloads if w != workload]
    if not remaining and not sweep.workloads:
        usage("WORKLOADS: " + line)
    sweep.python_workloads = remaining
    sweep.left.add(workload)
    sweep.left_out.append(line)
    note("WORKLOADS: %s; %s is left out" % (line, workload))
    sweep.plan = [p for p in sweep.plan if p[0] != workload]


def _strip(text):
    return text[len("gilbench: "):] if text.startswith("gilbench: ") else text


def cpython_points(sweep):
    """The plan's source=cpython becomes one source per interpreter that can
    run the point's mode; source=cpython-newest only the newest of each kind.
    A rerun takes its interpreters from its meta.json."""
    plan = sweep.plan
    if not any(p[1].startswith("source=cpython") and "\t" not in p[1] for p in plan):
        return
    s, env = sweep.s, sweep.env
    if s.rerun_of:
        sweep.interpreters = rerun_interpreters(s.rerun_meta)
    elif not env.get("PYTHON") and "calibrate" not in s.studies and not interpreters.interpreter_line(
            "gil", "/usr/bin/python3"):
        sweep.python_notes.append("no python3 (apt-get install -y python3): the studies' CPython points are left out")
        note(sweep.python_notes[-1])
        sweep.plan = [p for p in plan if not p[1].startswith("source=cpython")]
    else:
        sweep.interpreters = interpreters.cpython_interpreters(env)
    for source, kind, python in sweep.interpreters:
        sweep.kind_of[source], sweep.python_of[source] = kind, python
        note("CPython points on %s (%s%s)" % (python, source, "" if kind == "gil" else ", free-threaded: PYTHON_GIL=0"))
    if s.rerun_of:
        return
    plan = sweep.plan

    def plain(p):
        v = p[1]
        for head in ("source=cpython-newest", "source=cpython"):
            if v == head or v.startswith(head + "+"):
                return head, v[len(head):]
        return None, None

    subinterpreters = set()
    if any(plain(p)[0] and p[2] == "interp" for p in plan):
        for source, kind, python in sweep.interpreters:
            if kind != "gil":
                continue
            if interpreters.has_subinterpreters(python):
                subinterpreters.add(source)
            else:
                sweep.python_notes.append("%s (%s) has no subinterpreters (_interpreters, CPython 3.13 or later): its "
                                          "interp points are left out" % (python, source))
                note(sweep.python_notes[-1])
    if any(plain(p)[0] and p[2] == "interp+pool" for p in plan):
        sweep.python_notes.append("interp+pool has no CPython counterpart here (InterpreterPoolExecutor is CPython "
                                  "3.14's)")
        note(sweep.python_notes[-1])
    newest = set()
    for kind in ("gil", "free"):
        sources = sorted((i[0] for i in sweep.interpreters if i[1] == kind), key=interpreters.version_key)
        if sources:
            newest.add(sources[-1])
    expanded = []
    for p in plan:
        head, settings = plain(p)
        if not head:
            expanded.append(p)
            continue
        if p[2] == "interp+pool":
            continue
        mode = p[2][:-5] if p[2].endswith("+pool") else p[2]
        for source, kind, _ in sweep.interpreters:
            if (kind == "free") != (mode == "threads"):
                continue
            if head == "source=cpython-newest" and source not in newest:
                continue
            if mode == "interp" and source not in subinterpreters:
                continue
            expanded.append((p[0], "source=" + source + settings, p[2], p[3]))
    sweep.plan = expanded
    if not any(i[1] == "free" for i in sweep.interpreters) and any(
            p[1] == "source=model" and p[2] in ("threads", "threads+pool") for p in expanded):
        sweep.python_notes.append("no free-threaded Python (make pythons builds one; or python3.14t, python3.13t, "
                                  "FREE_THREADED_PYTHON): the threads mode is measured without its CPython counterpart")
        note(sweep.python_notes[-1])


def rerun_interpreters(meta):
    found = []
    for entry in ((meta.get("python") or {}).get("interpreters") or []):
        found.append((str(entry.get("source")), str(entry.get("kind")), str(entry.get("executable"))))
    return found


def choose_interpreters(sweep):
    """Each Python workload runs on the newest interpreter of each kind that
    can load it: one with its GIL for every way but threads, a free-threaded
    one for threads (without one, its threads ways are left out)."""
    if not sweep.python_workloads:
        return
    s = sweep.s
    candidates = rerun_interpreters(s.rerun_meta) if s.rerun_of else interpreters.cpython_interpreters(sweep.env)
    for source, kind, python in candidates:
        sweep.kind_of[source], sweep.python_of[source] = kind, python
    newest_first = sorted(candidates, key=lambda i: interpreters.version_key(i[0]), reverse=True)
    for workload in list(sweep.python_workloads):
        reasons = {"gil": "", "free": ""}
        for kind in ("gil", "free"):
            if workload in sweep.left:
                break
            for source, candidate_kind, python in newest_first:
                if candidate_kind != kind:
                    continue
                status, why = bounded(s.first_limit, sweep.live.file("load." + workload),
                                      interpreters.kind_prefix(kind) + [python, "scripts/pyrun", "run", "--workload",
                                                                        workload, "--mode",
                                                                        "gil" if kind == "gil" else "threads",
                                                                        "--dry-run"])
                if status == 0:
                    sweep.python_for[(workload, kind)] = source
                    break
                if status == 3:
                    reasons[kind] = reasons[kind] or _strip(why)
                    continue
                if status == 124:
                    leave_out(sweep, workload, "workloads/%s.py: loading the file (running its top level) did not "
                              "end within %s s" % (workload, s.first_limit))
                else:
                    leave_out(sweep, workload, _strip(why))
                break
        if workload in sweep.left:
            continue
        if (workload, "gil") not in sweep.python_for:
            leave_out(sweep, workload, "no Python here with a GIL can run %s: %s"
                      % (workload, reasons["gil"] or "none found (apt-get install -y python3)"))
            continue
        if (workload, "free") not in sweep.python_for and any(
                p[0] == workload and p[2].startswith("threads") for p in sweep.plan):
            sweep.python_notes.append("%s: the threading (free-threaded) ways are left out: %s" % (
                workload, reasons["free"] or "no free-threaded Python here (make pythons builds one; or "
                "FREE_THREADED_PYTHON)"))
            sweep.notes_after_checks.append(sweep.python_notes[-1])
            sweep.plan = [p for p in sweep.plan if not (p[0] == workload and p[2].startswith("threads"))]
        gil = sweep.python_for[(workload, "gil")]
        free = sweep.python_for.get((workload, "free"))
        sweep.notes_after_checks.append("%s (workloads/%s.py) on %s (%s)%s" % (
            workload, workload, sweep.python_of[gil], gil,
            " and, free-threaded, %s (%s)" % (sweep.python_of[free], free) if free else ""))
    # meta.json's interpreters: those of the CPython points and these.
    merged = {}
    for line in list(sweep.interpreters) + candidates:
        merged.setdefault(line[0], line)
    sweep.interpreters = list(merged.values())


def refused_way(sweep, workload, way, status, refusal):
    """A Python workload's dry run of WAY failed with STATUS."""
    if status == 3:
        sweep.python_notes.append("%s: %s is left out: %s" % (workload, way_name(way), _strip(refusal)))
        sweep.notes_after_checks.append(sweep.python_notes[-1])
        sweep.unavailable.add((workload, way))
    elif status == 2:
        if "gilbench: workloads/%s.py" % workload not in refusal:
            usage("PARAMS: " + _strip(refusal))
        leave_out(sweep, workload, _strip(refusal))
    elif status == 124:
        leave_out(sweep, workload, "workloads/%s.py: loading the file (running its top level) under %s did not end "
                  "within %s s" % (workload, way_name(way), sweep.s.first_limit))
    else:
        leave_out(sweep, workload, _strip(refusal))


def check_files(sweep, options_of):
    """Each Python workload's file, tried once with its settings before any
    point: setup(), work() on unit 0 and its check."""
    for workload in list(sweep.python_workloads):
        engine, _ = sweep.engine_of((workload, "-", "gil", "1"))
        options = [o for o in options_of(workload)]
        status, refusal = bounded(sweep.s.first_limit + 10, sweep.live.file("check." + workload),
                                  engine + ["check", "--workload", workload, "--timeout", str(sweep.s.first_limit)]
                                  + options)
        if status == 0:
            continue
        said = [line for line in refusal.splitlines() if line.startswith("gilbench: ")]
        line = said[-1] if said else ("workloads/%s.py: its check (setup(), work() on unit 0, check()) %s"
                                      % (workload, status_words(status)))
        leave_out(sweep, workload, _strip(line))


def meta_entries(sweep):
    """meta.json's python_workloads: each file, its interpreters and check."""
    entries = []
    for workload in sweep.python_workloads:
        for fields in sweep.listing:
            if fields[0] != workload:
                continue
            fields = (fields + [""] * 5)[:5]
            free = sweep.python_for.get((workload, "free"))
            try:
                units = int(fields[1])
            except ValueError:
                units = None
            entries.append({"name": fields[0], "file": "workloads/%s.py" % fields[0], "units": units,
                            "unit": fields[2], "checked": fields[3] == "checked", "description": fields[4],
                            "python": sweep.python_for[(workload, "gil")], "free_threaded_python": free})
    return entries
