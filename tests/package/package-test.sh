#!/usr/bin/env bash
# Packaging test (ctest label "package"; .ci/run also runs it for the other
# releases), as root, with access to a Debian mirror (deb.debian.org, or
# NETBOOT_DEBIAN_MIRROR):   package-test.sh [RELEASE]   (default bookworm)
#   1. a clean root of RELEASE (tools/release-root) with exactly what
#      debian/control's Build-Depends name: dpkg-buildpackage builds the .debs
#      there from a copy of the source tree (so Build-Depends are proven
#      complete on that release), and that release's lintian checks them;
#   2. a second clean root of RELEASE with only Kea's daemons: inside it
#      (inside.sh) apt installs the .debs resolving their dependencies, Kea
#      checks and loads the hook from its installed path, a netboot client is
#      answered in a network namespace, an assignment set through the
#      release's control path survives a restart of Kea, both daemons pass -t
#      with their shipped configs, the units pass systemd-analyze verify and
#      are not enabled, an operator's edit of a conffile survives an upgrade,
#      and a purge leaves nothing of ours.
# Everything lives in one temporary directory that is removed at the end.
# NETBOOT_PACKAGE_KEEP=1 keeps it for a look after a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${NETBOOT_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
mirror=${NETBOOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
start=$SECONDS

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n=== [%4ds] %s\n' $((SECONDS - start)) "$*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (mmdebstrap root mode, chroot)"
release=${1:-bookworm}
for tool in mmdebstrap dpkg-deb git; do
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

root() { "$src/tools/release-root" "$@"; }
# Both roots live in the work directory: every "run" mounts in a namespace of
# its own, so removing the directory removes them.

step "a clean Debian $release root with debian/control's Build-Depends (mmdebstrap)"
mapfile -t build_deps < <(python3 - "$src/debian/control" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
field = re.search(r"^Build-Depends:(.*?)(?=^\S)", text, re.S | re.M).group(1)
for dep in field.split(","):
    first = dep.split("|")[0]          # the first alternative, as sbuild takes it
    name = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", first).strip().split(":")[0]
    if name:
        print(name)
PY
)
root make "$release" "$work/build-root" -- build-essential lintian "${build_deps[@]}" > "$work/build-root.log" 2>&1 \
  || { cat "$work/build-root.log"; fail "could not make the build root"; }
tail -n 1 "$work/build-root.log"

step "building the packages (dpkg-buildpackage -us -uc -b in the $release root, from a copy of $src)"
mkdir -p "$work/build-root/pkg/kea-netboot"
# The files git tracks or would track (the working tree ctest tests), no build directories.
( cd "$src" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done \
    | tar --null -T - -cf - ) | tar -xf - -C "$work/build-root/pkg/kea-netboot"
mkdir -p "$work/debs"
root run "$work/build-root" bash -c 'cd /pkg/kea-netboot &&
  DEB_BUILD_OPTIONS="nocheck parallel=${1}" dpkg-buildpackage -us -uc -b' build "${NETBOOT_PACKAGE_JOBS:-2}" \
  > "$work/debs/build.log" 2>&1 || { tail -n 60 "$work/debs/build.log"; fail "dpkg-buildpackage failed in the $release root"; }
mv "$work"/build-root/pkg/*.deb "$work"/build-root/pkg/*.changes "$work"/build-root/pkg/*.buildinfo "$work/debs/"
ls -1 "$work/debs"
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

step "lintian of Debian $release"
cp "$work"/debs/*.deb "$work"/debs/*.changes "$work"/debs/*.buildinfo "$work/build-root/pkg/"
root run "$work/build-root" bash -c 'cd /pkg && lintian --fail-on error,warning *.changes' > "$work/lintian.txt" 2>&1 || {
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

step "a clean Debian $release root with Kea's daemons only (mmdebstrap), the checks inside it"
install_packages=(kea-dhcp4-server kea-dhcp6-server systemd python3 iproute2 curl)
[ "$release" = sid ] || install_packages+=(kea-ctrl-agent)  # Kea 3: the daemons' own HTTP sockets
root make "$release" "$work/root" -- "${install_packages[@]}" > "$work/root.log" 2>&1 \
  || { cat "$work/root.log"; fail "could not make the install root"; }
tail -n 1 "$work/root.log"
mkdir -p "$work/root/pkgtest/upgrade"
cp "${debs[@]}" "$work/root/pkgtest/"
cp "$work/upgrade"/*.deb "$work/root/pkgtest/upgrade/"
cp "$here/inside.sh" "$here/../lib/netns.sh" "$src/tools/netboot_probe.py" "$work/root/pkgtest/"
root run "$work/root" bash /pkgtest/inside.sh "$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)" \
  || fail "a check inside the $release root failed"

step "PASS: Debian $release (${SECONDS}s)"
