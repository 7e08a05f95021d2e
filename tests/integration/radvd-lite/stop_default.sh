#!/usr/bin/env bash
# SIGTERM with the default settings: one final RA with router lifetime 0
# (the client drops its default route), and the daemon exits right after it
# instead of spacing more final RAs MIN_DELAY_BETWEEN_RAS (3 s) apart, so a
# service restart does not wait (with 3 it took more than 6 s).
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link
cat >"$RL_TMP/rl.conf" <<CONF
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 600,
  "prefixes": [ { "prefix": "2001:db8:1::/64" } ]
} ] } }
CONF
log=$RL_TMP/rl.log
rl_start rl "$RL_TMP/rl.conf"
router_ll=$(rl_router_link_local)
default_route() { ip -n "$RL_CLIENT" -6 route show default | grep -q "via $router_ll"; }
rl_wait 5 "the client's default route" default_route
rl_bg "$RL_CLIENT" "$RL_TMP/final.tcpdump" tcpdump -i rl1 -n -v -l --immediate-mode 'icmp6 and ip6[40] = 134'
cap=$RL_BG_PID
rl_wait 5 "tcpdump to listen" grep -qs listening "$RL_TMP/final.tcpdump"
start=$(date +%s%N)
rl_stop "$RL_PID"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
no_default_route() { ! default_route; }
rl_wait 2 "the client to drop the default route" no_default_route
sleep 0.3
rl_kill "$cap"
finals=$(grep -c 'router lifetime 0s' "$RL_TMP/final.tcpdump" || true)
[ "$finals" -eq 1 ] || rl_fail "saw $finals final RAs on the wire; the default is one"
grep -q '"ra-sent-final": 1' "$log" || rl_fail "the final RA is not counted"
# A second final RA could not leave before MIN_DELAY_BETWEEN_RAS (3 s): the
# stop must be over before that, whatever the machine's load.
[ "$elapsed_ms" -lt 2900 ] || rl_fail "stop took ${elapsed_ms} ms: it waited as if for a second final RA"
echo "PASS: one final RA by default, stop in ${elapsed_ms} ms, default route withdrawn"
