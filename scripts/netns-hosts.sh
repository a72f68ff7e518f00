#!/bin/bash
# netns-hosts.sh - N "machines" on this one, for the mpi mode's multi-host
# runs: each a network namespace with a UTS namespace of its own (its own
# host name), joined to the others and to this machine by a bridge on a
# private subnet, each running an sshd on its own address that accepts a
# key made for the occasion.  The file system is shared, as a shared
# folder would be between real machines.  Needs root, iproute2 and
# openssh-server.
# Usage: netns-hosts.sh up N DIR   makes N hosts (2 to 8); writes DIR/hostfile
#                                  (one address per line, slots=1), DIR/key,
#                                  DIR/rsh_agent, the ssh command for mpirun
#                                  (OMPI_MCA_plm_rsh_agent="$(cat DIR/rsh_agent)"),
#                                  and DIR/hosts: per host a line "N ADDRESS
#                                  NAMESPACE INTERFACE" (its end of the wire)
#        netns-hosts.sh down DIR   stops and removes everything up made (also
#                                  after an up that failed half-way), then DIR
# Exit status: 0, 1 (could not), 2 (bad usage or not possible here: not
# root, no namespaces, no sshd).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

[ $# -ge 2 ] || usage "netns-hosts.sh up N DIR | down DIR"
command=$1

down() {
    local dir=$1 kind name
    [ -f "$dir/made" ] || { rm -rf "$dir"; return 0; }
    # What up made, undone last first.
    tac "$dir/made" | while read -r kind name; do
        case $kind in
            pid) kill "$name" 2>/dev/null ;;
            netns) ip netns pids "$name" 2>/dev/null | xargs -r kill -KILL 2>/dev/null; ip netns del "$name" 2>/dev/null ;;
            link) ip link del "$name" 2>/dev/null ;;
        esac
    done
    rm -rf "$dir"
}

if [ "$command" = down ]; then
    down "$2"
    exit 0
fi
[ "$command" = up ] && [ $# -eq 3 ] || usage "netns-hosts.sh up N DIR | down DIR"
hosts=$(parse_number N "$2" 2 8) || exit 2
dir=$3
[ "$(id -u)" -eq 0 ] || usage "netns-hosts.sh needs root (network namespaces)"
for tool in ip sshd ssh-keygen unshare nsenter; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
        usage "netns-hosts.sh needs $tool; install with: apt-get install -y iproute2 openssh-server openssh-client"
done
mkdir -p "$dir" && dir=$(realpath "$dir") || die "cannot create $dir"
: > "$dir/made"
made() { echo "$1 $2" >> "$dir/made"; }
# in_host NAMESPACE COMMAND...: COMMAND in the host's network namespace.
# nsenter, not `ip netns exec` or `ip -n`, which also remount / and /sys
# and fail where / is no mount point (a chroot).
in_host() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
fail_up() { note "$1"; down "$dir"; exit 1; }

# A name and a subnet of this run's own, so that two runs never meet.
id=$(printf '%04x' $(( $$ % 65536 )))
subnet="10.213.$(( $$ % 250 + 1 ))"
bridge=gbbr$id
ip link add "$bridge" type bridge 2>/dev/null || { rm -rf "$dir"; usage "network namespaces cannot be made here (ip link add ... type bridge failed)"; }
made link "$bridge"
ip addr add "$subnet.1/24" dev "$bridge" && ip link set "$bridge" up || fail_up "cannot bring up the bridge $bridge"

ssh-keygen -q -t ed25519 -N '' -f "$dir/key" && ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" &&
    cp "$dir/key.pub" "$dir/authorized_keys" || fail_up "cannot make the keys"
mkdir -p /run/sshd
sshd=$(command -v sshd || echo /usr/sbin/sshd)
: > "$dir/hostfile"
for i in $(seq "$hosts"); do
    ns=gilbench-$id-h$i address=$subnet.$((10 + i))
    ip netns add "$ns" || fail_up "cannot make the network namespace $ns"
    made netns "$ns"
    ip link add "gbv$id$i" type veth peer name "gbp$id$i" || fail_up "cannot make a veth pair"
    made link "gbv$id$i"
    ip link set "gbp$id$i" netns "$ns" && ip link set "gbv$id$i" master "$bridge" up &&
        in_host "$ns" ip addr add "$address/24" dev "gbp$id$i" &&
        in_host "$ns" ip link set "gbp$id$i" up && in_host "$ns" ip link set lo up ||
        fail_up "cannot wire $ns to the bridge"
    cat > "$dir/sshd$i.conf" <<EOF
Port 2222
ListenAddress $address
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/sshd$i.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF
    in_host "$ns" unshare --uts sh -c "hostname gilbench-host$i && exec $sshd -f '$dir/sshd$i.conf' -E '$dir/sshd$i.log'" ||
        fail_up "sshd did not start in $ns (see $dir/sshd$i.log)"
    for _ in $(seq 50); do [ -s "$dir/sshd$i.pid" ] && break; sleep 0.1; done
    [ -s "$dir/sshd$i.pid" ] || fail_up "sshd did not start in $ns (see $dir/sshd$i.log)"
    made pid "$(cat "$dir/sshd$i.pid")"
    echo "$address slots=1" >> "$dir/hostfile"
    echo "$i $address $ns gbp$id$i" >> "$dir/hosts"
done
# ConnectTimeout: a host that is down answers nothing, and ssh would wait
# for TCP to give up (a minute or more) before mpirun hears of it.
echo "ssh -i $dir/key -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5" \
    > "$dir/rsh_agent"
# Every host answers before anyone is told they are up.
for address in $(cut -d' ' -f1 "$dir/hostfile"); do
    # shellcheck disable=SC2046
    $(cat "$dir/rsh_agent") -o ConnectTimeout=5 "root@$address" true 2>/dev/null ||
        fail_up "the host at $address does not answer ssh"
done
echo "gilbench: $hosts hosts up: $(cut -d' ' -f1 "$dir/hostfile" | paste -sd' ' -) (hostfile $dir/hostfile)"
