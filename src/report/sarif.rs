//! SARIF 2.1.0 for GitHub code scanning: one run, rules built from the codes that occur,
//! results located at the file and line that carry the evidence, stable fingerprints.
//!
//! Levels: policy violations keep their severity (`error` fails the check, `warning` does
//! not); scan findings are at most `warning`, because only the policy decides failure and the
//! SARIF must not show an error the exit code does not. Waived violations are kept with an
//! `external` suppression carrying the exception's reason.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::location::{policy_spot, workspace_spot, Spot};
use super::TargetError;
use crate::finding::{Code, Severity};
use crate::policy::{Evaluation, Violation, ViolationCode};

/// The SARIF schema URI written in `$schema`.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id results' relative URIs resolve against (the repository checkout).
const SRCROOT: &str = "%SRCROOT%";

/// What the renderer needs from the caller.
#[derive(Debug, Clone, Default)]
pub struct SarifOptions<'a> {
    /// The workspace root (the CLI's working directory): absolute targets under it are made
    /// relative, and it is recorded as `%SRCROOT%`.
    pub root: Option<&'a Path>,
}

/// A rule's id, kind and texts.
struct Rule {
    short: &'static str,
    help: &'static str,
    level: &'static str,
    tag: &'static str,
}

fn violation_rule(c: ViolationCode) -> Rule {
    Rule {
        short: c.description(),
        help: c.help(),
        level: match c {
            ViolationCode::NeedsLegalReview
            | ViolationCode::ExceptionExpired
            | ViolationCode::ExceptionUnused => "warning",
            _ => "error",
        },
        tag: "policy",
    }
}

/// What to do about a scan finding (the finding codes' own text says what it is).
fn finding_help(c: Code) -> &'static str {
    match c {
        Code::NoLicense => "Ship the license with the model: a LICENSE file, or `license:` in the README.md front matter.",
        Code::UnknownLicense | Code::LicenseOtherUnresolved => "Name the license with a Hub or SPDX id in the card, or ship its text; a company license can be added with --db.",
        Code::LowConfidence => "Check the text against the named candidate; fix the card's `license:` id if the text is right.",
        Code::LicenseConflict => "Make the card, the LICENSE file and the file metadata agree.",
        Code::ModifiedLicense => "Read the changed clause: the matrix treats the permissions it bears on as unknown.",
        Code::InheritedLicense => "The base model's terms bind this model too; check them before use.",
        _ => "See the message and the model-license README for this code.",
    }
}

fn finding_rule(c: Code) -> Rule {
    Rule {
        short: c.description(),
        help: finding_help(c),
        level: "warning",
        tag: "scan",
    }
}

