//! Writes the generated identification corpus to a folder (default `target/corpus`):
//! one file per case plus `manifest.tsv` (file, expected key or `-`, SPDX id, kind, appended key) and
//! `licenses.tsv` (key, SPDX id, commercial-use status), so the
//! whole-process comparison (`benches/compare.sh`) and askalono read the same files.
//! `cargo run --release --example corpus -- [DIR] [COUNT]`
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../benches/corpus.rs"]
mod corpus;

use std::fmt::Write as _;
use std::path::PathBuf;

use model_license::Db;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/corpus".into()));
    let count: Option<usize> = args.next().and_then(|c| c.parse().ok());
    let db = Db::embedded().expect("embedded db");
    // Pointer files are named by the verdict, not by text identification: the
    // identification benchmark leaves them out.
    let cases: Vec<corpus::Case> = corpus::generate(&db)
        .into_iter()
        .filter(|c| !matches!(c.expect, corpus::Expect::Pointer(_)))
        .collect();
    std::fs::create_dir_all(&dir)?;
    let mut manifest = String::from("file\texpected\tspdx\tkind\talso\n");
    // COUNT files spread evenly over the cases (cycling when COUNT exceeds them).
    let count = count.unwrap_or(cases.len());
    for n in 0..count {
        let c =
            &cases[(n * cases.len() / count.max(1) + n / cases.len().max(1)) % cases.len().max(1)];
        let file = format!("{n:05}-{}.txt", c.name);
        std::fs::write(dir.join(&file), &c.text)?;
        let also = match &c.expect {
            corpus::Expect::Key { also: Some(a), .. } => a.as_str(),
            _ => "-",
        };
        let (key, kind) = match &c.expect {
            corpus::Expect::Key { key, modified, .. } => (
                key.as_str(),
                if *modified == Some(true) {
                    "modified"
                } else {
                    "text"
                },
            ),
            corpus::Expect::Notice(key) => (key.as_str(), "notice"),
            corpus::Expect::NotIdentified => ("-", "negative"),
            corpus::Expect::Pointer(_) => unreachable!("pointer cases are filtered out"),
        };
        let spdx = db.get(key).map_or("-", |l| l.spdx.as_str());
        let _ = writeln!(manifest, "{file}\t{key}\t{spdx}\t{kind}\t{also}");
    }
    // Every record's SPDX id and commercial-use status, to score answers.
    let mut licenses = String::from("key\tspdx\tcommercial_use\n");
    for l in db.licenses() {
        let _ = writeln!(
            licenses,
            "{}\t{}\t{}",
            l.key, l.spdx, l.matrix.commercial_use.status
        );
    }
    std::fs::write(dir.join("licenses.tsv"), licenses)?;
    std::fs::write(dir.join("manifest.tsv"), manifest)?;
    eprintln!(
        "{count} of {} cases written to {}",
        cases.len(),
        dir.display()
    );
    Ok(())
}
