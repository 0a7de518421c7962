//! GitHub Actions output: `::error` / `::warning` workflow commands for the violations, and a
//! Markdown job summary for `$GITHUB_STEP_SUMMARY`.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step, so errors come first and
//! an overflow is folded into one last annotation that points at the summary. The CLI decides
//! when to print them (`GITHUB_ACTIONS=true`); this module only builds the strings.

use std::fmt::Write as _;
use std::path::Path;

use super::location::{policy_spot, workspace_spot, Spot};
use super::sanitize;
use crate::finding::Severity;
use crate::policy::{Evaluation, Outcome, Violation};

/// The most annotations of one level GitHub shows per step.
pub const MAX_ANNOTATIONS: usize = 10;

/// The most violation lines the job summary lists (the summary is capped at 1 MiB).
const MAX_SUMMARY_ITEMS: usize = 500;

/// Escapes a workflow command's message (GitHub's `escapeData`).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property value (GitHub's `escapeProperty`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation to print.
struct Note<'a> {
    violation: &'a Violation,
    model: Option<&'a str>,
    spot: Option<Spot>,
}

fn command(level: &str, spot: Option<&Spot>, title: &str, message: &str) -> String {
    let mut props = Vec::new();
    if let Some(s) = spot {
        props.push(format!("file={}", escape_property(&s.path)));
        props.push(format!("line={}", s.line));
    }
    props.push(format!("title={}", escape_property(&sanitize(title))));
    format!(
        "::{level} {}::{}\n",
        props.join(","),
        escape_data(&sanitize(message))
    )
}

/// Workflow commands for the standing violations: errors first, at most
/// [`MAX_ANNOTATIONS`] per level. `root` makes absolute paths workspace-relative.
pub fn annotations(eval: &Evaluation, root: Option<&Path>) -> String {
    let mut notes = Vec::new();
    for m in &eval.models {
        let shown = m.name.as_deref().unwrap_or(&m.target);
        for v in &m.violations {
            let spot = workspace_spot(m.kind(), &m.target, v.path.as_deref(), v.line, root);
            notes.push(Note {
                violation: v,
                model: Some(shown),
                spot,
            });
        }
    }
    for v in &eval.policy_violations {
        notes.push(Note {
            violation: v,
            model: None,
            spot: policy_spot(&eval.policy, v.line, root),
        });
    }
    let mut out = String::new();
    for (severity, level) in [(Severity::Error, "error"), (Severity::Warning, "warning")] {
        let of_level: Vec<&Note> = notes
            .iter()
            .filter(|n| n.violation.severity == severity)
            .collect();
        let shown = if of_level.len() > MAX_ANNOTATIONS {
            MAX_ANNOTATIONS - 1
        } else {
            of_level.len()
        };
        for n in &of_level[..shown] {
            let code = n.violation.code.as_str();
            let message = match n.model {
                Some(m) => format!("{m}: {}", n.violation.message),
                None => n.violation.message.clone(),
            };
            out.push_str(&command(
                level,
                n.spot.as_ref(),
                &format!("model-license: {code}"),
                &message,
            ));
        }
        if of_level.len() > shown {
            let more = of_level.len() - shown;
            let message = format!(
                "{more} more {level}s not shown as annotations; see the job summary or the SARIF report"
            );
            out.push_str(&command(level, None, "model-license", &message));
        }
    }
    out
}

/// Escapes untrusted text for Markdown (tables, lists): control and bidi characters removed,
/// Markdown punctuation backslash-escaped.
fn md(s: &str) -> String {
    let mut out = String::new();
    for c in sanitize(s).chars() {
        if "\\`*_[]<>|#!&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

/// The Markdown job summary for `$GITHUB_STEP_SUMMARY`.
pub fn summary(eval: &Evaluation, root: Option<&Path>) -> String {
    let mut s = String::new();
    let outcome = eval.outcome();
    let head = match outcome {
        Outcome::Pass => "✅ pass",
        Outcome::Fail => "❌ fail",
    };
    let waived: usize = eval.models.iter().map(|m| m.waived.len()).sum();
    let _ = writeln!(s, "## model-license check: {head}\n");
    let _ = writeln!(
        s,
        "Policy {} · {} model(s) · {} error(s) · {} warning(s) · {waived} waived by exceptions\n",
        md(&eval.policy),
        eval.models.len(),
        eval.count(Severity::Error),
        eval.count(Severity::Warning),
    );
    if !eval.models.is_empty() {
        let _ = writeln!(
            s,
            "| Model | License | Result | Violations |\n|---|---|---|---|"
        );
        for m in &eval.models {
            let license = m
                .verdict
                .license
                .as_ref()
                .map_or("unknown".to_string(), |l| md(&l.name));
            let mut codes: Vec<&str> = m.violations.iter().map(|v| v.code.as_str()).collect();
            codes.dedup();
            let result = match m.outcome {
                Outcome::Pass if m.violations.is_empty() => "✅ pass",
                Outcome::Pass => "⚠️ pass",
                Outcome::Fail => "❌ fail",
            };
            let _ = writeln!(
                s,
                "| {} | {license} | {result} | {} |",
                md(m.name.as_deref().unwrap_or(&m.target)),
                if codes.is_empty() {
                    "-".into()
                } else {
                    codes.join(", ")
                },
            );
        }
        s.push('\n');
    }

    let mut items = Vec::new();
    for m in &eval.models {
        for v in &m.violations {
            let spot = workspace_spot(m.kind(), &m.target, v.path.as_deref(), v.line, root);
            let at = spot.map_or(String::new(), |p| format!(" ({}:{})", md(&p.path), p.line));
            items.push(format!(
                "- {} **{}** {}{at}: {}",
                icon(v.severity),
                v.code,
                md(m.name.as_deref().unwrap_or(&m.target)),
                md(&v.message)
            ));
        }
    }
    for v in &eval.policy_violations {
        let line = v.line.unwrap_or(1);
        items.push(format!(
            "- {} **{}** {}:{line}: {}",
            icon(v.severity),
            v.code,
            md(&eval.policy),
            md(&v.message)
        ));
    }
    list(&mut s, "Violations", &items);

    let mut items = Vec::new();
    for m in &eval.models {
        for w in &m.waived {
            items.push(format!(
                "- **{}** {}: exception {} (line {}): {}",
                w.violation.code,
                md(m.name.as_deref().unwrap_or(&m.target)),
                md(&w.exception),
                w.line,
                md(&w.reason)
            ));
        }
    }
    list(&mut s, "Waived by exceptions", &items);
    s
}

/// Appends a titled list, capped at [`MAX_SUMMARY_ITEMS`].
fn list(s: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "### {title}\n");
    for item in items.iter().take(MAX_SUMMARY_ITEMS) {
        let _ = writeln!(s, "{item}");
    }
    if items.len() > MAX_SUMMARY_ITEMS {
        let _ = writeln!(
            s,
            "- … {} more: see the SARIF or JSON report",
            items.len() - MAX_SUMMARY_ITEMS
        );
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_githubs_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn markdown_escapes_untrusted_text() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md("x\u{202e}y\nz"), "xy z");
    }
}
