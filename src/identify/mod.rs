//! License identification: texts and declared names to license-db keys.
//!
//! [`Identifier::identify`] runs the tiers cheapest first: a canonical hash of the whole
//! normalised text ([`normalize`]); then word-shingle containment through an inverted index
//! ([`index`], [`matcher`]) that finds every license in the text with its line span; then
//! sibling discrimination and record markers ([`versions`]), so Llama 3.1 is never reported
//! for Llama 3.2 and a text whose version cannot be told gets no version; then the clause
//! check ([`clause`]) that reports every change inside a match. One-line notices from the
//! records are matched last ([`notice`]). Below the threshold there is no match, only a
//! [`Candidate`]. [`Identifier::name`] maps a short license name to a key ([`names`]).

pub mod clause;
pub mod declared;
pub mod index;
pub mod markup;
pub mod matcher;
pub mod names;
pub mod normalize;
pub mod notice;
pub mod terms;
pub mod versions;

pub use declared::{
    license_sections, license_sections_strict, mentions, mentions_anywhere, resolve_value, Mention,
    Phrases, Resolved, NOTICE_CUES,
};

use crate::db::Db;

/// Confidence at or above which a region is a match.
pub const THRESHOLD: f32 = 0.9;

/// How a text match was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// The license text itself (whole, or with a truncated head or tail).
    FullText,
    /// A one-line notice naming the license ("X is licensed under the Y").
    Notice,
}

/// A difference inside a matched region that may change what the license permits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Modification {
    /// What the difference bears on: permissions, or the scale clause, AUP, attribution,
    /// restrictions that qualify them.
    pub bears_on: Vec<crate::matrix::Decides>,
    /// The reference wording (a decisive clause, or the reference lines), if any.
    pub expected: Option<String>,
    /// The lines found in the text instead, if any.
    pub found: Option<String>,
    /// 1-based line of the difference in the text.
    pub line: Option<usize>,
}

/// One license found in a text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TextMatch {
    /// license-db key.
    pub key: String,
    /// 0..1.
    pub confidence: f32,
    /// First line of the match (1-based, within the given text).
    pub start_line: usize,
    /// Last line of the match (1-based, inclusive).
    pub end_line: usize,
    /// Full text or notice.
    pub kind: MatchKind,
    /// Clause check; empty when the matched text is intact.
    pub modifications: Vec<Modification>,
    /// A substantial head or tail of the reference is missing.
    pub truncated: bool,
}

/// The best guess below the threshold (or a family match whose version could not be told).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// license-db key.
    pub key: String,
    /// 0..1; never reaches [`THRESHOLD`].
    pub score: f32,
}

/// Everything found in one text.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Identification {
    /// Confident matches, in text order.
    pub matches: Vec<TextMatch>,
    /// Best below-threshold guess when a license-like text was not identified.
    pub candidate: Option<Candidate>,
}

/// Per-reference data the matcher needs besides the index.
#[derive(Debug, Clone)]
struct RefInfo {
    clauses: Vec<clause::Clause>,
}

/// One searchable set of reference texts: the index, each reference's decisive clauses
/// and record markers.
#[derive(Debug, Clone, Default)]
struct Layer {
    index: index::Index,
    info: Vec<RefInfo>,
    markers: Vec<Vec<Vec<u64>>>,
}

/// The identification engine, built once from a [`Db`]. The curated records are indexed
/// up front; the breadth layer (ScanCode LicenseDB) is indexed on first need, when a text
/// is not identified by any curated record.
#[derive(Debug)]
pub struct Identifier {
    curated: Layer,
    breadth: std::sync::OnceLock<Layer>,
    notices: notice::Notices,
    names: names::Names,
    phrases: Phrases,
    /// SPDX ids of the curated records: the breadth layer's copies of them are not searched.
    curated_ids: std::collections::HashSet<String>,
}

impl Clone for Identifier {
    fn clone(&self) -> Self {
        Identifier {
            curated: self.curated.clone(),
            breadth: self
                .breadth
                .get()
                .cloned()
                .map(Into::into)
                .unwrap_or_default(),
            notices: self.notices.clone(),
            names: self.names.clone(),
            phrases: self.phrases.clone(),
            curated_ids: self.curated_ids.clone(),
        }
    }
}

