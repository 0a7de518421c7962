#!/usr/bin/env python3
"""The work of benches/scan.sh (run it through that script): builds the registry and the
license corpus under $WORK, times the tools and scores their answers. Prints Markdown."""
import json, os, re, shutil, statistics, struct, subprocess, sys, textwrap, time, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK, BIN = os.environ["WORK"], os.environ["BIN"]
MODELS, SCANCODE_MAX = int(os.environ["MODELS"]), int(os.environ["SCANCODE_MAX"])
SCANCODE, SKIP_SCANCODE = os.environ["SCANCODE"], os.environ["SKIP_SCANCODE"] == "1"

records = {}
for name in sorted(os.listdir(os.path.join(ROOT, "license-db/licenses"))):
    with open(os.path.join(ROOT, "license-db/licenses", name), "rb") as f:
        r = tomllib.load(f)
    if r.get("texts"):
        records[r["key"]] = r
keys = sorted(records)


def text_of(key):
    with open(os.path.join(ROOT, "license-db/texts", records[key]["texts"][0]), encoding="utf-8") as f:
        return f.read()


def run(cmd, **kw):
    """Runs cmd under /usr/bin/time -v: (seconds, peak RSS MiB, stdout)."""
    t = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, **kw)
    secs = time.monotonic() - t
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr[-2000:]}")
    return secs, int(rss.group(1)) / 1024 if rss else float("nan"), p.stdout


