# grid.gp - one panel per workload on a shared page: the overview of
# speedups, or of parallel efficiency (what = 'speedup' or 'efficiency').
# Expects (from plot.sh): term, out, csv, workloads, modes, cpus, maxw,
# machine, what.
columns = words(workloads) < 3 ? words(workloads) : 3
rows = (words(workloads) + columns - 1) / columns
width = 560 * columns
height = 440 * rows + 70
load 'scripts/gnuplot/style.gp'
if (what eq 'speedup') {
    page_title = 'Speedup against workers' . "\n" . machine
    ylabel_text = 'speedup (median T1 / median TN)'
    ycol = 9; lowcol = 10; highcol = 11; yscale = 1
    ideal = 'speedup'
} else {
    page_title = 'Parallel efficiency (speedup / workers)' . "\n" . machine
    ylabel_text = 'efficiency (%)'
    ycol = 12; lowcol = 0; highcol = 0; yscale = 100
    ideal = 'efficiency'
}
set key top left
set multiplot layout rows, columns title page_title font ',13'
do for [k = 1 : words(workloads)] {
    wl = word(workloads, k)
    panel_title = wl
    if (k == 1) { set key box opaque font ',9' } else { unset key }
    load 'scripts/gnuplot/panel.gp'
}
unset multiplot
