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
use crate::report::bom::{timestamp, BomOptions};
use crate::report::{self, RenderOptions, Report};
use crate::scan::{ScanOptions, Scanner};
use crate::source::StoreEnv;
use crate::target::Target;

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
        Command::Scan { .. } | Command::Audit { .. } | Command::Merge { .. }
            if args.format == Format::Sarif =>
        {
            fail("--format sarif reports policy results: use `model-license check`")
        }
        Command::Check { .. } | Command::Merge { .. } if args.format == Format::Jsonl => {
            fail("--format jsonl streams verdicts: use it with `scan` or `audit`")
        }
        Command::Check { .. } if args.format == Format::Html => {
            fail("--format html is a report for people: use it with `scan`, `audit` or `merge`")
        }
        Command::Scan {
            targets,
            all_revisions,
        } => {
            let needs_hub = targets.iter().any(|t| needs_hub(t));
            let scanner =
                match make_scanner(db, *all_revisions, needs_hub, mlflow_uri(None, targets)) {
                    Ok(s) => s,
                    Err(message) => return fail(message),
                };
            let report = scanner.scan(targets);
            if !bom(&report, scanner.db(), args, None, None, &mut out)? {
                render(&report, args, &mut out)?;
            }
            out.flush()?;
            Ok(report_problems(&report))
        }
        Command::Audit {
            targets,
            hf_author,
            mlflow,
            list,
            jobs,
            all_revisions,
            shard,
            resume,
            policy,
        } => {
            let needs_hub =
                !hf_author.is_empty() || !list.is_empty() || targets.iter().any(|t| needs_hub(t));
            let scanner = match make_scanner(
                db,
                *all_revisions,
                needs_hub,
                mlflow_uri(mlflow.as_deref(), targets),
            ) {
                Ok(s) => s,
                Err(message) => return fail(message),
            };
            let (mut all, mut errors) = audit::targets(&scanner, hf_author, list, targets);
            if let Some(url) = mlflow {
                match audit::mlflow_versions(&scanner) {
                    Ok(versions) => all.extend(versions),
                    Err(message) => errors.push(report::TargetError {
                        target: format!("--mlflow {url}"),
                        message,
                    }),
                }
            }
            if all.is_empty() && errors.is_empty() {
                return fail("nothing to audit: give targets, --hf-author, --mlflow or --list");
            }
            if let Some(shard) = shard {
                all.retain(|t| shard.contains(t));
            }
            let mut previous = report::jsonl::Lines::default();
            if let Some(file) = resume {
                if let Err(message) = read_lines(file, &mut previous) {
                    return fail(message);
                }
                previous.dedupe();
                let judged = previous.judged();
                all.retain(|t| !judged.contains(t.trim_end_matches('/')));
            }
            if args.format == Format::Jsonl {
                // Streamed: each target's verdicts as they are decided (the lock keeps a
                // target's lines together), then the failed targets. Only new verdicts,
                // so that a resumed run appends to its file.
                drop(out);
                let sink = std::sync::Mutex::new(io::stdout());
                let write = |verdicts: &[crate::verdict::Verdict]| {
                    if let Ok(mut o) = sink.lock() {
                        for v in verdicts {
                            let _ = report::jsonl::write_verdict(v, &mut *o);
                        }
                        let _ = o.flush();
                    }
                };
                let (report, _) = audit::run(
                    &scanner,
                    &all,
                    errors,
                    usize::from(*jobs),
                    Vec::new(),
                    &write,
                );
                let mut o = io::stdout().lock();
                for e in &report.errors {
                    report::jsonl::write_error(e, &mut o)?;
                }
                o.flush()?;
                return Ok(report_problems(&report));
            }
            let audit_policy = match policy {
                Some(file) => {
                    match ValidPolicy::discover(Some(file), &std::env::current_dir()?, scanner.db())
                    {
                        Ok(p) => Some(p),
                        Err(e) => return fail(e),
                    }
                }
                None => None,
            };
            let (report, mut summary) = audit::run(
                &scanner,
                &all,
                errors,
                usize::from(*jobs),
                previous.verdicts,
                &|_| {},
            );
            if let Some(p) = &audit_policy {
                let eval = crate::policy::evaluate(p, &report.models, crate::policy::Date::today());
                summary.policy = Some(crate::audit::PolicySummary::new(&eval));
            }
            if !bom(&report, scanner.db(), args, None, Some(&summary), &mut out)? {
                audit::render(
                    &report,
                    &summary,
                    args.format,
                    &RenderOptions {
                        color: color(args),
                        wide: args.wide,
                    },
                    &mut out,
                )?;
            }
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
            let needs_hub = targets.iter().any(|t| needs_hub(t));
            let scanner =
                match make_scanner(db, *all_revisions, needs_hub, mlflow_uri(None, targets)) {
                    Ok(s) => s,
                    Err(message) => return fail(message),
                };
            let report = scanner.scan(targets);
            let eval = check::run(
                &report,
                &policy,
                args.format,
                &RenderOptions {
                    color: color(args),
                    wide: args.wide,
                },
                &cwd,
                &mut out,
            )?;
            bom(&report, scanner.db(), args, Some(&eval), None, &mut out)?;
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
        Command::Merge { files } => {
            let mut lines = report::jsonl::Lines::default();
            for file in files {
                if let Err(message) = read_lines(file, &mut lines) {
                    return fail(message);
                }
            }
            lines.dedupe();
            let scanner = match make_scanner(db, false, false, None) {
                Ok(s) => s,
                Err(message) => return fail(message),
            };
            let report = scanner.finish(lines.verdicts, lines.errors);
            let summary =
                crate::audit::Summary::new(scanner.db(), &report.models, report.errors.len());
            if !bom(&report, scanner.db(), args, None, Some(&summary), &mut out)? {
                audit::render(
                    &report,
                    &summary,
                    args.format,
                    &RenderOptions {
                        color: color(args),
                        wide: args.wide,
                    },
                    &mut out,
                )?;
            }
            out.flush()?;
            Ok(report_problems(&report))
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
fn make_scanner(
    db: Db,
    all_revisions: bool,
    needs_hub: bool,
    mlflow: Option<String>,
) -> Result<Scanner, String> {
    let mut scanner = Scanner::new(db).with_options(ScanOptions {
        stores: store_env(),
        all_revisions,
    });
    if let Some(uri) = mlflow {
        scanner = with_mlflow(scanner, &uri)?;
    }
    if !needs_hub {
        return Ok(scanner);
    }
    hub(scanner)
}

/// True for a target read from the Hugging Face Hub.
fn needs_hub(target: &str) -> bool {
    target.parse::<Target>().is_ok_and(|t| t.needs_hub())
}

/// The MLflow tracking server to use: the one given, else MLFLOW_TRACKING_URI when a target
/// is `mlflow:`.
fn mlflow_uri(given: Option<&str>, targets: &[String]) -> Option<String> {
    given.map(str::to_string).or_else(|| {
        targets
            .iter()
            .any(|t| matches!(t.parse(), Ok(Target::Mlflow(_))))
            .then(|| std::env::var("MLFLOW_TRACKING_URI").unwrap_or_default())
    })
}

#[cfg(feature = "hub")]
fn with_mlflow(scanner: Scanner, uri: &str) -> Result<Scanner, String> {
    use crate::source::mlflow::{Auth, MlflowClient};
    if uri.trim().is_empty() {
        return Err("mlflow: targets need a tracking server: set MLFLOW_TRACKING_URI".into());
    }
    let auth = Auth::from_env_values(|k| std::env::var(k).ok());
    Ok(scanner.with_mlflow(MlflowClient::new(uri, auth)?))
}

#[cfg(not(feature = "hub"))]
fn with_mlflow(_: Scanner, _: &str) -> Result<Scanner, String> {
    Err("this build has no MLflow support (cargo feature `hub`)".into())
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

/// The variables that say where model stores live, read as huggingface_hub reads them:
/// `HF_HUB_CACHE`, else the legacy `HUGGINGFACE_HUB_CACHE`; a leading `~` is the home folder.
fn store_env() -> StoreEnv {
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from);
    let var = |k: &str| {
        let value = std::env::var_os(k).filter(|v| !v.is_empty())?;
        let path = std::path::PathBuf::from(&value);
        match (path.strip_prefix("~"), &home) {
            (Ok(rest), Some(home)) => Some(home.join(rest)),
            _ => Some(path),
        }
    };
    StoreEnv {
        home: home.clone(),
        hf_hub_cache: var("HF_HUB_CACHE").or_else(|| var("HUGGINGFACE_HUB_CACHE")),
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

/// Reads a `--format jsonl` file into `into`; the error names the file (and line).
fn read_lines(file: &std::path::Path, into: &mut report::jsonl::Lines) -> Result<(), String> {
    let shown = file.display().to_string();
    let meta = std::fs::metadata(file).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a regular file"));
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("{shown}: {e}"))?;
    report::jsonl::read(&text, &shown, into)
}

/// Writes an AI-BOM (CycloneDX or SPDX) or the HTML page, the formats that need the license
/// database; false for other formats.
/// The creation time comes from SOURCE_DATE_EPOCH when set (reproducible output); SPDX,
/// which requires one, otherwise gets the current time, and CycloneDX none.
fn bom(
    report: &Report,
    db: &Db,
    args: &Args,
    eval: Option<&Evaluation>,
    summary: Option<&crate::audit::Summary>,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    };
    match args.format {
        Format::Cyclonedx => {
            let options = BomOptions {
                created: epoch.map(timestamp),
            };
            let spec = args.cyclonedx_spec.into();
            report::cyclonedx::render(report, db, spec, &options, eval, out)?;
        }
        Format::Spdx => {
            let options = BomOptions {
                created: Some(timestamp(epoch.unwrap_or_else(now))),
            };
            report::spdx::render(report, db, &options, out)?;
        }
        Format::Html => match summary {
            Some(summary) => report::html::render(report, summary, db, out)?,
            None => {
                let summary = crate::audit::Summary::new(db, &report.models, report.errors.len());
                report::html::render(report, &summary, db, out)?;
            }
        },
        _ => return Ok(false),
    }
    Ok(true)
}

/// Renders a scan report in the chosen format.
fn render(report: &Report, args: &Args, out: &mut dyn Write) -> io::Result<()> {
    match args.format {
        Format::Table => report::table::render(
            report,
            &RenderOptions {
                color: color(args),
                wide: args.wide,
            },
            out,
        ),
        Format::Json => report::json::render(report, out),
        Format::Csv => {
            out.write_all(report::csv::render(&report.models, &report.errors).as_bytes())
        }
        Format::Markdown | Format::Sarif => report::markdown::render(report, out),
        Format::Cyclonedx | Format::Spdx | Format::Html => Ok(()),
        Format::Jsonl => report::jsonl::write_report(report, out),
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
