# study-tasks.gp - what one small task costs the workers, against workers:
# through a persistent pool (threads share a queue, processes are fed through
# pipes) or through new workers started for every batch.  worker_us_per_task
# is the task's own work (task_us) plus what dispatching it and starting
# workers cost; the dashed line is the task's own work.
# Expects (from plot.sh): term, out, figures, maxw, machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
# task_us as the run set it (PARAMS="tasks.task_us=N" is in meta.json beside
# figures.csv); the workload's default otherwise.
meta = figures[1 : strlen(figures) - strlen('figures.csv')] . 'meta.json'
given = system(sprintf("grep -o 'tasks[.]task_us=[0-9]*' %s 2>/dev/null | head -n1 | cut -d= -f2", shell_word(meta)))
task_us = strlen(given) > 0 ? real(given) : 50
set logscale x 2
set xrange [0.7 : maxw * 1.4]
set xtics 2
set logscale y 10
set format y '%g'
set yrange [task_us / 2 : *]   # the task's own work is never on the edge
set xlabel 'workers'
set ylabel 'worker time per task (µs): seconds x workers / tasks'
set title "tasks: per-task cost through a persistent pool or new workers per batch\n" . machine
set key top left box opaque font ',10'
set arrow 1 from graph 0, first task_us to graph 1, first task_us nohead ls 10
set label 1 sprintf('task work (task_us = %g µs)', task_us) at graph 0.98, first task_us right offset 0, 0.7 font ',9' tc rgb '#616161'
tasks(mode, per_batch) = series(figures, \
    sprintf('workload=tasks;mode=%s;variant=per_batch=%d;figure=worker_us_per_task', mode, per_batch))
plot tasks('threads', 0) using 'workers' : 'median' \
        with linespoints ls 2 title 'threads, persistent pool (a shared queue)', \
     tasks('threads', 1) using 'workers' : 'median' \
        with linespoints ls 2 dt 2 pt 4 title 'threads, new threads per batch', \
     tasks('procs', 0) using 'workers' : 'median' \
        with linespoints ls 3 title 'procs, persistent pool (fed through pipes)', \
     tasks('procs', 1) using 'workers' : 'median' \
        with linespoints ls 3 dt 2 pt 8 title 'procs, new processes per batch (fork)'
