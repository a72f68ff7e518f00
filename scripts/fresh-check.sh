#!/bin/bash
# fresh-check.sh - runs README.md's two set-up commands as a new user would:
# on a fresh minimal Debian (a root made by debootstrap, entered with chroot),
# in a clean clone of this repository at its HEAD commit.  It checks what is
# committed, not the working tree: uncommitted changes are not in the clone,
# and the commands are read from HEAD's README.md.
# Usage: fresh-check.sh                            (as root)
#        fresh-check.sh --print-commands [README]  only print README's commands
# Settings: FRESH_SUITE (bookworm), FRESH_CACHE (~/.cache/gilbench/fresh),
# FRESH_KEEP=1 keeps the unpacked root, INSTALL=0 forbids installing
# debootstrap.  Exit status 0 when both commands exit 0 and the first one
# wrote results/latest/index.html, 1 otherwise, 2 for a bad setting.
set -euo pipefail

usage() { echo "gilbench: $*" >&2; exit 2; }
fail() { echo "gilbench: $*" >&2; exit 1; }
step() { echo "fresh-check: $*"; }

# readme_commands FILE: the commands of the first ```sh block after the
# line `## Set-up`, one per line, without trailing `# comments`.
readme_commands() {
    awk '/^## Set-up$/ { found = 1; next }
         found && !inside && /^## / { exit }
         found && /^```sh$/ { inside = 1; next }
         inside && /^```$/ { exit }
         inside { sub(/(^|[ \t]+)#.*$/, ""); sub(/^[ \t]+/, ""); if ($0 != "") print }' "$1"
}

# read_commands FILE: sets the array `commands`, or exits 2 unless there are two.
read_commands() {
    [ -r "$1" ] || usage "fresh-check: cannot read $1"
    mapfile -t commands < <(readme_commands "$1")
    [ "${#commands[@]}" -eq 2 ] || usage "fresh-check: README.md's first \`\`\`sh block after '## Set-up'" \
        "has ${#commands[@]} commands; exactly 2 are needed"
}

# host_mirror: the host's own Debian mirror, from its apt sources.
host_mirror() {
    local uri
    uri=$({ awk '$1 == "URIs:" { print $2 }' /etc/apt/sources.list.d/debian.sources 2>/dev/null
            awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
                /etc/apt/sources.list 2>/dev/null; } | grep -v -- '-security' | head -n 1) || true
    echo "${uri:-http://deb.debian.org/debian}"
}

need_debootstrap() {
    command -v debootstrap >/dev/null && return
    if [ "${INSTALL:-1}" = 0 ] || ! command -v apt-get >/dev/null; then
        usage "fresh-check needs debootstrap; install with: apt-get install -y debootstrap"
    fi
    step "installing debootstrap (apt-get install -y debootstrap)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q debootstrap || { apt-get update -q && apt-get install -y -q debootstrap; }; } \
        </dev/null >&2 || fail "could not install debootstrap with apt-get (see above)"
}

# build_tarball: debootstraps a fresh root once and keeps it as $tarball.
build_tarball() {
    local mirror log start
    need_debootstrap
    mirror=$(host_mirror) log="$cache/debootstrap-$suite.log" start=$SECONDS
    mkdir -p "$work/debootstrap"
    step "debootstrap $suite (minbase) from $mirror; log: $log"
    debootstrap --variant=minbase --include=make,git,ca-certificates "$suite" "$work/debootstrap" \
        "$mirror" >"$log" 2>&1 || { tail -n 20 "$log"; fail "debootstrap $suite failed; log: $log"; }
    tar -C "$work/debootstrap" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    unmount_under "$work/debootstrap"
    rm -rf --one-file-system "$work/debootstrap"
    step "debootstrap took $((SECONDS - start)) s; cached $tarball ($(du -h "$tarball" | cut -f1))"
}

# unmount_under DIR: unmounts everything mounted below DIR, deepest first.
unmount_under() {
    local point
    awk -v dir="$1/" 'index($5 "/", dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r point; do umount "$point" 2>/dev/null || umount -l "$point" || true; done
}

# cleanup: ends what still runs in the root, unmounts, removes the copy.
cleanup() {
    local status=$? proc
    trap - EXIT INT TERM
    if [ -n "${child:-}" ] && kill -TERM -- "-$child" 2>/dev/null; then sleep 1; fi
    if [ -n "${root:-}" ]; then
        for proc in /proc/[0-9]*; do
            [ "$(readlink "$proc/root" 2>/dev/null)" != "$root" ] || kill -KILL "${proc#/proc/}" 2>/dev/null || true
        done
    fi
    if [ -n "${work:-}" ]; then
        unmount_under "$work"
        rm -f "$tarball.tmp"
        if [ "${FRESH_KEEP:-0}" = 1 ] && [ -d "$root" ]; then
            step "kept the root: $root (chroot $root /bin/bash)"
        elif [ -z "$(awk -v dir="$work/" 'index($5 "/", dir) == 1' /proc/self/mountinfo)" ]; then
            rm -rf --one-file-system "$work"
        else
            echo "gilbench: fresh-check: $work still has mounts; not removed" >&2
        fi
    fi
    exit "$status"
}

# mount_machine: what a running machine has mounted, its DNS settings and
# (debootstrap writes none) an /etc/hosts.
mount_machine() {
    mount -t proc proc "$root/proc"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount --bind /dev/pts "$root/dev/pts"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    [ -e "$root/etc/hosts" ] || cp -L /etc/hosts "$root/etc/hosts"
}

# run_in_root LOG COMMAND: runs COMMAND in the clone with a bare environment.
run_in_root() {
    local env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root) name
    for name in $(compgen -e); do
        [[ $name != OPENBLAS_* ]] || env+=("$name=${!name}")
    done
    # Its own process group, so that an interrupted check can end all of it;
    # signals at their defaults, as bash ignores SIGINT in background jobs.
    setsid chroot "$root" /usr/bin/env -i -C /root/gilbench --default-signal "${env[@]}" /bin/sh -c "$2" \
        </dev/null >"$1" 2>&1 &
    child=$!
    local status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}

if [ "${1:-}" = --print-commands ]; then
    read_commands "${2:-$(dirname "$0")/../README.md}"
    printf '%s\n' "${commands[@]}"
    exit 0
fi
[ $# -eq 0 ] || usage "fresh-check: unknown argument '$1'; accepted: --print-commands [README]"
suite=${FRESH_SUITE:-bookworm}
[[ $suite =~ ^[a-z]+$ ]] || usage "FRESH_SUITE='$suite' is not a Debian suite name; accepted: lower-case letters, e.g. bookworm, trixie"
[ "$(id -u)" -eq 0 ] || usage "fresh-check needs root (debootstrap and chroot)"

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)
readme_copy=$(mktemp)
git -C "$repo" show HEAD:README.md >"$readme_copy"
read_commands "$readme_copy"
rm -f "$readme_copy"

mkdir -p "${FRESH_CACHE:-$HOME/.cache/gilbench/fresh}"
cache=$(cd "${FRESH_CACHE:-$HOME/.cache/gilbench/fresh}" && pwd -P)
tarball="$cache/$suite-minbase.tar"
child="" root=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d "$cache/run.XXXXXX")

