"""mutate_readers.py - fuzzes the readers written in shell, awk, jq and
Python (make fuzz): a small real sweep makes a good results folder, two of
them and a GIL trace; then, until --seconds have passed, a copy of one is mutated
(bytes flipped, lines dropped, doubled or cut, numbers made huge, negative,
NaN or empty, JSON values given the wrong type, files emptied, removed or
turned into folders) and handed to `make plots RUN=` (python3 scripts/sweep plots),
`make report RUN=` (python3 scripts/sweep report), `make compare` (python3 scripts/sweep compare),
`make bench RERUN=` (python3 scripts/sweep bench),
`make timeline TRACE=` (python3 scripts/sweep timeline --draw) and `gilbench
summarize`.  Each command must end within its time, with status 0 or with
status 1 or 2 and its last line "gilbench: ...", print no shell, awk, jq or
Python error, and leave no temporary file behind.  A failing case is kept
under --findings (the mutated files and what the command printed).

    python3 tests/fuzz/mutate_readers.py --seconds S --work DIR --findings DIR [--seed N]

The last line says: "readers: N commands, M findings".
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMAND_TIMEOUT_S = 60
# What a script must never print: the shell's, awk's, jq's or Python's own
# complaints (a reader that lets bad input through to them).
TOOL_ERRORS = re.compile(r"\.sh: line \d+: |syntax error|unbound variable|command not found|integer expression"
                         r"|unary operator|binary operator|bad substitution|jq: error|^awk: |^gawk: |^mawk: "
                         r"|Traceback|Segmentation fault|core dumped", re.M)
NUMBERS = ["0", "-1", "1e999", "nan", "NaN", "inf", "", "18446744073709551616", "0.0000001", "9" * 40, "1,5", "x"]
WORDS = ["", " ", "'", '"', "$(touch pwned)", "`id`", "a,b", "a\tb", "../x", "-", "\\", "é", "\x00"]


def run(command, cwd=ROOT, env=None, timeout=COMMAND_TIMEOUT_S):
    started = time.time()
    try:
        p = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), \
            time.time() - started
    except subprocess.TimeoutExpired:
        return None, "", "timed out", time.time() - started


def make_good(work, engine):
    """Two small results folders of a real sweep and a trace."""
    results = os.path.join(work, "good")
    shutil.rmtree(results, ignore_errors=True)
    env = dict(os.environ, WORKLOADS="cpu_loop,io_wait", MODES="gil,procs", WORKERS="1,2", RUNS="2",
               PARAMS="cpu_loop.units=60 io_wait.units=4 io_wait.sleep_us=1000", RESULTS_DIR=results,
               PLOTS_DIR=os.path.join(work, "good-plots"), TIMELINE_MS="20", GILBENCH=engine, SEED="1")
    folders = []
    for _ in range(2):
        status, out, err, _ = run(["python3", "scripts/sweep", "bench"], env=env, timeout=600)
        if status != 0:
            sys.exit("mutate_readers: the good sweep failed: %s" % err.strip().splitlines()[-1:])
        folders.append(os.path.realpath(os.path.join(results, "latest")))
    trace = os.path.join(work, "good.tsv")
    status, out, err, _ = run([engine, "run", "--workload", "cpu_loop", "--mode", "gil", "--workers", "2",
                               "--units", "300", "--trace", trace])
    if status != 0:
        sys.exit("mutate_readers: the traced run failed: %s" % err.strip())
    return folders, trace


def mutate_text(text, rng):
    lines = text.split("\n")
    kind = rng.choice(["flip", "drop", "double", "cut", "number", "word", "insert", "empty", "swap"])
    if kind == "flip" and text:
        i = rng.randrange(len(text))
        return text[:i] + chr(rng.randrange(1, 256)) + text[i + 1:], kind
    if kind == "drop" and lines:
        del lines[rng.randrange(len(lines))]
    elif kind == "double" and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "cut":
        return text[:rng.randrange(len(text) + 1)], kind
    elif kind == "number":
        spots = list(re.finditer(r"-?\d+(\.\d+)?(e[-+]?\d+)?", text))
        if spots:
            m = rng.choice(spots)
            return text[:m.start()] + rng.choice(NUMBERS) + text[m.end():], kind
    elif kind == "word":
        spots = list(re.finditer(r"[A-Za-z_][A-Za-z_0-9+.]*", text))
        if spots:
            m = rng.choice(spots)
            return text[:m.start()] + rng.choice(WORDS) + text[m.end():], kind
    elif kind == "insert":
        i = rng.randrange(len(text) + 1)
        return text[:i] + "".join(chr(rng.randrange(0, 256)) for _ in range(rng.randrange(1, 8))) + text[i:], kind
    elif kind == "empty":
        return "", kind
    elif kind == "swap" and len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines), kind


def mutate_json(text, rng):
    """A value of meta.json given another type or removed."""
    try:
        data = json.loads(text)
    except ValueError:
        return mutate_text(text, rng)
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])
    walk(data, [])
    path = rng.choice(paths[1:]) if len(paths) > 1 else []
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    replacement = rng.choice([None, "", "x", -1, 1e300, [], {}, True, "1; rm -rf /", 0])
    if path and rng.random() < 0.2 and isinstance(parent, dict):
        del parent[path[-1]]
        return json.dumps(data), "json-remove %s" % path
    if path:
        parent[path[-1]] = replacement
    return json.dumps(data), "json %s = %r" % (path, replacement)


def mutate_folder(folder, rng):
    """Mutates one file of folder (a copy); returns what was done."""
    candidates = [f for f in ("summary.csv", "figures.csv", "meta.json", "runs.tsv", "plan.tsv", "answer.txt")
                  if os.path.exists(os.path.join(folder, f))]
    name = rng.choice(candidates)
    path = os.path.join(folder, name)
    roll = rng.random()
    if roll < 0.04:
        os.remove(path)
        return "%s removed" % name
    if roll < 0.06:
        os.remove(path)
        os.mkdir(path)
        return "%s made a folder" % name
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    text, kind = (mutate_json if name.endswith(".json") and rng.random() < 0.7 else mutate_text)(text, rng)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text.replace("\x00", ""))
    return "%s: %s" % (name, kind)


def temporaries(folder):
    """Files a writer leaves while it works (write_atomically, mktemp)."""
    found = []
    for base, dirs, files in os.walk(folder):
        found += [os.path.join(base, f) for f in files
                  if re.match(r"\..*\.[A-Za-z0-9]{6}$", f) or f.endswith(".tmp") or ".tmp." in f]
    return found


def judge(status, out, err, seconds):
    """None when a command's end is acceptable, else what is wrong."""
    if status is None:
        return "no end within %d s" % COMMAND_TIMEOUT_S
    if status < 0 or status > 2:
        return "exit status %d" % status
    bad = TOOL_ERRORS.search(err) or TOOL_ERRORS.search(out)
    if bad:
        return "a tool's own error: %r" % (err.strip().split("\n") or [""])[-1][:200]
    if status != 0:
        last = (err.strip().split("\n") or [""])[-1]  # lines end at \n only
        if not last.startswith("gilbench: "):
            return "exit %d without a gilbench line: %r" % (status, last[:200])
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--work", required=True)
    parser.add_argument("--findings", required=True)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--engine", default=os.path.join(ROOT, "build", "gilbench"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.findings, exist_ok=True)
    good, trace = make_good(args.work, args.engine)
    print("readers: seed %d; good folders %s, trace %s" % (args.seed, good, trace))
    commands = findings = 0
    deadline = time.time() + args.seconds
    case = 0
    while time.time() < deadline:
        case += 1
        scratch = os.path.join(args.work, "case")
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        # RERUN re-measures what it accepts (a few seconds): drawn less often.
        target = rng.choice(["plots", "report", "compare", "timeline", "summarize"] * 3 + ["rerun"])
        env = dict(os.environ, GILBENCH=args.engine, PLOTS_DIR=os.path.join(scratch, "plots"))
        if target == "timeline":
            copy = os.path.join(scratch, "trace.tsv")
            with open(trace, encoding="utf-8", errors="surrogateescape") as f:
                text, what = mutate_text(f.read(), rng)
            with open(copy, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text.replace("\x00", ""))
            what = "trace: " + what
            command = [sys.executable, "scripts/sweep", "timeline", "--draw", copy]
            watched = scratch
        else:
            copy = os.path.join(scratch, "run")
            shutil.copytree(good[0], copy, symlinks=True)
            what = mutate_folder(copy, rng)
            watched = copy
            if target == "plots":
                command = [sys.executable, "scripts/sweep", "plots", copy]
            elif target == "report":
                command = [sys.executable, "scripts/sweep", "report", copy]
            elif target == "rerun":
                command = ["python3", "scripts/sweep", "bench"]
                env.update(RERUN=copy, RESULTS_DIR=os.path.join(scratch, "rerun"), TIMELINE_MS="20")
                watched = scratch
            elif target == "summarize":
                command = [args.engine, "summarize", "--runs", os.path.join(copy, "runs.tsv"), "--table",
                           "--answer", "--csv", os.path.join(scratch, "summary.csv")]
            else:
                other = os.path.join(scratch, "other")
                shutil.copytree(good[1], other, symlinks=True)
                command = [sys.executable, "scripts/sweep", "compare", other, copy]
                env["RESULTS_DIR"] = os.path.join(scratch, "compare")
        status, out, err, seconds = run(command, env=env)
        commands += 1
        problem = judge(status, out, err, seconds)
        if problem is None and temporaries(watched):
            problem = "temporary files left: %s" % temporaries(watched)[:3]
        if problem:
            findings += 1
            kept = os.path.join(args.findings, "%s-%d" % (target, case))
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(scratch, kept, symlinks=True)
            with open(os.path.join(kept, "FINDING.txt"), "w") as f:
                f.write("command: %s\nmutation: %s\nproblem: %s\nstatus: %s\nstdout:\n%s\nstderr:\n%s\n"
                        % (" ".join(command), what, problem, status, out[-4000:], err[-4000:]))
            print("finding %d: %s %s: %s (kept in %s)" % (findings, target, what, problem, kept))
    print("readers: %d commands, %d findings" % (commands, findings))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
