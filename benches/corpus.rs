//! The generated identification corpus, shared by `tests/identify.rs`, `benches/identify.rs`
//! and `examples/corpus.rs` (which writes it to disk for the askalono comparison).
//!
//! For every license-db record with a text: the variants real repositories produce
//! (re-wrapped, CRLF, quotes swapped, Markdown, HTML entities, copyright changed, a title
//! prepended, an AUP or another license appended, tail truncated, leading lines dropped, a
//! notice in a README), modified variants (scale number changed, a no-commercial sentence
//! inserted, a decisive clause removed) and negatives (source code, prose, licenses that are
//! not in the db). Deterministic: a fixed seed, records in key order.
#![allow(dead_code)]

use model_license::db::Db;
use model_license::identify::normalize::tokenize;

/// What a correct answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A full-text match for `key` (and for `also`, if set); `modified` says whether the
    /// clause check must report something.
    Key {
        /// The license.
        key: String,
        /// A second license appended after it.
        also: Option<String>,
        /// The text was edited in a way that changes terms (`None`: either answer is right,
        /// e.g. a truncated tail that took a decisive clause with it).
        modified: Option<bool>,
    },
    /// A notice match for `key`.
    Notice(String),
    /// A pointer file (a line that links the license's own page): the verdict names `key`,
    /// with no text match.
    Pointer(String),
    /// No unmodified full-text match (abstaining, or a match flagged as modified).
    NotIdentified,
}

/// One generated text.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<key>.<variant>` or `negative.<name>`.
    pub name: String,
    /// The text.
    pub text: String,
    /// The correct answer.
    pub expect: Expect,
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// Next number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

const NC_SENTENCE: &str =
    "You may not use the Materials or any part of them for commercial purposes.";

/// Licenses not in the curated db (ScanCode data, CC-BY-4.0): the breadth layer's cases.
const UNKNOWN: &[(&str, &str)] = &[
    (
        "ms-pl",
        include_str!("../fixtures/corpus/unknown/ms-pl.txt"),
    ),
    (
        "ofl-1.1",
        include_str!("../fixtures/corpus/unknown/ofl-1.1.txt"),
    ),
    (
        "postgresql",
        include_str!("../fixtures/corpus/unknown/postgresql.txt"),
    ),
    ("x11", include_str!("../fixtures/corpus/unknown/x11.txt")),
    (
        "zpl-2.1",
        include_str!("../fixtures/corpus/unknown/zpl-2.1.txt"),
    ),
    ("w3c", include_str!("../fixtures/corpus/unknown/w3c.txt")),
];

const CODE: &str = include_str!("../src/identify/matcher.rs");

