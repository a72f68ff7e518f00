"""hosts - the mpi mode's machines: the hosts of HOSTFILE asked once before
the first point (reached as mpirun reaches them: the first word of
OMPI_MCA_plm_rsh_agent, else ssh), MPI_HOSTS_DOWN (refuse or leave a host
that does not answer), the MPI daemons (orted) an earlier sweep from here
left on a host, how mpirun is started, and what mpirun's messages in a
point's log say about a host.
"""
import os
import re
import socket
import subprocess
import threading

from sweep.processes import process_start

# The MPI daemons of a sweep carry its mark in their environment
# (GILBENCH_ORTED=ORIGIN:PID:START, set through Open MPI's launch agent):
# what lists them on a host (a sh script run there), one "pid mark" line each.
LIST_MARKED_DAEMONS = '''for p in $(pgrep -x orted 2>/dev/null); do
    m=$(tr "\\0" "\\n" < /proc/$p/environ 2>/dev/null | grep -m1 "^GILBENCH_ORTED=")
    [ -z "$m" ] || echo "$p ${m#GILBENCH_ORTED=}"
done'''


def hostname():
    try:
        return socket.gethostname()
    except OSError:
        return ""


def hostfile_lines(path):
    """HOSTFILE's lines without comments and trailing blanks, empty ones left out."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            lines = [line.split("#", 1)[0].rstrip() for line in f.read().splitlines()]
    except OSError:
        return []
    return [line for line in lines if line.strip()]


def own_names():
    names = {"localhost", "127.0.0.1", "::1"}
    for arguments in (["hostname"], ["hostname", "-f"], ["hostname", "-I"]):
        try:
            names.update(subprocess.run(arguments, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        timeout=10).stdout.decode("utf-8", "replace").split())
        except (OSError, subprocess.TimeoutExpired):
            pass
    return names


def other_hosts(path):
    """HOSTFILE's hosts, once each, in order, without this machine's names."""
    own, hosts = own_names(), []
    for line in hostfile_lines(path):
        host = line.split()[0]
        if host not in hosts and host not in own:
            hosts.append(host)
    return hosts


def reach_command(host, command):
    """COMMAND on HOST as mpirun reaches it (5 s to connect, 15 in all)."""
    agent = (os.environ.get("OMPI_MCA_plm_rsh_agent") or "ssh").split(":")[0].split()
    return ["timeout", "15"] + agent + ["-o", "BatchMode=yes", "-o", "ConnectTimeout=5", host] + command


def ask_hosts(path, script="true"):
    """Runs the sh SCRIPT on every other host of HOSTFILE at once:
    {host: its output, or None for a host that did not answer}."""
    answers = {}

    def ask(host):
        try:
            done = subprocess.run(reach_command(host, ["sh", "-s"]), input=(script + "\n").encode(),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            answers[host] = done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None
        except OSError:
            answers[host] = None

    threads = [threading.Thread(target=ask, args=(host,)) for host in other_hosts(path)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _version_key(text):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p]


def hosts_words(hosts):
    """"host A" or "hosts A, B"; "" for none."""
    if not hosts:
        return ""
    hosts = sorted(hosts, key=_version_key)
    return ("hosts " if len(hosts) > 1 else "host ") + ", ".join(hosts)


def silent_hosts(path):
    """The other hosts of HOSTFILE that do not answer ssh now, in words."""
    return hosts_words([host for host, answer in ask_hosts(path).items() if answer is None])


def stale_daemons(listing):
    """The pids of LISTING ("pid ORIGIN:PID:START" lines) whose sweep ran on
    this machine and is gone."""
    origin, pids = hostname(), []
    for line in listing.splitlines():
        words = line.split(None, 1)
        if len(words) != 2:
            continue
        mark = (words[1].strip().split(":") + ["", "", ""])[:3]
        if mark[0] == origin and process_start(mark[1]) != (mark[2] or None):
            pids.append(words[0])
    return pids


def remove_stale_daemons(answers, note):
    for host, listing in sorted(answers.items()):
        stale = stale_daemons(listing or "")
        if not stale:
            continue
        try:
            subprocess.run(reach_command(host, ["kill", "-KILL"] + stale), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            pass
        note("host %s: removed %d MPI daemon%s (orted) that an earlier sweep from here left there"
             % (host, len(stale), "" if len(stale) == 1 else "s"))


def slots_of(path):
    """The slots of HOSTFILE's hosts, when every line says its slots; else None."""
    total = 0
    for line in hostfile_lines(path):
        found = re.search(r"slots=([0-9]+)", line)
        if not found:
            return None
        total += int(found.group(1))
    return total


def mpirun_options(hostfile):
    """How the mpi mode starts its ranks: no binding, the OpenBLAS settings
    on every rank, --oversubscribe on this machine alone (with a HOSTFILE
    its slots decide), --allow-run-as-root only as root."""
    options = ["--bind-to", "none"]
    for name in sorted(n for n in os.environ if n.startswith("OPENBLAS_")):
        options += ["-x", name]
    options += ["--hostfile", hostfile] if hostfile else ["--oversubscribe"]
    if os.getuid() == 0:
        options.append("--allow-run-as-root")
    return options


def join_distinct(lines):
    return "; ".join(dict.fromkeys(line for line in lines if line))


def mpirun_failure(log_text, told=""):
    """What Open MPI's mpirun said in a point's log about a host, as one line
    naming it ("" when it said none of these)."""
    found, lost = [], False
    for line in log_text.splitlines():
        if line.startswith("ssh: ") or "Permission denied" in line or "Host key verification failed" in line:
            line = line.rstrip("\r")
            host = ""
            for pattern in (r"connect to host ([^ ]+)", r"resolve hostname ([^:]+)", r"^[^ ]+@([^ :]+)"):
                match = re.search(pattern, line)
                if match:
                    host = match.group(1)
                    break
            found.append("mpirun could not start its daemon on a host: " + line if not host
                         else "mpirun could not reach host %s over ssh: %s" % (host, line))
        elif "lost communication with a remote daemon" in line:
            lost = True
        elif lost and re.search(r"Remote daemon: .* on node ", line):
            host = re.sub(r".* on node ", "", line).rstrip(" \t")
            found.append("host %s was lost: mpirun lost its MPI daemon there (the host, its orted or the network "
                         "to it died)" % host)
            lost = False
        else:
            match = re.match(r"mpirun noticed that process rank ([0-9]+) with PID [0-9]+ on node (.*) exited on "
                             r"signal (.*?)\.?$", line)
            if match:
                if "rank %s of " % match.group(1) not in told:
                    found.append("rank %s on host %s was killed by signal %s" % match.groups())
            elif line.startswith("The user-provided time limit for job execution has been reached"):
                found.append("mpirun timed out (its --timeout)")
    return join_distinct(found)
