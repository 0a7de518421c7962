//! `model-license audit`: many targets at once (an org on the Hub, an inventory file, paths),
//! read with bounded concurrency, then every model and a summary.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::audit::{audit, parse_inventory, Summary};
use crate::report::{self, RenderOptions, Report, TargetError};
use crate::scan::Scanner;
use crate::verdict::Verdict;

use super::Format;

/// What `--format json` prints for an audit: the report, plus the summary.
#[derive(Serialize)]
struct AuditJson<'a> {
    #[serde(flatten)]
    report: &'a Report,
    summary: &'a Summary,
}

/// The targets of an audit, in order: the authors' models, the inventories' lines, the
/// command line. Inventory lines that are not targets, and unreadable inventories, are errors.
pub fn targets(
    scanner: &Scanner,
    authors: &[String],
    lists: &[PathBuf],
    given: &[String],
) -> (Vec<String>, Vec<TargetError>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for author in authors {
        match list_author(scanner, author) {
            Ok(repos) => targets.extend(repos.into_iter().map(|r| {
                if r.starts_with("hf:") {
                    r
                } else {
                    format!("hf:{r}")
                }
            })),
            Err(message) => errors.push(TargetError {
                target: format!("--hf-author {author}"),
                message,
            }),
        }
    }
    for list in lists {
        let shown = list.display().to_string();
        match read_inventory(list) {
            Ok(text) => {
                let inventory = parse_inventory(&text);
                targets.extend(inventory.entries.into_iter().map(|e| e.target));
                errors.extend(inventory.errors.into_iter().map(|e| TargetError {
                    target: format!("{shown}:{}", e.line),
                    message: e.message,
                }));
            }
            Err(e) => errors.push(TargetError {
                target: shown,
                message: e.to_string(),
            }),
        }
    }
    targets.extend(given.iter().cloned());
    (targets, errors)
}

/// Inventories larger than this are refused: a list of a million targets is under 64 MiB.
const MAX_INVENTORY_BYTES: u64 = 64 * 1024 * 1024;

/// Reads an inventory file: a regular file (never a FIFO or a device, which could block or
/// never end) of at most [`MAX_INVENTORY_BYTES`].
fn read_inventory(path: &std::path::Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(
            "not a regular file (FIFO, device or folder); an inventory is a text file".into(),
        );
    }
    if meta.len() > MAX_INVENTORY_BYTES {
        return Err(format!(
            "{} MiB is larger than the {} MiB an inventory may be; split it",
            meta.len() / (1024 * 1024),
            MAX_INVENTORY_BYTES / (1024 * 1024)
        ));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// Every version of every registered model of the scanner's MLflow registry, as
/// `mlflow:NAME/VERSION` targets.
#[cfg(feature = "hub")]
pub fn mlflow_versions(scanner: &Scanner) -> Result<Vec<String>, String> {
    let client = scanner
        .mlflow()
        .ok_or("the MLflow client is not configured")?;
    Ok(client.all_versions()?.iter().map(|v| v.target()).collect())
}

#[cfg(not(feature = "hub"))]
pub fn mlflow_versions(_: &Scanner) -> Result<Vec<String>, String> {
    Err("this build has no MLflow support (cargo feature `hub`)".into())
}

#[cfg(feature = "hub")]
fn list_author(scanner: &Scanner, author: &str) -> Result<Vec<String>, String> {
    let hub = scanner
        .hub()
        .ok_or("the Hugging Face Hub client is not configured")?;
    hub.list_author_models(author).map_err(|e| e.to_string())
}

#[cfg(not(feature = "hub"))]
fn list_author(_: &Scanner, _: &str) -> Result<Vec<String>, String> {
    Err("this build has no Hub support (cargo feature `hub`)".into())
}

/// Audits `targets` with `jobs` at once; a progress bar on stderr only when it is a terminal.
/// `on_judged` sees each target's verdicts as soon as they are decided (for streaming);
/// `previous` verdicts (of a resumed run) join the report before lineage.
pub fn run(
    scanner: &Scanner,
    targets: &[String],
    mut errors: Vec<TargetError>,
    jobs: usize,
    previous: Vec<Verdict>,
    on_judged: &(dyn Fn(&[Verdict]) + Sync),
) -> (Report, Summary) {
    let bar = io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(targets.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let outcome = audit(
        targets,
        jobs,
        |t| {
            let found = scanner.verdicts(t);
            if let Ok(verdicts) = &found {
                on_judged(verdicts);
            }
            found
        },
        |done, _, target| {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
                bar.set_message(target.to_string());
            }
        },
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    errors.extend(outcome.errors);
    let mut verdicts = previous;
    verdicts.extend(outcome.verdicts);
    let report = scanner.finish(verdicts, errors);
    let summary = Summary::new(scanner.db(), &report.models, report.errors.len());
    (report, summary)
}

/// Writes the audit in `format`.
pub fn render(
    report: &Report,
    summary: &Summary,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &AuditJson { report, summary })
                .map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Csv => {
            out.write_all(report::csv::render(&report.models, &report.errors).as_bytes())
        }
        Format::Markdown | Format::Sarif => {
            report::markdown::render(report, out)?;
            writeln!(out, "\n## Summary\n")?;
            write_summary(summary, out, "- ")
        }
        Format::Table => {
            report::table::render(report, opts, out)?;
            writeln!(out, "\nSummary")?;
            write_summary(summary, out, "  ")
        }
        // AI-BOMs are written by the caller, which holds the license database.
        Format::Cyclonedx | Format::Spdx | Format::Html => Ok(()),
        Format::Jsonl => report::jsonl::write_report(report, out),
    }
}

fn write_summary(s: &Summary, out: &mut dyn Write, bullet: &str) -> io::Result<()> {
    writeln!(
        out,
        "{bullet}models: {}, targets that failed: {}",
        s.models, s.errors
    )?;
    let counts = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let groups: Vec<String> = s
        .groups
        .iter()
        .map(|(g, n)| format!("{}: {n}", g.as_str()))
        .collect();
    writeln!(out, "{bullet}what they allow: {}", groups.join(", "))?;
    writeln!(out, "{bullet}per license: {}", counts(&s.licenses))?;
    writeln!(out, "{bullet}commercial use: {}", counts(&s.commercial_use))?;
    let top: Vec<String> = s
        .findings
        .iter()
        .take(5)
        .map(|(c, n)| format!("{c}: {n}"))
        .collect();
    if !top.is_empty() {
        writeln!(out, "{bullet}top findings: {}", top.join(", "))?;
    }
    if let Some(p) = &s.policy {
        let rules: Vec<String> = p
            .rules
            .iter()
            .map(|(code, r)| format!("{code}: {} failed, {} warned", r.failed, r.warned))
            .collect();
        writeln!(
            out,
            "{bullet}policy {}: {} ({} pass, {} fail){}",
            report::sanitize(&p.file),
            p.outcome,
            p.passed,
            p.failed,
            if rules.is_empty() {
                String::new()
            } else {
                format!("; {}", rules.join(", "))
            }
        )?;
    }
    writeln!(out, "{bullet}need legal review: {}", s.needs_review.len())?;
    for r in &s.needs_review {
        writeln!(
            out,
            "{bullet}  {}: {}",
            report::sanitize(&r.target),
            report::sanitize(&r.reasons.join("; "))
        )?;
    }
    Ok(())
}