/// Builds the whole corpus from `db`.
pub fn generate(db: &Db) -> Vec<Case> {
    let mut rng = Rng::new(0x5eed_1d3a);
    let mut out = Vec::new();
    let keyed: Vec<(&model_license::License, &str)> = db
        .licenses()
        .filter_map(|l| l.texts.first().and_then(|t| db.text(t)).map(|t| (l, t)))
        .collect();
    for (i, &(l, text)) in keyed.iter().enumerate() {
        let key = l.key.clone();
        let plain = |modified: bool| Expect::Key {
            key: key.clone(),
            also: None,
            modified: Some(modified),
        };
        let mut push = |name: &str, text: String, expect: Expect| {
            out.push(Case {
                name: format!("{key}.{name}"),
                text,
                expect,
            });
        };
        for w in [40, 72, 100] {
            push(&format!("wrap{w}"), rewrap(text, w), plain(false));
        }
        push("crlf", text.replace('\n', "\r\n"), plain(false));
        push("quotes", swap_quotes(text), plain(false));
        push("markdown", markdownify(text), plain(false));
        push("html", html_entities(text), plain(false));
        push("html-rendered", html_rendered(text), plain(false));
        push("copyright", change_copyright(text), plain(false));
        push("title", format!("# LICENSE\n\nThe model weights in this repository are provided under the terms below.\n\n{text}"), plain(false));
        // Kinds that real files showed: indented, inside a README, under bracketed header
        // lines, with http links where the reference has https.
        push("indented", indent(text), plain(false));
        push(
            "readme-embedded",
            format!("# Tiny model\n\nA small model for tests.\n\n## Usage\n\nRun `tiny --help`.\n\n## License\n\n{text}\n\n## Citation\n\nPlease cite the tiny paper.\n"),
            plain(false),
        );
        push(
            "header-lines",
            format!(
                "[FAQ](https://example.org/faq)\n[Source](https://example.org/source)\n\n{text}"
            ),
            plain(false),
        );
        push("http", text.replace("https://", "http://"), plain(false));
        // Bilingual files: the Chinese and English halves in the other order, and a card
        // whose prose around the text is Chinese.
        if let Some(swapped) = swap_languages(text) {
            push("bilingual-swapped", swapped, plain(false));
        }
        push(
            "bilingual-readme",
            format!("# 小模型 / Tiny model\n\n这是一个用于测试的小模型。\n\n## 快速开始\n\n运行 `tiny --help`。\n\n## 协议 / License\n\n{text}\n\n## 引用\n\n请引用我们的论文。\n"),
            plain(false),
        );
        let other = appended(db, l, &keyed, i);
        if let Some((okey, otext)) = other {
            let e = Expect::Key {
                key: key.clone(),
                also: Some(okey),
                modified: Some(false),
            };
            push("appended", format!("{text}\n\n---\n\n{otext}"), e);
        }
        let cut = text.len() * 9 / 10;
        let cut = (0..=cut)
            .rev()
            .find(|&c| text.is_char_boundary(c) && text[..c].ends_with(' '))
            .unwrap_or(cut);
        if tokenize(&text[..cut]).len() >= 50 {
            let lost = l
                .decisive_clauses
                .iter()
                .any(|c| !contains(&text[..cut], &c.text));
            let e = Expect::Key {
                key: key.clone(),
                also: None,
                modified: if lost { None } else { Some(false) },
            };
            push("truncated", text[..cut].to_string(), e);
        }
        if let Some((rest, dropped)) = drop_lines(text, 5) {
            let lost_clause = l
                .decisive_clauses
                .iter()
                .any(|c| contains(&dropped, &c.text) && !contains(&rest, &c.text));
            let lost_marker =
                !l.markers.is_empty() && !l.markers.iter().any(|m| contains(&rest, m));
            let e = if lost_marker {
                Expect::NotIdentified
            } else {
                plain(lost_clause)
            };
            push("dropped-head", rest, e);
        }
        // A pointer file, as Code Llama ships one: only a link to the licensor's page,
        // for records whose page no other record shares.
        let url = l.source.url.trim_end_matches('/');
        let shared = db
            .licenses()
            .filter(|o| o.source.url.trim_end_matches('/') == url)
            .count()
            > 1;
        if !shared && url.starts_with("https://") && !l.is_policy() {
            push(
                "pointer",
                format!("Please refer to the license: {url}\n"),
                Expect::Pointer(key.clone()),
            );
        }
        for (n, notice) in l.notices.iter().enumerate() {
            let readme = format!("# A fine-tuned model\n\nThis model was fine-tuned on public data for summarisation.\n\n## License\n\n{notice}. See the LICENSE file for details.\n");
            push(&format!("notice{n}"), readme, Expect::Notice(key.clone()));
        }
        if let Some(t) = change_scale(text) {
            push("mod-scale", t, plain(true));
        }
        push(
            "mod-nc",
            insert_paragraph(text, NC_SENTENCE, &mut rng),
            plain(true),
        );
        if let Some(c) = l
            .decisive_clauses
            .iter()
            .find(|c| text.contains(c.text.as_str()))
        {
            push(
                "mod-grant",
                text.replacen(c.text.as_str(), "", 1),
                plain(true),
            );
        }
    }
    negatives(&mut rng, &keyed, &mut out);
    out
}

fn negatives(rng: &mut Rng, keyed: &[(&model_license::License, &str)], out: &mut Vec<Case>) {
    let mut neg = |name: &str, text: String| {
        out.push(Case {
            name: format!("negative.{name}"),
            text,
            expect: Expect::NotIdentified,
        });
    };
    neg("code", CODE.to_string());
    neg("readme", "# Tiny model\n\nA small model for tests. Install with `pip install tiny`.\n\n## Usage\n\nRun `tiny --help`.\n".into());
    let vocab: Vec<&str> = keyed
        .iter()
        .flat_map(|(_, t)| t.split_whitespace())
        .collect();
    for n in 0..5 {
        let words: Vec<&str> = (0..400).map(|_| vocab[rng.below(vocab.len())]).collect();
        neg(&format!("prose{n}"), words.join(" "));
    }
    // Licenses no curated record has: the breadth layer (ScanCode LicenseDB) names them.
    for (k, t) in UNKNOWN {
        out.push(Case {
            name: format!("breadth.{k}"),
            text: t.to_string(),
            expect: Expect::Key {
                key: k.to_string(),
                also: None,
                modified: Some(false),
            },
        });
    }
}

