#!/usr/bin/env bash
# Two kea-dhcpN servers (run_ha.sh 4|6) in Kea's HA load-balancing, each
# with the netboot hook and a kea-ctrl-agent, on one link (a bridge) with a
# client. Runs test_ha.py in the client namespace; removes everything on exit.
#
# run_ha.sh 4|6 pgsql: the hooks keep their assignments in one real
# PostgreSQL (started here in its own directory, on a unix socket, stopped
# by PID), shared with a kea-dhcp of the other family on server 1; runs
# test_shared_store.py instead.
set -euo pipefail
family=${1:-4}
store=${2:-file}
case "$family" in 4|6) ;; *) echo "usage: run_ha.sh 4|6 [pgsql]" >&2; exit 2 ;; esac
case "$store" in file|pgsql) ;; *) echo "usage: run_ha.sh 4|6 [pgsql]" >&2; exit 2 ;; esac
other=$((10 - family))
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
  for f in "$root"/s*/kea.pid "$root"/other/kea.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  if [ -f "$root/pg/pid" ]; then
    # A test that failed while PostgreSQL was frozen (SIGSTOP) left it so:
    # a stopped process holds SIGTERM until it is continued.
    pg=$(cat "$root/pg/pid")
    pkill -CONT -P "$pg" 2>/dev/null || true
    kill -CONT "$pg" 2>/dev/null || true
    kill "$pg" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pg" 2>/dev/null || break; sleep 0.1; done
  fi
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  netns_del "$hub" "$cli" "$tag-1" "$tag-2"
  if [ $rc -ne 0 ]; then
    for s in s1 s2 other; do echo "--- $s log ---"; tail -25 "$root/$s/kea.log" 2>/dev/null || true; done
    tail -15 "$root/pg/log" 2>/dev/null || true
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

# Each Kea daemon is started by a script of its own, which the tests run
# again to bring a killed peer back.
starter() {  # namespace, directory, daemon, config
  cat > "$2/start" <<START
#!/bin/sh
NETBOOT_HOOK=$NETBOOT_HOOK ip netns exec $1 $kea_env $2 $3 -c $4 >> $2/kea.out 2>&1 &
echo \$! > $2/kea.pid
START
  chmod +x "$2/start"
  "$2/start"
}

store_json="\"state-file\": \"@DIR@/assignments.json\""
if [ "$store" = pgsql ]; then
  # PostgreSQL refuses to run as root: its files belong to "postgres".
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$root/pg/sock"
  chmod 755 "$root"
  echo "netboot-test-superuser" > "$root/pg/superuser-password"
  chown -R postgres: "$root/pg"
  as_postgres() { setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; }
  as_postgres "$pg_bin/initdb" -D "$root/pg/data" -U postgres --auth=scram-sha-256 \
    --pwfile="$root/pg/superuser-password" > "$root/pg/initdb.log"
  cat > "$root/pg/start" <<START
#!/bin/sh
setpriv --reuid=postgres --regid=postgres --clear-groups -- $pg_bin/postgres -D $root/pg/data \
  -k $root/pg/sock -c listen_addresses= >> $root/pg/log 2>&1 &
echo \$! > $root/pg/pid
for i in \$(seq 100); do $pg_bin/pg_isready -q -h $root/pg/sock && exit 0; sleep 0.1; done
echo "PostgreSQL did not start" >&2; exit 1
START
  chmod +x "$root/pg/start"
  "$root/pg/start"
  PGPASSWORD=netboot-test-superuser psql -X -q -h "$root/pg/sock" -U postgres -d postgres \
    -c "CREATE ROLE kea LOGIN PASSWORD 'netboot-test-kea'" -c "CREATE DATABASE netboot OWNER kea"
  PGPASSWORD=netboot-test-kea "$here/../../../hooks/sql/netboot-admin" db-init -h "$root/pg/sock" -u kea -n netboot
  database="\"type\": \"postgresql\", \"name\": \"netboot\", \"host\": \"$root/pg/sock\", \"user\": \"kea\""
  store_json="\"assignment-database\": { $database, \"password\": \"netboot-test-kea\" }"
  # The other family's daemon reads its password from a file, as netboot-render configures it.
  echo netboot-test-kea > "$root/pg/kea-password"
  chmod 600 "$root/pg/kea-password"
  other_store_json="\"assignment-database\": { $database, \"password-file\": \"$root/pg/kea-password\" }"
