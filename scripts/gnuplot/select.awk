# select.awk - the header and the rows of a CSV file whose named columns hold
# the given values, for gnuplot to read one series at a time (a line joins
# only consecutive points, so a series must not be interleaved with others).
# Usage: GB_WHERE='workload=ipc;mode=procs' awk -F, -f select.awk < FILE
# (a value may itself contain '=', as in variant=payload_kib=1).
BEGIN { conditions = split(ENVIRON["GB_WHERE"], condition, ";") }
NR == 1 {
    for (i = 1; i <= NF; i++)
        column[$i] = i
    print
    next
}
{
    for (k = 1; k <= conditions; k++) {
        split_at = index(condition[k], "=")
        name = substr(condition[k], 1, split_at - 1)
        if ($column[name] != substr(condition[k], split_at + 1))
            next
    }
    print
}
