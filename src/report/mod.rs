//! Reports: the verdicts of one run, and one renderer per output format.
//!
//! Renderers are pure functions of a [`Report`]: they decide nothing and count nothing that
//! the library did not already decide; they only write bytes.

pub mod bom;
pub mod csv;
pub mod cyclonedx;
pub mod github;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod location;
pub mod markdown;
pub mod sarif;
pub mod spdx;
pub mod table;

use serde::{Deserialize, Serialize};

use crate::verdict::Verdict;

/// The JSON schema id of a report; bumped on any incompatible change.
pub const SCHEMA: &str = "model-license/report@1";

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `model-license`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// A target that could not be scanned at all (missing path, Hub error...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetError {
    /// The target as given.
    pub target: String,
    /// One line saying what went wrong.
    pub message: String,
}

/// Everything one run found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Who wrote it.
    pub tool: Tool,
    /// One verdict per model, sorted by target.
    pub models: Vec<Verdict>,
    /// Targets that could not be scanned.
    pub errors: Vec<TargetError>,
}

impl Report {
    /// A report of `models` and `errors`, sorted for deterministic output.
    pub fn new(mut models: Vec<Verdict>, mut errors: Vec<TargetError>) -> Report {
        models.sort_by(|a, b| a.target.cmp(&b.target));
        errors.sort_by(|a, b| a.target.cmp(&b.target));
        Report {
            schema: SCHEMA.to_string(),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            models,
            errors,
        }
    }
}

/// Options that the caller decides (the library never looks at the terminal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Show every permission in the table (self-hosting and output training too).
    pub wide: bool,
}

/// Strips control, bidi and zero-width characters from third-party text before it is
/// shown on a terminal or in a table cell.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|&c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
        .collect()
}

/// A short label for the scale clause of a verdict: `>700M MAU`.
pub fn scale_label(v: &Verdict) -> String {
    use crate::matrix::ScaleMetric;
    let Some(s) = &v.matrix.scale_clause else {
        return "-".to_string();
    };
    if s.edited {
        return "edited".to_string();
    }
    let n = human_number(s.threshold);
    match s.metric {
        ScaleMetric::MonthlyActiveUsers => format!(">{n} MAU"),
        ScaleMetric::AnnualRevenueUsd => format!(">${n}/yr"),
        ScaleMetric::MonthlyRevenueUsd => format!(">${n}/mo"),
    }
}

fn human_number(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 && n % 1_000_000_000 == 0 => format!("{}B", n / 1_000_000_000),
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}K", n / 1_000),
        n => n.to_string(),
    }
}

/// A short label for the acceptable-use policy of a verdict.
pub fn aup_label(v: &Verdict) -> String {
    match &v.matrix.acceptable_use_policy {
        Some(p) if p.incorporated => "yes".to_string(),
        Some(_) => "referenced".to_string(),
        None => "-".to_string(),
    }
}

/// The license label of a verdict: its key, or `none`, with `+N` when several apply.
pub fn license_label(v: &Verdict) -> String {
    let licenses = v.licenses.len();
    match &v.license {
        Some(l) if licenses > 1 => format!("{} (+{})", l.key, licenses - 1),
        Some(l) => l.key.clone(),
        None => "none".to_string(),
    }
}
