#!/usr/bin/env bash
# Real clients (tftp-hpa, atftp, curl) and a raw client against netboot-tftpd
# over IPv4 and IPv6 between two network namespaces (veth, MTU 1500), with and
# without blksize/tsize/timeout/windowsize; SHA-256 of every download checked.
# Also: the edk2 tsize probe, the MTU cap, malformed packets next to a running
# transfer, explicit listen addresses and the concurrent-transfer cap.
source "$(dirname "$0")/lib.sh"
need tftp atftp curl python3 sha256sum ip
CLIENT="python3 $HERE/tftpc.py"

ROOT=$WORK/root
mkdir -p "$ROOT/grub" "$ROOT/dir"
random_file "$ROOT/ipxe.efi" 1500000
random_file "$ROOT/small.bin" 1000
random_file "$ROOT/exact.bin" 4096      # multiple of 512 and 1024: ends with an empty block
: >"$ROOT/empty.bin"
printf 'set timeout=5\nmenuentry "x" {\r\n  linux /vmlinuz\n}\n' >"$ROOT/grub/grub.cfg"

setup_namespaces
start_server "$WORK/server.log" --root "$ROOT" -d
MAIN_PID=$SERVER_PID

fetch_ok() {  # what reference output -- command...
    local what=$1 reference=$2 output=$3
    shift 4
    rm -f "$output"
    timeout 60 ip netns exec "$NS_CLI" "$@" >"$WORK/client.out" 2>&1
    if same_sha "$reference" "$output"; then pass "$what"; else fail "$what ($(tail -c 300 "$WORK/client.out"))"; fi
}

for fam in 4 6; do
    if [ $fam = 4 ]; then addr=192.0.2.1; url=192.0.2.1; else addr=2001:db8::1; url="[2001:db8::1]"; fi
    out=$WORK/out.v$fam
    # tftp-hpa: RFC 1350 only (no options), octet and netascii
    fetch_ok "v$fam tftp-hpa octet" "$ROOT/ipxe.efi" "$out" -- tftp -$fam -m binary $addr -c get ipxe.efi "$out"
    fetch_ok "v$fam tftp-hpa empty file" "$ROOT/empty.bin" "$out" -- tftp -$fam -m binary $addr -c get empty.bin "$out"
    fetch_ok "v$fam tftp-hpa netascii round trip" "$ROOT/grub/grub.cfg" "$out" -- \
        tftp -$fam -m ascii $addr -c get grub/grub.cfg "$out"
    fetch_ok "v$fam tftp-hpa backslash path" "$ROOT/grub/grub.cfg" "$out" -- \
        tftp -$fam -m binary $addr -c get 'grub\grub.cfg' "$out"
    # atftp: every option, including RFC 7440 windowsize
    fetch_ok "v$fam atftp plain" "$ROOT/ipxe.efi" "$out" -- atftp -g -r ipxe.efi -l "$out" $addr 69
    fetch_ok "v$fam atftp blksize 1468 tsize" "$ROOT/ipxe.efi" "$out" -- \
        atftp --option "blksize 1468" --option "tsize 0" -g -r ipxe.efi -l "$out" $addr 69
    fetch_ok "v$fam atftp timeout 2" "$ROOT/small.bin" "$out" -- \
        atftp --option "timeout 2" -g -r small.bin -l "$out" $addr 69
    fetch_ok "v$fam atftp windowsize 16 blksize 1024" "$ROOT/ipxe.efi" "$out" -- \
        atftp --option "blksize 1024" --option "windowsize 16" -g -r ipxe.efi -l "$out" $addr 69
    fetch_ok "v$fam atftp windowsize 8 exact multiple" "$ROOT/exact.bin" "$out" -- \
        atftp --option "blksize 1024" --option "windowsize 8" -g -r exact.bin -l "$out" $addr 69
    # curl: always sends tsize and timeout; blksize on request
    fetch_ok "v$fam curl default" "$ROOT/ipxe.efi" "$out" -- curl -sS --max-time 50 -o "$out" "tftp://$url/ipxe.efi"
    fetch_ok "v$fam curl blksize 1468" "$ROOT/ipxe.efi" "$out" -- \
        curl -sS --max-time 50 --tftp-blksize 1468 -o "$out" "tftp://$url/ipxe.efi"
    fetch_ok "v$fam curl blksize 8192 (capped to MTU)" "$ROOT/ipxe.efi" "$out" -- \
        curl -sS --max-time 50 --tftp-blksize 8192 -o "$out" "tftp://$url/ipxe.efi"
    fetch_ok "v$fam curl exact multiple" "$ROOT/exact.bin" "$out" -- \
        curl -sS --max-time 50 --tftp-blksize 1024 -o "$out" "tftp://$url/exact.bin"
    # edk2: tsize probe, ERROR 8, then blksize 1468 windowsize 4
    fetch_ok "v$fam edk2 probe-abort-rerequest" "$ROOT/ipxe.efi" "$out" -- \
        $CLIENT $addr 69 ipxe.efi --probe-abort --opt blksize=1468 --opt windowsize=4 --out "$out"
    check "v$fam edk2 probe reported the size" grep -q "PROBE tsize=1500000" "$WORK/client.out"
    fetch_ok "v$fam raw client windowsize 64" "$ROOT/ipxe.efi" "$out" -- \
        $CLIENT $addr 69 ipxe.efi --opt blksize=1400 --opt windowsize=64 --opt tsize=0 --out "$out"
    check "v$fam OACK carried exactly the asked options" grep -q "OK 1500000 blksize=1400,tsize=1500000,windowsize=64" "$WORK/client.out"
done

