//! The reference index: every license-db text, normalised, cut into word shingles, with an
//! inverted index from shingle hash to (reference, position).
//!
//! A query costs one hash lookup per query shingle, not one comparison per reference.
//! Positions (not only membership) are kept so the matcher can align a query with a
//! reference, report line spans and find every license in a file.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::normalize::{mix, tokenize, Tokens};
use crate::db::Db;

/// Words per shingle.
pub const K: usize = 5;

/// Shingle hashes are already well mixed: hash them by identity.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by pre-mixed hashes.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// One reference text of one record.
#[derive(Debug, Clone)]
pub struct Ref {
    /// Record key.
    pub key: String,
    /// The text as stored (for the lines a modification quotes).
    pub original: String,
    /// Normalised tokens.
    pub toks: Tokens,
    /// Shingle hash at each position (`toks.len() - K + 1` of them).
    pub shingles: Vec<u64>,
    /// For each position, the first position holding the same shingle.
    pub canon: Vec<u32>,
    /// `first_before[i]` = distinct shingles whose first occurrence is before position `i`.
    pub first_before: Vec<u32>,
    /// Sorted distinct shingle hashes (set operations between siblings).
    pub set: Vec<u64>,
    /// Hash of the whole normalised token stream (the exact tier).
    pub exact: u64,
}

impl Ref {
    /// Number of distinct shingles.
    pub fn distinct(&self) -> u32 {
        self.set.len() as u32
    }

    /// Distinct shingles first seen in positions `lo..=hi`.
    pub fn distinct_in(&self, lo: usize, hi: usize) -> u32 {
        let hi = (hi + 1).min(self.first_before.len() - 1);
        self.first_before[hi] - self.first_before[lo.min(hi)]
    }

    /// True when the shingle hash is in this reference.
    pub fn has(&self, h: u64) -> bool {
        self.set.binary_search(&h).is_ok()
    }
}

/// Shingle hashes of a token stream; a stream shorter than `K` gives one shingle.
pub fn shingles(toks: &Tokens) -> Vec<u64> {
    let h: Vec<u64> = toks.toks.iter().map(|t| t.hash).collect();
    if h.is_empty() {
        return Vec::new();
    }
    if h.len() < K {
        return vec![join(&h)];
    }
    h.windows(K).map(join).collect()
}

fn join(w: &[u64]) -> u64 {
    let mut acc = 0x9e37_79b9_7f4a_7c15u64;
    for &x in w {
        acc = (acc ^ x).wrapping_mul(0x1000_0000_01b3).rotate_left(23);
    }
    mix(acc)
}

/// Hash of a whole token stream.
pub fn stream_hash(toks: &Tokens) -> u64 {
    toks.toks
        .iter()
        .fold(0x2545_f491_4f6c_dd1du64, |a, t| mix(a ^ t.hash))
}

/// The inverted index over every reference text.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// References, in db order.
    pub refs: Vec<Ref>,
    /// Shingle -> range of `post`.
    postings: IdMap<(u32, u32)>,
    /// (reference, position) pairs, grouped by shingle, sorted by reference.
    post: Vec<(u16, u32)>,
    /// Whole-stream hash -> reference.
    pub exact: IdMap<usize>,
}

impl Index {
    /// Indexes every text of every record of `db` (at most 65,535 texts).
    pub fn new(db: &Db) -> Index {
        let mut refs = Vec::new();
        for l in db.licenses() {
            for file in &l.texts {
                if let Some(text) = db.text(file) {
                    if refs.len() < usize::from(u16::MAX) {
                        refs.push(build_ref(&l.key, text));
                    }
                }
            }
        }
        Index::from_refs(refs)
    }

    fn from_refs(refs: Vec<Ref>) -> Index {
        let mut all: Vec<(u64, u16, u32)> = Vec::new();
        for (r, rf) in refs.iter().enumerate() {
            all.extend(
                rf.shingles
                    .iter()
                    .enumerate()
                    .map(|(p, &h)| (h, r as u16, p as u32)),
            );
        }
        all.sort_unstable();
        let mut postings = IdMap::default();
        postings.reserve(all.len());
        let mut post = Vec::with_capacity(all.len());
        let mut i = 0;
        while i < all.len() {
            let h = all[i].0;
            let start = post.len() as u32;
            while i < all.len() && all[i].0 == h {
                post.push((all[i].1, all[i].2));
                i += 1;
            }
            postings.insert(h, (start, post.len() as u32));
        }
        let mut exact = IdMap::default();
        for (r, rf) in refs.iter().enumerate() {
            exact.entry(rf.exact).or_insert(r);
        }
        Index {
            refs,
            postings,
            post,
            exact,
        }
    }

    /// The (reference, position) pairs holding shingle `h`, sorted by reference.
    pub fn lookup(&self, h: u64) -> &[(u16, u32)] {
        match self.postings.get(&h) {
            Some(&(a, b)) => &self.post[a as usize..b as usize],
            None => &[],
        }
    }
}

/// Normalises and shingles one reference text.
pub fn build_ref(key: &str, text: &str) -> Ref {
    let toks = tokenize(text);
    let shingles = shingles(&toks);
    let mut first: IdMap<u32> = IdMap::default();
    let mut canon = Vec::with_capacity(shingles.len());
    let mut first_before = Vec::with_capacity(shingles.len() + 1);
    first_before.push(0);
    for (p, &h) in shingles.iter().enumerate() {
        let c = *first.entry(h).or_insert(p as u32);
        canon.push(c);
        let last = *first_before.last().unwrap_or(&0);
        first_before.push(last + u32::from(c == p as u32));
    }
    let mut set: Vec<u64> = first.into_keys().collect();
    set.sort_unstable();
    Ref {
        key: key.to_string(),
        original: text.to_string(),
        exact: stream_hash(&toks),
        toks,
        shingles,
        canon,
        first_before,
        set,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_find_positions_and_distinct_counts_add_up() {
        let a = build_ref("a", "one two three four five six one two three four five six");
        let idx = Index::from_refs(vec![a, build_ref("b", "nine eight seven six five")]);
        let rf = &idx.refs[0];
        assert_eq!(rf.shingles.len(), 8);
        assert_eq!(rf.distinct(), 6);
        assert_eq!(rf.distinct_in(0, 7), 6);
        assert_eq!(rf.canon[6], 0);
        let hits = idx.lookup(rf.shingles[0]);
        assert_eq!(hits, &[(0, 0), (0, 6)]);
        assert!(idx.lookup(12345).is_empty());
    }
}
