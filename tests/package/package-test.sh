#!/usr/bin/env bash
# Packaging test (ctest label "package"), as root, with access to a Debian
# mirror (deb.debian.org, or NETBOOT_DEBIAN_MIRROR):
#   1. build the .debs with dpkg-buildpackage from a copy of the source tree;
#   2. lintian on them: no error or warning that is not overridden;
#   3. a fresh Debian 12 root made by mmdebstrap; inside it (inside.sh): apt
#      installs the .debs resolving their dependencies, Kea checks and loads
#      the hook from its installed path (own config and the rendered bundle),
#      both daemons pass -t with their shipped configs, the units pass
#      systemd-analyze verify and are not enabled, an operator's edit of a
#      conffile survives an upgrade, and a purge leaves nothing of ours.
# Everything lives in one temporary directory that is removed at the end.
# NETBOOT_PACKAGE_KEEP=1 keeps it for a look after a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${NETBOOT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
mirror=${NETBOOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${NETBOOT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
start=$SECONDS

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n=== [%4ds] %s\n' $((SECONDS - start)) "$*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (mmdebstrap root mode, chroot)"
for tool in dpkg-buildpackage dh lintian mmdebstrap dpkg-deb git; do
  command -v "$tool" >/dev/null || fail "$tool missing: install .ci/packages/package.txt (tools/install-deps)"
done

# A run killed from outside (SIGKILL) cannot clean up: remove what such runs
# left more than two hours ago (a run takes minutes), unless still mounted.
for stale in $(find /tmp -maxdepth 1 -name 'netboot-pkgtest.*' -type d -mmin +120 2>/dev/null); do
  grep -q " $stale/" /proc/self/mounts || rm -rf --one-file-system "$stale"
done
work=$(mktemp -d /tmp/netboot-pkgtest.XXXXXX)
cleanup() {
  local rc=$?
  set +e  # clean up everything, whatever fails (grep finding no mount is normal)
  # mmdebstrap unmounts what it mounted; should it have been killed, lazily
  # unmount anything left under the work directory before removing it.
  grep -o " $work/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  if [ "${NETBOOT_PACKAGE_KEEP:-0}" = 1 ]; then
    echo "kept $work"
  else
    rm -rf --one-file-system "$work" || { echo "could not remove $work" >&2; [ "$rc" -ne 0 ] || rc=1; }
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "building the packages (dpkg-buildpackage -us -uc -b, from a copy of $src)"
"$here/build-debs.sh" "$src" "$work/debs"
debs=()
for p in kea-netboot-hook netboot-tftpd radvd-lite kea-netboot-config; do
  f=$(ls "$work"/debs/${p}_*.deb 2>/dev/null | head -n1)
  [ -n "$f" ] || fail "dpkg-buildpackage built no $p package"
  debs+=("$f")
done

# Files the CMake install() rules install that no package ships or excludes.
if grep -E 'dh_missing: (warning|error)' "$work/debs/build.log"; then
  fail "debian/ neither ships nor excludes (debian/not-installed) the files above"
fi

step "lintian"
lintian --fail-on error,warning "$work"/debs/*.changes > "$work/lintian.txt" 2>&1 || {
  cat "$work/lintian.txt"; fail "lintian reports errors or warnings"; }
grep -E '^[EW]: ' "$work/lintian.txt" && fail "lintian reports errors or warnings"
cat "$work/lintian.txt"
echo "lintian: no errors, no warnings"

step "an upgrade of netboot-tftpd with a changed conffile (repacked 0.1.0 -> +pkgtest1)"
# What the next release does to /etc/netboot-tftpd/netboot-tftpd.conf: the
# operator's edit must survive it.
rp="$work/repack"
dpkg-deb -R "$work"/debs/netboot-tftpd_*_*.deb "$rp"
old_version=$(sed -n 's/^Version: //p' "$rp/DEBIAN/control")
sed -i "s/^Version: .*/Version: ${old_version}+pkgtest1/" "$rp/DEBIAN/control"
sed -i '1i # (changed by the next release)' "$rp/etc/netboot-tftpd/netboot-tftpd.conf"
grep -qx /etc/netboot-tftpd/netboot-tftpd.conf "$rp/DEBIAN/conffiles" \
  || fail "/etc/netboot-tftpd/netboot-tftpd.conf is not a conffile"
mkdir -p "$work/upgrade"
dpkg-deb --root-owner-group -b "$rp" "$work/upgrade/netboot-tftpd_${old_version}+pkgtest1_$(dpkg-deb -f "$work"/debs/netboot-tftpd_*_*.deb Architecture).deb" >/dev/null

step "a fresh Debian 12 root (mmdebstrap from $mirror), checks inside it"
mkdir -p "$work/in/upgrade"
cp "${debs[@]}" "$work/in/"
cp "$work/upgrade"/*.deb "$work/in/upgrade/"
cp "$here/inside.sh" "$work/in/"
# kea-common at the version the hook was built against must come from the
# same suites, as on a real Debian 12 machine: main, updates and security.
mmdebstrap --variant=apt --mode=root \
  --include=kea-dhcp4-server,kea-dhcp6-server,kea-ctrl-agent,systemd,python3 \
  --customize-hook="cp -R '$work/in' \"\$1/tmp/pkgtest\"" \
  --customize-hook="chroot \"\$1\" /bin/bash /tmp/pkgtest/inside.sh $(dpkg-architecture -qDEB_HOST_MULTIARCH)" \
  --customize-hook="rm -rf \"\$1/tmp/pkgtest\"" \
  bookworm "$work/root" \
  "deb $mirror bookworm main" \
  "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main" \
  > "$work/mmdebstrap.log" 2>&1 || { cat "$work/mmdebstrap.log"; fail "mmdebstrap or a check inside the root failed"; }
sed -n '/=== inside/,$p' "$work/mmdebstrap.log" | grep -v '^I: ' || true

step "PASS (${SECONDS}s)"
