#!/bin/bash
# machine.t - the scripts on another machine's terms: what sweep machine reads
# from the machine (OPENBLAS_* variables, /proc/cpuinfo, git, tool versions,
# the host name, OMP_* variables) may be absent or odd, and the sweep's
# arithmetic must not depend on the locale.  Each case degrades to null
# with a warning in meta.json, never a stop.  Nothing here computes BLAS, so
# taking the OPENBLAS_* variables away changes no BLAS run.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
gilbench=$(realpath "$GILBENCH")

# meta FILE [ENV...]: runs sweep machine as a sweep of cpu_loop would; $STATUS, $ERR.
meta() {
    local file=$1
    shift
    run_capture env "$@" GILBENCH="$gilbench" python3 scripts/sweep machine "$file" cpu_loop gil,threads 1,2 3 0 5000 1 "" "" ""
}
without_openblas=()
for name in $(compgen -e | grep '^OPENBLAS_'); do without_openblas+=(-u "$name"); done

meta "$TEST_TMP/bare.json" "${without_openblas[@]}"
check "sweep machine with no OPENBLAS_* variable in its environment writes meta.json" \
    test "$STATUS" -eq 0 -a -s "$TEST_TMP/bare.json"
check "  and records none" jq -e '.openblas_environment == {}' "$TEST_TMP/bare.json"
meta "$TEST_TMP/set.json" "${without_openblas[@]}" OPENBLAS_GILBENCH_TEST='a=b c'
check "an OPENBLAS_* variable that is set is recorded as it is" \
    jq -e '.openblas_environment == {OPENBLAS_GILBENCH_TEST: "a=b c"}' "$TEST_TMP/set.json"

# No "model name" (ARM), and no lscpu to ask instead.
bin="$TEST_TMP/bin"
mkdir -p "$bin"
printf '#!/bin/sh\nexit 1\n' > "$bin/lscpu"
printf '#!/bin/sh\nexit 0\n' > "$bin/hyperfine"
chmod +x "$bin/lscpu" "$bin/hyperfine"
printf 'processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n' > "$TEST_TMP/cpuinfo"
meta "$TEST_TMP/arm.json" PATH="$bin:$PATH" GILBENCH_CPUINFO="$TEST_TMP/cpuinfo"
check "a /proc/cpuinfo without 'model name' does not stop sweep machine" test "$STATUS" -eq 0
check "  the CPU model is null, with a warning" \
    jq -e '.cpu_model == null and (.warnings | any(test("CPU model unknown")))' "$TEST_TMP/arm.json"
check "a hyperfine with no --version line gives a null version, with a warning" \
    jq -e '.hyperfine_version == null and (.warnings | any(test("hyperfine version unknown")))' "$TEST_TMP/arm.json"
check "  said on the terminal too" grep -q 'warning: CPU model unknown' <<<"$ERR"

