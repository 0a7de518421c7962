//! Finds models and gathers the raw material of their licenses: declared ids and texts.

pub mod card;
pub mod files;
pub mod gather;
pub mod gguf;
pub mod hf_cache;
#[cfg(feature = "hub")]
pub mod hub;
pub mod layout;
pub mod lmstudio;
pub mod local;
#[cfg(feature = "hub")]
pub mod mlflow;
mod model;
pub mod oci;
pub mod ollama;
pub mod safetensors;
pub mod weights;

pub use hf_cache::scan_hf_cache;
pub use layout::{detect_layout, locate, Layout, StoreEnv};
pub use lmstudio::scan_lmstudio;
pub use model::{Declared, Document, Model, TargetKind};
pub use ollama::scan_ollama;
pub use weights::{claims_from_weight_file, model_from_weight_file, HeaderClaims};
