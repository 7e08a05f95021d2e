#!/usr/bin/env bash
# One end-to-end scenario: real firmware (Debian's SeaBIOS+iPXE ROM, OVMF x64,
# OVMF ia32) in QEMU under TCG boots through the whole stack brought up by
# tools/netboot-stack (kea-dhcp4/6 + libdhcp_netboot.so, kea-ctrl-agent,
# netboot-tftpd, radvd-lite, nginx, all rendered by kea-config/netboot-render).
#   run.sh SCENARIO
# Passes only on evidence from both sides, which netboot-stack checks line by
# line: the hook's decision events (docs/decision-events.md), netboot-tftpd's transfer line and
# nginx's access-log GETs as the scenario needs, and the VM's serial console
# showing the menu's marker line. Any missing piece within the timeout fails.
set -euo pipefail
top=${NETBOOT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${NETBOOT_BUILD_DIR:?set by ctest}"
export NETBOOT_BUILD_DIR NETBOOT_SKIP_DEPS=1
exec "$top/tools/netboot-stack" "$1" --no-build --timeout "${NETBOOT_E2E_TIMEOUT:-100}" --show-menu 0 --console
