# lib.sh - shell functions shared by the shell scripts that remain (tidy, meta,
# plot, report, timeline, ...): messages, checking settings, the run folder
# and its files.  The sweep itself is Python: scripts/sweep/.  Sourced, never run.

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

# interval_text US: a switch interval for a title, "5 ms" or "100 us".
interval_text() {
    awk -v us="$1" 'BEGIN { printf (us >= 1000 ? "%g ms" : "%g us"), (us >= 1000 ? us / 1000 : us) }'
}

# draw_complete FILE TYPE: FILE is a complete TYPE (png or svg) image: a
# PNG ends with its IEND chunk and an SVG with </svg>; gnuplot does not
# report a failed write (a full disk), so this is checked.
draw_complete() {
    case $2 in
        png) tail -c 12 "$1" | grep -qa IEND ;;
        svg) tail -c 16 "$1" | grep -q '</svg>' ;;
        *) return 1 ;;
    esac
}

# draw_plot SCRIPT BASE SETTINGS: runs scripts/gnuplot/SCRIPT twice, for
# BASE.png and BASE.svg, with the gnuplot statements SETTINGS (term and out
# are set here; make each string of SETTINGS with gp_string).  Each file is
# drawn into a temporary file of its own beside it (.NAME.XXXXXX, which no
# *.png or *.svg matches) and appears complete or not at all; of two draws
# of one file at once, the last to finish wins.
draw_plot() {
    local script=$1 base=$2 settings=$3 term tmp
    for term in png svg; do
        tmp=$(mktemp "$(dirname -- "$base")/.$(basename -- "$base").$term.XXXXXX") ||
            die "cannot write $base.$term"
        # gnuplot would take an output name that starts with "|" for a command.
        case $tmp in /*) ;; *) tmp=./$tmp ;; esac
        gnuplot -e "term=$(gp_string "$term"); out=$(gp_string "$tmp"); $settings" "scripts/gnuplot/$script" &&
            draw_complete "$tmp" "$term" ||
            { rm -f "$tmp"; die "gnuplot could not draw $base.$term"; }
        chmod '=rw' "$tmp" && mv -f "$tmp" "$base.$term" || { rm -f "$tmp"; die "cannot write $base.$term"; }
    done
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

# printable TEXT: TEXT as a message may echo it: control characters (an
# escape sequence, a carriage return) as ?, at most 200 characters.
printable() {
    local text
    text=$(printf '%s' "$1" | LC_ALL=C tr '\000-\037\177' '?')
    [ ${#text} -le 200 ] || text="${text:0:200}..."
    printf '%s\n' "$text"
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

# ---- Python workloads: workloads/<name>.py (scripts/pyrun) ----

# listing_python: a Python 3.8 or newer that can read the workload files'
# declarations (pyrun list reads them without running them): PYTHON,
# else the newest that make pythons built (a file may use syntax Debian's
# python3 is too old for, which the sweep's interpreter runs), else
# Debian's python3, else python3 on PATH; nothing where there is none.
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
# its line says "shadowed" and why, for the sweep and make list to say.
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

