#!/bin/bash
# Runs inside the fresh root of the release under test that package-test.sh
# made (tools/release-root run: chrooted in a mount namespace of its own, so
# `ip netns` works). $1: the multiarch triplet.
# The .debs are in /pkgtest, the repacked upgrade in /pkgtest/upgrade.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
multiarch=$1
pt=/pkgtest
t=/pkgtest/t
. "$pt/netns.sh"  # the tests' namespace helper (tests/lib/netns.sh), copied in
mkdir -p "$t"
checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
expect_rc() {  # expect_rc RC DESCRIPTION COMMAND...: run, show output, compare the exit status
  local want=$1 what=$2 rc=0
  shift 2
  "$@" > "$t/out" 2>&1 || rc=$?
  sed 's/^/    /' "$t/out"
  [ "$rc" -eq "$want" ] || fail "$what: exit status $rc, expected $want: $*"
  ok "$what"
}
hook=/usr/lib/$multiarch/kea/hooks/libdhcp_netboot.so
ours=(kea-netboot-hook netboot-tftpd radvd-lite kea-netboot-config)
echo "=== inside the root: Debian $(cat /etc/debian_version), kea-common $(dpkg-query -W -f='${Version}' kea-common)"

# --- install with apt resolving the dependencies (adduser, python3, ...) ---
# mmdebstrap leaves no package lists behind: fetch them, as on a real machine.
apt-get update -q > "$t/apt-update.log" 2>&1 || { cat "$t/apt-update.log"; fail "apt-get update"; }
apt-get install -y -q --no-install-recommends \
  "$pt"/kea-netboot-hook_*.deb "$pt"/netboot-tftpd_*.deb "$pt"/radvd-lite_*.deb "$pt"/kea-netboot-config_*.deb \
  > "$t/apt-install.log" 2>&1 || { cat "$t/apt-install.log"; fail "apt-get install of the packages"; }
for p in "${ours[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p")" = "ii " ] || fail "$p is not installed"
done
ok "apt installed ${ours[*]}"

# The hook depends on exactly the kea-common it was built against (Kea's hook ABI).
kea_version=$(dpkg-query -W -f='${Version}' kea-common)
dpkg-query -W -f='${Depends}\n' kea-netboot-hook | tr ',' '\n' | grep -qx " *kea-common (= $kea_version)" \
  || fail "kea-netboot-hook does not depend on kea-common (= $kea_version): $(dpkg-query -W -f='${Depends}' kea-netboot-hook)"
ok "kea-netboot-hook depends on kea-common (= $kea_version)"
# netboot-tftpd links no Kea library (it reads its configuration with the
# project's own JSON reader), so a Kea upgrade must not be held back by it.
! dpkg-query -W -f='${Depends}\n' netboot-tftpd | grep -q kea \
  || fail "netboot-tftpd depends on Kea, which it does not link: $(dpkg-query -W -f='${Depends}' netboot-tftpd)"
! ldd /usr/sbin/netboot-tftpd | grep -q libkea \
  || fail "netboot-tftpd links a Kea library: $(ldd /usr/sbin/netboot-tftpd | tr -s ' \t' ' ')"
ok "netboot-tftpd neither links nor depends on Kea: Kea upgrades independently"
[ -f "$hook" ] || fail "$hook missing"
ok "hook installed at $hook"

