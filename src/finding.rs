//! Findings: what the scan noticed about a model, each with a stable kebab-case code.

use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The answer cannot be trusted or a duty is breached.
    Error,
    /// Needs a human look.
    Warning,
    /// Worth knowing.
    Info,
}

/// The stable codes a finding can carry. Documented one by one in README.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// No license evidence at all.
    NoLicense,
    /// License text present but not identified.
    UnknownLicense,
    /// Identified below the confidence threshold; the best candidate is named.
    LowConfidence,
    /// Sources disagree; the verdict follows the most restrictive.
    LicenseConflict,
    /// Matches a known license but a decisive clause differs.
    ModifiedLicense,
    /// The base model's terms are carried into this model's verdict.
    InheritedLicense,
    /// A gated Hub repo whose license files could not be read.
    GatedRepo,
    /// A file could not be read (permissions, FIFO, device, loop, binary, too large...).
    UnreadableFile,
    /// Metadata (card front matter, GGUF or safetensors header, manifest) is malformed.
    MalformedMetadata,
    /// `license: other` without a name, link or text that resolves it.
    LicenseOtherUnresolved,
    /// An acceptable-use policy was found without the license it belongs to.
    PolicyWithoutLicense,
    /// A required text (LICENSE) was only partly present: the tail is missing.
    TruncatedLicense,
    /// A sentence in a license-bearing text states terms that no identified license text
    /// explains ("non-commercial use only" beside an MIT text, a README that says the weights
    /// need a separate agreement); the permissions it may bear on are unknown.
    AddedTerms,
    /// A license-like file that could not be read as text (PDF, DOCX, binary, unreadable):
    /// its terms are unknown, and so is every permission.
    UnreadableLicense,
    /// A license file only names or links a license (a pointer file): the license is
    /// identified, but its text is not shipped with the model.
    LicenseTextAbsent,
    /// An OCI blob differs from its descriptor (size or digest): it was not read.
    OciBlobMismatch,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 16] = [
        Code::NoLicense,
        Code::UnknownLicense,
        Code::LowConfidence,
        Code::LicenseConflict,
        Code::ModifiedLicense,
        Code::InheritedLicense,
        Code::GatedRepo,
        Code::UnreadableFile,
        Code::MalformedMetadata,
        Code::LicenseOtherUnresolved,
        Code::PolicyWithoutLicense,
        Code::TruncatedLicense,
        Code::AddedTerms,
        Code::UnreadableLicense,
        Code::LicenseTextAbsent,
        Code::OciBlobMismatch,
    ];

    /// The kebab-case code as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NoLicense => "no-license",
            Code::UnknownLicense => "unknown-license",
            Code::LowConfidence => "low-confidence",
            Code::LicenseConflict => "license-conflict",
            Code::ModifiedLicense => "modified-license",
            Code::InheritedLicense => "inherited-license",
            Code::GatedRepo => "gated-repo",
            Code::UnreadableFile => "unreadable-file",
            Code::MalformedMetadata => "malformed-metadata",
            Code::LicenseOtherUnresolved => "license-other-unresolved",
            Code::PolicyWithoutLicense => "policy-without-license",
            Code::TruncatedLicense => "truncated-license",
            Code::AddedTerms => "added-terms",
            Code::UnreadableLicense => "unreadable-license",
            Code::LicenseTextAbsent => "license-text-absent",
            Code::OciBlobMismatch => "oci-blob-mismatch",
        }
    }

    /// One sentence on what the code means (help text for SARIF rules and the README).
    pub fn description(self) -> &'static str {
        match self {
            Code::NoLicense => "No license evidence was found for the model.",
            Code::UnknownLicense => "A license text or id is present but could not be identified.",
            Code::LowConfidence => "The license was identified below the confidence threshold; the best candidate is named.",
            Code::LicenseConflict => "Sources disagree about the license; the verdict follows the most restrictive one.",
            Code::ModifiedLicense => "The text matches a known license but a decisive clause was changed.",
            Code::InheritedLicense => "The base model's license is more restrictive and carries into this model.",
            Code::GatedRepo => "The Hub repository is gated; its license files could not be read.",
            Code::UnreadableFile => "A file could not be read.",
            Code::MalformedMetadata => "Model metadata (card front matter, file header, manifest) is malformed.",
            Code::LicenseOtherUnresolved => "The card says `license: other` and nothing resolves which license that is.",
            Code::PolicyWithoutLicense => "An acceptable-use policy was found without the license that incorporates it.",
            Code::TruncatedLicense => "A license text is incomplete: its tail is missing.",
            Code::AddedTerms => "A sentence in a license file, policy or License section states terms no identified license explains; the permissions it may bear on are unknown.",
            Code::UnreadableLicense => "A license-like file could not be read as text (PDF, DOCX, binary); every permission is unknown.",
            Code::LicenseTextAbsent => "A license file only names or links its license; the license is identified, its text is not shipped.",
            Code::OciBlobMismatch => "An OCI blob's size or sha256 digest differs from its descriptor; the blob was not read.",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing the scan noticed about a model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How much it matters.
    pub severity: Severity,
    /// What was noticed, in one line.
    pub message: String,
    /// The file it is about, relative to the scanned target, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The line it is about, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Finding {
    /// A finding with no location.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            path: None,
            line: None,
        }
    }

    /// The same finding, located in `path`.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The same finding, located at `line`.
    pub fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_serialise_as_printed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(code.description().ends_with('.'));
        }
    }
}
