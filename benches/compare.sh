#!/usr/bin/env bash
# Whole-process comparison: model-license's identifier vs askalono 0.5 on the same generated
# license files. Prints files/s and accuracy for both.
#
#   benches/compare.sh [COUNT]        (default 1000 files; needs `askalono` on PATH:
#                                      cargo install askalono-cli --version 0.5.0)
#
# Accuracy: a text or notice case is right when the tool names its license (askalono answers
# in SPDX ids, so it can only be right for SPDX licenses); a modified text or a negative is
# right when the tool does not report it as an unmodified license. "False permissive" counts
# answers naming a license whose commercial use is allowed/conditional, unflagged, when the
# truth is a license that does not permit it, a modified text, or no db license at all.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
dir="target/compare-corpus"
rm -rf "$dir"
cargo build --release --quiet --example corpus --example identify
target/release/examples/corpus "$dir" "$count"
files=$(find "$dir" -name '*.txt' | sort)

ours_start=$(date +%s.%N)
echo "$files" | xargs target/release/examples/identify > "$dir/ours.out" 2> "$dir/ours.err"
ours_end=$(date +%s.%N)

if command -v askalono > /dev/null; then
  ask_start=$(date +%s.%N)
  echo "$files" | askalono --format json identify --batch > "$dir/askalono.out" 2> /dev/null || true
  ask_end=$(date +%s.%N)
else
  echo "askalono not found; only model-license is measured" >&2
  : > "$dir/askalono.out"; ask_start=0; ask_end=0
fi

python3 - "$dir" "$count" "$ours_start" "$ours_end" "$ask_start" "$ask_end" <<'PY'
import csv, json, sys, os
d, n = sys.argv[1], int(sys.argv[2])
t_ours = float(sys.argv[4]) - float(sys.argv[3])
t_ask = float(sys.argv[6]) - float(sys.argv[5])
man = {r['file']: r for r in csv.DictReader(open(f'{d}/manifest.tsv'), delimiter='\t')}
lic = {r['key']: r for r in csv.DictReader(open(f'{d}/licenses.tsv'), delimiter='\t')}
by_spdx = {r['spdx']: r for r in lic.values()}
permits = lambda s: s in ('allowed', 'conditional')

def score(answers):
    right = fp = 0
    for f, m in man.items():
        got = answers.get(f, [])           # [(key or spdx, modified)]
        kind, key, spdx = m['kind'], m['expected'], m['spdx']
        if kind in ('text', 'notice'):
            ok = any(g in (key, spdx) and not mod for g, mod in got)
        else:
            ok = all(mod for g, mod in got)
        right += ok
        truth_forbids = kind in ('modified', 'negative') or not permits(lic.get(key, {}).get('commercial_use', ''))
        also = m.get('also', '-')
        also_spdx = lic.get(also, {}).get('spdx', '-')
        for g, mod in got:
            if g in (also, also_spdx):
                continue
            rec = lic.get(g) or by_spdx.get(g)
            if truth_forbids and not mod and rec and permits(rec['commercial_use']) and not (kind in ('text', 'notice') and g in (key, spdx) and permits(lic[key]['commercial_use'])):
                fp += 1
                break
    return right / len(man), fp

ours = {}
for line in open(f'{d}/ours.out'):
    parts = line.rstrip('\n').split('\t')
    if len(parts) < 2: continue
    ours[os.path.basename(parts[0])] = [(g.split(':')[0], ':modified' in g) for g in parts[1].split(' ') if g]
ask = {}
for line in open(f'{d}/askalono.out'):
    try: r = json.loads(line)
    except ValueError: continue
    f = os.path.basename(r['path'].strip())
    res = r.get('result') or {}
    names = [res['license']['name']] if res.get('license') else []
    names += [c['license']['name'] for c in res.get('containing', []) if c.get('license')]
    ask[f] = [(x, False) for x in names]
a_ours, fp_ours = score(ours)
print(f"{'tool':<16}{'files':>7}{'seconds':>10}{'files/s':>10}{'accuracy':>10}{'false-permissive':>18}")
print(f"{'model-license':<16}{len(man):>7}{t_ours:>10.3f}{len(man)/t_ours:>10.0f}{a_ours:>10.3f}{fp_ours:>18}")
if t_ask > 0:
    a_ask, fp_ask = score(ask)
    print(f"{'askalono 0.5':<16}{len(man):>7}{t_ask:>10.3f}{len(man)/t_ask:>10.0f}{a_ask:>10.3f}{fp_ask:>18}")
PY
