# study-memory.gp - memory of a large read-only input: proportional set size
# (shared pages split between the processes sharing them) and peak RSS, both
# summed over every process of the run, per mode, with and without writes.
# Expects (from plot.sh): term, out, figures, maxw, machine.
width = 1300
height = 560
load 'scripts/gnuplot/style.gp'
set multiplot layout 1, 2 title "memory: a large input shared by the workers\n" . machine font ',13'
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set yrange [0 : *]
set xlabel 'workers'
memory(mode, write, name) = series(figures, \
    sprintf('workload=shared_input;mode=%s;variant=write=%d;figure=%s', mode, write, name))
do for [panel = 1 : 2] {
    name = panel == 1 ? 'pss_total_kib' : 'rss_peak_total_kib'
    set title panel == 1 ? 'PSS summed over processes (what the run really uses)' : 'peak RSS summed over processes (shared pages counted in each)'
    set ylabel panel == 1 ? 'PSS (MiB)' : 'peak RSS (MiB)'
    # Where no curve goes: under the lines of PSS, above the read-only ones of RSS.
    if (panel == 1) { set key bottom right box opaque font ',9' } else { set key top left box opaque font ',9' }
    plot memory('threads', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 2 title 'threads, read only', \
         memory('threads', 1, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 2 dt 2 pt 4 title 'threads, writing', \
         memory('procs', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 3 title 'procs, read only (copy-on-write, shared)', \
         memory('procs', 1, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 3 dt 2 pt 8 title 'procs, writing (pages copied)', \
         memory('interp', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 8 title 'interp, read only (a copy per interpreter)'
}
unset multiplot
