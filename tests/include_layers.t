#!/bin/bash
# include_layers.t - bench/ stays in layers: scripts/include_graph.py finds
# no circle in the #include lines between folders (bench/run/ above
# bench/dispatch/ above bench/modes/ ...) nor between files (x.c with its
# x.h), and every header name is found once.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

run_capture /usr/bin/python3 scripts/include_graph.py --check
ok "$STATUS" "no include circle between folders or files"
[ "$STATUS" -eq 0 ] || diag "$OUT"

# The check finds a circle when there is one: a copy whose bench/modes/
# includes the run's header.
copy_tree
sed -i 's|#include "run_vocabulary.h"|#include "run.h"|' "$tree/bench/modes/workers.h"
run_capture /usr/bin/python3 "$tree/scripts/include_graph.py" --check
[ "$STATUS" -eq 1 ] && [[ $OUT == *"folder circle among"*bench/modes*bench/run* ]]
ok $? "a mode that includes run.h is a circle"
[[ $OUT == *"file circle among"*bench/modes/workers*bench/run/run* ]]
ok $? "and names the files"

done_testing
