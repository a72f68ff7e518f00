#!/bin/bash
# gil_tracer.t - `gilbench gil-trace` observes CPython's own GIL: a thread
# that only computes holds it nearly all its time, one that sleeps nearly
# none; N computing threads each wait about (N-1)/N of theirs; a thread
# that sleeps K times takes it exactly K + 1 times; the trace is the
# model's format and draws.  When it cannot trace (a stripped interpreter,
# no privileges, no uprobe events) it says so in one line, exits 3 and runs
# nothing.  No probe stays registered after a run, an error or a SIGKILL of
# the tracer: checked in a running interpreter's own code, where an
# installed uprobe is a breakpoint byte.  Needs root and make pythons'
# builds; without them one skip line (a failure where CI runs).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

skip_all() {
    if [ "${CI:-}" = true ]; then
        ok 1 "the GIL tracer's test can run here: $1"
    else
        echo "ok 1 # skip $1"
        TEST_COUNT=1
    fi
    done_testing
    exit
}
[ "$(id -u)" -eq 0 ] || skip_all "tracing needs root"
[ -r /sys/bus/event_source/devices/uprobe/type ] || skip_all "the kernel has no uprobe events"
pythons=$(/usr/bin/python3 tests/sweep_call.py interpreters pythons_dir)
python=$pythons/gil/bin/python3.13
free_python=$pythons/nogil/bin/python3.13t
[ -x "$python" ] || skip_all "make pythons has not built CPython 3.13 ($python)"
fixtures=tests/fixtures/gil_tracer

# field FILE NAME: a number of a JSON line (null as "null").
field() { grep -o "\"$2\":[^,}]*" "$1" | head -1 | cut -d: -f2; }
# between X LOW HIGH: LOW <= X <= HIGH.
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "null" && x != "" && x + 0 >= lo && x + 0 <= hi) }'; }

# --- usage --------------------------------------------------------------------
run_capture "$GILBENCH" gil-trace --help
check "--help says what it probes" grep -q 'take_gil' <<<"$OUT"
for bad in "--locks fast -- $python -c 1" "--timeout -1 -- $python -c 1" "--json" "" \
           "--trace $TEST_TMP/t.tsv --locks parking -- $python -c 1" "-- no-such-interpreter-here"; do
    # shellcheck disable=SC2086
    run_capture "$GILBENCH" gil-trace $bad
    check "gil-trace $bad: usage error, one line" test "$STATUS" -eq 2 -a "$(wc -l <<<"$ERR")" -eq 1
done

# --- it cannot trace: one line, exit 3, the command not run -------------------
marker=$TEST_TMP/ran
cannot_trace() {    # CASE PATTERN COMMAND...
    local case=$1 pattern=$2
    shift 2
    rm -f "$marker"
    run_capture "$@"
    check "$case: exit 3" test "$STATUS" -eq 3
    check "$case: one line saying why" test "$(wc -l <<<"$ERR")" -eq 1
    check "$case: the line says it" grep -q "$pattern" <<<"$ERR"
    check "$case: the command did not run" test ! -e "$marker"
}
if command -v strip >/dev/null; then
    strip -o "$TEST_TMP/python3.13" "$python"
    cannot_trace "a stripped interpreter" "^gilbench: cannot trace the GIL of .*: it is stripped" \
        "$GILBENCH" gil-trace -- "$TEST_TMP/python3.13" -c "open('$marker', 'w')"
    run_capture "$GILBENCH" gil-trace --check --interpreter "$TEST_TMP/python3.13"
    check "--check says the same of it" test "$STATUS" -eq 3 -a "$(wc -l <<<"$ERR")" -eq 1
fi
cannot_trace "a free-threaded build asked for its GIL" "no function drop_gil" \
    "$GILBENCH" gil-trace -- "$free_python" -c "open('$marker', 'w')"
# Unprivileged: the engine and an interpreter copy where user nobody can read them.
if command -v setpriv >/dev/null && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)" != -1 ]; then
    shared=$TEST_TMP/shared
    mkdir -p "$shared" && cp "$GILBENCH" "$python" "$shared"/ && chmod -R a+rX "$TEST_TMP" && chmod a+w "$shared"
    cannot_trace "an unprivileged user" "not permitted: tracing needs root or CAP_PERFMON" \
        setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$shared/gilbench" gil-trace --interpreter "$shared/python3.13" -- /bin/touch "$shared/ran"
    check "... and touched nothing" test ! -e "$shared/ran"
