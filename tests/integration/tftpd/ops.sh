#!/usr/bin/env bash
# Operations: -t on good and bad configs (errors name the field), a config
# file with comments and remap rules, privilege drop to "nobody" after binding
# port 69, SIGHUP reload (and a failed reload keeping the old config),
# SIGUSR1 counters, SIGTERM clean stop.
source "$(dirname "$0")/lib.sh"
need tftp python3 sha256sum ip
chmod 755 "$WORK"
A=$WORK/root-a
B=$WORK/root-b
mkdir -p "$A/bios/cfg" "$A/hosts/192.0.2.2" "$B"
echo "A ipxe" >"$A/ipxe.efi"
echo "B ipxe" >"$B/ipxe.efi"
echo "pxelinux default" >"$A/bios/cfg/default"
echo "hello 192.0.2.2" >"$A/hosts/192.0.2.2/hello"
chmod -R a+rX "$A" "$B"

write_config() {  # root extra-field
    cat >"$WORK/tftpd.json" <<JSON
# netboot-tftpd test configuration
{
  // Kea-style comments are allowed
  "netboot-tftpd": {
    "root": "$1",
    "listen": [ "[::]:69" ],
    "user": "nobody",           /* drop root after binding */
    "max-transfers": 100,
    "remap": [
      { "match": "^pxelinux\\\\.cfg/(.*)$", "replace": "bios/cfg/\$1" },
      { "match": "^hello$", "replace": "hosts/{client}/hello", "clients": [ "192.0.2.0/24" ] }
    ]$2
  }
}
JSON
}

write_config "$A" ""
out=$("$TFTPD" -t -c "$WORK/tftpd.json" 2>&1)
check "-t accepts the config ($out)" test $? -eq 0
write_config "$A" ', "max-windowsize": 0'
out=$("$TFTPD" -t -c "$WORK/tftpd.json" 2>&1)
code=$?
if [ $code -eq 1 ] && [[ "$out" == *"tftpd.json:"*": netboot-tftpd.max-windowsize: "* ]]; then pass "-t names the bad field: $out"; else fail "-t bad field: rc=$code '$out'"; fi
write_config "$WORK/missing" ""
out=$("$TFTPD" -t -c "$WORK/tftpd.json" 2>&1)
code=$?
if [ $code -eq 1 ] && [[ "$out" == *"missing"* ]]; then pass "-t refuses a missing root"; else fail "-t missing root: rc=$code '$out'"; fi
out=$("$TFTPD" --bogus 2>&1)
check "unknown flag refused" test $? -eq 1
check "--help documents the flags" bash -c "'$TFTPD' --help | grep -q -- '--listen ADDR:PORT'"

setup_namespaces
write_config "$A" ""
start_server "$WORK/server.log" -c "$WORK/tftpd.json"
uid=$(awk '/^Uid:/ {print $2}' /proc/"$SERVER_PID"/status)
check "privileges dropped to nobody (uid $uid)" test "$uid" = "$(id -u nobody)"

get() {  # name family addr remote
    rm -f "$WORK/$1"
    timeout 20 ip netns exec "$NS_CLI" tftp -"$2" -m binary "$3" -c get "$4" "$WORK/$1" >/dev/null 2>&1
}
get a1 4 192.0.2.1 ipxe.efi
check "serves root A after dropping privileges" same_sha "$A/ipxe.efi" "$WORK/a1"
get r1 6 2001:db8::1 pxelinux.cfg/default
check "remap rule with a group" same_sha "$A/bios/cfg/default" "$WORK/r1"
get r2 4 192.0.2.1 hello
check "remap rule with the client address" same_sha "$A/hosts/192.0.2.2/hello" "$WORK/r2"
get r3 6 2001:db8::1 hello
check "remap rule limited to IPv4 clients does not apply to IPv6" test ! -s "$WORK/r3"

write_config "$B" ""
kill -HUP "$SERVER_PID"
for _ in $(seq 1 30); do grep -q " RELOADED root $B," "$WORK/server.log" && break; sleep 0.1; done
check "SIGHUP reloaded" grep -q " RELOADED root $B, 1 listen address" "$WORK/server.log"
get b1 6 2001:db8::1 ipxe.efi
check "serves root B after the reload" same_sha "$B/ipxe.efi" "$WORK/b1"

echo "{ broken" >"$WORK/tftpd.json"
kill -HUP "$SERVER_PID"
for _ in $(seq 1 30); do grep -q "RELOAD_FAILED" "$WORK/server.log" && break; sleep 0.1; done
check "broken reload reported" grep -q "RELOAD_FAILED keeping the running configuration: " "$WORK/server.log"
get b2 4 192.0.2.1 ipxe.efi
check "still serves root B after a failed reload" same_sha "$B/ipxe.efi" "$WORK/b2"

kill -USR1 "$SERVER_PID"
for _ in $(seq 1 30); do grep -q "counters requests=" "$WORK/server.log" && break; sleep 0.1; done
check "SIGUSR1 counters" grep -q "counters requests=6 started=5 completed=5 .* refused-not-found=1" "$WORK/server.log"

