//! License identification: texts and declared ids to license-db keys.
//!
//! TEMPORARY interface stub: the matcher lands from the `identify` branch.

pub mod declared;

pub use declared::{mentions, resolve_value, Mention, Resolved};

use crate::db::Db;

/// Identifies license texts against license-db.
#[derive(Debug, Clone)]
pub struct Identifier {
    texts: Vec<(String, String)>,
}

/// How a match was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The license text itself.
    FullText,
    /// A one-line notice naming the license.
    Notice,
}

/// One license found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMatch {
    /// license-db key.
    pub key: String,
    /// 0..1.
    pub confidence: f32,
    /// First line, 1-based.
    pub start_line: usize,
    /// Last line, 1-based.
    pub end_line: usize,
    /// How it matched.
    pub kind: MatchKind,
    /// Clause check results; empty when intact.
    pub modifications: Vec<Modification>,
    /// A substantial tail of the reference is missing.
    pub truncated: bool,
}

/// A decisive clause that differs from the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modification {
    /// Permissions the clause decides.
    pub bears_on: Vec<String>,
    /// The reference wording.
    pub expected: Option<String>,
    /// The wording found.
    pub found: Option<String>,
    /// Line of the difference.
    pub line: Option<usize>,
}

/// The best guess below the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// license-db key.
    pub key: String,
    /// Similarity.
    pub score: f32,
}

/// Everything found in one text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Identification {
    /// Every license found.
    pub matches: Vec<TextMatch>,
    /// Best guess when nothing matched.
    pub candidate: Option<Candidate>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Identifier {
    /// Builds the identifier.
    pub fn new(db: &Db) -> Identifier {
        let texts = db
            .licenses()
            .flat_map(|l| {
                l.texts
                    .first()
                    .and_then(|t| db.text(t))
                    .map(|t| (l.key.clone(), squash(t)))
            })
            .collect();
        Identifier { texts }
    }

    /// Identifies a text (stub: exact match after whitespace folding).
    pub fn identify(&self, text: &str) -> Identification {
        let squashed = squash(text);
        let matches = self
            .texts
            .iter()
            .filter(|(_, t)| !t.is_empty() && squashed.contains(t.as_str()))
            .map(|(k, _)| TextMatch {
                key: k.clone(),
                confidence: 1.0,
                start_line: 1,
                end_line: text.lines().count().max(1),
                kind: MatchKind::FullText,
                modifications: vec![],
                truncated: false,
            })
            .collect();
        Identification {
            matches,
            candidate: None,
        }
    }

    /// A short license name to a key.
    pub fn name(&self, db: &Db, s: &str) -> Option<String> {
        db.lookup(s).map(|l| l.key.clone())
    }
}
