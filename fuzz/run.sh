#!/usr/bin/env bash
# Runs every AFL target for SECONDS each, one after another, on one core:
#   fuzz/run.sh 30            # quick check (CI-sized): about 6 targets x 30 s
#   fuzz/run.sh 900 gguf      # one target, 15 min
# Needs cargo-afl (`cargo install cargo-afl`). Findings land in fuzz/out/<target>/default/
# {crashes,hangs}; the script exits 1 if any target found a crash or a hang.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(gguf safetensors card ollama_manifest identify policy)
cargo afl build --release --quiet
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
status=0
mkdir -p out
for t in "${targets[@]}"; do
  [ -x "target/release/$t" ] || { echo "no target $t"; status=1; continue; }
  rm -rf "out/$t"
  # -t: an input taking over 2 s is a hang; -V: stop after $secs seconds.
  cargo afl fuzz -i "corpus/$t" -o "out/$t" -t 2000 -V "$secs" "target/release/$t" \
    >"out-$t.log" 2>&1 || true
  stats="out/$t/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "$t: AFL did not start; see fuzz/out-$t.log"; status=1; continue
  fi
  execs=$(awk -F': ' '/^execs_done/{print $2}' "$stats" 2>/dev/null || echo 0)
  crashes=$(awk -F': ' '/^saved_crashes/{print $2}' "$stats")
  hangs=$(awk -F': ' '/^saved_hangs/{print $2}' "$stats")
  echo "$t: ${secs}s, $execs execs, $crashes crashes, $hangs hangs"
  mv "out-$t.log" "out/$t/log" 2>/dev/null || true
  [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] || status=1
done
exit $status
