# study-startup.gp - time from the start until N workers all run: threads
# (pthread_create), interpreters (a thread with a GIL of its own), forks,
# and fresh processes (fork + exec, the spawn start method): the model's
# (solid) and, when the run has them, CPython's (dashed: threading.Thread,
# _interpreters.create + exec, multiprocessing with fork and with spawn).
# Expects (from scripts/sweep/plots.py): term, out, csv, figures, maxw, machine, and
# cpython (the CPython source, e.g. cpython-3.13.5, or '').
width = 1060
height = 760
load 'scripts/gnuplot/style.gp'
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set logscale y 10
set format y '%g'
set xlabel 'workers started'
set ylabel 'time until all workers run (ms)'
set title "startup: the cost of starting workers, the model (solid) and CPython (dashed)\n" . machine
set key outside below center box opaque font ',9'
set bmargin 14
if (!exists('cpython')) cpython = ''
python = 'source=' . cpython
version = cpython[9:]
# No key entry for CPython's (empty) curves when the run has none.
cpython_title(what) = cpython eq '' ? '' : 'CPython ' . version . ': ' . what
# CPython's curves: the model's colours, dashed, open points.
set style line 21 lc rgb '#1565c0' lw 2 dt (6, 4) pt 4 ps 1.2
set style line 22 lc rgb '#ef6c00' lw 2 dt (6, 4) pt 12 ps 1.2
set style line 23 lc rgb '#2e7d32' lw 2 dt (6, 4) pt 8 ps 1.2
set style line 24 lc rgb '#00838f' lw 2 dt (6, 4) pt 14 ps 1.2
plot csv using 'workers' : (summary_value('startup_median_s', 'startup', '-', 'threads') * 1000) \
        with linespoints ls 2 title 'threads: pthread_create (threading)', \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', '-', 'interp') * 1000) \
        with linespoints ls 8 title 'interp: a thread, a GIL of its own and its own setup (a subinterpreter)', \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', '-', 'procs') * 1000) \
        with linespoints ls 3 title 'procs: fork (multiprocessing, fork)', \
     series(figures, 'workload=startup;variant=spawn=1;mode=threads;figure=spawn_startup_seconds') \
        using 'workers' : (column('median') * 1000) \
        with linespoints ls 4 title 'fresh processes: fork + exec (multiprocessing, spawn)', \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', python, 'gil') * 1000) \
        with linespoints ls 21 title cpython_title('threading.Thread.start'), \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', python, 'interp') * 1000) \
        with linespoints ls 22 title cpython_title('_interpreters.create("isolated") + exec, importing its code'), \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', python, 'procs') * 1000) \
        with linespoints ls 23 title cpython_title('multiprocessing.Process, fork'), \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', python, 'spawn') * 1000) \
        with linespoints ls 24 title cpython_title('multiprocessing.Process, spawn')
