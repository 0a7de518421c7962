//! The breadth layer: the ScanCode LicenseDB of scancode-toolkit 32.5.0 (2,470 current
//! licenses, data CC-BY-4.0, nexB Inc. and AboutCode contributors), under the curated
//! records, so that almost any license text or id gets a name, its ScanCode key and
//! category.
//!
//! Its matrices are derived, never read from the text: Permissive and Public Domain texts
//! with nothing restrictive in them may read `allowed`; texts that speak of non-commercial
//! or research-only use read commercial use `forbidden`; everything else is `unknown`.
//! Every derived permission says so. The data is embedded compressed and decompressed on
//! first use only, so a run that never meets an unknown text never pays for it.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;

use super::fold_name;
use super::record::{Kind, License, Posture, Source};
use crate::matrix::{Answer, Matrix, Status};

/// `license-db/scancode/licenses.jsonl.gz`, made by `license-db/scancode/build.py`.
static LICENSES_GZ: &[u8] = include_bytes!("../../license-db/scancode/licenses.jsonl.gz");

/// The ScanCode release the data comes from.
pub const SCANCODE_VERSION: &str = "32.5.0";

/// One line of `licenses.jsonl.gz`.
#[derive(Debug, Deserialize)]
struct Row {
    key: String,
    name: String,
    full_name: String,
    category: String,
    spdx: String,
    #[serde(default)]
    other_spdx: Vec<String>,
    #[serde(default)]
    is_exception: bool,
    #[serde(default)]
    is_generic: bool,
    #[serde(default)]
    is_unknown: bool,
    #[serde(default)]
    noncommercial_hint: bool,
    text: String,
}

/// The loaded breadth layer.
#[derive(Debug, Default)]
pub struct Breadth {
    /// Derived records by key (ScanCode key).
    pub records: BTreeMap<String, License>,
    /// ScanCode category by key.
    pub categories: BTreeMap<String, String>,
    /// (key, text) of every license with a text worth matching.
    pub texts: Vec<(String, String)>,
    /// Folded key, SPDX ids and names -> key.
    names: HashMap<String, String>,
}

impl Breadth {
    /// The key a folded id or name names, if any.
    pub fn lookup(&self, name: &str) -> Option<&License> {
        self.records.get(self.names.get(&fold_name(name))?)
    }
}

static CELL: OnceLock<Breadth> = OnceLock::new();

/// The breadth layer, decompressed and parsed on first use.
pub fn get() -> &'static Breadth {
    CELL.get_or_init(load)
}

/// The breadth layer if something already loaded it (never loads it).
pub fn loaded() -> Option<&'static Breadth> {
    CELL.get()
}

fn load() -> Breadth {
    let mut json = String::new();
    if flate2::read::GzDecoder::new(LICENSES_GZ)
        .read_to_string(&mut json)
        .is_err()
    {
        return Breadth::default();
    }
    let mut b = Breadth::default();
    for line in json.lines() {
        let Ok(row) = serde_json::from_str::<Row>(line) else {
            continue;
        };
        for n in [&row.key, &row.spdx, &row.name, &row.full_name]
            .into_iter()
            .chain(row.other_spdx.iter())
        {
            b.names
                .entry(fold_name(n))
                .or_insert_with(|| row.key.clone());
        }
        // Exceptions, generic and unknown entries are named but never matched as texts.
        let matchable = !(row.is_generic || row.is_exception || row.is_unknown);
        if matchable && row.text.split_whitespace().count() >= 20 {
            b.texts
                .push((row.key.clone(), head(&row.text, TEXT_WORDS).to_string()));
        }
        b.categories.insert(row.key.clone(), row.category.clone());
        b.records.insert(row.key.clone(), derive(&row));
    }
    b
}

/// Words of each text indexed: the head names a license, and the 2.5 million words of the
/// whole set would cost ~300 MB to index; 1,500 words each keep it near 190 MB.
const TEXT_WORDS: usize = 1_500;

