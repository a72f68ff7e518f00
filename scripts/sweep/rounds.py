"""rounds - the sweep's measuring: interleaved rounds, each running every
active point once (one hyperfine call of one run, its JSON in hyperfine/,
the engine's or pyrun's JSON line appended to raw/ID.jsonl), in an order
shuffled afresh per round (SEED), so that a drift of the machine lands on
every point alike.  Around each call: schedule.tsv (what ran when),
noise.tsv (other processes' CPU ticks, steal, the clock), failures.tsv and
the terminal line of a failed point.  After each round the live answer
(`gilbench summarize --deciding`) and the points still wider than
PRECISION decide the next: points below RUNS; up to MAX_RUNS those an
answer still needs, whatever the budget; while BUDGET lasts, wide points.
"""
import os
import random
import re
import subprocess
import time

from sweep import hosts, run_folder
from sweep.messages import clock
from sweep.meta import lines_of, names_in
from sweep.plan import point_id, point_label
from sweep.processes import stop_tagged
from sweep.settings import adaptive_timeout
from sweep.tables import number, read_table

SECONDS = re.compile(r'"seconds":([-+0-9.eE]+)')


def shell_words(arguments):
    """One command line that hyperfine -N splits back into ARGUMENTS."""
    return " ".join("'" + a.replace("'", "'\\''") + "'" for a in arguments)


def shuffled(lines, seed):
    """LINES in an order that SEED decides."""
    lines = list(lines)
    random.Random(seed).shuffle(lines)
    return lines


def cpu_ticks():
    """(busy, steal, total, own): the machine's busy, stolen and total CPU
    ticks (/proc/stat) and the CPU time of this process's waited-for
    children; None where they cannot be read."""
    try:
        with open("/proc/self/stat", "rb") as f:
            rest = f.read().decode("ascii", "replace").rsplit(") ", 1)[-1].split()
        own = int(rest[13]) + int(rest[14])
        with open("/proc/stat", "rb") as f:
            fields = f.readline().decode("ascii", "replace").split()
        if fields[0] != "cpu":
            return None
        user, nice, system, idle, iowait, irq, softirq = (int(x) for x in fields[1:8])
        steal = int(fields[8]) if len(fields) > 8 else 0
    except (OSError, ValueError, IndexError):
        return None
    busy = user + nice + system + irq + softirq
    return busy, steal, busy + idle + iowait + steal, own


def call_noise(before, after):
    """(other, steal, total) ticks between two cpu_ticks readings."""
    if before is None or after is None:
        return 0, 0, 0
    return (after[0] - before[0]) - (after[3] - before[3]), after[1] - before[1], after[2] - before[2]


