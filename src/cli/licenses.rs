//! `model-license licenses [ID]`: the license-db as a list, or one record in full.

use std::io::{self, Write};

use crate::db::{Db, License};
use crate::matrix::Permission;

/// Lists every license the tool knows: the curated records, then the breadth layer
/// (ScanCode LicenseDB) under them: key, SPDX id, category, whether the matrix is curated
/// or derived, commercial use, name.
pub fn list(db: &Db, w: &mut dyn Write) -> io::Result<()> {
    let breadth = crate::db::breadth::get();
    let curated = db.licenses().map(|l| (l, posture(l), "curated"));
    let derived = breadth
        .records
        .values()
        .filter(|l| db.get(&l.key).is_none_or(|c| c.derived) && db.lookup(&l.spdx).is_none())
        .map(|l| {
            let category = breadth.categories.get(&l.key).cloned().unwrap_or_default();
            (l, category, "derived")
        });
    let rows: Vec<[String; 6]> = curated
        .chain(derived)
        .map(|(l, category, matrix)| {
            [
                l.key.clone(),
                l.spdx.clone(),
                category,
                matrix.to_string(),
                l.matrix.commercial_use.status.to_string(),
                l.name.clone(),
            ]
        })
        .collect();
    let headers = ["KEY", "SPDX", "CATEGORY", "MATRIX", "COMMERCIAL", "NAME"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(w, "{}", line(headers.to_vec()))?;
    for row in &rows {
        writeln!(w, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    let curated = db.licenses().count();
    writeln!(
        w,
        "\n{} licenses and use policies: {curated} curated, {} from the ScanCode LicenseDB (scancode-toolkit {}, CC-BY-4.0) with derived matrices",
        rows.len(),
        rows.len() - curated,
        crate::db::breadth::SCANCODE_VERSION
    )
}

fn posture(l: &License) -> String {
    serde_json::to_value(l.posture)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Shows one record: ids, matrix with conditions, decisive clauses, source.
pub fn show(l: &License, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}\n", l.name)?;
    writeln!(w, "  key:      {}", l.key)?;
    writeln!(w, "  spdx:     {}", l.spdx)?;
    writeln!(w, "  hub id:   {}", l.hf.as_deref().unwrap_or("-"))?;
    writeln!(
        w,
        "  family:   {} {}",
        l.family,
        l.version.as_deref().unwrap_or("")
    )?;
    writeln!(w, "  posture:  {}", posture(l))?;
    let how = if l.derived {
        "derived from the ScanCode category (not curated)"
    } else {
        "curated: read from the license text"
    };
    writeln!(w, "  matrix:   {how}")?;
    if !l.aliases.is_empty() {
        writeln!(w, "  aliases:  {}", l.aliases.join(", "))?;
    }
    if !l.summary.is_empty() {
        writeln!(w, "\n{}", l.summary)?;
    }
    writeln!(w, "\nMatrix")?;
    for name in Permission::ALL {
        let p = l.matrix.get(name);
        writeln!(w, "  {:<16} {}", name, p.status)?;
        for c in &p.conditions {
            writeln!(w, "  {:<16}   - {c}", "")?;
        }
    }
    if let Some(s) = &l.matrix.scale_clause {
        writeln!(
            w,
            "  {:<16} {:?} > {}: {}",
            "scale_clause", s.metric, s.threshold, s.effect
        )?;
    }
    if let Some(p) = &l.matrix.acceptable_use_policy {
        writeln!(
            w,
            "  {:<16} {} {}",
            "use policy",
            p.name,
            p.url.as_deref().unwrap_or("")
        )?;
    }
    for a in &l.matrix.attribution {
        writeln!(w, "  {:<16} {a}", "attribution")?;
    }
    for r in &l.matrix.restrictions {
        writeln!(w, "  {:<16} [{}] {}", "restriction", r.kind, r.text)?;
    }
    if !l.decisive_clauses.is_empty() {
        writeln!(w, "\nDecisive clauses (checked in every matching text)")?;
        for c in &l.decisive_clauses {
            let decides: Vec<&str> = c.bears_on.iter().map(|d| d.as_str()).collect();
            writeln!(w, "  [{}] {}", decides.join(", "), c.text)?;
        }
    }
    writeln!(
        w,
        "\nSource\n  terms: {}\n  text:  {}",
        l.source.url, l.source.text
    )?;
    if let Some(n) = &l.source.notes {
        writeln!(w, "  notes: {n}")?;
    }
    Ok(())
}
