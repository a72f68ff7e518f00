"""meta - a run folder and its JSON: reading meta.json and telling whether
it has the shape the sweep's readers expect (check_results_folder, the
refusal of make compare, plots and report), making a new folder under
RESULTS_DIR, and writing any file atomically (a temporary file of its own in
the same folder, then os.replace: a reader sees the old file or the new
one, never half of one); numbers as jq reads, rounds and prints them; a
file's text or lines and a folder's names, none where they cannot be read.
"""
import json
import math
import os
import re
import socket
import sys
import tempfile
import time

from sweep.messages import die, usage


def _number(text):
    """A JSON number as jq holds it: a whole float is an int (3.0 -> 3)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number: %s" % text)
    return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value


def _no_constant(name):
    raise ValueError("not JSON: %s" % name)


def parse_json(text):
    """JSON text (NaN and Infinity refused, as jq refuses them)."""
    return json.loads(text, parse_float=_number, parse_constant=_no_constant)


def load_json(path):
    """The JSON value in PATH; ValueError or OSError if it has none."""
    with open(path, "rb") as f:
        return parse_json(f.read().decode("utf-8", errors="replace"))


def dumps(value):
    """VALUE as jq prints it: 2-space indent, UTF-8 as it is, a final
    newline; a byte that was not UTF-8 (a lone surrogate) becomes U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def text_of(value):
    """jq's tostring: text as it is, a number as jq prints it, else JSON."""
    if isinstance(value, str):
        return value
    if is_number(value):
        return jq_number(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def file_mode():
    """The mode of a file made with `chmod =rw` (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path, text):
    """TEXT (str, written in UTF-8, any byte read with surrogateescape as it
    was; or bytes) to PATH through a temporary
    file of its own beside it (.NAME.XXXXXXXX: of two writers of one file,
    the last to finish wins); False, with nothing left behind, if it
    cannot be written."""
    folder, name = os.path.split(path)
    data = text.encode("utf-8", errors="surrogateescape") if isinstance(text, str) else text
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + name + ".", dir=folder or ".")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def write_json(path, value):
    """VALUE to PATH as jq would print it, atomically; dies if it cannot."""
    if not write_atomically(path, dumps(value)):
        die("cannot write %s" % path)


# ---- what a meta.json must hold ----

def is_number(v):
    """A JSON number: an int or a float, not a bool."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _strings(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _numbers(v):
    return isinstance(v, list) and all(is_number(x) for x in v)


def _maybe(test):
    return lambda v: v is None or test(v)


def _python_workload(w):
    return (isinstance(w, dict) and isinstance(w.get("name"), str)
            and all(isinstance(w.get(k), str) for k in ("file", "unit", "description", "python"))
            and is_number(w.get("units")) and isinstance(w.get("checked"), bool)
            and _maybe(lambda x: isinstance(x, str))(w.get("free_threaded_python")))


SETTING_NUMBERS = ("switch_interval_us", "runs", "max_runs", "warmup", "precision_pct", "budget_s",
                   "seed", "chunksize", "confidence")
MACHINE_NUMBERS = ("cpus_usable", "cpus_online", "rounds", "fma_gflops_single_core", "other_cpu_share")
MACHINE_TEXTS = ("cpu_model", "host", "kernel", "os", "compiler", "date_utc", "command")


def meta_problem(meta):
    """None when META (a parsed meta.json) has the shape the readers use
    (the types of the fields they read; any may be absent but settings and
    its workloads), else what is wrong, in a few words."""
    if not isinstance(meta, dict):
        return "is not a JSON object"
    settings = meta.get("settings")
    given = settings if isinstance(settings, dict) else {}
    python = meta.get("python")
    checks = [
        (isinstance(settings, dict), "has no settings"),
        (_strings(given.get("workloads")), "has no list of workload names (.settings.workloads)"),
        (_maybe(_strings)(given.get("modes")), ".settings.modes is not a list of names"),
        (_maybe(_numbers)(given.get("workers")), ".settings.workers is not a list of numbers"),
        (_maybe(_strings)(given.get("studies")), ".settings.studies is not a list of names"),
        (_maybe(_strings)(given.get("dispatch")), ".settings.dispatch is not a list of names"),
        (all(_maybe(is_number)(given.get(k)) for k in SETTING_NUMBERS), "has a setting that is not a number"),
        (_maybe(lambda v: isinstance(v, str))(given.get("params")), ".settings.params is not text"),
        (_maybe(lambda v: isinstance(v, bool))(given.get("default_sweep")),
         ".settings.default_sweep is not true or false"),
        (all(_maybe(is_number)(meta.get(k)) for k in MACHINE_NUMBERS), "has a machine figure that is not a number"),
        (all(_maybe(lambda v: isinstance(v, str))(meta.get(k)) for k in MACHINE_TEXTS),
         "has a machine field that is not text"),
        (_maybe(_strings)(meta.get("warnings")), ".warnings is not a list of lines"),
        (_maybe(_numbers)(meta.get("loadavg_before")), ".loadavg_before is not a list of numbers"),
        (_maybe(lambda v: isinstance(v, dict))(meta.get("openblas_environment")),
         ".openblas_environment is not an object"),
        (_maybe(lambda v: isinstance(v, bool))(meta.get("complete")), ".complete is not true or false"),
        (_maybe(lambda v: isinstance(v, list) and all(_python_workload(w) for w in v))(meta.get("python_workloads")),
         ".python_workloads is not what the sweep writes"),
        (python is None or (isinstance(python, dict) and _maybe(
            lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v))(python.get("interpreters"))),
         ".python.interpreters is not a list"),
        (_maybe(lambda v: isinstance(v, list))(meta.get("wide_points")), ".wide_points is not a list"),
    ]
    return next((what for passed, what in checks if not passed), None)


