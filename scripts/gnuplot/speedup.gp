# speedup.gp - one workload against workers, every mode with its 95 %
# interval as error bars, the ideal line and the usable-CPU count.  A C
# workload's modes share one 1-worker time, so each is drawn as its own
# speedup, T(mode, 1) / T(mode, N), and dashed beside it against the
# fastest 1-worker time of any mode.  A Python workload's ways run on
# different interpreters and start differently: each is drawn against the
# fastest 1-worker way, as the answer compares them, and dashed its own
# speedup.
# Expects (from scripts/sweep/plots.py): term, out, csv, wl, modes, cpus, maxw, machine;
# for a Python workload python_ways = 1 and python_label (its interpreters).
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
if (!exists('python_label')) python_label = ''
if (!exists('python_ways')) python_ways = 0
ideal = 'speedup'
if (python_ways) {
    panel_title = wl . ' (' . python_label . '): speed against the fastest single worker' . "\n" . machine
    ylabel_text = 'T(fastest way, 1 worker) / T(way, N workers), 95 % interval'
    ycol = 'speedup_vs_fastest'; lowcol = 'speedup_vs_fastest_lo'; highcol = 'speedup_vs_fastest_hi'; yscale = 1
    againstcol = 'speedup'
    against_title = "dashed: each way's own speedup, over its own single worker"
} else {
    panel_title = wl . ': speedup against workers' . "\n" . machine
    ylabel_text = "each mode's own speedup T(1 worker) / T(N workers), 95 % interval"
    ycol = 'speedup'; lowcol = 'speedup_ci_lo'; highcol = 'speedup_ci_hi'; yscale = 1
    againstcol = 'speedup_vs_fastest'
    against_title = 'dashed: against the fastest 1-worker time of any mode'
}
load 'scripts/gnuplot/panel.gp'
