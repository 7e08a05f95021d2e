#!/usr/bin/env bash
# rdisc6 solicits and decodes: flags, hop limit, lifetimes, prefix, route,
# RDNSS, DNSSL, MTU as configured; the answer comes within
# MAX_RA_DELAY_TIME (0.5 s) both as an RFC 7772 unicast reply and, with
# solicited-unicast off, as a delayed multicast reply.
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link
write_config() {
    cat >"$RL_TMP/rl.conf" <<CONF
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 1800, "min-rtr-adv-interval": 600,
  "managed-flag": false, "other-config-flag": true, "cur-hop-limit": 42,
  "router-lifetime": 3000, "reachable-time": 25000, "retrans-timer": 1500,
  "router-preference": "low", "link-mtu": 1400, "solicited-unicast": $1,
  "prefixes": [ { "prefix": "2001:db8:1::/64", "valid-lifetime": 7200, "preferred-lifetime": 3600 } ],
  "routes": [ { "prefix": "2001:db8:2::/56", "preference": "high", "lifetime": 900 } ],
  "rdnss": [ { "servers": [ "2001:db8::53" ] } ],
  "dnssl": [ { "domains": [ "boot.example.org" ], "lifetime": 4000 } ],
  "final-advertisements": 1
} ] } }
CONF
}

# solicit LIMIT_MS: prints rdisc6's output; fails unless it answered within
# LIMIT_MS. rdisc6's wall time includes its own start-up and the scheduling
# of both processes, so it is an upper bound of the router's delay.
solicit() {
    local start end out
    start=$(date +%s%N)
    out=$(rl_rdisc6) || rl_fail "no answer to rdisc6"
    end=$(date +%s%N)
    echo "$out"
    local ms=$(((end - start) / 1000000))
    echo "answer after ${ms} ms (rdisc6 wall time)"
    [ "$ms" -lt "$1" ] || rl_fail "answer took ${ms} ms, more than ${1} ms"
}

# The daemon's own account from its log: the delay it drew for its reply
# (RA_SCHEDULED), and the time from the last RS_RECEIVED to the first
# multicast RA_SENT after it, in ms: "DRAWN TOOK".
multicast_reply_delay_ms() {
    python3 - "$1" <<'PY'
import datetime, re, sys
def at(line):
    return datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
lines = open(sys.argv[1]).read().splitlines()
rs = max(i for i, l in enumerate(lines) if " RS_RECEIVED " in l)
drawn = next(int(re.search(r"reply in (-?\d+) ms", l).group(1)) for l in lines[rs:] if " RA_SCHEDULED " in l)
ra = next(i for i in range(rs, len(lines)) if " RA_SENT " in lines[i] and lines[i].endswith("multicast"))
print(drawn, round((at(lines[ra]) - at(lines[rs])).total_seconds() * 1000))
PY
}

expect() {
    grep -Eq "$1" <<<"$2" || rl_fail "rdisc6 output lacks /$1/"
}

write_config true
rl_start unicast "$RL_TMP/rl.conf"
sleep 0.6   # let the first multicast RA go, so rdisc6 gets the reply
out=$(solicit 500)   # unicast: answered at once
echo "$out"
expect 'Hop limit *: *42 ' "$out"
expect 'Stateful address conf\. *: *No' "$out"
expect 'Stateful other conf\. *: *Yes' "$out"
expect 'Router preference *: *low' "$out"
expect 'Router lifetime *: *3000 ' "$out"
expect 'Reachable time *: *25000 ' "$out"
expect 'Retransmit time *: *1500 ' "$out"
expect 'MTU *: *1400 ' "$out"
expect 'Prefix *: 2001:db8:1::/64' "$out"
expect 'Valid time *: *7200 ' "$out"
expect 'Pref\. time *: *3600 ' "$out"
expect 'Route *: 2001:db8:2::/56' "$out"
expect 'Route preference *: *high' "$out"
expect 'Route lifetime *: *900 ' "$out"
expect 'Recursive DNS server *: 2001:db8::53' "$out"
expect 'DNS server lifetime *: *5400 ' "$out"   # RFC 8106 default: 3 x 1800
expect 'DNS search list *: boot.example.org' "$out"
expect 'DNS search list lifetime *: *4000 ' "$out"
expect 'Source link-layer address: ' "$out"
[ "$(rl_counter "$RL_PID" "$RL_TMP/unicast.log" ra-sent-solicited-unicast)" -ge 1 ] ||
    rl_fail "the reply was not counted as solicited unicast"
rl_stop "$RL_PID"

# Multicast replies: rate-limited to one per MIN_DELAY_BETWEEN_RAS (3 s)
# after the previous multicast RA, then delayed 0-0.5 s.
write_config false
rl_start multicast "$RL_TMP/rl.conf"
sleep 3.2
# The router draws its delay from [0, 500 ms]; a draw near 500 plus rdisc6's
# start-up passes 500 on the wall clock (seen in CI: 498 ms in the log, 504
# on the wall), so the wall clock gets 200 ms for start-up and scheduling
# and the bound itself is checked on the daemon's own timestamps.
solicit 700 >/dev/null
[ "$(rl_counter "$RL_PID" "$RL_TMP/multicast.log" ra-sent-solicited-multicast)" -ge 1 ] ||
    rl_fail "the reply was not a solicited multicast RA"
read -r drawn delay < <(multicast_reply_delay_ms "$RL_TMP/multicast.log") ||
    rl_fail "no RS_RECEIVED / RA_SCHEDULED / multicast RA_SENT in the log"
echo "multicast reply drawn ${drawn} ms, sent after ${delay} ms (the router's log)"
# The RFC's bound is on the delay the router chooses; the timer firing it
# may run late by the event loop's wake-up on a loaded machine (a 498 ms
# draw was logged sent at 502 ms while two builds ran), so the send is
# allowed 100 ms past the draw. Never before it, give or take the 2 ms that
# millisecond stamps read from two clocks allow: the router schedules on
# CLOCK_MONOTONIC truncated to ms, the log stamps CLOCK_REALTIME truncated to
# ms (a 195 ms draw was logged sent 194 ms after the RS in CI).
[ "$drawn" -ge 0 ] && [ "$drawn" -le 500 ] ||
    rl_fail "the router chose to delay its multicast reply ${drawn} ms, MAX_RA_DELAY_TIME is 500 ms"
[ "$delay" -ge $((drawn - 2)) ] && [ "$delay" -le $((drawn + 100)) ] ||
    rl_fail "the router sent its multicast reply after ${delay} ms, not at its drawn ${drawn} ms"
rl_stop "$RL_PID"
echo "PASS: rdisc6 decodes every configured field; answers within MAX_RA_DELAY_TIME"
