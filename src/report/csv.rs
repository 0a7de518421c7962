//! CSV for spreadsheets: one row per model, then one row per failed target.
//!
//! Quoting follows RFC 4180 (fields with `,` `"` CR or LF are quoted, quotes doubled), rows
//! end in CRLF. Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, tab or CR) get a leading `'`: model names come from strangers.

use super::TargetError;
use crate::audit::scale_text;
use crate::verdict::Verdict;

/// The header row, in column order.
pub const COLUMNS: [&str; 14] = [
    "target",
    "name",
    "license",
    "spdx",
    "commercial_use",
    "redistribution",
    "derivatives",
    "self_hosting",
    "output_training",
    "scale_clause",
    "acceptable_use_policy",
    "findings",
    "base_models",
    "error",
];

/// The header row of a policy check, in column order.
pub const CHECK_COLUMNS: [&str; 6] = [
    "target",
    "name",
    "license",
    "outcome",
    "violations",
    "waived",
];

/// Renders a policy check as CSV: one row per model with its outcome and violations
/// (`code: message`, separated by ` | `), then one row per failed target.
pub fn render_check(eval: &crate::policy::Evaluation, errors: &[TargetError]) -> String {
    let mut out = String::new();
    row(&mut out, CHECK_COLUMNS.iter().map(|c| c.to_string()));
    for m in &eval.models {
        let said = |v: &crate::policy::Violation| format!("{}: {}", v.code.as_str(), v.message);
        row(
            &mut out,
            [
                m.target.clone(),
                m.name.clone().unwrap_or_default(),
                m.verdict
                    .license
                    .as_ref()
                    .map(|l| l.key.clone())
                    .unwrap_or_default(),
                m.outcome.as_str().to_string(),
                m.violations
                    .iter()
                    .map(said)
                    .collect::<Vec<_>>()
                    .join(" | "),
                m.waived
                    .iter()
                    .map(|w| said(&w.violation))
                    .collect::<Vec<_>>()
                    .join(" | "),
            ],
        );
    }
    for e in errors {
        row(
            &mut out,
            [
                e.target.clone(),
                String::new(),
                String::new(),
                "error".to_string(),
                e.message.clone(),
                String::new(),
            ],
        );
    }
    out
}

/// Renders verdicts and failed targets as CSV.
pub fn render(verdicts: &[Verdict], errors: &[TargetError]) -> String {
    let mut out = String::new();
    row(&mut out, COLUMNS.iter().map(|c| c.to_string()));
    for v in verdicts {
        let m = &v.matrix;
        let mut codes: Vec<&str> = v.findings.iter().map(|f| f.code.as_str()).collect();
        codes.dedup();
        row(
            &mut out,
            [
                v.target.clone(),
                v.name.clone().unwrap_or_default(),
                v.license
                    .as_ref()
                    .map(|l| l.key.clone())
                    .unwrap_or_default(),
                v.license
                    .as_ref()
                    .map(|l| l.expression.clone())
                    .unwrap_or_default(),
                m.commercial_use.status.as_str().to_string(),
                m.redistribution.status.as_str().to_string(),
                m.derivatives.status.as_str().to_string(),
                m.self_hosting.status.as_str().to_string(),
                m.output_training.status.as_str().to_string(),
                m.scale_clause.as_ref().map(scale_text).unwrap_or_default(),
                m.acceptable_use_policy
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                codes.join(" "),
                v.base_models.join(" "),
                String::new(),
            ],
        );
    }
    for e in errors {
        let mut cells = vec![e.target.clone()];
        cells.resize(COLUMNS.len() - 1, String::new());
        cells.push(e.message.clone());
        row(&mut out, cells);
    }
    out
}

/// Appends one row.
fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(&cell));
    }
    out.push_str("\r\n");
}

/// One field, defused and quoted as needed.
fn field(cell: &str) -> String {
    // Control characters (ESC, OSC, BEL, CR...) from scanned text never reach a terminal
    // or a spreadsheet.
    let cell = &super::sanitize(cell);
    let defused = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formula_defusing() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        // Newlines fold to spaces; terminal escapes (ESC, OSC, BEL, CR) are stripped.
        assert_eq!(field("line\nbreak"), "line break");
        assert_eq!(field("a\u{1b}]8;;http://x\u{7}b\rc"), "a]8;;http://xbc");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "'-1");
    }

    #[test]
    fn one_row_per_model_and_per_error() {
        let errors = [TargetError {
            target: "hf:a/b".into(),
            message: "hf:a/b: repository not found".into(),
        }];
        let csv = render(&[], &errors);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines[1], "hf:a/b,,,,,,,,,,,,,hf:a/b: repository not found");
        assert_eq!(lines[1].matches(',').count(), COLUMNS.len() - 1);
    }
}
