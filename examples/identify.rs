//! Identifies license files: `cargo run --release --example identify -- [--json] [--db DIR]
//! FILE...` prints one line per file (path, matches, candidate; or the JSON identification)
//! and, on stderr, the time to build the index and the total. Two worker threads. The
//! whole-process comparison (`benches/compare.sh`) runs it against askalono.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use model_license::identify::terms::{self, Scope};
use model_license::identify::{Identifier, MatchKind};
use model_license::Db;

fn main() {
    let start = Instant::now();
    let mut args = std::env::args().skip(1);
    let mut db = Db::embedded().expect("embedded db");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut json = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--db" => {
                let dir = args.next().expect("--db DIR");
                db = db.with_dir(dir.as_ref()).expect("db dir");
            }
            _ => files.push(a.into()),
        }
    }
    let id = Identifier::new(&db);
    let built = start.elapsed();
    // Two workers: the budget is "1,000 files in under 1 s on 2 cores".
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2);
    let chunk = files.len().div_ceil(workers).max(1);
    let lines: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(|| {
                    part.iter()
                        .map(|f| line(&db, &id, f, json))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for l in lines {
        println!("{l}");
    }
    eprintln!(
        "index built in {built:?}; {} files in {:?}",
        files.len(),
        start.elapsed()
    );
}

fn line(db: &Db, id: &Identifier, f: &Path, json: bool) -> String {
    let Ok(bytes) = std::fs::read(f) else {
        return format!("{}\terror", f.display());
    };
    let text = String::from_utf8_lossy(&bytes);
    let r = id.identify(&text);
    // The verdict's fail-closed accounting: a sentence outside every matched text that
    // states terms flags the file as changed, as `scan` would (added-terms).
    let explained: Vec<(usize, usize)> = r
        .matches
        .iter()
        .filter(|m| m.kind == MatchKind::FullText)
        .map(|m| (m.start_line, m.end_line))
        .collect();
    let naming = |s: &str| id.naming(db, s);
    let added = !terms::unexplained(&text, Scope::Terms, &explained, &naming).is_empty();
    if json {
        return format!(
            "{}\t{}",
            f.display(),
            serde_json::to_string(&r).unwrap_or_default()
        );
    }
    let ms: Vec<String> = r
        .matches
        .iter()
        .map(|m| {
            let mut s = format!(
                "{}:{:.3}:{}-{}",
                m.key, m.confidence, m.start_line, m.end_line
            );
            if m.kind == MatchKind::Notice {
                s.push_str(":notice");
            }
            if m.truncated {
                s.push_str(":truncated");
            }
            if added && m.modifications.is_empty() {
                s.push_str(":modified@terms");
            }
            if !m.modifications.is_empty() {
                let lines: Vec<String> = m
                    .modifications
                    .iter()
                    .map(|x| x.line.unwrap_or(0).to_string())
                    .collect();
                s.push_str(&format!(":modified@{}", lines.join(",")));
            }
            s
        })
        .collect();
    let cand = r
        .candidate
        .map(|c| format!("{}:{:.3}", c.key, c.score))
        .unwrap_or_default();
    format!("{}\t{}\t{}", f.display(), ms.join(" "), cand)
}
