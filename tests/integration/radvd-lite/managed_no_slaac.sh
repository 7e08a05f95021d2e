#!/usr/bin/env bash
# A netboot link's defaults (M=1) with a non-autonomous prefix: the kernel
# takes the router (default route) but forms no SLAAC address; rdisc6 shows
# M=1 and A=0 as sent.
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link
cat >"$RL_TMP/rl.conf" <<'CONF'
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 10,
  "prefixes": [ { "prefix": "2001:db8:5::/64", "autonomous": false } ],
  "final-advertisements": 1
} ] } }
CONF
router_ll=$(rl_router_link_local)
rl_start rl "$RL_TMP/rl.conf"
default_route() { ip -n "$RL_CLIENT" -6 route show default | grep -q "via $router_ll"; }
rl_wait 5 "a default route via $router_ll" default_route
out=$(rl_rdisc6) || rl_fail "no answer to rdisc6"
echo "$out"
grep -Eq 'Stateful address conf\. *: *Yes' <<<"$out" || rl_fail "M flag not set by default on a netboot link"
grep -Eq 'Autonomous address conf\.: *No' <<<"$out" || rl_fail "A flag not cleared"
# The prefix is on-link, so the kernel installs its route: proof the PIO
# was processed, not ignored.
rl_wait 3 "the on-link prefix route" bash -c "ip -n $RL_CLIENT -6 route | grep -q '^2001:db8:5::/64'"
sleep 1
if ip -n "$RL_CLIENT" -6 addr show dev rl1 scope global | grep -q 'inet6 2001:db8:5:'; then
    rl_fail "kernel formed a SLAAC address although A=0"
fi
rl_stop "$RL_PID"
echo "PASS: M=1, A=0: default route, on-link route, no SLAAC address"
