//! The terminal table: one row per model, then the findings under it.

use std::io::{self, Write};

use super::{aup_label, license_label, sanitize, scale_label, RenderOptions, Report};
use crate::finding::Severity;
use crate::matrix::{Permission, Status};

/// Writes `report` as an aligned table: commercial use, redistribution and derivatives, or
/// all five permissions with `opts.wide`.
pub fn render(report: &Report, opts: &RenderOptions, w: &mut dyn Write) -> io::Result<()> {
    let permissions: Vec<(Permission, &str)> = Permission::ALL
        .into_iter()
        .filter(|p| opts.wide || !matches!(p, Permission::SelfHosting | Permission::OutputTraining))
        .map(|p| (p, header(p)))
        .collect();
    let mut headers: Vec<&str> = vec!["MODEL", "LICENSE"];
    headers.extend(permissions.iter().map(|(_, h)| *h));
    headers.extend(["SCALE", "AUP", "FINDINGS"]);
    let status_columns = 2..2 + permissions.len();
    let rows: Vec<Vec<String>> = report
        .models
        .iter()
        .map(|v| {
            let mut row = vec![sanitize(&v.target), license_label(v)];
            row.extend(
                permissions
                    .iter()
                    .map(|(p, _)| v.matrix.get(*p).status.to_string()),
            );
            row.extend([scale_label(v), aup_label(v), v.findings.len().to_string()]);
            row
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = headers
        .iter()
        .zip(&widths)
        .map(|(h, w)| format!("{h:<w$}"))
        .collect();
    writeln!(
        w,
        "{}",
        paint(header.join("  ").trim_end(), "1", opts.color)
    )?;
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &width))| {
                let padded = format!("{cell:<width$}");
                match status_columns.contains(&i) {
                    true => paint(&padded, status_colour(cell), opts.color),
                    false => padded,
                }
            })
            .collect();
        writeln!(w, "{}", cells.join("  ").trim_end())?;
    }
    for v in report.models.iter().filter(|v| !v.findings.is_empty()) {
        writeln!(w)?;
        writeln!(w, "{}", paint(&sanitize(&v.target), "1", opts.color))?;
        for f in &v.findings {
            let (label, colour) = match f.severity {
                Severity::Error => ("error", "31"),
                Severity::Warning => ("warning", "33"),
                Severity::Info => ("info", "36"),
            };
            let place = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!(" {}:{l}", sanitize(p)),
                (Some(p), None) => format!(" {}", sanitize(p)),
                _ => String::new(),
            };
            writeln!(
                w,
                "  {}[{}]{place}: {}",
                paint(label, colour, opts.color),
                f.code,
                sanitize(&f.message)
            )?;
        }
    }
    for e in &report.errors {
        writeln!(
            w,
            "{}: {}: {}",
            paint("error", "31", opts.color),
            sanitize(&e.target),
            sanitize(&e.message)
        )?;
    }
    Ok(())
}

fn header(p: Permission) -> &'static str {
    match p {
        Permission::SelfHosting => "SELF-HOST",
        Permission::CommercialUse => "COMMERCIAL",
        Permission::Redistribution => "REDISTRIBUTE",
        Permission::Derivatives => "DERIVATIVES",
        Permission::OutputTraining => "OUTPUT-TRAIN",
    }
}

fn status_colour(cell: &str) -> &'static str {
    match cell.trim() {
        s if s == Status::Allowed.as_str() => "32",
        s if s == Status::Conditional.as_str() => "33",
        s if s == Status::Forbidden.as_str() => "31",
        _ => "35",
    }
}

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}
