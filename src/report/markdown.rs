//! The Markdown report: a summary table, then each model's matrix, evidence and findings.

use std::io::{self, Write};

use super::{aup_label, license_label, scale_label, Report};
use crate::matrix::Permission;

/// Writes `report` as GitHub-flavoured Markdown.
pub fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "# model-license report\n")?;
    let columns: Vec<&str> = Permission::ALL.iter().map(|p| p.label()).collect();
    writeln!(
        w,
        "| Model | License | {} | Scale clause | AUP | Findings |",
        columns.join(" | ")
    )?;
    writeln!(w, "|---|---|{}---|---|---|", "---|".repeat(columns.len()))?;
    for v in &report.models {
        let statuses: Vec<&str> = Permission::ALL
            .iter()
            .map(|&p| v.matrix.get(p).status.as_str())
            .collect();
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&v.target),
            cell(&license_label(v)),
            statuses.join(" | "),
            cell(&scale_label(v)),
            aup_label(v),
            v.findings.len()
        )?;
    }
    for v in &report.models {
        writeln!(w, "\n## {}\n", cell(&v.target))?;
        match &v.license {
            Some(l) => writeln!(
                w,
                "**License:** {} (`{}`, confidence {:.2})\n",
                cell(&l.name),
                cell(&l.expression),
                l.confidence
            )?,
            None => writeln!(w, "**License:** none established\n")?,
        }
        for name in Permission::ALL {
            let p = v.matrix.get(name);
            let conditions = if p.conditions.is_empty() {
                String::new()
            } else {
                format!(": {}", cell(&p.conditions.join("; ")))
            };
            writeln!(w, "- **{}**: {}{conditions}", name.label(), p.status)?;
        }
        if let Some(s) = &v.matrix.scale_clause {
            writeln!(
                w,
                "- **scale clause**: {} > {}: {}{}",
                serde_json::to_value(s.metric)
                    .unwrap_or_default()
                    .as_str()
                    .unwrap_or(""),
                s.threshold,
                cell(&s.effect),
                if s.edited {
                    " (EDITED in this copy of the license: the reference's clause is shown; see the modified-license finding)"
                } else {
                    ""
                }
            )?;
        }
        if let Some(p) = &v.matrix.acceptable_use_policy {
            writeln!(
                w,
                "- **acceptable-use policy**: {}{}",
                cell(&p.name),
                p.url
                    .as_deref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default()
            )?;
        }
        for a in &v.matrix.attribution {
            writeln!(w, "- **attribution**: {}", cell(a))?;
        }
        for r in &v.matrix.restrictions {
            writeln!(
                w,
                "- **restriction** ({}): {}",
                cell(&r.kind),
                cell(&r.text)
            )?;
        }
        if !v.evidence.is_empty() {
            writeln!(
                w,
                "\n| Evidence | Where | License | Confidence | As written |\n|---|---|---|---|---|"
            )?;
            for e in &v.evidence {
                let place = match (&e.path, e.line, e.end_line) {
                    (Some(p), Some(a), Some(b)) if b > a => format!("{p}:{a}-{b}"),
                    (Some(p), Some(l), _) => format!("{p}:{l}"),
                    (Some(p), None, _) => p.clone(),
                    _ => String::new(),
                };
                writeln!(
                    w,
                    "| {} | {} | {} | {:.2} | {} |",
                    e.source.as_str(),
                    cell(&place),
                    cell(e.license.as_deref().unwrap_or("none identified")),
                    e.confidence,
                    cell(e.raw.as_deref().unwrap_or(""))
                )?;
            }
        }
        if !v.findings.is_empty() {
            writeln!(
                w,
                "\n| Severity | Code | Where | Message |\n|---|---|---|---|"
            )?;
            for f in &v.findings {
                let place = match (&f.path, f.line) {
                    (Some(p), Some(l)) => format!("{p}:{l}"),
                    (Some(p), None) => p.clone(),
                    _ => String::new(),
                };
                writeln!(
                    w,
                    "| {:?} | `{}` | {} | {} |",
                    f.severity,
                    f.code,
                    cell(&place),
                    cell(&f.message)
                )?;
            }
        }
    }
    if !report.errors.is_empty() {
        writeln!(w, "\n## Errors\n")?;
        for e in &report.errors {
            writeln!(w, "- `{}`: {}", cell(&e.target), cell(&e.message))?;
        }
    }
    Ok(())
}

/// A scanned string made inert in Markdown: no HTML, no images or links, no table breaks.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in super::sanitize(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '[' | ']' | '(' | ')' | '!' | '*' | '_' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '`' => out.push('\''),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn scanned_strings_cannot_inject_markup() {
        let hostile =
            "<img src=x onerror=alert(1)> ![p](http://x/i.png) [click](http://evil) | `code`";
        let out = cell(hostile);
        assert!(
            !out.contains('<') && !out.contains("](") && !out.contains('`'),
            "{out}"
        );
        assert!(out.contains("&lt;img") && out.contains("\\|"), "{out}");
    }
}
