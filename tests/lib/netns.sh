# Network namespaces for the tests (sourced, bash): every test makes its own,
# with names unique to it, on the addresses the network rules allow
# (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32), and deletes them on exit.

# netns_add NS...: new namespaces with loopback up.
netns_add() {
    local ns
    for ns in "$@"; do
        ip netns add "$ns" || return 1
        ip -n "$ns" link set lo up || return 1
    done
}

# netns_veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces, IPv6
# duplicate address detection off on both ends (addresses are usable at
# once), both ends up.
netns_veth() {
    local ns_a=$1 if_a=$2 ns_b=$3 if_b=$4
    ip link add "$if_a" netns "$ns_a" type veth peer name "$if_b" netns "$ns_b" || return 1
    ip netns exec "$ns_a" sysctl -qw "net.ipv6.conf.$if_a.accept_dad=0" || return 1
    ip netns exec "$ns_b" sysctl -qw "net.ipv6.conf.$if_b.accept_dad=0" || return 1
    ip -n "$ns_a" link set "$if_a" up || return 1
    ip -n "$ns_b" link set "$if_b" up || return 1
}

# netns_addr NS IF ADDRESS/PREFIX...: IPv6 addresses without DAD.
netns_addr() {
    local ns=$1 ifc=$2 address
    shift 2
    for address in "$@"; do
        case "$address" in
        *:*) ip -n "$ns" addr add "$address" dev "$ifc" nodad || return 1 ;;
        *) ip -n "$ns" addr add "$address" dev "$ifc" || return 1 ;;
        esac
    done
}

# netns_del NS...: deletes them; quiet about ones already gone.
netns_del() {
    local ns
    for ns in "$@"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}
