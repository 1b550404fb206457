# memhog allocates its memory, runs the asked rounds, reports round/R, and exits 0.
source "$(dirname "$0")/test_lib.sh"
start_sink

CAAS_PROGRESS_SOCKET="$SINK_SOCKET" CAAS_JOB_ID=job-m \
  "$MEMHOG" --mib 32 --dirty-fraction 0.25 --interval-ms 20 --rounds 3 >"$WORK/out"
expect_eq "$(cat "$WORK/out")" "$(printf 'allocated 32 MiB\nround 1\nround 2\nround 3')" "stdout"
wait_until 2 test "$(wc -l <"$SINK_OUTPUT")" -ge 3 || fail "progress datagrams missing"
expect_eq "$(cat "$SINK_OUTPUT")" "$(printf 'caas1 job-m progress 0.333333 round 1\ncaas1 job-m progress 0.666667 round 2\ncaas1 job-m progress 1.000000 round 3')" "progress"

# The memory is really resident while it runs.
"$MEMHOG" --mib 64 --interval-ms 50 >"$WORK/out2" &
pid=$!
started "$pid"
wait_until 10 grep -q 'round 1' "$WORK/out2" || fail "memhog did not start rounds"
rss_kib="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
[ "$rss_kib" -ge $((64 * 1024)) ] || fail "memhog RSS is ${rss_kib} KiB, expected >= 64 MiB"
kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
expect_eq "$code" 143 "exit code after SIGTERM"

set +e
"$MEMHOG" --rounds 2 2>"$WORK/err"
code=$?
set -e
expect_eq "$code" 2 "exit code without --mib"
grep -q '^memhog: --mib is required$' "$WORK/err" || fail "no clear message without --mib"
echo "memhog rounds: ok"
