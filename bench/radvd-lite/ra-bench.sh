#!/usr/bin/env bash
# RS -> RA latency on the wire and peak RSS: radvd-lite against radvd, same
# link, same configuration, same run. Not a ctest test (timing, ~2.5 min).
#
#   sudo NETBOOT_BUILD_DIR=build bench/radvd-lite/ra-bench.sh
#
# Per daemon and mode a raw-socket client in the client namespace sends RSs
# (with a source link-layer option, as rdisc6 does); tcpdump on the client
# interface takes kernel timestamps; latency = RS out -> first matching RA in
# (unicast to us in unicast mode, to ff02::1 in multicast mode). Modes:
#   unicast      RFC 7772 reply, N RSs (default 100) 0.1 s apart
#   multicast    solicited-unicast off, N RSs 0.2 s apart: shows the
#                MIN_DELAY_BETWEEN_RAS rate limit under a burst
#   multicast-4s solicited-unicast off, M RSs (default 10) 4 s apart, the
#                first 3.5 s after start: the random 0-0.5 s reply delay
#                alone (with 3.2 s, a reply delayed by d > 0.2 s already
#                pushes the next one into the 3 s rate limit)
# Environment: BENCH_N, BENCH_SPACED_N, BENCH_MODES (default all three).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export NETBOOT_BUILD_DIR=${NETBOOT_BUILD_DIR:-$top/build}
source "$top/tests/integration/radvd-lite/lib.sh"
N=${BENCH_N:-100}
SPACED_N=${BENCH_SPACED_N:-10}

rl_namespaces
rl_link

lite_config() {
    cat <<CONF
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 1800, "min-rtr-adv-interval": 600,
  "managed-flag": true, "other-config-flag": true, "solicited-unicast": $1,
  "prefixes": [ { "prefix": "2001:db8::/64" } ],
  "rdnss": [ { "servers": [ "2001:db8::53" ], "lifetime": 3600 } ],
  "final-advertisements": 1
} ] } }
CONF
}
radvd_config() {
    cat <<CONF
interface rl0 {
    AdvSendAdvert on; MinRtrAdvInterval 600; MaxRtrAdvInterval 1800;
    AdvManagedFlag on; AdvOtherConfigFlag on; AdvRASolicitedUnicast $1;
    prefix 2001:db8::/64 { };
    RDNSS 2001:db8::53 { AdvRDNSSLifetime 3600; };
};
CONF
}

# solicit COUNT GAP: RSs from the client namespace.
solicit() {
    rl_c python3 - "$1" "$2" <<'PY'
import socket, sys, time
count, gap = int(sys.argv[1]), float(sys.argv[2])
ifindex = socket.if_nametoindex("rl1")
mac = bytes.fromhex(open("/sys/class/net/rl1/address").read().strip().replace(":", ""))
rs = bytes([133, 0, 0, 0, 0, 0, 0, 0, 1, 1]) + mac
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
for _ in range(count):
    s.sendto(rs, ("ff02::2", 0, 0, ifindex))
    time.sleep(gap)
PY
}

peak_rss_kb() {  # PID and its children (radvd's privsep helper)
    local total=0 pid
    for pid in "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
        total=$((total + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")))
    done
    echo "$total"
}

results=$RL_TMP/results.txt
: >"$results"
run() {  # run DAEMON MODE COUNT GAP
    local daemon=$1 mode=$2 count=$3 gap=$4 unicast=on pid
    [ "$mode" = unicast ] || unicast=off
    if [ "$daemon" = radvd-lite ]; then
        lite_config "$([ $unicast = on ] && echo true || echo false)" >"$RL_TMP/lite.conf"
        rl_bg "$RL_ROUTER" "$RL_TMP/$daemon-$mode.log" "$RL_BIN" -c "$RL_TMP/lite.conf"
    else
        radvd_config "$unicast" >"$RL_TMP/radvd.conf"
        rl_bg "$RL_ROUTER" "$RL_TMP/$daemon-$mode.log" radvd -n -C "$RL_TMP/radvd.conf" -p "$RL_TMP/radvd.pid" -m stderr
    fi
    pid=$RL_BG_PID
    # The initial multicast RAs (one now, then up to 16 s apart) would pass
    # for answers; start measuring after the first and keep runs short. In
    # the spaced mode also wait out MIN_DELAY_BETWEEN_RAS after it.
    if [ "$mode" = multicast-4s ]; then sleep 3.5; else sleep 1.5; fi
    rl_bg "$RL_CLIENT" "$RL_TMP/tcpdump.log" tcpdump -i rl1 -n -tt -U --immediate-mode \
        -w "$RL_TMP/$daemon-$mode.pcap" 'icmp6 and (ip6[40] = 133 or ip6[40] = 134)'
    local cap=$RL_BG_PID
    rl_wait 5 "tcpdump" grep -qs listening "$RL_TMP/tcpdump.log"
    solicit "$count" "$gap"
    sleep 3.5
    local rss
    rss=$(peak_rss_kb "$pid")
    rl_kill "$cap"
    rl_kill "$pid"
    sleep 0.5
    tcpdump -n -tt -r "$RL_TMP/$daemon-$mode.pcap" 2>/dev/null |
        python3 "$top/bench/radvd-lite/latency.py" "$daemon" "$mode" "$rss" >>"$results"
    tail -n 1 "$results"
}

# Interleaved, so drift on this shared machine hits both daemons alike.
for mode in ${BENCH_MODES:-unicast multicast multicast-4s}; do
    for daemon in radvd-lite radvd; do
        case $mode in
        unicast) run "$daemon" "$mode" "$N" 0.1 ;;
        multicast) run "$daemon" "$mode" "$N" 0.2 ;;
        multicast-4s) run "$daemon" "$mode" "$SPACED_N" 4 ;;
        esac
    done
done
python3 "$top/bench/radvd-lite/latency.py" --ratios <"$results"
