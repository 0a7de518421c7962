//! Model cards: the YAML front matter of a README.md, and the parts of its body that talk
//! about the license.
//!
//! The Hub's card metadata puts `license` (a string or a list), `license_name`,
//! `license_link`, `base_model` (a string or a list) and, for gated repos,
//! `extra_gated_prompt` (often the license text itself) in the front matter.

use serde_norway::Value;

use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};
use crate::source::files::one_line;
use crate::source::{Declared, Document};

/// What a model card says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// License claims from the front matter.
    pub declared: Vec<Declared>,
    /// `base_model` entries.
    pub base_models: Vec<String>,
    /// `model_name` / `model-index[0].name`, if any.
    pub name: Option<String>,
    /// Texts to identify: the body after the front matter and `extra_gated_prompt`.
    pub documents: Vec<Document>,
    /// Problems with the card itself (malformed YAML, odd values).
    pub findings: Vec<Finding>,
}

/// The field of the claim made by license lines of a front matter that did not parse: it
/// resolves to no license, so the card's license evidence is unknown.
pub const UNPARSED_LICENSE: &str = "license (front matter not parsed)";

/// Front matter keys that carry license claims.
const LICENSE_KEYS: [&str; 3] = ["license", "license_name", "license_link"];

/// Parses a README's text; `path` names the file in findings and evidence.
pub fn parse(text: &str, path: &str) -> Card {
    let mut card = Card::default();
    let (front, body, body_line) = split_front_matter(text);
    if let Some((yaml, first_line)) = front {
        read_front_matter(yaml, first_line, path, &mut card);
    }
    let body_doc = |text: String, first_line: usize| Document {
        source: SourceKind::Readme,
        path: path.to_string(),
        text,
        first_line,
        truncated: false,
    };
    if !body.trim().is_empty() {
        card.documents.push(body_doc(body.to_string(), body_line));
    }
    card
}

/// Parses a card saved as two files, as `mlflow.transformers` saves one: the front matter's
/// YAML (`model_card_data.yaml`) and the body (`model_card.md`), each with its own path.
pub fn parse_split(yaml: Option<(&str, &str)>, body: Option<(&str, &str)>) -> Card {
    let mut card = Card::default();
    if let Some((text, path)) = yaml {
        read_front_matter(text, 1, path, &mut card);
    }
    if let Some((text, path)) = body.filter(|(t, _)| !t.trim().is_empty()) {
        card.documents.push(Document {
            source: SourceKind::Readme,
            path: path.to_string(),
            text: text.to_string(),
            first_line: 1,
            truncated: false,
        });
    }
    card
}

/// What `mlflow.transformers` writes as `LICENSE.txt` when the Hub repository has no license
/// file: `Some(license)` with the card's declared type (`None` when it declared none or
/// `other`), `None` when `text` is not that fallback.
pub fn mlflow_license_fallback(text: &str) -> Option<Option<String>> {
    let text = text.trim_start();
    if !text.starts_with("A license file could not be found for the '") {
        return None;
    }
    let declared = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("The declared license type is: '"))
        .and_then(|rest| rest.strip_suffix('\''))
        .filter(|id| !id.is_empty() && *id != "None" && *id != "other")
        .map(str::to_string);
    Some(declared)
}

/// Splits `---\nYAML\n---\nbody`. Returns the YAML with its first line number, the body and
/// the body's first line number.
fn split_front_matter(text: &str) -> (Option<(&str, usize)>, &str, usize) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Blank lines before the opening `---` (as some repositories commit their cards).
    let skipped = text.lines().take_while(|l| l.trim().is_empty()).count();
    let start: usize = text.split_inclusive('\n').take(skipped).map(str::len).sum();
    let whole = text;
    let text = &text[start..];
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        return (None, whole, 1);
    }
    let after = &text[first.len()..];
    let after = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .unwrap_or(after);
    let mut offset = 0;
    for (i, line) in after.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &after[..offset];
            let body = &after[offset + line.len()..];
            return (Some((yaml, 2 + skipped)), body, i + 3 + skipped);
        }
        offset += line.len();
    }
    // An unterminated front matter block: not a card, treat it all as body.
    (None, text, 1)
}

/// Deeper nesting than this is refused before parsing: 1 MiB of `[[[[` must cost
/// linear time, and no real card nests more than a few levels.
const MAX_YAML_DEPTH: usize = 64;

