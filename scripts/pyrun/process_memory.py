"""process_memory.py - the memory of a run's processes, read from /proc
while every one of them is alive (a process's share of a page grows when
another exits), for the workloads whose figures include it."""
import time


def process_kib(pid, name, field):
    """A field of /proc/PID/NAME in KiB, or -1 where it cannot be read."""
    try:
        with open("/proc/%d/%s" % (pid, name)) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return -1


def measure_memory(pids, memory):
    """Sets memory's pss_total_kib (Pss of smaps_rollup) and
    rss_peak_total_kib (VmHWM), each summed over pids (-1 where one is
    unknown), and read_seconds, the time the reading took, which the run
    leaves out of its timed region as the engine does."""
    began = time.perf_counter()
    pss = [process_kib(pid, "smaps_rollup", "Pss:") for pid in pids]
    hwm = [process_kib(pid, "status", "VmHWM:") for pid in pids]
    memory["pss_total_kib"] = -1 if min(pss) < 0 else sum(pss)
    memory["rss_peak_total_kib"] = -1 if min(hwm) < 0 else sum(hwm)
    memory["read_seconds"] = time.perf_counter() - began
