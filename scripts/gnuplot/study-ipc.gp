# study-ipc.gp - what a task's payload costs to move: per task, threads pass
# a pointer, processes copy through a pipe after serialising.
# Expects (from plot.sh): term, out, figures, machine.
width = 1300
height = 560
load 'scripts/gnuplot/style.gp'
set multiplot layout 1, 2 title "ipc: moving a task's payload to a worker (1 worker)\n" . machine font ',13'
set logscale x 2
set xlabel 'payload per task (KiB)'
set format x '%g'
set logscale y 10
set format y '%g'
set key top left box opaque font ',9'
ipc(mode, name) = series(figures, sprintf('workload=ipc;workers=1;mode=%s;figure=%s', mode, name))
do for [panel = 1 : 2] {
    name = panel == 1 ? 'us_per_task' : 'mb_per_s'
    set title panel == 1 ? 'time per task' : 'payload delivered per second'
    set ylabel panel == 1 ? 'time per task (µs)' : 'MB/s'
    plot ipc('threads', name) using (setting_value(strcol('variant'))) : 'median' smooth unique \
            with linespoints ls 2 title 'threads: a pointer', \
         ipc('procs', name) using (setting_value(strcol('variant'))) : 'median' smooth unique \
            with linespoints ls 3 title 'procs: serialised through a pipe'
}
unset multiplot