/// The deepest nesting of flow collections (`[`, `{`) and of indentation in `yaml`, outside
/// quoted strings; one linear pass.
fn nesting_depth(yaml: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        deepest = deepest.max(indent / 2);
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '[' | '{') => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                (None, '#') => break,
                _ => {}
            }
        }
    }
    deepest
}

/// The parser's message with its `line N` counted from the file's first line rather than
/// the front matter's (`offset` lines come before the YAML).
fn in_file_lines(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

fn read_front_matter(yaml: &str, first_line: usize, path: &str, card: &mut Card) {
    let parsed = if nesting_depth(yaml) > MAX_YAML_DEPTH {
        Err((
            format!("nested deeper than {MAX_YAML_DEPTH} levels; not parsed"),
            Some(first_line),
        ))
    } else {
        serde_norway::from_str::<Value>(yaml).map_err(|e| {
            let line = e.location().map(|l| l.line() + first_line - 1);
            (
                in_file_lines(&one_line(&e.to_string()), first_line - 1),
                line,
            )
        })
    };
    let value: Value = match parsed {
        Ok(v) => v,
        Err((e, line)) => {
            let message = format!("model card front matter is not valid YAML: {e}");
            let mut finding =
                Finding::new(Code::MalformedMetadata, Severity::Warning, message).at(path);
            finding.line = line;
            card.findings.push(finding);
            // Salvage what a line-by-line read can: a broken card still says `license: x`.
            salvage_license_lines(yaml, first_line, path, card);
            return;
        }
    };
    let Value::Mapping(map) = value else {
        if !matches!(value, Value::Null) {
            card.findings.push(
                Finding::new(
                    Code::MalformedMetadata,
                    Severity::Warning,
                    "model card front matter is not a mapping",
                )
                .at(path)
                .line(first_line),
            );
        }
        return;
    };
    for key in LICENSE_KEYS {
        let Some(v) = map.get(key) else { continue };
        let line = key_line(yaml, key).map(|l| l + first_line - 1);
        for value in strings(v) {
            card.declared.push(Declared {
                source: SourceKind::ModelCard,
                field: key.to_string(),
                value,
                path: Some(path.to_string()),
                line,
            });
        }
        if strings(v).is_empty() && !v.is_null() {
            card.findings.push(
                Finding::new(
                    Code::MalformedMetadata,
                    Severity::Warning,
                    format!("`{key}` in the model card is not a string or a list of strings"),
                )
                .at(path),
            );
        }
    }
    if let Some(tags) = map.get("tags") {
        let line = key_line(yaml, "tags").map(|l| l + first_line - 1);
        for tag in strings(tags) {
            if let Some(value) = tag.strip_prefix("license:") {
                card.declared.push(Declared {
                    source: SourceKind::ModelCard,
                    field: "tags".to_string(),
                    value: value.to_string(),
                    path: Some(path.to_string()),
                    line,
                });
            }
        }
    }
    if let Some(v) = map.get("base_model") {
        card.base_models = strings(v);
    }
    card.name = map
        .get("model_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(prompt) = map.get("extra_gated_prompt").and_then(Value::as_str) {
        let line = key_line(yaml, "extra_gated_prompt")
            .map(|l| l + first_line - 1)
            .unwrap_or(first_line);
        card.documents.push(Document {
            source: SourceKind::ModelCard,
            path: path.to_string(),
            text: prompt.to_string(),
            first_line: line,
            truncated: false,
        });
    }
}

/// A value as a list of non-empty strings (a string, a list of strings, or a number).
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// The 1-based line (within the YAML) of a top-level `key:`.
fn key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// For a card whose YAML does not parse: take top-level `license*:` values as they are,
/// scalars, `[a, b]` and `- item` lists alike, so that no license item is dropped. The
/// raw lines also become one claim that resolves to nothing: a card whose license keys
/// could not be parsed cleanly has unknown license evidence, whatever was salvaged.
fn salvage_license_lines(yaml: &str, first_line: usize, path: &str, card: &mut Card) {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut raw = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for key in LICENSE_KEYS {
            let Some(rest) = line
                .strip_prefix(key)
                .and_then(|r| r.trim_start().strip_prefix(':'))
            else {
                continue;
            };
            raw.push(line.trim().to_string());
            let mut values: Vec<String> = Vec::new();
            let rest = rest.trim();
            if let Some(inner) = rest.strip_prefix('[') {
                values.extend(inner.trim_end_matches(']').split(',').map(str::to_string));
            } else if rest.is_empty() {
                for item in lines[i + 1..]
                    .iter()
                    .take_while(|l| l.starts_with([' ', '\t', '-']) || l.trim().is_empty())
                {
                    raw.push(item.trim().to_string());
                    if let Some(v) = item.trim().strip_prefix('-') {
                        values.push(v.to_string());
                    }
                }
            } else {
                values.push(rest.to_string());
            }
            for value in values {
                let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
                if !value.is_empty() {
                    card.declared.push(Declared {
                        source: SourceKind::ModelCard,
                        field: key.to_string(),
                        value: value.to_string(),
                        path: Some(path.to_string()),
                        line: Some(i + first_line),
                    });
                }
            }
        }
    }
    if !raw.is_empty() {
        card.declared.push(Declared {
            source: SourceKind::ModelCard,
            field: UNPARSED_LICENSE.to_string(),
            value: raw.join(" / "),
            path: Some(path.to_string()),
            line: Some(first_line),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_errors_count_lines_from_the_file() {
        let card = parse("\n---\nlicense: mit\ntags: [a\n---\n# x\n", "README.md");
        let f = &card.findings[0];
        let line = f.line.expect("a line");
        assert!(
            f.message.contains(&format!("line {line}")),
            "{} at {line}",
            f.message
        );
        assert_eq!(
            in_file_lines("at line 3 column 1, line 10", 2),
            "at line 5 column 1, line 12"
        );
    }

    fn values(card: &Card, field: &str) -> Vec<String> {
        card.declared
            .iter()
            .filter(|d| d.field == field)
            .map(|d| d.value.clone())
            .collect()
    }

    #[test]
    fn reads_license_fields_with_lines() {
        let card = parse("---\nlanguage: en\nlicense: other\nlicense_name: llama3\nlicense_link: LICENSE\nbase_model: meta-llama/Meta-Llama-3-8B\n---\n# Model\n", "README.md");
        assert_eq!(values(&card, "license"), ["other"]);
        assert_eq!(values(&card, "license_name"), ["llama3"]);
        assert_eq!(card.declared[0].line, Some(3));
        assert_eq!(card.base_models, ["meta-llama/Meta-Llama-3-8B"]);
        assert_eq!(card.documents[0].first_line, 8);
    }

    #[test]
    fn license_may_be_a_list_and_crlf_is_fine() {
        let card = parse(
            "---\r\nlicense:\r\n  - apache-2.0\r\n  - mit\r\n---\r\nbody\r\n",
            "README.md",
        );
        assert_eq!(values(&card, "license"), ["apache-2.0", "mit"]);
        assert!(card.findings.is_empty());
    }

    #[test]
    fn malformed_yaml_is_a_finding_and_license_lines_are_salvaged() {
        let card = parse(
            "---\nlicense: cc-by-nc-4.0\ntags: [a, b\nfoo: : :\n---\nbody",
            "README.md",
        );
        assert_eq!(card.findings.len(), 1);
        assert_eq!(card.findings[0].code, Code::MalformedMetadata);
        assert_eq!(values(&card, "license"), ["cc-by-nc-4.0"]);
    }

    #[test]
    fn gated_prompt_becomes_a_document() {
        let card = parse("---\nlicense: unknown\nextra_gated_prompt: |\n  FALCON 180B TII LICENSE\n  terms\n---\n", "README.md");
        assert!(card
            .documents
            .iter()
            .any(|d| d.text.contains("FALCON 180B")));
    }

    #[test]
    fn no_front_matter_means_all_body() {
        let card = parse("# Title\nLicensed under MIT.\n", "README.md");
        assert!(card.declared.is_empty());
        assert_eq!(card.documents.len(), 1);
    }

    #[test]
    fn blank_lines_before_the_front_matter_are_skipped() {
        let card = parse(
            "\n\n---\nlicense: other\nlicense_name: qwen\n---\n# Q\n",
            "README.md",
        );
        assert_eq!(values(&card, "license_name"), ["qwen"]);
        assert_eq!(card.declared[1].line, Some(5));
        assert_eq!(card.documents[0].first_line, 7);
    }
}
