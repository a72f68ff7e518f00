# lib.sh - shell functions shared by the bench scripts: messages, checking
# settings, the run folder and its files.  Sourced, never run.

# Numbers are read and written with a decimal point whatever the user's
# locale (mawk, sort -n and printf honour LC_NUMERIC: under de_DE "0.0141"
# reads as 0), and a locale that is missing or not UTF-8 cannot make a tool
# complain.  C.UTF-8 keeps the report's UTF-8 text intact where it exists.
if locale -a 2>/dev/null | grep -qix 'c.utf-\{0,1\}8'; then
    export LC_ALL=C.UTF-8
else
    export LC_ALL=C
fi
unset LANGUAGE

die() { # die MESSAGE: a failure of the run itself
    echo "gilbench: $*" >&2
    exit 1
}

usage() { # usage MESSAGE: a bad setting
    echo "gilbench: $*" >&2
    exit 2
}

note() {
    echo "gilbench: $*" >&2
}

# require_command COMMAND PACKAGE: exits 2, naming the Debian package,
# unless COMMAND is on the PATH; called before anything is written.
require_command() {
    command -v "$1" >/dev/null 2>&1 || usage "$1 is missing; install with: apt-get install -y $2"
}

# split VALUE: the items of a comma- or space-separated list, one per line.
split() {
    printf '%s\n' "$1" | tr ', \t' '\n\n\n' | grep -v '^$'
}

# parse_list NAME VALUE ACCEPTED: prints the list comma-separated, or exits 2
# naming an unknown, repeated or missing item.
parse_list() {
    local name=$1 value=$2 accepted=$3 item seen=","
    [ -n "$(split "$value")" ] || usage "$name is empty; accepted: ${accepted//,/, }"
    for item in $(split "$value"); do
        case ",$accepted," in
            *",$item,"*) ;;
            *) usage "$name: unknown '$item'; accepted: ${accepted//,/, }" ;;
        esac
        case $seen in *",$item,"*) usage "$name: '$item' is given twice" ;; esac
        seen="$seen$item,"
    done
    seen=${seen#,}
    echo "${seen%,}"
}

