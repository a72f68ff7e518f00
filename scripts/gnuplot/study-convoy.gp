# study-convoy.gp - the convoy effect: an I/O worker's round trips per second
# and p99 latency beside CPU-bound workers, per mode (and per switch interval
# in the gil mode), and in the gil mode against the switch interval.
# Expects (from scripts/sweep/plots.py): term, out, csv, figures, variants (the gil mode's
# switch intervals), study_workers, machine.
width = 1500
height = 960
load 'scripts/gnuplot/style.gp'
set multiplot layout 2, 2 title "convoy: an I/O worker's round trips beside CPU-bound workers\n" . machine font ',13'
interval_title(v) = sprintf('gil, interval %g ms', setting_value(v) / 1000)
cpu_workers(w) = w - 1
dash(i) = i + 1
convoy(where) = series(figures, 'workload=convoy;' . where)

set xlabel 'CPU-bound workers beside the I/O worker'
set xrange [-0.3 : *]
set xtics 1
set logscale y 10
set format y '%.0f'
set key outside right top box opaque font ',9' spacing 1
do for [panel = 1 : 2] {
    name = panel == 1 ? 'round_trips_per_s' : 'latency_p99_us'
    set ylabel panel == 1 ? 'round trips per second' : 'p99 latency of a round trip (µs)'
    set title panel == 1 ? 'throughput' : 'p99 latency'
    plot convoy('variant=-;mode=threads;figure=' . name) using (cpu_workers(column('workers'))) : 'median' \
            with linespoints ls 2 title 'threads (no GIL)', \
         convoy('variant=-;mode=procs;figure=' . name) using (cpu_workers(column('workers'))) : 'median' \
            with linespoints ls 3 title 'procs', \
         for [i = 1 : words(variants)] convoy('mode=gil;variant=' . word(variants, i) . ';figure=' . name) \
            using (cpu_workers(column('workers'))) : 'median' \
            with linespoints lw 2 pt 7 dt dash(i) lc rgb '#c62828' title interval_title(word(variants, i))
}

# Against the interval: gil points only, none if they all failed.
if (words(variants) > 0) {
    set xlabel 'switch interval (ms)'
    set logscale x 10
    set xrange [0.07 : 30]
    set xtics autofreq
    set format x '%g'
    do for [panel = 1 : 2] {
        name = panel == 1 ? 'round_trips_per_s' : 'latency_p99_us'
        set ylabel panel == 1 ? 'round trips per second' : 'p99 latency of a round trip (µs)'
        set title panel == 1 ? 'gil mode: throughput against the interval' : 'gil mode: p99 latency against the interval'
        plot for [i = 1 : words(study_workers)] \
            convoy('mode=gil;workers=' . word(study_workers, i) . ';figure=' . name) \
            using (setting_value(strcol('variant')) / 1000) : 'median' \
            smooth unique with linespoints lw 2 pt 7 lc i \
            title sprintf('%d CPU-bound worker%s', word(study_workers, i) - 1, word(study_workers, i) == 2 ? '' : 's')
    }
}
unset multiplot
