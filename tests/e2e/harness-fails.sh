#!/usr/bin/env bash
# The e2e harness must be able to fail: the same stack, rendered without any
# UEFI loader (--arch bios), so OVMF's PXE request gets no boot file. The
# scenario must then fail, within its timeout, naming the missing evidence.
set -uo pipefail
top=${NETBOOT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${NETBOOT_BUILD_DIR:?set by ctest}"
export NETBOOT_BUILD_DIR NETBOOT_SKIP_DEPS=1
out=$(mktemp /tmp/nbe2e-fail.XXXXXX)
trap 'rm -f "$out"' EXIT
"$top/tools/netboot-stack" uefi-pxe4 --no-build --timeout 35 --show-menu 0 \
  --render-arg=--arch=bios --render-arg=--http-boot=none > "$out" 2>&1
rc=$?
grep -v '^  ' "$out" | tail -8
if [ $rc -ne 1 ]; then echo "FAIL: netboot-stack exited $rc for a stack that offers no UEFI loader"; exit 1; fi
grep -q 'timed out after 35 s; still waiting for: DHCPv4: OVMF PXE told ipxe.efi' "$out" ||
  { echo "FAIL: the failure does not name the missing evidence"; exit 1; }
grep -q 'OK VM console' "$out" && { echo "FAIL: the menu was reported as reached"; exit 1; }
kept=$(sed -n 's/.*logs and configs kept in \(\/tmp\/nbs[0-9]*\.[A-Za-z0-9_]*\)$/\1/p' "$out")
[ -n "$kept" ] && rm -rf "$kept"
echo "PASS: the harness fails when the firmware gets no boot file"
