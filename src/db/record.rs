//! One license-db record: a license (or a use policy) and what it lets you do.
//!
//! Records are TOML files under `license-db/licenses/`, one per license, named by `key`.
//! The schema is documented in `license-db/README.md`; `deny_unknown_fields` keeps it honest.

use serde::{Deserialize, Serialize};

use crate::matrix::Matrix;

/// What kind of document a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A license: it grants rights and carries a matrix.
    License,
    /// An acceptable-use / prohibited-use policy that a license incorporates.
    UsePolicy,
}

/// The broad posture of a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Posture {
    /// Apache-2.0, MIT, BSD, CC-BY, CC0, OpenMDW...
    Permissive,
    /// GPL, LGPL, AGPL, MPL, CC-BY-SA...
    Copyleft,
    /// Llama, Gemma, Qwen, DeepSeek, Falcon... commercial with conditions.
    OpenWeightCommunity,
    /// OpenRAIL family: use restrictions passed down to derivatives.
    ResponsibleAi,
    /// CC-BY-NC, FLUX dev, MNPL...
    NonCommercial,
    /// Research or evaluation only.
    ResearchOnly,
    /// A closed API's terms: the weights are never held.
    ProprietaryApi,
    /// A use policy, not a license.
    Policy,
    /// Terms not read by us: a breadth-layer license whose ScanCode category settles
    /// nothing (proprietary-free, source-available, commercial, CLA...).
    Other,
}

/// A clause whose wording decides a permission; the clause check verifies it is intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisiveClause {
    /// The permissions (matrix field names, or `scale_clause`, `acceptable_use_policy`,
    /// `attribution`, `restrictions`) that depend on this clause.
    pub bears_on: Vec<crate::matrix::Decides>,
    /// A short verbatim phrase of the reference text that must be present, unchanged,
    /// in any text identified as this license (compared after normalisation).
    pub text: String,
}

/// Where the terms were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The licensor's own URL for the text.
    pub url: String,
    /// Where our reference text came from: package and version and path, or repository,
    /// commit and path.
    pub text: String,
    /// The license of the reference data itself (e.g. ScanCode data is CC-BY-4.0).
    #[serde(default)]
    pub data_license: Option<String>,
    /// What could not be confirmed from the text, if anything.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A license-db record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct License {
    /// Short stable key, the file name: the Hub id where the Hub has one (`llama3.1`,
    /// `apache-2.0`), else a lowercase slug (`qwen-research-2024`).
    pub key: String,
    /// SPDX id where SPDX has one, else `LicenseRef-…` (`LicenseRef-scancode-<key>` when
    /// ScanCode has a key).
    pub spdx: String,
    /// The Hub's `license:` id, if the Hub has one.
    #[serde(default)]
    pub hf: Option<String>,
    /// Full title as the licensor writes it.
    pub name: String,
    /// Document kind.
    #[serde(default = "default_kind")]
    pub kind: Kind,
    /// Other spellings seen in `license_name`, GGUF `general.license`, ScanCode keys, prose.
    /// Matched case-insensitively after folding spaces, `_` and `-`.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Family (`llama`, `gemma`, `qwen`, `openrail`, `cc`, ...) and version within it.
    pub family: String,
    /// Version within the family (`3.1`, `2024-04-01`, `4.0`...).
    #[serde(default)]
    pub version: Option<String>,
    /// Broad posture.
    pub posture: Posture,
    /// For a use policy: the keys of the licenses that incorporate it.
    #[serde(default)]
    pub policy_of: Vec<String>,
    /// One-line notice sentences that name this license ("Llama 3.1 is licensed under the
    /// Llama 3.1 Community License"), matched in READMEs and NOTICE files.
    #[serde(default)]
    pub notices: Vec<String>,
    /// Phrases that tell this license from its siblings (title line, date line, URL path).
    /// A text that matches the family but none of these is not identified as this version.
    #[serde(default)]
    pub markers: Vec<String>,
    /// Reference texts under `license-db/texts/` (the first is canonical).
    #[serde(default)]
    pub texts: Vec<String>,
    /// Clauses the clause check verifies after a text match.
    #[serde(default)]
    pub decisive_clauses: Vec<DecisiveClause>,
    /// The permitted-use matrix.
    pub matrix: Matrix,
    /// Where the terms were read.
    pub source: Source,
    /// One paragraph in plain words, shown by `model-license licenses ID`.
    #[serde(default)]
    pub summary: String,
    /// Case-insensitive regular expressions matching Hub repo names of the licensor's own
    /// models that ship under this license (`meta-llama/Llama-3.1-8B`), for lineage: a
    /// fine-tune or quantisation naming such a base carries this license's terms.
    #[serde(default)]
    pub model_names: Vec<String>,
    /// Other URLs where the licensor publishes this same text (an old repository, a
    /// renamed organisation): a link to one names this license.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// True for a breadth-layer record (ScanCode LicenseDB) whose matrix was derived from
    /// its category, not read from the text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub derived: bool,
}

fn default_kind() -> Kind {
    Kind::License
}

impl License {
    /// True for use policies, which add duties but grant nothing.
    pub fn is_policy(&self) -> bool {
        self.kind == Kind::UsePolicy
    }
}
