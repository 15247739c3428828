#!/usr/bin/env bash
# Smoke run of the asv suite, for CI: every benchmark class on a tiny dense
# float64 and a tiny sparse float32 problem (REGFAST_BENCH_QUICK=1; the
# logistic classes on subsamples of leukemia and reuters_moneyfx, float64,
# skipped when the data folder is absent), against the regfast installed in
# the current Python (asv -E existing:same), so the benchmarks cannot rot.
# Needs only asv, not the peers.  Fails when a benchmark fails (asv exits 2)
# or when no benchmark ran.  About two and a half minutes on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")"
asv machine --yes > /dev/null
log=$(mktemp)
REGFAST_BENCH_QUICK=1 asv run -E existing:same --quick --show-stderr \
    -b "(time_fit|peakmem_fit|track_rel_gap)\('(dense_wide', 'float64'|sparse_wide', 'float32'|leukemia', 'float64'|reuters_moneyfx', 'float64')" \
    | tee "$log"
if ! grep -Eq "Running [1-9][0-9]* total benchmarks" "$log"; then
    echo "asv smoke: no benchmark ran" >&2
    exit 1
fi
