# lib.sh - shell functions shared by the bench scripts: messages, checking
# settings, the run folder and its files.  Sourced, never run.

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

# new_run_folder DIR: makes and prints DIR/<UTC date-time>-<host>; mkdir is
# atomic, so two sweeps started in the same second get different folders.
new_run_folder() {
    local base
    base="$1/$(date -u +%Y%m%dT%H%M%SZ)-$(hostname -s 2>/dev/null || echo host)"
    local folder=$base suffix=1
    until mkdir "$folder" 2>/dev/null; do
        [ -d "$1" ] && [ -w "$1" ] || die "cannot create a run folder in $1"
        suffix=$((suffix + 1))
        [ "$suffix" -le 100 ] || die "cannot create a run folder in $1"
        folder="$base-$suffix"
    done
    echo "$folder"
}

# failure_reason LOG: one line from the engine's and hyperfine's messages.
failure_reason() {
    local reason
    reason=$(grep -E '^(gilbench: |Error: )' "$1" 2>/dev/null | sed 's/^Error: //; s/ Use the .*//' |
        sort -u | paste -sd';' - | sed 's/;/; /g')
    echo "${reason:-the run failed; see $1}"
}

# point_median RAW WARMUP: "median 0.301 s  spread  1.2 %" of a point's runs.
point_median() {
    jq -rs --argjson warmup "$2" '
        .[$warmup:] | map(.seconds) | sort
        | (if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end) as $median
        | "median \($median * 1000 | round / 1000) s  spread \((.[-1] / .[0] - 1) * 1000 | round / 10) %"
    ' "$1" | tr -d '\n'
}

# clock SECONDS: m:ss.
clock() {
    printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}

# write_atomically FILE: stdin to FILE through a temporary file.
write_atomically() {
    local file=$1
    cat > "$file.tmp" && mv -f "$file.tmp" "$file" || { rm -f "$file.tmp"; return 1; }
}

# finish_meta META STARTED FAILURES: marks the run complete.
finish_meta() {
    jq --arg finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --argjson duration $(( $(date +%s) - $2 )) --argjson failed "$3" \
        '.complete = true | .finished_utc = $finished | .duration_s = $duration
         | .failed_points = $failed' "$1" | write_atomically "$1"
}
