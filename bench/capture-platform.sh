# Shared by the capture benchmarks: a standalone platform (or several, by name) driven through its
# HTTP API, memhog jobs on it, and the platform checkpoint measured from request to verified image.
# The caller sets root and work (a scratch directory), calls capture_setup with its arguments, and
# stop_platforms from its EXIT trap.

# capture_setup [--runs N (3)] [--mib M (1024)]: reads the options into runs and mib, and finds the
# binaries (shim, criu, memhog, standalone) or exits saying what is missing.
capture_setup() {
  runs=3 mib=1024
  while (($#)); do
    case "$1" in
      --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
      --mib) mib="${2:?--mib needs a number}"; shift 2 ;;
      *) echo "capture: unknown option '$1' (use --runs N, --mib M)" >&2; exit 2 ;;
    esac
  done
  [[ $runs =~ ^[1-9][0-9]*$ && $mib =~ ^[1-9][0-9]*$ ]] || { echo "capture: --runs and --mib take whole numbers >= 1" >&2; exit 2; }
  [[ $(id -u) == 0 ]] || { echo "capture: must run as root (CRIU)" >&2; exit 1; }
  local configuration="${CAAS_CONFIGURATION:-Release}" native_bin="${CAAS_NATIVE_BIN:-$root/native/build/bin}"
  shim="${CAAS_SHIM:-$native_bin/caas-shim}"
  criu="${CAAS_CRIU:-/opt/caas/criu/bin/criu}"
  memhog="$native_bin/memhog"
  standalone="$root/Web/Web.Standalone/bin/$configuration/net10.0/caas-standalone.dll"
  local f
  for f in "$shim" "$memhog" "$criu" "$standalone"; do
    [[ -e $f ]] || { echo "capture: $f is missing (bench/run builds it)" >&2; exit 1; }
  done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# seconds_between T0_MS T1_MS: the time between two now_ms readings, in seconds with 3 decimals.
seconds_between() { awk -v ms=$(($2 - $1)) 'BEGIN { printf "%.3f", ms / 1000 }'; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# "00:00:03.1234567" (how System.Text.Json writes a TimeSpan) in seconds.
timespan_s() { awk -F: '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }' <<<"$1"; }

# The platform the functions below talk to (see use_platform); auth is set once the platform has
# given us an API token, platforms without access control take none.
url="" data="" job="" auth=()
declare -A platform_url=() platform_pid=() platform_token=() platform_job=()
api() { curl -sS --fail-with-body --max-time 30 "${auth[@]}" "$@"; }
get_job() { api "$url/api/v1/jobs/$job"; }
# Every timed operation starts from the same memory state: no dirty and no cached pages. Without
# this, a dump's time depends on how many images were written before it (on this VM a page cache
# page that was never used before costs far more to hand out than a recycled one: the same raw dump
# took 0.4 s or 2.6 s), so whichever side came later was charged for the other's images. Restores
# therefore read their images from disk, on both sides.
settle() { sync; echo 1 >/proc/sys/vm/drop_caches; }

# Polls "$@" (a command printing JSON) until jq filter $1 is true; prints the JSON that satisfied it.
wait_json() {
  local filter="$1" what="$2" timeout_s="$3"; shift 3
  local deadline=$(($(now_ms) + timeout_s * 1000)) json
  while (($(now_ms) < deadline)); do
    json="$("$@" 2>/dev/null)" && jq -e "$filter" >/dev/null <<<"$json" && { printf '%s' "$json"; return 0; }
    sleep 0.1
  done
  echo "capture: not $what within $timeout_s s; last answer: ${json:-none}" >&2
  return 1
}

# start_platform NAME [ARG...]: a standalone platform with data under $work/NAME, free ports and
# the given extra command-line settings (e.g. --Caas:Agent:Images:Compress=false); it becomes the current one,
# ready once a node (its embedded agent's) reported.
start_platform() {
  start_platform_host "$@"
  wait_json 'length > 0' "ready (a node reported)" 90 api "$url/api/v1/nodes" >/dev/null \
    || { tail -n 30 "$data.host.log" >&2; exit 1; }
}

# start_platform_host NAME [ARG...]: start_platform without waiting for a node, for a platform whose agents are
# processes of their own that it first enrolls (enroll_agent).
start_platform_host() {
  local name="$1"; shift
  data="$work/$name" url="http://127.0.0.1:$(free_port)" auth=() job=""
  mkdir -p "$data"
  # The first admin's password comes in through the environment, where ps does not show it.
  local admin_password host_pid
  admin_password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  Caas__Security__BootstrapAdminPassword="$admin_password" \
  CAAS_SHIM="$shim" CAAS_CRIU="$criu" ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$standalone" --Caas:DataDirectory="$data" --Caas:Url="$url" \
      --Caas:Orleans:SiloPort="$(free_port)" --Caas:Orleans:GatewayPort="$(free_port)" "$@" \
      >"$data.host.log" 2>&1 &
  host_pid=$!
  platform_url[$name]="$url" platform_pid[$name]="$host_pid" platform_token[$name]="" platform_job[$name]=""
  local deadline=$(($(now_ms) + 90000)) status=000
  until [[ $status != 000 ]]; do
    (($(now_ms) < deadline)) && kill -0 "$host_pid" 2>/dev/null || { echo "capture: the platform did not start:" >&2; tail -n 30 "$data.host.log" >&2; exit 1; }
    sleep 0.1
    status="$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/nodes" || true)"
  done
  if [[ $status == 401 ]]; then
    local token
    token="$(curl -sS --fail-with-body -u "admin:$admin_password" -H 'Content-Type: application/json' -d '{"name": "bench", "expiresInDays": 1}' \
      "$url/api/v1/tokens" | jq -r .token)"
    auth=(-H "Authorization: Bearer $token")
    platform_token[$name]="$token"
  fi
}

# enroll_agent NODE: `caas nodes enroll NODE` on the current platform (as its admin); prints the node's new credential,
# which the caller hands to the agent in its environment (Caas__Agent__Credential), never on a command line.
enroll_agent() {
  local credential
  credential="$(api -X POST "$url/api/v1/nodes/$1/enroll" | jq -r .credential)"
  [[ $credential == caasagent_* ]] || { echo "capture: enrolling $1 returned no credential" >&2; exit 1; }
  printf '%s' "$credential"
}

# use_platform NAME: the functions below talk to that platform and its job from now on.
use_platform() {
  data="$work/$1" url="${platform_url[$1]}" job="${platform_job[$1]}" auth=()
  [[ -z ${platform_token[$1]} ]] || auth=(-H "Authorization: Bearer ${platform_token[$1]}")
}

# Ends every platform started and the jobs they launched, by PID; for the caller's EXIT trap.
stop_platforms() {
  local name pid pidfile
  for name in "${!platform_pid[@]}"; do
    pid="${platform_pid[$name]}"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
    # Jobs outlive the agent by design: end the ones this platform started (their environment names its data dir).
    while read -r pidfile; do
      pid="$(cat "$pidfile" 2>/dev/null)"
      [[ $pid =~ ^[0-9]+$ ]] && grep -qs "$work/$name" "/proc/$pid/environ" && kill -9 "$pid"
    done < <(find "$work/$name" -name pid -type f 2>/dev/null)
  done
}

# submit_memhog [ARG...]: memhog --mib $mib ARG... on the current platform, returning once its memory
# is filled and its first round reported. A stall would make the platform restore the job in the
# middle of a measurement: alert only, after an hour.
submit_memhog() {
  local body extra='[]'
  # Not jq's --args: jq 1.6 takes "--on-signal" after it for an option of its own.
  (($#)) && extra="$(printf '%s\n' "$@" | jq -R . | jq -sc .)"
  body="$(jq -n --arg cmd "$memhog" --arg mib "$mib" --argjson extra "$extra" \
    '{command: $cmd, args: (["--mib", $mib] + $extra), name: "bench memhog", stallThresholdSeconds: 3600, onStall: "AlertOnly"}')"
  job="$(api -H 'Content-Type: application/json' -d "$body" "$url/api/v1/jobs" | jq -r .jobId)"
  platform_job[$(basename "$data")]="$job"
  if [[ " $* " == *" --on-signal "* ]]; then
    memhog_round 1
  else
    wait_json '.status == "Running" and .progress != null' "running with progress" 120 get_job >/dev/null
  fi
}

# memhog_round R: asks the current job's memhog (--on-signal) for a round, once its memory is
# filled, and waits until it reports round R.
memhog_round() {
  local pid deadline=$(($(now_ms) + 120000))
  pid="$(wait_json '.status == "Running" and .pid != null' "running" 120 get_job | jq -r .pid)"
  until (($(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0) >= mib * 1024)); do
    (($(now_ms) < deadline)) || { echo "capture: memhog did not fill its $mib MiB within 120 s" >&2; exit 1; }
    sleep 0.1
  done
  kill -USR1 "$pid"
  wait_json ".progressMessage == \"round $1\"" "memhog's round $1" 60 get_job >/dev/null
}

# Request to checkpoint listed with its image verified on disk; sets platform_wall_s, platform_duration_s,
# platform_dump_s, platform_pause_s, platform_bytes (stored), sequence.
platform_checkpoint() {
  local t0 t1 json checkpoint
  settle
  t0=$(now_ms)
  sequence="$(api -H 'Content-Type: application/json' -d '{"leaveRunning": true}' "$url/api/v1/jobs/$job/checkpoint" | jq -r .sequence)"
  json="$(wait_json "any(.checkpoints[]; .sequence == $sequence) or .pendingCheckpoint == null" \
    "checkpoint $sequence taken" 300 get_job)"
  t1=$(now_ms)
  checkpoint="$(jq -c ".checkpoints[] | select(.sequence == $sequence)" <<<"$json")"
  [[ -n $checkpoint ]] || { echo "capture: checkpoint $sequence failed: $(jq -c '{status, statusReason}' <<<"$json")" >&2; exit 1; }
  platform_wall_s="$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.3f", ms / 1000 }')"
  platform_duration_s="$(timespan_s "$(jq -r .duration <<<"$checkpoint")")"
  platform_pause_s="$(timespan_s "$(jq -r .appPause <<<"$checkpoint")")"
  platform_bytes="$(jq -r .sizeBytes <<<"$checkpoint")"
  # The bundle's manifest has the shim's whole dump time: the agent's duration minus it is sealing and reporting.
  local manifest
  manifest="$(grep -ls "\"sequence\": *$sequence[,}]" $(find "$data" -name manifest.json -path "*$job*") 2>/dev/null | head -n 1)"
  platform_dump_s="$( [[ -n $manifest ]] && timespan_s "$(jq -r .dump "$manifest")" || echo "?")"
}

# launch_raw_memhog STATE_DIR: the raw side's memhog --mib $mib, launched by caas-shim so that it is, like the
# platform's job, PID 1 of its own PID namespace and leads its session; returns with raw_job_pid set once its
# memory is filled and its first round reported (the platform job's readiness too).
launch_raw_memhog() {
  rm -rf "$1"
  "$shim" launch --state-dir "$1" -- "$memhog" --mib "$mib" >/dev/null
  raw_job_pid="$(cat "$1/pid")"
  local deadline=$(($(now_ms) + 120000))
  until grep -qs '^round 1$' "$1/stdout.log"; do
    (($(now_ms) < deadline)) || { echo "capture: raw memhog did not start its rounds within 120 s" >&2; exit 1; }
    sleep 0.05
  done
}
