//! model-license: tells what you may legally do with an AI model.
//!
//! Data flows one way: targets -> [`source`] (finds models, gathers [`Evidence`]) ->
//! [`identify`] (texts and ids to license-db keys) -> [`verdict`] (one [`Verdict`] per model:
//! license, combined [`Matrix`], findings) -> [`report`] (bytes). Library code never prints,
//! never exits and never reads environment variables; the [`cli`] module does.
#![deny(missing_docs)]

pub mod audit;
#[cfg(feature = "cli")]
pub mod cli;
pub mod db;
pub mod error;
pub mod evidence;
pub mod finding;
pub mod identify;
pub mod incremental;
pub mod lineage;
pub mod matrix;
pub mod policy;
pub mod report;
pub mod scan;
pub mod source;
pub mod target;
pub mod verdict;

pub use db::{Db, License};
pub use error::{Error, Result};
pub use evidence::{Evidence, SourceKind};
pub use finding::{Code, Finding, Severity};
pub use matrix::{Answer, Matrix, Permission, Status};
pub use verdict::Verdict;
