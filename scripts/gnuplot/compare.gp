# compare.gp - the page of make compare: one panel per workload, or per
# workload@variant for the points of a study, the median time ratio B / A of
# each mode against workers (below 1: B is faster); a ring marks the points
# whose speedups differ (their 95 % intervals do not overlap).
# Expects (from scripts/sweep/compare.py): term, out, csv (compare.csv), panels (labels,
# space-separated), modes (every mode, for the legend), modes_K (the modes
# of panel K), maxw, ylo and yhi (the ratios' range, shared by the panels),
# machine.
n = words(panels)
columns = n < 3 ? n : (n > 9 ? 4 : 3)
rows = (n + columns - 1) / columns
width = columns > 1 ? 520 * columns : 640
height = 420 * rows + 100
load 'scripts/gnuplot/style.gp'
short_titles = 1
set multiplot layout rows, columns \
    title 'Median time, B / A (below 1: B is faster)' . "\n" . \
        'ringed: the speedups differ (their 95 % intervals do not overlap)' . "\n" . machine font ',12' \
    margins 70.0 / width, 1 - 15.0 / width, 55.0 / height, 1 - 120.0 / height spacing 0.06, 0.14
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set mxtics 1
set logscale y 2
set ytics 2
set format y '%g'
set yrange [ylo : yhi]
set xlabel 'workers (threads or processes)'
set ylabel 'median time B / median time A'
# The rows of one series of compare.csv: one panel's, one mode's.
where(wl, var, m) = 'workload=' . wl . ';variant=' . var . (m eq '' ? '' : ';mode=' . m)
do for [k = 1 : n] {
    label = word(panels, k)
    at = strstrt(label, '@')
    wl = at > 0 ? label[1 : at - 1] : label
    var = at > 0 ? label[at + 1 :] : '-'
    panel_modes = value(sprintf('modes_%d', k))
    set title label noenhanced
    # One legend, in the first panel, for every mode of the page.
    if (k == 1) { set key top left box opaque font ',9' } else { unset key }
    plot for [i = 1 : words(panel_modes)] series(csv, where(wl, var, word(panel_modes, i))) \
            using 'workers' : 'time_ratio' with linespoints ls mode_style(word(panel_modes, i)) notitle, \
         series(csv, where(wl, var, '')) using 'workers' : (strcol('verdict') eq 'differs' ? column('time_ratio') : NaN) \
            with points pt 6 ps 2.6 lw 1.5 lc rgb '#000000' notitle, \
         1 with lines ls 10 notitle, \
         for [i = 1 : (k == 1 ? words(modes) : 0)] keyentry with linespoints ls mode_style(word(modes, i)) \
            title word(modes, i), \
         for [j = 1 : (k == 1 ? 1 : 0)] keyentry with points pt 6 ps 1.6 lw 1.5 lc rgb '#000000' \
            title 'speedups differ', \
         for [j = 1 : (k == 1 ? 1 : 0)] keyentry with lines ls 10 title 'equal'
}
unset multiplot
