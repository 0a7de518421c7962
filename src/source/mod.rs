//! Finds models and gathers the raw material of their licenses: declared ids and texts.

pub mod card;
pub mod files;
pub mod local;
mod model;

pub use model::{Declared, Document, Model, TargetKind};
