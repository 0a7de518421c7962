//! Telling near-identical siblings apart (Llama 3.1 / 3.2 / 3.3, Gemma dated versions, Qwen
//! vs Qwen RESEARCH, BSD-2 inside BSD-3, MIT inside a modified MIT).
//!
//! Family texts get equal similarity, so similarity cannot decide. For two overlapping
//! candidates, what decides is which one's *own* shingles (those the other lacks) occur in
//! the query; then the winner's record markers (title, date line, URL path) must be present.
//! When neither side shows its own part, or the markers are missing, no version is guessed.

use super::index::{Index, Ref, K};
use super::matcher::Region;
use super::normalize::Tokens;

/// A candidate within this much confidence of the best is a rival that must be beaten on
/// its discriminating shingles.
const RIVAL_MARGIN: f32 = 0.15;

/// Share of a sibling's own shingles that must occur for the text to be that sibling.
const OWN_SHARE: f32 = 0.34;

/// The outcome for one part of the query.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The winning region.
    pub region: Region,
    /// True when the version could not be told (siblings tied, or markers missing).
    pub ambiguous: bool,
}

/// Who wins a pairwise comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Winner {
    First,
    Second,
    Neither,
}

/// Picks one region per part of the query: the best, after beating its close rivals.
/// `markers[r]` are the tokenised markers of reference `r`'s record.
pub fn resolve(
    idx: &Index,
    regions: Vec<Region>,
    posts: &[&[(u16, u32)]],
    query: &Tokens,
    markers: &[Vec<Vec<u64>>],
) -> Vec<Decision> {
    let mut used = vec![false; regions.len()];
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for i in 0..regions.len() {
        if used[i]
            || taken
                .iter()
                .any(|&t| overlap(t, span(&regions[i])) * 2 > len(span(&regions[i])))
        {
            used[i] = true;
            continue;
        }
        let rivals: Vec<usize> = (i + 1..regions.len())
            .filter(|&j| !used[j] && close(&regions[i], &regions[j], idx))
            .collect();
        let mut memo: Vec<((usize, usize), Winner)> = Vec::new();
        let mut cmp = |a: usize, b: usize| {
            if let Some((_, w)) = memo.iter().find(|(k, _)| *k == (a, b)) {
                return *w;
            }
            let mut w = compare(idx, &regions[a], &regions[b], posts);
            // Too little of either's own part to tell: the record marker (title, date
            // line) that only one of them shows decides.
            if w == Winner::Neither {
                let shows = |r: &Region| {
                    let m = &markers[r.r];
                    !m.is_empty() && has_marker(query, r, m)
                };
                w = match (shows(&regions[a]), shows(&regions[b])) {
                    (true, false) => Winner::First,
                    (false, true) => Winner::Second,
                    _ => Winner::Neither,
                };
            }
            memo.push(((a, b), w));
            w
        };
        let mut best = i;
        for &j in &rivals {
            if cmp(best, j) == Winner::Second {
                best = j;
            }
        }
        let mut ambiguous = [i]
            .iter()
            .chain(&rivals)
            .filter(|&&j| j != best)
            .any(|&j| cmp(best, j) != Winner::First);
        let m = &markers[regions[best].r];
        if !m.is_empty() && !has_marker(query, &regions[best], m) {
            ambiguous = true;
        }
        for &j in [i].iter().chain(&rivals) {
            used[j] = true;
        }
        taken.push(span(&regions[best]));
        out.push(Decision {
            region: regions[best].clone(),
            ambiguous,
        });
    }
    out
}

fn span(r: &Region) -> (usize, usize) {
    (r.q_lo, r.q_hi)
}

fn len(s: (usize, usize)) -> usize {
    s.1.saturating_sub(s.0).max(1)
}

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// Another record's region over mostly the same part of the query, nearly as good.
fn close(a: &Region, b: &Region, idx: &Index) -> bool {
    let (sa, sb) = (span(a), span(b));
    idx.refs[a.r].key != idx.refs[b.r].key
        && overlap(sa, sb) * 2 > len(sa).min(len(sb))
        && b.conf + RIVAL_MARGIN >= a.conf
}

/// Compares two overlapping candidates on their own shingles (each one's shingles the
/// other lacks) found in the union of their spans.
fn compare(idx: &Index, a: &Region, b: &Region, posts: &[&[(u16, u32)]]) -> Winner {
    let (ra, rb) = (&idx.refs[a.r], &idx.refs[b.r]);
    let lo = a.q_lo.min(b.q_lo);
    let hi = a.q_hi.max(b.q_hi).saturating_sub(K - 1).min(posts.len());
    let (ia, ib) = (a.r as u16, b.r as u16);
    let (mut own_a, mut own_b) = (0usize, 0usize);
    for post in posts.get(lo..hi).unwrap_or(&[]) {
        let in_a = post.iter().any(|&(r, _)| r == ia);
        let in_b = post.iter().any(|&(r, _)| r == ib);
        match (in_a, in_b) {
            (true, false) => own_a += 1,
            (false, true) => own_b += 1,
            _ => {}
        }
    }
    // Own shingles are counted within the part of each reference the query covers, so a
    // truncated tail does not count against its own version.
    let (da, db) = (own_in_range(ra, a, rb), own_in_range(rb, b, ra));
    let share = |own: usize, d: usize| {
        if d == 0 {
            0.0
        } else {
            (own as f32 / d as f32).min(1.0)
        }
    };
    let (fa, fb) = (share(own_a, da), share(own_b, db));
    match (fa >= OWN_SHARE, fb >= OWN_SHARE) {
        (true, false) => Winner::First,
        (false, true) => Winner::Second,
        (true, true) if fa > fb + 0.2 => Winner::First,
        (true, true) if fb > fa + 0.2 => Winner::Second,
        // Neither shows its own part in the covered range: the clearly better match wins
        // (a whole text over a longer sibling it is the head of); siblings tie.
        (false, false) if a.conf > b.conf + 0.01 => Winner::First,
        (false, false) if b.conf > a.conf + 0.01 => Winner::Second,
        // Both cut to the same shared part (MIT's body alone, without the title of either
        // MIT or a modified MIT): the reference that the query covers more of wins, since
        // the other one's missing part is where its own terms are.
        (false, false) if a.cov > b.cov + 0.05 => Winner::First,
        (false, false) if b.cov > a.cov + 0.05 => Winner::Second,
        _ => Winner::Neither,
    }
}

/// Distinct shingles of `r` in the region's covered range that `other` lacks.
fn own_in_range(r: &Ref, reg: &Region, other: &Ref) -> usize {
    let hi = reg.p_hi.saturating_sub(K - 1).min(r.shingles.len());
    (reg.p_lo.min(hi)..hi)
        .filter(|&p| r.canon[p] as usize == p && !other.has(r.shingles[p]))
        .count()
}

/// True when one of the markers occurs in or just before the region (a title sits above).
fn has_marker(query: &Tokens, r: &Region, markers: &[Vec<u64>]) -> bool {
    let lo = r.q_lo.saturating_sub(100);
    let hi = (r.q_hi + 20).min(query.len());
    let hay: Vec<u64> = query.toks[lo..hi].iter().map(|t| t.hash).collect();
    markers
        .iter()
        .any(|m| !m.is_empty() && hay.windows(m.len()).any(|w| w == m.as_slice()))
}
