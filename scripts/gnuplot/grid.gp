# grid.gp - one panel per workload on a shared page: the overview of
# speedups (over each workload's fastest single worker), or of parallel
# efficiency (what = 'speedup' or 'efficiency').
# Expects (from scripts/sweep/plots.py): term, out, csv, workloads, modes, cpus, maxw,
# machine, what.
columns = words(workloads) < 3 ? words(workloads) : 3
rows = (words(workloads) + columns - 1) / columns
# Three panels in 1230 px, so that a page of 1280 shows them at full size
# and their text is read as drawn; one or two panels get 560 px each.
width = (columns < 3 ? 560 : 410) * columns
height = 440 * rows + 70
load 'scripts/gnuplot/style.gp'
if (what eq 'speedup') {
    # Against each workload's fastest 1-worker way, so that ways that start
    # differently or run on different interpreters compare by eye.
    page_title = 'Speedup against workers, over the fastest single worker of each workload' . "\n" . machine
    ylabel_text = 'T(fastest, 1 worker) / T(N workers), 95 %'
    ycol = 'speedup_vs_fastest'; lowcol = 'speedup_vs_fastest_lo'; highcol = 'speedup_vs_fastest_hi'; yscale = 1
    ideal = 'speedup'
} else { if (what eq 'ratio') {
    page_title = 'Median time, B / A (below 1: B is faster)' . "\n" . machine
    ylabel_text = 'median time B / median time A'
    ycol = 'time_ratio'; lowcol = ''; highcol = ''; yscale = 1
    ideal = 'ratio'
} else {
    page_title = 'Parallel efficiency (speedup / workers)' . "\n" . machine
    ylabel_text = 'efficiency (%)'
    ycol = 'efficiency'; lowcol = ''; highcol = ''; yscale = 100
    ideal = 'efficiency'
} }
# One legend, short, in the first panel, where no curve goes: top left on
# log-log speedup axes (above the ideal line), top right on efficiency axes
# (above 100 %, where curves only start).
short_titles = 1
set multiplot layout rows, columns title page_title font ',13' \
    margins 0.05, 0.98, 0.1, 1 - 90.0 / height spacing 0.06, 0.14
do for [k = 1 : words(workloads)] {
    wl = word(workloads, k)
    panel_title = wl
    if (k > 1) {
        unset key
    } else {
        if (what eq 'speedup') { set key top left box opaque font ',9' } else { set key top right box opaque font ',9' }
    }
    load 'scripts/gnuplot/panel.gp'
}
unset multiplot
