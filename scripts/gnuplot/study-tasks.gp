# study-tasks.gp - what one small task costs the workers, against workers,
# per mode: as one share per worker (solid) and one task at a time through a
# persistent pool (--dispatch pool --chunksize 1, dashed, the same colour).
# worker_us_per_task is the task's own work (task_us, the grey line) plus
# what running it costs: starting and joining the workers for shares,
# dispatching every task for the pool; the gap between a mode's two curves
# is what the pool's dispatch costs a task.
# Expects (from scripts/sweep/plots.py): term, out, figures, maxw, machine.
width = 960
height = 640
load 'scripts/gnuplot/style.gp'
# task_us as the run set it (PARAMS="tasks.task_us=N" is in meta.json beside
# figures.csv); the workload's default otherwise.
meta = figures[1 : strlen(figures) - strlen('figures.csv')] . 'meta.json'
given = system(sprintf("grep -o 'tasks[.]task_us=[0-9]*' %s 2>/dev/null | head -n1 | cut -d= -f2", shell_word(meta)))
task_us = strlen(given) > 0 ? real(given) : 50
tasks(way) = series(figures, sprintf('workload=tasks;mode=%s;figure=worker_us_per_task', way))
# The ways measured: a way whose every point failed has no line and no key entry.
ways_here = ''
do for [way in 'gil threads procs gil+pool threads+pool procs+pool'] {
    found_records = 0
    stats tasks(way) using 'median' name 'found' nooutput
    if (found_records > 0) { ways_here = ways_here . ' ' . way }
}
way_title(w) = mode_title(w) . (pooled(w) ? ', a task at a time' : ', one share per worker')
set logscale x 2
set xrange [0.7 : maxw * 1.4]
set xtics 2
set logscale y 10
set format y '%g'
set yrange [task_us / 2 : *]   # the task's own work is never on the edge
set xlabel 'workers'
set ylabel 'worker time per task (µs): seconds x workers / tasks'
set title "tasks: per-task cost as one share per worker (solid) and through a pool (dashed)\n" . machine
set key top left box opaque font ',10'
set arrow 1 from graph 0, first task_us to graph 1, first task_us nohead ls 10
set label 1 sprintf('task work (task_us = %g µs)', task_us) at graph 0.98, first task_us right offset 0, 0.7 font ',9' tc rgb '#616161'
plot for [i = 1 : words(ways_here)] tasks(word(ways_here, i)) using 'workers' : 'median' \
        with linespoints ls mode_style(word(ways_here, i)) title way_title(word(ways_here, i))
