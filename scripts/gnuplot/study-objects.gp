# study-objects.gp - make calibrate: what touching shared objects costs free
# threading.  One panel, speedup against workers: shared_objects (every
# worker appends to one list) and own_objects (each to its own), in the
# threads mode of the model (solid) beside threading on a free-threaded
# CPython (dashed), with the procs mode and multiprocessing on the shared
# list for reference (forked workers append to their own copies).
# Expects (from scripts/sweep/plots.py): term, out, csv, cpus, maxw, machine, free_source
# (e.g. cpython-3.13.5t, '' when none was measured) and gil_source (the
# CPython with a GIL whose multiprocessing is shown, '' for none).
width = 900
height = 620
load 'scripts/gnuplot/style.gp'
point(w, m, source) = series(csv, 'workload=' . w . ';mode=' . m . ';variant=source=' . source)
missing = strlen(free_source) == 0 ? "\nno free-threaded CPython measured (make pythons builds one)" : ''
set title "Appending to one shared list or to each worker's own: speedup against workers\n" . \
    machine . missing font ',13'
set logscale x 2
set logscale y 2
set xrange [0.8 : maxw * 1.3]
set yrange [0.125 < * : maxw * 1.3]
set xtics 2
set ytics 2
set format y '%g'
set xlabel 'workers'
set ylabel 'speedup (median T1 / median TN)'
set key top left box opaque font ',10' spacing 1.1 samplen 3
if (cpus > 0) { set arrow 1 from cpus, graph 0 to cpus, graph 1 nohead ls 11 }
set style line 21 lc rgb '#1565c0' lw 2 pt 5 ps 1.0
set style line 22 lc rgb '#ef6c00' lw 2 pt 7 ps 1.1
set style line 23 lc rgb '#2e7d32' lw 2 pt 9 ps 1.3
plot x with lines ls 10 title 'ideal', \
    point('own_objects', 'threads', 'model') using 'workers' : 'speedup' \
        with linespoints ls 21 title 'own list, threads (model)', \
    point('shared_objects', 'threads', 'model') using 'workers' : 'speedup' \
        with linespoints ls 22 title 'shared list, threads (model)', \
    point('shared_objects', 'procs', 'model') using 'workers' : 'speedup' \
        with linespoints ls 23 title 'shared list, procs (model): each its copy', \
    for [s in free_source] point('own_objects', 'threads', s) using 'workers' : 'speedup' \
        with linespoints ls 21 dt (8, 4) pt 4 title 'own list, threading (' . s . ')', \
    for [s in free_source] point('shared_objects', 'threads', s) using 'workers' : 'speedup' \
        with linespoints ls 22 dt (8, 4) pt 6 title 'shared list, threading (' . s . ')', \
    for [s in gil_source] point('shared_objects', 'procs', s) using 'workers' : 'speedup' \
        with linespoints ls 23 dt (8, 4) pt 8 title 'shared list, multiprocessing (' . s . ')'
