#!/usr/bin/env bash
# Builds the Debian packages from a copy of the source tree, so nothing is
# written into the repository: the files git tracks or would track (tracked
# and untracked-but-not-ignored, i.e. the working tree ctest tests), without
# build directories. Usage: build-debs.sh SOURCE_DIR OUT_DIR
# OUT_DIR receives the .debs, the .changes and build.log.
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/netboot-debbuild.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/kea-netboot"
( cd "$src" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done \
    | tar --null -T - -cf - ) | tar -xf - -C "$work/kea-netboot"
cd "$work/kea-netboot"
export DEB_BUILD_OPTIONS="nocheck parallel=${NETBOOT_PACKAGE_JOBS:-2}"
if ! dpkg-buildpackage -us -uc -b > "$out/build.log" 2>&1; then
  tail -n 60 "$out/build.log" >&2
  echo "build-debs: dpkg-buildpackage failed (full log: $out/build.log)" >&2
  exit 1
fi
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
ls -1 "$out"