# parse_number NAME VALUE MIN MAX: prints VALUE if it is a whole number in
# [MIN, MAX], or exits 2.
parse_number() {
    local name=$1 value=$2 min=$3 max=$4
    case $value in
        "" | *[!0-9]*) usage "$name='$value' is not a whole number; accepted: $min to $max" ;;
    esac
    if [ ${#value} -gt 9 ] || [ $((10#$value)) -lt "$min" ] || [ $((10#$value)) -gt "$max" ]; then
        usage "$name='$value' is out of range; accepted: $min to $max"
    fi
    echo $((10#$value))
}

# parse_number_list NAME VALUE MIN MAX: a list of such numbers, sorted,
# comma-separated; a repeated number is refused.
parse_number_list() {
    local name=$1 value=$2 min=$3 max=$4 item numbers=""
    [ -n "$(split "$value")" ] || usage "$name is empty; accepted: numbers from $min to $max"
    for item in $(split "$value"); do
        item=$(parse_number "$name" "$item" "$min" "$max") || exit 2
        case ",$numbers," in *",$item,"*) usage "$name: '$item' is given twice" ;; esac
        numbers="$numbers,$item"
    done
    split "$numbers" | sort -n | paste -sd, -
}

# new_run_folder DIR [NAME]: makes and prints DIR/NAME (default
# <UTC date-time>-<host>), or NAME-2, NAME-3...; mkdir is atomic, so two
# sweeps started in the same second get different folders.
new_run_folder() {
    local base
    # The host's short name, kept to characters safe in a path and a URL.
    local host
    host=$(printf %s "$(uname -n | cut -d. -f1)" | tr -c 'A-Za-z0-9_-' '_' | cut -c1-40)
    base="$1/${2:-$(date -u +%Y%m%dT%H%M%SZ)-${host:-host}}"
    local folder=$base suffix=1
    until mkdir "$folder" 2>/dev/null; do
        [ -d "$1" ] && [ -w "$1" ] || die "cannot create a run folder in $1"
        suffix=$((suffix + 1))
        [ "$suffix" -le 100 ] || die "cannot create a run folder in $1"
        folder="$base-$suffix"
    done
    echo "$folder"
}

# usable_cpus: the CPUs this process may run on, from its affinity mask
# alone (nproc would obey OMP_NUM_THREADS and OMP_THREAD_LIMIT); 1 if even
# that cannot be read.
usable_cpus() {
    env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 1
}

# clock SECONDS: m:ss.
clock() {
    printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}

# write_atomically FILE: stdin to FILE through a temporary file of a name of
# its own (two writers of one file never share a temporary file; the last
# to finish wins).
write_atomically() {
    local file=$1 tmp
    tmp=$(mktemp "$(dirname -- "$file")/.$(basename -- "$file").XXXXXX") || return 1
    cat > "$tmp" && chmod =rw "$tmp" && mv -f "$tmp" "$file" || { rm -f "$tmp"; return 1; }
}

# gp_string VALUE: a gnuplot expression for the string VALUE, whatever it
# holds.  In single quotes gnuplot takes every character as it is (no
# backslash escapes, no `command` or @macro substitution) but the single
# quote, which is joined in as "\047": gnuplot 5.4 misreads a doubled '' at
# the start of a string or after another, and after "'" it expands @macros
# in the single-quoted rest.
gp_string() {
    local quote="'" joined="'.\"\\047\".'"
    printf "('%s')" "${1//$quote/$joined}"
}

# finish_meta META STARTED FAILURES: marks the run complete.
finish_meta() {
    jq --arg finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --argjson duration $(( $(date +%s) - $2 )) --argjson failed "$3" \
        '.complete = true | .finished_utc = $finished | .duration_s = $duration
         | .failed_points = $failed' "$1" | write_atomically "$1"
}

# check_results_folder NAME DIR: exits 2 unless DIR is a results folder.
check_results_folder() {
    local name=$1 dir=$2 file problem
    [ -d "$dir" ] || usage "$name='$dir' is not a folder; give a folder under results/"
    for file in meta.json summary.csv; do
        [ -f "$dir/$file" ] && [ -s "$dir/$file" ] && [ -r "$dir/$file" ] ||
            usage "$name='$dir' is not a results folder (no readable $file)"
    done
    problem=$(meta_problem "$dir/meta.json")
    [ -z "$problem" ] || usage "$name='$dir' is not a results folder of this gilbench: its meta.json $problem"
}

# folder_writable DIR: a file can still be made in DIR: it is a folder this
# user may write in and enter, on a file system mounted read-write (as root,
# whatever its mode: then only a read-only file system says no).  The
# kernel's access(2), through the shell's own test: the sweep asks twice per
# call, and a probe file made and removed cost two processes each time.
folder_writable() {
    [ -d "$1" ] && [ -w "$1" ] && [ -x "$1" ]
}

# readable_file PATH: PATH is a regular file, readable and not empty (an
# optional file of a results folder that is anything else counts as absent).
readable_file() {
    [ -f "$1" ] && [ -s "$1" ] && [ -r "$1" ]
}

# meta_problem META: nothing when META has the shape the scripts read (the
# types of the fields they use; any may be absent but settings and its
# workloads), else what is wrong, in a few words.
meta_problem() {
    jq -r 'def strings: type == "array" and all(.[]; type == "string");
        def numbers: type == "array" and all(.[]; type == "number");
        def maybe(f): . == null or f;
        def is($t): type == $t;
        if type != "object" then "is not a JSON object" else
        [ [(.settings | is("object")), "has no settings"],
          [(.settings.workloads | strings), "has no list of workload names (.settings.workloads)"],
          [(.settings.modes | maybe(strings)), ".settings.modes is not a list of names"],
          [(.settings.workers | maybe(numbers)), ".settings.workers is not a list of numbers"],
          [(.settings.studies | maybe(strings)), ".settings.studies is not a list of names"],
          [(.settings.dispatch | maybe(strings)), ".settings.dispatch is not a list of names"],
          [(.settings | [.switch_interval_us, .runs, .max_runs, .warmup, .precision_pct, .budget_s, .seed,
              .chunksize, .confidence] | all(maybe(is("number")))), "has a setting that is not a number"],
          [(.settings.params | maybe(is("string"))), ".settings.params is not text"],
          [(.settings.default_sweep | maybe(is("boolean"))), ".settings.default_sweep is not true or false"],
          [([.cpus_usable, .cpus_online, .rounds, .fma_gflops_single_core, .other_cpu_share]
              | all(maybe(is("number")))), "has a machine figure that is not a number"],
          [([.cpu_model, .host, .kernel, .os, .compiler, .date_utc, .command] | all(maybe(is("string")))),
              "has a machine field that is not text"],
          [(.warnings | maybe(strings)), ".warnings is not a list of lines"],
          [(.loadavg_before | maybe(numbers)), ".loadavg_before is not a list of numbers"],
          [(.openblas_environment | maybe(is("object"))), ".openblas_environment is not an object"],
          [(.complete | maybe(is("boolean"))), ".complete is not true or false"],
          [(.python_workloads | maybe(is("array") and all(.[]; is("object") and (.name | is("string"))
              and ([.file, .unit, .description, .python] | all(is("string")))
              and (.units | is("number")) and (.checked | is("boolean"))
              and (.free_threaded_python | maybe(is("string")))))), ".python_workloads is not what the sweep writes"],
          [(.python.interpreters | maybe(is("array") and all(.[]; is("object")))), ".python.interpreters is not a list"],
          [(.wide_points | maybe(is("array"))), ".wide_points is not a list"]
        ] | map(select(.[0] | not) | .[1]) | first // empty end' "$1" 2>/dev/null || echo "is not valid JSON"
}

# parse_params VALUE WORKLOADS: checks WORKLOAD.NAME=VALUE items (comma- or
# space-separated) against the sweep's workloads; prints them space-separated.
# Whether NAME and VALUE suit the workload, the engine checks (--dry-run).
parse_params() {
    local value=$1 workloads=$2 item seen=" "
    for item in $(split "$value"); do
        case $item in
            *.*=*) ;;
            *) usage "PARAMS: '$item' is not WORKLOAD.NAME=VALUE (e.g. blas_dgemm.n=512)" ;;
        esac
        case ",$workloads," in
            *",${item%%.*},"*) ;;
            *) usage "PARAMS: '$item' is for workload '${item%%.*}', which this sweep does not run; it runs: ${workloads//,/, }" ;;
        esac
        case $seen in *" ${item%%=*}="*) usage "PARAMS: ${item%%=*} is given twice" ;; esac
        seen="$seen$item "
    done
    seen=${seen# }
    echo "${seen% }"
}

# shell_words ARGS...: one command line that hyperfine -N splits back into
# exactly these arguments (single quotes, as a POSIX shell would read them).
shell_words() {
    local words
    shell_words_into words "$@"
    echo "$words"
}
# shell_words_into VAR ARG...: the same into VAR (no process: once per call).
shell_words_into() {
    local _arg _out="" _name=$1
    shift
    for _arg in "$@"; do
        _out="$_out '${_arg//\'/\'\\\'\'}'"
    done
    printf -v "$_name" '%s' "${_out# }"
}

# adaptive_timeout SLOWEST: seconds one run may take, given the slowest run
# of the workload so far (empty before its first point).
adaptive_timeout() {
    local t
    adaptive_timeout_into t "$1"
    echo "$t"
}
adaptive_timeout_into() { # adaptive_timeout_into VAR SLOWEST
    local _us _seconds
    if [ -z "$2" ]; then
        printf -v "$1" '%s' 120
    else
        seconds_to_us "$2" _us
        _seconds=$(( 20 * _us / 1000000 + 1 ))
        printf -v "$1" '%s' $(( _seconds < 30 ? 30 : _seconds ))
    fi
}