# --- Kea with the hook from its installed path ---
# -t opens no socket but needs the configured interfaces to exist: "lo" does.
kea4() {  # kea4 FILE HOOK-PATH INTERFACES-JSON [TFTP-BOOT-FILES-JSON]
  local tftp='{ "bios": "undionly.kpxe", "efi-x64": "ipxe.efi" }'
  [ $# -lt 4 ] || tftp=$4
  cat > "$1" <<JSON
// kea-dhcp4 loading the netboot hook from the package's path
{ "Dhcp4": {
    "interfaces-config": { "interfaces": $3, "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": false },
    "valid-lifetime": 600,
    "hooks-libraries": [ {
      "library": "$2",
      "parameters": {
        "tftp-boot-files": $tftp,
        "http-boot-files": { "efi-x64": "ipxe.efi" },
        "ipxe-script-url": "http://{server}/boot.ipxe"
      } } ],
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                   "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO",
                   "output_options": [ { "output": "stdout" } ] } ]
} }
JSON
}
kea6() {  # kea6 FILE HOOK-PATH
  cat > "$1" <<JSON
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "lo" ] },
    "lease-database": { "type": "memfile", "persist": false },
    "hooks-libraries": [ { "library": "$2",
      "parameters": { "tftp-boot-files": { "efi-x64": "ipxe.efi" },
                      "ipxe-script-url": "http://{server}/boot.ipxe" } } ],
    "subnet6": [ { "id": 1, "subnet": "2001:db8::/64", "interface": "lo",
                   "pools": [ { "pool": "2001:db8::100 - 2001:db8::1ff" } ] } ]
} }
JSON
}
export KEA_PIDFILE_DIR=$t KEA_LOCKFILE_DIR=$t
# Kea 2.6.3 and later keep sockets, leases and logs in their own directories
# unless told of others (what tools/kea-env does for a build tree): a bundle
# rendered with --run-dir DIR runs with DIR/kea named for all of them.
kea_vars() {  # kea_vars DIR: the variables, for env (the paths here have no spaces)
  echo "KEA_DHCP_DATA_DIR=$1 KEA_LOG_FILE_DIR=$1 KEA_CONTROL_SOCKET_DIR=$1 KEA_PIDFILE_DIR=$1 KEA_LOCKFILE_DIR=$1"
}
# shellcheck disable=SC2046  # one word per variable
kea_in() { local d=$1; shift; env $(kea_vars "$d") "$@"; }
kea4 "$t/kea-dhcp4.conf" "$hook" '[ "lo" ]'
expect_rc 0 "kea-dhcp4 -t accepts a config loading $hook" kea-dhcp4 -t "$t/kea-dhcp4.conf"
kea4 "$t/kea-dhcp4-wrong-path.conf" "/usr/lib/$multiarch/kea/hooks/libdhcp_netboot-missing.so" '[ "lo" ]'
expect_rc 1 "kea-dhcp4 -t refuses a hook path that does not exist (the check above means something)" \
  kea-dhcp4 -t "$t/kea-dhcp4-wrong-path.conf"
kea6 "$t/kea-dhcp6.conf" "$hook"
expect_rc 0 "kea-dhcp6 -t accepts a config loading $hook" kea-dhcp6 -t "$t/kea-dhcp6.conf"
expect_rc 0 "netboot-check-config accepts it" netboot-check-config "$t/kea-dhcp4.conf"
kea4 "$t/kea-dhcp4-bad.conf" "$hook" '[ "lo" ]' '{ "efi-x65": "ipxe.efi" }'
expect_rc 1 "netboot-check-config refuses an unknown architecture family" netboot-check-config "$t/kea-dhcp4-bad.conf"
grep -q 'efi-x65' "$t/out" || fail "netboot-check-config did not name the bad field"
[ -s /usr/share/kea-netboot-hook/netboot-pgsql.sql ] || fail "the shared-store schema is not installed"
expect_rc 2 "netboot-admin (installed with the hook) refuses a password on its command line" \
  netboot-admin db-init -p secret
grep -q 'PGPASSWORD' "$t/out" || fail "netboot-admin did not say where the password goes"

# -t never runs the hook's load(): start kea-dhcp4 for real, in a network
# namespace of its own (no sockets on this machine's networks), and see the
# hook load and log its configuration.
kea4 "$t/kea-dhcp4-run.conf" "$hook" '[ ]'
rc=0
unshare --net timeout -s TERM 5 kea-dhcp4 -c "$t/kea-dhcp4-run.conf" > "$t/run.log" 2>&1 || rc=$?
sed 's/^/    /' "$t/run.log"
[ "$rc" -eq 124 ] || fail "kea-dhcp4 with the hook exited with $rc before being stopped"
grep -q 'NETBOOT_LOADED' "$t/run.log" || fail "kea-dhcp4 did not log NETBOOT_LOADED"
grep -q 'HOOKS_LIBRARY_LOADED.*libdhcp_netboot.so' "$t/run.log" || fail "Kea did not report loading $hook"
ok "kea-dhcp4 loads $hook and runs (NETBOOT_LOADED)"