/// A bilingual text with its two languages in the other order: split where the script of
/// the lines changes (CJK or not), at the change nearest the middle. `None` for texts in one
/// script.
fn swap_languages(text: &str) -> Option<String> {
    let cjk = |l: &str| l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut offset = 0usize;
    let mut last = None;
    let mut best: Option<usize> = None;
    let middle = text.len() / 2;
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() {
            let script = cjk(line);
            if last.is_some_and(|l| l != script)
                && best.is_none_or(|b| offset.abs_diff(middle) < b.abs_diff(middle))
            {
                best = Some(offset);
            }
            last = Some(script);
        }
        offset += line.len();
    }
    let (a, b) = text.split_at(best?);
    Some(format!("{}\n\n{}\n", b.trim_end(), a.trim_end()))
}

/// The text as a web page renders legal code: paragraphs in `<p>`, numbered items in
/// `<li>` with their numbering left to the list (`a.`, `(ii)`, `3.` dropped), a comment and
/// a page title around it. Markup already in the text (`<br>`) stays markup.
fn html_rendered(text: &str) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html><head><title>License</title></head><body>\n<!-- Legalcode Start -->\n");
    for para in text.split("\n\n") {
        let t = para.trim();
        if t.is_empty() {
            continue;
        }
        let first = t.split_whitespace().next().unwrap_or("");
        let label = first.trim_matches(|c| c == '(' || c == ')' || c == '.');
        let roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];
        let shaped = if first.starts_with('(') {
            first.ends_with(')')
        } else {
            first.ends_with('.') || first.ends_with(')')
        };
        let numbered = shaped
            && ((label.len() == 1 && label.chars().all(|c| c.is_ascii_alphabetic()))
                || roman.contains(&label.to_ascii_lowercase().as_str())
                || (!label.is_empty()
                    && label.len() <= 2
                    && label.chars().all(|c| c.is_ascii_digit())));
        let escaped = t.replace('&', "&amp;");
        if numbered {
            let body = escaped.trim_start()[first.len()..].trim_start();
            out.push_str(&format!("<ol><li>{body}</li></ol>\n"));
        } else {
            out.push_str(&format!("<p>{escaped}</p>\n"));
        }
    }
    out.push_str("<!-- Legalcode End - DO NOT DELETE -->\n</body></html>\n");
    out
}

/// Every line indented by four spaces, as some repositories ship their texts.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The incorporated policy, or another license (the next record with a text, by key).
fn appended(
    db: &Db,
    l: &model_license::License,
    keyed: &[(&model_license::License, &str)],
    i: usize,
) -> Option<(String, String)> {
    if let Some(p) = db
        .licenses()
        .find(|p| p.policy_of.contains(&l.key) && !p.texts.is_empty())
    {
        return Some((p.key.clone(), db.text(&p.texts[0])?.to_string()));
    }
    let (o, t) = keyed.get((i + keyed.len() / 2) % keyed.len())?;
    (o.family != l.family && !o.policy_of.contains(&l.key)).then(|| (o.key.clone(), t.to_string()))
}

/// True when `needle`'s words occur in `hay` in order, after normalisation.
pub fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (tokenize(hay).hashes(), tokenize(needle).hashes());
    !n.is_empty() && h.windows(n.len()).any(|w| w == n.as_slice())
}

/// Re-flows every paragraph to `width` columns.
pub fn rewrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut paras: Vec<String> = vec![String::new()];
    for l in text.lines() {
        if l.trim().is_empty() {
            paras.push(String::new());
        } else if let Some(p) = paras.last_mut() {
            p.push_str(l);
            p.push('\n');
        }
    }
    for para in paras.iter().filter(|p| !p.is_empty()) {
        let mut line = String::new();
        for w in para.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + w.len() > width {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        out.push_str(&line);
        out.push_str("\n\n");
    }
    out
}

