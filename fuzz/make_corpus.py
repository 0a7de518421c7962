#!/usr/bin/env python3
"""Writes the committed seed corpora under fuzz/corpus/<target>/ (a few dozen small files
each). Re-run after changing it: python3 fuzz/make_corpus.py. Deterministic."""
import json, os, shutil, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- GGUF -------------------------------------------------------------------------------
def gguf(kvs, version=3, be=False, tensors=0):
    e = ">" if be else "<"
    out = b"GGUF" + struct.pack(e + "I", version) + struct.pack(e + "QQ", tensors, len(kvs))
    def s(x):
        b = x.encode()
        return struct.pack(e + "Q", len(b)) + b
    def val(t, v):
        if t == 8:
            return s(v)
        if t == 4:
            return struct.pack(e + "I", v)
        if t == 5:
            return struct.pack(e + "i", v)
        if t == 10:
            return struct.pack(e + "Q", v)
        if t == 7:
            return struct.pack(e + "B", v)
        if t == 6:
            return struct.pack(e + "f", v)
        if t == 9:
            et, items = v
            return struct.pack(e + "IQ", et, len(items)) + b"".join(val(et, i) for i in items)
        raise ValueError(t)
    for k, t, v in kvs:
        out += s(k) + struct.pack(e + "I", t) + val(t, v)
    return out


LIC = ("general.license", 8, "apache-2.0")
g = {
    "empty-v3": gguf([]),
    "empty-v2": gguf([], version=2),
    "license": gguf([LIC]),
    "license-be": gguf([LIC], be=True),
    "license-v2-be": gguf([LIC], version=2, be=True),
    "license-array": gguf([("general.license", 9, (8, ["llama3.1", "mit"]))]),
    "license-name-link": gguf([("general.name", 8, "Llama 3.1 8B"), LIC,
                               ("general.license.name", 8, "llama3.1"),
                               ("general.license.link", 8, "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE")]),
    "base-models": gguf([("general.base_model.count", 4, 2),
                         ("general.base_model.0.name", 8, "Llama 3.1 8B"),
                         ("general.base_model.0.organization", 8, "Meta Llama"),
                         ("general.base_model.0.repo_url", 8, "https://huggingface.co/meta-llama/Llama-3.1-8B"),
                         ("general.base_model.1.name", 8, "Qwen2.5"),
                         ("general.base_model.1.repo_url", 8, "https://huggingface.co/Qwen/Qwen2.5-7B")]),
    "base-count-u64": gguf([("general.base_model.count", 10, 3)]),
    "base-count-i32": gguf([("general.base_model.count", 5, -1)]),
    "skip-values": gguf([("llama.context_length", 4, 8192), ("x.f", 6, 1.5), ("x.b", 7, 1),
                         ("tokenizer.ggml.scores", 9, (6, [0.0, 1.0, 2.0])), LIC]),
    "nested-array": gguf([("x.nested", 9, (9, [])), LIC]),
    "tokens": gguf([("tokenizer.ggml.tokens", 9, (8, ["<s>", "</s>", "a", "b"])), LIC]),
    "tensors-declared": gguf([LIC], tensors=291),
    "v1": b"GGUF" + struct.pack("<I", 1) + b"\0" * 16,
    "bad-magic": b"GGML" + b"\0" * 20,
    "truncated": gguf([LIC])[:30],
    "huge-string": gguf([LIC])[:24] + struct.pack("<Q", 10) + b"general.li" ,
}
# A string length claiming 2^62 bytes, for the sparse-file reader.
g["huge-len"] = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 15) + b"general.license" + struct.pack("<IQ", 8, 1 << 62)
g["huge-kv-count"] = b"GGUF" + struct.pack("<IQQ", 3, 0, 1 << 60)
for name in sorted(os.listdir(os.path.join(ROOT, "fixtures/gguf"))):
    if name.endswith(".gguf"):
        with open(os.path.join(ROOT, "fixtures/gguf", name), "rb") as f:
            g["fixture-" + name[:-5]] = f.read()

