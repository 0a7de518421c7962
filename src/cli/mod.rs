//! The command line: the only code that knows clap, the terminal, env vars and exit codes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod audit;
mod check;
mod licenses;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::{Args, ColorChoice, Command, Format};

use crate::db::Db;
use crate::finding::Code;
use crate::policy::{starter_policy, Evaluation, ValidPolicy, POLICY_FILE};
use crate::report::{self, RenderOptions, Report};
use crate::scan::{ScanOptions, Scanner};
use crate::source::StoreEnv;

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
        Err(message) => return fail(message),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match &args.command {
        Command::Scan { .. } | Command::Audit { .. } if args.format == Format::Sarif => {
            fail("--format sarif reports policy results: use `model-license check`")
        }
        Command::Scan {
            targets,
            all_revisions,
        } => {
            let needs_hub = targets.iter().any(|t| t.starts_with("hf:"));
            let scanner = match make_scanner(db, *all_revisions, needs_hub) {
                Ok(s) => s,
                Err(message) => return fail(message),
            };
            let report = scanner.scan(targets);
            render(&report, args, &mut out)?;
            out.flush()?;
            Ok(report_problems(&report))
        }
        Command::Audit {
            targets,
            hf_author,
            list,
            jobs,
            all_revisions,
            shard,
        } => {
            let needs_hub = !hf_author.is_empty()
                || !list.is_empty()
                || targets.iter().any(|t| t.starts_with("hf:"));
            let scanner = match make_scanner(db, *all_revisions, needs_hub) {
                Ok(s) => s,
                Err(message) => return fail(message),
            };
            let (mut all, errors) = audit::targets(&scanner, hf_author, list, targets);
            if all.is_empty() && errors.is_empty() {
                return fail("nothing to audit: give targets, --hf-author or --list");
            }
            if let Some(shard) = shard {
                all.retain(|t| shard.contains(t));
            }
            let (report, summary) = audit::run(&scanner, &all, errors, usize::from(*jobs));
            audit::render(
                &report,
                &summary,
                args.format,
                &RenderOptions { color: color(args) },
                &mut out,
            )?;
            out.flush()?;
            Ok(report_problems(&report))
        }
        Command::Check {
            targets,
            policy,
            all_revisions,
        } => {
            let cwd = std::env::current_dir()?;
            let policy = match ValidPolicy::discover(policy.as_deref(), &cwd, &db) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let needs_hub = targets.iter().any(|t| t.starts_with("hf:"));
            let scanner = match make_scanner(db, *all_revisions, needs_hub) {
                Ok(s) => s,
                Err(message) => return fail(message),
            };
            let report = scanner.scan(targets);
            let eval = check::run(
                &report,
                &policy,
                args.format,
                &RenderOptions { color: color(args) },
                &cwd,
                &mut out,
            )?;
            out.flush()?;
            github_actions(&eval, &cwd);
            report_problems(&report);
            // A target that could not be scanned means the check could not run.
            Ok(if report.errors.is_empty() {
                eval.outcome().exit_code()
            } else {
                EXIT_ERROR
            })
        }
        Command::Init { force } => {
            let path = std::path::Path::new(POLICY_FILE);
            if path.exists() && !force {
                return fail(format!(
                    "{POLICY_FILE} already exists (use --force to overwrite)"
                ));
            }
            std::fs::write(path, starter_policy())?;
            eprintln!("model-license: wrote {POLICY_FILE}");
            Ok(0)
        }
        Command::Licenses { id: None } => {
            match args.format {
                Format::Json => {
                    let breadth = crate::db::breadth::get();
                    let all: Vec<&crate::db::License> = db
                        .licenses()
                        .chain(
                            breadth
                                .records
                                .values()
                                .filter(|l| db.lookup(&l.spdx).is_none()),
                        )
                        .collect();
                    serde_json::to_writer_pretty(&mut out, &all).map_err(io::Error::other)?
                }
                _ => licenses::list(&db, &mut out)?,
            }
            Ok(0)
        }
        Command::Licenses { id: Some(id) } => match db.lookup(id).or_else(|| db.lookup_breadth(id))
        {
            Some(l) => {
                match args.format {
                    Format::Json => {
                        serde_json::to_writer_pretty(&mut out, l).map_err(io::Error::other)?
                    }
                    _ => licenses::show(l, &mut out)?,
                }
                Ok(0)
            }
            None => fail(format!(
                "no license `{id}` in license-db (try `model-license licenses`)"
            )),
        },
    }
}