fn level_of(s: Severity, is_finding: bool) -> &'static str {
    match s {
        Severity::Error if !is_finding => "error",
        Severity::Error | Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a, 64 bit: stable across runs, platforms and releases (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `license-denied` as `LicenseDenied`: SARIF wants a rule name distinct from its id.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes a forward-slash path for a URI reference (RFC 3986 unreserved kept).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn artifact(spot: &Spot) -> Value {
    if let Some(abs) = spot.path.strip_prefix('/') {
        // Outside the workspace: an absolute file URI, no base id.
        json!({"uri": format!("file:///{}", uri_path(abs))})
    } else {
        json!({"uri": uri_path(&spot.path), "uriBaseId": SRCROOT})
    }
}

/// One result before rule indices are known.
struct Pending {
    rule: String,
    level: &'static str,
    message: String,
    spot: Option<Spot>,
    fingerprint: String,
    properties: Value,
    suppression: Option<String>,
}

/// Renders the evaluation (and the targets that could not be scanned) as a SARIF 2.1.0 log.
pub fn render(eval: &Evaluation, errors: &[TargetError], opts: &SarifOptions) -> String {
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    let mut pending = Vec::new();
    let fallback = policy_spot(&eval.policy, None, opts.root);

    let mut violation =
        |v: &Violation, model: Option<(&str, Option<Spot>)>, waived: Option<&str>| {
            rules
                .entry(v.code.as_str().to_string())
                .or_insert_with(|| violation_rule(v.code));
            let (target, spot) = match model {
                Some((t, s)) => (t, s),
                None => ("", policy_spot(&eval.policy, v.line, opts.root)),
            };
            let message = if target.is_empty() {
                v.message.clone()
            } else {
                format!("{target}: {}", v.message)
            };
            let license = v.license.as_deref().unwrap_or("");
            let path = spot.as_ref().map_or("", |s| s.path.as_str());
            pending.push(Pending {
                rule: v.code.as_str().to_string(),
                level: level_of(v.severity, false),
                message,
                fingerprint: fnv1a(&[v.code.as_str(), target, path, license]),
                spot: spot.or_else(|| fallback.clone()),
                properties: json!({"model": target, "license": v.license}),
                suppression: waived.map(str::to_string),
            });
        };
    for m in &eval.models {
        let spot_of =
            |path: Option<&str>, line| workspace_spot(m.kind(), &m.target, path, line, opts.root);
        let shown = m.name.as_deref().unwrap_or(&m.target);
        for v in &m.violations {
            violation(v, Some((shown, spot_of(v.path.as_deref(), v.line))), None);
        }
        for w in &m.waived {
            let v = &w.violation;
            let why = format!(
                "exception for `{}` (line {}): {}",
                w.exception, w.line, w.reason
            );
            violation(
                v,
                Some((shown, spot_of(v.path.as_deref(), v.line))),
                Some(&why),
            );
        }
    }
    for v in &eval.policy_violations {
        violation(v, None, None);
    }
    for m in &eval.models {
        let shown = m.name.as_deref().unwrap_or(&m.target);
        for f in &m.verdict.findings {
            rules
                .entry(f.code.as_str().to_string())
                .or_insert_with(|| finding_rule(f.code));
            let spot = workspace_spot(m.kind(), &m.target, f.path.as_deref(), f.line, opts.root);
            let path = spot.as_ref().map_or("", |s| s.path.as_str());
            pending.push(Pending {
                rule: f.code.as_str().to_string(),
                level: level_of(f.severity, true),
                message: format!("{shown}: {}", f.message),
                fingerprint: fnv1a(&[f.code.as_str(), shown, path, &f.message]),
                spot: spot.or_else(|| fallback.clone()),
                properties: json!({"model": shown}),
                suppression: None,
            });
        }
    }

    pending.sort_by(|a, b| (&a.spot, &a.rule, &a.message).cmp(&(&b.spot, &b.rule, &b.message)));
    let index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let results: Vec<Value> = pending
        .iter()
        .map(|p| {
            let mut r = json!({
                "ruleId": p.rule,
                "ruleIndex": index[p.rule.as_str()],
                "level": p.level,
                "message": {"text": p.message},
                "partialFingerprints": {"modelLicense/v1": p.fingerprint},
                "properties": p.properties,
            });
            if let Some(spot) = &p.spot {
                r["locations"] = json!([{"physicalLocation": {
                    "artifactLocation": artifact(spot),
                    "region": {"startLine": spot.line},
                }}]);
            }
            if let Some(why) = &p.suppression {
                r["suppressions"] =
                    json!([{"kind": "external", "status": "accepted", "justification": why}]);
            }
            r
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|(id, r)| {
            json!({
                "id": id,
                "name": pascal(id),
                "shortDescription": {"text": r.short},
                "fullDescription": {"text": format!("{} {}", r.short, r.help)},
                "help": {
                    "text": r.help,
                    "markdown": format!("**{id}**: {}\n\n{}", r.short, r.help),
                },
                "defaultConfiguration": {"level": r.level},
                "properties": {"tags": ["license", r.tag]},
            })
        })
        .collect();

    let mut driver = json!({
        "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    let home = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(url) = home {
        driver["informationUri"] = json!(url);
    }
    let notifications: Vec<Value> = errors
        .iter()
        .map(|e| json!({"level": "error", "message": {"text": format!("{}: {}", e.target, e.message)}}))
        .collect();
    let mut run = json!({
        "tool": {"driver": driver},
        "invocations": [{
            "executionSuccessful": errors.is_empty(),
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "columnKind": "unicodeCodePoints",
    });
    if let Some(root) = opts.root.filter(|r| r.is_absolute()) {
        let root = root.to_string_lossy().replace('\\', "/");
        let root = root.trim_start_matches('/').trim_end_matches('/');
        let uri = if root.is_empty() {
            "file:///".to_string()
        } else {
            format!("file:///{}/", uri_path(root))
        };
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": uri}});
    }
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(fnv1a(&["a", "b"]), fnv1a(&["a", "b"]));
        assert_ne!(fnv1a(&["ab", ""]), fnv1a(&["a", "b"]));
        // Pinned: a change here would re-open every alert on GitHub.
        assert_eq!(fnv1a(&[""]), "af63bd4c8601b7df"); // FNV-1a of one NUL byte
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal("license-denied"), "LicenseDenied");
        assert_eq!(pascal("no-license"), "NoLicense");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri_path("models/my model/LICENSE"),
            "models/my%20model/LICENSE"
        );
        assert_eq!(uri_path("a/b#c?.md"), "a/b%23c%3F.md");
        assert_eq!(uri_path("é"), "%C3%A9");
    }
}