fi
# No uprobe events: the kernel's directory hidden in a mount namespace of this command alone.
if command -v unshare >/dev/null &&
   unshare -m sh -c 'mount -t tmpfs none /sys/bus/event_source/devices/uprobe' 2>/dev/null; then
    cannot_trace "a kernel without uprobe events" "the kernel has no uprobe events" \
        unshare -m sh -c 'mount -t tmpfs none /sys/bus/event_source/devices/uprobe && exec "$@"' sh \
        "$GILBENCH" gil-trace -- "$python" -c "open('$marker', 'w')"
fi

# --- what it measures ---------------------------------------------------------
trace() {   # NAME [options] -- COMMAND...: traced into $TEST_TMP/NAME.json
    name=$1
    shift
    run_capture "$GILBENCH" gil-trace --json "$TEST_TMP/$name.json" "$@"
}
trace spin1 -- "$python" "$fixtures/barrier_spin.py" 1 2000000
check "one computing thread: traced, exit 0" test "$STATUS" -eq 0 -a -s "$TEST_TMP/spin1.json"
check "one computing thread: one worker" test "$(field "$TEST_TMP/spin1.json" workers)" = 1
share=$(field "$TEST_TMP/spin1.json" gil_hold_share)
check "one computing thread holds the GIL nearly all its time ($share)" between "$share" 0.9 1.0

for n in 2 4; do
    trace "spin$n" -- "$python" "$fixtures/barrier_spin.py" "$n" 2000000
    hold=$(field "$TEST_TMP/spin$n.json" gil_hold_share) wait=$(field "$TEST_TMP/spin$n.json" gil_wait_share)
    expected=$(awk -v n="$n" 'BEGIN { print (n - 1) / n }')
    check "$n computing threads: each waits about (N-1)/N of its time ($wait, expected $expected)" \
        between "$wait" "$(awk -v e="$expected" 'BEGIN { print e - 0.2 }')" "$(awk -v e="$expected" 'BEGIN { print e + 0.2 }')"
    check "$n computing threads: hold and wait fill their time ($hold + $wait)" \
        between "$(awk -v h="$hold" -v w="$wait" 'BEGIN { print h + w }')" 0.9 1.01
    check "$n computing threads: the holder is made to drop it (forced switches)" \
        test "$(field "$TEST_TMP/spin$n.json" gil_forced_switches)" -gt 0
    check "$n computing threads: hand-offs measured" \
        test "$(field "$TEST_TMP/spin$n.json" gil_handoff_p50_seconds)" != null
done

trace io --interpreter "$python" -- env OPENBLAS_NUM_THREADS=1 "$python" scripts/pyrun run --workload io_wait --mode gil --workers 1 --units 40
share=$(field "$TEST_TMP/io.json" gil_hold_share)
check "io_wait.py: a sleeping worker holds the GIL nearly none of its time ($share)" between "$share" 0 0.1

for round in 1 2; do
    trace sleeps -- "$python" "$fixtures/sleeps.py" 300
    takes=$(field "$TEST_TMP/sleeps.json" gil_takes) forced=$(field "$TEST_TMP/sleeps.json" gil_forced_switches)
    check "a thread that sleeps 300 times takes the GIL 301 times, besides forced switches ($takes - $forced, round $round)" \
        test "$((takes - forced))" -eq 301
done

trace status -- "$python" -c 'import sys; sys.exit(7)'
check "the command's exit status is gil-trace's" test "$STATUS" -eq 7 -a -s "$TEST_TMP/status.json"
check "... and in the JSON" test "$(field "$TEST_TMP/status.json" command_status)" = 7
trace limit --timeout 1 -- "$python" -c 'import time; time.sleep(60)'
check "--timeout stops the command: exit 124" test "$STATUS" -eq 124

