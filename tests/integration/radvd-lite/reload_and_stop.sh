#!/usr/bin/env bash
# SIGHUP reload (new prefix goes out; a broken config is refused and the
# running one kept) and SIGTERM: final RAs with router lifetime 0, MIN_DELAY_
# BETWEEN_RAS apart, after which the client drops its default route.
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link
config() {
    cat >"$RL_TMP/rl.conf" <<CONF
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 600,
  "prefixes": [ { "prefix": "$1" } ],
  "final-advertisements": 2
} ] } }
CONF
}
log=$RL_TMP/rl.log
config 2001:db8:1::/64
rl_start rl "$RL_TMP/rl.conf"
router_ll=$(rl_router_link_local)
rl_rdisc6 | grep -q 'Prefix *: 2001:db8:1::/64' || rl_fail "first prefix not advertised"

config 2001:db8:7::/64
kill -HUP "$RL_PID"
rl_wait 5 "RELOADED" grep -q RELOADED "$log"
rl_rdisc6 | grep -q 'Prefix *: 2001:db8:7::/64' || rl_fail "reloaded prefix not advertised"

echo '{ "RadvdLite": { "interfaces": [ { "name": "rl0", "max-rtr-adv-interval": 1 } ] } }' >"$RL_TMP/rl.conf"
kill -HUP "$RL_PID"
rl_wait 5 "RELOAD_FAILED" grep -q RELOAD_FAILED "$log"
grep RELOAD_FAILED "$log" | grep -q 'RadvdLite.interfaces\[0\].max-rtr-adv-interval' ||
    rl_fail "reload error does not name the field"
rl_rdisc6 | grep -q 'Prefix *: 2001:db8:7::/64' || rl_fail "running config lost after a bad reload"

rl_stop_watching_finals "$RL_PID" "$router_ll"
[ "$RL_FINALS" -eq 2 ] || rl_fail "saw $RL_FINALS final RAs on the wire, configured 2"
[ "$RL_STOP_MS" -ge 2900 ] && [ "$RL_STOP_MS" -lt 6000 ] ||
    rl_fail "stop took ${RL_STOP_MS} ms; final RAs must be MIN_DELAY_BETWEEN_RAS (3 s) apart"
grep -q '"ra-sent-final": 2' "$log" || rl_fail "final RAs not counted"
echo "PASS: reload, refused bad reload, 2 final RAs ${RL_STOP_MS} ms stop, default route withdrawn"
