# study-memory.gp - memory of a large read-only input: proportional set size
# (shared pages split between the processes sharing them) and peak RSS, both
# summed over every process of the run, per mode, with and without writes:
# the model's (solid) and, when the run has them, CPython's (dashed: a
# bytearray read, or float objects whose reference counts change as they
# are read).  Expects (from scripts/sweep/plots.py): term, out, figures, maxw, machine, and
# cpython (the CPython source, e.g. cpython-3.13.5, or '').
width = 1400
height = 900
load 'scripts/gnuplot/style.gp'
if (!exists('cpython')) cpython = ''
version = cpython[9:]
cpython_title(what) = cpython eq '' ? '' : 'CPython ' . version . ': ' . what
# CPython's curves: the model's colours, dashed, open points.
set style line 21 lc rgb '#1565c0' lw 2 dt (6, 4) pt 4 ps 1.2
set style line 22 lc rgb '#1565c0' lw 2 dt (6, 4) pt 5 ps 1.2
set style line 23 lc rgb '#2e7d32' lw 2 dt (6, 4) pt 8 ps 1.2
set style line 24 lc rgb '#2e7d32' lw 2 dt (6, 4) pt 9 ps 1.2
set style line 25 lc rgb '#00838f' lw 2 dt (6, 4) pt 14 ps 1.2
set style line 26 lc rgb '#ef6c00' lw 2 dt (6, 4) pt 12 ps 1.2
set multiplot layout 1, 2 title "memory: a large input shared by the workers, the model (solid) and CPython (dashed)\n" . machine font ',13'
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set yrange [0 : *]
set xlabel 'workers'
memory(mode, write, name) = series(figures, \
    sprintf('workload=shared_input;mode=%s;variant=write=%d;figure=%s', mode, write, name))
python(mode, write, name) = series(figures, \
    sprintf('workload=shared_input;mode=%s;variant=source=%s+write=%d;figure=%s', mode, cpython, write, name))
do for [panel = 1 : 2] {
    name = panel == 1 ? 'pss_total_kib' : 'rss_peak_total_kib'
    set title panel == 1 ? 'PSS summed over processes (what the run really uses)' : 'peak RSS summed over processes (shared pages counted in each)'
    set ylabel panel == 1 ? 'PSS (MiB)' : 'peak RSS (MiB)'
    set key outside below center box opaque font ',8'
    set bmargin 15
    plot memory('threads', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 2 title 'threads, read only', \
         memory('threads', 1, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 2 dt 2 pt 4 title 'threads, writing', \
         memory('procs', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 3 title 'procs, read only (copy-on-write, shared)', \
         memory('procs', 1, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 3 dt 2 pt 8 title 'procs, writing (pages copied)', \
         memory('interp', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 8 title 'interp, read only (a copy per interpreter)', \
         python('gil', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 21 title cpython_title('threading, a bytearray'), \
         python('gil', 1, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 22 title cpython_title('threading, float objects'), \
         python('procs', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 23 title cpython_title('fork, a bytearray (shared)'), \
         python('procs', 1, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 24 title cpython_title('fork, float objects (reference counts copy their pages)'), \
         python('spawn', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 25 title cpython_title('spawn, a bytearray (each process builds its own)'), \
         python('interp', 0, name) using 'workers' : (column('median') / 1024) \
            with linespoints ls 26 title cpython_title('subinterpreters, a bytearray (each builds its own)')
}
unset multiplot