# The sweep's clock, without a process per reading (each call of a point
# reads it several times): microseconds as whole numbers.
# now_us VAR: sets VAR to the wall clock in microseconds (EPOCHREALTIME,
# whose decimal mark follows the locale: digits only).
now_us() {
    local digits=${EPOCHREALTIME//[!0-9]/}
    [ -n "$digits" ] || digits=$(date +%s%6N)
    printf -v "$1" '%s' "$digits"
}
# us_seconds US: US microseconds as seconds with three decimals.
us_seconds() {
    printf '%d.%03d\n' $(($1 / 1000000)) $(( ($1 % 1000000) / 1000 ))
}
us_seconds_into() { # us_seconds_into VAR US
    printf -v "$1" '%d.%03d' $(($2 / 1000000)) $(( ($2 % 1000000) / 1000 ))
}
# utc_stamp US: the UTC date and time of US microseconds since the epoch,
# to the millisecond (2026-12-07T05:21:51.123Z).
utc_stamp() {
    local stamp
    utc_stamp_into stamp "$1"
    echo "$stamp"
}
utc_stamp_into() { # utc_stamp_into VAR US
    TZ=UTC printf -v "$1" '%(%Y-%m-%dT%H:%M:%S)T.%03dZ' $(($2 / 1000000)) $(( ($2 / 1000) % 1000 ))
}
# seconds_to_us TEXT VAR: a JSON number of seconds (0.082996494, 1.2e-05)
# in whole microseconds, into VAR (0 for what is not such a number).
seconds_to_us() {
    local text=$1 whole fraction
    if [[ $text =~ ^([0-9]+)(\.([0-9]+))?$ ]]; then
        whole=${BASH_REMATCH[1]} fraction=${BASH_REMATCH[3]}000000
        printf -v "$2" '%s' $(( 10#$whole * 1000000 + 10#${fraction:0:6} ))
    elif [[ $text =~ ^[0-9.]+[eE]- ]]; then
        printf -v "$2" '%s' 0 # below a microsecond or so
    elif [[ $text =~ ^[0-9.]+[eE]\+?[0-9]+$ ]]; then
        printf -v "$2" '%s' "$(awk -v s="$text" 'BEGIN { printf "%.0f", s * 1e6 }')"
    else
        printf -v "$2" '%s' 0
    fi
}

# point_failure STATUS RUN_DIR ID LINES: why a point failed, or nothing if it
# did not: hyperfine's exit status, the engine's messages in logs/, and the
# number of result lines the runs should have appended.
point_failure() {
    local status=$1 run_dir=$2 id=$3 lines=$4 log=$2/logs/$3.log found
    if [ "$status" -eq 0 ]; then
        local results=()
        [ ! -f "$run_dir/raw/$id.jsonl" ] || mapfile -t results < "$run_dir/raw/$id.jsonl" 2>/dev/null
        found=${#results[@]}
        [ "$found" -eq "$lines" ] ||
            echo "ended with status 0 but wrote $found of its $lines result line$([ "$lines" -eq 1 ] || echo s): did the workload end the process (os._exit(), a fork's exit)?"
        return
    fi
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "timed out: the point as a whole took too long and was killed (outer watchdog)"
        return
    fi
    local engine mpirun hyperfine
    engine=$(sed -n 's/^gilbench: //p' "$log" 2>/dev/null | join_distinct)
    mpirun=$(mpirun_failure "$log" "$engine")
    hyperfine=$(sed -n 's/^Error: //p' "$log" 2>/dev/null | sed 's/ Use the .*//; s/\.$//' |
        sed 's/^Command terminated with non-zero exit code: \([0-9]*\)/exited with status \1/' |
        join_distinct)
    engine=$(printf '%s\n' "$engine" "$mpirun" | grep . | join_distinct)
    # A Python interpreter that crashed says so through its faulthandler.
    [ -n "$engine" ] || engine=$(sed -n 's/^Fatal Python error: \(.*\)$/crashed: \1 (Fatal Python error)/p' "$log" 2>/dev/null |
        join_distinct)
    hyperfine=${hyperfine/The process has been terminated by a signal/killed by a signal (which one, hyperfine does not say)}
    echo "${engine:-${hyperfine:-failed with status $status; see $log}}"
}

# other_hosts HOSTFILE: its hosts, once each, in its order, without this
# machine's own names and addresses (mpirun starts no ssh to them).
other_hosts() {
    local own host
    own=" localhost 127.0.0.1 ::1 $(hostname 2>/dev/null) $(hostname -f 2>/dev/null) $(hostname -I 2>/dev/null) "
    for host in $(sed 's/#.*//' "$1" 2>/dev/null | awk 'NF { print $1 }' | awk '!seen[$0]++'); do
        [[ $own == *" $host "* ]] || echo "$host"
    done
}

# ask_hosts HOSTFILE DIR [SCRIPT]: runs the sh SCRIPT (default: nothing)
# on every other host of HOSTFILE at once, reached as mpirun reaches them
# (the first command of OMPI_MCA_plm_rsh_agent, else ssh; 5 s to connect,
# 15 in all): its output in DIR/HOST, and DIR/HOST.silent for a host that
# did not answer.
ask_hosts() {
    local host pids=()
    mkdir -p "$2" || return 0
    for host in $(other_hosts "$1"); do
        { printf '%s\n' "${3:-true}" | reach_host "$host" sh -s >"$2/$host" 2>/dev/null ||
              : > "$2/$host.silent"; } &
        pids+=($!)
    done
    [ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
}

# reach_host HOST COMMAND...: COMMAND on HOST as mpirun reaches it (the first
# command of OMPI_MCA_plm_rsh_agent, else ssh; 5 s to connect, 15 in all).
reach_host() {
    local agent=${OMPI_MCA_plm_rsh_agent:-ssh} host=$1
    shift
    # shellcheck disable=SC2086
    timeout 15 ${agent%%:*} -o BatchMode=yes -o ConnectTimeout=5 "$host" "$@"
}

# silent_in DIR: the hosts ask_hosts found silent in DIR, one a line.
silent_in() {
    local file
    for file in "$1"/*.silent; do [ -e "$file" ] && basename "$file" .silent; done
}

# hosts_words HOST...: "host A" or "hosts A, B"; nothing for none.
hosts_words() {
    [ $# -gt 0 ] || return 0
    printf '%s\n' "$@" | sort -V | paste -sd, - | sed 's/,/, /g; s/^\(.*, .*\)$/hosts \1/; t; s/^./host &/'
}

# silent_hosts HOSTFILE: "host A" or "hosts A, B": the other hosts of
# HOSTFILE that do not answer ssh within 5 s; empty when every host answers.
silent_hosts() {
    local dir silent
    dir=$(mktemp -d "${TMPDIR:-/tmp}/gilbench-silent.XXXXXX") || return 0
    ask_hosts "$1" "$dir"
    mapfile -t silent < <(silent_in "$dir")
    hosts_words "${silent[@]}"
    rm -rf "$dir"
}

# The MPI daemons (orted) of a sweep carry its mark in their environment
# (GILBENCH_ORTED=ORIGIN:PID:START, set through Open MPI's launch agent):
# what lists them on a host, one "pid mark" line each.
LIST_MARKED_DAEMONS='for p in $(pgrep -x orted 2>/dev/null); do
    m=$(tr "\0" "\n" < /proc/$p/environ 2>/dev/null | sed -n "s/^GILBENCH_ORTED=//p")
    [ -z "$m" ] || echo "$p $m"
done'

# stale_daemons LISTING: the pids of LISTING ("pid ORIGIN:PID:START" lines)
# whose sweep ran on this machine and is gone (that PID no longer started
# at START): what a sweep cut off from the host left there.
stale_daemons() {
    local pid mark origin sweep_origin sweep start
    origin=$(hostname 2>/dev/null)
    while read -r pid mark; do
        IFS=: read -r sweep_origin sweep start <<<"$mark"
        [ "$sweep_origin" = "$origin" ] && [ "$(process_start "$sweep")" != "$start" ] && echo "$pid"
    done < "$1"
}

# mpirun_failure LOG [ENGINE_REASON]: what Open MPI's mpirun said in LOG
# about a host, as one line naming it: a host its ssh could not reach, a
# daemon it lost (the host, its orted or the network to it died), a rank
# killed there.  A rank's signal the engine already told (ENGINE_REASON
# names that rank) is not repeated.  Nothing when mpirun said none of these.
mpirun_failure() {
    [ -f "$1" ] || return 0
    awk -v told="${2:-}" '
        /^ssh: / || /Permission denied/ || /Host key verification failed/ {
            line = $0; sub(/\r$/, "", line)
            host = line
            if (match(line, /connect to host [^ ]+/)) host = substr(line, RSTART + 16, RLENGTH - 16)
            else if (match(line, /resolve hostname [^:]+/)) host = substr(line, RSTART + 17, RLENGTH - 17)
            else if (match(line, /^[^ ]+@[^ :]+/)) { host = substr(line, RSTART, RLENGTH); sub(/^[^@]*@/, "", host) }
            else host = ""
            print (host == "" ? "mpirun could not start its daemon on a host: " line \
                              : "mpirun could not reach host " host " over ssh: " line)
            next
        }
        /lost communication with a remote daemon/ { lost = 1; next }
        lost && /Remote daemon: .* on node / {
            host = $0; sub(/.* on node /, "", host); sub(/[ \t]+$/, "", host)
            print "host " host " was lost: mpirun lost its MPI daemon there (the host, its orted or the network to it died)"
            lost = 0; next
        }
        /^mpirun noticed that process rank [0-9]+ with PID [0-9]+ on node .* exited on signal/ {
            rank = $6; host = $0; sub(/.* on node /, "", host); sub(/ exited on signal.*/, "", host)
            signal = $0; sub(/.* exited on signal /, "", signal); sub(/\.$/, "", signal)
            if (index(told, "rank " rank " of ") == 0)
                print "rank " rank " on host " host " was killed by signal " signal
            next
        }
        /^The user-provided time limit for job execution has been reached/ { print "mpirun timed out (its --timeout)"; next }
    ' "$1" | join_distinct
}

# join_distinct: the distinct lines of stdin, in order, on one line joined by "; ".
join_distinct() {
    awk '!seen[$0]++ { printf "%s%s", (n++ ? "; " : ""), $0 }'
}

# summary_points RUN_DIR FILTER [SUFFIX]: ids (label.mode.workers) of the
# summary rows for which the awk condition FILTER holds (columns by name:
# $col["precision"]), each followed by the awk expression SUFFIX.
summary_points() {
    [ -s "$1/summary.csv" ] || return 0
    awk -F, "NR == 1 { for (i = 1; i <= NF; i++) col[\$i] = i; next }
        { variant = \$col[\"variant\"] }
        ($2) { print \$1 (variant == \"-\" ? \"\" : \"@\" variant) \".\" \$2 \".\" \$3 ${3:+ $3} }" \
        "$1/summary.csv"
}

# wide_points RUN_DIR PRECISION_PCT: "id (±x %)" of every summary row whose
# speedup interval is wider than PRECISION_PCT % or short of 95 %
# confidence (too few runs).
wide_points() {
    summary_points "$1" "\$col[\"precision\"] != \"\" && (\$col[\"precision\"] * 100 > $2 || \$col[\"ci_level\"] < 0.95)" \
        "sprintf(\" (±%.1f %%)\", \$col[\"precision\"] * 100)"
}

# disturbed_points RUN_DIR: ids of the rows flagged disturbed.
disturbed_points() {
    summary_points "$1" "\$col[\"disturbed\"] == \"yes\""
}

# steady_series_points RUN_DIR PRECISION_PCT: ids of the points of every
# series (label.mode) with no failed point and no wide point: what RERUN
# keeps.
steady_series_points() {
    local run_dir=$1 bad
    bad=$( { wide_points "$run_dir" "$2" | cut -d' ' -f1
             while IFS=$'\t' read -r workload variant mode n _; do
                 echo "$(point_label "$workload" "$variant").$mode.$n"
             done < "$run_dir/failures.tsv"; } | sed 's/\.[0-9]*$//' | sort -u)
    summary_points "$run_dir" 1 | while read -r id; do
        grep -qxF "${id%.*}" <<<"$bad" || echo "$id"
    done
}

# wide_live_points LIVE CPUS PRECISION_PCT: during the sweep, the ids of
# the points whose speedup is still wider than PRECISION_PCT (from the runs
# so far in LIVE/runs.tsv).
wide_live_points() {
    [ -s "$1/runs.tsv" ] || return 0
    "$GILBENCH" summarize --runs "$1/runs.tsv" --csv "$1/summary.csv" --cpus "$2" || return 0
    wide_points "$1" "$3" | cut -d' ' -f1
}
# deciding_live_points DIR CPUS RESOLUTION LOOKS MAX_RUNS: the points (ids)
# of the runs so far (DIR/runs.tsv) whose runs may still decide an
# undecided answer within MAX_RUNS (summarize --deciding):
# the sweep's workloads' (a study's variants are pictures of a mechanism,
# not a choice to make, and get no rounds of their own for it).
deciding_live_points() {
    [ -s "$1/runs.tsv" ] || return 0
    "$GILBENCH" summarize --runs "$1/runs.tsv" --cpus "$2" --resolution "$3" --looks "$4" --max-runs "$5" \
        --deciding |
        while IFS=$'\t' read -r workload variant mode n; do
            [ "$variant" != - ] || echo "$workload.$mode.$n"
        done
}

# shuffle_lines SEED: stdin's lines in an order that SEED decides.
shuffle_lines() {
    awk -v seed="$1" 'BEGIN { srand(seed) } { printf "%.12f\t%s\n", rand(), $0 }' | sort -k1,1 | cut -f2-
}

# cpu_ticks: "busy steal total own" in clock ticks: the machine's busy,
# stolen and total CPU time (/proc/stat) and the CPU time of this shell's
# waited-for children (/proc/$$/stat); "- - - -" where they cannot be read.
# (The shell's own reads and arithmetic: it is read twice per call.  Each
# NAME_into VAR ... sets VAR instead of printing, so that the sweep calls
# it without a process; their own variables start with _ or cannot be
# the caller's.)
cpu_ticks() {
    local ticks
    cpu_ticks_into ticks
    echo "$ticks"
}
cpu_ticks_into() { # cpu_ticks_into VAR: the same into VAR
    local line rest own label user nice system idle iowait irq softirq steal
    if read -r line < /proc/$$/stat 2>/dev/null; then
        read -ra rest <<<"${line##*) }"
        own=$(( ${rest[13]:-0} + ${rest[14]:-0} ))
    else
        own=-
    fi
    if read -r label user nice system idle iowait irq softirq steal _ < /proc/stat 2>/dev/null &&
        [ "$label" = cpu ] && [[ "$user$nice$system$idle$iowait$irq$softirq${steal:-0}" =~ ^[0-9]+$ ]]; then
        steal=${steal:-0}
        printf -v "$1" '%s' "$((user + nice + system + irq + softirq)) $steal $((user + nice + system + idle + iowait + irq + softirq + steal)) $own"
    else
        printf -v "$1" '%s' "- - - -"
    fi
}

# call_noise BEFORE AFTER: from two cpu_ticks readings, "other steal total":
# CPU ticks used by other processes (busy minus this shell's children), stolen
# ticks, and all ticks of all CPUs in between; "0 0 0" when unknown.
call_noise() {
    local noise
    call_noise_into noise "$1" "$2"
    echo "$noise"
}
call_noise_into() { # call_noise_into VAR BEFORE AFTER
    local x y
    read -ra x <<<"$2"
    read -ra y <<<"$3"
    if [ "${x[0]:--}" = - ] || [ "${y[0]:--}" = - ] || [ "${x[3]:--}" = - ] || [ "${y[3]:--}" = - ]; then
        printf -v "$1" '%s' "0 0 0"
        return
    fi
    printf -v "$1" '%s' "$(( (y[0] - x[0]) - (y[3] - x[3]) )) $((y[1] - x[1])) $((y[2] - x[2]))"
}

# cpu_mhz: the mean current clock of the CPUs in MHz, where the machine
# exposes it (cpufreq), else "-".
cpu_mhz() {
    local mhz
    cpu_mhz_into mhz
    echo "$mhz"
}
cpu_mhz_into() { # cpu_mhz_into VAR
    local file khz sum=0 n=0
    for file in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq; do
        { read -r khz < "$file"; } 2>/dev/null && [[ $khz =~ ^[0-9]+$ ]] || continue
        sum=$((sum + khz)) n=$((n + 1))
    done
    if [ "$n" -gt 0 ]; then printf -v "$1" '%s' $(( (sum / n + 500) / 1000 )); else printf -v "$1" '%s' -; fi
}

# add_warning META MESSAGE: appends to meta.json's warnings.
add_warning() {
    jq --arg message "$2" '.warnings += [$message]' "$1" | write_atomically "$1"
}

# mark_interrupted META SIGNAL: the run stays incomplete, with the reason.
mark_interrupted() {
    jq --arg signal "$2" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        '.complete = false | .interrupted = {signal: $signal, at_utc: $at}' "$1" | write_atomically "$1"
}

# stop_tagged VALUE: kills every process whose environment has
# GILBENCH_POINT=VALUE: what a point left outside its process group once
# the group is gone (mpirun starts its ssh sessions to other hosts in
# groups of their own; one to a host cut off would wait for TCP to give up).
stop_tagged() {
    local pids
    [ -n "$1" ] || return 0
    pids=$(grep -lsxzF -- "GILBENCH_POINT=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
    return 0
}

# process_start PID: the process's start time (clock ticks since boot,
# /proc/PID/stat's 22nd field), which tells it from a later process of the
# same number; nothing when there is no such process.
process_start() {
    local stat fields
    { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 0
    stat=${stat##*) } # after the command's name, which may hold spaces
    read -ra fields <<<"$stat"
    echo "${fields[19]}"
}

# mark_owner FOLDER: writes FOLDER/owner, "PID START" of this shell's
# process, which remove_orphaned_folders reads.
mark_owner() {
    echo "$$ $(process_start $$)" > "$1/owner"
}

# remove_orphaned_folders PATTERN: removes the folders matching PATTERN
# (a glob) that are this user's and whose owner (their file owner, from
# mark_owner) is gone; a folder without that file is removed
# once it is a minute old (its owner was killed before it wrote it).
# What a sweep or a fuzzing run killed with SIGKILL left behind.
remove_orphaned_folders() {
    local folder pid start
    for folder in $1; do
        [ -d "$folder" ] && [ -O "$folder" ] || continue
        if read -r pid start < "$folder/owner" 2>/dev/null; then
            [ -n "$pid" ] && [ "$(process_start "$pid")" = "$start" ] && continue
        else
            [ -n "$(find "$folder" -maxdepth 0 -mmin +1 2>/dev/null)" ] || continue
        fi
        rm -rf "$folder"
    done
}

# bounded SECONDS TAG COMMAND...: COMMAND with stdin from /dev/null and
# GILBENCH_POINT=TAG, its process group stopped after SECONDS (TERM, KILL
# 2 s later), then every process it left with the tag; its exit status
# (124 when it ran out of time).
bounded() {
    local limit=$1 tag=$2 status
    shift 2
    GILBENCH_POINT=$tag timeout --kill-after=2 "$limit" "$@" </dev/null
    status=$?
    stop_tagged "$tag"
    return "$status"
}

# status_words STATUS: an exit status as words: "exited with status N
# without a message", "was killed by signal N (NAME)" (128 + N), "did not
# end in time" (124).
status_words() {
    local name
    if [ "$1" -eq 124 ]; then
        echo "did not end in time and was stopped"
    elif [ "$1" -gt 128 ] && name=$(kill -l $(($1 - 128)) 2>/dev/null); then
        echo "was killed by signal $(($1 - 128)) (SIG$name)"
    else
        echo "exited with status $1 without a message"
    fi
}

# stop_group PID: ends the process group led by PID (and PID itself): TERM,
# then KILL whatever is left after 2 s, then reaps it.
stop_group() {
    local leader=$1 tries=0
    [ -n "$leader" ] || return 0
    kill -TERM -- "-$leader" "$leader" 2>/dev/null
    while kill -0 -- "-$leader" 2>/dev/null && [ "$tries" -lt 20 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -KILL -- "-$leader" "$leader" 2>/dev/null
    wait "$leader" 2>/dev/null
    return 0
}

# ---- plans: one line per point, workload <tab> variant <tab> mode <tab> workers ----
# A point without a variant has "-" there: read(1) would merge two tabs.

# point_label WORKLOAD VARIANT: how a point's workload is named in ids and
# tables: the workload, or workload@variant (e.g. convoy@switch_interval_us=100).
point_label() {
    local label
    point_label_into label "$1" "$2"
    echo "$label"
}
point_label_into() { # point_label_into VAR WORKLOAD VARIANT
    if [ -n "$3" ] && [ "$3" != - ]; then printf -v "$1" '%s' "$2@$3"; else printf -v "$1" '%s' "$2"; fi
}

# cross_plan WORKLOADS VARIANT MODES WORKERS: every combination (comma lists).
cross_plan() {
    local workload mode n
    for workload in ${1//,/ }; do
        for mode in ${3//,/ }; do
            for n in ${4//,/ }; do
                printf '%s\t%s\t%s\t%s\n' "$workload" "${2:--}" "$mode" "$n"
            done
        done
    done
}

# study_plan FILE DEFAULT_WORKERS CPUS: the points of a study.  Each line of
# FILE is "workload modes workers variants": workers may use the words
# default (the default sweep's worker counts), cpus and 2cpus; variants is -
# or NAME=V1,V2,... (a workload setting, or switch_interval_us), whose values
# may use cpus and 2cpus too, or several of those, space-separated: every
# combination is a variant, its settings joined by + (source=cpython
# write=0,1 gives source=cpython+write=0 and source=cpython+write=1).
# Repeats (cpus = 2 on a 2-CPU machine) count once.  The mode spawn
# (multiprocessing's spawn start method) is CPython's only: source=cpython.
study_plan() {
    local file=$1 defaults=$2 cpus=$3 workload modes workers variants value checked token combination
    local -a combinations grown
    machine_words() {
        split "$1" | sed "s/^2cpus\$/$((cpus * 2))/; s/^cpus\$/$cpus/" | awk '!seen[$0]++' | paste -sd, -
    }
    while read -r workload modes workers variants; do
        case $workload in ""|"#"*) continue ;; esac
        workers=$(machine_words "${workers//default/$defaults}")
        checked=$(parse_number_list "workers in $file" "$(split "$workers" | sort -n -u | paste -sd, -)" 1 4096) || exit 2
        modes=$(parse_list "modes in $file" "$modes" "gil,threads,procs,interp,spawn,gil+pool,threads+pool,procs+pool,interp+pool") || exit 2
        if [ "$variants" = - ]; then
            cross_plan "$workload" "" "$modes" "$checked"
        else
            combinations=("")
            for token in $variants; do
                case $token in
                    [a-z]*=?*) ;;
                    *) usage "$file: variants '$variants' are not NAME=V1,V2,..." ;;
                esac
                grown=()
                for combination in "${combinations[@]}"; do
                    for value in $(split "$(machine_words "${token#*=}")"); do
                        grown+=("${combination:+$combination+}${token%%=*}=$value")
                    done
                done
                combinations=("${grown[@]}")
            done
            for combination in "${combinations[@]}"; do
                cross_plan "$workload" "$combination" "$modes" "$checked"
            done
        fi
        if [[ ",$modes," == *,spawn,* ]] && [[ "${variants%% *}" != source=cpython* || "${variants%% *}" == *,* ]]; then
            usage "$file: the mode spawn is CPython's (multiprocessing's spawn start method): its line needs the variants source=cpython"
        fi
    done < "$file"
}

# sweep_plan WORKLOADS MODES WORKERS STUDIES BENCH_ALL DEFAULT_WORKERS CPUS
# [PYTHON_WORKLOADS PYTHON_MODES]: the points of a sweep: the default sweep
# (unless only studies run; the Python workloads with their own ways), then
# every study's.  A point that both ask for (bench-all WORKLOADS=startup) is
# one configuration, measured once for both: each point appears once.
sweep_plan() {
    local workloads=$1 modes=$2 workers=$3 studies=$4 all=$5 defaults=$6 cpus=$7 study
    local python_workloads=${8:-} python_modes=${9:-}
    {
        if [ -z "$studies" ] || [ "$all" = 1 ]; then
            [ -z "$workloads" ] || cross_plan "$workloads" "" "$modes" "$workers"
            [ -z "$python_workloads" ] || cross_plan "$python_workloads" "" "$python_modes" "$workers"
        fi
        for study in ${studies//,/ }; do
            study_plan "scripts/studies/$study.plan" "$defaults" "$cpus" || exit 2
        done
    } | awk '!seen[$0]++'
    return "${PIPESTATUS[0]}"
}

# point_options PARAMS WORKLOAD VARIANT INTERVAL: the engine options of a
# point: its switch interval, the PARAMS for its workload, and its variant's
# settings (NAME=V, joined by +; each overrides a PARAMS entry of the same
# name).  The setting name "units" stands for --units, "switch_interval_us"
# for --switch-interval-us.
point_options() {
    local params=$1 workload=$2 variant=${3#-} interval=$4 item setting names=" "
    for setting in ${variant//+/ }; do
        names+="${setting%%=*} "
        [ "${setting%%=*}" != switch_interval_us ] || interval=${setting#*=}
    done
    printf -- '--switch-interval-us %s ' "$interval"
    for item in $params; do
        [ "${item%%.*}" = "$workload" ] || continue
        item=${item#*.}
        [[ "$names" != *" ${item%%=*} "* ]] || continue
        engine_setting "$item"
    done
    # source= says which implementation runs the point (make calibrate), and
    # chunksize= how a pool's tasks are cut (way_options): not settings.
    for setting in ${variant//+/ }; do
        case ${setting%%=*} in
            switch_interval_us|source|chunksize) ;;
            *) engine_setting "$setting" ;;
        esac
    done
}

# variant_source VARIANT: the implementation a point's variant names
# (model, cpython-3.13.5, ...: its source= setting), or nothing.
variant_source() {
    local setting
    for setting in ${1//+/ }; do
        [ "${setting%%=*}" != source ] || { echo "${setting#*=}"; return; }
    done
}

# way_options WAY VARIANT CHUNKSIZE: the engine options of a way of running
# a point: its mode, and for a pool (gil+pool, ...) its dispatch and the
# units per task (a chunksize= variant, else CHUNKSIZE; neither: the
# workload's own default, a Python workload's CHUNKSIZE).
way_options() {
    local way=$1 variant=$2 chunksize=$3 setting
    printf -- '--mode %s ' "${way%+pool}"
    if [ "$way" != "${way%+pool}" ]; then
        for setting in ${variant//+/ }; do
            [ "${setting%%=*}" != chunksize ] || chunksize=${setting#*=}
        done
        printf -- '--dispatch pool %s' "${chunksize:+--chunksize $chunksize }"
    fi
}

# ---- Python workloads: workloads/<name>.py (scripts/pyrun) ----
# The modes a Python workload can run under, and the default ways of one.
PYTHON_MODES=gil,threads,procs,forkserver,spawn,interp
PYTHON_DEFAULT_WAYS=gil,threads,procs,forkserver,spawn,interp,gil+pool,procs+pool

# listing_python: a Python 3.8 or newer that can read the workload files'
# declarations (pyrun list reads them without running them): PYTHON,
# else the newest that make pythons built (a file may use syntax Debian's
# python3 is too old for, which the sweep's interpreter runs), else
# Debian's python3, else python3 on PATH; nothing where there is none.
# make list makes the same choice in scripts/sweep/interpreters.py, where
# the sweep's own will move: change the two together.
listing_python() {
    local candidate built
    built=$(pythons_dir)/gil
    [ -f "$built/.gilbench-verified" ] || built=""
    for candidate in "${PYTHON:-}" "${built:+$built/bin/python3.13}" /usr/bin/python3 "$(command -v python3 2>/dev/null)"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null || continue
        echo "$candidate"
        return
    done
}

# python_workload_list C_WORKLOADS PYTHON: pyrun list's lines (name,
# units, unit, checked|unchecked|bad, description), read by PYTHON (from
# listing_python), of the workload files; nothing without a Python.  A
# file named after a C workload is that workload's twin (make calibrate's
# CPython side of the model: the workloads scripts/studies/calibrate.plan
# runs as source=cpython), left out here, or else a file that is not run:
# its line says "shadowed" and why, for the sweep and make list to say
# (make list: python_listing in scripts/sweep/listing.py, the same lines).
python_workload_list() {
    [ -n "$2" ] || return 0
    local twins
    twins=$(awk '!/^#/ && NF >= 4 && $4 ~ /cpython/ { print $1 }' scripts/studies/calibrate.plan 2>/dev/null | paste -sd, -)
    "$2" scripts/pyrun list | awk -F'\t' -v OFS='\t' -v c=",$1," -v twins=",$twins," '
        index(c, "," $1 ",") == 0 { print; next }
        $4 == "bad" { print $1, "-", "-", "shadowed", $5; next }
        index(twins, "," $1 ",") == 0 {
            print $1, "-", "-", "shadowed", "workloads/" $1 ".py is not run: " $1 " is the C workload workloads/" $1 ".c; rename the file to run it as a Python workload"
        }'
}

# python_way_name WAY: what a Python programmer calls a way of running.
python_way_name() {
    case $1 in
        gil) echo threading ;;
        threads) echo "threading (free-threaded)" ;;
        procs) echo "multiprocessing(fork)" ;;
        forkserver) echo "multiprocessing(forkserver)" ;;
        spawn) echo "multiprocessing(spawn)" ;;
        interp) echo subinterpreters ;;
        gil+pool) echo ThreadPoolExecutor ;;
        threads+pool) echo "ThreadPoolExecutor (free-threaded)" ;;
        procs+pool) echo "ProcessPoolExecutor(fork)" ;;
        *) echo "$1" ;;
    esac
}

# pythons_dir: where `make pythons` keeps the interpreters it builds.
pythons_dir() {
    echo "${PYTHONS_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/gilbench/python}"
}

# python_env KIND: the env(1) arguments that run a CPython of KIND (gil:
# a build with its GIL; free: a free-threaded build): PYTHON_GIL=0 keeps a
# free-threaded build's GIL off; a GIL build refuses PYTHON_GIL=0, so for it
# the variable is unset.  Used as: env $(python_env KIND) PYTHON ...
python_env() {
    if [ "$1" = free ]; then echo PYTHON_GIL=0; else echo -u PYTHON_GIL; fi
}

# interpreter_line KIND PYTHON: "SOURCE<TAB>KIND<TAB>PYTHON" for a CPython
# 3.8 or newer that runs as KIND says (gil: with its GIL; free: with it
# off), SOURCE being cpython-VERSION (gil) or cpython-VERSIONt (free);
# fails, printing nothing, otherwise.
interpreter_line() {
    local kind=$1 python=$2 version
    # shellcheck disable=SC2046
    version=$(env $(python_env "$kind") "$python" -c 'import sys
want_gil = sys.argv[1] == "gil"
if sys.version_info < (3, 8) or getattr(sys, "_is_gil_enabled", lambda: True)() != want_gil:
    sys.exit(1)
print(sys.version.split()[0] + ("" if want_gil else "t"))' "$kind" 2>/dev/null) || return 1
    printf 'cpython-%s\t%s\t%s\n' "$version" "$kind" "$python"
}

# cpython_interpreters: the interpreters of make calibrate's CPython
# points, one interpreter_line each: the two that `make pythons` built
# (when it did), then PYTHON (default Debian's python3) and a free-threaded
# one (FREE_THREADED_PYTHON, else the first python3.14t or python3.13t on
# PATH).  A second interpreter of a version already listed is left out.
# Exits 2 after one line when PYTHON or FREE_THREADED_PYTHON is not what
# it must be.
cpython_interpreters() {
    local dir python=${PYTHON:-/usr/bin/python3} free candidate lines=""
    dir=$(pythons_dir)
    if [ -f "$dir/gil/.gilbench-verified" ]; then
        lines+=$(interpreter_line gil "$dir/gil/bin/python3.13")$'\n' ||
            note "the interpreter built in $dir/gil does not run: left out (make pythons PYTHONS_REBUILD=1 builds it again)"
    fi
    if [ -f "$dir/nogil/.gilbench-verified" ]; then
        lines+=$(interpreter_line free "$dir/nogil/bin/python3.13t")$'\n' ||
            note "the interpreter built in $dir/nogil does not run with the GIL off: left out (make pythons PYTHONS_REBUILD=1)"
    fi
    lines+=$(interpreter_line gil "$python")$'\n' ||
        usage "PYTHON='$python' is not a Python 3.8 or newer with a GIL; install with: apt-get install -y python3 (a free-threaded one goes in FREE_THREADED_PYTHON)"
    if [ -n "${FREE_THREADED_PYTHON:-}" ]; then
        lines+=$(interpreter_line free "$FREE_THREADED_PYTHON")$'\n' ||
            usage "FREE_THREADED_PYTHON='$FREE_THREADED_PYTHON' does not run with the GIL off (a free-threaded build such as python3.13t is needed)"
    else
        for candidate in python3.14t python3.13t; do
            free=$(command -v "$candidate") || continue
            lines+=$(interpreter_line free "$free")$'\n' && break
        done
    fi
    awk -F'\t' 'NF == 3 && !seen[$1]++' <<<"$lines"
}

# python_versions SOURCE<TAB>KIND<TAB>PYTHON lines (stdin): the
# interpreters of the CPython points as JSON, {interpreters: [...]}: each
# one's version, whether its GIL is on, how it was configured, and how its
# blas_dgemm reaches OpenBLAS (NumPy's matmul, or cblas_dgemm through ctypes
# where NumPy does not import) with the BLAS library it loads.
python_versions() {
    local source kind python probe='import json, sys, sysconfig
info = {"executable": sys.executable, "version": sys.version.split()[0],
        "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
        "configure": sysconfig.get_config_var("CONFIG_ARGS")}
try:
    import numpy
    info["numpy"] = numpy.__version__
    info["blas"] = "numpy.matmul"
except ImportError:
    info["numpy"] = None
    info["blas"] = "ctypes cblas_dgemm"
    import ctypes
    try:
        ctypes.CDLL("libopenblas.so.0")
    except OSError:
        pass
info["blas_library"] = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
print(json.dumps(info))'
    while IFS=$'\t' read -r source kind python; do
        # shellcheck disable=SC2046
        env $(python_env "$kind") "$python" -c "$probe" | jq -c --arg source "$source" --arg kind "$kind" '{source: $source, kind: $kind} + .' ||
            jq -nc --arg source "$source" --arg kind "$kind" --arg python "$python" \
                '{source: $source, kind: $kind, executable: $python, version: null}'
    done | jq -s '{interpreters: .}'
}

# mpirun_options HOSTFILE: how the mpi mode starts its ranks, one option
# per line.  No binding (the other modes do not bind either); the OpenBLAS
# settings of this environment on every rank; on this machine alone
# --oversubscribe, as Open MPI's slots are its cores, not the CPUs the other
# modes may use (with a HOSTFILE its slots decide); --allow-run-as-root only
# when running as root.
mpirun_options() {
    local hostfile=$1 name
    printf -- '%s\n' --bind-to none
    for name in $(compgen -e | grep '^OPENBLAS_'); do printf -- '-x\n%s\n' "$name"; done
    if [ -n "$hostfile" ]; then
        printf -- '--hostfile\n%s\n' "$hostfile"
    else
        printf -- '--oversubscribe\n'
    fi
    [ "$(id -u)" -ne 0 ] || printf -- '--allow-run-as-root\n'
}

# engine_setting NAME=VALUE: the engine option that sets it.
engine_setting() {
    case ${1%%=*} in
        units) printf -- '--units %s ' "${1#*=}" ;;
        switch_interval_us) printf -- '--switch-interval-us %s ' "${1#*=}" ;;
        *) printf -- '--param %s ' "$1" ;;
    esac
}

