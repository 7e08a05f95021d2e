#!/usr/bin/env bash
# The Linux kernel as RA client: with an autonomous /64 it forms a SLAAC
# address in the prefix and installs a default route via the router's
# link-local address, from unsolicited RAs alone.
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link
cat >"$RL_TMP/rl.conf" <<'CONF'
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "netboot": false, "max-rtr-adv-interval": 10,
  "router-lifetime": 600,
  "prefixes": [ { "prefix": "2001:db8:1::/64" } ],
  "final-advertisements": 1
} ] } }
CONF
router_ll=$(rl_router_link_local)
# No RS from the client after this point: the kernel sent its own when rl1
# came up, before the daemon ran, so what follows is unsolicited.
rl_start rl "$RL_TMP/rl.conf"

slaac_address() { ip -n "$RL_CLIENT" -6 addr show dev rl1 scope global | grep -q 'inet6 2001:db8:1:0:'; }
default_route() { ip -n "$RL_CLIENT" -6 route show default | grep -q "via $router_ll dev rl1 proto ra"; }
rl_wait 5 "a SLAAC address in 2001:db8:1::/64" slaac_address
rl_wait 5 "a default route via $router_ll" default_route
ip -n "$RL_CLIENT" -6 route show default
ip -n "$RL_CLIENT" -6 addr show dev rl1 scope global
lifetime=$(ip -n "$RL_CLIENT" -6 route show default | grep -o 'expires [0-9]*' | awk '{print $2}')
[ "$lifetime" -gt 500 ] && [ "$lifetime" -le 600 ] || rl_fail "default route lifetime $lifetime, configured 600"
[ "$(rl_counter "$RL_PID" "$RL_TMP/rl.log" ra-sent-unsolicited)" -ge 1 ] || rl_fail "no unsolicited RA counted"
rl_stop "$RL_PID"
echo "PASS: kernel SLAAC address and default route via $router_ll"
