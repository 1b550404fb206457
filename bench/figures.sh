# Shared by the bench/ scripts: medians, ratios and the one-line figure format
#   bench <name>: <value> (target <op> <target>) met|short
# that docs/benchmarks.md records.

# Median of the numbers given as arguments (mean of the middle two for an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) { print "nan"; exit 1 } printf "%.3f", a / b }'; }

# figure NAME VALUE OP TARGET, OP one of "<=" ">=".
figure() {
  awk -v name="$1" -v value="$2" -v op="$3" -v target="$4" 'BEGIN {
    # Judged on the value as printed, so a line never reads "1.10 (target <= 1.10) short".
    value = sprintf("%.2f", value) + 0
    met = (op == "<=") ? (value <= target + 0) : (value >= target + 0)
    printf "bench %s: %.2f (target %s %s) %s\n", name, value, op, target, met ? "met" : "short"
  }'
}

# A figure kept for the record, with no target of its own.
record() { awk -v name="$1" -v value="$2" 'BEGIN { printf "bench %s: %.2f (for the record)\n", name, value }'; }