# The same request twice from one client port (its answer was late): one
# transfer, answered from one port (two made curl stall under loss).
out=$(timeout 20 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 192.0.2.1 69 ipxe.efi --repeat-request --timeout 1.5)
check "a repeated request is answered by one transfer ($out)" test "$out" = "TRANSFER-PORTS 1"
kill -USR1 "$SERVER_PID"
for _ in $(seq 1 30); do grep -q "duplicate-requests=1" "$WORK/server.log" && break; sleep 0.1; done
check "the repeat counted as a duplicate request" grep -q "counters requests=8 started=6 .* duplicate-requests=1" "$WORK/server.log"

kill -TERM "$SERVER_PID"
for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops the server" bash -c "! kill -0 $SERVER_PID 2>/dev/null"
wait "$SERVER_PID"
check "exit status 0 after SIGTERM" test $? -eq 0
check "stop logged" grep -q "STOPPING on Terminated" "$WORK/server.log"

# Uploads: only when enabled, only new plain names in the upload directory.
UP=$WORK/uploads
mkdir -p "$UP"
random_file "$WORK/up.bin" 300000
random_file "$WORK/up6.bin" 200000
random_file "$WORK/huge.bin" 1500000
start_server "$WORK/upload.log" --root "$A" --listen 192.0.2.1:1069 --listen '[2001:db8::1]:1069' \
    --upload-dir "$UP" --upload-max-bytes 1000000
put() {  # expected-substring local remote [family addr] [extra atftp options...]
    (cd "$WORK" && timeout 30 ip netns exec "$NS_CLI" tftp -4 -m binary 192.0.2.1 1069 -c put "$2" "$3" 2>&1)
}
msg=$(put "" up.bin up.bin)
check "tftp-hpa v4 upload lands intact" same_sha "$WORK/up.bin" "$UP/up.bin"
(cd "$WORK" && timeout 30 ip netns exec "$NS_CLI" atftp --option "blksize 1024" --option "tsize 200000" \
    -p -l up6.bin -r up6.bin 2001:db8::1 1069 >/dev/null 2>&1)
check "atftp v6 upload with blksize and tsize lands intact" same_sha "$WORK/up6.bin" "$UP/up6.bin"
msg=$(put "" up.bin up.bin)
if [[ "$msg" == *"Error code 6"* ]]; then pass "existing name refused with error 6"; else fail "overwrite: '$msg'"; fi
check "existing upload untouched" same_sha "$WORK/up.bin" "$UP/up.bin"
msg=$(put "" up.bin ../escape.bin)
if [[ "$msg" == *"Error code 2"* ]] && [ ! -e "$WORK/escape.bin" ]; then pass "upload outside the directory refused"; else fail "upload escape: '$msg'"; fi
msg=$(put "" up.bin sub/dir.bin)
if [[ "$msg" == *"Error code 2"* ]]; then pass "upload into a subdirectory refused"; else fail "upload subdir: '$msg'"; fi
ln -s "$WORK/target" "$UP/link.bin"
msg=$(put "" up.bin link.bin)
if [[ "$msg" == *"Error code 6"* ]] && [ ! -e "$WORK/target" ]; then pass "upload onto a symlink refused"; else fail "upload symlink: '$msg'"; fi
msg=$(put "" huge.bin huge.bin)
if [[ "$msg" == *"Error code 3"* ]] && [ ! -e "$UP/huge.bin" ]; then pass "oversized upload refused and removed"; else fail "oversized: '$msg' $(ls "$UP")"; fi
# A DATA packet larger than the block size is not a block: ignored, never cut
# to size and written (the receive buffer once held exactly blksize + 4).
oversized=$(timeout 20 ip netns exec "$NS_CLI" python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"\x00\x02over.bin\x00octet\x00", ("192.0.2.1", 1069))
ack, tid = s.recvfrom(100)
assert ack[:4] == b"\x00\x04\x00\x00", ack
s.sendto(b"\x00\x03\x00\x01" + b"x" * 513, tid)
s.settimeout(1.5)
try:
    while True:  # the server's own ACK 0 retransmission is fine; ACK 1 is not
        answer = s.recvfrom(100)[0][:4]
        if answer != b"\x00\x04\x00\x00":
            raise SystemExit(print("answered the oversized block:", answer.hex()))
except socket.timeout:
    pass
s.settimeout(2)
s.sendto(b"\x00\x03\x00\x01" + b"y" * 100, tid)
answer = s.recvfrom(100)[0][:4]
while answer == b"\x00\x04\x00\x00":
    answer = s.recvfrom(100)[0][:4]
print("final ack", answer.hex())
PY
)
sleep 0.2
if [ "$oversized" = "final ack 00040001" ] && [ "$(stat -c %s "$UP/over.bin" 2>/dev/null)" = 100 ]; then
    pass "oversized DATA block ignored, the real block written"
else
    fail "oversized DATA block: '$oversized', over.bin $(stat -c %s "$UP/over.bin" 2>&1) bytes"
fi
check "uploads logged" grep -q 'upload client=192.0.2.2:[0-9]* file="upload/up.bin" bytes=300000 .*outcome=ok' "$WORK/upload.log"
finish
