# counter counts 1..target, reports each count as progress, and exits 0 at the target.
source "$(dirname "$0")/test_lib.sh"
start_sink

CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID=job-c "$COUNTER" --target 4 --rate 100 >"$WORK/out"
expect_eq "$(cat "$WORK/out")" "$(printf 'count 1\ncount 2\ncount 3\ncount 4')" "stdout"
wait_until 2 test "$(wc -l <"$SINK_OUTPUT")" -ge 4 || fail "progress datagrams missing"
expect_eq "$(cat "$SINK_OUTPUT")" "$(printf 'caas1 job-c progress 0.250000 count 1\ncaas1 job-c progress 0.500000 count 2\ncaas1 job-c progress 0.750000 count 3\ncaas1 job-c progress 1.000000 count 4')" "progress"

set +e
"$COUNTER" --rate 0 2>"$WORK/err"
code=$?
set -e
expect_eq "$code" 2 "exit code for a bad rate"
expect_eq "$(cat "$WORK/err")" "counter: --rate needs a number in (0, 1e+06], got '0'" "message for a bad rate"
echo "counter counts: ok"