/// Texts shorter than this are never sent to the breadth layer: a sentence is not a
/// license text.
const BREADTH_MIN_WORDS: usize = 30;

impl Identifier {
    /// Indexes every reference text, marker, decisive clause, notice and name of `db`.
    pub fn new(db: &Db) -> Identifier {
        let index = index::Index::new(db);
        let markers = index
            .refs
            .iter()
            .map(|rf| {
                // Only the markers this reference text holds: a record's second text (a
                // license header, a rendering without the title) is not asked for them.
                let own: Vec<u64> = rf.toks.hashes();
                db.get(&rf.key)
                    .map(|l| {
                        l.markers
                            .iter()
                            .map(|m| normalize::tokenize(m).hashes())
                            .filter(|m| {
                                !m.is_empty() && own.windows(m.len()).any(|w| w == m.as_slice())
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let info = index
            .refs
            .iter()
            .map(|rf| {
                let rec = db.get(&rf.key);
                let wanted: Vec<(String, Vec<crate::matrix::Decides>)> = rec
                    .map(|l| {
                        l.decisive_clauses
                            .iter()
                            .map(|c| (c.text.clone(), c.bears_on.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                RefInfo {
                    clauses: clause::locate(rf, &wanted),
                }
            })
            .collect();
        Identifier {
            curated: Layer {
                index,
                info,
                markers,
            },
            breadth: std::sync::OnceLock::new(),
            notices: notice::Notices::new(db),
            names: names::Names::new(db),
            phrases: Phrases::new(db),
            curated_ids: db
                .licenses()
                .flat_map(|l| [l.spdx.to_ascii_lowercase(), l.key.to_ascii_lowercase()])
                .collect(),
        }
    }

    /// The breadth layer's index, built on first use.
    fn breadth(&self) -> &Layer {
        self.breadth.get_or_init(|| {
            let data = crate::db::breadth::get();
            let covered = |key: &str| {
                let spdx = data.records.get(key).map(|l| l.spdx.to_ascii_lowercase());
                self.curated_ids.contains(key)
                    || spdx.is_some_and(|s| self.curated_ids.contains(&s))
            };
            let texts = data
                .texts
                .iter()
                .filter(|(k, _)| !covered(k))
                .map(|(k, t)| (k.as_str(), t.as_str()));
            let index = index::Index::from_texts(texts.collect());
            let n = index.refs.len();
            Layer {
                index,
                info: (0..n)
                    .map(|_| RefInfo {
                        clauses: Vec::new(),
                    })
                    .collect(),
                markers: vec![Vec::new(); n],
            }
        })
    }

    /// Finds every license in `text` (a whole file, an Ollama layer, a README section).
    pub fn identify(&self, text: &str) -> Identification {
        let query = normalize::tokenize(text);
        let mut out = Identification::default();
        if query.is_empty() {
            return out;
        }
        let mut spans = self.curated.find(&query, text, &mut out);
        // The breadth layer names texts no curated record resembles; a curated near miss
        // (a family whose version cannot be told, an edited text) stays a candidate.
        let unlike_any = out.matches.is_empty()
            && out.candidate.as_ref().is_none_or(|c| c.score < 0.5)
            && query.len() >= BREADTH_MIN_WORDS
            && looks_like_terms(text);
        if unlike_any {
            let mut wide = Identification::default();
            let wide_spans = self.breadth().find(&query, text, &mut wide);
            if !wide.matches.is_empty() {
                out.matches = wide.matches;
                out.candidate = None;
                spans = wide_spans;
            }
        }
        out.matches.extend(self.notices.find(&query, &spans));
        out.matches.sort_by_key(|m| (m.start_line, m.end_line));
        // A second text of the same record inside a larger match (Apache-2.0's header in
        // its own appendix) is part of that match, not another license.
        let all = out.matches.clone();
        out.matches.retain(|m| {
            !all.iter().any(|o| {
                o.key == m.key
                    && o.kind == MatchKind::FullText
                    && (o.start_line, o.end_line) != (m.start_line, m.end_line)
                    && o.start_line <= m.start_line
                    && m.end_line <= o.end_line
            })
        });
        out
    }

    /// The db key a short license name or id names ("Llama 3.1 Community License",
    /// "CC BY-NC 4.0", "apache 2", "llama-3.1"), if exactly one record fits.
    pub fn name(&self, db: &Db, s: &str) -> Option<String> {
        self.names.find(db, s)
    }

    /// The license names prose is matched against.
    pub fn phrases(&self) -> &Phrases {
        &self.phrases
    }

    /// What a sentence names, for the fail-closed accounting ([`terms::unexplained`]): no
    /// license, only licenses that forbid commercial use, or some that allow it.
    pub fn naming(&self, db: &Db, sentence: &str) -> terms::Naming {
        let said = mentions_anywhere(&self.phrases, sentence);
        let forbids = |key: &str| {
            db.get(key)
                .is_some_and(|l| l.matrix.commercial_use.status == crate::matrix::Status::Forbidden)
        };
        if said.is_empty() {
            terms::Naming::None
        } else if said.iter().all(|m| forbids(&m.key)) {
            terms::Naming::OnlyNonCommercial
        } else {
            terms::Naming::Some
        }
    }
}

/// A text that speaks of licensing at all (a binary or a poem is not sent to the breadth
/// layer).
fn looks_like_terms(text: &str) -> bool {
    let head: String = text.chars().take(20_000).collect::<String>().to_lowercase();
    [
        "license",
        "licence",
        "permission",
        "copyright",
        "rights",
        "terms",
    ]
    .iter()
    .filter(|w| head.contains(*w))
    .count()
        >= 2
}

impl Layer {
    /// Finds this layer's texts in `query` into `out`; returns the spans (token ranges)
    /// taken by matches and ambiguous regions.
    fn find(
        &self,
        query: &normalize::Tokens,
        text: &str,
        out: &mut Identification,
    ) -> Vec<(usize, usize)> {
        if let Some(&r) = self.index.exact.get(&index::stream_hash(query)) {
            out.matches.push(TextMatch {
                key: self.index.refs[r].key.clone(),
                confidence: 1.0,
                start_line: line_of(query, 0),
                end_line: line_of(query, query.len() - 1),
                kind: MatchKind::FullText,
                modifications: Vec::new(),
                truncated: false,
            });
            return vec![(0, query.len())];
        }
        let qs = index::shingles(query);
        let posts: Vec<&[(u16, u32)]> = qs.iter().map(|&h| self.index.lookup(h)).collect();
        let regions = matcher::regions(&self.index, &posts);
        let decisions = versions::resolve(&self.index, regions, &posts, query, &self.markers);
        let spans: Vec<(usize, usize)> = decisions
            .iter()
            .filter(|d| d.ambiguous || d.region.conf >= THRESHOLD)
            .map(|d| (d.region.q_lo, d.region.q_hi))
            .collect();
        for d in &decisions {
            let reg = &d.region;
            let rf = &self.index.refs[reg.r];
            if d.ambiguous || reg.conf < THRESHOLD {
                let score = if d.ambiguous {
                    reg.conf.min(0.5)
                } else {
                    reg.conf
                };
                if out.candidate.as_ref().is_none_or(|c| c.score < score) && score >= 0.2 {
                    out.candidate = Some(Candidate {
                        key: rf.key.clone(),
                        score,
                    });
                }
                continue;
            }
            let modifications = clause::check(reg, rf, &self.info[reg.r].clauses, query, text);
            out.matches.push(TextMatch {
                key: rf.key.clone(),
                confidence: reg.conf.min(1.0),
                start_line: line_of(query, reg.q_lo),
                end_line: line_of(query, reg.q_hi.saturating_sub(1)),
                kind: MatchKind::FullText,
                modifications,
                truncated: reg.truncated,
            });
        }
        spans
    }
}

fn line_of(t: &normalize::Tokens, i: usize) -> usize {
    t.toks
        .get(i.min(t.len().saturating_sub(1)))
        .map_or(1, |t| t.line as usize)
}
