#!/usr/bin/env bash
# Hostile or broken neighbours: RS/RA/NS with a wrong hop limit, non-zero
# code, too short, zero-length or truncated options, an RA from a global
# address, an RDNSS option without address. Each is dropped and counted by reason; the daemon keeps running
# and still answers a valid RS. A valid RA from another router that
# disagrees (M=0 on our M=1 netboot link) is logged (RFC 4861 6.2.7).
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link
cat >"$RL_TMP/rl.conf" <<'CONF'
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 600,
  "prefixes": [ { "prefix": "2001:db8:1::/64" } ],
  "final-advertisements": 1
} ] } }
CONF
log=$RL_TMP/rl.log
rl_start rl "$RL_TMP/rl.conf"
ip -n "$RL_CLIENT" -6 addr add 2001:db8:1::99/64 dev rl1 nodad

# The kernel fills in the ICMPv6 checksum of raw sockets; everything else is
# what we write.
rl_c python3 - <<'PY'
import socket, struct
ifindex = socket.if_nametoindex("rl1")
def send(packet, hops=255, dst="ff02::2", src=None):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
    if src:
        s.bind((src, 0, 0, 0))
    s.sendto(packet, (dst, 0, 0, ifindex))
    s.close()
slla = bytes([1, 1, 2, 0, 0, 0, 0, 9])
rs = bytes([133, 0, 0, 0, 0, 0, 0, 0])
send(rs + slla, hops=64)                                  # rs.bad-hop-limit
send(bytes([133, 1, 0, 0, 0, 0, 0, 0]) + slla)            # rs.bad-code
send(bytes([133, 0, 0, 0]))                               # rs.too-short
send(rs + bytes([1, 0, 2, 0, 0, 0, 0, 9]))                # rs.zero-length-option
send(rs + bytes([1, 2, 2, 0, 0, 0, 0, 9]))                # rs.truncated-option
send(rs + bytes([1, 1, 2, 0, 0]))                         # rs.truncated-option
ra = bytes([134, 0, 0, 0, 64, 0, 0, 0] + [0] * 8)
send(ra, dst="ff02::1", src="2001:db8:1::99")             # ra.bad-source-address
send(ra[:12], dst="ff02::1")                              # ra.too-short
send(ra, dst="ff02::1")                                   # valid, but M=0: ra-inconsistent
send(ra + bytes([25, 1, 0, 0, 0, 0, 0, 9]), dst="ff02::1")  # ra.bad-option-content (RDNSS, no address)
ns = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, "ff02::1")
send(ns, dst="ff02::1")                                   # ns.bad-target
PY
sleep 0.3
kill -0 "$RL_PID" || rl_fail "radvd-lite died on malformed input"
rl_rdisc6 >/dev/null || rl_fail "no answer to a valid RS after malformed input"
rl_counter "$RL_PID" "$log" dropped >/dev/null
counters=$(grep COUNTERS "$log" | tail -n 1)
echo "$counters"
for reason in rs.bad-hop-limit rs.bad-code rs.too-short rs.zero-length-option ra.bad-source-address ra.too-short \
    ns.bad-target; do
    grep -q "\"$reason\": 1" <<<"$counters" || rl_fail "$reason not counted once"
done
grep -q '"rs.truncated-option": 2' <<<"$counters" || rl_fail "rs.truncated-option not counted twice"
grep -q '"ra-received": 1' <<<"$counters" || rl_fail "the valid RA from another router was not counted"
grep -q '"ra-inconsistent": 1' <<<"$counters" || rl_fail "the other router's M=0 was not noticed"
grep -q '"ra.bad-option-content": 1' <<<"$counters" || rl_fail "RDNSS without address not dropped"
grep -q "RA_INCONSISTENT rl0: router fe80::.* advertises managed-flag 0 (ours 1)" "$log" ||
    rl_fail "no RA_INCONSISTENT warning about M"
grep -Eq '"ra-sent-solicited-unicast": [1-9]' <<<"$counters" || rl_fail "valid RS not answered"

# An RS flood: 100 unicast answers at once at most, then the replies fall
# back to the rate-limited multicast path.
unicast_before=$(rl_counter "$RL_PID" "$log" ra-sent-solicited-unicast)
flood_from=$(wc -l <"$log")
rl_c python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
for _ in range(300):
    s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, socket.if_nametoindex("rl1")))
PY
rl_wait 5 "a solicited multicast RA after the flood" \
    bash -c "[ \"\$(grep -c 'RA_SENT rl0: multicast' '$log')\" -ge 2 ]"
unicast=$(rl_counter "$RL_PID" "$log" ra-sent-solicited-unicast)
multicast=$(rl_counter "$RL_PID" "$log" ra-sent-solicited-multicast)
received=$(rl_counter "$RL_PID" "$log" rs-received)
echo "flood: $received RS received, $unicast unicast and $multicast multicast answers"
# The kernel may drop part of a 300-packet burst before the daemon runs, and
# the budget refills at 100/s while the daemon works through the queue: the
# bound is 100 + 100 per second between the first and last RS it logged.
[ "$received" -ge 120 ] || rl_fail "flood RSs not received ($received)"
span_ms=$(python3 - "$log" "$flood_from" <<'PY'
import datetime, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
at = [datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ") for l in lines if " RS_RECEIVED " in l]
print(round((at[-1] - at[0]).total_seconds() * 1000) if at else 0)
PY
)
budget=$((100 + span_ms / 10 + 1))
flood_unicast=$((unicast - unicast_before))
echo "flood: RSs logged over ${span_ms} ms, $flood_unicast unicast answers, budget ${budget}"
[ "$flood_unicast" -le "$budget" ] ||
    rl_fail "$flood_unicast unicast answers to a flood, budget is $budget (100 at once, 100/s)"
[ "$unicast" -lt "$received" ] || rl_fail "every RS of the flood got a unicast answer ($unicast of $received)"
[ "$multicast" -ge 1 ] || rl_fail "no multicast answer once the unicast budget was spent"
rl_stop "$RL_PID"
echo "PASS: malformed RS/RA dropped and counted by reason, valid RS still answered, RS flood contained"