# --- the rendered bundle ---
render=/usr/share/kea-netboot/netboot-render
if [ -x "$render" ]; then
  broot=$t/bootroot
  mkdir -p "$broot"
  # Loaders would come from Debian's ipxe/grub packages (--install-loaders);
  # empty stand-ins are enough for the configuration checks.
  touch "$broot/undionly.kpxe" "$broot/ipxe.efi" "$broot/grubnetia32.efi"
  expect_rc 0 "netboot-render renders the bundle from its installed location" \
    "$render" -i lo --root "$broot" --run-dir "$t/run" -o "$t/bundle"
  ls -l "$t/bundle"
  [ -f "$t/bundle/kea-dhcp4.conf" ] || fail "the bundle rendered no kea-dhcp4.conf"
  grep -q "\"$hook\"" "$t/bundle/kea-dhcp4.conf" || fail "the rendered kea-dhcp4.conf does not load $hook"
  expect_rc 0 "netboot-check-config accepts the rendered kea-dhcp4.conf" netboot-check-config "$t/bundle/kea-dhcp4.conf"
  expect_rc 0 "kea-dhcp4 -t accepts the rendered kea-dhcp4.conf" kea_in "$t/run/kea" kea-dhcp4 -t "$t/bundle/kea-dhcp4.conf"
  if [ -f "$t/bundle/kea-dhcp6.conf" ]; then
    expect_rc 0 "kea-dhcp6 -t accepts the rendered kea-dhcp6.conf" kea_in "$t/run/kea" kea-dhcp6 -t "$t/bundle/kea-dhcp6.conf"
  fi
  if [ -f "$t/bundle/kea-ctrl-agent.conf" ]; then
    expect_rc 0 "kea-ctrl-agent -t accepts the rendered kea-ctrl-agent.conf" kea_in "$t/run/kea" kea-ctrl-agent -t "$t/bundle/kea-ctrl-agent.conf"
  fi
  if [ -f "$t/bundle/netboot-tftpd.conf" ]; then
    expect_rc 0 "netboot-tftpd -t accepts the rendered netboot-tftpd.conf" netboot-tftpd -t -c "$t/bundle/netboot-tftpd.conf"
  fi
  if [ -f "$t/bundle/radvd-lite.conf" ]; then
    if [ -f "$t/bundle/kea-dhcp6.conf" ]; then
      expect_rc 0 "radvd-lite -t accepts the rendered radvd-lite.conf, checked against the rendered kea-dhcp6.conf" \
        radvd-lite -t -c "$t/bundle/radvd-lite.conf" --kea-config "$t/bundle/kea-dhcp6.conf"
      grep -q KEA_MISMATCH "$t/out" && fail "the rendered radvd-lite.conf and kea-dhcp6.conf disagree"
    else
      expect_rc 0 "radvd-lite -t accepts the rendered radvd-lite.conf" radvd-lite -t -c "$t/bundle/radvd-lite.conf"
    fi
  fi
else
  echo "note: kea-netboot-config ships no netboot-render yet; only the configs above were checked"
fi

