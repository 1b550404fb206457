# Shared by the distributed tests (after test_lib.sh): a bridge as the fabric, namespaces on it with
# one address each ("nodes" or ranks), and the network lock the agents use. Everything is named
# with this test's PID and removed at exit with the test's processes.
FABRIC_TAG="$(( $$ % 10000 ))"
FABRIC_BRIDGE="cfb$FABRIC_TAG"
FABRIC_NAMESPACES=()
FABRIC_VETHS=0

# The veth goes explicitly: a namespace outlives `ip netns del` while a killed rank's locked sockets
# still retransmit in it, and its eth0 would keep the rank's address on the bridge.
delete_namespace() {
  ip -n "$1" link del eth0 2>/dev/null || true
  ip netns del "$1"
}

remove_fabric() {
  local ns
  for ns in "${FABRIC_NAMESPACES[@]}"; do delete_namespace "$ns" 2>/dev/null || true; done
  ip link del "$FABRIC_BRIDGE" 2>/dev/null || true
}

create_fabric() {
  trap 'cleanup; remove_fabric' EXIT
  ip link add "$FABRIC_BRIDGE" type bridge
  ip link set "$FABRIC_BRIDGE" up
}

in_netns() {
  local ns="$1"
  shift
  nsenter --net="/run/netns/$ns" "$@"
}

# The network lock: every packet in and out of the namespace is dropped, except on loopback (CRIU
# itself talks over loopback as it starts); rules of our own, which CRIU's own lock (added and
# removed by each dump and restore) leaves alone. lock_rule -I|-D NAMESPACE.
lock_rule() {
  in_netns "$2" iptables -w "$1" INPUT ! -i lo -m comment --comment caas-rank-lock -j DROP
  in_netns "$2" iptables -w "$1" OUTPUT ! -o lo -m comment --comment caas-rank-lock -j DROP
}
lock() { lock_rule -I "$1"; }
unlock() { lock_rule -D "$1"; }

# fabric_namespace NAME ADDRESS [locked]: a namespace whose eth0 is on the bridge at ADDRESS/24.
fabric_namespace() {
  local ns="$1" address="$2" outside="cfv${FABRIC_TAG}n$FABRIC_VETHS"
  FABRIC_VETHS=$((FABRIC_VETHS + 1))
  ip netns add "$ns"
  FABRIC_NAMESPACES+=("$ns")
  ip link add "$outside" type veth peer name "${outside}i"
  ip link set "$outside" master "$FABRIC_BRIDGE" up
  ip link set "${outside}i" netns "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "${outside}i" name eth0
  ip -n "$ns" addr add "$address/24" dev eth0
  [ "${3:-}" != locked ] || lock "$ns"
  ip -n "$ns" link set eth0 up
}

# The rounds rank 0 printed ("rank 0 round <k> ...") in the given output files, one a line.
rounds_seen() {
  { grep -h "^rank 0 round " "$@" 2>/dev/null || true; } | awk '{print $4}'
}
