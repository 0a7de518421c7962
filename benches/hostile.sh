#!/usr/bin/env bash
# Hostile-input benchmark, whole process (wall time and peak memory with /usr/bin/time):
# a model card whose front matter is 1 MiB of nested `[`, and a 1 GiB inventory list
# (refused by size); then the in-library timings of examples/hostile_bench.rs (1 MiB
# nested YAML, a 60,000-model listing deduped, a 60,000-line inventory).
# Figures: README.md, "Hostile input".
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/ml-hostile}
mkdir -p "$WORK/nested"
cargo build --release --quiet --example hostile_bench
BIN=$PWD/target/release/model-license
python3 -c "import sys; sys.stdout.write('---\nlicense: ' + '[' * (1 << 20) + '\n---\n# m\n')" > "$WORK/nested/README.md"
truncate -s 1G "$WORK/inventory.txt"
measure() { /usr/bin/time -f "$1: %e s wall, %M KB peak" "${@:2}" >/dev/null 2>"$WORK/err" || true; tail -1 "$WORK/err"; }
measure "scan, 1 MiB nested front matter" "$BIN" scan "$WORK/nested" --format json
measure "audit --list, 1 GiB inventory (refused, exit 2)" "$BIN" audit --list "$WORK/inventory.txt"
./target/release/examples/hostile_bench
