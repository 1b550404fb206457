# A job holding an established TCP connection, in its own network namespace (entered with
# nsenter for launch, dump and restore, as the agent does), is dumped in stop mode and restored:
# the connection goes on with no gap and no repeat.
source "$(dirname "$0")/test_lib.sh"
require_criu
: "${TCP_PAIR:?}"

netns="caas-native-test-$$"
ip netns add "$netns"
trap 'cleanup; ip netns del "$netns" 2>/dev/null || true' EXIT
ip -n "$netns" link set lo up
in_netns() {
  nsenter --net="/run/netns/$netns" "$@"
}

state="$WORK/job"
in_netns "$SHIM" launch --state-dir "$state" -- "$TCP_PAIR" 7000
started_job "$state"
wait_until 10 count_at_least "$state/stdout.log" 5 || fail "the TCP pair exchanges nothing"

in_netns "$SHIM" dump --state-dir "$state" --images "$WORK/images" --criu "$CRIU" >/dev/null
expect_eq "$(cat "$state/exit")" checkpointed "exit file after the dump"
at_dump="$(last_count "$state/stdout.log")"

in_netns "$SHIM" restore --state-dir "$state" --images "$WORK/images" --criu "$CRIU"
started_job "$state"
wait_until 10 count_at_least "$state/stdout.log" $((at_dump + 10)) || fail "the restored connection carries nothing"
expect_eq "$(awk '{print $2}' "$state/stdout.log" | head -n $((at_dump + 11)) | tr '\n' ' ')" \
  "$(seq 0 $((at_dump + 10)) | tr '\n' ' ')" "messages across the checkpoint"
kill -TERM "$(cat "$state/pid")"
wait_until 5 test -e "$state/exit" || fail "no exit file after SIGTERM"
echo "CRIU TCP connection across a checkpoint: ok"
