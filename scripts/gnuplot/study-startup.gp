# study-startup.gp - time from the start until N workers all run: threads
# (pthread_create), interpreters (a thread with a GIL of its own: the
# model's; see docs/gil-model.md for what CPython's cost), forks, and fresh
# processes (fork + exec, the spawn start method).  Expects (from plot.sh): term, out, csv, figures, maxw, machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set logscale y 10
set format y '%g'
set xlabel 'workers started'
set ylabel 'time until all workers run (ms)'
set title "startup: the cost of starting workers\n" . machine
set key top left box opaque font ',10'
plot csv using 'workers' : (summary_value('startup_median_s', 'startup', '-', 'threads') * 1000) \
        with linespoints ls 2 title 'threads: pthread_create (threading)', \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', '-', 'interp') * 1000) \
        with linespoints ls 8 title 'interp: a thread and a GIL of its own (the model of a subinterpreter)', \
     csv using 'workers' : (summary_value('startup_median_s', 'startup', '-', 'procs') * 1000) \
        with linespoints ls 3 title 'procs: fork (multiprocessing, fork)', \
     series(figures, 'workload=startup;variant=spawn=1;mode=threads;figure=spawn_startup_seconds') \
        using 'workers' : (column('median') * 1000) \
        with linespoints ls 4 title 'fresh processes: fork + exec (multiprocessing, spawn)'
