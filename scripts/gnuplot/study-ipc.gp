# study-ipc.gp - what a task's payload costs to move through a persistent
# pool (--dispatch pool), against its size: the threads pool passes a
# pointer, the process pool copies it through a pipe, framed, from a feeder
# thread; both build the payload and check every byte of it.
# Expects (from scripts/sweep/plots.py): term, out, figures, machine.
width = 1300
height = 560
load 'scripts/gnuplot/style.gp'
set multiplot layout 1, 2 title "ipc: moving a task's payload to a pool worker (1 worker)\n" . machine font ',13'
set logscale x 2
set xlabel 'payload per task (KiB)'
set format x '%g'
set logscale y 10
set format y '%g'
set key top left box opaque font ',9'
ipc(way, name) = series(figures, sprintf('workload=ipc;workers=1;mode=%s;figure=%s', way, name))
do for [panel = 1 : 2] {
    name = panel == 1 ? 'us_per_task' : 'mb_per_s'
    set title panel == 1 ? 'time per task' : 'payload delivered per second'
    set ylabel panel == 1 ? 'time per task (µs)' : 'MB/s'
    plot ipc('threads+pool', name) using (setting_value(strcol('variant'))) : 'median' smooth unique \
            with linespoints ls mode_style('threads+pool') title 'threads+pool: a pointer', \
         ipc('procs+pool', name) using (setting_value(strcol('variant'))) : 'median' smooth unique \
            with linespoints ls mode_style('procs+pool') title 'procs+pool: copied through a pipe'
}
unset multiplot
