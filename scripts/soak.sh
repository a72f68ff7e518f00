#!/bin/bash
# soak.sh - `make soak`: sweeps and studies back to back for SOAK_MINUTES
# (default 30), each a small real one, and after each a look at what the
# machine holds: no process of the soak left, no zombie, no file descriptor
# held by one, no temporary file (its TMPDIR is a folder of its own), no new
# shared-memory segment (/dev/shm, SysV), and the engine's peak RSS per
# point (summary.csv's max_rss_kib) not growing from the first iteration
# to the last.  Prints a line per iteration and a summary; writes
# SOAK_DIR/soak.json (default build/soak) and SOAK_DIR/iterations.tsv (per
# sweep: its rounds, the largest peak RSS of its points, what was left).
# Exit status: 0 nothing leaked, 1 something did (each named), 2 bad settings.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

minutes=$(parse_number SOAK_MINUTES "${SOAK_MINUTES:-30}" 1 10080) || exit 2
GILBENCH=${GILBENCH:-build/gilbench}
[ -x "$GILBENCH" ] || die "no engine at $GILBENCH; run make first"
soak_dir=${SOAK_DIR:-build/soak}
rm -rf "$soak_dir" && mkdir -p "$soak_dir/tmp" || die "cannot create $soak_dir"
soak_dir=$(realpath "$soak_dir")
tag="GILBENCH_SOAK=$$"

# The sweeps and studies it cycles through, each small (a few seconds).
plans=(
    "WORKLOADS=cpu_loop,io_wait,blas_dgemm MODES=gil,threads,procs WORKERS=1,2 RUNS=2 PARAMS=cpu_loop.units=600,io_wait.units=4,io_wait.sleep_us=5000,blas_dgemm.units=4,blas_dgemm.n=128"
    "WORKLOADS=tasks MODES=gil,procs,interp DISPATCH=shares,pool WORKERS=1,2 RUNS=2 PARAMS=tasks.units=200"
    "STUDIES=convoy RUNS=2 PARAMS=convoy.units=40"
    "STUDIES=startup,memory RUNS=2 PARAMS=shared_input.size_mib=16,shared_input.units=16"
)
tagged_processes() { grep -lsxzF -- "$tag" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3; }
zombies() { ps -eo stat= 2>/dev/null | grep -c '^Z'; }
shm_segments() { { ls -A /dev/shm 2>/dev/null; ipcs -m 2>/dev/null | awk '$1 ~ /^0x/'; } | wc -l; }

started=$(date +%s) deadline=$(( $(date +%s) + minutes * 60 ))
zombies_before=$(zombies) shm_before=$(shm_segments)
iteration=0 leaks=() rss_first="" rss_last=""
printf 'sweep\tkind\telapsed_s\trounds\tpeak_rss_max_kib\tprocesses_left\tdescriptors_held\ttemporary_files\tzombies\tshm_segments\n' \
    > "$soak_dir/iterations.tsv"
echo "gilbench: soak for $minutes min: ${#plans[@]} kinds of sweep in turn; checks after each in $soak_dir"
while [ "$(date +%s)" -lt "$deadline" ]; do
    iteration=$((iteration + 1))
    plan=${plans[$(( (iteration - 1) % ${#plans[@]} ))]}
    # shellcheck disable=SC2086
    env "$tag" TMPDIR="$soak_dir/tmp" RESULTS_DIR="$soak_dir/results" PLOTS_DIR="$soak_dir/plots" \
        TIMELINE_MS=20 GILBENCH="$GILBENCH" $plan /usr/bin/python3 scripts/sweep bench > "$soak_dir/last.out" 2>&1
    status=$?
    problems=()
    [ "$status" -eq 0 ] || problems+=("the sweep failed (status $status; $soak_dir/last.out)")
    for _ in $(seq 50); do [ -z "$(tagged_processes)" ] && break; sleep 0.1; done
    left=$(tagged_processes | paste -sd' ' -)
    [ -z "$left" ] || problems+=("processes left: $left")
    fds=0
    for pid in $left; do fds=$((fds + $(ls /proc/"$pid"/fd 2>/dev/null | wc -l))); done
    [ "$fds" -eq 0 ] || problems+=("$fds file descriptors held by them")
    [ -z "$(ls -A "$soak_dir/tmp")" ] || problems+=("temporary files: $(ls -A "$soak_dir/tmp" | head -n3 | paste -sd' ' -)")
    [ "$(zombies)" -le "$zombies_before" ] || problems+=("zombies: $(zombies), $zombies_before before")
    [ "$(shm_segments)" -le "$shm_before" ] || problems+=("shared-memory segments: $(shm_segments), $shm_before before")
    run=$(readlink -f "$soak_dir/results/latest")
    # The engine's peak RSS of each C point of the first sweep of this kind, then of the last.
    rss=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["variant"] !~ /source=/ { printf "%s.%s.%s.%s=%s\n", $1, $c["variant"], $2, $3, $c["max_rss_kib"] }' \
        "$run/summary.csv" 2>/dev/null)
    if [ "$iteration" -le "${#plans[@]}" ]; then rss_first+="$rss"$'\n'; else rss_last+="$rss"$'\n'; fi
    # What the machine holds after it, one line per sweep (iterations.tsv).
    printf '%d\t%s\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n' "$iteration" "${plan%% *}" $(( $(date +%s) - started )) \
        "$(jq -r '.rounds // "-"' "$run/meta.json" 2>/dev/null || echo -)" \
        "$(awk -F= '$2 > m { m = $2 } END { print m + 0 }' <<<"$rss")" \
        "$(wc -w <<<"$left")" "$fds" "$(ls -A "$soak_dir/tmp" | wc -l)" "$(zombies)" "$(shm_segments)" \
        >> "$soak_dir/iterations.tsv"
    printf '[%d] %s: %s  [%s elapsed]\n' "$iteration" "${plan%% *}" \
        "$([ ${#problems[@]} -eq 0 ] && echo "nothing leaked" || printf '%s; ' "${problems[@]}")" \
        "$(clock $(( $(date +%s) - started )))"
    for p in "${problems[@]}"; do leaks+=("iteration $iteration: $p"); done
    rm -rf "$soak_dir/results" "$soak_dir/plots"
done
# Peak RSS: each point's last value against its first (the sweep's own noise
# is a few hundred KiB; growth is more than 10 % and 1 MiB).
growth=$(awk -F= 'NR == FNR { if ($1 != "") first[$1] = $2; next }
    $1 in first && $2 > first[$1] * 1.10 && $2 - first[$1] > 1024 { printf "%s %s -> %s KiB\n", $1, first[$1], $2 }' \
    <(printf '%s' "$rss_first") <(printf '%s' "$rss_last"))
points=$(printf '%s' "$rss_first" | grep -c .)
[ -z "$growth" ] || leaks+=("peak RSS grew: $(paste -sd';' <<<"$growth")")
jq -n --argjson minutes "$minutes" --argjson iterations "$iteration" --argjson points "$points" \
    --arg leaks "$(printf '%s\n' "${leaks[@]}")" \
    '{minutes: $minutes, sweeps: $iterations, rss_points_compared: $points,
      leaks: ($leaks | split("\n") | map(select(. != "")))}' > "$soak_dir/soak.json"
echo "gilbench: soak: $iteration sweeps in $(clock $(( $(date +%s) - started ))); peak RSS of $points points compared; ${#leaks[@]} leak(s)"
for l in "${leaks[@]}"; do echo "  $l"; done
[ ${#leaks[@]} -eq 0 ]