fn swap_quotes(text: &str) -> String {
    if text.contains(['“', '’', '”']) {
        text.replace(['“', '”'], "\"")
            .replace(['’', '‘'], "'")
            .replace(['—', '–'], "-")
    } else {
        let mut open = true;
        text.chars()
            .map(|c| match c {
                '"' => {
                    open = !open;
                    if open {
                        '”'
                    } else {
                        '“'
                    }
                }
                '\'' => '’',
                c => c,
            })
            .collect()
    }
}

fn markdownify(text: &str) -> String {
    let mut out = String::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let md = if n == 0 && !t.is_empty() {
            format!("# **{}**", t)
        } else if t.len() > 2 && t.as_bytes()[0].is_ascii_digit() && t.as_bytes()[1] == b'.' {
            format!("{}\\.{}", &t[..1], &t[2..])
        } else if t.starts_with("(") && t.len() < 400 {
            format!("- {t}")
        } else {
            t.replace('_', "\\_")
        };
        out.push_str(&md);
        out.push('\n');
    }
    out
}

fn html_entities(text: &str) -> String {
    let body = text
        .replace('&', "&amp;")
        .replace('“', "&ldquo;")
        .replace('”', "&rdquo;")
        .replace('’', "&rsquo;")
        .replace('"', "&quot;");
    format!("<p>{}</p>", body.replace("\n\n", "</p>\n\n<p>"))
}

fn change_copyright(text: &str) -> String {
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let t = l.trim_start();
            let notice = t.contains("(c)")
                || t.contains("(C)")
                || t.contains('©')
                || t.contains("yyyy")
                || t.contains("<year>")
                || t.bytes().filter(u8::is_ascii_digit).count() >= 4;
            if t.starts_with("Copyright") && notice && l.len() < 120 {
                found = true;
                "Copyright (c) 2031 Example Model Makers Ltd.".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    let body = lines.join("\n");
    if found {
        body
    } else {
        format!("Copyright 2031 Example Model Makers Ltd.\n\n{body}")
    }
}

/// Drops the first `n` non-empty lines when at least 80% of the words remain.
fn drop_lines(text: &str, n: usize) -> Option<(String, String)> {
    let mut seen = 0;
    let mut cut = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if seen == n {
            break;
        }
        let _ = i;
        cut += l.len();
        seen += usize::from(!l.trim().is_empty());
    }
    let (head, rest) = text.split_at(cut);
    let keep = tokenize(rest).len() as f32 / tokenize(text).len().max(1) as f32;
    (keep >= 0.8 && seen == n).then(|| (rest.to_string(), head.to_string()))
}

/// "700 million" -> "7 million", "1,000,000" -> "1,000": the first scale number.
fn change_scale(text: &str) -> Option<String> {
    for unit in [" million", " billion", ",000,000"] {
        if let Some(at) = text.find(unit) {
            let start = text[..at]
                .rfind(|c: char| !c.is_ascii_digit() && c != ',')
                .map_or(0, |s| s + 1);
            let num = &text[start..at];
            if num.len() >= 2 && num.bytes().all(|b| b.is_ascii_digit()) {
                return Some(format!("{}{}{}", &text[..start], &num[..1], &text[at..]));
            }
            if unit == ",000,000" && !num.is_empty() {
                return Some(format!(
                    "{}{},000{}",
                    &text[..start],
                    num,
                    &text[at + unit.len()..]
                ));
            }
        }
    }
    None
}

/// Inserts `sentence` as its own paragraph after a paragraph in the middle third.
fn insert_paragraph(text: &str, sentence: &str, rng: &mut Rng) -> String {
    let paras: Vec<&str> = text.split("\n\n").collect();
    let n = paras.len();
    if n < 3 {
        let mid = text.len() / 2;
        let at = text[mid..].find(". ").map_or(text.len(), |p| mid + p + 2);
        return format!("{}{} {}", &text[..at], sentence, &text[at..]);
    }
    let at = n / 3 + rng.below(n / 3 + 1);
    let mut out: Vec<&str> = paras[..at].to_vec();
    out.push(sentence);
    out.extend(&paras[at..]);
    out.join("\n\n")
}