def evict(top):
    """Drops the page cache of every file under top (posix_fadvise DONTNEED: no root needed;
    directory entries and inodes stay cached, so 'cold' is cold file data)."""
    for d, _, files in os.walk(top):
        for f in files:
            try:
                fd = os.open(os.path.join(d, f), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


# --- the registry -------------------------------------------------------------------------
def build_registry(top, n):
    """n model folders: a card naming the license, the license text, a 2 GiB sparse
    safetensors file whose header names it too (every 4th folder) or a 4 GiB sparse GGUF
    (every 4th, offset by 2)."""
    if os.path.exists(os.path.join(top, ".done-%d" % n)):
        return
    shutil.rmtree(top, ignore_errors=True)
    texts = {k: text_of(k) for k in keys}
    for i in range(n):
        key = keys[i % len(keys)]
        hf = records[key].get("hf") or "other"
        d = os.path.join(top, "org%03d" % (i // 100), "model-%05d" % i)
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            extra = "" if hf != "other" else "license_name: %s\n" % key
            f.write("---\nlicense: %s\n%stags: [text-generation]\n---\n# Model %d\n\nSee LICENSE.\n" % (hf, extra, i))
        with open(os.path.join(d, "LICENSE"), "w") as f:
            f.write(texts[key])
        if i % 4 == 0:
            header = json.dumps({"__metadata__": {"license": hf, "format": "pt"},
                                 "w": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}).encode()
            with open(os.path.join(d, "model.safetensors"), "wb") as f:
                f.write(struct.pack("<Q", len(header)) + header)
                f.truncate(2 << 30)
        elif i % 4 == 2:
            def s(x):
                b = x.encode()
                return struct.pack("<Q", len(b)) + b
            body = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + s("general.license") + struct.pack("<I", 8) + s(hf)
            with open(os.path.join(d, "model-Q4_K_M.gguf"), "wb") as f:
                f.write(body)
                f.truncate(4 << 30)
    open(os.path.join(top, ".done-%d" % n), "w").close()


def registry_scan():
    registry = os.path.join(WORK, "registry")
    t = time.monotonic()
    build_registry(registry, MODELS)
    du = subprocess.run(["du", "-sh", registry], capture_output=True, text=True).stdout.split()[0]
    print(f"\n## Registry scan: {MODELS} model folders ({du} on disk, sparse weights not counted; built in {time.monotonic() - t:.0f} s)\n")
    scan = [BIN, "scan", registry, "--format", "json"]
    rows = []
    evict(registry)
    secs, rss, out = run(scan)
    report = json.loads(out)
    found = len(report["models"])
    licensed = sum(1 for m in report["models"] if m.get("license"))
    rows.append(("cold (file pages evicted)", secs, rss))
    warm = [run(scan) for _ in range(3)]
    med = sorted(warm)[1]
    rows.append(("warm (median of 3)", med[0], med[1]))
    print("| run | wall time | models/s | peak RSS |\n|---|---:|---:|---:|")
    for name, secs, rss in rows:
        print(f"| {name} | {secs:.2f} s | {found / secs:,.0f} | {rss:.0f} MiB |")
    print(f"\n{found} models reported, {licensed} with a license established.")


if os.environ.get("SKIP_REGISTRY") != "1":
    registry_scan()


# --- the license corpus -------------------------------------------------------------------
def reflow(text):
    """The same license as people paste it: a copyright line on top, paragraphs re-wrapped
    at 72 columns, Markdown heading for the title."""
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = ["Copyright (c) 2025 Example Labs, Inc.", ""]
    for i, p in enumerate(paras):
        joined = " ".join(p.split())
        if i == 0 and len(joined) < 100:
            out.append("# " + joined)
        else:
            out.append(textwrap.fill(joined, 72))
        out.append("")
    return "\n".join(out)


corpus = os.path.join(WORK, "corpus")
shutil.rmtree(corpus, ignore_errors=True)
expected = {}
for key in keys:
    for variant, body in (("verbatim", text_of(key)), ("reflowed", reflow(text_of(key)))):
        name = f"{key}--{variant}"
        os.makedirs(os.path.join(corpus, name))
        with open(os.path.join(corpus, name, "LICENSE"), "w") as f:
            f.write(body)
        expected[name] = records[key]["spdx"]
files = sorted(expected)
size = sum(os.path.getsize(os.path.join(corpus, n, "LICENSE")) for n in files)


def norm(s):
    return (s or "").strip().lower()


GENERIC = re.compile(r"licenseref-scancode-(unknown|unknown-license-reference|proprietary-license|warranty-disclaimer)$")


def answered(a):
    """An answer naming some license: ScanCode's generic ids alone ('unknown license
    reference', 'proprietary', 'warranty disclaimer') say it does not know which."""
    ids = re.findall(r"[A-Za-z0-9.+-]+", a or "")
    return any(i.upper() not in ("AND", "OR", "WITH") and not GENERIC.match(i.lower()) for i in ids)


def score(answers, names):
    answers = {n: a for n, a in answers.items() if answered(a)}
    right = sum(1 for n in names if norm(answers.get(n)) == norm(expected[n]))
    none = sum(1 for n in names if not answers.get(n))
    return right, none, len(names) - right - none


results = []
secs, rss, out = run([BIN, "scan", corpus, "--format", "json"])
ours = {os.path.basename(m["target"]): (m.get("license") or {}).get("spdx") for m in json.loads(out)["models"]}
results.append(("model-license", len(files), secs, rss, score(ours, files)))

secs, rss, out = run(["askalono", "--format", "json", "crawl", corpus])
theirs = {}
for line in out.splitlines():
    try:
        r = json.loads(line)
    except ValueError:
        continue
    res = r.get("result") or {}
    if res.get("score", 0) >= 0.8 and res.get("license"):
        theirs[os.path.basename(os.path.dirname(r["path"]))] = res["license"]["name"]
results.append(("askalono 0.5 (crawl, score >= 0.8)", len(files), secs, rss, score(theirs, files)))

if not SKIP_SCANCODE and os.path.exists(SCANCODE):
    subset = files[:: max(1, -(-len(files) // SCANCODE_MAX))][:SCANCODE_MAX]
    sc_dir = os.path.join(WORK, "corpus-scancode")
    shutil.rmtree(sc_dir, ignore_errors=True)
    for n in subset:
        shutil.copytree(os.path.join(corpus, n), os.path.join(sc_dir, n))
    out_json = os.path.join(WORK, "scancode.json")
    secs, rss, _ = run([SCANCODE, "--license", "-n", "1", "--quiet", "--json", out_json, sc_dir])
    with open(out_json) as f:
        sc = json.load(f)
    answers = {}
    for entry in sc["files"]:
        if entry["type"] == "file":
            answers[os.path.basename(os.path.dirname(entry["path"]))] = entry.get("detected_license_expression_spdx")
    results.append((f"ScanCode 32.5.0 (--license, 1 process)", len(subset), secs, rss, score(answers, subset)))

print(f"\n## License corpus: {len(files)} files ({len(keys)} license-db texts, verbatim and reflowed; {size / 1e6:.1f} MB)\n")
print("| tool | files | wall time | files/s | peak RSS | right | no answer | other answer |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, n, secs, rss, (right, none, wrong) in results:
    print(f"| {name} | {n} | {secs:.2f} s | {n / secs:,.1f} | {rss:.0f} MiB | {right} ({100 * right / n:.0f}%) | {none} | {wrong} |")
spdx_only = [n for n in files if not expected[n].startswith("LicenseRef-")]
print(f"\nOn the {len(spdx_only)} files whose license has an SPDX id (askalono knows only those):")
print(f"model-license {score(ours, spdx_only)[0]}, askalono {score(theirs, spdx_only)[0]} right.")
if not SKIP_SCANCODE and os.path.exists(SCANCODE):
    shared = [n for n in subset if not expected[n].startswith("LicenseRef-model-license-")]
    print(f"On the {len(shared)} ScanCode files whose license has an SPDX or ScanCode id (the other "
          f"{len(subset) - len(shared)} have only a model-license id, which ScanCode cannot name): "
          f"model-license {score(ours, shared)}, ScanCode {score(answers, shared)} (right, none, other).")
else:
    answers = {}
with open(os.path.join(WORK, "answers.json"), "w") as f:
    json.dump({"expected": expected, "model-license": ours, "askalono": theirs, "scancode": answers}, f, indent=1)
