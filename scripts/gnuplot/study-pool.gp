# study-pool.gp - cpu_loop through a persistent pool: the median time at
# the usable CPU count against the units per task (chunksize), per mode,
# beside the same work as one share per worker (dashed, same colour).  The
# gap between a curve and its dashed line is what dispatching the tasks
# costs; chunking divides it by the chunksize.
# Expects (from scripts/sweep/plots.py): term, out, csv, cpus, machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
modes_here = 'gil threads procs'
point(m, extra) = series(csv, sprintf('workload=cpu_loop;mode=%s;workers=%d%s', m, cpus, extra))
set logscale x 2
set xrange [0.7 : 400]
set xtics (1, 4, 16, 64, 256)
set format y '%g'
set xlabel 'units per task (chunksize)'
set ylabel sprintf('median seconds at %d workers', cpus)
set title "cpu_loop through a pool (solid) and as one share per worker (dashed)\n" . machine
set key bottom right box opaque font ',10'
unset arrow
# The shares lines are arrows, which autoscaling does not see: the range is
# set from every series' largest time.
top = 0
do for [i = 1 : words(modes_here)] {
    m = word(modes_here, i)
    stats point(m, ';variant=-') using 'median_s' name 'shares' nooutput
    if (shares_records > 0) {
        set arrow i from graph 0, first shares_mean to graph 1, first shares_mean nohead \
            ls mode_style(m) dt (4, 4) lw 1.2
        top = shares_max > top ? shares_max : top
    }
    stats point(m . '+pool', '') using 'median_s' name 'pooled' nooutput
    if (pooled_records > 0) { top = pooled_max > top ? pooled_max : top }
}
set yrange [0 : (top > 0 ? top * 1.15 : 1)]
plot for [i = 1 : words(modes_here)] point(word(modes_here, i) . '+pool', '') \
        using (setting_value(strcol('variant'))) : 'median_s' \
        with linespoints ls mode_style(word(modes_here, i) . '+pool') dt 1 \
        title mode_title(word(modes_here, i) . '+pool'), \
     NaN with lines dt (4, 4) lw 1.2 lc rgb '#616161' title 'dashed: the same work as one share per worker'