# --- a netboot client answered, an assignment that survives a restart ---
# The installed bundle and Kea, as an operator runs them: netboot-render for
# a link in a network namespace, kea-dhcp4 with the rendered config, the
# commands through the control path netboot-control.json names for this
# release (kea-ctrl-agent on Kea 2.x, kea-dhcp4's own HTTP socket with a
# password on Kea 3); the client is the tests' packet-crafting DHCP client.
if [ -x "$render" ]; then
  ns=pkgsrv$$ cns=pkgcli$$ pids=()
  stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
  }
  cleanup_net() { stop_all; netns_del "$ns" "$cns"; }
  trap cleanup_net EXIT
  netns_add "$ns" "$cns"
  netns_veth "$ns" nbs0 "$cns" nbc0
  netns_addr "$ns" nbs0 192.0.2.1/24
  lroot=$t/linkroot
  mkdir -p "$lroot"
  touch "$lroot/undionly.kpxe" "$lroot/ipxe.efi" "$lroot/grubnetia32.efi"
  expect_rc 0 "netboot-render renders a site for a link in a network namespace" \
    ip netns exec "$ns" "$render" -i nbs0 --no-ipv6 --root "$lroot" --run-dir "$t/linkrun" -o "$t/link"
  control=$t/link/netboot-control.json
  via=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["via"])' "$control")
  kd=$t/linkrun/kea
  start_kea() {
    env $(kea_vars "$kd") ip netns exec "$ns" kea-dhcp4 -c "$t/link/kea-dhcp4.conf" >> "$t/kea-dhcp4.log" 2>&1 &
    kea_pid=$!; pids+=("$kea_pid")
    if [ "$via" = kea-ctrl-agent ] && [ -z "${agent_pid:-}" ]; then
      env $(kea_vars "$kd") ip netns exec "$ns" kea-ctrl-agent -c "$t/link/kea-ctrl-agent.conf" >> "$t/kea-ctrl-agent.log" 2>&1 &
      agent_pid=$!; pids+=("$agent_pid")
    fi
  }
  kea_command() {  # kea_command COMMAND [ARGUMENTS-JSON]: the answer's JSON, through netboot-control.json's path
    ip netns exec "$ns" python3 - "$control" "$@" <<'PY'
import base64, json, sys, urllib.request
path = json.load(open(sys.argv[1]))["dhcp4"]
body = {"command": sys.argv[2], "service": [path["service"]]}
if len(sys.argv) > 3:
    body["arguments"] = json.loads(sys.argv[3])
request = urllib.request.Request(path["url"], json.dumps(body).encode(), {"Content-Type": "application/json"})
if path.get("user"):
    password = open(path["password-file"]).read().strip()
    request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (path["user"], password)).encode()).decode())
print(json.dumps(json.load(urllib.request.urlopen(request, timeout=5))[0]))
PY
  }
  wait_ready() {  # until kea-dhcp4 answers netboot-status through the control path (20 s)
    local i
    for i in $(seq 1 40); do
      kea_command netboot-status 2>/dev/null | grep -q '"result": 0' && return 0
      kill -0 "$kea_pid" 2>/dev/null || { cat "$t/kea-dhcp4.log"; fail "kea-dhcp4 exited"; }
      sleep 0.5
    done
    cat "$t/kea-dhcp4.log" "$t"/kea-ctrl-agent.log 2>/dev/null; fail "kea-dhcp4 did not answer netboot-status through $via within 20 s"
  }
  probe() {  # probe PROFILE MAC: the answer line of the DHCP client
    ip netns exec "$cns" timeout 20 python3 "$pt/netboot_probe.py" -i nbc0 -p "$1" -m "$2"
  }
  start_kea
  wait_ready
  ok "kea-dhcp4 with the rendered config answers netboot-status through $via"
  probe uefi-x64-pxe 52:54:00:00:53:01 > "$t/out" 2>&1 || { cat "$t/out" "$t/kea-dhcp4.log"; fail "no answer to a UEFI PXE DISCOVER"; }
  sed 's/^/    /' "$t/out"
  grep -q 'ipxe.efi' "$t/out" || fail "the UEFI PXE client was not told ipxe.efi"
  ok "a UEFI x64 PXE client in a network namespace is answered with ipxe.efi"
  mac=52:54:00:00:53:02
  # The operator's command, installed on the PATH, through the same control path.
  expect_rc 0 "netboot-ctl boot rescue $mac through $via" \
    ip netns exec "$ns" netboot-ctl --control "$control" --site "$t/link/netboot-site.json" --until-cleared boot rescue "$mac"
  probe ipxe-efi "$mac" > "$t/out" 2>&1 || { cat "$t/out"; fail "no answer to iPXE"; }
  grep -q 'profile-rescue.ipxe' "$t/out" || { cat "$t/out"; fail "iPXE of the assigned machine was not sent the rescue script"; }
  ok "an assignment set with netboot-ctl through $via sends the machine's iPXE the rescue script"
  kea_command netboot-status | python3 -c '
