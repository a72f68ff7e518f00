#!/bin/bash
# readme_commands.t - every command in README.md's ```sh blocks can run as
# written.  A `make [VAR=VALUE]... TARGET...` line names targets the Makefile
# has and settings the Makefile or scripts read, and `make -n` (a dry run:
# no recipe runs, only sub-makes, themselves dry) accepts it with the same
# variables; a program named by a path is a script that exists and can be
# run, or a build/ file that the Makefile knows how to make; any other
# program is on PATH.  Nothing is measured: the sweep never runs here.  A
# README that names a missing target, setting or script is caught (checked
# on broken copies).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

fence='```'

# sh_commands FILE: the commands of every ```sh block, one per line, without
# `# comments`, blank lines and indentation.
sh_commands() {
    awk -v fence="$fence" '$0 == fence "sh" { inside = 1; next }
         inside && $0 == fence { inside = 0; next }
         inside { sub(/(^|[ \t]+)#.*$/, ""); sub(/^[ \t]+/, ""); sub(/[ \t]+$/, ""); if ($0 != "") print }' "$1"
}

# make_targets GOALS...: the Makefile's targets (rules it has, not files it
# merely looked at), from make's database printed without running anything;
# every rule of the Makefile, and any pattern rule's file among the GOALS.
make_targets() {
    make -n -p -r "$@" 2>/dev/null |
        awk '/^# Not a target:/ { skip = 1; next }
             /^[^#\t. ][^:=\t]*:([^=]|$)/ { if (!skip) { sub(/:.*/, ""); print } }
             { skip = 0 }' | sort -u
}

# known_setting NAME: a variable the Makefile or the scripts read.
known_setting() {
    grep -rqwF -- "$1" Makefile scripts
}

# problems_of_make WORDS...: one line per problem of `make WORDS...`.
problems_of_make() {
    local word targets=() variables=() flags=()
    for word in "$@"; do
        case $word in
            -*) flags+=("$word") ;;
            [A-Za-z_]*=*) variables+=("$word") ;;
            *) targets+=("$word") ;;
        esac
    done
    for word in "${variables[@]}"; do
        known_setting "${word%%=*}" || echo "make: ${word%%=*} is a setting nothing reads"
    done
    if ! make -n "${flags[@]}" "${variables[@]}" "${targets[@]}" >/dev/null 2>"$TEST_TMP/make.err"; then
        echo "make -n fails: $(head -n 1 "$TEST_TMP/make.err")"
    fi
    for word in "${targets[@]}"; do
        grep -qxF -- "$word" <<<"$MAKE_TARGETS" || grep -qxF -- "$word" <<<"$(make_targets "$word")" ||
            echo "make: no target '$word' in the Makefile"
    done
}

# problems_of_program WORDS...: one line per problem of running WORDS.
problems_of_program() {
    local program=$1
    case $program in
        cd) [ $# -ge 2 ] || echo "cd without a folder" ;;
        build/*) grep -qxF -- "$program" <<<"$MAKE_TARGETS" || grep -qxF -- "$program" <<<"$(make_targets "$program")" ||
            echo "$program: the Makefile does not make it" ;;
        */*) [ -f "$program" ] && [ -x "$program" ] || echo "$program: no such script (or it is not executable)" ;;
        *) command -v "$program" >/dev/null || echo "$program: not on PATH" ;;
    esac
}

# problems COMMAND: one line per problem of a README command line; the
# parts of `a && b`, `a; b` and `a | b` are checked one by one.
problems() {
    local part words
    # shellcheck disable=SC2001 # one substitution of several alternatives
    while IFS= read -r part; do
        # The words as the shell splits them, quotes removed, nothing expanded.
        if ! words=$(xargs -r -n 1 printf '%s\n' <<<"$part" 2>/dev/null); then
            echo "cannot split into words: $part"
            continue
        fi
        mapfile -t words <<<"$words"
        # Leading VAR=VALUE words are the command's environment.
        while [ ${#words[@]} -gt 0 ] && [[ ${words[0]} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
            words=("${words[@]:1}")
        done
        if [ ${#words[@]} -eq 0 ] || [ -z "${words[0]}" ]; then continue; fi
        if [ "${words[0]}" = make ]; then
            problems_of_make "${words[@]:1}"
        else
            problems_of_program "${words[@]}"
        fi
    done < <(sed 's/[[:space:]]*\(&&\|||\|;\||\)[[:space:]]*/\n/g' <<<"$1")
}

# check_readme FILE: one TAP line per command of FILE's sh blocks.
check_readme() {
    local command found commands
    mapfile -t commands < <(sh_commands "$1")
    check "$1 has commands in sh blocks" test ${#commands[@]} -gt 0
    for command in "${commands[@]}"; do
        found=$(problems "$command")
        ok "$([ -z "$found" ] && echo 0 || echo 1)" "runnable as written: $command"
        [ -z "$found" ] || diag "$found"
    done
}

MAKE_TARGETS=$(make_targets help)
check "make's database lists the Makefile's targets" grep -qx bench <<<"$MAKE_TARGETS"
check_readme README.md

# The check itself: a broken command is caught.
caught() {
    local description=$1 command=$2 pattern=$3 found
    found=$(problems "$command")
    if grep -q -- "$pattern" <<<"$found"; then
        ok 0 "caught: $description"
    else
        ok 1 "caught: $description"
        diag "problems of '$command': ${found:-none}"
    fi
}
caught "a make target that does not exist" "make benchh QUICK=1" "no target 'benchh'"
caught "a file that is not a target" "make README.md" "no target 'README.md'"
caught "a setting nothing reads" "make bench QUIK=1" "QUIK is a setting nothing reads"
caught "a script that does not exist" "scripts/no-such-script.sh --help" "no such script"
caught "a build/ program the Makefile does not make" "build/gilbnech list" "does not make it"
caught "a program not on PATH" "no-such-program-here --version" "not on PATH"
caught "the second part of a && line" "make list && make nosuchtarget" "no target 'nosuchtarget'"
check "a good line has no problem" test -z "$(problems 'make bench QUICK=1 WORKLOADS=cpu_loop')"

# And on a copy of the README with one command broken, as a reader would
# meet it: its line, and only its line, fails.
if grep -q '^make bench-all' README.md; then
    sed "0,/^make bench-all/s//make bench-everything/" README.md >"$TEST_TMP/broken.md"
    changed=$(diff <(sh_commands README.md) <(sh_commands "$TEST_TMP/broken.md") | sed -n 's/^> //p')
    check "a copy of README.md with make bench-everything: that command is read from it" \
        test "$changed" = make\ bench-everything
    caught "... and fails" "$changed" "no target 'bench-everything'"
fi
done_testing