[ -s "$tarball" ] || build_tarball
start=$SECONDS root="$work/root"
mkdir "$root"
tar -C "$root" --numeric-owner -xf "$tarball"
step "unpacked $tarball into $root in $((SECONDS - start)) s"
git clone --quiet "$repo" "$root/root/gilbench"
[ "$(git -C "$root/root/gilbench" rev-parse HEAD)" = "$head" ] ||
    git -C "$root/root/gilbench" checkout --quiet --detach "$head"
step "cloned $repo at ${head:0:12} (HEAD) into /root/gilbench"
mount_machine
step "mounted /proc, /sys (read-only), /dev, /dev/pts, /dev/shm; copied /etc/resolv.conf, /etc/hosts"

mkdir -p "$cache/logs"
report=missing statuses=() results=()
for i in 0 1; do
    slug=$(printf '%s' "${commands[i]}" | tr -cs 'a-zA-Z0-9' - | cut -c 1-40)
    log="$cache/logs/$(date -u +%Y%m%dT%H%M%SZ)-$((i + 1))-$slug.log"
    step "running '${commands[i]}' in /root/gilbench; log: $log"
    start=$SECONDS
    run_in_root "$log" "${commands[i]}" && status=0 || status=$?
    statuses+=("$status")
    results+=("'${commands[i]}' exited $status in $((SECONDS - start)) s")
    tail -n 20 "$log" | sed 's/^/    /'
    step "${results[i]}"
    if [ "$i" -eq 0 ]; then
        chroot "$root" test -f /root/gilbench/results/latest/index.html && report=exists
        step "results/latest/index.html $report"
    fi
done
for line in "${results[@]}"; do step "$line"; done
[ "${statuses[*]}" = "0 0" ] && [ "$report" = exists ]
