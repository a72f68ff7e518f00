"""plan - the points of a sweep, one (workload, variant, mode, workers)
tuple each (texts; "-" for no variant, as plan.tsv has it): the default
sweep's every combination, the studies' points (scripts/studies/NAME.plan),
the ways (each mode with each dispatch), PARAMS, the engine options of a
point, and the units raised so that no worker of a point sits idle.
"""
import re

from sweep.messages import parse_list, split, usage
from sweep.settings import parse_number_list

STUDY_MODES = ["gil", "threads", "procs", "interp", "spawn", "gil+pool", "threads+pool", "procs+pool", "interp+pool"]
PYTHON_MODES = "gil,threads,procs,forkserver,spawn,interp"
PYTHON_DEFAULT_WAYS = ["gil", "threads", "procs", "forkserver", "spawn", "interp", "gil+pool", "procs+pool"]


def point_label(workload, variant):
    """workload, or workload@variant (convoy@switch_interval_us=100)."""
    return "%s@%s" % (workload, variant) if variant and variant != "-" else workload


def point_id(point):
    workload, variant, mode, n = point
    return "%s.%s.%s" % (point_label(workload, variant), mode, n)


def cross_plan(workloads, variant, modes, workers):
    return [(w, variant or "-", m, str(n)) for w in workloads for m in modes for n in workers]


def ways_of(modes, dispatch):
    """Each mode with each dispatch (gil, gil+pool, ...)."""
    ways = []
    for mode in modes:
        if "shares" in dispatch:
            ways.append(mode)
        if "pool" in dispatch:
            ways.append(mode + "+pool")
    return ways


def _machine_words(value, cpus):
    words = []
    for word in split(value):
        word = str(cpus * 2) if word == "2cpus" else str(cpus) if word == "cpus" else word
        if word not in words:
            words.append(word)
    return words


def study_plan(path, defaults, cpus):
    """The points of a study: each line of PATH is "workload modes workers
    variants"; workers may use default, cpus and 2cpus; variants is - or
    NAME=V1,V2,... (several, space-separated: every combination, joined by +)."""
    points = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        fields = line.split(None, 3)
        if not fields or fields[0].startswith("#"):
            continue
        workload, modes, workers, variants = (fields + ["", "", ""])[:4]
        variants = variants.strip()
        words = _machine_words(workers.replace("default", defaults), cpus)
        checked = parse_number_list("workers in " + path, ",".join(dict.fromkeys(words)), 1, 4096)
        modes = parse_list("modes in " + path, modes, STUDY_MODES)
        if variants == "-":
            points += cross_plan([workload], "", modes, checked)
        else:
            combinations = [""]
            for token in variants.split():
                if not re.fullmatch(r"[a-z].*=.+", token, re.S):
                    usage("%s: variants '%s' are not NAME=V1,V2,..." % (path, variants))
                name, values = token.split("=", 1)
                combinations = [(c + "+" if c else "") + name + "=" + v
                                for c in combinations for v in _machine_words(values, cpus)]
            for combination in combinations:
                points += cross_plan([workload], combination, modes, checked)
        first = variants.split(" ")[0]
        if "spawn" in modes and (not first.startswith("source=cpython") or "," in first):
            usage("%s: the mode spawn is CPython's (multiprocessing's spawn start method): its line needs the "
                  "variants source=cpython" % path)
    return points


def sweep_plan(workloads, ways, workers, studies, bench_all, defaults, cpus, python_workloads, python_ways):
    """The points of a sweep: the default sweep (unless only studies run),
    then every study's; a point both ask for appears once."""
    points = []
    if not studies or bench_all:
        points += cross_plan(workloads, "", ways, workers)
        points += cross_plan(python_workloads, "", python_ways, workers)
    for study in studies:
        points += study_plan("scripts/studies/%s.plan" % study, defaults, cpus)
    return list(dict.fromkeys(points))


