#!/usr/bin/env bash
# Whole-process benchmark: a cold and a warm scan of a generated 10,000-folder registry
# (wall time, peak memory), and a license corpus run through model-license, askalono and
# ScanCode side by side (time and accuracy). Figures and method: docs/performance.md.
#
#   benches/scan.sh                 # everything, work files under /tmp/ml-bench
#   MODELS=1000 benches/scan.sh     # a smaller registry
#   SKIP_SCANCODE=1 benches/scan.sh # without ScanCode (slow: minutes)
#   SKIP_REGISTRY=1 benches/scan.sh # the license corpus only
#
# Needs: python3, /usr/bin/time; askalono 0.5 (cargo install askalono-cli --version 0.5.0);
# ScanCode in a venv (python3 -m venv /tmp/scvenv && /tmp/scvenv/bin/pip install
# scancode-toolkit==32.5.0 'pluggy<1.6'), found as $SCANCODE or /tmp/scvenv/bin/scancode.
set -euo pipefail
cd "$(dirname "$0")/.."
export WORK=${WORK:-/tmp/ml-bench} MODELS=${MODELS:-10000} SCANCODE_MAX=${SCANCODE_MAX:-200}
export SCANCODE=${SCANCODE:-/tmp/scvenv/bin/scancode} SKIP_SCANCODE=${SKIP_SCANCODE:-0}
cargo build --release --quiet
export BIN=$PWD/target/release/model-license
echo "machine: $(nproc) cores, $(awk '/MemTotal/{print int($2/1024)" MiB"}' /proc/meminfo), $(uname -sr)"
echo "model-license $(git rev-parse --short HEAD), $(askalono --version 2>/dev/null || echo 'askalono missing')"
python3 benches/scan.py
