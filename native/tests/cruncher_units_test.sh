# cruncher reports one progress step per unit of work and exits 0 after the last one.
source "$(dirname "$0")/test_lib.sh"
start_sink

CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID=job-x "$CRUNCHER" --units 3 --unit-work 1000 >"$WORK/out"
expect_eq "$(sed 's/ [0-9]*$//' "$WORK/out")" "done" "stdout"
wait_until 2 test "$(wc -l <"$SINK_OUTPUT")" -ge 3 || fail "progress datagrams missing"
expect_eq "$(cat "$SINK_OUTPUT")" "$(printf 'caas1 job-x progress 0.333333 unit 1\ncaas1 job-x progress 0.666667 unit 2\ncaas1 job-x progress 1.000000 unit 3')" "progress"

set +e
"$CRUNCHER" --units 0 2>"$WORK/err"
code=$?
set -e
expect_eq "$code" 2 "exit code for a bad unit count"
echo "cruncher units: ok"
