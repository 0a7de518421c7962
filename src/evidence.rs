//! Evidence: one claim about a model's license, and where it came from.

use serde::{Deserialize, Serialize};

/// Where a license claim came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Model card front matter: `license`, `license_name`, `license_link`.
    ModelCard,
    /// A license file: LICENSE*, LICENCE*, COPYING*, NOTICE*, USE_POLICY*...
    LicenseFile,
    /// Text in a README body: a License section, a one-line notice, `extra_gated_prompt`.
    Readme,
    /// GGUF header keys `general.license*`.
    Gguf,
    /// safetensors `__metadata__` (e.g. `modelspec.license`).
    Safetensors,
    /// An Ollama `application/vnd.ollama.image.license` layer.
    OllamaLayer,
    /// Hub API model info (cardData, tags).
    HubApi,
    /// The base model's license, carried by lineage.
    BaseModel,
    /// A closed API's published terms (`api:PROVIDER/MODEL`).
    ProviderTerms,
    /// An OCI model artifact's config: ModelPack `descriptor.licenses`, Docker Model
    /// Runner's `config.gguf` license keys.
    OciConfig,
}

impl SourceKind {
    /// The kebab-case name every output format uses (`model-card`, `license-file`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::ModelCard => "model-card",
            SourceKind::LicenseFile => "license-file",
            SourceKind::Readme => "readme",
            SourceKind::Gguf => "gguf",
            SourceKind::Safetensors => "safetensors",
            SourceKind::OllamaLayer => "ollama-layer",
            SourceKind::HubApi => "hub-api",
            SourceKind::BaseModel => "base-model",
            SourceKind::ProviderTerms => "provider-terms",
            SourceKind::OciConfig => "oci-config",
        }
    }
}

/// One claim about a model's license.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it came from.
    pub source: SourceKind,
    /// The file, relative to the model root (or a Hub path), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// First line of the claim in that file, 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Last line of the claim, for texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    /// The license-db key the claim resolved to; `None` when it named nothing we know.
    pub license: Option<String>,
    /// The claim as written (`other`, `llama-3.1`, a file's first line...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// How sure the identification is, 0.0 to 1.0.
    pub confidence: f32,
}

impl Evidence {
    /// A claim from `source` resolving to `license` (a db key) with `confidence`.
    pub fn new(source: SourceKind, license: Option<String>, confidence: f32) -> Self {
        Evidence {
            source,
            path: None,
            line: None,
            end_line: None,
            license,
            raw: None,
            confidence,
        }
    }

    /// The same claim, located in `path`.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The same claim, spanning `start..=end` (1-based lines).
    pub fn lines(mut self, start: usize, end: usize) -> Self {
        self.line = Some(start);
        self.end_line = Some(end);
        self
    }

    /// The same claim, with the raw text as written.
    pub fn raw(mut self, raw: impl Into<String>) -> Self {
        self.raw = Some(raw.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serialised_ones() {
        for s in [
            SourceKind::ModelCard,
            SourceKind::LicenseFile,
            SourceKind::Readme,
            SourceKind::Gguf,
            SourceKind::Safetensors,
            SourceKind::OllamaLayer,
            SourceKind::HubApi,
            SourceKind::BaseModel,
            SourceKind::ProviderTerms,
            SourceKind::OciConfig,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
