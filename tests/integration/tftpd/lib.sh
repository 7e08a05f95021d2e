# Shared helpers for the netboot-tftpd integration tests (sourced, bash).
# Each test gets namespaces named after its PID and removes them, and every
# process it started, in an EXIT trap, pass or fail.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/netns.sh"
set -uo pipefail

BUILD_DIR=${NETBOOT_BUILD_DIR:?run through ctest (NETBOOT_BUILD_DIR unset)}
SOURCE_DIR=${NETBOOT_SOURCE_DIR:?run through ctest (NETBOOT_SOURCE_DIR unset)}
TFTPD=$BUILD_DIR/tftpd/netboot-tftpd
HERE=$SOURCE_DIR/tests/integration/tftpd
NS_SRV=nbt-$$-srv
NS_CLI=nbt-$$-cli
VETH_SRV=nbt$$s
VETH_CLI=nbt$$c
WORK=$(mktemp -d /tmp/nbt-tftpd-XXXXXX)
PIDS=()
FAILURES=0
CHECKS=0

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        # bounded wait, then force
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
    netns_del "$NS_CLI" "$NS_SRV"
    if [ "$FAILURES" -ne 0 ] && [ -n "${SERVER_LOG:-}" ] && [ -f "$SERVER_LOG" ]; then
        echo "---- server log (last 40 lines) ----"
        tail -n 40 "$SERVER_LOG"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

need() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "FAIL: required tool '$tool' is missing (install .ci/packages/tftpd.txt)"
            exit 1
        fi
    done
}

pass() { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL $*"; }

# check "what" command...: the command must succeed
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

finish() {
    echo "$CHECKS checks, $FAILURES failed"
    [ "$CHECKS" -gt 0 ] && [ "$FAILURES" -eq 0 ]
    exit $?
}

in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

# Two namespaces joined by a veth pair (MTU 1500):
#   srv 192.0.2.1/24 2001:db8::1/64  <->  cli 192.0.2.2/24 2001:db8::2/64
setup_namespaces() {
    [ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root for network namespaces"; exit 1; }
    netns_add "$NS_SRV" "$NS_CLI" || exit 1
    netns_veth "$NS_SRV" "$VETH_SRV" "$NS_CLI" "$VETH_CLI" || exit 1
    netns_addr "$NS_SRV" "$VETH_SRV" 192.0.2.1/24 2001:db8::1/64 || exit 1
    netns_addr "$NS_CLI" "$VETH_CLI" 192.0.2.2/24 2001:db8::2/64 || exit 1
    local i
    for i in $(seq 1 50); do
        if in_cli ip -o link show "$VETH_CLI" | grep -q 'state UP' &&
            in_srv ip -o link show "$VETH_SRV" | grep -q 'state UP'; then
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: namespaces did not come up"
    exit 1
}

# start_server LOG args...: runs netboot-tftpd in the server namespace and
# waits (bounded) until it listens. Sets SERVER_PID.
start_server() {
    SERVER_LOG=$1
    shift
    # ip netns exec execs the server, so $! is the server's own PID.
    ip netns exec "$NS_SRV" "$TFTPD" "$@" >/dev/null 2>"$SERVER_LOG" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    local i
    for i in $(seq 1 50); do
        if grep -q "listening on" "$SERVER_LOG" 2>/dev/null; then
            sleep 0.1
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL: server did not start:"
    cat "$SERVER_LOG"
    exit 1
}

# random_file PATH SIZE_BYTES
random_file() {
    head -c "$2" /dev/urandom >"$1"
}

same_sha() {
    local a b
    a=$(sha256sum <"$1" | cut -d' ' -f1)
    b=$(sha256sum <"$2" 2>/dev/null | cut -d' ' -f1)
    [ -n "$a" ] && [ "$a" = "$b" ]
}
