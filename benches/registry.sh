#!/usr/bin/env bash
# Registry scale: generated model folders whose cards name base models — each other (chains
# and fan-outs) and the licensors' own models (Llama, Gemma, Qwen, Mistral) — scanned whole
# process at 1,000 / 10,000 / 100,000 folders: wall time, peak memory, time per 1,000. The
# cost must grow linearly (lineage goes through a name index, in one pass).
#
#   benches/registry.sh                  # 1,000 10,000 100,000 under /tmp/ml-registry
#   benches/registry.sh 1000 20000       # other sizes
#
# Needs python3 and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/ml-registry}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000 100000)
cargo build --release --quiet
bin=$PWD/target/release/model-license
echo "machine: $(nproc) cores, model-license $(git rev-parse --short HEAD)"
printf '%-9s %9s %9s %11s %8s\n' models seconds "per 1000" "peak MiB" lineage
for n in "${sizes[@]}"; do
  dir="$work/$n"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    python3 - "$dir" "$n" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
licenses = ["apache-2.0", "mit", "llama3.1", "cc-by-nc-4.0", "gemma", "other", "openrail", "cc-by-4.0"]
families = ["meta-llama/Llama-3.1-8B-Instruct", "google/gemma-2-9b-it", "Qwen/Qwen2.5-7B-Instruct",
            "mistralai/Mistral-7B-v0.1", "meta-llama/Meta-Llama-3-8B"]
for i in range(n):
    d = os.path.join(root, f"{i // 1000:03d}", f"m{i:06d}")
    os.makedirs(d)
    lic = licenses[i % len(licenses)]
    # Each model derives from an earlier one (chains, fan-outs) or from a known family.
    if i > 0 and rng.random() < 0.7:
        base = f"org/m{max(0, i - 1 - rng.randrange(min(i, 50))):06d}"
    else:
        base = rng.choice(families)
    extra = "license_name: acme-model-license\n" if lic == "other" else ""
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(f"---\nlicense: {lic}\n{extra}base_model: {base}\nmodel_name: org/m{i:06d}\n---\n# m{i}\n\nA fine-tune.\n")
open(os.path.join(root, ".complete"), "w").close()
PY
  fi
  out=$( { /usr/bin/time -f '%e %M' "$bin" scan "$dir" --format json > "$work/out-$n.json"; } 2>&1 | tail -1)
  secs=${out% *}; kib=${out#* }
  inherited=$(python3 -c "import json,sys; d=json.load(open('$work/out-$n.json')); print(sum(1 for m in d['models'] if m.get('inherited_licenses')))")
  printf '%-9s %9s %9.3f %11d %8s\n' "$n" "$secs" "$(echo "$secs * 1000 / $n" | bc -l)" "$((kib / 1024))" "$inherited"
done