# --- safetensors --------------------------------------------------------------------------
def st(header, pad=0):
    h = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(h)) + h + b"\0" * pad

s = {
    "metadata": st({"__metadata__": {"license": "apache-2.0", "format": "pt"},
                    "w": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]}}, 8),
    "modelspec": st({"__metadata__": {"modelspec.license": "openrail++", "modelspec.title": "SDXL"}}),
    "no-metadata": st({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, 4),
    "non-string-values": st({"__metadata__": {"license": 3, "a": None, "b": [1], "c": {"d": "e"}}}),
    "empty-object": st({}),
    "metadata-null": st({"__metadata__": None}),
    "not-object": st(b"[1,2,3]"),
    "bad-json": st(b"{\"__metadata__\": {\"license\": \"mit\""),
    "length-too-big": struct.pack("<Q", 1 << 40) + b"{}",
    "short": b"\x02\0\0",
    "unicode": st({"__metadata__": {"license": "cc-by-nc-4.0", "名前": "\u00e9\u202e"}}),
    "deep": st(b"{\"a\":" + b"[" * 200 + b"]" * 200 + b"}"),
}

# --- model cards -------------------------------------------------------------------------
c = {}
for name in sorted(os.listdir(os.path.join(ROOT, "fixtures/models"))):
    p = os.path.join(ROOT, "fixtures/models", name, "README.md")
    if os.path.exists(p):
        with open(p, "rb") as f:
            c["fixture-" + name] = f.read()[:4096]
c.update({
    "list-license": "---\nlicense:\n- apache-2.0\n- mit\nbase_model: [a/b, c/d]\n---\nbody\n",
    "other": "---\nlicense: other\nlicense_name: llama3.1\nlicense_link: LICENSE\n---\n",
    "gated": "---\nlicense: gemma\nextra_gated_prompt: |\n  To access Gemma you must agree.\n---\n# Gemma\n",
    "model-index": "---\nmodel-index:\n- name: my-model\n  results: []\nlicense: mit\n---\n",
    "bom-crlf": "\ufeff---\r\nlicense: mit\r\n---\r\nbody\r\n",
    "unclosed": "---\nlicense: mit\n",
    "bad-yaml": "---\nlicense: [mit\n---\n",
    "tabs": "---\n\tlicense: mit\n---\n",
    "anchors": "---\na: &x apache-2.0\nlicense: *x\nbase_model: *x\n---\n",
    "non-string": "---\nlicense: 42\nbase_model: {a: b}\nmodel_name: [1]\n---\n",
    "dots": "---\nlicense: mit\n...\nbody\n",
    "empty-front": "---\n---\n",
    "no-front": "# just a readme\nLicensed under the Apache License, Version 2.0.\n",
    "tags": "---\nlicense: !!binary aGVsbG8=\n---\n",
})

# --- Ollama manifests ---------------------------------------------------------------------
H = "a" * 64
def layer(mt, d=H, size=1):
    return {"mediaType": mt, "digest": "sha256:" + d, "size": size}
o = {
    "llama": json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                         "config": layer("application/vnd.docker.container.image.v1+json"),
                         "layers": [layer("application/vnd.ollama.image.model", "b" * 64, 4920733696),
                                    layer("application/vnd.ollama.image.license"),
                                    layer("application/vnd.ollama.image.license", "c" * 64),
                                    layer("application/vnd.ollama.image.template", "d" * 64),
                                    layer("application/vnd.ollama.image.params", "e" * 64)]}, indent=2),
    "minimal": '{"layers":[]}',
    "no-layers": '{"schemaVersion":2}',
    "bad-digest": json.dumps({"layers": [layer("application/vnd.ollama.image.license", "../../etc/passwd")]}),
    "wrong-types": '{"layers":[{"mediaType":1,"digest":null}]}',
    "extra-fields": json.dumps({"layers": [dict(layer("application/vnd.ollama.image.adapter"), annotations={"x": "y"})]}),
    "not-json": "FROM llama3\nLICENSE x\n",
    "deep": '{"layers":' + "[" * 300 + "]" * 300 + "}",
    "unicode-escape": '{"layers":[{"mediaType":"\\u0061\\ud800","digest":"sha256:\\u0000"}]}',
}

