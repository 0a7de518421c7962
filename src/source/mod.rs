//! Finds models and gathers the raw material of their licenses: declared ids and texts.

mod model;

pub use model::{Declared, Document, Model, TargetKind};
