//! Identifies license files: `cargo run --release --example identify -- [--db DIR] FILE...`
//! prints one line per file (path, matches, candidate) and the total time. The whole-process
//! benchmark (`benches/compare.sh`) runs it against askalono on the same files.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::Instant;

use model_license::identify::Identifier;
use model_license::Db;

fn main() {
    let start = Instant::now();
    let mut args = std::env::args().skip(1).peekable();
    let mut db = Db::embedded().expect("embedded db");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut json = false;
    while let Some(a) = args.next() {
        if a == "--json" {
            json = true;
        } else if a == "--db" {
            let dir = args.next().expect("--db DIR");
            db = db.with_dir(dir.as_ref()).expect("db dir");
        } else {
            files.push(a.into());
        }
    }
    let id = Identifier::new(&db);
    let built = start.elapsed();
    for f in &files {
        let text = std::fs::read(f).map(|b| String::from_utf8_lossy(&b).into_owned());
        let Ok(text) = text else {
            println!("{}\terror", f.display());
            continue;
        };
        let r = id.identify(&text);
        if json {
            println!(
                "{}\t{}",
                f.display(),
                serde_json::to_string(&r).unwrap_or_default()
            );
            continue;
        }
        let ms: Vec<String> = r
            .matches
            .iter()
            .map(|m| {
                format!(
                    "{}:{:.3}:{}-{}{}{}{}",
                    m.key,
                    m.confidence,
                    m.start_line,
                    m.end_line,
                    if m.kind == model_license::identify::MatchKind::Notice {
                        ":notice"
                    } else {
                        ""
                    },
                    if m.truncated { ":truncated" } else { "" },
                    if m.modifications.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ":modified{:?}",
                            m.modifications
                                .iter()
                                .map(|x| (x.bears_on.clone(), x.line))
                                .collect::<Vec<_>>()
                        )
                    }
                )
            })
            .collect();
        let cand = r
            .candidate
            .map(|c| format!("{}:{:.3}", c.key, c.score))
            .unwrap_or_default();
        println!("{}\t{}\t{}", f.display(), ms.join(" "), cand);
    }
    eprintln!(
        "index built in {built:?}; {} files in {:?}",
        files.len(),
        start.elapsed()
    );
}
