//! Finds models and gathers the raw material of their licenses: declared ids and texts.

pub mod files;
#[cfg(feature = "hub")]
pub mod hub;
mod model;

pub use model::{Declared, Document, Model, TargetKind};
