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
rl_stop_watching_finals "$RL_PID" "$(rl_router_link_local)"
[ "$RL_FINALS" -eq 1 ] || rl_fail "saw $RL_FINALS final RAs on the wire; the default is one"
grep -q '"ra-sent-final": 1' "$log" || rl_fail "the final RA is not counted"
# A second final RA could not leave before MIN_DELAY_BETWEEN_RAS (3 s): the
# stop must be over before that, whatever the machine's load.
[ "$RL_STOP_MS" -lt 2900 ] || rl_fail "stop took ${RL_STOP_MS} ms: it waited as if for a second final RA"
echo "PASS: one final RA by default, stop in ${RL_STOP_MS} ms, default route withdrawn"
