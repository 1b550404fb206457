#!/usr/bin/env bash
# Capture benchmarks (issue 3): checkpoint and restore of a 1 GiB memhog through the standalone
# platform's HTTP API, side by side with raw CRIU on the same kind of job (launched by caas-shim,
# so both are PID 1 of their own namespace), runs interleaved so that load from elsewhere hits both.
#
#   bench/capture.sh [--runs N (3)] [--mib M (1024)]
#
# Needs root, a built native/ and Web/Web.Standalone (bench/run builds them), CRIU at $CAAS_CRIU.
# Prints one line per figure ("bench capture.checkpoint_ratio: 1.04 (target <= 1.10) met") on
# stdout, and the per-run figures they come from as "# ..." lines on stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/figures.sh"
source "$root/bench/capture-platform.sh"

capture_setup "$@"

work="$(mktemp -d /var/tmp/caas-bench-capture.XXXXXX)"
raw="$work/raw"
mkdir -p "$raw"
raw_job_pid="" raw_restored_pid=""

cleanup() {
  set +e
  [[ -n $raw_job_pid ]] && kill -9 "$raw_job_pid" 2>/dev/null
  [[ -n $raw_restored_pid ]] && kill -9 "$raw_restored_pid" 2>/dev/null
  stop_platforms
  # CAAS_BENCH_LOGS=DIR keeps the platform's log (its agent's timings per checkpoint and restore).
  [[ -n ${CAAS_BENCH_LOGS:-} ]] && mkdir -p "$CAAS_BENCH_LOGS" && cp "$work"/*.log "$CAAS_BENCH_LOGS/" 2>/dev/null
  # A job's supervisor writes its exit file a moment after the job dies.
  for _ in 1 2 3 4 5; do rm -rf "$work" 2>/dev/null && break; sleep 1; done
}
trap cleanup EXIT

# Kill, then request to the first heartbeat with progress after the job's JobRestored; sets platform_restore_s and platform_restored_s (to JobRestored).
platform_restore() {
  local t0 t1 from status
  api -X POST "$url/api/v1/jobs/$job/kill" >/dev/null
  wait_json '.status == "Stopped"' "stopped by the kill" 60 get_job >/dev/null
  from="$(get_job | jq .version)"
  settle
  t0=$(now_ms)
  status="$(curl -sS -o /dev/null -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' -d "{\"sequence\": $sequence}" "$url/api/v1/jobs/$job/restore")"
  [[ $status == 202 ]] || { echo "capture.sh: restore of checkpoint $sequence answered $status" >&2; exit 1; }
  local restored_filter="[.items[] | select(.version >= $from)] | (map(select(.type == \"JobRestored\")) | first) as \$r
    | \$r != null and any(.[]; .type == \"HeartbeatRecorded\" and .version > \$r.version and ((.data | fromjson).sample.progress != null))"
  local events
  events="$(wait_json "$restored_filter" "restored and heartbeating with progress" 300 api "$url/api/v1/jobs/$job/events?skip=0&take=100")"
  t1=$(now_ms)
  platform_restore_s="$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  # The stream's own clock: RestoreRequested to JobRestored, the agent's verify + criu restore.
  local requested_at restored_at
  requested_at="$(jq -r "[.items[] | select(.version >= $from and .type == \"RestoreRequested\")] | last | .at" <<<"$events")"
  restored_at="$(jq -r "[.items[] | select(.version >= $from and .type == \"JobRestored\")] | last | .at" <<<"$events")"
  platform_restored_s="$(awk -v a="$(date -d "$requested_at" +%s.%N)" -v b="$(date -d "$restored_at" +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
}

# Dumps into a new directory per run and keeps it, as the platform keeps its checkpoints; sets
# raw_dump_s, raw_frozen_s and raw_images.
raw_dump() {
  raw_images="$raw/images-$1"
  mkdir -p "$raw_images"
  local t0 t1
  settle
  t0=$(now_ms)
  "$criu" dump -t "$raw_job_pid" -D "$raw_images" --leave-running 2>"$raw/criu-dump.err" \
    || { echo "capture.sh: raw criu dump failed:" >&2; grep -s Error "$raw_images/dump.log" >&2; exit 1; }
  t1=$(now_ms)
  raw_dump_s="$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  raw_frozen_s="$(frozen_s "$raw_images" 2>/dev/null || echo "?")"
}

# CRIU's frozen time (µs) from DIR/stats-dump, in seconds: after two 32-bit magics and a 32-bit size comes
# StatsEntry, whose field 1 (dump) holds frozen_time as field 2. Read the way caas-shim reads it.
frozen_s() {
  python3 - "$1/stats-dump" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()[12:]
def varint(b, i):
    v = s = 0
    while True:
        v |= (b[i] & 0x7f) << s; s += 7; i += 1
        if b[i - 1] < 0x80: return v, i
def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        if key & 7 == 0: v, i = varint(b, i)
        elif key & 7 == 2: n, i = varint(b, i); v = b[i:i + n]; i += n
        else: raise SystemExit("unexpected wire type in stats-dump")
        yield key >> 3, v
dump = dict(fields(data))[1]
print("%.3f" % (dict(fields(dump))[2] / 1e6))
PY
}

# Restores the newest raw image detached, as the platform's agent does; sets raw_restore_s.
raw_restore() {
  local t0 t1
  rm -f "$raw/restore.pid"
  settle
  t0=$(now_ms)
  "$criu" restore -d -D "$raw_images" --pidfile "$raw/restore.pid" 2>"$raw/criu-restore.err" \
    || { echo "capture.sh: raw criu restore failed:" >&2; grep -s Error "$raw_images/restore.log" >&2; exit 1; }
  t1=$(now_ms)
  raw_restored_pid="$(cat "$raw/restore.pid")"
  raw_restore_s="$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -9 "$raw_restored_pid"
  raw_restored_pid=""
}

echo "# capture: memhog --mib $mib, $runs runs, CRIU $("$criu" --version 2>/dev/null | sed -n 's/^Version: //p'), images under $work" >&2
start_platform platform
submit_memhog
launch_raw_memhog "$raw/state"

declare -a p_wall=() p_duration=() p_pause=() r_dump=() r_frozen=() p_restore=() r_restore=()
for i in $(seq "$runs"); do
  raw_dump "$i"
  platform_checkpoint
  echo "# run $i: raw criu dump ${raw_dump_s} s (frozen ${raw_frozen_s} s); platform checkpoint ${platform_wall_s} s from the request (agent: ${platform_duration_s} s, of which caas-shim dump ${platform_dump_s} s; app pause ${platform_pause_s} s)" >&2
  r_dump+=("$raw_dump_s") r_frozen+=("$raw_frozen_s") p_wall+=("$platform_wall_s") p_duration+=("$platform_duration_s") p_pause+=("$platform_pause_s")
done

# Both jobs are killed before their restores, as a recovery would find them.
kill -9 "$raw_job_pid"; raw_job_pid=""
for i in $(seq "$runs"); do
  raw_restore
  platform_restore
  echo "# run $i: raw criu restore -d ${raw_restore_s} s; platform restore ${platform_restore_s} s to the first heartbeat with progress (${platform_restored_s} s RestoreRequested to JobRestored)" >&2
  r_restore+=("$raw_restore_s") p_restore+=("$platform_restore_s")
done

checkpoint_ratio="$(ratio "$(median "${p_wall[@]}")" "$(median "${r_dump[@]}")")"
restore_ratio="$(ratio "$(median "${p_restore[@]}")" "$(median "${r_restore[@]}")")"
echo "# medians: platform checkpoint $(median "${p_wall[@]}") s (agent $(median "${p_duration[@]}") s, app pause $(median "${p_pause[@]}") s), raw dump $(median "${r_dump[@]}") s (frozen $(median "${r_frozen[@]}") s); platform restore $(median "${p_restore[@]}") s, raw restore $(median "${r_restore[@]}") s" >&2
figure capture.checkpoint_ratio "$checkpoint_ratio" "<=" 1.10
figure capture.restore_ratio "$restore_ratio" "<=" 1.10
record capture.app_pause_s "$(median "${p_pause[@]}")"
