#!/usr/bin/env bash
# tools/release-root's "remove" is what tools/test-release's EXIT trap runs: a
# failure there turns a passed release run into a failed CI. With nothing
# mounted under the root (the normal case) it must succeed and remove the root.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /var/tmp/netboot-release-root-test.XXXXXX)
trap 'rm -rf --one-file-system "$dir"' EXIT
mkdir -p "$dir/etc" "$dir/build"
echo 13 > "$dir/etc/debian_version"
"$top/tools/release-root" remove "$dir" || { echo "FAIL: remove exited $?"; exit 1; }
[ ! -e "$dir" ] || { echo "FAIL: $dir still exists"; exit 1; }
# A root that does not exist is a usage error, not silence.
if "$top/tools/release-root" remove "$dir" 2>/dev/null; then echo "FAIL: removing a missing root succeeded"; exit 1; fi
echo "release-root remove: ok"