def readable_file(path):
    """PATH is a regular file, readable and not empty."""
    return os.path.isfile(path) and os.path.getsize(path) > 0 and os.access(path, os.R_OK)


def check_results_folder(name, folder):
    """Exits 2 unless FOLDER is a results folder (meta.json of the right
    shape, summary.csv); returns its meta.json."""
    if not os.path.isdir(folder):
        usage("%s='%s' is not a folder; give a folder under results/" % (name, folder))
    for file in ("meta.json", "summary.csv"):
        if not readable_file(os.path.join(folder, file)):
            usage("%s='%s' is not a results folder (no readable %s)" % (name, folder, file))
    try:
        meta = load_json(os.path.join(folder, "meta.json"))
        problem = meta_problem(meta)
    except (ValueError, OSError, RecursionError):
        problem = "is not valid JSON"
    if problem:
        usage("%s='%s' is not a results folder of this gilbench: its meta.json %s" % (name, folder, problem))
    return meta


def new_run_folder(parent, name=None):
    """Makes and returns PARENT/NAME (default <UTC date-time>-<host>), or
    NAME-2, NAME-3...: mkdir is atomic, so two at once get different folders."""
    if name is None:
        safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        host = "".join(chr(c) if c in safe else "_"
                       for c in os.fsencode(socket.gethostname().split(".")[0]))[:40]
        name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + (host or "host")
    base = os.path.join(parent, name)
    for folder in [base] + ["%s-%d" % (base, suffix) for suffix in range(2, 101)]:
        try:
            os.mkdir(folder)
            return folder
        except OSError:
            if not (os.path.isdir(parent) and os.access(parent, os.W_OK)):
                break
    die("cannot create a run folder in %s" % parent)


# ---- JSON as jq 1.6 reads and prints it (the tidy data carry its numbers) ----

