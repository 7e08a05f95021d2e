#!/usr/bin/env bash
# Every way out of the root must be refused, and not one byte of the secret
# outside the root may reach a client: "..", absolute paths, symlinks out,
# device files, FIFOs, directories, writes; plus the allow-list and the
# case-insensitive fallback (which must not open a new way out).
source "$(dirname "$0")/lib.sh"
need tftp curl python3 sha256sum ip mknod mkfifo
CLIENT="python3 $HERE/tftpc.py"

ROOT=$WORK/root
mkdir -p "$ROOT/dir" "$ROOT/etc" "$ROOT/Boot"
echo "SECRET-OUTSIDE-ROOT" >"$WORK/secret"
chmod 644 "$WORK/secret"
random_file "$ROOT/ipxe.efi" 70000
echo "decoy passwd inside the root" >"$ROOT/etc/passwd"
echo "bcd" >"$ROOT/Boot/BCD"
ln -s ipxe.efi "$ROOT/inside-link"
ln -s ../secret "$ROOT/relative-escape"
ln -s "$WORK/secret" "$ROOT/absolute-escape"
ln -s /etc "$ROOT/etc-link"
ln -s .. "$ROOT/up"
mknod "$ROOT/null" c 1 3
mknod "$ROOT/zero" c 1 5
mkfifo "$ROOT/fifo"

setup_namespaces
start_server "$WORK/server.log" --root "$ROOT"

# expect_code what code request: exact TFTP error code from the raw client,
# and no file written.
expect_code() {
    local what=$1 code=$2 request=$3 reply
    rm -f "$WORK/leak"
    reply=$(timeout 20 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 192.0.2.1 69 "$request" --out "$WORK/leak" --deadline 10 2>&1)
    if [[ "$reply" == "ERROR $code "* ]] && [ ! -e "$WORK/leak" ]; then
        pass "$what -> error $code"
    else
        fail "$what: expected error $code, got '$reply'"
    fi
}

expect_code "dot-dot" 2 "../secret"
expect_code "dot-dot inside a path" 2 "dir/../../secret"
expect_code "dot-dot that stays inside" 2 "dir/../ipxe.efi"
expect_code "backslash dot-dot" 2 '..\secret'
expect_code "leading slash dot-dot" 2 "/../secret"
expect_code "absolute path outside the root" 1 "$WORK/secret"
expect_code "absolute /etc/shadow" 1 "/etc/shadow"
expect_code "symlink to ../" 2 "relative-escape"
expect_code "symlink to an absolute path" 2 "absolute-escape"
expect_code "through a symlinked /etc" 2 "etc-link/passwd"
expect_code "through a symlink to .." 2 "up/secret"
expect_code "character device null" 2 "null"
expect_code "character device zero" 2 "zero"
expect_code "FIFO" 2 "fifo"
expect_code "directory" 2 "dir"
expect_code "the root itself" 2 "/"
expect_code "dot" 2 "."
expect_code "missing file" 1 "nothing.efi"
expect_code "case differs, fallback off" 1 "boot/bcd"

# A FIFO must not have blocked the server: the next download is immediate.
rm -f "$WORK/ok"
check "served right after the FIFO request" timeout 10 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 192.0.2.1 69 ipxe.efi --out "$WORK/ok"
check "that download is intact" same_sha "$ROOT/ipxe.efi" "$WORK/ok"

# Absolute paths are relative to the root: /etc/passwd is the decoy.
rm -f "$WORK/passwd"
timeout 20 ip netns exec "$NS_CLI" tftp -4 -m binary 192.0.2.1 -c get /etc/passwd "$WORK/passwd" >/dev/null 2>&1
check "/etc/passwd is the root's decoy" same_sha "$ROOT/etc/passwd" "$WORK/passwd"
rm -f "$WORK/link"
timeout 20 ip netns exec "$NS_CLI" tftp -6 -m binary 2001:db8::1 -c get inside-link "$WORK/link" >/dev/null 2>&1
check "symlink within the root is served" same_sha "$ROOT/ipxe.efi" "$WORK/link"

# The same refusals through the real clients.
for request in ../secret relative-escape absolute-escape etc-link/passwd null fifo dir; do
    rm -f "$WORK/real"
    msg=$(timeout 20 ip netns exec "$NS_CLI" tftp -4 -m binary 192.0.2.1 -c get "$request" "$WORK/real" 2>&1)
    if [[ "$msg" == *"Error code 2"* ]] && ! grep -qs SECRET "$WORK/real"; then
        pass "tftp-hpa $request -> error 2"
    else
        fail "tftp-hpa $request: '$msg'"
    fi
done
timeout 20 ip netns exec "$NS_CLI" curl -sS --max-time 10 -o "$WORK/real" "tftp://[2001:db8::1]/absolute-escape" >/dev/null 2>&1
code=$?
if [ "$code" = 69 ]; then pass "curl v6 symlink out -> access violation (69)"; else fail "curl v6 symlink out: exit $code"; fi

# Writes are refused and create nothing.
echo "upload" >"$WORK/upload.txt"
msg=$(cd "$WORK" && timeout 20 ip netns exec "$NS_CLI" tftp -4 -m binary 192.0.2.1 -c put upload.txt 2>&1)
if [[ "$msg" == *"Error code 2"* ]] && [ ! -e "$ROOT/upload.txt" ]; then pass "WRQ -> error 2"; else fail "WRQ: '$msg'"; fi

check "no secret bytes in any refusal log" bash -c "! grep -q SECRET-OUTSIDE '$WORK/server.log'"
check "escapes logged as access violations" grep -q 'file="../secret" error=2' "$WORK/server.log"

# Allow-list: only 198.51.100.0/24 may fetch; our client is 192.0.2.2.
start_server "$WORK/allow.log" --root "$ROOT" --listen 192.0.2.1:1069 --allow 198.51.100.0/24 --allow 2001:db8::2/128
reply=$(timeout 10 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 192.0.2.1 1069 ipxe.efi 2>&1)
if [[ "$reply" == "ERROR 2 client not allowed"* ]]; then pass "client outside allow-list refused"; else fail "allow-list: '$reply'"; fi

# Case-insensitive fallback serves BOOT\bcd but still refuses the escapes.
start_server "$WORK/case.log" --root "$ROOT" --listen '[2001:db8::1]:1070' --case-insensitive
rm -f "$WORK/bcd"
reply=$(timeout 10 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 2001:db8::1 1070 'BOOT\bcd' --out "$WORK/bcd" 2>&1)
check "case-insensitive fallback finds Boot/BCD" same_sha "$ROOT/Boot/BCD" "$WORK/bcd"
reply=$(timeout 10 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 2001:db8::1 1070 'ETC-LINK/PASSWD' 2>&1)
if [[ "$reply" == "ERROR 2 "* ]]; then pass "case-insensitive symlink escape refused"; else fail "case-insensitive escape: '$reply'"; fi
reply=$(timeout 10 ip netns exec "$NS_CLI" python3 "$HERE/tftpc.py" 2001:db8::1 1070 'ABSOLUTE-ESCAPE' 2>&1)
if [[ "$reply" == "ERROR 2 "* ]]; then pass "case-insensitive absolute symlink refused"; else fail "case-insensitive absolute: '$reply'"; fi
finish
