#!/usr/bin/env bash
# Runs the hook's integration suite against a real kea-dhcp4 or kea-dhcp6:
#   run.sh 4|6 [mt]
# Two network namespaces joined by a veth pair: the server side runs Kea with
# libdhcp_netboot.so, the client side runs test_hook_v<family>.py, which
# sends firmware-shaped packets. Everything it creates is removed on exit.
set -euo pipefail
family=$1
mt=false
if [ "${2:-}" = mt ]; then mt=true; fi
here=$(cd "$(dirname "$0")" && pwd)
build=${NETBOOT_BUILD_DIR:?set by ctest}
checker=$build/hooks/netboot-check-config
kea_env=$here/../../../tools/kea-env
# Every Kea daemon runs through kea-env: hooks, sockets and logs in $dir.
export NETBOOT_HOOK=$build/hooks/libdhcp_netboot.so
source "$here/../../lib/netns.sh"

suffix=; if [ "$mt" = true ]; then suffix=m; fi
tag=nbh$family$suffix$$
srv=$tag-s cli=$tag-c
dir=$(mktemp -d /tmp/$tag.XXXXXX)
kea_pid= ca_pid=
cleanup() {
  local rc=$?
  [ -n "$kea_pid" ] && kill "$kea_pid" 2>/dev/null && wait "$kea_pid" 2>/dev/null || true
  [ -n "$ca_pid" ] && kill "$ca_pid" 2>/dev/null && wait "$ca_pid" 2>/dev/null || true
  # Kea restarted by the tests themselves (persistence checks) records its PID here.
  [ -f "$dir/kea.restarted.pid" ] && kill "$(cat "$dir/kea.restarted.pid")" 2>/dev/null || true
  netns_del "$srv" "$cli"
  if [ $rc -ne 0 ] && [ -f "$dir/kea.log" ]; then
    echo "--- last lines of the Kea log (kept in $dir) ---"
    grep -av 'DHCPSRV_\(MEMFILE\|CFGMGR\)' "$dir/kea.log" | tail -40
  elif [ -z "${NB_KEEP:-}" ]; then
    rm -rf "$dir"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # an interrupted run must not exit 0 through cleanup

netns_add "$srv" "$cli"
netns_veth "$srv" "$tag"s "$cli" "$tag"c
netns_addr "$srv" "$tag"s 192.0.2.1/24 2001:db8::1/64
netns_addr "$cli" "$tag"c 192.0.2.2/24 198.51.100.1/24 2001:db8::2/64 2001:db8:1::1/64
# Relayed answers go back to the relay's address on the client side.
ip -n "$srv" route add 198.51.100.0/24 via 192.0.2.2
ip -n "$srv" -6 route add 2001:db8:1::/64 via 2001:db8::2

# The operator's way in: kea-ctrl-agent up to Kea 2.6; from Kea 3.0 (where
# the agent is deprecated; 3.1.8 removes it) the daemon's own HTTP control
# socket, with basic authentication.
ca_addr=192.0.2.1 ca_user=
if [ "$(kea-dhcp$family -v | cut -d. -f1)" -ge 3 ]; then
  od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$dir/api-password"
  ca_user=netboot:$(cat "$dir/api-password")
  control='"control-sockets": [ { "socket-type": "unix", "socket-name": "@DIR@/kea.sock" },
      { "socket-type": "http", "socket-address": "'$ca_addr'", "socket-port": 8000,
        "authentication": { "type": "basic", "realm": "kea-netboot", "directory": "@DIR@",
                            "clients": [ { "user": "netboot", "password-file": "api-password" } ] } } ],'
else
  control='"control-socket": { "socket-type": "unix", "socket-name": "@DIR@/kea.sock" },'
fi
control=${control//$'\n'/ }
sed -e "s|@CONTROL@|$control|" -e "s|@SRV_IF@|${tag}s|g" -e "s|@DIR@|$dir|g" -e "s|@HOOK@|$dir/hooks/libdhcp_netboot.so|g" -e "s|@MT@|$mt|g" \
  "$here/kea$family.json.in" > "$dir/kea.json"

"$checker" "$dir/kea.json"
ip netns exec "$srv" "$kea_env" "$dir" "kea-dhcp$family" -t "$dir/kea.json" > "$dir/kea-t.log" 2>&1 || { cat "$dir/kea-t.log"; exit 1; }

ip netns exec "$srv" "$kea_env" "$dir" "kea-dhcp$family" -c "$dir/kea.json" > "$dir/kea.out" 2>&1 &
kea_pid=$!
for _ in $(seq 100); do
  grep -q "DHCP${family}_STARTED" "$dir/kea.log" 2>/dev/null && break
  kill -0 "$kea_pid" 2>/dev/null || { echo "kea-dhcp$family exited:"; cat "$dir/kea.out"; exit 1; }
  sleep 0.1
done
grep -q "NETBOOT_LOADED" "$dir/kea.log" || { echo "hook did not load"; exit 1; }
if [ "$mt" = true ]; then
  grep -aq "DHCP${family}_MULTI_THREADING_INFO enabled: yes" "$dir/kea.log" ||
    { echo "Kea did not enable multi-threading"; exit 1; }
fi
# Kea opens its v6 sockets once the link-local address is usable.
sleep 0.5

if [ -z "$ca_user" ]; then  # kea-ctrl-agent on the server's link address
  sed -e "s|@CA_ADDR@|$ca_addr|g" -e "s|@DIR@|$dir|g" -e "s|@FAMILY@|$family|g" "$here/ca.json.in" > "$dir/ca.json"
  ip netns exec "$srv" "$kea_env" "$dir" kea-ctrl-agent -t "$dir/ca.json" > "$dir/ca-t.log" 2>&1 || { cat "$dir/ca-t.log"; exit 1; }
  ip netns exec "$srv" "$kea_env" "$dir" kea-ctrl-agent -c "$dir/ca.json" > "$dir/ca.out" 2>&1 &
  ca_pid=$!
fi

ip netns exec "$cli" env NB_IFACE="$tag"c NB_DIR="$dir" NB_KEA_PID="$kea_pid" NB_MT="$mt" \
  python3 "$here/test_hook_v$family.py" -v
ip netns exec "$cli" env NB_IFACE="$tag"c NB_DIR="$dir" NB_KEA_PID="$kea_pid" NB_MT="$mt" NB_SRV_NS="$srv" NB_KEA_ENV="$kea_env" \
  NB_FAMILY="$family" NB_CA="http://$ca_addr:8000/" NB_CA_USER="$ca_user" python3 "$here/test_commands.py" -v
if [ -f "$dir/kea.restarted.pid" ]; then kea_pid=$(cat "$dir/kea.restarted.pid"); rm -f "$dir/kea.restarted.pid"; fi
kill -0 "$kea_pid" || { echo "kea-dhcp$family died during the tests"; exit 1; }