# --- the trace: the model's format, drawn by the same picture -----------------
run_capture "$GILBENCH" gil-trace --trace "$TEST_TMP/spin.tsv" -- "$python" "$fixtures/barrier_spin.py" 2 1000000
check "--trace writes the trace" test "$STATUS" -eq 0 -a -s "$TEST_TMP/spin.tsv"
check "its header line is the model's" grep -qx $'worker\ttime_us\tevent' "$TEST_TMP/spin.tsv"
check "its events are the model's" awk -F'\t' '!/^#/ && NR > 1 && $1 != "worker" && $3 !~ /^(wait|acquire|yield|release)$/ { exit 1 }' "$TEST_TMP/spin.tsv"
check "both worker threads are in it" test "$(awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ { print $1 }' "$TEST_TMP/spin.tsv" | sort -u | wc -l)" -eq 2
if command -v gnuplot >/dev/null; then
    run_capture /usr/bin/python3 scripts/sweep timeline --draw "$TEST_TMP/spin.tsv"
    check "the timeline draws it" test "$STATUS" -eq 0 -a -s "$TEST_TMP/spin.png"
fi

# --- the free-threaded build: parking ------------------------------------------
if [ -x "$free_python" ]; then
    run_capture env PYTHON_GIL=0 "$GILBENCH" gil-trace --locks parking --json "$TEST_TMP/park.json" -- \
        "$free_python" "$fixtures/contended_lock.py" 2
    check "free-threaded: traced" test "$STATUS" -eq 0 -a "$(field "$TEST_TMP/park.json" workers)" = 2
    parks=$(field "$TEST_TMP/park.json" parks) share=$(field "$TEST_TMP/park.json" parked_share)
    check "free-threaded: two threads that find a lock taken each park ($parks parks)" test "$parks" -ge 2
    check "free-threaded: ... most of their lives, until it is let go ($share)" between "$share" 0.5 1.0
fi

# --- nothing stays registered ---------------------------------------------------
# take_gil's first byte in a running interpreter: the file's byte, or the
# breakpoint while a probe is registered.  The file offset and the address
# differ by the load address of a position-independent build.
"$python" -c 'import time; time.sleep(120)' &
sleeper=$!
address=$(/usr/bin/python3 - "$python" "$sleeper" <<'EOF'
import re, subprocess, sys
binary, pid = sys.argv[1], sys.argv[2]
value = next(int(line.split()[0], 16) for line in subprocess.run(["nm", binary], capture_output=True, text=True).stdout.splitlines() if line.endswith(" take_gil"))
pie = open(binary, "rb").read(18)[16] == 3      # e_type ET_DYN
base = 0
if pie:
    for line in open("/proc/%s/maps" % pid):
        fields = line.split()
        if len(fields) >= 6 and fields[5] == binary and fields[2] == "00000000":
            base = int(fields[0].split("-")[0], 16)
            break
print(base + value)
EOF
)
first_byte() { dd if="/proc/$sleeper/mem" bs=1 skip="$address" count=1 iflag=skip_bytes 2>/dev/null | od -An -tx1 | tr -d ' '; }
sleep 0.3
original=$(first_byte)
check "take_gil's first byte can be read in a running interpreter ($original)" test -n "$original"
"$GILBENCH" gil-trace -- "$python" -c 'import time; time.sleep(30)' &
tracer=$!
wait_for 10 test "$(first_byte)" = cc
check "while a trace runs, every running interpreter has the breakpoint" test "$(first_byte)" = cc
kill -KILL "$tracer"
wait "$tracer" 2>/dev/null
wait_for 5 test "$(first_byte)" = "$original"
check "after a SIGKILL of the tracer, the probe is gone" test "$(first_byte)" = "$original"
check "... and so is its command" wait_for 5 sh -c '! pgrep -f "import time; time.sleep\(30\)" >/dev/null'
"$GILBENCH" gil-trace -- "$python" -c 1 >/dev/null
check "after a run, the probe is gone" test "$(first_byte)" = "$original"
"$GILBENCH" gil-trace -- /no/such/python 2>/dev/null
"$GILBENCH" gil-trace --interpreter "$python" -- /no/such/command 2>/dev/null
check "after a command that could not run, the probe is gone" test "$(first_byte)" = "$original"
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null

done_testing
