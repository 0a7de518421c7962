//! The similarity tier: query shingles against the inverted index, then one monotone
//! alignment (longest increasing chain of shingle hits) per reference, cut into regions.
//!
//! Containment of the reference in the query decides "this license is in here"; the
//! alignment gives the region's line span and lets one file yield several licenses.

use super::index::{Index, K};

/// A part of the query aligned with one reference.
#[derive(Debug, Clone)]
pub struct Region {
    /// Reference index in `Index::refs`.
    pub r: usize,
    /// Aligned shingle pairs (query position, reference position), both increasing.
    pub chain: Vec<(u32, u32)>,
    /// Query token range `[q_lo, q_hi)`.
    pub q_lo: usize,
    /// End of the query token range.
    pub q_hi: usize,
    /// Reference token range `[p_lo, p_hi)`.
    pub p_lo: usize,
    /// End of the reference token range.
    pub p_hi: usize,
    /// Share of the reference's distinct shingles found.
    pub cov: f32,
    /// Share found within the covered part of the reference.
    pub local: f32,
    /// Share of the region's shingles that belong to the reference.
    pub prec: f32,
    /// Overall confidence.
    pub conf: f32,
    /// A substantial head or tail of the reference is missing.
    pub truncated: bool,
    /// Empty, or the aligned pieces of a reference found in another order (a bilingual
    /// text with its halves swapped: adjacent in the query, contiguous in the reference);
    /// the fields above then describe the whole and `chain` is empty.
    pub parts: Vec<Region>,
}

/// A query inserting more than this many tokens (beyond what it deletes) between two
/// aligned shingles is split there: what follows is another document.
const SPLIT_GAP: u32 = 100;

/// Pieces of one reference are one region only when they meet: at most this many tokens
/// between them in the query, and none of the reference between them left out.
const JOIN_GAP: usize = 2;

/// Re-alignments of the pairs a chain left out, looking for pieces in another order.
const MAX_REALIGN: usize = 3;

/// A reference is a candidate when at least this share of its shingles occurs (a match
/// needs far more: the whole, or a covered half at 90%).
const MIN_SHARE: f32 = 0.3;

