//! Declared ids and names: card `license` / `license_name` / `license_link` values, GGUF
//! keys, and license names mentioned in a README's License section.

use crate::db::{fold_name, Db};
use crate::identify::Identifier;

/// What a declared value resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// One or more license-db keys (an SPDX expression may name several).
    Keys(Vec<String>),
    /// `other`: the card says the license is something else; look at the name, link, texts.
    Other,
    /// `unknown` or empty: the card says nothing.
    Unknown,
    /// A value license-db does not know.
    Unresolved,
}

/// Resolves a declared value. `field` is the metadata key it came from: `license_link`
/// values are URLs or file paths, every other field holds ids, names or SPDX expressions.
pub fn resolve_value(db: &Db, identifier: &Identifier, field: &str, value: &str) -> Resolved {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    if field.ends_with("link") || lower.starts_with("http://") || lower.starts_with("https://") {
        return resolve_link(db, value);
    }
    match lower.as_str() {
        "" | "unknown" | "none" | "noassertion" | "n/a" => return Resolved::Unknown,
        "other" | "custom" | "proprietary" => return Resolved::Other,
        _ => {}
    }
    if let Some(key) = lookup(db, identifier, value) {
        return Resolved::Keys(vec![key]);
    }
    // An SPDX-style expression: every operand must resolve. `OR` is treated like `AND`
    // (every alternative is kept) so that a choice never reads as more permissive than
    // the strictest alternative the reader might be bound by.
    let cleaned = value.replace(['(', ')'], " ");
    let parts = split_expression(&cleaned);
    if parts.len() > 1 {
        let mut keys = Vec::new();
        for part in parts {
            match lookup(db, identifier, &part) {
                Some(k) => keys.push(k),
                None => return Resolved::Unresolved,
            }
        }
        keys.dedup();
        return Resolved::Keys(keys);
    }
    Resolved::Unresolved
}