def cpu_mhz():
    """The mean current clock of the CPUs in MHz (cpufreq), else "-"."""
    total = count = 0
    for name in (n for n in names_in("/sys/devices/system/cpu") if re.fullmatch(r"cpu[0-9]+", n)):
        try:
            with open("/sys/devices/system/cpu/%s/cpufreq/scaling_cur_freq" % name) as f:
                khz = f.read().strip()
        except OSError:
            continue
        if khz.isdigit():
            total, count = total + int(khz), count + 1
    return str((total // count + 500) // 1000) if count else "-"


def point_failure(status, run_dir, pid, lines):
    """Why a call failed, or "" if it did not: hyperfine's exit status, the
    engine's messages in logs/ID.log, the result lines it should have written."""
    log = os.path.join(run_dir, "logs", pid + ".log")
    if status == 0:
        found = len(lines_of(os.path.join(run_dir, "raw", pid + ".jsonl")))
        if found == lines:
            return ""
        return ("ended with status 0 but wrote %d of its %d result line%s: did the workload end the process "
                "(os._exit(), a fork's exit)?" % (found, lines, "" if lines == 1 else "s"))
    if status in (124, 137):
        return "timed out: the point as a whole took too long and was killed (outer watchdog)"
    text = "\n".join(lines_of(log))
    engine = hosts.join_distinct(line[10:] for line in text.splitlines() if line.startswith("gilbench: "))
    mpirun = hosts.mpirun_failure(text, engine)
    said = []
    for line in text.splitlines():
        if line.startswith("Error: "):
            line = re.sub(r" Use the .*", "", line[7:])
            line = re.sub(r"\.$", "", line)
            said.append(re.sub(r"^Command terminated with non-zero exit code: ([0-9]*)", r"exited with status \1", line))
    hyperfine = hosts.join_distinct(said)
    engine = hosts.join_distinct([engine, mpirun])
    if not engine:
        engine = hosts.join_distinct("crashed: %s (Fatal Python error)" % line[len("Fatal Python error: "):]
                                     for line in text.splitlines() if line.startswith("Fatal Python error: "))
    hyperfine = hyperfine.replace("The process has been terminated by a signal",
                                  "killed by a signal (which one, hyperfine does not say)", 1)
    return engine or hyperfine or "failed with status %d; see %s" % (status, log)


def summary_ids(folder, keep):
    """ids of the rows of FOLDER/summary.csv for which KEEP(row) holds."""
    path = os.path.join(folder, "summary.csv")
    if not (os.path.isfile(path) and os.path.getsize(path) > 0):
        return []
    rows = read_table(path, optional=("variant", "precision", "ci_level", "disturbed"))
    return [(point_id((row["workload"], row["variant"], row["mode"], row["workers"])), row)
            for row in rows if keep(row)]


def _wide(row, precision):
    if row["precision"] == "":
        return False
    level = number(row["ci_level"])
    short = (row["ci_level"] < "0.95") if level is None else level < 0.95
    return (number(row["precision"]) or 0) * 100 > precision or short


def wide_points(folder, precision):
    """"id (±x %)" of every row wider than PRECISION % or short of 95 %."""
    return ["%s (±%.1f %%)" % (pid, (number(row["precision"]) or 0) * 100)
            for pid, row in summary_ids(folder, lambda row: _wide(row, precision))]


def disturbed_points(folder):
    return [pid for pid, _ in summary_ids(folder, lambda row: row["disturbed"] == "yes")]


def steady_series_points(run_dir, precision):
    """ids of the points of every series with no failed and no wide point:
    what RERUN keeps."""
    bad = {w.split(" ")[0].rsplit(".", 1)[0] for w in wide_points(run_dir, precision)}
    for line in lines_of(os.path.join(run_dir, "failures.tsv")):
        fields = line.split("\t")
        if len(fields) >= 4:
            bad.add("%s.%s" % (point_label(fields[0], fields[1]), fields[2]))
    return [pid for pid, _ in summary_ids(run_dir, lambda row: True) if pid.rsplit(".", 1)[0] not in bad]


class Rounds:
    """The rounds of one sweep.  SWEEP gives: gilbench, run_dir, live,
    results_dir, settings (s), budget, engine_of(point) -> (argv prefix,
    chunksize), command_of(point) -> argv, hostfile, is_python(workload)."""

    def __init__(self, sweep, points, kept):
        self.sweep, self.s = sweep, sweep.s
        self.calls, self.failed, self.commands, self.slowest = {}, set(), {}, {}
        self.active = [p for p in points if point_id(p) not in kept]
        for point in self.active:
            self.calls[point_id(point)] = 0
        self.measured = list(self.active)
        self.failures = 0
        self.other_total = self.ticks_total = 0
        self.round = 0
        self.process = None  # the running call (a Popen), for an interrupt
        self.tag = ""
        self.live_runs = []  # the live runs.tsv's lines

    def run(self):
        sweep, s = self.sweep, self.s
        self.started = int(time.time())
        budget_spent = False
        while self.active:
            self.round += 1
            round_started = int(time.time() * 1000000)
            for position, point in enumerate(shuffled(self.active, s.seed + self.round), 1):
                self.call(point, position)
            elapsed = int(time.time()) - self.started
            micro = int(time.time() * 1000000) - round_started
            round_seconds = "%d.%03d" % (micro // 1000000, micro % 1000000 // 1000)
            still = self.wide_live()
            deciding = set(self.deciding_live())
            wide = set(still)
            wide_series = {pid.rsplit(".", 1)[0] for pid in still}
            following, wanted_more, answer_rounds = [], False, 0
            for point in self.measured:
                pid = point_id(point)
                if pid in self.failed:
                    continue
                done = self.calls[pid]
                if done < s.runs:
                    following.append(point)
                elif done < s.max_runs and pid in deciding:
                    following.append(point)
                    answer_rounds += 1
                elif done < s.max_runs and (pid in wide or (point[3] == "1" and pid.rsplit(".", 1)[0] in wide_series)):
                    wanted_more = True
                    if elapsed < sweep.budget:
                        following.append(point)
            print("[round %d] %d point%s in %s s; %d deciding an answer, %d still wider than ±%s %%  [%s elapsed]"
                  % (self.round, len(self.active), "" if len(self.active) == 1 else "s", round_seconds[:-2],
                     answer_rounds, len(still), s.precision, clock(elapsed)), flush=True)
            if wanted_more and elapsed >= sweep.budget and not budget_spent:
                budget_spent = True
                print("gilbench: the budget of %s s is spent; %d points stay wider than ±%s %% (BUDGET or MAX_RUNS "
                      "buys more rounds)" % (sweep.budget, len(still), s.precision), flush=True)
            self.active = following

    def live_file(self):
        path = os.path.join(self.sweep.live.path, "runs.tsv")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("".join(self.live_runs))
        return path

    def wide_live(self):
        if not self.live_runs:
            return []
        runs = self.live_file()
        done = subprocess.run([self.sweep.gilbench, "summarize", "--runs", runs, "--csv",
                               os.path.join(self.sweep.live.path, "summary.csv"), "--cpus", str(self.s.cpus)],
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            return []
        return [w.split(" ")[0] for w in wide_points(self.sweep.live.path, self.s.precision)]

    def deciding_live(self):
        if not self.live_runs:
            return []
        s = self.s
        done = subprocess.run([self.sweep.gilbench, "summarize", "--runs", os.path.join(self.sweep.live.path, "runs.tsv"),
                               "--cpus", str(s.cpus), "--resolution", str(s.resolution), "--looks", str(s.looks),
                               "--max-runs", str(s.max_runs), "--deciding"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE)
        ids = []
        for line in done.stdout.decode("utf-8", "surrogateescape").splitlines():
            fields = line.split("\t")
            if len(fields) >= 4 and fields[1] == "-":
                ids.append("%s.%s.%s" % (fields[0], fields[2], fields[3]))
        return ids

    def call(self, point, position):
        """One hyperfine call of POINT: its run, its lines, its noise."""
        sweep, s = self.sweep, self.s
        workload, variant, mode, n = point
        label, pid = point_label(workload, variant), point_id(point)
        run_dir = sweep.run_dir
        per_run = s.fixed_timeout
        if per_run is None:
            per_run = adaptive_timeout(self.slowest.get(label))
        run_folder.require_writable(run_dir, sweep.results_dir)
        if pid not in self.commands:
            self.commands[pid] = shell_words(sweep.command_of(point))
        raw = os.path.join(run_dir, "raw", pid + ".jsonl")
        log = os.path.join(run_dir, "logs", pid + ".log")
        call_words = shell_words(["--timeout", str(per_run), "--append-json", raw, "--error-log", log])
        call_warmup = s.warmup if self.calls[pid] == 0 else 0
        lines_before = len(lines_of(raw))
        self.calls[pid] += 1
        before = cpu_ticks()
        call_started = time.time()
        try:
            log_file = open(log, "ab")
        except OSError:
            run_folder.unwritable(run_dir, sweep.results_dir, log)
        self.tag = "%s/%s.%d" % (run_dir, pid, self.calls[pid])
        sweep.live.write("point_tag", self.tag + "\n")
        environment = dict(os.environ, GILBENCH_POINT=self.tag)
        output = ["--output", "inherit"] if mode == "mpi" else []
        command = ["timeout", "--kill-after=5", str((call_warmup + 1) * (per_run + 5) + 30),
                   "hyperfine", "-N", "--style", "none"] + output + [
                   "--warmup", str(call_warmup), "--runs", "1", "--command-name", pid,
                   "--export-json", os.path.join(run_dir, "hyperfine", "%s.%d.json" % (pid, self.calls[pid])),
                   self.commands[pid] + " " + call_words]
        with log_file:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=log_file, env=environment)
            sweep.live.write("point", "%d\n" % self.process.pid)
            status = self.process.wait()
        self.process = None
        sweep.live.write("point", "")
        # What the call left running outside its group: stopped after every call.
        stop_tagged(self.tag)
        self.tag = ""
        sweep.live.write("point_tag", "")
        after = cpu_ticks()
        call_ended = time.time()
        run_folder.require_writable(run_dir, sweep.results_dir)
        results = lines_of(raw)
        expected = lines_before + call_warmup + 1
        reason = ""
        if not (status == 0 and len(results) == expected):
            reason = point_failure(status, run_dir, pid, expected)
        if mode == "mpi" and sweep.hostfile and "timed out" in reason:
            silent = hosts.silent_hosts(sweep.hostfile)
            if silent:
                reason += "; %s %s not answer ssh now" % (silent, "do" if silent.startswith("hosts") else "does")
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(call_started))) + ".%03dZ" % (
            int(call_started * 1000) % 1000)
        micro = int(call_ended * 1000000) - int(call_started * 1000000)
        sweep.append("schedule.tsv", "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d.%03d\t%s\n" % (
            self.round, position, workload, variant, mode, n, stamp, micro // 1000000, (micro % 1000000) // 1000,
            "failed" if reason else "ok"))
        other, steal, ticks = call_noise(before, after)
        mhz = cpu_mhz()
        self.other_total += other
        self.ticks_total += ticks
        other = max(other, 0)
        sweep.append("noise.tsv", "%s\t%d\t%d\t%d\t%s\n" % (pid, other, steal, ticks, mhz) if ticks > 0
                     else "%s\t-\t-\t-\t%s\n" % (pid, mhz))
        if reason:
            self.failures += 1
            self.failed.add(pid)
            prefix = "\t".join(point) + "\t"
            self.live_runs = [line for line in self.live_runs if not line.startswith(prefix)]
            sweep.append("failures.tsv", "%s\t%s\n" % ("\t".join(point), reason))
            print("[round %d] %s %s %s workers FAILED: %s" % (self.round, label, mode, n, reason), flush=True)
            return
        match = SECONDS.search(results[-1]) if results else None
        seconds = match.group(1) if match else ""
        self.live_runs.append("%s\t%s\t0\t0\t0\t0\n" % ("\t".join(point), seconds))
        value = number(seconds)
        if value is not None and value > (self.slowest.get(label) or 0):
            self.slowest[label] = value
