# memhog --on-signal runs a round per SIGUSR1 and none otherwise; --verify catches memory changed behind its back.
source "$(dirname "$0")/test_lib.sh"

"$MEMHOG" --mib 16 --dirty-fraction 0.5 --on-signal --verify >"$WORK/out" &
pid=$!
started "$pid"
wait_until 10 grep -q 'allocated 16 MiB' "$WORK/out" || fail "memhog did not allocate"
sleep 0.3
expect_eq "$(grep -c '^round' "$WORK/out" || true)" 0 "rounds before any signal"

kill -USR1 "$pid"
wait_until 5 grep -q '^round 1$' "$WORK/out" || fail "no round after the first SIGUSR1"
kill -USR1 "$pid"
wait_until 5 grep -q '^round 2$' "$WORK/out" || fail "no round after the second SIGUSR1"
sleep 0.3
expect_eq "$(grep -c '^round' "$WORK/out")" 2 "rounds after two signals"

# Change one word of its buffer (the largest private anonymous mapping) through /proc/PID/mem, as a bad restore would.
python3 - "$pid" <<'PY'
import sys
pid = sys.argv[1]
regions = []
for line in open(f"/proc/{pid}/maps"):
    fields = line.split()
    if len(fields) == 5 and fields[1].startswith("rw"):
        start, end = (int(x, 16) for x in fields[0].split("-"))
        regions.append((end - start, start))
size, start = max(regions)
with open(f"/proc/{pid}/mem", "r+b", buffering=0) as mem:
    mem.seek(start + size // 2)
    word = mem.read(8)
    mem.seek(start + size // 2)
    mem.write(bytes(b ^ 0xFF for b in word))
PY
kill -USR1 "$pid"
set +e
wait "$pid"
code=$?
set -e
expect_eq "$code" 3 "exit code after its memory was changed"
grep -q '^memhog: memory corrupted before round 3$' "$WORK/out" || fail "no clear message for changed memory"
echo "memhog signal: ok"
