# panel.gp - one workload's curves against workers, one line per mode.
# Expects: csv (summary.csv), wl (workload), modes (space-separated), cpus,
# maxw, ycol (column name), lowcol/highcol (error bar column names, '' for
# none), yscale (multiplier for the column), ideal ('speedup', 'efficiency'
# or 'none'), panel_title, ylabel_text; optionally againstcol, a second
# column drawn dashed per mode, titled against_title.  Only the default
# sweep's rows (no variant) are drawn.
if (!exists('againstcol')) { againstcol = '' }
if (!exists('against_title')) { against_title = '' }
set logscale x 2
set xrange [0.8 : maxw * 1.3]
set xtics 2
set mxtics 1
set xlabel 'workers (threads or processes)'
set ylabel ylabel_text
# Speedups on log-log axes, where the ideal is the diagonal; efficiency in %;
# ratios of two runs on a log axis around 1.
if (ideal eq 'speedup' || ideal eq 'ratio') {
    set logscale y 2
    set ytics 2
    set format y '%g'
    if (ideal eq 'speedup') { set yrange [0.01 < * < 0.5 : maxw * 1.3] } else { set yrange [* < 0.5 : 2 < *] }
} else {
    unset logscale y
    set ytics autofreq
    set yrange [0 : 110 < * ]
}
set title panel_title
unset arrow
unset label
if (cpus > 0) {
    set arrow 1 from cpus, graph 0 to cpus, graph 1 nohead ls 11
    set label 1 sprintf(' %d usable CPU%s', cpus, cpus == 1 ? '' : 's') at cpus, graph 0.04 left font ',9' tc rgb '#616161'
}
row_value(col, m) = (strcol('workload') eq wl && strcol('mode') eq m && strcol('variant') eq '-') \
    ? column(col) * yscale : NaN
if (ideal eq 'speedup') {
    ideal_curve(x) = x
    ideal_title = short_titles ? 'ideal' : 'ideal: speedup = workers'
} else {
    if (ideal eq 'efficiency' || ideal eq 'ratio') {
        ideal_curve(x) = ideal eq 'ratio' ? 1 : 100
        ideal_title = ideal eq 'ratio' ? 'equal' : (short_titles ? 'ideal' : 'ideal: 100 %')
    } else {
        ideal_curve(x) = NaN
        ideal_title = ''
    }
}
if (lowcol ne '' && againstcol ne '') {
    plot for [i = 1 : words(modes)] csv using 'workers' : (row_value(ycol, word(modes, i))) : \
        (row_value(lowcol, word(modes, i))) : (row_value(highcol, word(modes, i))) \
        with yerrorlines ls mode_style(word(modes, i)) title mode_title(word(modes, i)), \
        for [i = 1 : words(modes)] csv using 'workers' : (row_value(againstcol, word(modes, i))) \
        with lines ls mode_style(word(modes, i)) dt (6, 4) lw 1.2 notitle, \
        NaN with lines dt (6, 4) lw 1.2 lc rgb '#616161' title against_title, \
        ideal_curve(x) ls 10 title ideal_title
} else { if (lowcol ne '') {
    plot for [i = 1 : words(modes)] csv using 'workers' : (row_value(ycol, word(modes, i))) : \
        (row_value(lowcol, word(modes, i))) : (row_value(highcol, word(modes, i))) \
        with yerrorlines ls mode_style(word(modes, i)) title mode_title(word(modes, i)), \
        ideal_curve(x) ls 10 title ideal_title
} else {
    plot for [i = 1 : words(modes)] csv using 'workers' : (row_value(ycol, word(modes, i))) \
        with linespoints ls mode_style(word(modes, i)) title mode_title(word(modes, i)), \
        ideal_curve(x) ls 10 title ideal_title
}
}