# The veth MTU is 1500: 8192 must have been lowered to 1468 (v4) / 1448 (v6).
check "v4 blksize capped to 1468 by MTU" grep -q 'client=192.0.2.2:[0-9]* file="ipxe.efi" bytes=1500000 blksize=1468 windowsize=1 .*outcome=ok' "$WORK/server.log"
check "v6 blksize capped to 1448 by MTU" grep -q 'client=\[2001:db8::2\]:[0-9]* file="ipxe.efi" bytes=1500000 blksize=1448 windowsize=1 .*outcome=ok' "$WORK/server.log"
check "windowsize logged" grep -q 'blksize=1400 windowsize=64 .*outcome=ok' "$WORK/server.log"
check "edk2 size probe logged at debug" grep -q 'DEBUG transfer .*outcome=size-probe' "$WORK/server.log"
check "no size probe logged as a problem" bash -c "! grep -E 'WARN|ERROR' '$WORK/server.log' | grep -q size-probe"

# Malformed packets on port 69, while a slow lock-step transfer runs.
random_file "$ROOT/big.bin" 3000000
ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 192.0.2.1 69 big.bin --out "$WORK/big.out" >"$WORK/big.client" 2>&1 &
BIG=$!
PIDS+=("$BIG")
raw_expect() {  # what expected hex
    local reply
    reply=$(in_cli $CLIENT 192.0.2.1 69 --raw "$3" --timeout 0.5 2>&1)
    if [[ "$reply" == "$2"* ]]; then pass "$1"; else fail "$1: got '$reply'"; fi
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
raw_expect "one byte dropped" NOREPLY 00
raw_expect "empty opcode dropped" NOREPLY 0000
raw_expect "unknown opcode dropped" NOREPLY "0009$(hex x)00$(hex octet)00"
raw_expect "stray ACK dropped" NOREPLY 00040001
raw_expect "stray DATA dropped" NOREPLY "00030001$(hex abc)"
raw_expect "filename without NUL" "ERROR 4" "0001$(hex ipxe.efi)"
raw_expect "mode without NUL" "ERROR 4" "0001$(hex ipxe.efi)00$(hex octet)"
raw_expect "empty filename" "ERROR 4" "000100$(hex octet)00"
raw_expect "mail mode" "ERROR 4" "0001$(hex ipxe.efi)00$(hex mail)00"
raw_expect "duplicate option" "ERROR 8" "0001$(hex ipxe.efi)00$(hex octet)00$(hex blksize)00$(hex 512)00$(hex BLKSIZE)00$(hex 1024)00"
raw_expect "blksize 7" "ERROR 8" "0001$(hex ipxe.efi)00$(hex octet)00$(hex blksize)00$(hex 7)00"
raw_expect "blksize absurd" "ERROR 8" "0001$(hex ipxe.efi)00$(hex octet)00$(hex blksize)00$(hex 99999999999999999999999999)00"
raw_expect "windowsize 0" "ERROR 8" "0001$(hex ipxe.efi)00$(hex octet)00$(hex windowsize)00$(hex 0)00"
raw_expect "timeout 300" "ERROR 8" "0001$(hex ipxe.efi)00$(hex octet)00$(hex timeout)00$(hex 300)00"
raw_expect "directory" "ERROR 2" "0001$(hex dir)00$(hex octet)00"
raw_expect "missing file" "ERROR 1" "0001$(hex nothing.efi)00$(hex octet)00"
raw_expect "write request" "ERROR 2" "0002$(hex up.bin)00$(hex octet)00"
raw_expect "random bytes" NOREPLY "ffffffffffff"
check "2000 random packets sent" in_cli $CLIENT 192.0.2.1 69 --garbage 2000
wait "$BIG"
check "transfer next to garbage intact" same_sha "$ROOT/big.bin" "$WORK/big.out"
check "server survived" kill -0 "$MAIN_PID"
fetch_ok "still serving after garbage" "$ROOT/small.bin" "$WORK/after" -- tftp -4 -m binary 192.0.2.1 -c get small.bin "$WORK/after"

# Explicit listen addresses (no dual-stack socket), a custom port, and a cap of one transfer.
start_server "$WORK/explicit.log" --root "$ROOT" --listen 192.0.2.1:1069 --listen '[2001:db8::1]:1069' \
    --max-transfers 1 --timeout-ms 3000 --retries 1
fetch_ok "explicit v4 listen on 1069" "$ROOT/small.bin" "$WORK/e4" -- tftp -4 -m binary 192.0.2.1 1069 -c get small.bin "$WORK/e4"
fetch_ok "explicit v6 listen on 1069" "$ROOT/small.bin" "$WORK/e6" -- tftp -6 -m binary 2001:db8::1 1069 -c get small.bin "$WORK/e6"
# Occupy the single slot with an OACK nobody acknowledges, then ask again.
reply=$(in_cli $CLIENT 192.0.2.1 1069 --raw "0001$(hex small.bin)00$(hex octet)00$(hex tsize)003000" --timeout 1)
check "stalled request got an OACK" test "$reply" = "REPLY opcode=6"
reply=$(in_cli $CLIENT 2001:db8::1 1069 --raw "0001$(hex small.bin)00$(hex octet)00" --timeout 1)
if [[ "$reply" == "ERROR 0 server busy"* ]]; then pass "over the cap: error 0 busy"; else fail "over the cap: got '$reply'"; fi
check "busy refusal logged" grep -q 'error=0 .*server busy' "$WORK/explicit.log"

kill -USR1 "$MAIN_PID"
sleep 0.3
check "SIGUSR1 logs counters" grep -q 'counters requests=.* completed=[1-9]' "$WORK/server.log"
finish
