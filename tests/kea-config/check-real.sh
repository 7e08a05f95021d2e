#!/usr/bin/env bash
# Renders the kea-config bundle into a sandbox and has the real programs check
# every file: netboot-check-config, kea-dhcp4 -t, kea-dhcp6 -t,
# kea-ctrl-agent -t, netboot-tftpd -t, radvd-lite -t (with the Kea
# cross-check) and nginx -t. kea-dhcpN -t runs inside a network namespace
# where the interface exists. Label: integration. Needs root.
set -euo pipefail
top=${NETBOOT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${NETBOOT_BUILD_DIR:?set by ctest}
source "$top/tests/lib/netns.sh"
tftpd=$build/tftpd/netboot-tftpd
radvd=$build/radvd-lite/radvd-lite
tag=nbkc$$
ns=$tag
dir=$(mktemp -d /tmp/$tag.XXXXXX)
cleanup() {
  local rc=$?
  netns_del "$ns" "${ns}s"
  if [ $rc -ne 0 ]; then echo "(files kept in $dir)"; else rm -rf "$dir"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

netns_add "$ns"
netns_veth "$ns" "$tag"a "$ns" "$tag"b
netns_addr "$ns" "$tag"a 198.51.100.1/24 198.51.100.3/24 2001:db8:77::1/64

mkdir -p "$dir/root" "$dir/run" "$dir/out"
chmod 755 "$dir"
# Kea runs through kea-env in the renderer's sandbox for Kea, $dir/run/kea:
# the hook and Kea's own hooks are linked into its hooks directory.
kea_run=$dir/run/kea
export NETBOOT_HOOK=$build/hooks/libdhcp_netboot.so
"$top/tools/kea-env" "$kea_run" true
for f in ipxe.efi undionly.kpxe grubnetia32.efi; do echo "stand-in $f" > "$dir/root/$f"; done
"$top/kea-config/netboot-render" -i "$tag"a --subnet4 198.51.100.0/24 --server4 198.51.100.1 \
  --prefix6 2001:db8:77::/64 --server6 2001:db8:77::1 --root "$dir/root" --run-dir "$dir/run" \
  --hook "$kea_run/hooks/libdhcp_netboot.so" -o "$dir/out" > "$dir/render.txt" ||
  fail "netboot-render refused a valid site"
cat "$dir/render.txt"
# The operator's control path follows this machine's Kea: kea-ctrl-agent up
# to 2.6, the daemons' own HTTP sockets with a password from 3.0.
if [ "$(kea-dhcp4 -v | cut -d. -f1)" -ge 3 ]; then
  agent=
  control_files="kea-api-password"
  [ ! -e "$dir/out/kea-ctrl-agent.conf" ] || fail "kea-ctrl-agent.conf rendered for Kea 3"
  grep -q '"socket-type": "http"' "$dir/out/kea-dhcp4.conf" || fail "Kea 3: kea-dhcp4.conf has no HTTP control socket"
  grep -q '"via": "kea-http-socket"' "$dir/out/netboot-control.json" || fail "netboot-control.json: not via kea-http-socket"
else
  agent=yes
  control_files="kea-ctrl-agent.conf"
  grep -q '"via": "kea-ctrl-agent"' "$dir/out/netboot-control.json" || fail "netboot-control.json: not via kea-ctrl-agent"
fi
for f in kea-dhcp4.conf kea-dhcp6.conf $control_files netboot-control.json netboot-tftpd.conf radvd-lite.conf nginx.conf nginx-site.conf; do
  [ -s "$dir/out/$f" ] || fail "$f not rendered"
done
[ -s "$dir/root/boot.ipxe" ] || fail "boot.ipxe not written into the root"
[ -s "$dir/root/grub/grub.cfg" ] || fail "grub/grub.cfg not written into the root"
grep -q 'script.ipxe-${mac:hexhyp}' "$dir/root/boot.ipxe" || fail "menu does not chain the per-MAC script"
grep -q 'echo kea-netboot: profile rescue reached' "$dir/root/profile-rescue.ipxe" ||
  fail "profile-rescue.ipxe (the default rescue profile) not written into the root"
grep -q '"ipxe-script-url": "http://{server}/profile-rescue.ipxe"' "$dir/out/kea-dhcp4.conf" ||
  fail "kea-dhcp4.conf has no rescue profile"

check() {
  local what=$1; shift
  if "$@" > "$dir/check.log" 2>&1; then
    echo "ok   $what"
  else
    cat "$dir/check.log"; fail "$what"
  fi
}
# Every file of a dual-stack bundle, checked by its own program; kea-dhcpN
# and nginx inside the namespace NS, where the bundle's interfaces exist.
check_bundle() {  # check_bundle LABEL OUT NS
  local label=$1 out=$2 in_ns=$3
  check "${label}netboot-check-config kea-dhcp4.conf" "$build/hooks/netboot-check-config" "$out/kea-dhcp4.conf"
  check "${label}netboot-check-config kea-dhcp6.conf" "$build/hooks/netboot-check-config" "$out/kea-dhcp6.conf"
  check "${label}kea-dhcp4 -t" ip netns exec "$in_ns" "$top/tools/kea-env" "$kea_run" kea-dhcp4 -t "$out/kea-dhcp4.conf"
  check "${label}kea-dhcp6 -t" ip netns exec "$in_ns" "$top/tools/kea-env" "$kea_run" kea-dhcp6 -t "$out/kea-dhcp6.conf"
  [ -z "$agent" ] || check "${label}kea-ctrl-agent -t" \
    ip netns exec "$in_ns" "$top/tools/kea-env" "$kea_run" kea-ctrl-agent -t "$out/kea-ctrl-agent.conf"
  check "${label}netboot-tftpd -t" "$tftpd" -t -c "$out/netboot-tftpd.conf"
  check "${label}radvd-lite -t --kea-config" "$radvd" -t -c "$out/radvd-lite.conf" --kea-config "$out/kea-dhcp6.conf"
  if grep -q KEA_MISMATCH "$dir/check.log"; then cat "$dir/check.log"; fail "${label}radvd-lite reports a Kea mismatch"; fi
  check "${label}nginx -t" ip netns exec "$in_ns" nginx -t -c "$out/nginx.conf"
}
check_bundle "" "$dir/out" "$ns"

# A second site: IPv4 only, BIOS and x64 UEFI with snponly.efi for HTTP boot,
# on another port; its Kea and nginx configs must pass too.
echo "stand-in snponly.efi" > "$dir/root/snponly.efi"
"$top/kea-config/netboot-render" -i "$tag"a --no-ipv6 --subnet4 198.51.100.0/24 --server4 198.51.100.1 \
  --arch bios,efi-x64 --http-boot efi-x64 --loader efi-x64=snponly.efi --http-port 8080 \
  --root "$dir/root" --run-dir "$dir/run" --hook "$kea_run/hooks/libdhcp_netboot.so" -o "$dir/out2" > /dev/null ||
  fail "netboot-render refused the IPv4-only site"
[ ! -e "$dir/out2/kea-dhcp6.conf" ] || fail "kea-dhcp6.conf rendered for an IPv4-only site"
grep -q 'http://{server}:8080/boot.ipxe' "$dir/out2/kea-dhcp4.conf" || fail "script URL without the HTTP port"
check "v4-only: netboot-check-config" "$build/hooks/netboot-check-config" "$dir/out2/kea-dhcp4.conf"
check "v4-only: kea-dhcp4 -t" ip netns exec "$ns" "$top/tools/kea-env" "$kea_run" kea-dhcp4 -t "$dir/out2/kea-dhcp4.conf"
[ -z "$agent" ] || check "v4-only: kea-ctrl-agent -t" ip netns exec "$ns" "$top/tools/kea-env" "$kea_run" kea-ctrl-agent -t "$dir/out2/kea-ctrl-agent.conf"
check "v4-only: netboot-tftpd -t" "$tftpd" -t -c "$dir/out2/netboot-tftpd.conf"
check "v4-only: nginx -t" ip netns exec "$ns" nginx -t -c "$dir/out2/nginx.conf"

if [ -z "$agent" ]; then
  # Kea 3: HA pairs are not rendered (their peers talked through the agent).
  if "$top/kea-config/netboot-render" -i "$tag"a --no-ipv6 --subnet4 198.51.100.0/24 --server4 198.51.100.1 \
      --ha-this server1=http://198.51.100.1:8000/ --ha-peer server2=http://198.51.100.2:8000/ \
      --kea-hooks-dir "$kea_run/hooks" --root "$dir/root" --run-dir "$dir/run" -o "$dir/ha" 2> "$dir/ha.err"; then
    fail "netboot-render rendered an HA pair for Kea 3"
  fi
  grep -q "HA pairs are rendered for Kea 2.x" "$dir/ha.err" || { cat "$dir/ha.err"; fail "HA refusal does not say why"; }
  echo "ok   Kea 3: an HA pair is refused, saying why"
else
  # A load-balancing HA pair (Kea's libdhcp_lease_cmds.so and libdhcp_ha.so from
  # Debian's hooks directory, found by the renderer) with two boot profiles,
  # both families paired: each server's half must pass netboot-check-config,
  # kea-dhcp4 -t, kea-dhcp6 -t and kea-ctrl-agent -t.
  for s in 1 3; do
    this=server$s=http://198.51.100.$s:8000/ peer=server$((4 - s))=http://198.51.100.$((4 - s)):8000/
    "$top/kea-config/netboot-render" -i "$tag"a --subnet4 198.51.100.0/24 --server4 198.51.100.$s --server6 2001:db8::$s \
      --ha-this "$this" --ha-peer "$peer" --profile rescue --profile install-debian --kea-hooks-dir "$kea_run/hooks" \
      --root "$dir/root" --run-dir "$dir/run" --hook "$kea_run/hooks/libdhcp_netboot.so" -o "$dir/ha$s" > /dev/null ||
      fail "netboot-render refused the HA pair's server$s"
    grep -q "\"$kea_run/hooks/libdhcp_ha.so\"" "$dir/ha$s/kea-dhcp4.conf" || fail "server$s: no libdhcp_ha.so from Kea's hooks"
    grep -q '"this-server-name": "server'$s'"' "$dir/ha$s/kea-dhcp4.conf" || fail "server$s: wrong this-server-name"
    check "HA server$s: netboot-check-config" "$build/hooks/netboot-check-config" "$dir/ha$s/kea-dhcp4.conf"
    check "HA server$s: kea-dhcp4 -t" ip netns exec "$ns" "$top/tools/kea-env" "$kea_run" kea-dhcp4 -t "$dir/ha$s/kea-dhcp4.conf"
    grep -q '"this-server-name": "server'$s'"' "$dir/ha$s/kea-dhcp6.conf" || fail "server$s: kea-dhcp6 is not paired"
    check "HA server$s: netboot-check-config (v6)" "$build/hooks/netboot-check-config" "$dir/ha$s/kea-dhcp6.conf"
    check "HA server$s: kea-dhcp6 -t" ip netns exec "$ns" "$top/tools/kea-env" "$kea_run" kea-dhcp6 -t "$dir/ha$s/kea-dhcp6.conf"
    check "HA server$s: kea-ctrl-agent -t" ip netns exec "$ns" "$top/tools/kea-env" "$kea_run" kea-ctrl-agent -t "$dir/ha$s/kea-ctrl-agent.conf"
  done
  [ -s "$dir/root/profile-install-debian.ipxe" ] || fail "profile-install-debian.ipxe not written into the root"
  sed -n '/"peers"/,/]/p' "$dir/ha1/kea-dhcp4.conf" > "$dir/peers1"
  sed -n '/"peers"/,/]/p' "$dir/ha3/kea-dhcp4.conf" > "$dir/peers3"
  cmp -s "$dir/peers1" "$dir/peers3" || fail "the two servers' peer lists differ"
  echo "ok   HA pair: both servers list the same peers and roles"
fi

# The README's example site file (two networks, one relayed; a dozen hosts
# with reservations, two with BMCs): every program accepts what it renders.
# Its interface eth1 exists in a namespace of its own, with rack A's addresses.
ns2=${tag}s
netns_add "$ns2"
netns_veth "$ns2" eth1 "$ns2" eth2
netns_addr "$ns2" eth1 192.0.2.1/25 2001:db8:a::1/64
sed -e "s|\"root\": \"/srv/netboot\"|\"root\": \"$dir/root\"|" -e 's|"install-loaders": true|"install-loaders": false|' \
    -e "s|^{|{ \"hook\": \"$kea_run/hooks/libdhcp_netboot.so\", \"run-dir\": \"$dir/run\",|" \
    "$top/kea-config/examples/site.json" > "$dir/site.json"
"$top/kea-config/netboot-render" "$dir/site.json" -o "$dir/site" > /dev/null || fail "netboot-render refused the example site"
[ "$(grep -c '"hw-address"' "$dir/site/kea-dhcp4.conf")" -eq 13 ] || fail "example site: not 13 v4 reservations"
check_bundle "example site: " "$dir/site" "$ns2"
# Kea itself refuses what the model would have let through, were it unchecked:
# the same MAC reserved twice in one subnet.
sed '0,/"hw-address": "52:54:00:0a:00:03"/s//"hw-address": "52:54:00:0a:00:04"/' "$dir/site/kea-dhcp4.conf" > "$dir/dup4.conf"
if ip netns exec "$ns2" "$top/tools/kea-env" "$kea_run" kea-dhcp4 -t "$dir/dup4.conf" > /dev/null 2>&1; then
  fail "kea-dhcp4 -t accepted a MAC reserved twice: the example-site check proves nothing"
fi
echo "ok   example site: kea-dhcp4 -t refuses a MAC reserved twice (the model refuses it first)"

# The checks must be able to fail: a broken Kea config is refused by kea-dhcp4 -t.
sed 's/"valid-lifetime": 3600/"valid-lifetime": "soon"/' "$dir/out/kea-dhcp4.conf" > "$dir/bad4.conf"
if ip netns exec "$ns" "$top/tools/kea-env" "$kea_run" kea-dhcp4 -t "$dir/bad4.conf" > /dev/null 2>&1; then fail "kea-dhcp4 -t accepted a broken config"; fi
echo "ok   kea-dhcp4 -t refuses a broken copy"
# ... and netboot-check-config a profile the hook would refuse (Kea's -t cannot see it).
sed 's/"rescue": {/"Rescue!": {/' "$dir/out/kea-dhcp4.conf" > "$dir/bad-profile.conf"
if "$build/hooks/netboot-check-config" "$dir/bad-profile.conf" > "$dir/check.log" 2>&1; then
  fail "netboot-check-config accepted a bad profile name"
fi
grep -q 'profiles.Rescue!' "$dir/check.log" || { cat "$dir/check.log"; fail "the refusal does not name the profile"; }
echo "ok   netboot-check-config refuses a bad profile name"
echo PASS
