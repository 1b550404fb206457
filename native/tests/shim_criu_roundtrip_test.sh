# The key property: a job checkpointed through caas-shim and restored continues from its
# checkpointed count, with its output still flowing into stdout.log.
source "$(dirname "$0")/test_lib.sh"
require_criu

state="$WORK/job"
images="$WORK/images-1"
"$SHIM" launch --state-dir "$state" -- "$COUNTER" --rate 20
started_job "$state"
wait_until 10 count_at_least "$state/stdout.log" 10 || fail "counter did not count"

before_dump="$(last_count "$state/stdout.log")"
"$SHIM" dump --state-dir "$state" --images "$images" --criu "$CRIU" --leave-running >"$WORK/dump.out"
grep -Eq '^pause_ms=[0-9]+ dump_ms=[0-9]+$' "$WORK/dump.out" || fail "dump printed '$(cat "$WORK/dump.out")'"
sleep 0.1 # lets the supervisor copy what the job printed just before it froze
at_dump="$(last_count "$state/stdout.log")"
echo "dumped between counts $before_dump and $at_dump: $(cat "$WORK/dump.out")"
[ -s "$images/caas-stdio" ] || fail "the images do not record the stdio pipes"
[ ! -e "$state/exit" ] || fail "a leave-running dump wrote an exit file"
wait_until 5 count_at_least "$state/stdout.log" $((at_dump + 3)) || fail "job did not keep running after the dump"

kill -KILL "$(cat "$state/pid")"
wait_until 5 test -e "$state/exit" || fail "no exit file after killing the job"
expect_eq "$(cat "$state/exit")" "signaled 9" "exit of the killed job"
before_restore="$(last_count "$state/stdout.log")"

"$SHIM" restore --state-dir "$state" --images "$images" --criu "$CRIU"
[ -s "$state/pid" ] || fail "no pid file after restore"
[ ! -e "$state/exit" ] || fail "the old exit file survived the restore"
started_job "$state"
pid="$(cat "$state/pid")"
expect_eq "$(ps -o ppid= -p "$pid" | tr -d ' ')" "$(cat "$state/shim.pid")" "restored job's parent is the shim"
grep -q '^NSpid:.*[[:space:]]1$' "/proc/$pid/status" || fail "restored job is not PID 1 of its own namespace"

# The restored counter appends after what was there and goes on from the count it had when frozen:
# after the last count printed before the dump, at most one past the last printed after it.
wait_until 10 count_at_least "$state/stdout.log" $((before_restore + 5)) || fail "restored job writes no output"
lines_before=$(( $(grep -c . "$state/stdout.log") ))
first_restored="$(awk -v n="$before_restore" 'seen { print $2; exit } $2 == n { seen = 1 }' "$state/stdout.log")"
[ "$first_restored" -gt "$before_dump" ] && [ "$first_restored" -le $((at_dump + 1)) ] \
  || fail "restored counter started at $first_restored, dump was between $before_dump and $at_dump"
echo "restored counter went on from $first_restored ($lines_before lines so far)"

kill -KILL "$pid"
wait_until 5 test -e "$state/exit" || fail "no exit file after killing the restored job"
expect_eq "$(cat "$state/exit")" "signaled 9" "exit of the killed restored job"
echo "CRIU round trip (leave-running): ok"
