#!/usr/bin/env bash
# A file over 32 MiB at blksize 512 has more than 65535 blocks: the block
# number must wrap 65535 -> 0 and every client must get the file intact.
source "$(dirname "$0")/lib.sh"
need tftp atftp curl sha256sum ip
ROOT=$WORK/root
mkdir -p "$ROOT"
random_file "$ROOT/initrd.img" $((33 * 1024 * 1024 + 12345))   # 67 608 blocks of 512: wraps once
setup_namespaces
start_server "$WORK/server.log" --root "$ROOT"

get() {  # what command...
    local what=$1
    shift
    rm -f "$WORK/out"
    timeout 120 ip netns exec "$NS_CLI" "$@" >"$WORK/client.out" 2>&1
    if same_sha "$ROOT/initrd.img" "$WORK/out"; then pass "$what"; else fail "$what ($(tail -c 200 "$WORK/client.out"))"; fi
}
get "v4 tftp-hpa 33 MiB at 512 (rollover)" tftp -4 -m binary 192.0.2.1 -c get initrd.img "$WORK/out"
get "v6 curl 33 MiB at 512 (rollover)" curl -sS --max-time 110 --tftp-blksize 512 -o "$WORK/out" "tftp://[2001:db8::1]/initrd.img"
get "v4 atftp 33 MiB at 512 windowsize 8 (rollover)" atftp --option "blksize 512" --option "windowsize 8" -g -r initrd.img -l "$WORK/out" 192.0.2.1 69
count=$(grep -c 'file="initrd.img" bytes=34615353 blksize=512 .*outcome=ok' "$WORK/server.log")
check "three complete 512-byte transfers logged (got $count)" test "$count" = 3
finish
