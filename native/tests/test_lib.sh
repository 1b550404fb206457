# Shared by the shell tests: strict mode, a scratch directory, assertions, and cleanup that ends
# only the processes this test started (recorded by PID).
set -euo pipefail

: "${SHIM:?}" "${COUNTER:?}" "${MEMHOG:?}" "${SINK:?}"
CRIU="${CAAS_CRIU:-/opt/caas/criu/bin/criu}"
WORK="$(mktemp -d /tmp/caas-native-test.XXXXXX)"
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Remembers a PID to kill at the end (jobs, supervisors, sinks).
started() {
  STARTED_PIDS+=("$1")
}

# Remembers the job and supervisor of a state directory.
started_job() {
  started "$(cat "$1/pid")"
  started "$(cat "$1/shim.pid")"
}

# True once a process has ended; an ended process that its adopter has not reaped yet counts.
process_gone() {
  ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

expect_eq() {
  [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# wait_until SECONDS COMMAND...: polls every 50 ms.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

last_count() {
  local n
  n="$(grep -c . "$1" 2>/dev/null || true)"
  [ "${n:-0}" -gt 0 ] || { echo 0; return; }
  tail -n 1 "$1" | awk '{print $2}'
}

count_at_least() {
  [ "$(last_count "$1")" -ge "$2" ]
}

# Starts the stand-in progress socket; sets SINK_SOCKET and SINK_OUTPUT.
start_sink() {
  SINK_SOCKET="$WORK/agent.sock"
  SINK_OUTPUT="$WORK/datagrams"
  : >"$SINK_OUTPUT"
  "$SINK" "$SINK_SOCKET" "$SINK_OUTPUT" &
  started $!
  wait_until 5 test -S "$SINK_SOCKET" || fail "datagram sink did not start"
}

require_criu() {
  [ "$(id -u)" -eq 0 ] || fail "CRIU tests need root"
  [ -x "$CRIU" ] || fail "no CRIU at $CRIU (run scripts/install-criu.sh or set CAAS_CRIU)"
}