import json, sys
recent = [d for d in json.load(sys.stdin)["arguments"]["recent"] if d.get("mac") == sys.argv[1]]
assert recent and recent[0]["v"] == 1 and recent[0]["profile"] == "rescue" and recent[0]["assignment"] == "persistent", recent
' "$mac" || fail "netboot-status does not list the decision for $mac as a version-1 decision event"
  ls /usr/share/doc/kea-netboot-hook/decision-events.md* > /dev/null 2>&1 || fail "decision-events.md not installed with the hook"
  ok "netboot-status lists the machine's decision in the documented event format (installed with the hook)"
  kill "$kea_pid"; wait "$kea_pid" || true
  start_kea
  wait_ready
  probe ipxe-efi "$mac" > "$t/out" 2>&1 || { cat "$t/out"; fail "no answer to iPXE after the restart"; }
  sed 's/^/    /' "$t/out"
  grep -q 'profile-rescue.ipxe' "$t/out" || { cat "$t/out" "$t/kea-dhcp4.log"; fail "the assignment did not survive a restart of kea-dhcp4"; }
  probe ipxe-efi 52:54:00:00:53:03 > "$t/out" 2>&1 || true
  grep -q 'profile-rescue.ipxe' "$t/out" && fail "a machine without an assignment got the rescue script: the check above proves nothing"
  ok "the assignment survives a restart of kea-dhcp4 (other machines keep the menu)"
  cleanup_net
  trap - EXIT
fi

# --- the daemons with their shipped configs ---
getent passwd netboot-tftpd > "$t/pw" || fail "postinst created no netboot-tftpd user"
IFS=: read -r _ _ uid _ _ home shell < "$t/pw"
[ "$uid" -lt 1000 ] || fail "netboot-tftpd is not a system user (uid $uid)"
case "$shell" in */nologin|/bin/false) ;; *) fail "netboot-tftpd has a login shell: $shell" ;; esac
ok "system user netboot-tftpd (uid $uid, home $home, shell $shell)"
[ -d /srv/netboot ] || fail "postinst created no /srv/netboot"
[ "$(stat -c %U:%a /srv/netboot)" = root:755 ] || fail "/srv/netboot is $(stat -c %U:%a /srv/netboot), not root:755"
ok "boot root /srv/netboot (root:755, read-only for the server)"
expect_rc 0 "netboot-tftpd -t with the shipped /etc/netboot-tftpd/netboot-tftpd.conf" \
  netboot-tftpd -t -c /etc/netboot-tftpd/netboot-tftpd.conf
expect_rc 0 "radvd-lite -t with the shipped /etc/radvd-lite/radvd-lite.conf" radvd-lite -t
grep -q 'CONFIG_OK' "$t/out" || fail "radvd-lite -t printed no CONFIG_OK"

# What the units grant is enough: started the way netboot-tftpd.service
# starts it (its user, CAP_NET_BIND_SERVICE only, no new privileges), in a
# network namespace of its own, the server binds port 69; without the
# capability it cannot (so the capability is what makes the difference).
as_unit() {  # as_unit USER CAPS COMMAND...: like the unit's User= and AmbientCapabilities=
  local user=$1 caps=$2
  shift 2
  unshare --net timeout -s TERM 3 setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups \
    --inh-caps="-all$caps" --ambient-caps="-all$caps" --bounding-set="-all$caps" --no-new-privs "$@"
}
rc=0; as_unit netboot-tftpd ,+net_bind_service netboot-tftpd -c /etc/netboot-tftpd/netboot-tftpd.conf > "$t/out" 2>&1 || rc=$?
sed 's/^/    /' "$t/out"
[ "$rc" -eq 124 ] && grep -q 'listening on \[::\]:69' "$t/out" \
  || fail "netboot-tftpd as user netboot-tftpd with CAP_NET_BIND_SERVICE did not listen on [::]:69 (exit $rc)"
ok "netboot-tftpd runs as netboot-tftpd with only CAP_NET_BIND_SERVICE and listens on [::]:69"
rc=0; as_unit netboot-tftpd "" netboot-tftpd -c /etc/netboot-tftpd/netboot-tftpd.conf > "$t/out" 2>&1 || rc=$?
[ "$rc" -ne 124 ] && grep -q 'Permission denied' "$t/out" \
  || fail "netboot-tftpd bound port 69 without CAP_NET_BIND_SERVICE: this check proves nothing"