# A release tarball (git archive) unpacked inside another repository.
outer="$TEST_TMP/outer"
mkdir -p "$outer/gilbench"
git archive --format=tar HEAD | tar -x -C "$outer/gilbench"
cp -r scripts/*.sh scripts/sweep "$outer/gilbench/scripts/" # the scripts under test, committed or not
git -C "$outer" init -q && git -C "$outer" -c user.name=t -c user.email=t@t commit -q --allow-empty -m outer
(cd "$outer/gilbench" && GILBENCH="$gilbench" python3 scripts/sweep machine "$TEST_TMP/tarball.json" cpu_loop gil 1 3 0 5000 1 "" "" "") \
    2>"$TEST_TMP/tarball.err"
check "meta.json of a tarball export records no commit (not the enclosing repository's)" \
    jq -e '.git_commit == null and (.warnings | any(test("not a git checkout")))' "$TEST_TMP/tarball.json"
meta "$TEST_TMP/here.json"
check "  while a checkout records its own" \
    jq -e --arg head "$(git rev-parse HEAD)" '.git_commit | startswith($head)' "$TEST_TMP/here.json"

# Usable CPUs come from the affinity mask, not from OMP_NUM_THREADS.
affinity=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
meta "$TEST_TMP/omp.json" OMP_NUM_THREADS=1 OMP_THREAD_LIMIT=1
check "OMP_NUM_THREADS=1 does not change the usable CPUs ($affinity)" \
    jq -e --argjson n "$affinity" '.cpus_usable == $n' "$TEST_TMP/omp.json"
if command -v taskset >/dev/null; then
    run_capture taskset -c 0 env GILBENCH="$gilbench" python3 scripts/sweep machine "$TEST_TMP/one.json" cpu_loop gil 1 3 0 5000 1 "" "" ""
    check "taskset to one CPU gives 1 usable CPU" jq -e '.cpus_usable == 1' "$TEST_TMP/one.json"
else
    ok 0 "# skip taskset is not installed"
fi

# A host name with a quote, a space and a slash: recorded as it is, and
# kept out of the run folder's name.
if unshare --uts true 2>/dev/null; then
    odd="o'brien host/x.example"
    unshare --uts bash -c 'echo "$1" > /proc/sys/kernel/hostname &&
        python3 tests/sweep_call.py meta new_run_folder "$2" && GILBENCH=$3 python3 scripts/sweep machine "$4" cpu_loop gil 1 3 0 5000 1 "" "" ""' \
        - "$odd" "$TEST_TMP" "$gilbench" "$TEST_TMP/host.json" > "$TEST_TMP/host.out" 2>&1
    check "an odd host name is recorded exactly" jq -e --arg h "$odd" '.host == $h' "$TEST_TMP/host.json"
    check "  and the run folder's name keeps only safe characters" \
        grep -qx "$TEST_TMP/[0-9TZ]*-o_brien_host_x" "$TEST_TMP/host.out"
else
    ok 0 "# skip cannot change the host name here (unshare --uts needs root)"
    ok 0 "# skip cannot change the host name here"
fi

# ---- the locale: a decimal comma must not change a figure ----
locales="$TEST_TMP/locales"
mkdir -p "$locales"
if localedef -i de_DE -f UTF-8 "$locales/de_DE.UTF-8" 2>/dev/null &&
    [ "$(LOCPATH=$locales LC_ALL=de_DE.UTF-8 awk 'BEGIN { print 0.5 + 0 }')" = "0,5" ]; then
    german=(env LOCPATH="$locales" LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8)
    run_dir="$TEST_TMP/run"
    mkdir -p "$run_dir"
    cp tests/fixtures/run/meta.json tests/fixtures/run/plan.tsv "$run_dir/"
    "$GILBENCH" summarize --runs tests/fixtures/run/runs.tsv --csv "$run_dir/summary.csv" --cpus 2
    noisy_c=$(python3 tests/sweep_call.py rounds wide_points "$run_dir" 13 | paste -sd' ' -)
    noisy_de=$("${german[@]}" python3 tests/sweep_call.py rounds wide_points "$run_dir" 13 | paste -sd' ' -)
    check "under de_DE the same points are wide as under C (${noisy_c:-none})" \
        test -n "$noisy_c" -a "$noisy_de" = "$noisy_c"
    cp -r "$run_dir" "$TEST_TMP/run-b"
    run_capture "${german[@]}" RESULTS_DIR="$TEST_TMP/compare" python3 scripts/sweep compare "$run_dir" "$TEST_TMP/run-b"
    csv=$(ls "$TEST_TMP"/compare/*/compare.csv 2>/dev/null | head -n1)
    check "make compare under de_DE: every row has 19 fields, with decimal points" \
        test "$STATUS" -eq 0 -a -n "$csv" -a -z "$(awk -F, 'NF != 19 || /nan|[0-9],[0-9][0-9][0-9][0-9]$/' "$csv")"
    check "  and the ratios of a run with itself are 1" \
        test -z "$(awk -F, 'NR > 1 && ($7 != "1.0000" || ($10 != "" && $10 != "1.0000"))' "$csv")"
else
    ok 0 "# skip no de_DE locale can be built here (Debian's locales package)"
    ok 0 "# skip no de_DE locale"
    ok 0 "# skip no de_DE locale"
fi
# A locale that does not exist: the scripts still run.
meta "$TEST_TMP/bogus.json" LC_ALL=xx_XX.bogus LANG=xx_XX.bogus
check "an unknown locale in the environment does not stop sweep machine" test "$STATUS" -eq 0 -a -s "$TEST_TMP/bogus.json"

done_testing
