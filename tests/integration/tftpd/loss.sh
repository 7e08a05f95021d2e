#!/usr/bin/env bash
# 50 concurrent transfers through a user-space relay that drops ~5 % of the
# datagrams in both directions, duplicates 1 % and delays 10 % by up to 30 ms
# (reordering them). Real clients (tftp-hpa, atftp with windowsize, curl) and
# the raw client with windowsize 16, over IPv4 and IPv6: every file must
# arrive intact. The server's retransmission timeout is lowered so the test
# stays short; loss recovery itself is the same code path.
# The relay spares the option handshake (OACK, ACK 0) from loss: atftp 0.8.0
# aborts with "unexpected OACK" when a server retransmits its OACK, whatever
# the server. OACK retransmission is covered by the unit tests.
source "$(dirname "$0")/lib.sh"
need tftp atftp curl python3 sha256sum ip
ROOT=$WORK/root
mkdir -p "$ROOT" "$WORK/out"
random_file "$ROOT/f96k" $((96 * 1024 + 7))
random_file "$ROOT/f512k" $((512 * 1024 + 300))
random_file "$ROOT/f256k" $((256 * 1024))
random_file "$ROOT/f16k" $((16 * 1024 + 1))
random_file "$ROOT/f1m" $((1024 * 1024 + 99))

setup_namespaces
start_server "$WORK/server.log" --root "$ROOT" --listen 127.0.0.1:69 --listen '[::1]:69' \
    --timeout-ms 200 --retries 12
ip netns exec "$NS_SRV" python3 "$HERE/relay.py" --seed $$ --lifetime 200 --spare-handshake \
    --map 192.0.2.1:69=127.0.0.1:69 --map '[2001:db8::1]:69=[::1]:69' >"$WORK/relay.out" 2>&1 &
RELAY=$!
PIDS+=("$RELAY")
for _ in $(seq 1 50); do grep -q "relay ready" "$WORK/relay.out" && break; sleep 0.1; done

CLIENT_PIDS=()
EXPECT=()
launch() {  # name source command... (runs in the client namespace, bounded)
    local name=$1 source=$2
    shift 2
    timeout 150 ip netns exec "$NS_CLI" "$@" >"$WORK/out/$name.log" 2>&1 &
    CLIENT_PIDS+=($!)
    PIDS+=($!)
    EXPECT+=("$name:$source")
}
for i in $(seq 1 10); do
    launch "hpa4-$i" f96k tftp -4 -m binary 192.0.2.1 -c get f96k "$WORK/out/hpa4-$i"
done
for i in $(seq 1 5); do
    launch "hpa6-$i" f96k tftp -6 -m binary 2001:db8::1 -c get f96k "$WORK/out/hpa6-$i"
done
for i in $(seq 1 10); do
    launch "atftp4-$i" f512k atftp --option "blksize 1468" --option "windowsize 8" -g -r f512k -l "$WORK/out/atftp4-$i" 192.0.2.1 69
done
for i in $(seq 1 10); do
    launch "atftp6-$i" f256k atftp --option "blksize 1024" --option "windowsize 4" --option "tsize 0" -g -r f256k -l "$WORK/out/atftp6-$i" 2001:db8::1 69
done
for i in $(seq 1 5); do
    launch "atftp4-plain-$i" f96k atftp -g -r f96k -l "$WORK/out/atftp4-plain-$i" 192.0.2.1 69
done
for i in $(seq 1 5); do
    launch "curl6-$i" f16k curl -sS --max-time 140 --tftp-blksize 1024 -o "$WORK/out/curl6-$i" "tftp://[2001:db8::1]/f16k"
done
for i in $(seq 1 5); do
    launch "raw-$i" f1m python3 "$HERE/tftpc.py" 2001:db8::1 69 f1m --opt blksize=1400 --opt windowsize=16 \
        --timeout 0.3 --deadline 140 --out "$WORK/out/raw-$i"
done
check "50 transfers launched" test "${#EXPECT[@]}" = 50
for pid in "${CLIENT_PIDS[@]}"; do
    wait "$pid"
done
intact=0
for entry in "${EXPECT[@]}"; do
    name=${entry%%:*}
    source=${entry#*:}
    if same_sha "$ROOT/$source" "$WORK/out/$name"; then
        intact=$((intact + 1))
    else
        fail "$name ($source) damaged or missing: $(tail -c 300 "$WORK/out/$name.log" | tr "\n" " ") size=$(stat -c %s "$WORK/out/$name" 2>/dev/null)"
    fi
done
check "all 50 transfers intact through the lossy relay ($intact)" test "$intact" = 50
kill "$RELAY"
for _ in $(seq 1 30); do kill -0 "$RELAY" 2>/dev/null || break; sleep 0.1; done
echo "relay: $(tail -1 "$WORK/relay.out")"
dropped=$(grep -o 'dropped=[0-9]*' "$WORK/relay.out" | cut -d= -f2)
delayed=$(grep -o 'delayed=[0-9]*' "$WORK/relay.out" | cut -d= -f2)
check "the relay really dropped packets (${dropped:-none})" test "${dropped:-0}" -gt 50
check "the relay really reordered packets (${delayed:-none})" test "${delayed:-0}" -gt 100
check "server retransmitted" grep -q 'retransmissions=[1-9]' "$WORK/server.log"
check "server still alive" kill -0 "$SERVER_PID"
finish
