#!/usr/bin/env bash
# Two kea-dhcpN servers (run_ha.sh 4|6) in Kea's HA load-balancing, each
# with the netboot hook and a kea-ctrl-agent, on one link (a bridge) with a
# client. Runs test_ha.py in the client namespace; removes everything on exit.
set -euo pipefail
family=${1:-4}
case "$family" in 4|6) ;; *) echo "usage: run_ha.sh 4|6" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
build=${NETBOOT_BUILD_DIR:?set by ctest}
kea_env=$here/../../../tools/kea-env
# Every Kea daemon runs through kea-env: its hooks (ours and Kea's HA and
# lease_cmds), sockets and logs in the server's own directory.
export NETBOOT_HOOK=$build/hooks/libdhcp_netboot.so
source "$here/../../lib/netns.sh"
tag=nbha$family$$
hub=$tag-h cli=$tag-c
root=$(mktemp -d /tmp/$tag.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$root"/s*/kea.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  netns_del "$hub" "$cli" "$tag-1" "$tag-2"
  if [ $rc -ne 0 ]; then
    for s in 1 2; do echo "--- server$s log ---"; tail -25 "$root/s$s/kea.log" 2>/dev/null || true; done
  else
    rm -rf "$root"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # an interrupted run must not exit 0 through cleanup

netns_add "$hub"
ip -n "$hub" link add br0 type bridge
ip -n "$hub" link set br0 up
join() {  # namespace, host number on the link, interface
  local ns=$1 host=$2 ifc=$3
  netns_add "$ns"
  netns_veth "$ns" "$ifc" "$hub" "$ifc"p
  ip -n "$hub" link set "$ifc"p master br0
  netns_addr "$ns" "$ifc" 192.0.2."$host"/24 2001:db8::"$host"/64
}
join "$tag-1" 1 "$tag"a
join "$tag-2" 3 "$tag"b
join "$cli" 2 "$tag"c

for s in 1 2; do
  dir=$root/s$s
  mkdir -p "$dir"
  ifc=$([ $s = 1 ] && echo "$tag"a || echo "$tag"b)
  addr=$([ $s = 1 ] && echo 192.0.2.1 || echo 192.0.2.3)
  sed -e "s|@SRV_IF@|$ifc|g" -e "s|@DIR@|$dir|g" -e "s|@HOOK@|$dir/hooks/libdhcp_netboot.so|g" -e "s|@KEA_HOOKS@|$dir/hooks|g" \
    -e "s|@NAME@|server$s|g" "$here/kea$family-ha.json.in" > "$dir/kea.json"
  sed -e "s|@CA_ADDR@|$addr|g" -e "s|@DIR@|$dir|g" -e "s|@FAMILY@|$family|g" "$here/ca.json.in" > "$dir/ca.json"
  "$build/hooks/netboot-check-config" -q "$dir/kea.json"
  ip netns exec "$tag-$s" "$kea_env" "$dir" kea-dhcp$family -c "$dir/kea.json" > "$dir/kea.out" 2>&1 &
  echo $! > "$dir/kea.pid"
  ip netns exec "$tag-$s" "$kea_env" "$dir" kea-ctrl-agent -c "$dir/ca.json" > "$dir/ca.out" 2>&1 &
  pids+=($!)
done

ip netns exec "$cli" env NB_FAMILY="$family" NB_IFACE="$tag"c NB_ROOT="$root" python3 "$here/test_ha.py" -v