def pooled_sources(plan, dispatch):
    """make calibrate DISPATCH=pool: the model and CPython through their
    pools (and as shares too when DISPATCH has both)."""
    out = []
    for w, v, m, n in plan:
        if v.startswith("source=") and not m.endswith("+pool") and m != "spawn":
            if "shares" in dispatch:
                out.append((w, v, m, n))
            out.append((w, v, m + "+pool", n))
        else:
            out.append((w, v, m, n))
    return out


def parse_params(value, workloads):
    """PARAMS's WORKLOAD.NAME=VALUE items, checked against the sweep's
    workloads (whether NAME and VALUE suit it, the engine checks)."""
    items = []
    for item in split(value):
        if not re.fullmatch(r".*\..*=.*", item, re.S):
            usage("PARAMS: '%s' is not WORKLOAD.NAME=VALUE (e.g. blas_dgemm.n=512)" % item)
        workload = item.split(".", 1)[0]
        if workload not in workloads:
            usage("PARAMS: '%s' is for workload '%s', which this sweep does not run; it runs: %s"
                  % (item, workload, ", ".join(workloads)))
        key = item.split("=", 1)[0]
        if any(seen.split("=", 1)[0] == key for seen in items):
            usage("PARAMS: %s is given twice" % key)
        items.append(item)
    return items


def engine_setting(setting):
    name, _, value = setting.partition("=")
    if name == "units":
        return ["--units", value]
    if name == "switch_interval_us":
        return ["--switch-interval-us", value]
    return ["--param", setting]


def point_options(params, workload, variant, interval):
    """The engine options of a point: its switch interval, the PARAMS for
    its workload and its variant's settings (each overriding a PARAMS entry
    of its name; source= and chunksize= are not settings)."""
    settings = [] if variant in ("", "-") else variant.split("+")
    names = {s.split("=", 1)[0] for s in settings}
    for setting in settings:
        if setting.split("=", 1)[0] == "switch_interval_us":
            interval = setting.split("=", 1)[1]
    options = ["--switch-interval-us", str(interval)]
    for item in params:
        if item.split(".", 1)[0] != workload:
            continue
        item = item.split(".", 1)[1]
        if item.split("=", 1)[0] not in names:
            options += engine_setting(item)
    for setting in settings:
        if setting.split("=", 1)[0] not in ("switch_interval_us", "source", "chunksize"):
            options += engine_setting(setting)
    return options


def variant_source(variant):
    for setting in variant.split("+"):
        if setting.split("=", 1)[0] == "source":
            return setting.split("=", 1)[1]
    return ""


def way_options(way, variant, chunksize):
    """--mode, and for a pool its dispatch and units per task (a chunksize=
    variant, else CHUNKSIZE; neither: the workload's own default)."""
    mode = way[:-5] if way.endswith("+pool") else way
    options = ["--mode", mode]
    if way.endswith("+pool"):
        for setting in variant.split("+"):
            if setting.split("=", 1)[0] == "chunksize":
                chunksize = setting.split("=", 1)[1]
        options += ["--dispatch", "pool"] + (["--chunksize", str(chunksize)] if chunksize else [])
    return options


def units_needed(plan, chunksize):
    """Per workload, the units its largest point needs for every worker to
    have work (workers, times the units of a task under a pool)."""
    need = {}
    for w, v, m, n in plan:
        per = 1
        if m.endswith("+pool"):
            per = int(chunksize)
            found = re.search(r"(^|[+])chunksize=([0-9]+)", v)
            if found:
                per = int(found.group(2))
        need[w] = max(need.get(w, 0), int(n) * per)
    return sorted(need.items())


def largest_points(plan):
    """(workload, variant, way, most workers) of every series, sorted."""
    most = {}
    for w, v, m, n in plan:
        most[(w, v, m)] = max(most.get((w, v, m), 0), int(n))
    return sorted((k[0], k[1], k[2], str(n)) for k, n in most.items())


def plan_text(plan):
    return "".join("\t".join(point) + "\n" for point in plan)


def read_plan(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [tuple((line.split("\t") + ["", "", "", ""])[:4]) for line in f.read().splitlines() if line]