def jq_number(value):
    """A number as jq 1.6 prints it: the shortest digits that read back as
    the same double (what repr finds), in plain notation unless the point
    lies 4 or more places before the first digit (1e-05) or more than 15
    places after the last one (1e+16); a whole number without ".0", -0 as
    "-0", an infinity as the largest double, NaN as null."""
    try:
        x = float(value)
    except OverflowError:
        x = math.inf if value > 0 else -math.inf
    if math.isnan(x):
        return "null"
    x = max(-sys.float_info.max, min(sys.float_info.max, x))
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    digits = all_digits.strip("0")
    point = len(whole) + int(exponent or 0) - (len(all_digits) - len(all_digits.lstrip("0")))
    if point <= -4 or point > len(digits) + 15:
        text = "%s%se%s%02d" % (digits[0], "." + digits[1:] if len(digits) > 1 else "",
                                "-" if point < 1 else "+", abs(point - 1))
    elif point <= 0:
        text = "0." + "0" * -point + digits
    elif point >= len(digits):
        text = digits + "0" * (point - len(digits))
    else:
        text = digits[:point] + "." + digits[point:]
    return ("-" if x < 0 else "") + text


_JQ_DECODER = json.JSONDecoder(parse_float=float, parse_int=float, parse_constant=_no_constant)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def jq_values(text):
    """The JSON values of TEXT one after another (a file as jq reads it: a
    .jsonl file's lines, or one document), every number a float as jq holds
    it (4668 and 4668.0 alike, 2^64 rounded); ValueError at the first that
    is not JSON."""
    values = []
    at = _JSON_SPACE.match(text).end()
    while at < len(text):
        value, at = _JQ_DECODER.raw_decode(text, at)
        values.append(value)
        at = _JSON_SPACE.match(text, at).end()
    return values


def read_jq_values(path):
    """The JSON values of the file PATH (jq_values); bytes that are not
    UTF-8 read as U+FFFD, as jq reads them."""
    with open(path, "rb") as f:
        return jq_values(f.read().decode("utf-8", errors="replace"))


def copy_atomically(source, target):
    """The file SOURCE to TARGET through write_atomically; False, with
    nothing left behind, if it cannot be read or written."""
    try:
        with open(source, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return write_atomically(target, data)


def read_text(path, errors="replace"):
    """PATH's text (bytes that are not UTF-8 as ERRORS says); None if it
    cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors=errors)
    except OSError:
        return None


def lines_of(path):
    """PATH's lines (str.splitlines: a carriage return ends one too; bytes
    that are not UTF-8 kept as surrogates); none if it cannot be read."""
    return (read_text(path, "surrogateescape") or "").splitlines()


def jq_round(x):
    """jq's round: to the nearest whole number, halves away from zero."""
    whole = math.floor(abs(x))
    return math.copysign(whole + (1 if abs(x) - whole >= 0.5 else 0), x)


def plain(x):
    """A figure as jq prints it: a whole number without its ".0"."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def tenths(x):
    """X to one decimal as jq printed it (2.46 is 2.5, 3.0 is 3)."""
    return text_of(plain(jq_round(x * 10) / 10))


def percent(share):
    """SHARE (0.456) as a whole percentage as jq printed it (46)."""
    return text_of(plain(jq_round(share * 100)))


def make_folder(path, failure="cannot create %s"):
    """Makes the folder PATH and those above it (one already there is
    fine); exits 1 saying FAILURE % PATH if it cannot."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        die(failure % path)


def run_folder_argument(command, argv):
    """The results folder that COMMAND (calibration, plots, report) takes
    as its one argument in ARGV, a trailing slash dropped, and its meta.json;
    exits 2 on another count of arguments or on a folder that is not one."""
    if len(argv) != 1:
        usage("%s takes one results folder: python3 scripts/sweep %s RUN_DIR" % (command, command))
    run_dir = argv[0][:-1] if argv[0].endswith("/") else argv[0]
    return run_dir, check_results_folder("RUN", run_dir)


def names_in(folder):
    """The names in FOLDER (os.listdir's order); none if it cannot be read."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def last_json_object(path):
    """The JSON object of PATH's last line that is one (a command's result
    line after whatever else it printed), or None."""
    for line in reversed(lines_of(path)):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
