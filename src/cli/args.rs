//! Command-line arguments, as clap parses them (raw user input).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Tells what you may legally do with an AI model.
#[derive(Debug, Parser)]
#[command(name = "model-license", version, about, long_about = None)]
pub struct Args {
    /// Add or override license-db records from DIR (same layout as license-db/).
    #[arg(long, global = true, value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// CycloneDX specification version for `--format cyclonedx`.
    #[arg(long, global = true, value_enum, default_value_t = CycloneDxSpec::V1_6, value_name = "VERSION")]
    pub cyclonedx_spec: CycloneDxSpec,
    /// In the table, show all five permissions (self-hosting and output training too).
    #[arg(long, global = true)]
    pub wide: bool,
    /// When to use colour (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find models under the targets and report each one's license and permitted uses.
    Scan {
        /// Folders, files (LICENSE, README.md, .gguf, .safetensors), stores (hf-cache:[DIR],
        /// ollama:[DIR|NAME], lmstudio:[DIR], docker-models:[DIR|NAME]), OCI layouts
        /// (oci:PATH[@REF]), hf:OWNER/NAME[@REV] or api:PROVIDER/MODEL.
        #[arg(default_value = ".")]
        targets: Vec<String>,
        /// Scan every snapshot of a Hugging Face cache repo, not only refs/main's.
        #[arg(long)]
        all_revisions: bool,
    },
    /// Scan, then judge every model against the policy: exit 0 pass, 1 fail, 2 could not run.
    Check {
        /// The same targets as `scan`.
        #[arg(default_value = ".")]
        targets: Vec<String>,
        /// The policy file (default: ./model-license.toml, else the built-in default that
        /// fails models with no established license).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Scan every snapshot of a Hugging Face cache repo.
        #[arg(long)]
        all_revisions: bool,
    },
    /// Audit many models at once (a registry): every model, then a summary.
    Audit {
        /// Targets on the command line (as for `scan`, plus hf:OWNER/NAME[@REV]).
        targets: Vec<String>,
        /// Every model of a Hugging Face user or organisation (repeatable).
        #[arg(long, value_name = "ORG")]
        hf_author: Vec<String>,
        /// Every version of every registered model of an MLflow Model Registry (the tracking
        /// server's URL; credentials from MLFLOW_TRACKING_USERNAME/PASSWORD or
        /// MLFLOW_TRACKING_TOKEN).
        #[arg(long, value_name = "URL")]
        mlflow: Option<String>,
        /// An inventory file: one target per line, `#` comments (repeatable).
        #[arg(long, value_name = "FILE")]
        list: Vec<PathBuf>,
        /// Audit only shard I of N (0-based; a stable hash of each target), to split a large
        /// registry across CI jobs.
        #[arg(long, value_name = "I/N")]
        shard: Option<crate::incremental::Shard>,
        /// Targets read at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: u16,
        /// Scan every snapshot of a Hugging Face cache repo.
        #[arg(long)]
        all_revisions: bool,
        /// Judge every model against this policy file too: the summary gives the outcome and
        /// how many models each rule failed (the exit code stays the report's).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Skip targets already judged in FILE (the `--format jsonl` output of an earlier,
        /// interrupted run); with `--format jsonl` only the new verdicts are written, so the
        /// output can be appended to FILE.
        #[arg(long, value_name = "FILE")]
        resume: Option<PathBuf>,
    },
    /// Merge `--format jsonl` outputs (shards of an audit, resumed runs) into one report:
    /// lineage across all of them, then the summary, in any format.
    Merge {
        /// JSON Lines files written by `scan` or `audit` with `--format jsonl`.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write a commented starter policy to ./model-license.toml.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// List the licenses the tool knows, or show one.
    Licenses {
        /// A license key, Hub id, SPDX id or alias.
        id: Option<String>,
    },
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned table for a terminal.
    Table,
    /// The versioned JSON report.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// SARIF 2.1.0 for code scanning (`check` only).
    Sarif,
    /// One row per model, for spreadsheets (`scan` and `audit`).
    Csv,
    /// CycloneDX ML-BOM (JSON): one machine-learning-model component per model.
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD with the AI profile: one ai_AIPackage per model.
    Spdx,
    /// One self-contained HTML page: summary, permitted-use heatmap, evidence on demand
    /// (`scan`, `audit`, `merge`).
    Html,
    /// JSON Lines: one verdict per line as each is decided (`scan`, `audit`); `merge`
    /// reads them back.
    Jsonl,
}

/// CycloneDX specification versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CycloneDxSpec {
    /// CycloneDX 1.6.
    #[value(name = "1.6")]
    V1_6,
    /// CycloneDX 1.7.
    #[value(name = "1.7")]
    V1_7,
}

impl From<CycloneDxSpec> for crate::report::cyclonedx::SpecVersion {
    fn from(s: CycloneDxSpec) -> Self {
        match s {
            CycloneDxSpec::V1_6 => crate::report::cyclonedx::SpecVersion::V1_6,
            CycloneDxSpec::V1_7 => crate::report::cyclonedx::SpecVersion::V1_7,
        }
    }
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
