//! One-line notices: "Llama 3.1 is licensed under the Llama 3.1 Community License" in a
//! README or NOTICE file names exactly one record (`record.notices`).
//!
//! A notice is matched as an exact run of normalised words, found through a map from its
//! first word, so the scan is one lookup per query word. A notice inside a full-text match
//! is part of that text and not reported again.

use super::index::IdMap;
use super::normalize::{tokenize, Tokens};
use super::{MatchKind, TextMatch};
use crate::db::Db;

/// Confidence of a notice match: it names the license but is not the license text.
pub const NOTICE_CONFIDENCE: f32 = 0.95;

/// Every record notice, tokenised.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    /// (record key, token hashes).
    list: Vec<(String, Vec<u64>)>,
    /// First token hash -> indexes into `list`.
    first: IdMap<Vec<usize>>,
}

impl Notices {
    /// Tokenises every notice of every record.
    pub fn new(db: &Db) -> Notices {
        let mut n = Notices::default();
        for l in db.licenses() {
            for s in &l.notices {
                let h = tokenize(s).hashes();
                if h.len() >= 3 {
                    n.first.entry(h[0]).or_default().push(n.list.len());
                    n.list.push((l.key.clone(), h));
                }
            }
        }
        n
    }

    /// Notices in `query` outside the token spans already matched as full texts.
    pub fn find(&self, query: &Tokens, spans: &[(usize, usize)]) -> Vec<TextMatch> {
        let mut out: Vec<TextMatch> = Vec::new();
        let hashes: Vec<u64> = query.toks.iter().map(|t| t.hash).collect();
        let mut i = 0;
        while i < hashes.len() {
            let mut step = 1;
            for &n in self.first.get(&hashes[i]).map_or(&[][..], Vec::as_slice) {
                let (key, h) = &self.list[n];
                let end = i + h.len();
                if end > hashes.len() || hashes[i..end] != h[..] {
                    continue;
                }
                if spans.iter().any(|&(a, b)| i < b && end > a) {
                    continue;
                }
                let (start_line, end_line) = (
                    query.toks[i].line as usize,
                    query.toks[end - 1].line as usize,
                );
                if !out
                    .iter()
                    .any(|m| &m.key == key && m.start_line == start_line)
                {
                    out.push(TextMatch {
                        key: key.clone(),
                        confidence: NOTICE_CONFIDENCE,
                        start_line,
                        end_line,
                        kind: MatchKind::Notice,
                        modifications: Vec::new(),
                        truncated: false,
                    });
                }
                step = step.max(h.len());
            }
            i += step;
        }
        out
    }
}
