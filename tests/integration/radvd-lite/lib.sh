# Shared by radvd-lite's integration tests: two network namespaces joined by
# a veth pair, the router side (rl0) and a client side (rl1) where the Linux
# kernel (accept_ra=2), rdisc6 and radvdump are the RA clients.
# Everything is named after this shell's PID and removed in an EXIT trap.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/netns.sh"
set -euo pipefail

RL_BIN=${NETBOOT_BUILD_DIR:?set NETBOOT_BUILD_DIR}/radvd-lite/radvd-lite
RL_ROUTER=nbr-$$-rt
RL_CLIENT=nbr-$$-cl
RL_TMP=$(mktemp -d /tmp/radvd-lite-test.XXXXXX)
RL_PIDS=()

rl_cleanup() {
    local pid
    for pid in "${RL_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${RL_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    # radvd forks a privilege-separation helper; it exits with its parent,
    # and anything left in the namespaces goes with them below.
    netns_del "$RL_ROUTER" "$RL_CLIENT"
    rm -rf "$RL_TMP"
}
trap rl_cleanup EXIT

rl_fail() {
    echo "FAIL: $*" >&2
    for log in "$RL_TMP"/*.log; do
        [ -e "$log" ] || continue
        echo "---- $log" >&2
        tail -n 40 "$log" >&2
    done
    exit 1
}

rl_r() { ip netns exec "$RL_ROUTER" "$@"; }
rl_c() { ip netns exec "$RL_CLIENT" "$@"; }

rl_namespaces() {
    netns_add "$RL_ROUTER" "$RL_CLIENT"
    # A router: the kernel then ignores RAs itself and treats RS as it should.
    rl_r sysctl -qw net.ipv6.conf.all.forwarding=1
}

# rl_link [ROUTER_IF CLIENT_IF]: creates (or re-creates) a veth pair, rl0 and
# rl1 by default, and waits until both link-locals are usable (DAD off, so
# no tentative phase).
rl_link() {
    local r=${1:-rl0} c=${2:-rl1}
    netns_veth "$RL_ROUTER" "$r" "$RL_CLIENT" "$c"
    rl_c sysctl -qw "net.ipv6.conf.$c.accept_ra=2"
    rl_wait 5 "router link-local on $r" rl_has_link_local "$RL_ROUTER" "$r"
    rl_wait 5 "client link-local on $c" rl_has_link_local "$RL_CLIENT" "$c"
}

rl_has_link_local() {
    ip -n "$1" -6 addr show dev "$2" scope link 2>/dev/null | grep -q 'inet6 fe80' &&
        ! ip -n "$1" -6 addr show dev "$2" scope link | grep -q tentative
}

rl_router_link_local() {
    ip -n "$RL_ROUTER" -6 addr show dev "${1:-rl0}" scope link | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}'
}

# rl_wait SECONDS WHAT COMMAND...: polls every 0.1 s.
rl_wait() {
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || rl_fail "timed out after ${limit}s waiting for $what"
        sleep 0.1
    done
}

# rl_start NAME CONFIG: runs radvd-lite in the router namespace, log in
# $RL_TMP/NAME.log, PID in RL_PID.
rl_start() {
    local name=$1 config=$2
    "$RL_BIN" -t -c "$config" >"$RL_TMP/$name-check.log" 2>&1 || rl_fail "radvd-lite -t rejected $config"
    ip netns exec "$RL_ROUTER" "$RL_BIN" -d -c "$config" >"$RL_TMP/$name.log" 2>&1 &
    RL_PID=$!
    RL_PIDS+=("$RL_PID")
    rl_wait 5 "radvd-lite to start" grep -qs STARTED "$RL_TMP/$name.log"
}

# rl_stop PID: SIGTERM and wait; fails the test if the exit code is not 0.
rl_stop() {
    local pid=$1 rc=0
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    [ "$rc" -eq 0 ] || rl_fail "radvd-lite exited with $rc on SIGTERM"
}

# rl_stop_watching_finals PID ROUTER_LL: stops radvd-lite while capturing on
# the client's link; sets RL_FINALS (RAs with router lifetime 0 on the wire)
# and RL_STOP_MS (SIGTERM to exit), once the client has dropped the default
# route through ROUTER_LL that the final RA withdraws.
rl_stop_watching_finals() {
    local pid=$1 router_ll=$2 cap start
    rl_default_route() { ip -n "$RL_CLIENT" -6 route show default | grep -q "via $router_ll"; }
    rl_no_default_route() { ! rl_default_route; }
    rl_wait 5 "the client's default route" rl_default_route
    rl_bg "$RL_CLIENT" "$RL_TMP/final.tcpdump" tcpdump -i rl1 -n -v -l --immediate-mode 'icmp6 and ip6[40] = 134'
    cap=$RL_BG_PID
    rl_wait 5 "tcpdump to listen" grep -qs listening "$RL_TMP/final.tcpdump"
    start=$(date +%s%N)
    rl_stop "$pid"
    RL_STOP_MS=$((($(date +%s%N) - start) / 1000000))
    rl_wait 2 "the client to drop the default route" rl_no_default_route
    sleep 0.3
    rl_kill "$cap"
    RL_FINALS=$(grep -c 'router lifetime 0s' "$RL_TMP/final.tcpdump" || true)
}

# rl_counter NAME LOG FIELD: asks for counters (SIGUSR1) and prints FIELD of
# the newest COUNTERS line.
rl_counter() {
    local pid=$1 log=$2 field=$3 before
    before=$(grep -c COUNTERS "$log" || true)
    kill -USR1 "$pid"
    rl_wait 5 "counters in the log" rl_more_lines "$log" COUNTERS "$before"
    grep COUNTERS "$log" | tail -n 1 | grep -o "\"$field\": [0-9]*" | awk '{print $2}'
}

rl_more_lines() {
    [ "$(grep -c "$2" "$1" || true)" -gt "$3" ]
}

# rl_bg NAMESPACE LOG COMMAND...: a background helper (radvd, radvdump,
# tcpdump) run straight under ip netns exec, so RL_BG_PID is the program.
rl_bg() {
    local ns=$1 log=$2
    shift 2
    ip netns exec "$ns" "$@" >"$log" 2>&1 &
    RL_BG_PID=$!
    RL_PIDS+=("$RL_BG_PID")
}

# rl_kill PID: TERM, then wait for it (helpers exit non-zero on TERM).
rl_kill() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# One solicitation from rdisc6 in the client namespace; output to stdout.
rl_rdisc6() {
    rl_c rdisc6 -1 -r 3 -w 1000 rl1
}
