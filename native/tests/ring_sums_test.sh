# Three ring ranks on loopback pass the token 5 rounds: every rank sees exactly the values it
# expects, reports progress, and rank 0 ends with 5 * (1+2+3) = 30. Bad input is refused.
source "$(dirname "$0")/test_lib.sh"
: "${RING:?}"
start_sink

peers="127.0.0.1:17101,127.0.0.1:17102,127.0.0.1:17103"
pids=()
for rank in 0 1 2; do
  CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID="job-r$rank" \
    "$RING" --rank "$rank" --size 3 --peers "$peers" --rounds 5 --hop-ms 0 >"$WORK/rank$rank" 2>&1 &
  pids+=($!)
  started $!
done
for rank in 0 1 2; do
  wait "${pids[$rank]}" || fail "rank $rank exited $?: $(cat "$WORK/rank$rank")"
done
expect_eq "$(tail -n 1 "$WORK/rank0")" "rank 0 done rounds 5 value 30" "rank 0's result"
expect_eq "$(tail -n 1 "$WORK/rank1")" "rank 1 done rounds 5 value 25" "rank 1's last token"
expect_eq "$(grep -c ' round ' "$WORK/rank2")" 5 "tokens rank 2 received"
wait_until 2 test "$(grep -c 'job-r0 progress' "$SINK_OUTPUT")" -ge 5 || fail "rank 0's progress is missing"
expect_eq "$(grep 'job-r0 progress' "$SINK_OUTPUT" | tail -n 1)" "caas1 job-r0 progress 1.000000 round 5 of 5" "rank 0's last progress"

# Environment instead of options, as the platform starts ranks; a port of its own for each rank.
CAAS_RANK=0 CAAS_RANKS=2 CAAS_RANK_ADDRESSES="127.0.0.1:17111,127.0.0.1:17112" "$RING" --rounds 2 --hop-ms 0 >"$WORK/env0" 2>&1 &
env0=$!
started $env0
CAAS_RANK=1 CAAS_RANKS=2 CAAS_RANK_ADDRESSES="127.0.0.1:17111,127.0.0.1:17112" "$RING" --rounds 2 --hop-ms 0 >"$WORK/env1" 2>&1
wait "$env0" || fail "rank 0 from the environment failed: $(cat "$WORK/env0")"
expect_eq "$(tail -n 1 "$WORK/env0")" "rank 0 done rounds 2 value 6" "result from environment options"

refused() {
  set +e
  "$RING" "$@" >/dev/null 2>"$WORK/err"
  local code=$?
  set -e
  expect_eq "$code" 2 "exit code for $*"
}
refused --rank 3 --size 3 --peers "$peers"
expect_eq "$(head -n 1 "$WORK/err")" "ring: rank 3 does not fit a ring of 3 (at most 64)" "message for a rank outside the ring"
refused --rank 0 --size 2 --peers "$peers"
expect_eq "$(head -n 1 "$WORK/err")" "ring: 3 peers given for a ring of 2" "message for a wrong peer count"
refused --rank 0 --size 2 --peers "127.0.0.1:1,localhost:2"
expect_eq "$(head -n 1 "$WORK/err")" "ring: 'localhost:2' is not an IPv4 ADDRESS[:PORT]" "message for a bad address"
refused --rank 0 --size 2 --peers "$peers" --rounds 0
expect_eq "$(head -n 1 "$WORK/err")" "ring: --rounds needs a whole number >= 1, got '0'" "message for zero rounds"
echo "ring sums: ok"