# --- license texts -----------------------------------------------------------------------
texts = os.path.join(ROOT, "license-db/texts")
def text(key, limit=None):
    with open(os.path.join(texts, key + ".txt"), "rb") as f:
        b = f.read()
    return b if limit is None else b[:limit]
i = {}
for key in ["mit", "bsd-2-clause", "bsd-3-clause", "isc", "zlib", "unlicense", "wtfpl", "bsl-1.0",
            "kimi-modified-mit-2025", "mistral-modified-mit-2026"]:
    i["full-" + key] = text(key)
for key in ["apache-2.0", "llama3.1", "llama3.2", "gemma-2024-04-01", "cc-by-nc-4.0", "qwen-2024",
            "creativeml-openrail-m", "deepseek-license-1.0", "gpl-3.0", "flux-1-dev-non-commercial-license"]:
    i["head-" + key] = text(key, 3000)
i["notice-apache"] = "Licensed under the Apache License, Version 2.0 (the \"License\");\nyou may not use this file except in compliance with the License.\n"
i["notice-llama"] = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.\n"
i["notice-spdx"] = "SPDX-License-Identifier: MIT OR Apache-2.0\n"
i["mit-edited"] = text("mit").replace(b"free of charge", b"for non-commercial use only")
i["two-licenses"] = text("mit") + b"\n\n---\n\n" + text("isc")
i["empty"] = b""
i["whitespace"] = b"\n\n   \t\n"
i["words"] = b"license license license commercial use permitted version 2.0\n" * 5

# --- policies ----------------------------------------------------------------------------
with open(os.path.join(ROOT, "src/policy/starter.toml")) as f:
    starter = f.read()
with open(os.path.join(ROOT, "README.md")) as f:
    readme = f.read()
example = readme.split("```toml\n[licenses]", 1)[1].split("```", 1)[0]
p = {
    "starter": starter,
    "starter-uncommented": "\n".join(l[2:] if l.startswith("# ") else l for l in starter.splitlines()),
    "readme-example": "[licenses]" + example,
    "empty": "",
    "allow-deny": '[licenses]\nallow = ["apache-2.0", "MIT"]\ndeny = ["cc-by-nc-4.0"]\nunknown = "warn"\n',
    "unknown-id": '[licenses]\nallow = ["no-such-license"]\n',
    "bad-status": '[require]\ncommercial_use = ["maybe"]\n',
    "bad-toml": '[licenses\nallow = [\n',
    "exception-dates": '[[exceptions]]\nmodel = "a/*"\nallow = ["llama3.1"]\nreason = "x"\nexpires = "2025-02-30"\n',
    "exception-glob": '[[exceptions]]\nmodel = "**??*[x"\ndeny = []\nreason = ""\n',
    "org-big": '[organization]\nmonthly_active_users = 18446744073709551615\nannual_revenue_usd = -1\nregions = ["EU", "\u00e9"]\n',
    "unicode-error": 'licenses = "\u00e9\u00e9"\n[licenses]\n',
    "unknown-key": '[license]\nallow = ["mit"]\n',
}

# --- write -------------------------------------------------------------------------------
if os.path.isdir(OUT):
    for t in ["gguf", "safetensors", "card", "ollama_manifest", "identify", "policy"]:
        shutil.rmtree(os.path.join(OUT, t), ignore_errors=True)
for target, seeds in [("gguf", g), ("safetensors", s), ("card", c), ("ollama_manifest", o), ("identify", i), ("policy", p)]:
    for name, data in sorted(seeds.items()):
        put(target, name, data)
    print(target, len(seeds), file=sys.stderr)
