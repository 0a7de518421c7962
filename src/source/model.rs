//! What a source hands on: one found model, with the raw material to identify.

use crate::evidence::SourceKind;
use crate::finding::Finding;

/// A license claim as written: an id, a name or a link, before identification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Where the claim was read.
    pub source: SourceKind,
    /// The field it came from (`license`, `license_name`, `license_link`, `general.license`...).
    pub field: String,
    /// The value as written.
    pub value: String,
    /// File the claim is in, relative to the model root (or a Hub path).
    pub path: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
}

/// A text that may hold one or more licenses (a LICENSE file, a README body, a license layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Where the text was read.
    pub source: SourceKind,
    /// File, relative to the model root (or a Hub path, an Ollama layer digest).
    pub path: String,
    /// The decoded text (BOM removed, UTF-16 decoded, CRLF kept as read).
    pub text: String,
    /// 1-based line of the file at which `text` starts (a README section, a front-matter field).
    pub first_line: usize,
    /// True when the text was cut at the read limit: its tail is missing.
    pub truncated: bool,
}

/// What the kind of target a model was found in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A model folder.
    Directory,
    /// A single file (LICENSE, README.md, .gguf, .safetensors).
    File,
    /// A repo in the Hugging Face cache.
    HfCache,
    /// A model in an Ollama store.
    Ollama,
    /// A model in an LM Studio folder.
    Lmstudio,
    /// A repo on the Hugging Face Hub.
    Hub,
    /// A closed API model (`api:PROVIDER/MODEL`).
    Api,
    /// An image in an OCI image layout (`oci:PATH[@REF]`).
    Oci,
    /// A model in Docker Model Runner's store (`docker-models:NAME`).
    DockerModels,
    /// A registered model version in an MLflow Model Registry (`mlflow:NAME/VERSION`).
    Mlflow,
}

/// One model found by a source, with everything needed to identify its license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The target as the user would name it (a path, `hf:org/name@rev`, `ollama:llama3.1:8b`).
    pub target: String,
    /// Kind of target.
    pub kind: TargetKind,
    /// The model's name (`org/name` from the card or the layout), if known.
    pub name: Option<String>,
    /// License claims as written.
    pub declared: Vec<Declared>,
    /// Texts to identify.
    pub documents: Vec<Document>,
    /// Base models this one derives from (Hub ids or names), for lineage.
    pub base_models: Vec<String>,
    /// Content digest of the artifact (`sha256:…` of an OCI manifest), when there is one.
    pub digest: Option<String>,
    /// Problems met while reading (unreadable files, malformed metadata...).
    pub findings: Vec<Finding>,
}

impl Model {
    /// An empty model for `target`.
    pub fn new(target: impl Into<String>, kind: TargetKind) -> Self {
        Model {
            target: target.into(),
            kind,
            name: None,
            declared: Vec::new(),
            documents: Vec::new(),
            base_models: Vec::new(),
            digest: None,
            findings: Vec::new(),
        }
    }
}
