#!/usr/bin/env python3
"""Build the ScanCode LicenseDB "breadth layer" for model-license.

Usage:
    python3 build.py UNZIPPED_WHEEL_DIR [OUT_DIR]

UNZIPPED_WHEEL_DIR is the unzipped scancode-toolkit 32.5.0 wheel (the folder
that contains `licensedcode/`). OUT_DIR defaults to the folder of this script.

Writes, byte-stable (sorted, gzip level 9, mtime 0, no file name in header):
    licenses.jsonl.gz     one object per non-deprecated license
    rules.jsonl.gz        one object per kept rule of 3 or more words
    rules_short.jsonl.gz  the same for kept rules under 3 words (URLs,
                          `license: X` tags, bare names); optional

Standard library only. The YAML front matter of ScanCode's data files uses a
small subset of YAML; it is read with the tiny parser below (`parse_front_matter`).
"""

import ast
import collections
import gzip
import io
import json
import os
import re
import sys

# Same boundary as licensedcode/frontmatter.py: a line of 3+ dashes.
FM_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)
TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]+(.*?)|)[ \t]*$")

# Same tokenizer as licensedcode/tokenize.py (query_pattern); used only to
# compute ScanCode's default relevance for rules that do not store one.
WORD_SPLITTER = re.compile(r"[^_\W]+\+?[^_\W]*", re.UNICODE).findall

# Heuristic only: sets commercial_use to forbidden/unknown, never to allowed.
NONCOMMERCIAL_RE = re.compile(
    r"non[- ]?commercial|not for commercial|research purposes only", re.IGNORECASE
)
# Phrases removed before the search because they match the regex without
# restricting use: "commercial(ly) or non-commercial(ly)" (grants both), the
# GPL family's source-offer alternative ("allowed only for noncommercial
# distribution", "only occasionally and noncommercially"), "a non-commercially
# developed program" (SELinux), and the "designed/developed for research
# purposes only" warranty disclaimers (3D Slicer, FreeSurfer, ...).
_NC = r"non[- ]?commercial(?:ly)?"
_C = r"\bcommercial(?:ly)?\b"
_JOIN = r"\s*(?:,|/|or|and|and/or|as well as|as well as the)?\s*"
BENIGN_NC_RE = re.compile(
    "|".join([
        _C + _JOIN + _NC,
        _NC + r"\s+purposes?" + _JOIN + r"(?:the\s+)?" + _C,
        _NC + _JOIN + _C,
        r"allowed\s+only\s+(?:occasionally\s+and\s+)?(?:for\s+)?" + _NC + r"(?:\s+distribution)?",
        _NC + r"\s+developed",
        r"(?:designed|developed)\s+for\s+research\s+purposes\s+only",
    ]),
    re.IGNORECASE,
)


# --------------------------------------------------------------------------
# Tiny front matter parser (the subset used by ScanCode data files)
# --------------------------------------------------------------------------

def _unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == "'":
        return s[1:-1].replace("''", "'")
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return json.loads(s)
    return s


def _fold(lines):
    """Fold plain/quoted multi-line scalar lines: single newlines become spaces,
    empty lines become newlines."""
    out = []
    pending_breaks = 0
    for ln in lines:
        ln = ln.strip()
        if not ln:
            pending_breaks += 1
            continue
        if out:
            out.append("\n" * pending_breaks if pending_breaks else " ")
        pending_breaks = 0
        out.append(ln)
    return "".join(out)


_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}