/// Every region of the query that aligns with some reference, best first. `posts[q]` are
/// the postings of query shingle `q` ([`Index::lookup`]).
pub fn regions(idx: &Index, posts: &[&[(u16, u32)]]) -> Vec<Region> {
    // Pass 1: how many query shingles each reference shares; no allocation per hit.
    let mut counts = vec![0u32; idx.refs.len()];
    for post in posts {
        let mut last = u16::MAX;
        for &(r, _) in post.iter() {
            if r != last {
                counts[usize::from(r)] += 1;
                last = r;
            }
        }
    }
    let mut slot = vec![usize::MAX; idx.refs.len()];
    let mut pairs: Vec<Vec<(u32, u32)>> = Vec::new();
    for (r, &c) in counts.iter().enumerate() {
        let need = (idx.refs[r].distinct() as f32 * MIN_SHARE).max(2.0);
        if c as f32 >= need {
            slot[r] = pairs.len();
            pairs.push(Vec::with_capacity(c as usize + 8));
        }
    }
    // Pass 2: hits of the candidates only, already in query order. Within one query
    // position they go by decreasing reference position, so a strictly increasing chain
    // takes at most one per query shingle.
    if !pairs.is_empty() {
        for (q, post) in posts.iter().enumerate() {
            for &(r, p) in post.iter().rev() {
                if let Some(v) = pairs.get_mut(slot[usize::from(r)]) {
                    v.push((q as u32, p));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (r, &s) in slot.iter().enumerate() {
        let Some(v) = pairs.get(s) else { continue };
        let pieces = split(chain(v));
        let found: Vec<Region> = pieces
            .iter()
            .filter_map(|c| region(idx, r, c.clone(), posts.len()))
            .collect();
        // Only a part of the reference aligned: look for the rest in another order.
        let mut others = if found.iter().any(|g| g.truncated) {
            reordered(idx, r, v, &pieces, posts.len())
        } else {
            Vec::new()
        };
        out.extend(found.into_iter().map(|g| join(idx, g, &mut others)));
    }
    out.sort_by(|a, b| b.conf.total_cmp(&a.conf).then(a.r.cmp(&b.r)));
    out
}

/// Regions from the pairs that `pieces` leave out (neither their query nor their reference
/// range): the parts of a text that appear in another order than the reference's.
fn reordered(
    idx: &Index,
    r: usize,
    pairs: &[(u32, u32)],
    pieces: &[Vec<(u32, u32)>],
    qlen: usize,
) -> Vec<Region> {
    let mut taken: Vec<((u32, u32), (u32, u32))> =
        pieces.iter().filter_map(|c| bounds(c)).collect();
    let mut out = Vec::new();
    for _ in 0..MAX_REALIGN {
        let left: Vec<(u32, u32)> = pairs
            .iter()
            .copied()
            .filter(|&(q, p)| {
                !taken
                    .iter()
                    .any(|&((q0, q1), (p0, p1))| (q0..=q1).contains(&q) || (p0..=p1).contains(&p))
            })
            .collect();
        // Too few pairs left to be a part worth joining (a tenth of the reference).
        if (left.len() as f32) < idx.refs[r].distinct() as f32 * 0.1 {
            break;
        }
        let found = split(chain(&left));
        if found.is_empty() {
            break;
        }
        taken.extend(found.iter().filter_map(|c| bounds(c)));
        out.extend(found.into_iter().filter_map(|c| region(idx, r, c, qlen)));
    }
    out
}

/// Query and reference ranges (first and last positions) of a chain.
fn bounds(chain: &[(u32, u32)]) -> Option<((u32, u32), (u32, u32))> {
    let (first, last) = (chain.first()?, chain.last()?);
    Some(((first.0, last.0), (first.1, last.1)))
}

/// `reg` with every region of `others` that meets it (adjacent in the query, contiguous in
/// the reference) taken in as a part; the whole is scored as one alignment.
fn join(idx: &Index, mut reg: Region, others: &mut Vec<Region>) -> Region {
    let meets = |a: &Region, b: &Region| {
        let near = |x: usize, y: usize| x <= y + JOIN_GAP && y <= x + JOIN_GAP;
        (near(a.q_hi, b.q_lo) || near(b.q_hi, a.q_lo)) && (a.p_hi == b.p_lo || b.p_hi == a.p_lo)
    };
    while let Some(i) = others
        .iter()
        .position(|o| std::iter::once(&reg).chain(&reg.parts).any(|m| meets(m, o)))
    {
        reg.parts.push(others.swap_remove(i));
    }
    if reg.parts.is_empty() {
        return reg;
    }
    // The whole keeps every piece, its own first; its chain is theirs.
    let own = Region {
        parts: Vec::new(),
        ..reg.clone()
    };
    reg.parts.insert(0, own);
    reg.chain = Vec::new();
    let pieces: Vec<&Region> = reg.parts.iter().collect();
    let rf = &idx.refs[reg.r];
    let mut canon: Vec<u32> = pieces
        .iter()
        .flat_map(|m| m.chain.iter().map(|&(_, p)| rf.canon[p as usize]))
        .collect();
    canon.sort_unstable();
    canon.dedup();
    let hits: usize = pieces.iter().map(|m| m.chain.len()).sum();
    let q_lo = pieces.iter().map(|m| m.q_lo).min().unwrap_or(reg.q_lo);
    let q_hi = pieces.iter().map(|m| m.q_hi).max().unwrap_or(reg.q_hi);
    let p_lo = pieces.iter().map(|m| m.p_lo).min().unwrap_or(reg.p_lo);
    let p_hi = pieces.iter().map(|m| m.p_hi).max().unwrap_or(reg.p_hi);
    let n = rf.toks.len().max(1);
    let cov = canon.len() as f32 / rf.distinct().max(1) as f32;
    let in_range = rf.distinct_in(p_lo, p_hi.saturating_sub(K)).max(1) as f32;
    let local = (canon.len() as f32 / in_range).min(1.0);
    let spans: usize = pieces
        .iter()
        .map(|m| (m.q_hi - m.q_lo).saturating_sub(K - 1).max(1))
        .sum();
    let prec = (hits as f32 / spans as f32).min(1.0);
    let truncated = p_lo + (n - p_hi) > (n / 20).max(20);
    let conf = score(cov, local, prec, truncated, (p_hi - p_lo) as f32 / n as f32);
    Region {
        q_lo,
        q_hi,
        p_lo,
        p_hi,
        cov,
        local,
        prec,
        conf,
        truncated,
        ..reg
    }
}

/// Longest chain strictly increasing in both coordinates (patience sorting).
fn chain(pairs: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![usize::MAX; pairs.len()];
    for (i, &(_, p)) in pairs.iter().enumerate() {
        let pos = tails.partition_point(|&t| pairs[t].1 < p);
        if pos > 0 {
            prev[i] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied().unwrap_or(usize::MAX);
    while cur != usize::MAX {
        out.push(pairs[cur]);
        cur = prev[cur];
    }
    out.reverse();
    out
}

/// Cuts a chain where the query runs on far longer than the reference does.
fn split(chain: Vec<(u32, u32)>) -> Vec<Vec<(u32, u32)>> {
    let mut out = vec![Vec::new()];
    for (n, &pair) in chain.iter().enumerate() {
        if n > 0 {
            let (q0, p0) = chain[n - 1];
            if pair.0 - q0 > pair.1 - p0 + SPLIT_GAP {
                out.push(Vec::new());
            }
        }
        if let Some(last) = out.last_mut() {
            last.push(pair);
        }
    }
    out.retain(|c| c.len() >= 3);
    out
}

fn region(idx: &Index, r: usize, chain: Vec<(u32, u32)>, qlen: usize) -> Option<Region> {
    let rf = &idx.refs[r];
    let (first, last) = (*chain.first()?, *chain.last()?);
    let mut canon: Vec<u32> = chain.iter().map(|&(_, p)| rf.canon[p as usize]).collect();
    canon.sort_unstable();
    canon.dedup();
    let distinct = canon.len() as f32;
    let n = rf.toks.len().max(1);
    let (p_lo, p_hi) = (first.1 as usize, (last.1 as usize + K).min(n));
    let in_range = rf.distinct_in(first.1 as usize, last.1 as usize).max(1) as f32;
    let cov = distinct / rf.distinct().max(1) as f32;
    let local = (distinct / in_range).min(1.0);
    let span = (last.0 - first.0 + 1) as f32;
    let prec = (chain.len() as f32 / span).min(1.0);
    let truncated = p_lo + (n - p_hi) > (n / 20).max(20);
    let conf = score(cov, local, prec, truncated, (p_hi - p_lo) as f32 / n as f32);
    Some(Region {
        r,
        q_lo: first.0 as usize,
        q_hi: (last.0 as usize + K).min(qlen + K - 1),
        p_lo,
        p_hi,
        chain,
        cov,
        local,
        prec,
        conf,
        truncated,
        parts: Vec::new(),
    })
}

/// Confidence from coverage and precision. A truncated match is judged on the part
/// present (`covered`: share of the reference's span), a little below a whole one, so a
/// whole text beats a longer sibling whose head it happens to be (MIT vs modified MIT).
fn score(cov: f32, local: f32, prec: f32, truncated: bool, covered: f32) -> f32 {
    let base = if truncated && covered >= 0.5 {
        local.min(cov + 0.5) * (0.9 + 0.1 * covered)
    } else {
        cov
    };
    if base + prec > 0.0 {
        2.0 * base * prec / (base + prec)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_is_longest_and_increasing() {
        let pairs = [(0, 5), (1, 1), (2, 2), (3, 0), (4, 3), (5, 9), (5, 4)];
        assert_eq!(chain(&pairs), vec![(1, 1), (2, 2), (4, 3), (5, 4)]);
    }

    #[test]
    fn long_insertions_split_the_chain() {
        let c: Vec<(u32, u32)> = (0..5)
            .map(|i| (i, i))
            .chain((5..10).map(|i| (i + 500, i)))
            .collect();
        assert_eq!(split(c).len(), 2);
    }
}
