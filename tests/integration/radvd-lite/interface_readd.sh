#!/usr/bin/env bash
# Hot-plug: radvd-lite starts before its interface exists, picks it up when
# it appears, notices when it is removed, and advertises again when it comes
# back (new ifindex, new MAC), and when it goes down and up again, all
# without a restart.
source "$(dirname "$0")/lib.sh"
rl_namespaces
cat >"$RL_TMP/rl.conf" <<'CONF'
{ "RadvdLite": { "interfaces": [ {
  "name": "rl0", "max-rtr-adv-interval": 600,
  "prefixes": [ { "prefix": "2001:db8:1::/64" } ],
  "final-advertisements": 1
} ] } }
CONF
log=$RL_TMP/rl.log
rl_start rl "$RL_TMP/rl.conf"
rl_wait 5 "LINK_WAIT for the missing interface" grep -q LINK_WAIT "$log"

for round in 1 2 3; do
    rl_link
    rl_wait 5 "LINK_UP in round $round" rl_more_lines "$log" LINK_UP $((round - 1))
    router_ll=$(rl_router_link_local)
    default_route() { ip -n "$RL_CLIENT" -6 route show default | grep -q "via $router_ll dev rl1"; }
    rl_wait 5 "the client's default route in round $round" default_route
    out=$(rl_rdisc6) || rl_fail "no answer to rdisc6 in round $round"
    grep -q "from $router_ll" <<<"$out" || rl_fail "answer not from $router_ll in round $round"
    # Deleting one end removes the pair.
    ip -n "$RL_ROUTER" link del rl0
    rl_wait 5 "LINK_DOWN in round $round" rl_more_lines "$log" LINK_DOWN $((round - 1))
done
# Down and up again (same ifindex), as after a cable pull or ifdown/ifup.
rl_link
rl_wait 5 "LINK_UP after re-creation" rl_more_lines "$log" LINK_UP 3
ip -n "$RL_ROUTER" link set rl0 down
rl_wait 5 "LINK_DOWN on admin down" rl_more_lines "$log" LINK_DOWN 3
ip -n "$RL_ROUTER" link set rl0 up
rl_wait 5 "router link-local after up" rl_has_link_local "$RL_ROUTER" rl0
rl_wait 5 "LINK_UP after admin up" rl_more_lines "$log" LINK_UP 4
rl_rdisc6 >/dev/null || rl_fail "no answer after the link came back up"
kill -0 "$RL_PID" || rl_fail "radvd-lite died"
[ "$(rl_counter "$RL_PID" "$log" link-up)" -eq 5 ] || rl_fail "expected 5 link-up events"
rl_stop "$RL_PID"
echo "PASS: interface missing at start, removed and re-added, down and up: RAs resume each time"
