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
    postings: Table,
    /// (reference, position) pairs, grouped by shingle, sorted by reference.
    post: Vec<(u16, u32)>,
    /// Whole-stream hash -> reference.
    pub exact: IdMap<usize>,
}

impl Index {
    /// Indexes every text of every record of `db` (at most 65,534 texts), normalising the
    /// texts on up to four threads.
    pub fn new(db: &Db) -> Index {
        let texts: Vec<(&str, &str)> = db
            .licenses()
            .flat_map(|l| {
                l.texts
                    .iter()
                    .filter_map(|f| Some((l.key.as_str(), db.text(f)?)))
            })
            .collect();
        Index::from_texts(texts)
    }

    /// Indexes (key, text) pairs (at most 65,534), normalising on up to four threads.
    pub fn from_texts(mut texts: Vec<(&str, &str)>) -> Index {
        texts.truncate(usize::from(u16::MAX) - 1);
        // Normalising ~1 MB of reference text is most of the build: split it over cores.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let chunk = texts.len().div_ceil(workers).max(1);
        let refs = std::thread::scope(|s| {
            let handles: Vec<_> = texts
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|&(k, t)| build_ref(k, t))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut refs = Vec::with_capacity(texts.len());
            for h in handles {
                match h.join() {
                    Ok(v) => refs.extend(v),
                    Err(e) => std::panic::resume_unwind(e),
                }
            }
            refs
        });
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
        let keys = all.windows(2).filter(|w| w[0].0 != w[1].0).count() + 1;
        let mut postings = Table::with_keys(keys);
        let mut post = Vec::with_capacity(all.len());
        let mut i = 0;
        while i < all.len() {
            let h = all[i].0;
            let start = post.len() as u32;
            while i < all.len() && all[i].0 == h {
                post.push((all[i].1, all[i].2));
                i += 1;
            }
            postings.insert(h, start, post.len() as u32);
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
        match self.postings.get(h) {
            Some((a, b)) => &self.post[a as usize..b as usize],
            None => &[],
        }
    }
}

/// Normalises and shingles one reference text.
pub fn build_ref(key: &str, text: &str) -> Ref {
    let toks = tokenize(text);
    let shingles = shingles(&toks);
    let mut by_hash: Vec<(u64, u32)> = shingles
        .iter()
        .enumerate()
        .map(|(p, &h)| (h, p as u32))
        .collect();
    by_hash.sort_unstable();
    let mut canon = vec![0u32; shingles.len()];
    let mut set = Vec::with_capacity(by_hash.len());
    let mut group_first = 0;
    for (i, &(h, p)) in by_hash.iter().enumerate() {
        if i == 0 || by_hash[i - 1].0 != h {
            group_first = p;
            set.push(h);
        }
        canon[p as usize] = group_first;
    }
    let mut first_before = Vec::with_capacity(shingles.len() + 1);
    first_before.push(0);
    for (p, &c) in canon.iter().enumerate() {
        let last = *first_before.last().unwrap_or(&0);
        first_before.push(last + u32::from(c == p as u32));
    }
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

/// An open-addressing table from shingle hash to a range of postings: built in one pass
/// without rehashing, probed linearly.
#[derive(Debug, Clone, Default)]
struct Table {
    slots: Vec<(u64, u32, u32)>,
    mask: usize,
}

impl Table {
    fn with_keys(n: usize) -> Table {
        let cap = (n * 2).next_power_of_two().max(16);
        Table {
            slots: vec![(0, 0, 0); cap],
            mask: cap - 1,
        }
    }

    /// Inserts a key not yet present. Empty slots have `end == 0`; real ranges never do.
    fn insert(&mut self, h: u64, start: u32, end: u32) {
        let mut i = h as usize & self.mask;
        while self.slots[i].2 != 0 {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = (h, start, end);
    }

    fn get(&self, h: u64) -> Option<(u32, u32)> {
        let mut i = h as usize & self.mask;
        loop {
            let s = self.slots.get(i)?;
            if s.2 == 0 {
                return None;
            }
            if s.0 == h {
                return Some((s.1, s.2));
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_find_positions_and_distinct_counts_add_up() {
        let a = build_ref(
            "a",
            "one two three four five six one two three four five six",
        );
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
