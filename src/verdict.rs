//! Evidence of one model -> its verdict: the license, the combined matrix, the findings.

use serde::{Deserialize, Serialize};

use crate::evidence::Evidence;
use crate::finding::Finding;
use crate::matrix::Matrix;
use crate::source::TargetKind;

/// The license a verdict settled on (several licenses are joined in `expression`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseSummary {
    /// license-db key of the main license (the most restrictive one when several apply).
    pub key: String,
    /// SPDX id or `LicenseRef-…` of the main license.
    pub spdx: String,
    /// The Hub id, if the Hub has one.
    pub hf: Option<String>,
    /// The license's title.
    pub name: String,
    /// SPDX expression of every license that applies (`A AND B`).
    pub expression: String,
    /// How sure the identification is, 0.0 to 1.0.
    pub confidence: f32,
}

/// What may be done with one model, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The target as the user named it.
    pub target: String,
    /// Kind of target.
    pub kind: TargetKind,
    /// The model's name, if known.
    pub name: Option<String>,
    /// The settled license; `None` when none could be established.
    pub license: Option<LicenseSummary>,
    /// license-db keys of every license and policy that applies, sorted.
    pub licenses: Vec<String>,
    /// The combined matrix (all `unknown` when `license` is `None`).
    pub matrix: Matrix,
    /// Base models named by the model's metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_models: Vec<String>,
    /// Every claim that was weighed.
    pub evidence: Vec<Evidence>,
    /// What was noticed, sorted.
    pub findings: Vec<Finding>,
}