def _double_quoted(src):
    """Decode a YAML double-quoted scalar (possibly spanning lines)."""
    assert src[0] == '"'
    out = []
    i, n = 1, len(src)
    while i < n:
        c = src[i]
        if c == '"':
            return "".join(out)
        if c == "\\":
            e = src[i + 1]
            if e == "\n":  # escaped line break: join, drop next line's indent
                i += 2
                while i < n and src[i] in " \t":
                    i += 1
                continue
            if e in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[e]
                out.append(chr(int(src[i + 2:i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(_YAML_ESCAPES[e])
            i += 2
            continue
        if c == "\n":  # folded line break
            while out and out[-1] in (" ", "\t"):
                out.pop()
            i += 1
            breaks = 0
            while i < n and src[i] in " \t\n":
                if src[i] == "\n":
                    breaks += 1
                i += 1
            out.append("\n" * breaks if breaks else " ")
            continue
        out.append(c)
        i += 1
    raise ValueError("unterminated double-quoted scalar")


def _decode_value(head, body):
    """head: text after `key:` on the key line; body: following indented lines."""
    head = head or ""
    if head.startswith(("|", ">")):
        lines = [ln for ln in body]
        indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
        ind = min(indents) if indents else 0
        lines = [ln[ind:] for ln in lines]
        if head.startswith("|"):
            text = "\n".join(lines)
        else:
            text = _fold(lines)
        return text.rstrip("\n") + ("" if "-" in head else "\n")
    if head.startswith('"'):
        return _double_quoted("\n".join([head] + body))
    if head.startswith("'"):
        return _fold([head] + body)[1:-1].replace("''", "'")
    if head:
        return _fold([head] + body)
    # empty head: a list of `- item` lines, or nothing
    items = []
    for ln in body:
        s = ln.strip()
        if not s:
            continue
        if s.startswith("- ") or s == "-":
            items.append([s[1:].strip()])
        elif items:
            items[-1].append(s)  # continuation of a list item
        else:
            raise ValueError("unexpected line in front matter: %r" % ln)
    return [_unquote(_fold(parts)) if parts[0][:1] in "'\"" else _fold(parts) for parts in items]


def parse_front_matter(fm):
    """Return {key: value} where value is a str or a list of str."""
    data = {}
    key, head, body = None, None, []
    for ln in fm.split("\n"):
        m = TOP_KEY.match(ln) if ln[:1] not in (" ", "\t", "-", "") else None
        if m:
            if key is not None:
                data[key] = _decode_value(head, body)
            key, head, body = m.group(1), m.group(2), []
        elif key is not None:
            body.append(ln)
        elif ln.strip():
            raise ValueError("front matter line before any key: %r" % ln)
    if key is not None:
        data[key] = _decode_value(head, body)
    return data


def load_data_file(path):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    had_cr = "\r" in text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = FM_BOUNDARY.split(text, 2)
    if len(parts) != 3 or parts[0].strip():
        raise ValueError("no front matter in %s" % path)
    return parse_front_matter(parts[1]), parts[2], had_cr


def is_yes(v):
    return isinstance(v, str) and v.strip().lower() in ("yes", "true", "y", "on", "1")


# --------------------------------------------------------------------------

def load_stopwords(licensedcode_dir):
    """Read STOPWORDS from licensedcode/stopwords.py as data (no import)."""
    src = open(os.path.join(licensedcode_dir, "stopwords.py"), encoding="utf-8").read()
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "STOPWORDS" for t in node.targets
        ):
            call = node.value  # frozenset({...})
            return frozenset(ast.literal_eval(call.args[0]))
    raise ValueError("STOPWORDS not found")


def compute_relevance(length):
    """licensedcode.models.compute_relevance."""
    if length > 18:
        return 100
    return [0, 5, 11, 16, 22, 27, 33, 38, 44, 50, 55, 61, 66, 72, 77, 83, 88, 94, 100][length]


def noncommercial_hint(text):
    return bool(NONCOMMERCIAL_RE.search(BENIGN_NC_RE.sub(" ", text)))


def to_int(v):
    if v is None or v == "":
        return None
    return int(float(v))


def write_jsonl_gz(path, objects):
    buf = io.BytesIO()
    for obj in objects:
        buf.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        buf.write(b"\n")
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=f, mtime=0) as gz:
            gz.write(buf.getvalue())


REQUIRED_PHRASE_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    out_dir = argv[2] if len(argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    lc = os.path.join(root, "licensedcode")
    lic_dir = os.path.join(lc, "data", "licenses")
    rule_dir = os.path.join(lc, "data", "rules")
    stopwords = load_stopwords(lc)
    stats = collections.Counter()
    notes = []

    # ---------------- licenses ----------------
    licenses = []
    for name in sorted(os.listdir(lic_dir)):
        if not name.endswith(".LICENSE"):
            continue
        data, content, had_cr = load_data_file(os.path.join(lic_dir, name))
        key = data.get("key")
        if key != name[: -len(".LICENSE")]:
            raise ValueError("key mismatch in %s" % name)
        stats["licenses_total"] += 1
        if is_yes(data.get("is_deprecated")):
            stats["licenses_deprecated_skipped"] += 1
            continue
        if had_cr:
            notes.append("CR line ends normalized: licenses/%s" % name)
        text = content.lstrip("\n").rstrip()
        other = data.get("other_spdx_license_keys") or []
        if isinstance(other, str):
            other = [other]
        obj = collections.OrderedDict()
        obj["key"] = key
        obj["name"] = data.get("short_name") or data.get("name") or key
        obj["full_name"] = data.get("name") or obj["name"]
        obj["category"] = data.get("category") or None
        obj["spdx"] = (data.get("spdx_license_key") or "").strip() or None
        obj["other_spdx"] = sorted(o.strip() for o in other if o and o.strip())
        obj["is_exception"] = is_yes(data.get("is_exception"))
        obj["is_generic"] = is_yes(data.get("is_generic"))
        obj["is_unknown"] = is_yes(data.get("is_unknown"))
        obj["noncommercial_hint"] = noncommercial_hint(text)
        obj["text"] = text
        licenses.append(obj)
    licenses.sort(key=lambda o: o["key"])

    # ---------------- rules ----------------
    rules = []
    short_rules = []  # under 3 words: URLs, `license: X` tags, bare names
    kinds = ("text", "notice", "reference", "tag", "intro", "clue")
    for name in sorted(os.listdir(rule_dir)):
        if not name.endswith(".RULE"):
            continue
        data, content, had_cr = load_data_file(os.path.join(rule_dir, name))
        stats["rules_total"] += 1
        if is_yes(data.get("is_false_positive")):
            stats["rules_skipped_false_positive"] += 1
            continue
        if is_yes(data.get("is_deprecated")):
            stats["rules_skipped_deprecated"] += 1
            continue
        kind = [k for k in kinds if is_yes(data.get("is_license_" + k))]
        if len(kind) != 1:
            raise ValueError("rule %s has kinds %r" % (name, kind))
        kind = kind[0]
        if kind in ("intro", "clue"):
            stats["rules_skipped_" + kind] += 1
            continue
        raw_text = content.strip()
        phrases = [" ".join(p.split()) for p in REQUIRED_PHRASE_RE.findall(raw_text)]
        text = raw_text.replace("{{", "").replace("}}", "")
        short = len(text.split()) < 3
        if short:
            stats["rules_under_3_words_to_rules_short"] += 1
        if had_cr:
            notes.append("CR line ends normalized: rules/%s" % name)
        relevance = to_int(data.get("relevance"))
        if relevance is None:
            length = sum(1 for t in WORD_SPLITTER(text.lower()) if t not in stopwords)
            relevance = compute_relevance(length)
            stats["rules_relevance_computed"] += 1
        obj = collections.OrderedDict()
        obj["id"] = name[: -len(".RULE")]
        obj["license_expression"] = data["license_expression"].strip()
        obj["kind"] = kind
        obj["relevance"] = relevance
        mc = to_int(data.get("minimum_coverage"))
        if mc:
            obj["minimum_coverage"] = mc
        obj["is_false_positive"] = False
        obj["required_phrases"] = phrases
        obj["text"] = text
        if short:
            short_rules.append(obj)
        else:
            rules.append(obj)
            stats["rules_kept_" + kind] += 1
    rules.sort(key=lambda o: o["id"])
    short_rules.sort(key=lambda o: o["id"])

    lic_path = os.path.join(out_dir, "licenses.jsonl.gz")
    rule_path = os.path.join(out_dir, "rules.jsonl.gz")
    write_jsonl_gz(lic_path, licenses)
    write_jsonl_gz(rule_path, rules)
    short_path = os.path.join(out_dir, "rules_short.jsonl.gz")
    write_jsonl_gz(short_path, short_rules)

    print("licenses: %d written (%d total, %d deprecated skipped) -> %s (%d bytes)" % (
        len(licenses), stats["licenses_total"], stats["licenses_deprecated_skipped"],
        lic_path, os.path.getsize(lic_path)))
    print("rules: %d written -> %s (%d bytes)" % (len(rules), rule_path, os.path.getsize(rule_path)))
    print("short rules (< 3 words): %d written -> %s (%d bytes)" % (
        len(short_rules), short_path, os.path.getsize(short_path)))
    for k in sorted(stats):
        print("  %s: %d" % (k, stats[k]))
    print("licenses per category:")
    for cat, n in sorted(collections.Counter(o["category"] for o in licenses).items()):
        print("  %s: %d" % (cat, n))
    print("noncommercial_hint: %d" % sum(o["noncommercial_hint"] for o in licenses))
    print("licenses with empty text: %s" % ", ".join(o["key"] for o in licenses if not o["text"]))
    for n in notes:
        print("note: " + n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
