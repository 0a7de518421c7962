//! The JSON report (DESIGN.md §5): one pretty-printed document, stable keys.

use std::io::{self, Write};

use super::Report;

/// Writes `report` as JSON.
pub fn render(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::other)?;
    writeln!(w)
}