fn split_expression(expr: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut skip_exception = false;
    for word in expr.split_whitespace() {
        match word.to_ascii_uppercase().as_str() {
            "AND" | "OR" => {
                parts.push(String::new());
                skip_exception = false;
            }
            // `X WITH Exception`: the exception only widens X; keep X.
            "WITH" => skip_exception = true,
            _ if skip_exception => {}
            _ => {
                let last = parts.last_mut().expect("non-empty");
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(word);
            }
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// A declared value resolves only by equality with a record's id, Hub id, SPDX id, title or
/// alias after folding (case, `-`/`_`/space, SPDX `-only`/`-or-later`/`+`, a trailing
/// "license"), or by equality of canonical names; never by containment, so "mit-nc" and
/// "apache-2.0-noncommercial" name nothing.
fn lookup(db: &Db, identifier: &Identifier, value: &str) -> Option<String> {
    let value = value.trim();
    let base = value.trim_end_matches('+');
    let base = base
        .strip_suffix("-only")
        .or_else(|| base.strip_suffix("-or-later"))
        .unwrap_or(base);
    let folded = crate::db::fold_name(value);
    let no_suffix = ["license", "licence"]
        .iter()
        .find_map(|s| folded.strip_suffix(s))
        .map(str::trim)
        .filter(|s| !s.is_empty());
    db.lookup(value)
        .or_else(|| db.lookup(base))
        .or_else(|| no_suffix.and_then(|s| db.lookup(s)))
        .map(|l| l.key.clone())
        .or_else(|| identifier.name(db, value))
        // The breadth layer (ScanCode LicenseDB): `license: osl-3.0`, `OSL-3.0`.
        .or_else(|| {
            [value, base]
                .into_iter()
                .chain(no_suffix)
                .find_map(|v| db.lookup_breadth(v))
                .map(|l| l.key.clone())
        })
}

/// A `license_link`: a URL of a known license, or a path to a file in the repo (whose
/// text is identified as a document on its own).
fn resolve_link(db: &Db, link: &str) -> Resolved {
    let wanted = normalize_url(link);
    if !wanted.contains('/') || !link.contains("://") {
        return Resolved::Unknown;
    }
    for l in db.licenses() {
        if std::iter::once(&l.source.url)
            .chain(&l.urls)
            .any(|u| normalize_url(u) == wanted)
        {
            return Resolved::Keys(vec![l.key.clone()]);
        }
    }
    // A version-specific URL path (`llama3_1/use-policy`) recorded as a marker.
    for l in db.licenses().filter(|l| !l.is_policy()) {
        if l.markers.iter().any(|m| {
            m.contains('/') && !m.contains(' ') && wanted.contains(&m.to_ascii_lowercase())
        }) {
            return Resolved::Keys(vec![l.key.clone()]);
        }
    }
    Resolved::Unresolved
}

/// Lowercase, no scheme, no `www.`, GitHub raw and blob URLs alike, no trailing slash.
fn normalize_url(url: &str) -> String {
    let mut u = url.trim().to_ascii_lowercase();
    for prefix in ["https://", "http://"] {
        if let Some(rest) = u.strip_prefix(prefix) {
            u = rest.to_string();
        }
    }
    if let Some(rest) = u.strip_prefix("www.") {
        u = rest.to_string();
    }
    if let Some(rest) = u.strip_prefix("raw.githubusercontent.com/") {
        let mut parts: Vec<&str> = rest.splitn(4, '/').collect();
        if parts.len() == 4 {
            parts.insert(2, "blob");
            u = format!("github.com/{}", parts.join("/"));
        }
    }
    u = u.replace("/raw/", "/blob/").replace("/resolve/", "/blob/");
    u.trim_end_matches('/').to_string()
}

/// A license named in prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// license-db key.
    pub key: String,
    /// 1-based line within the text given.
    pub line: usize,
}

/// License names mentioned in the License section(s) of a Markdown text, and in
/// `License: X` lines anywhere. Longer names win over the shorter names inside them
/// ("Qwen RESEARCH LICENSE AGREEMENT" is not also "Qwen").
pub fn mentions(phrases: &Phrases, text: &str) -> Vec<Mention> {
    mentions_in(phrases, license_sections(text))
}

/// License names mentioned anywhere in a short text (a one-paragraph license file:
/// "The weights are licensed under CC BY-NC 4.0; the code is MIT.").
pub fn mentions_anywhere(phrases: &Phrases, text: &str) -> Vec<Mention> {
    mentions_in(phrases, vec![(1, text.lines().collect())])
}

fn mentions_in(all: &Phrases, sections: Vec<(usize, Vec<&str>)>) -> Vec<Mention> {
    let phrases = &all.names;
    let mut found = Vec::new();
    for (start, lines) in sections {
        // Links to a license's own page (`.../models/llama3_3/LICENSE`).
        for (i, line) in lines.iter().enumerate() {
            for word in line.split(|c: char| c.is_whitespace() || "()<>[]\"'".contains(c)) {
                let word = word.replace("\\_", "_");
                if !word.contains("://") {
                    continue;
                }
                if let Some(key) = all.url(word.trim_end_matches(['.', ',', ';'])) {
                    if !found.iter().any(|m: &Mention| m.key == key) {
                        found.push(Mention {
                            key: key.to_string(),
                            line: start + i,
                        });
                    }
                }
            }
        }
        let (folded, line_of) = fold_lines(&lines);
        let mut spans: Vec<(usize, usize, &str)> = Vec::new();
        for m in all
            .finder
            .iter()
            .flat_map(|f| f.find_overlapping_iter(&folded))
        {
            let (at, end) = (m.start(), m.end());
            let bounded = (at == 0 || folded.as_bytes()[at - 1] == b' ')
                && (end == folded.len() || folded.as_bytes()[end] == b' ');
            if bounded {
                spans.push((at, end, phrases[m.pattern().as_usize()].1.as_str()));
            }
        }
        spans.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
        let mut covered_to = 0;
        for (a, b, key) in spans {
            if b <= covered_to {
                continue;
            }
            covered_to = covered_to.max(b);
            let line = start + line_of[a];
            if !found.iter().any(|m: &Mention| m.key == key) {
                found.push(Mention {
                    key: key.to_string(),
                    line,
                });
            }
        }
    }
    found
}

/// Vendor and product names: a prose mention of one ("fine-tuned from Qwen", "distilled
/// from OpenAI's Whisper") names a model, not a license.
pub const NOT_LICENSE_NAMES: &[&str] = &[
    "openai",
    "anthropic",
    "claude",
    "google",
    "gemini",
    "xai",
    "grok",
    "qwen",
    "deepseek",
    "exaone",
    "llama",
    "gemma",
    "mistral",
    "falcon",
    "tongyi",
    "yi",
    "glm",
    "kimi",
    "minimax",
    "flux",
    "hunyuan",
    "tencent",
    "meta",
    "nvidia",
    "stability",
    "cohere",
    "apache",
    "mrl",
    "mnpl",
    "amlr",
    "aml",
];

/// Every name, Hub id and alias of every license (not policies), folded, longest first:
/// what a prose mention is matched against.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    names: Vec<(String, String)>,
    /// Every name of `names` at once (pattern `i` is `names[i]`).
    finder: Option<aho_corasick::AhoCorasick>,
    /// (normalised licensor URL, key) and (version-specific URL path marker, key).
    urls: Vec<(String, String)>,
    paths: Vec<(String, String)>,
}

impl Phrases {
    /// Builds the phrase list of `db`.
    pub fn new(db: &Db) -> Phrases {
        let mut out: Vec<(String, String)> = Vec::new();
        for l in db.licenses().filter(|l| !l.is_policy()) {
            let names = std::iter::once(&l.name)
                .chain(l.hf.iter())
                .chain(l.aliases.iter())
                .chain(std::iter::once(&l.key));
            for n in names {
                let f = fold_name(n);
                let vendor = NOT_LICENSE_NAMES.contains(&f.as_str());
                if f.len() >= 3 && !vendor && !matches!(f.as_str(), "other" | "unknown" | "license")
                {
                    out.push((f, l.key.clone()));
                }
            }
        }
        out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        out.dedup();
        let urls = db
            .licenses()
            .flat_map(|l| {
                std::iter::once(&l.source.url)
                    .chain(&l.urls)
                    .filter(|u| !u.is_empty())
                    .map(|u| (normalize_url(u), l.key.clone()))
            })
            .collect();
        let paths = db
            .licenses()
            .filter(|l| !l.is_policy())
            .flat_map(|l| {
                l.markers
                    .iter()
                    .filter(|m| m.contains('/') && !m.contains(' '))
                    .map(|m| (m.to_ascii_lowercase(), l.key.clone()))
            })
            .collect();
        let finder = aho_corasick::AhoCorasick::new(out.iter().map(|(n, _)| n)).ok();
        Phrases {
            names: out,
            finder,
            urls,
            paths,
        }
    }

    /// The license a URL points at: a licensor URL, or a version-specific path.
    fn url(&self, link: &str) -> Option<&str> {
        let wanted = normalize_url(link);
        if !wanted.contains('/') {
            return None;
        }
        self.urls
            .iter()
            .find(|(u, _)| *u == wanted)
            .or_else(|| self.paths.iter().find(|(p, _)| wanted.contains(p.as_str())))
            .map(|(_, k)| k.as_str())
    }
}

/// The line without its URLs (`http://...`, `https://...`, `www....`).
fn strip_urls(line: &str) -> String {
    line.split_whitespace()
        .flat_map(|w| w.split(['(', ')', '<', '>', '[', ']']))
        .filter(|w| !(w.contains("://") || w.starts_with("www.")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Folds lines into one string (words separated by single spaces) and records, for each
/// byte, the index of the line it came from.
fn fold_lines(lines: &[&str]) -> (String, Vec<usize>) {
    let mut folded = String::new();
    let mut line_of = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // URLs are not prose: `.../models/llama3_3/LICENSE` names no license by its path.
        let line = strip_urls(line);
        // Sentence dots are not part of a name: "under CC BY-NC 4.0." names CC-BY-NC-4.0.
        let f = fold_name(&line)
            .split(' ')
            .map(|w| w.trim_end_matches('.'))
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if f.is_empty() {
            continue;
        }
        if !folded.is_empty() {
            folded.push(' ');
            line_of.push(i);
        }
        line_of.extend(std::iter::repeat_n(i, f.len()));
        folded.push_str(&f);
    }
    (folded, line_of)
}

/// Words that give notice of the license that applies ("Code and data are licensed under
/// the Apache 2.0 license").
pub const NOTICE_CUES: [&str; 5] = [
    "licensed under",
    "released under",
    "distributed under",
    "available under",
    "under the terms of",
];

/// The License sections of a Markdown text: a heading that says license/licence or terms
/// and the lines up to the next heading of the same or a higher level; single `License: X`
/// lines; and single lines anywhere that give notice ("licensed under ..."). Returns (first line number, lines).
pub fn license_sections(text: &str) -> Vec<(usize, Vec<&str>)> {
    license_sections_with(text, true)
}

/// The License and Terms sections and `License: X` lines only, without the notice lines
/// found anywhere: the prose whose every sentence is accounted for.
pub fn license_sections_strict(text: &str) -> Vec<(usize, Vec<&str>)> {
    license_sections_with(text, false)
}

fn license_sections_with(text: &str, notice_lines: bool) -> Vec<(usize, Vec<&str>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut sections = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let level = line.chars().take_while(|&c| c == '#').count();
        let lower = line.to_ascii_lowercase();
        let names_license = lower.contains("licen") || lower.contains("terms");
        if level > 0 && names_license {
            // The section ends at the next heading of the same or a higher level, or at any
            // sub-heading that is not about the license ("### Risks and Biases").
            let end = (i + 1..lines.len()).find(|&j| {
                let l = lines[j].trim_start();
                let lv = l.chars().take_while(|&c| c == '#').count();
                let about = l.to_ascii_lowercase();
                lv > 0 && (lv <= level || !(about.contains("licen") || about.contains("terms")))
            });
            let end = end.unwrap_or(lines.len()).min(i + 200);
            sections.push((i + 1, lines[i..end].to_vec()));
            i = end;
            continue;
        }
        let label = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
        // `License: X` lines, and notices anywhere ("Code and data are licensed under the
        // Apache 2.0 license").
        let label_line =
            (label.starts_with("license") || label.starts_with("licence")) && lower.contains(':');
        let notice = notice_lines && NOTICE_CUES.iter().any(|c| lower.contains(c));
        if level == 0 && (label_line || notice) {
            sections.push((i + 1, vec![lines[i]]));
        }
        i += 1;
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (Db, Identifier) {
        let db = Db::embedded().unwrap();
        let id = Identifier::new(&db);
        (db, id)
    }

    #[test]
    fn ids_names_and_expressions_resolve() {
        let (db, id) = db();
        assert_eq!(
            resolve_value(&db, &id, "license", "Apache-2.0"),
            Resolved::Keys(vec!["apache-2.0".into()])
        );
        assert_eq!(
            resolve_value(&db, &id, "license", "llama3.1"),
            Resolved::Keys(vec!["llama3.1".into()])
        );
        assert_eq!(resolve_value(&db, &id, "license", "other"), Resolved::Other);
        assert_eq!(
            resolve_value(&db, &id, "license", "unknown"),
            Resolved::Unknown
        );
        assert_eq!(
            resolve_value(&db, &id, "license", "my-own-license"),
            Resolved::Unresolved
        );
        assert_eq!(
            resolve_value(&db, &id, "license", "(Apache-2.0 OR llama3.1)"),
            Resolved::Keys(vec!["apache-2.0".into(), "llama3.1".into()])
        );
        assert_eq!(
            resolve_value(&db, &id, "license", "Apache-2.0 AND my-own"),
            Resolved::Unresolved
        );
    }

    #[test]
    fn links_resolve_by_licensor_url() {
        let (db, id) = db();
        let r = resolve_value(&db, &id, "license_link", "https://raw.githubusercontent.com/meta-llama/llama-models/main/models/llama3_1/LICENSE");
        assert_eq!(r, Resolved::Keys(vec!["llama3.1".into()]));
        assert_eq!(
            resolve_value(&db, &id, "license_link", "LICENSE"),
            Resolved::Unknown
        );
    }

    #[test]
    fn mentions_in_license_sections_only_and_longest_wins() {
        let (db, _) = db();
        let phrases = Phrases::new(&db);
        let text = "# Model\nTrained like Llama 3.1 models.\n\n## License\n\nThis model is released under the\nLlama 3.1 Community License Agreement.\n\n## Usage\nApache 2.0 tooling.\n";
        let m = mentions(&phrases, text);
        assert_eq!(
            m,
            vec![Mention {
                key: "llama3.1".into(),
                line: 7
            }]
        );
        let m = mentions(&phrases, "Some text\n**License:** Apache 2.0\n");
        assert_eq!(
            m,
            vec![Mention {
                key: "apache-2.0".into(),
                line: 2
            }]
        );
    }
}