/// The first `words` words of `text` (whole lines' worth, cut at a word boundary).
fn head(text: &str, words: usize) -> &str {
    let mut seen = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if in_word && space {
            seen += 1;
            if seen == words {
                return &text[..i];
            }
        }
        in_word = !space;
    }
    text
}

/// Words in a text that stop a permissive category from reading `allowed`.
const RESTRICTIVE: [&str; 8] = [
    "non-commercial",
    "noncommercial",
    "not for commercial",
    "research purposes only",
    "evaluation purposes only",
    "personal use only",
    "non-profit",
    "academic use only",
];

/// A record with a matrix derived from the ScanCode category (see the module docs).
fn derive(row: &Row) -> License {
    let lower = row.text.to_lowercase();
    let restricted = row.noncommercial_hint || RESTRICTIVE.iter().any(|w| lower.contains(w));
    let permissive = matches!(row.category.as_str(), "Permissive" | "Public Domain");
    let why = format!(
        "derived from the ScanCode category \"{}\" (scancode-toolkit {SCANCODE_VERSION}); not a curated reading of the text",
        row.category
    );
    let perm = |status: Status| Answer {
        status,
        conditions: vec![why.clone()],
    };
    let (base, commercial, posture) = if row.noncommercial_hint {
        (Status::Unknown, Status::Forbidden, Posture::NonCommercial)
    } else if permissive && !restricted {
        (Status::Allowed, Status::Allowed, Posture::Permissive)
    } else if matches!(row.category.as_str(), "Copyleft" | "Copyleft Limited") {
        (Status::Unknown, Status::Unknown, Posture::Copyleft)
    } else {
        (Status::Unknown, Status::Unknown, Posture::Other)
    };
    let redistribution = if base == Status::Allowed {
        Status::Conditional
    } else {
        base
    };
    let matrix = Matrix {
        self_hosting: perm(base),
        commercial_use: perm(commercial),
        redistribution: perm(redistribution),
        derivatives: perm(redistribution),
        output_training: perm(base),
        ..Matrix::unknown()
    };
    License {
        key: row.key.clone(),
        spdx: row.spdx.clone(),
        hf: None,
        name: row.full_name.clone(),
        kind: Kind::License,
        aliases: Vec::new(),
        family: row.key.clone(),
        version: None,
        posture,
        policy_of: Vec::new(),
        notices: Vec::new(),
        markers: Vec::new(),
        texts: Vec::new(),
        decisive_clauses: Vec::new(),
        matrix,
        source: Source {
            url: format!("https://scancode-licensedb.aboutcode.org/{}.html", row.key),
            text: format!(
                "scancode-toolkit {SCANCODE_VERSION} wheel (PyPI), licensedcode/data/licenses/{}.LICENSE",
                row.key
            ),
            data_license: Some("CC-BY-4.0".into()),
            notes: Some(format!(
                "ScanCode LicenseDB (nexB Inc. and AboutCode contributors), category {}; matrix derived, not curated",
                row.category
            )),
        },
        summary: String::new(),
        model_names: Vec::new(),
        urls: Vec::new(),
        derived: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breadth_layer_names_the_long_tail_and_derives_conservatively() {
        let b = get();
        assert!(b.records.len() >= 2_400, "{}", b.records.len());
        for key in ["osl-3.0", "afl-3.0", "odbl-1.0", "cc-by-nc-sa-3.0"] {
            assert!(b.records.contains_key(key), "{key}");
        }
        assert_eq!(b.lookup("OSL-3.0").unwrap().key, "osl-3.0");
        let nc = &b.records["cc-by-nc-sa-3.0"];
        assert_eq!(nc.matrix.commercial_use.status, Status::Forbidden);
        let osl = &b.records["osl-3.0"];
        assert_ne!(osl.matrix.commercial_use.status, Status::Allowed);
        assert!(osl.derived);
        assert!(osl.matrix.commercial_use.conditions[0].contains("derived"));
    }
}