ok "without the capability it cannot bind port 69"
rc=0; as_unit nobody ,+net_raw radvd-lite -c /etc/radvd-lite/radvd-lite.conf > "$t/out" 2>&1 || rc=$?
sed 's/^/    /' "$t/out"
[ "$rc" -eq 124 ] && grep -q 'STARTED' "$t/out" || fail "radvd-lite with only CAP_NET_RAW did not start (exit $rc)"
ok "radvd-lite starts unprivileged with only CAP_NET_RAW (the shipped config waits for 'netboot0')"

# --- systemd units ---
units=(/lib/systemd/system/netboot-tftpd.service /lib/systemd/system/radvd-lite.service)
expect_rc 0 "systemd-analyze verify passes for both units" systemd-analyze verify --man=no "${units[@]}"
grep -E 'netboot-tftpd|radvd-lite' "$t/out" && fail "systemd-analyze verify printed warnings about our units"
sed 's|^ExecStart=/usr/sbin/|ExecStart=usr/sbin/|' /lib/systemd/system/radvd-lite.service > /etc/systemd/system/broken-radvd.service
rc=0; systemd-analyze verify --man=no /etc/systemd/system/broken-radvd.service > "$t/out" 2>&1 || rc=$?
rm -f /etc/systemd/system/broken-radvd.service
[ "$rc" -ne 0 ] || fail "systemd-analyze verify passed a unit with a relative ExecStart: it checks nothing here"
ok "systemd-analyze verify fails a broken copy (the check above means something)"
for u in netboot-tftpd radvd-lite; do
  state=$(systemctl is-enabled "$u.service" 2>/dev/null || true)
  [ "$state" = disabled ] || fail "$u.service is '$state' after installation, expected disabled"
done
ok "neither unit is enabled by the installation (systemctl is-enabled: disabled)"
for prop in "User=netboot-tftpd" "AmbientCapabilities=CAP_NET_BIND_SERVICE" "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" \
            "ProtectSystem=strict" "ReadOnlyPaths=-/srv/netboot" "NoNewPrivileges=yes"; do
  grep -qx "$prop" "${units[0]}" || fail "netboot-tftpd.service lacks $prop"
done
for prop in "AmbientCapabilities=CAP_NET_RAW" "CapabilityBoundingSet=CAP_NET_RAW" "DynamicUser=yes" "NoNewPrivileges=yes"; do
  grep -qx "$prop" "${units[1]}" || fail "radvd-lite.service lacks $prop"
done
ok "units confined as intended (user, capabilities, read-only system and boot root)"

# --- the operator's edits survive an upgrade and a reinstall ---
sed -i 's/"log-level": "info"/"log-level": "warning"/' /etc/netboot-tftpd/netboot-tftpd.conf
grep -q '"log-level": "warning"' /etc/netboot-tftpd/netboot-tftpd.conf || fail "could not edit the tftpd conffile"
sed -i 's/"name": "netboot0"/"name": "eth7"/' /etc/radvd-lite/radvd-lite.conf
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "$pt"/upgrade/netboot-tftpd_*.deb > "$t/apt-upgrade.log" 2>&1 || { cat "$t/apt-upgrade.log"; fail "upgrade of netboot-tftpd"; }
dpkg-query -W -f='${Version}\n' netboot-tftpd | grep -q '+pkgtest1$' || fail "netboot-tftpd was not upgraded"
grep -q '"log-level": "warning"' /etc/netboot-tftpd/netboot-tftpd.conf || fail "the upgrade overwrote the operator's netboot-tftpd.conf"
[ -f /etc/netboot-tftpd/netboot-tftpd.conf.dpkg-dist ] || fail "the upgrade left no .dpkg-dist with the new default"
grep -q 'changed by the next release' /etc/netboot-tftpd/netboot-tftpd.conf.dpkg-dist || fail ".dpkg-dist is not the new default"
ok "upgrade keeps the operator's netboot-tftpd.conf, new default in .dpkg-dist"
apt-get install -y -q --reinstall "$pt"/radvd-lite_*.deb > "$t/apt-reinstall.log" 2>&1 || { cat "$t/apt-reinstall.log"; fail "reinstall of radvd-lite"; }
grep -q '"name": "eth7"' /etc/radvd-lite/radvd-lite.conf || fail "the reinstall overwrote the operator's radvd-lite.conf"
ok "reinstall keeps the operator's radvd-lite.conf"
getent passwd netboot-tftpd | cut -d: -f3 | grep -qx "$uid" || fail "the upgrade changed the netboot-tftpd user"
ok "the upgrade keeps the netboot-tftpd user"

