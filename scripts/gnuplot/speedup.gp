# speedup.gp - one workload: speedup against workers for every mode, with
# its 95 % interval as error bars, dashed beside it the speedup against the
# fastest 1-worker time of any mode, the ideal line and the usable-CPU count.
# Expects (from plot.sh): term, out, csv, wl, modes, cpus, maxw, machine;
# for a Python workload python_ways = 1 and python_label (its interpreters).
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
if (!exists('python_label')) python_label = ''
panel_title = wl . (python_label eq '' ? '' : ' (' . python_label . ')') . ': speedup against workers' . "\n" . machine
ylabel_text = 'speedup T(1 worker) / T(N workers), 95 % interval'
ycol = 'speedup'; lowcol = 'speedup_ci_lo'; highcol = 'speedup_ci_hi'; yscale = 1
againstcol = 'speedup_vs_fastest'
ideal = 'speedup'
load 'scripts/gnuplot/panel.gp'
