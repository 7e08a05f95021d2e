#!/usr/bin/env bash
# The Linux kernel as RA client: with an autonomous /64 it forms a SLAAC
# address in the prefix and installs a default route via the router's
# link-local address, from unsolicited RAs alone. Two links, each with its
# own settings: each client interface gets its own prefix and lifetime only.
source "$(dirname "$0")/lib.sh"
rl_namespaces
rl_link rl0 rl1
rl_link rl2 rl3
cat >"$RL_TMP/rl.conf" <<'CONF'
{ "RadvdLite": { "interfaces": [
  { "name": "rl0", "netboot": false, "max-rtr-adv-interval": 10, "router-lifetime": 600,
    "prefixes": [ { "prefix": "2001:db8:1::/64" } ], "final-advertisements": 1 },
  { "name": "rl2", "netboot": false, "max-rtr-adv-interval": 20, "router-lifetime": 1200,
    "prefixes": [ { "prefix": "2001:db8:2::/64" } ], "final-advertisements": 1 }
] } }
CONF
# No RS from the clients after this point: the kernel sent its own when the
# links came up, before the daemon ran, so what follows is unsolicited.
rl_start rl "$RL_TMP/rl.conf"

check_link() {  # check_link ROUTER_IF CLIENT_IF PREFIX LIFETIME OTHER_PREFIX
    local router_ll
    router_ll=$(rl_router_link_local "$1")
    slaac_address() { ip -n "$RL_CLIENT" -6 addr show dev "$2" scope global | grep -q "inet6 $3"; }
    default_route() { ip -n "$RL_CLIENT" -6 route show default | grep -q "via $router_ll dev $2 proto ra"; }
    rl_wait 5 "a SLAAC address in $3 on $2" slaac_address "$@"
    rl_wait 5 "a default route via $router_ll on $2" default_route "$@"
    ip -n "$RL_CLIENT" -6 addr show dev "$2" scope global
    ! ip -n "$RL_CLIENT" -6 addr show dev "$2" scope global | grep -q "inet6 $5" ||
        rl_fail "$2 got the other link's prefix $5"
    local lifetime
    lifetime=$(ip -n "$RL_CLIENT" -6 route show default dev "$2" | grep -o 'expires [0-9]*' | awk '{print $2}')
    [ "$lifetime" -gt $(($4 - 100)) ] && [ "$lifetime" -le "$4" ] ||
        rl_fail "default route lifetime on $2 is $lifetime, configured $4"
}
check_link rl0 rl1 2001:db8:1:0: 600 2001:db8:2:
check_link rl2 rl3 2001:db8:2:0: 1200 2001:db8:1:
ip -n "$RL_CLIENT" -6 route show default
[ "$(rl_counter "$RL_PID" "$RL_TMP/rl.log" ra-sent-unsolicited)" -ge 1 ] || rl_fail "no unsolicited RA counted"
rl_stop "$RL_PID"
echo "PASS: kernel SLAAC address and default route per link, each with its own settings"
