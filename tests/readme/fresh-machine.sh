#!/usr/bin/env bash
# The README's set-up on a fresh machine, as far as this machine can make
# one: a minimal root of Debian RELEASE (mmdebstrap --variant=apt: no Python,
# no sudo), this tree copied in (git archive of HEAD), and inside it, as
# root, the README's main command verbatim -- or, with --sudo, with sudo
# installed and the command run through it. Not part of ctest (it downloads
# and builds everything: 10-20 minutes); run by hand before a release:
#   tests/readme/fresh-machine.sh trixie [--sudo] [COMMAND...]
# COMMAND defaults to tools/netboot-stack.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
release=${1:?usage: fresh-machine.sh RELEASE [--sudo] [COMMAND...]}
shift
prefix=
if [ "${1:-}" = --sudo ]; then prefix=sudo; shift; fi
[ $# -gt 0 ] || set -- tools/netboot-stack
root=$(mktemp -d "/var/tmp/netboot-fresh-$release.XXXXXX")
rmdir "$root"
trap '"$top/tools/release-root" remove "$root"' EXIT
trap 'exit 130' INT TERM
opts=()
[ "$release" = sid ] && opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
include=ca-certificates
[ -n "$prefix" ] && include+=,sudo
mmdebstrap --variant=apt "${opts[@]}" --include="$include" \
  --setup-hook='mkdir -p "$1/usr/sbin" && printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d" && chmod +x "$1/usr/sbin/policy-rc.d"' \
  "$release" "$root" "${NETBOOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}" > /dev/null 2>&1
mkdir -p "$root/src" "$root/build" "$root/root/kea-netboot"
git -C "$top" archive HEAD | tar -x -C "$root/root/kea-netboot"
echo "=== fresh Debian $(cat "$root/etc/debian_version"): python3 $(chroot "$root" sh -c 'command -v python3 || echo absent'), sudo $(chroot "$root" sh -c 'command -v sudo || echo absent')"
echo "=== as root: cd ~/kea-netboot && ${prefix:+$prefix }$*"
"$top/tools/release-root" run "$root" bash -c 'cd /root/kea-netboot && exec "$@"' sh ${prefix:+$prefix} "$@"
