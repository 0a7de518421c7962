//! The command line: the only code that knows clap, the terminal, env vars and exit codes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod licenses;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::{Args, ColorChoice, Command, Format};

use crate::db::Db;
use crate::finding::Code;
use crate::report::{self, RenderOptions, Report};
use crate::scan::Scanner;

/// Exit code: the run could not be completed (bad arguments, unreadable input).
const EXIT_ERROR: u8 = 2;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("model-license: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(args: &Args) -> io::Result<u8> {
    let db = match load_db(args) {
        Ok(db) => db,
        Err(message) => {
            eprintln!("model-license: {message}");
            return Ok(EXIT_ERROR);
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match &args.command {
        Command::Scan { targets } => {
            let scanner = Scanner::new(db);
            let report = scanner.scan(targets);
            render(&report, args, &mut out)?;
            out.flush()?;
            Ok(report_problems(&report))
        }
        Command::Licenses { id: None } => {
            match args.format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &db.licenses().collect::<Vec<_>>())
                        .map_err(io::Error::other)?
                }
                _ => licenses::list(&db, &mut out)?,
            }
            Ok(0)
        }
        Command::Licenses { id: Some(id) } => {
            match db.lookup(id) {
                Some(l) => {
                    match args.format {
                        Format::Json => {
                            serde_json::to_writer_pretty(&mut out, l).map_err(io::Error::other)?
                        }
                        _ => licenses::show(l, &mut out)?,
                    }
                    Ok(0)
                }
                None => {
                    eprintln!("model-license: no license `{id}` in license-db (try `model-license licenses`)");
                    Ok(EXIT_ERROR)
                }
            }
        }
    }
}

fn load_db(args: &Args) -> Result<Db, String> {
    let db = Db::embedded().map_err(|e| e.to_string())?;
    match &args.db {
        Some(dir) => db.with_dir(dir).map_err(|e| e.to_string()),
        None => Ok(db),
    }
}

/// Renders in the chosen format; colour only on a terminal, never with NO_COLOR.
fn render(report: &Report, args: &Args, out: &mut dyn Write) -> io::Result<()> {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    match args.format {
        Format::Table => report::table::render(report, &RenderOptions { color }, out),
        Format::Json => report::json::render(report, out),
        Format::Markdown => report::markdown::render(report, out),
    }
}

/// Says on stderr, one line each, what could not be read, and returns the exit code:
/// 2 when a target or a file could not be read (the report still lists everything found).
fn report_problems(report: &Report) -> u8 {
    let mut code = 0;
    for e in &report.errors {
        eprintln!("model-license: {}: {}", e.target, e.message);
        code = EXIT_ERROR;
    }
    for v in &report.models {
        for f in v
            .findings
            .iter()
            .filter(|f| matches!(f.code, Code::UnreadableFile | Code::MalformedMetadata))
        {
            let place = f
                .path
                .as_deref()
                .map(|p| format!("{}/{p}", v.target.trim_end_matches('/')))
                .unwrap_or_else(|| v.target.clone());
            eprintln!("model-license: {place}: {}", report::sanitize(&f.message));
            code = EXIT_ERROR;
        }
    }
    code
}
