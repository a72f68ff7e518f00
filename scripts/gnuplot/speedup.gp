# speedup.gp - one workload: speedup against workers for every mode, with
# the bounds as error bars, the ideal line and the usable-CPU count.
# Expects (from plot.sh): term, out, csv, wl, modes, cpus, maxw, machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
panel_title = wl . ': speedup against workers' . "\n" . machine
ylabel_text = 'speedup = median T(1 worker) / median T(N workers)'
ycol = 'speedup'; lowcol = 'speedup_lo'; highcol = 'speedup_hi'; yscale = 1
ideal = 'speedup'
load 'scripts/gnuplot/panel.gp'
