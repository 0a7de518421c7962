//! JSON Lines: one verdict (or one failed target) per line, written as each is decided, so
//! that a long audit can be streamed, resumed and split across machines, then merged.
//!
//! A line is either a verdict (the object of `report.models[]`) or a failed target
//! (`{"target": ..., "message": ...}`). Lines of an audit carry the verdicts as judged,
//! before lineage: lineage needs every model of the registry, so `merge` applies it across
//! all shards.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Deserialize;

use super::TargetError;
use crate::verdict::Verdict;

/// Writes one verdict as a line.
pub fn write_verdict(v: &Verdict, out: &mut dyn Write) -> io::Result<()> {
    let bytes = serde_json::to_vec(v).map_err(io::Error::other)?;
    out.write_all(&bytes)?;
    out.write_all(b"\n")
}

/// Writes one failed target as a line.
pub fn write_error(e: &TargetError, out: &mut dyn Write) -> io::Result<()> {
    let bytes = serde_json::to_vec(e).map_err(io::Error::other)?;
    out.write_all(&bytes)?;
    out.write_all(b"\n")
}

/// Writes a whole report: its verdicts, then its failed targets.
pub fn write_report(report: &super::Report, out: &mut dyn Write) -> io::Result<()> {
    for v in &report.models {
        write_verdict(v, out)?;
    }
    for e in &report.errors {
        write_error(e, out)?;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    Verdict(Box<Verdict>),
    Error(TargetError),
}

/// What a JSON Lines file holds.
#[derive(Debug, Default)]
pub struct Lines {
    /// Verdicts, in file order.
    pub verdicts: Vec<Verdict>,
    /// Failed targets, in file order.
    pub errors: Vec<TargetError>,
}

/// Reads JSON Lines text; `name` names the file in errors (`FILE:LINE: ...`). Blank lines
/// are skipped; any other line that is neither a verdict nor a failed target is an error.
pub fn read(text: &str, name: &str, into: &mut Lines) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Verdict(v)) => into.verdicts.push(*v),
            Ok(Line::Error(e)) => into.errors.push(e),
            Err(_) => {
                return Err(format!(
                    "{name}:{}: not a verdict or a failed target of model-license --format jsonl",
                    i + 1
                ))
            }
        }
    }
    Ok(())
}

impl Lines {
    /// Keeps the last verdict of each target and the last error of each target that has
    /// no verdict (a later run that succeeded replaces an earlier failure).
    pub fn dedupe(&mut self) {
        let mut seen = HashSet::new();
        let mut verdicts: Vec<Verdict> = self
            .verdicts
            .drain(..)
            .rev()
            .filter(|v| seen.insert(v.target.clone()))
            .collect();
        verdicts.reverse();
        let mut failed = HashSet::new();
        let mut errors: Vec<TargetError> = self
            .errors
            .drain(..)
            .rev()
            .filter(|e| !seen.contains(&e.target) && failed.insert(e.target.clone()))
            .collect();
        errors.reverse();
        self.verdicts = verdicts;
        self.errors = errors;
    }

    /// The audit targets these verdicts answer: each verdict's target and the folders
    /// above it (a folder target yields verdicts for `DIR/sub`), for a set lookup per target.
    pub fn judged(&self) -> HashSet<String> {
        let mut out = HashSet::new();
        for v in &self.verdicts {
            let mut t = v.target.trim_end_matches('/');
            out.insert(t.to_string());
            while let Some((parent, _)) = t.rsplit_once('/') {
                if parent.is_empty() || !out.insert(parent.to_string()) {
                    break;
                }
                t = parent;
            }
        }
        out
    }
}