# --- purge: nothing of ours is left ---
for p in "${ours[@]}"; do dpkg-query -L "$p"; done | sort -u > "$t/our-paths"
# The hook's assignment state files, as Kea would have left them: today's
# default names and the earlier releases' ones.
state_files=(/var/lib/kea/kea-leases4.csv.netboot-assignments.json
             /var/lib/kea/kea-leases6.csv.netboot-assignments.json.tmp
             /var/lib/kea/kea-netboot-assignments4.json /var/lib/kea/kea-netboot-assignments6.json.tmp)
mkdir -p /var/lib/kea
for f in "${state_files[@]}"; do echo '{"assignments": []}' > "$f"; done
# Kea's own lease files share the prefix of ours: purge must leave them.
kea_leases=/var/lib/kea/kea-leases4.csv
[ -e "$kea_leases" ] || { echo "address,hwaddr" > "$kea_leases"; planted_leases=1; }
apt-get purge -y -q "${ours[@]}" > "$t/apt-purge.log" 2>&1 || { cat "$t/apt-purge.log"; fail "apt-get purge"; }
for p in "${ours[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [ -z "$status" ] || [ "$status" = "un " ] || fail "$p is still known to dpkg after purge: '$status'"
done
left=()
while read -r path; do
  [ -e "$path" ] || [ -L "$path" ] || continue
  if [ -d "$path" ]; then
    # Directories stay when shared: the merged-/usr symlinks, directories
    # other packages own or put files in (/usr/share/doc, Kea's hooks
    # directory). An empty directory nobody owns is ours, left behind.
    [ -L "$path" ] && continue
    [ -n "$(ls -A "$path")" ] && continue
    dpkg-query -S "$path" >/dev/null 2>&1 && continue
  fi
  left+=("$path")
done < "$t/our-paths"
for path in /etc/netboot-tftpd /etc/radvd-lite /srv/netboot /usr/share/kea-netboot "$hook" \
            /usr/share/doc/kea-netboot-hook /usr/share/doc/netboot-tftpd /usr/share/doc/radvd-lite \
            /usr/share/doc/kea-netboot-config /usr/bin/netboot-check-config /usr/sbin/netboot-tftpd /usr/sbin/radvd-lite \
            /usr/bin/netboot-admin /usr/share/kea-netboot-hook \
            /etc/systemd/system/multi-user.target.wants/netboot-tftpd.service \
            /etc/systemd/system/multi-user.target.wants/radvd-lite.service \
            /var/lib/systemd/deb-systemd-helper-enabled/netboot-tftpd.service.dsh-also \
            /var/lib/systemd/deb-systemd-helper-enabled/radvd-lite.service.dsh-also \
            /var/lib/systemd/deb-systemd-helper-masked/netboot-tftpd.service \
            /var/lib/systemd/deb-systemd-helper-masked/radvd-lite.service "${state_files[@]}"; do
  [ -e "$path" ] || [ -L "$path" ] && left+=("$path")
done
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
ok "purge removed every file and directory of ours (conffiles, .dpkg-dist, /srv/netboot, the hook, its state files)"
getent passwd netboot-tftpd && fail "the netboot-tftpd user is left after purge"
getent group netboot-tftpd && fail "the netboot-tftpd group is left after purge"
ok "purge removed the netboot-tftpd user and group"
[ -d "/usr/lib/$multiarch/kea/hooks" ] && [ -f "/usr/lib/$multiarch/kea/hooks/libdhcp_bootp.so" ] \
  || fail "purge damaged kea-common's hooks directory"
ok "kea-common's hooks directory untouched"
[ -e "$kea_leases" ] || fail "purge removed Kea's own $kea_leases"
[ -z "${planted_leases:-}" ] || rm -f "$kea_leases"
ok "Kea's lease file untouched by purge"
echo "=== inside: all $checks checks passed"
