# study-calibrate.gp - make calibrate: per workload, the speedup of each C
# mode (solid) beside its counterpart in every CPython measured (dashed,
# open symbols, one dash pattern per interpreter): gil <-> threading,
# procs <-> multiprocessing (fork), threads <-> threading on a free-threaded
# build (cpython-3.13.5t) when one was measured.
# Expects (from scripts/sweep/plots.py): term, out, csv, cpus, maxw, machine, calibrate_workloads,
# model_modes (the model's modes) and cpython_points (SOURCE:MODE:DASH words).
short_titles = 1
n = words(calibrate_workloads)
rows = n > 3 ? 2 : 1          # five workloads: two rows of three
columns = (n + rows - 1) / rows
width = 560 * columns + 80
height = 560 * rows + 60
load 'scripts/gnuplot/style.gp'
counterpart(m) = m eq 'procs' ? 'multiprocessing' : m eq 'procs+pool' ? 'ProcessPoolExecutor' : \
    m eq 'interp' ? 'subinterpreters' : \
    strstrt(m, '+pool') > 0 ? 'ThreadPoolExecutor' : 'threading'
point(w, m, source) = series(csv, 'workload=' . w . ';mode=' . m . ';variant=source=' . source)
source_of(p) = p[1 : strstrt(p, ':') - 1]
rest(p) = p[strstrt(p, ':') + 1 :]
mode_of(p) = source_of(rest(p))
dash_of(p) = int(rest(rest(p)))
missing = strstrt(cpython_points, ':threads:') == 0 ? '; no free-threaded CPython measured' : ''
set multiplot layout rows, columns title "The model beside CPython: speedup against workers (solid: model, dashed: CPython)\n" . machine . missing font ',13'
set logscale x 2
set logscale y 2
set xrange [0.8 : maxw * 1.3]
set yrange [0.25 < * : maxw * 1.3]
set xtics 2
set ytics 2
set format y '%g'
set xlabel 'workers'
set ylabel 'speedup (median T1 / median TN)'
set key top left box opaque font ',9' spacing 1 samplen 2.5
if (cpus > 0) { set arrow 1 from cpus, graph 0 to cpus, graph 1 nohead ls 11 }
do for [k = 1 : n] {
    w = word(calibrate_workloads, k)
    set title w
    plot x with lines ls 10 title 'ideal', \
        for [m in model_modes] point(w, m, 'model') using 'workers' : 'speedup' \
            with linespoints ls mode_style(m) title m . ' (model)', \
        for [p in cpython_points] point(w, mode_of(p), source_of(p)) using 'workers' : 'speedup' \
            with linespoints ls mode_style(mode_of(p)) dt dash_of(p) \
            pt (mode_style(mode_of(p)) == 1 ? 6 : mode_style(mode_of(p)) == 2 ? 4 : mode_style(mode_of(p)) == 8 ? 12 : 8) \
            title counterpart(mode_of(p)) . ' (' . source_of(p) . ')'
}
unset multiplot
