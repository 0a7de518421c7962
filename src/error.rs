//! The library's error type: only for "could not run at all". Problems inside a scanned
//! model are findings, not errors.

use std::path::PathBuf;

/// What stops the library from doing its job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder the caller named could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A license-db record is invalid.
    #[error("license-db record {id}: {reason}")]
    LicenseDb {
        /// The record's file or key.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// A policy file is invalid: an unknown key, a bad value, an id license-db does not know.
    #[error("{path}:{line}: {reason} (`{value}`)")]
    Policy {
        /// The policy file as given.
        path: String,
        /// 1-based line of the offending key or value (1 when the parser gave no position).
        line: usize,
        /// The offending text as written.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A target the caller named does not exist or cannot be understood.
    #[error("{target}: {reason}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong.
        reason: String,
    },
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
