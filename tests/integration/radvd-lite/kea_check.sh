#!/usr/bin/env bash
# -t and the command line: a valid config exits 0, a netboot link with M=0 warns (edk2 does a
# stateful SOLICIT), a broken config exits 1 naming the field, and
# --kea-config compares the advertised prefixes with a kea-dhcp6 config
# that kea-dhcp6 -t itself accepts.
set -euo pipefail
bin=${NETBOOT_BUILD_DIR:?}/radvd-lite/radvd-lite
: "${NETBOOT_SOURCE_DIR:?}"
tmp=$(mktemp -d /tmp/radvd-lite-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$tmp/ok.conf" <<'CONF'
// netboot link, everything as the bundle ships it
{ "RadvdLite": { "interfaces": [ { "name": "eth0",
  "prefixes": [ { "prefix": "2001:db8:1::/64" } ] } ] } }
CONF
"$bin" -t -c "$tmp/ok.conf" >"$tmp/ok.out" 2>&1 || fail "valid config rejected: $(cat "$tmp/ok.out")"
! grep -q WARN "$tmp/ok.out" || fail "warning on the default netboot config: $(cat "$tmp/ok.out")"

sed 's/"name": "eth0",/"name": "eth0", "managed-flag": false,/' "$tmp/ok.conf" >"$tmp/m0.conf"
"$bin" -t -c "$tmp/m0.conf" >"$tmp/m0.out" 2>&1 || fail "M=0 config rejected"
grep -q "WARN CONFIG_WARNING interface eth0: netboot link with managed-flag false" "$tmp/m0.out" ||
    fail "no M=0 warning: $(cat "$tmp/m0.out")"

printf '{ "RadvdLite": { "interfaces": [ { "name": "eth0",\n  "rdnss": [ { "servers": [ "dns1" ] } ] } ] } }\n' >"$tmp/bad.conf"
rc=0
"$bin" -t -c "$tmp/bad.conf" >"$tmp/bad.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "broken config: exit $rc, expected 1"
grep -q "bad.conf:2:.*RadvdLite.interfaces\[0\].rdnss\[0\].servers\[0\]: must be an IPv6 address" "$tmp/bad.out" ||
    fail "error does not name the field: $(cat "$tmp/bad.out")"

cat >"$tmp/kea.json" <<'CONF'
{
  // kea-dhcp6 config the netboot bundle would ship
  "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "lease-database": { "type": "memfile", "persist": false },
    "subnet6": [
      { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
        "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] },
      { "id": 2, "subnet": "2001:db8:2::/64", "interface": "eth0",
        "pools": [ { "pool": "2001:db8:2::100-2001:db8:2::1ff" } ] }
    ]
  }
}
CONF
kea-dhcp6 -t "$tmp/kea.json" >"$tmp/kea-t.out" 2>&1 || fail "kea-dhcp6 -t rejects the test's Kea config: $(cat "$tmp/kea-t.out")"
"$bin" -t -c "$tmp/ok.conf" --kea-config "$tmp/kea.json" >"$tmp/kea.out" 2>&1 || fail "-t --kea-config failed"
cat "$tmp/kea.out"
grep -q "KEA_MISMATCH interface eth0: Kea subnet 2001:db8:2::/64 on this interface is not advertised" "$tmp/kea.out" ||
    fail "missing prefix not reported"
[ "$(grep -c KEA_MISMATCH "$tmp/kea.out")" -eq 1 ] || fail "unexpected mismatches"
sed 's#"prefixes": \[ { "prefix": "2001:db8:1::/64" } \]#"prefixes": [ { "prefix": "2001:db8:1::/64" }, { "prefix": "2001:db8:2::/64" } ]#' \
    "$tmp/ok.conf" >"$tmp/both.conf"
"$bin" -t -c "$tmp/both.conf" --kea-config "$tmp/kea.json" >"$tmp/both.out" 2>&1 || fail "-t failed"
! grep -q KEA_MISMATCH "$tmp/both.out" || fail "mismatch reported for matching configs: $(cat "$tmp/both.out")"
"$bin" -t -c "$NETBOOT_SOURCE_DIR/radvd-lite/examples/radvd-lite.conf" >"$tmp/example.out" 2>&1 ||
    fail "the shipped example config is rejected: $(cat "$tmp/example.out")"
! grep -q WARN "$tmp/example.out" || fail "the shipped example config warns: $(cat "$tmp/example.out")"

# The operator documentation carries --help word for word.
"$bin" --help >"$tmp/help.txt"
readme=$NETBOOT_SOURCE_DIR/radvd-lite/README.md
awk '/^## Command line/ {on = 1; next} on && /^```$/ {if (inside) exit; inside = 1; next} inside' "$readme" >"$tmp/readme-help.txt"
diff -u "$tmp/readme-help.txt" "$tmp/help.txt" || fail "radvd-lite/README.md's Command line differs from --help"
echo "PASS: -t warnings, field-named errors, Kea dhcp6 cross-check, --help documented"
