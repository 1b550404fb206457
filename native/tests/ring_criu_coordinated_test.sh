# The coordinated checkpoint protocol on real processes, as the agents run it: three ring ranks,
# each in a network namespace of its own with its own address on a shared bridge (198.18.20.0/24),
# are all network-locked, then all dumped (stop mode), then their namespaces are deleted. Fresh
# namespaces with the same addresses are created locked, every rank is restored into its own
# (into new state directories, as on other nodes), and only then all are unlocked. The ring goes on
# where it stopped: every round exactly once across the checkpoint, and the right final sum.
source "$(dirname "$0")/test_lib.sh"
require_criu
: "${RING:?}"

source "$(dirname "$0")/rank_network_lib.sh"
subnet="198.18.20"
if ip -br -4 addr | grep -q " $subnet\."; then fail "$subnet.0/24 is in use on this host"; fi
create_fabric
tag="$FABRIC_TAG"

rank0_round_at_least() {
  [ "$(rounds_seen "$WORK/a0/stdout.log" | tail -n 1)" -ge "$1" ] 2>/dev/null
}

rounds=40
peers="$subnet.10:7100,$subnet.11:7100,$subnet.12:7100"
for rank in 0 1 2; do
  fabric_namespace "cr$tag-a$rank" "$subnet.1$rank"
  in_netns "cr$tag-a$rank" "$SHIM" launch --state-dir "$WORK/a$rank" -- \
    "$RING" --rank "$rank" --size 3 --peers "$peers" --rounds "$rounds" --hop-ms 40
  started_job "$WORK/a$rank"
done
wait_until 30 rank0_round_at_least 5 || fail "the ring did not get going: $(cat "$WORK"/a*/stdout.log)"

# 1. lock every rank, 2. dump every rank, 3. the old copies go with their namespaces.
for rank in 0 1 2; do lock "cr$tag-a$rank"; done
for rank in 0 1 2; do
  in_netns "cr$tag-a$rank" "$SHIM" dump --state-dir "$WORK/a$rank" --images "$WORK/img$rank" --criu "$CRIU" >/dev/null \
    || fail "dump of rank $rank failed"
done
at_dump="$(rounds_seen "$WORK/a0/stdout.log" | tail -n 1)"
[ "$at_dump" -lt "$rounds" ] || fail "the ring finished before the checkpoint"
for rank in 0 1 2; do delete_namespace "cr$tag-a$rank"; done
[ -z "$(ip -br link show master "$FABRIC_BRIDGE")" ] || fail "old ranks are still on the bridge: $(ip -br link show master "$FABRIC_BRIDGE")"

# 4. fresh locked namespaces with the same addresses, 5. restore every rank, 6. unlock every rank.
for rank in 0 1 2; do fabric_namespace "cr$tag-b$rank" "$subnet.1$rank" locked; done
for rank in 0 1 2; do
  in_netns "cr$tag-b$rank" "$SHIM" restore --state-dir "$WORK/b$rank" --images "$WORK/img$rank" --criu "$CRIU" \
    || fail "restore of rank $rank failed: $(cat "$WORK/img$rank/restore.log" 2>/dev/null | grep -i error | head -5)"
  started_job "$WORK/b$rank"
done
for rank in 0 1 2; do unlock "cr$tag-b$rank"; done

for rank in 0 1 2; do
  wait_until 60 test -e "$WORK/b$rank/exit" || fail "rank $rank did not finish after the restore: $(tail -n 3 "$WORK/b$rank/stdout.log")"
  expect_eq "$(cat "$WORK/b$rank/exit")" "exited 0" "rank $rank's exit after the restore ($(tail -n 2 "$WORK/b$rank/stdout.log"))"
done
expect_eq "$(tail -n 1 "$WORK/b0/stdout.log")" "rank 0 done rounds $rounds value $((rounds * 6))" "the ring's result"
expect_eq "$(rounds_seen "$WORK/a0/stdout.log" "$WORK/b0/stdout.log" | tr '\n' ' ')" "$(seq 1 "$rounds" | tr '\n' ' ')" \
  "rounds rank 0 saw across the checkpoint (dumped at round $at_dump)"
echo "coordinated checkpoint of a TCP ring, restored in fresh namespaces: ok"
