#!/usr/bin/env bash
# Image benchmarks (issue 3): what incremental checkpoints and zstd cost and save, on 1 GiB memhogs
# of incompressible memory through the standalone platform's HTTP API.
#
#   bench/capture-images.sh [--runs N (3)] [--mib M (1024)]
#
# capture.zstd_ratio: two platforms run at once, one compressing images and one not (both taking
# full checkpoints only), checkpoints of their memhogs interleaved; median checkpoint time from the
# request to the verified image, compressing ÷ not. capture.incremental_bytes_ratio: a third
# platform as shipped (incremental and compressing); its memhog changes exactly 10 % of its memory
# (one round of --on-signal) between two checkpoints; stored bytes of the second ÷ the first.
# Needs root, a built native/ and Web/Web.Standalone (bench/run builds them), CRIU at $CAAS_CRIU.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/figures.sh"
source "$root/bench/capture-platform.sh"
capture_setup "$@"

work="$(mktemp -d /var/tmp/caas-bench-images.XXXXXX)"
cleanup() {
  set +e
  stop_platforms
  for _ in 1 2 3 4 5; do rm -rf "$work" 2>/dev/null && break; sleep 1; done
}
trap cleanup EXIT

echo "# capture images: memhog --mib $mib, $runs runs, images under $work" >&2
# The memhogs wait for signals, so that they do not rewrite memory while the other side is measured.
start_platform plain --Caas:Agent:Images:Incremental=false --Caas:Agent:Images:Compress=false
submit_memhog --on-signal
start_platform zstd --Caas:Agent:Images:Incremental=false --Caas:Agent:Images:Compress=true
submit_memhog --on-signal

declare -a plain_s=() zstd_s=()
for i in $(seq "$runs"); do
  use_platform plain
  platform_checkpoint
  plain_s+=("$platform_wall_s") plain_bytes="$platform_bytes"
  use_platform zstd
  platform_checkpoint
  zstd_s+=("$platform_wall_s")
  echo "# run $i: checkpoint without compression ${plain_s[-1]} s ($plain_bytes bytes), with zstd ${platform_wall_s} s ($platform_bytes bytes stored)" >&2
done

start_platform incremental
submit_memhog --dirty-fraction 0.1 --on-signal
platform_checkpoint
full_bytes="$platform_bytes" full_s="$platform_wall_s"
memhog_round 2
platform_checkpoint
echo "# incremental: full checkpoint $full_bytes bytes in $full_s s; after 10 % changed, the next one $platform_bytes bytes in $platform_wall_s s" >&2

echo "# medians: checkpoint without compression $(median "${plain_s[@]}") s, with zstd $(median "${zstd_s[@]}") s" >&2
figure capture.incremental_bytes_ratio "$(ratio "$platform_bytes" "$full_bytes")" "<=" 0.15
figure capture.zstd_ratio "$(ratio "$(median "${zstd_s[@]}")" "$(median "${plain_s[@]}")")" "<=" 1.10