/// A scanner with the store locations of the environment and, when `hf:` targets or an
/// author listing need it, a Hub client configured as the Hub's own clients are.
fn make_scanner(db: Db, all_revisions: bool, needs_hub: bool) -> Result<Scanner, String> {
    let scanner = Scanner::new(db).with_options(ScanOptions {
        stores: store_env(),
        all_revisions,
    });
    if !needs_hub {
        return Ok(scanner);
    }
    hub(scanner)
}

#[cfg(feature = "hub")]
fn hub(scanner: Scanner) -> Result<Scanner, String> {
    use crate::source::hub::{HubClient, HubConfig};
    let cfg = HubConfig::from_env_values(
        |k| std::env::var(k).ok(),
        |p| std::fs::read_to_string(p).ok(),
    );
    let client = HubClient::new(cfg).map_err(|e| e.to_string())?;
    Ok(scanner.with_hub(client))
}

#[cfg(not(feature = "hub"))]
fn hub(scanner: Scanner) -> Result<Scanner, String> {
    Ok(scanner)
}

/// The variables that say where model stores live.
fn store_env() -> StoreEnv {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    };
    StoreEnv {
        home: var("HOME"),
        hf_hub_cache: var("HF_HUB_CACHE"),
        hf_home: var("HF_HOME"),
        xdg_cache_home: var("XDG_CACHE_HOME"),
        ollama_models: var("OLLAMA_MODELS"),
        models_path: var("MODELS_PATH"),
    }
}

/// Says what stopped the run, in one line, and gives the could-not-run exit code.
fn fail(message: impl std::fmt::Display) -> io::Result<u8> {
    eprintln!("model-license: {message}");
    Ok(EXIT_ERROR)
}

fn load_db(args: &Args) -> Result<Db, String> {
    let db = Db::embedded().map_err(|e| e.to_string())?;
    match &args.db {
        Some(dir) => db.with_dir(dir).map_err(|e| e.to_string()),
        None => Ok(db),
    }
}

/// Colour only on a terminal, never with NO_COLOR, unless `--color` says otherwise.
fn color(args: &Args) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Renders a scan report in the chosen format.
fn render(report: &Report, args: &Args, out: &mut dyn Write) -> io::Result<()> {
    match args.format {
        Format::Table => report::table::render(report, &RenderOptions { color: color(args) }, out),
        Format::Json => report::json::render(report, out),
        Format::Csv => {
            out.write_all(report::csv::render(&report.models, &report.errors).as_bytes())
        }
        Format::Markdown | Format::Sarif => report::markdown::render(report, out),
    }
}

/// In GitHub Actions: violations as workflow commands on stderr (stdout may be a SARIF
/// file), and the Markdown summary appended to $GITHUB_STEP_SUMMARY.
fn github_actions(eval: &Evaluation, cwd: &std::path::Path) {
    if std::env::var("GITHUB_ACTIONS").as_deref() != Ok("true") {
        return;
    }
    eprint!("{}", report::github::annotations(eval, Some(cwd)));
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(report::github::summary(eval, Some(cwd)).as_bytes()));
        if let Err(e) = appended {
            eprintln!(
                "model-license: {}: {e}",
                std::path::Path::new(&path).display()
            );
        }
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
        for f in v.findings.iter().filter(|f| {
            matches!(
                f.code,
                Code::UnreadableFile
                    | Code::UnreadableLicense
                    | Code::MalformedMetadata
                    | Code::OciBlobMismatch
            )
        }) {
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
