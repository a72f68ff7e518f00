"""workload_files.py - the workload called NAME: a file workloads/<name>.py
(see docs/adding-a-python-workload.md), read and checked here, or one of
the studies' built-in workloads (study_workloads.py); both are a Workload
(workload.py).

A file declares, as literals (read without running the file):
    the module docstring  its first line is the workload's description
    UNIT                  what one unit is, e.g. "one record"
    UNITS                 the default unit count (1 to 10^12)
    SETTINGS              optional: {name: (default, lowest, highest)},
                          whole numbers, set with --param NAME=VALUE
    CHUNKSIZE             optional: units per task of a pool (default 1)
    DETERMINISTIC         optional: True when work() gives the same value for
                          the same units and settings on every run (no
                          randomness, no clock, nothing fetched): a value
                          check() accepted once is then accepted again by
                          equality (pyrun run --accepted FILE)
and defines:
    work(state, first, count)  required: does units [first, first + count)
                          and returns an int (a count, a checksum, ...)
    setup(params)         optional: run once before the timed region; its
                          result is the state every worker sees (inherited
                          by forked workers, rebuilt by spawned ones and by
                          each subinterpreter).  Without it the state is
                          the settings' dict.
    check(state, first, count, value)  optional: True when value is what
                          units [first, first + count) must give; without
                          it the run is reported unchecked
    teardown(state)       optional: run by whoever ran setup, after its work
    task_payload(params)  optional: (argument bytes, result bytes) a pool's
                          task carries, unless --task-arg-kib/--task-result-kib say
    figures(state)        optional: a dict of fields added to the JSON line

A bad file (a syntax error, no work function, a declaration that is not
what it must be) is one line and exit 2; a file whose imports this Python
lacks is "unavailable" (exit 3 under --dry-run, 1 otherwise).
"""
import ast
import os
import re
import sys
import types

from . import study_workloads
from .runner_common import fail, last_line, usage
from .workload import Workload, shown_path

HERE = os.path.dirname(os.path.abspath(__file__))
# The workload files: workloads/ of the tree this runner is in, unless
# GILBENCH_WORKLOADS_DIR says (the tests' copies of the tree).
WORKLOADS_DIR = os.environ.get("GILBENCH_WORKLOADS_DIR") or os.path.join(HERE, "..", "..", "workloads")
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
NAME_RULE = "a lower-case letter, then at most 39 lower-case letters, digits or _"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_UNITS = 10**12
MAX_CHUNKSIZE = 10**9
FUNCTIONS = {"work": 3, "setup": 1, "check": 4, "teardown": 1, "task_payload": 1, "figures": 1}


class BadFile(Exception):
    """A workload file that is not what it must be: its one line."""


def file_path(name):
    return os.path.join(WORKLOADS_DIR, name + ".py")


def is_text(text):
    """Whether text can be written out (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def file_names(valid=True):
    """The names of the workload files, sorted: those whose names are
    workload names (valid), or the others (valid=False)."""
    try:
        entries = os.listdir(WORKLOADS_DIR)
    except OSError:
        return []
    return sorted(e[:-3] for e in entries if e.endswith(".py") and bool(NAME.match(e[:-3])) == valid)


def shown_name(name):
    """A file name as a listing shows it: what a setting could not carry
    (anything but letters, digits, _, . and -) as ?."""
    return re.sub(r"[^A-Za-z0-9_.-]", "?", name) or "?"


def name_problem(name):
    """Why a file workloads/<name>.py is not a workload's, or None."""
    if not NAME.match(name):
        import unicodedata
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        suggestion = re.sub(r"[^a-z0-9_]", "_", ascii_name).lstrip("_0123456789")[:40] or "my_workload"
        return ("%s: a workload's name is %s; rename the file, e.g. to %s.py"
                % (shown_path(file_path(name)), NAME_RULE, suggestion))
    if name in study_workloads.BUILT_IN:
        return ("%s: %s is the name of a workload built into the runner (a study's); rename the file"
                % (shown_path(file_path(name)), name))
    return None