fi

for s in 1 2; do
  dir=$root/s$s
  mkdir -p "$dir"
  ifc=$([ $s = 1 ] && echo "$tag"a || echo "$tag"b)
  addr=$([ $s = 1 ] && echo 192.0.2.1 || echo 192.0.2.3)
  sed -e "s|@STORE@|$store_json|" -e "s|@SRV_IF@|$ifc|g" -e "s|@DIR@|$dir|g" -e "s|@HOOK@|$dir/hooks/libdhcp_netboot.so|g" \
    -e "s|@KEA_HOOKS@|$dir/hooks|g" -e "s|@NAME@|server$s|g" "$here/kea$family-ha.json.in" > "$dir/kea.json"
  sed -e "s|@CA_ADDR@|$addr|g" -e "s|@DIR@|$dir|g" -e "s|@FAMILY@|$family|g" "$here/ca.json.in" > "$dir/ca.json"
  "$build/hooks/netboot-check-config" -q "$dir/kea.json"
  starter "$tag-$s" "$dir" kea-dhcp$family "$dir/kea.json"
  ip netns exec "$tag-$s" "$kea_env" "$dir" kea-ctrl-agent -c "$dir/ca.json" > "$dir/ca.out" 2>&1 &
  pids+=($!)
done

if [ "$store" = file ]; then
  ip netns exec "$cli" env NB_FAMILY="$family" NB_IFACE="$tag"c NB_ROOT="$root" python3 "$here/test_ha.py" -v
  exit 0
fi

# The other family's kea-dhcp on server 1, alone, on the same database.
dir=$root/other
mkdir -p "$dir"
if [ $other = 4 ]; then
  network='"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "interface": "'"$tag"a'",
                          "pools": [ { "pool": "192.0.2.200 - 192.0.2.250" } ] } ]'
else
  network='"server-id": { "type": "LLT", "persist": false }, "data-directory": "'"$dir"'",
           "subnet6": [ { "id": 1, "subnet": "2001:db8::/64", "interface": "'"$tag"a'",
                          "pools": [ { "pool": "2001:db8::200 - 2001:db8::2ff" } ] } ]'
fi
cat > "$dir/kea.json" <<JSON
{ "Dhcp$other": {
    "interfaces-config": { "interfaces": [ "${tag}a" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$dir/kea.sock" },
    "lease-database": { "type": "memfile", "persist": false, "lfc-interval": 0 },
    $network,
    "hooks-libraries": [ { "library": "$dir/hooks/libdhcp_netboot.so", "parameters": {
      "tftp-boot-files": { "efi-x64": "ipxe.efi" },
      "ipxe-script-url": "http://{server}/boot/{mac}.ipxe",
      $other_store_json,
      "profiles": { "rescue": { "ipxe-script-url": "http://{server}/rescue.ipxe",
                                "tftp-boot-files": { "efi-x64": "rescue/ipxe.efi" } } } } } ],
    "loggers": [ { "name": "kea-dhcp$other", "output_options": [ { "output": "$dir/kea.log" } ], "severity": "INFO" } ]
} }
JSON
"$build/hooks/netboot-check-config" -q "$dir/kea.json"
starter "$tag-1" "$dir" kea-dhcp$other "$dir/kea.json"

ip netns exec "$cli" env NB_FAMILY="$family" NB_IFACE="$tag"c NB_ROOT="$root" python3 "$here/test_shared_store.py" -v
