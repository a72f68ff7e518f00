# lib.sh - shell functions shared by the scripts that are shell by nature
# (pythons, fuzz, soak, memcheck, netns-hosts, mpi-hosts-check): messages,
# checking settings, the clock, the CPUs, the Pythons' folder.  The sweep
# itself is Python: scripts/sweep/.  Sourced, never run.

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

# ---- the CPythons that make pythons builds ----

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