def declarations(name):
    """A file's Workload from its literal declarations, without running it;
    raises BadFile with one line when they are not what they must be."""
    path = file_path(name)
    shown = shown_path(path)
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        raise BadFile("%s: cannot be read: %s" % (shown, e.strerror))
    try:
        tree = ast.parse(source, shown)
    except SyntaxError as e:
        raise BadFile("%s: line %s: %s (as Python %s reads it)" % (shown, e.lineno, e.msg, sys.version.split()[0]))
    except (ValueError, MemoryError, RecursionError) as e:  # a NUL byte, nesting too deep
        raise BadFile("%s: cannot be parsed: %s" % (shown, last_line(e)))
    doc = ast.get_docstring(tree)
    if not doc or not doc.strip():
        raise BadFile("%s: no docstring: its first line is the workload's description" % shown)
    if not is_text(doc):
        raise BadFile("%s: its docstring is not valid text (a lone surrogate such as \\ud800)" % shown)
    values, defined = {}, set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            if target in ("UNIT", "UNITS", "SETTINGS", "CHUNKSIZE", "DETERMINISTIC"):
                try:
                    values[target] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as e:
                    # ValueError: not a literal; TypeError: a literal that cannot be
                    # made, such as a dict with a list for a key.
                    raise BadFile("%s: line %d: %s must be a literal (it is read without running the file)%s"
                          % (shown, node.lineno, target, "" if isinstance(e, ValueError) else ": " + last_line(e)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.add(node.name)
    if "work" not in defined:
        raise BadFile("%s: no work function: define work(state, first, count), which does units "
              "[first, first + count) and returns an int" % shown)
    unit = values.get("UNIT")
    if not isinstance(unit, str) or not unit.strip() or not is_text(unit) or CONTROL.search(unit):
        raise BadFile("%s: UNIT must be a one-line string without tabs or control characters saying what one "
                      "unit is, e.g. UNIT = \"one record\"" % shown)
    units = values.get("UNITS")
    if type(units) is not int or not 1 <= units <= MAX_UNITS:
        raise BadFile("%s: UNITS must be the default unit count, a whole number from 1 to %d" % (shown, MAX_UNITS))
    chunksize = values.get("CHUNKSIZE", 1)
    if type(chunksize) is not int or not 1 <= chunksize <= MAX_CHUNKSIZE:
        raise BadFile("%s: CHUNKSIZE must be a whole number from 1 to %d" % (shown, MAX_CHUNKSIZE))
    deterministic = values.get("DETERMINISTIC", False)
    if deterministic is not True and deterministic is not False:
        raise BadFile("%s: DETERMINISTIC must be True or False (whether work() gives the same value for the same "
                      "units and settings on every run)" % shown)
    settings = values.get("SETTINGS", {})
    if not isinstance(settings, dict):
        raise BadFile("%s: SETTINGS must be a dict {name: (default, lowest, highest)}" % shown)
    for setting, spec in settings.items():
        if not (isinstance(setting, str) and NAME.match(setting)) or setting in ("units", "source", "chunksize"):
            raise BadFile("%s: SETTINGS: '%s' is not a setting name (lower case, digits, _; not units, source "
                  "or chunksize)" % (shown, setting))
        if not (isinstance(spec, tuple) and len(spec) == 3 and all(type(v) is int and v >= 0 for v in spec)
                and spec[1] <= spec[0] <= spec[2]):
            raise BadFile("%s: SETTINGS['%s'] must be (default, lowest, highest), whole numbers >= 0 with "
                  "lowest <= default <= highest" % (shown, setting))
    description = CONTROL.sub(" ", doc.strip().splitlines()[0]).strip()
    workload = Workload(name, description, unit, units, settings, path, chunksize,
                        deterministic)
    workload.functions = defined
    return workload


def load_file(name, unavailable_status=1):
    """A file's Workload with its module run: its functions defined and
    checked.  A missing import is this Python's lack, not the file's fault:
    exit unavailable_status (3 under --dry-run) with one line."""
    try:
        workload = declarations(name)
    except BadFile as e:
        usage(str(e))
    module = types.ModuleType("gilbench_workload_" + name)
    module.__file__ = workload.path
    if HERE not in sys.path:  # gilbench_kit, after everything a file could import
        sys.path.append(HERE)
    shown = shown_path(workload.path)
    try:
        with open(workload.path, "rb") as f:
            code = compile(f.read(), shown, "exec")
        exec(code, module.__dict__)
    except ImportError as e:
        fail("%s: this Python (%s %s) cannot import what it needs: %s"
             % (shown, sys.executable, sys.version.split()[0], last_line(e)), unavailable_status)
    except BaseException as e:  # SystemExit, KeyboardInterrupt too: the file's, not the runner's
        usage("%s: running the file raised %s" % (shown, last_line(e)))
    for function, arguments in FUNCTIONS.items():
        fn = module.__dict__.get(function)
        if fn is None:
            continue
        code = getattr(fn, "__code__", None)
        if not isinstance(fn, types.FunctionType) or code.co_argcount != arguments:
            usage("%s: %s must be a function of %d argument%s" % (shown, function, arguments,
                                                                    "" if arguments == 1 else "s"))
    workload.module = module
    return workload


def load(name, unavailable_status=1):
    """The workload called name: a built-in study workload, else a file."""
    if name in study_workloads.BUILT_IN:
        return study_workloads.BUILT_IN[name]()
    if name and os.path.isfile(file_path(name)) and name_problem(name):
        usage(name_problem(name))
    if not NAME.match(name or "") or not os.path.isfile(file_path(name)):
        usage("unknown --workload '%s'; accepted: %s (the files in %s; a file's name is %s)"
              % (name, ", ".join(sorted(file_names() + list(study_workloads.BUILT_IN))),
                 shown_path(WORKLOADS_DIR), NAME_RULE))
    return load_file(name, unavailable_status)
