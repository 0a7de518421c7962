//! `model-license check`: scan, judge against the policy, say it in the chosen format, and
//! in GitHub Actions also as annotations and a job summary.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::policy::{evaluate, Date, Evaluation, ValidPolicy};
use crate::report::{self, sarif, RenderOptions, Report};

use super::Format;

/// What `--format json` prints for a check: the scan report and its evaluation.
#[derive(Serialize)]
struct CheckJson<'a> {
    schema: &'static str,
    outcome: &'static str,
    evaluation: &'a Evaluation,
    report: &'a Report,
}

/// Judges `report` against `policy` and writes the result; returns the evaluation.
pub fn run(
    report: &Report,
    policy: &ValidPolicy,
    format: Format,
    opts: &RenderOptions,
    cwd: &Path,
    out: &mut dyn Write,
) -> io::Result<Evaluation> {
    let eval = evaluate(policy, &report.models, Date::today());
    match format {
        Format::Sarif => out.write_all(
            sarif::render(
                &eval,
                &report.errors,
                &sarif::SarifOptions { root: Some(cwd) },
            )
            .as_bytes(),
        )?,
        Format::Json => {
            let doc = CheckJson {
                schema: "model-license/check@1",
                outcome: eval.outcome().as_str(),
                evaluation: &eval,
                report,
            };
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Format::Csv => {
            out.write_all(report::csv::render_check(&eval, &report.errors).as_bytes())?
        }
        Format::Markdown => {
            report::markdown::render(report, out)?;
            writeln!(out)?;
            out.write_all(report::github::summary(&eval, Some(cwd)).as_bytes())?;
        }
        Format::Table => {
            report::table::render(report, opts, out)?;
            table(&eval, out)?;
        }
        // AI-BOMs (with each model's policy outcome) are written by the caller, which holds
        // the license database.
        Format::Cyclonedx | Format::Spdx => {}
        // Refused before the scan (see cli::run).
        Format::Jsonl | Format::Html => {}
    }
    Ok(eval)
}

/// The policy part of the table: each model's violations, then the outcome.
fn table(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\nPolicy: {}",
        if eval.policy.is_empty() {
            "built-in default"
        } else {
            &eval.policy
        }
    )?;
    for m in eval
        .models
        .iter()
        .filter(|m| !m.violations.is_empty() || !m.waived.is_empty())
    {
        writeln!(
            out,
            "  {} ({})",
            report::sanitize(&m.target),
            m.outcome.as_str()
        )?;
        for v in &m.violations {
            writeln!(
                out,
                "    {:?}[{}]: {}",
                v.severity,
                v.code,
                report::sanitize(&v.message)
            )?;
        }
        for w in &m.waived {
            writeln!(
                out,
                "    waived[{}] by exception `{}`: {}",
                w.violation.code, w.exception, w.reason
            )?;
        }
    }
    for v in &eval.policy_violations {
        writeln!(out, "  policy {:?}[{}]: {}", v.severity, v.code, v.message)?;
    }
    writeln!(out, "\nResult: {}", eval.outcome().as_str().to_uppercase())
}
