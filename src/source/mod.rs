//! Finds models and gathers the raw material of their licenses: declared ids and texts.

pub mod files;
mod model;

pub use model::{Declared, Document, Model, TargetKind};
