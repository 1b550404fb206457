#!/usr/bin/env bash
# The one test command (./caas test, called by .ci/run): installs what the tests need, builds
# everything, runs CTest and every xUnit category, and ends with one line per category and the total.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
cd "$root"

results="$root/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"
categories=(Unit Component Integration EndToEnd Browser Chaos)
declare -A passed failed
for c in CTest "${categories[@]}" Uncategorized; do passed[$c]=0; failed[$c]=0; done

note "installing test prerequisites"
ensure_apt_packages cmake gcc make iptables chromium procps iproute2 openmpi-bin libopenmpi-dev docker-compose curl
bash "$root/scripts/install-criu.sh" || die "CRIU could not be installed; the EndToEnd tests need it"
bash "$root/scripts/install-postgres.sh" || die "PostgreSQL could not be set up; the Integration tests need it"
# The env file holds the test role's connection string (password included), written by install-postgres.sh.
CAAS_TEST_POSTGRES="$(set -a; source "${CAAS_TOOLS_DIR:-/opt/caas}/postgres.env"; printf '%s' "$CAAS_TEST_POSTGRES")"
export CAAS_TEST_POSTGRES
bash "$root/scripts/install-rabbitmq.sh" || die "RabbitMQ could not be set up; the Integration tests of the cluster bus need it"
CAAS_TEST_RABBITMQ="$(set -a; source "${CAAS_TOOLS_DIR:-/opt/caas}/rabbitmq.env"; printf '%s' "$CAAS_TEST_RABBITMQ")"
export CAAS_TEST_RABBITMQ
export_runtime_paths
build_native

note "CTest"
ctest --test-dir "$root/native/build" --output-on-failure 2>&1 | tee "$results/ctest.log"
read -r ctest_total ctest_failed < <(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2 \1/p' "$results/ctest.log" | tail -n 1)
passed[CTest]=$(( ${ctest_total:-0} - ${ctest_failed:-0} )); failed[CTest]=${ctest_failed:-0}
[[ -z ${ctest_total:-} ]] && failed[CTest]=1

note "building the solution ($CAAS_CONFIGURATION)"
if ! dotnet build "$root/Platform.sln" -c "$CAAS_CONFIGURATION" -nologo -v q -clp:ErrorsOnly; then
  echo "build failed"; echo "total: 0 passed, 1 failed"; exit 1
fi

# Adds up one field ("Passed: 5,") over vstest's per-project summary lines.
sum_field() { grep -E '^(Passed!|Failed!)' "$2" | sed -n "s/.*$1: *\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'; }

# Runs one category across the solution and adds up vstest's per-project summary lines.
run_category() {
  local name=$1 filter=$2 parallel=$3 log="$results/$1.log"
  note "$name tests"
  dotnet test "$root/Platform.sln" -c "$CAAS_CONFIGURATION" --no-build -nologo $parallel \
    --filter "$filter" --logger "trx;LogFilePrefix=$name" --results-directory "$results/$name" \
    2>&1 | tee "$log" | awk '/^(Passed!|Failed!)|^[ \t]+Failed |No test matches/ { print; next }
                             /Error Message/ { print; more = 4; next }  # the message itself, so a CI log says why
                             more > 0 { print; more-- }' || true
  local p f s
  p=$(sum_field Passed "$log")
  f=$(sum_field Failed "$log")
  s=$(sum_field Skipped "$log")
  # A skipped test is not a passed one: count it as failed so nothing hides.
  passed[$name]=${p:-0}; failed[$name]=$(( ${f:-0} + ${s:-0} ))
  if grep -qE 'error|Test Run Aborted|crashed' "$log" && ! grep -qE '^(Passed!|Failed!)|No test matches' "$log"; then
    failed[$name]=$(( failed[$name] + 1 ))
  fi
}

for c in "${categories[@]}"; do
  case $c in EndToEnd|Browser|Chaos) par="-m:1" ;; *) par="" ;; esac
  run_category "$c" "Category=$c" "$par"
done
not_categorized=$(printf 'Category!=%s&' "${categories[@]}"); not_categorized=${not_categorized%&}
run_category Uncategorized "$not_categorized" ""
# Every test must carry a Category: any test found here is a defect even if it passed.
failed[Uncategorized]=$(( failed[Uncategorized] + passed[Uncategorized] )); passed[Uncategorized]=0

echo
total_passed=0; total_failed=0
for c in CTest "${categories[@]}" Uncategorized; do
  [[ $c == Uncategorized && ${failed[$c]} == 0 ]] && continue
  echo "$c: ${passed[$c]} passed, ${failed[$c]} failed"
  total_passed=$(( total_passed + passed[$c] )); total_failed=$(( total_failed + failed[$c] ))
done
echo "total: $total_passed passed, $total_failed failed"
(( total_failed == 0 && total_passed > 0 ))
