# A stop-mode dump ends the job and records "checkpointed" (not a misleading exit); the image then
# restores into fresh state directories, twice side by side, each copy continuing from the dump.
source "$(dirname "$0")/test_lib.sh"
require_criu

state="$WORK/job"
images="$WORK/images"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 20
started_job "$state"
wait_until 10 count_at_least "$state/stdout.log" 8 || fail "counter did not count"

"$SHIM" dump --state-dir "$state" --images "$images" --criu "$CRIU" >"$WORK/dump.out"
grep -Eq '^pause_ms=[0-9]+ dump_ms=[0-9]+$' "$WORK/dump.out" || fail "dump printed '$(cat "$WORK/dump.out")'"
at_dump="$(last_count "$state/stdout.log")"
expect_eq "$(cat "$state/exit")" "checkpointed" "exit file after a stop-mode dump"
process_gone "$(cat "$state/pid")" || fail "the job still runs after a stop-mode dump"
sleep 0.5
expect_eq "$(cat "$state/exit")" "checkpointed" "exit file once the supervisor has seen the job end"
expect_eq "$(last_count "$state/stdout.log")" "$at_dump" "no output after a stop-mode dump"

set +e
"$SHIM" dump --state-dir "$state" --images "$WORK/again" --criu "$CRIU" 2>"$WORK/err"
code=$?
set -e
[ "$code" -ne 0 ] || fail "dumping a checkpointed job succeeded"
expect_eq "$(cat "$WORK/err")" "caas-shim: the job in $state is not running (checkpointed)" "dump of a stopped job"

for copy in a b; do
  "$SHIM" restore --state-dir "$WORK/$copy" --images "$images" --criu "$CRIU"
  started_job "$WORK/$copy"
done
[ "$(cat "$WORK/a/pid")" != "$(cat "$WORK/b/pid")" ] || fail "both copies have one PID"
for copy in a b; do
  wait_until 10 count_at_least "$WORK/$copy/stdout.log" $((at_dump + 5)) || fail "copy $copy does not count on"
  first="$(head -n 1 "$WORK/$copy/stdout.log" | awk '{print $2}')"
  [ "$first" -ge "$at_dump" ] && [ "$first" -le $((at_dump + 1)) ] \
    || fail "copy $copy started at $first, dump was at $at_dump"
done

# A restored job can be checkpointed again and keeps its new output pipes.
"$SHIM" dump --state-dir "$WORK/a" --images "$WORK/images-a" --criu "$CRIU" --leave-running >/dev/null
wait_until 5 count_at_least "$WORK/a/stdout.log" $(( $(last_count "$WORK/a/stdout.log") + 3 )) \
  || fail "copy a stopped writing after its own dump"

for copy in a b; do
  kill -TERM "$(cat "$WORK/$copy/pid")"
  wait_until 5 test -e "$WORK/$copy/exit" || fail "no exit file for copy $copy"
  expect_eq "$(cat "$WORK/$copy/exit")" "exited 143" "exit of copy $copy"
done
echo "CRIU stop-mode dump and side-by-side restores: ok"
