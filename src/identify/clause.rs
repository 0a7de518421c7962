//! The clause check: after a match, what differs from the reference inside the matched
//! region, and which permissions each difference bears on.
//!
//! Similarity scores cannot see "700 million" become "7 million" or an inserted "for
//! commercial purposes" (they stay above 0.99), so every difference in the aligned region is
//! examined: a touched decisive clause (`record.decisive_clauses`) is reported with that
//! clause's `bears_on`; any other inserted, deleted or changed words are reported with
//! `bears_on` inferred from their words. Spelling-only changes (tokens that join to the same
//! word) are not differences; whitespace, quotes, Markdown and copyright lines never reach
//! this point (see `normalize`).

use super::index::{Ref, K};
use super::matcher::Region;
use super::normalize::{split_lines, tokenize, Tokens};
use super::{markup, terms, Modification};
use crate::matrix::Decides;

/// A decisive clause located in one reference text.
#[derive(Debug, Clone)]
pub struct Clause {
    /// The phrase as the record writes it.
    pub text: String,
    /// What it decides.
    pub bears_on: Vec<Decides>,
    /// Reference token range `[start, end)`, `None` when the phrase is not in this text.
    pub at: Option<(usize, usize)>,
}

/// Locates each `(text, bears_on)` clause in the reference tokens.
pub fn locate(rf: &Ref, clauses: &[(String, Vec<Decides>)]) -> Vec<Clause> {
    let hay: Vec<u64> = rf.toks.toks.iter().map(|t| t.hash).collect();
    clauses
        .iter()
        .map(|(text, bears_on)| {
            let needle: Vec<u64> = tokenize(text).toks.iter().map(|t| t.hash).collect();
            let at = (!needle.is_empty())
                .then(|| {
                    hay.windows(needle.len())
                        .position(|w| w == needle.as_slice())
                })
                .flatten()
                .map(|s| (s, s + needle.len()));
            Clause {
                text: text.clone(),
                bears_on: bears_on.clone(),
                at,
            }
        })
        .collect()
}

/// One difference: query tokens `q` stand where reference tokens `p` were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hunk {
    q: (usize, usize),
    p: (usize, usize),
}

/// Differences between the query and the reference inside the aligned region. The shingle
/// chain is first turned into a token alignment (each token mapped at most once, both
/// sides increasing), so a shifted diagonal — one word deleted between two overlapping
/// shingles — is a difference too.
fn hunks(region: &Region, rf: &Ref, query: &Tokens) -> Vec<Hunk> {
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(region.q_hi - region.q_lo);
    for &(q, p) in &region.chain {
        for t in 0..K {
            let (a, b) = (q as usize + t, p as usize + t);
            let fresh = pairs.last().is_none_or(|&(x, y)| a > x && b > y);
            if fresh
                && a < query.len()
                && b < rf.toks.len()
                && query.toks[a].hash == rf.toks.toks[b].hash
            {
                pairs.push((a, b));
            }
        }
    }
    let mut out = Vec::new();
    for w in pairs.windows(2) {
        let ((qa, pa), (qb, pb)) = (w[0], w[1]);
        if qb > qa + 1 || pb > pa + 1 {
            if let Some(h) = refine(
                Hunk {
                    q: (qa + 1, qb),
                    p: (pa + 1, pb),
                },
                rf,
                query,
            ) {
                out.push(h);
            }
        }
    }
    out
}

/// Trims the common head and tail of a hunk; `None` when nothing real differs.
fn refine(mut h: Hunk, rf: &Ref, query: &Tokens) -> Option<Hunk> {
    let qh = |i: usize| query.toks[i].hash;
    let ph = |i: usize| rf.toks.toks[i].hash;
    while h.q.0 < h.q.1 && h.p.0 < h.p.1 && qh(h.q.0) == ph(h.p.0) {
        h.q.0 += 1;
        h.p.0 += 1;
    }
    while h.q.0 < h.q.1 && h.p.0 < h.p.1 && qh(h.q.1 - 1) == ph(h.p.1 - 1) {
        h.q.1 -= 1;
        h.p.1 -= 1;
    }
    let joined = |t: &Tokens, (a, b): (usize, usize)| (a..b).map(|i| t.word(i)).collect::<String>();
    if joined(query, h.q) == joined(&rf.toks, h.p) {
        return None;
    }
    Some(h)
}

/// Every modification of the matched region: touched decisive clauses first, then other
/// differences. A clause in the missing tail of a truncated text is not a modification; a
/// clause in a missing head, or missing from a text that ends just short, is (a removed
/// grant often sits there).
pub fn check(
    region: &Region,
    rf: &Ref,
    clauses: &[Clause],
    query: &Tokens,
    text: &str,
) -> Vec<Modification> {
    // A region in several pieces (halves in another order): differences within each piece,
    // and a clause outside every piece is missing.
    let pieces: Vec<&Region> = if region.parts.is_empty() {
        vec![region]
    } else {
        region.parts.iter().collect()
    };
    let hunks: Vec<Hunk> = pieces.iter().flat_map(|m| hunks(m, rf, query)).collect();

    let mut used = vec![false; hunks.len()];
    let mut out = Vec::new();
    for c in clauses {
        let Some((cs, ce)) = c.at else { continue };
        // A click-through acceptance sentence that a gated prompt leaves out ("By using or
        // distributing any portion ... you agree to be bound by this Agreement") decides no
        // permission, even when a record lists it.
        if is_acceptance(&rf.toks, (cs, ce)) {
            continue;
        }
        if cs >= region.p_hi && region.truncated {
            continue;
        }
        if cs >= region.p_hi {
            out.push(modification(
                c.bears_on.clone(),
                Some(c.text.clone()),
                None,
                None,
            ));
            continue;
        }
        let outside = |m: &&Region| ce <= m.p_lo || cs >= m.p_hi;
        if ce <= region.p_lo || pieces.iter().all(outside) {
            out.push(modification(
                c.bears_on.clone(),
                Some(c.text.clone()),
                None,
                None,
            ));
            continue;
        }
        let touching: Vec<usize> = (0..hunks.len())
            .filter(|&i| touches(hunks[i].p, (cs, ce)))
            .collect();
        if let Some(&first) = touching.first() {
            let (qa, qb) = touching.iter().fold((usize::MAX, 0), |(a, b), &i| {
                (a.min(hunks[i].q.0), b.max(hunks[i].q.1))
            });
            let found = quote(query, text, hunk_lines(query, (qa, qb), hunks[first].q.0));
            // The same clause with another link (a moved documentation page) is no change:
            // every differing word is part of a link, on both sides.
            let links_only = touching
                .iter()
                .all(|&i| only_link_words(&hunks[i], rf, query, text));
            if links_only
                && found
                    .as_deref()
                    .is_some_and(|f| contains_without_urls(f, &c.text))
            {
                touching.iter().for_each(|&i| used[i] = true);
                continue;
            }
            let line = query
                .toks
                .get(hunks[first].q.0.min(query.len().saturating_sub(1)))
                .map(|t| t.line as usize);
            out.push(modification(
                c.bears_on.clone(),
                Some(c.text.clone()),
                found,
                line,
            ));
            touching.iter().for_each(|&i| used[i] = true);
        }
    }
    for (i, h) in hunks.iter().enumerate().filter(|(i, _)| !used[*i]) {
        let notice = |t: &Tokens, original: &str, r: (usize, usize)| {
            on_copyright_lines(t, original, r) || copyright_words(t, r)
        };
        if notice(query, text, h.q) && notice(&rf.toks, &rf.original, h.p) {
            continue;
        }
        // A click-through acceptance sentence ("By clicking “I Accept” below ... you agree
        // to be bound by this Agreement") that a gated prompt leaves out changes no term.
        if h.q.0 == h.q.1 && is_acceptance(&rf.toks, h.p) {
            continue;
        }
        let words: Vec<&str> = (h.q.0..h.q.1)
            .map(|j| query.word(j))
            .chain((h.p.0..h.p.1).map(|j| rf.toks.word(j)))
            .collect();
        let expected = (h.p.0 < h.p.1)
            .then(|| quote(&rf.toks, &rf.original, hunk_lines(&rf.toks, h.p, h.p.0)))
            .flatten();
        let found = (h.q.0 < h.q.1)
            .then(|| quote(query, text, hunk_lines(query, h.q, h.q.0)))
            .flatten();
        // Only a link differs (the licensor moved a page): not a change of terms.
        if let (Some(e), Some(f)) = (&expected, &found) {
            if contains_without_urls(f, e) && contains_without_urls(e, f) {
                continue;
            }
        }
        // Inserted lines that state no terms (a page's "Official translations of this
        // license are available in other languages"), read by the same rules as a sentence
        // outside the text (terms::unexplained).
        if h.p.0 == h.p.1
            && found
                .as_deref()
                .is_some_and(|f| states_no_terms(query, h.q, f))
        {
            continue;
        }
        let line = query
            .toks
            .get(h.q.0.min(query.len().saturating_sub(1)))
            .map(|t| t.line as usize);
        let _ = i;
        out.push(modification(infer(&words), expected, found, line));
    }
    out
}

/// True when the query words `q`, inserted on `lines`, state no terms by the fail-closed
/// accounting's rules for a license file: neither alone nor as part of a sentence of
/// `lines` that states terms.
fn states_no_terms(query: &Tokens, (a, b): (usize, usize), lines: &str) -> bool {
    let unexplained =
        |s: &str| terms::unexplained(s, terms::Scope::Terms, &[], &|_| terms::Naming::None);
    let inserted: Vec<&str> = (a..b).map(|i| query.word(i)).collect();
    let hashes: Vec<u64> = (a..b).map(|i| query.toks[i].hash).collect();
    unexplained(&inserted.join(" ")).is_empty()
        && !unexplained(&markup::strip_tags(lines)).iter().any(|st| {
            tokenize(&st.text)
                .hashes()
                .windows(hashes.len())
                .any(|w| w == hashes.as_slice())
        })
}

/// True when every word a hunk inserts or deletes belongs to a link (`https://…`,
/// `www.…`) on its lines.
fn only_link_words(h: &Hunk, rf: &Ref, query: &Tokens, text: &str) -> bool {
    let link_words = |t: &Tokens, original: &str, (a, b): (usize, usize)| -> bool {
        if a >= b {
            return true;
        }
        let lines = quote(t, original, hunk_lines(t, (a, b), a)).unwrap_or_default();
        let links: Vec<String> = lines
            .split_whitespace()
            .filter(|w| w.contains("://") || w.contains("www."))
            .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        (a..b).all(|i| links.iter().any(|l| l == t.word(i)))
    };
    link_words(query, text, h.q) && link_words(&rf.toks, &rf.original, h.p)
}

/// True when `found`, links removed, holds `clause`, links removed (word for word).
fn contains_without_urls(found: &str, clause: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .filter(|w| !w.contains("://") && !w.starts_with("www."))
            .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (f, c) = (words(found), words(clause));
    !c.is_empty() && f.windows(c.len()).any(|w| w == c.as_slice())
}

/// True when the reference words of `range` are a click-through acceptance sentence.
fn is_acceptance(t: &Tokens, (a, b): (usize, usize)) -> bool {
    let words: Vec<&str> = (a..b).map(|i| t.word(i)).collect();
    let has = |w: &str| words.contains(&w);
    words.len() <= 60
        && has("agree")
        && has("bound")
        && (has("clicking") || has("using") || has("accept"))
}

/// True when every token of `range` sits on a copyright notice line (an empty range is).
/// Notices that are not on a line of their own are kept as words, so a changed holder or
/// year shows up as a difference; it is not a change of terms.
fn on_copyright_lines(t: &Tokens, text: &str, (a, b): (usize, usize)) -> bool {
    if a >= b {
        return true;
    }
    let lines: Vec<&str> = split_lines(text).collect();
    (a..b).all(|i| {
        let l = lines
            .get(t.toks[i].line as usize - 1)
            .map_or("", |l| l.trim_start());
        let l = l.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '©');
        l.starts_with('©')
            || l.get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("copyright"))
    })
}

/// True when the words of `range` are a copyright notice: "copyright" and a year (or a
/// `yyyy` / `year` placeholder) among the next three words.
fn copyright_words(t: &Tokens, (a, b): (usize, usize)) -> bool {
    let w: Vec<&str> = (a..b.min(a + 4)).map(|i| t.word(i)).collect();
    w.first() == Some(&"copyright")
        && w[1..].iter().any(|w| {
            *w == "yyyy" || *w == "year" || (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// A hunk touches a clause when it changes a token of it or inserts inside it.
fn touches(p: (usize, usize), c: (usize, usize)) -> bool {
    if p.0 == p.1 {
        p.0 > c.0 && p.0 < c.1
    } else {
        p.0 < c.1 && p.1 > c.0
    }
}

fn modification(
    bears_on: Vec<Decides>,
    expected: Option<String>,
    found: Option<String>,
    line: Option<usize>,
) -> Modification {
    Modification {
        bears_on,
        expected,
        found,
        line,
    }
}

/// The lines (1-based, inclusive) holding tokens `a..b`; for an empty range, the line of `at`.
fn hunk_lines(t: &Tokens, (a, b): (usize, usize), at: usize) -> Option<(usize, usize)> {
    let line = |i: usize| {
        t.toks
            .get(i.min(t.len().checked_sub(1)?))
            .map(|t| t.line as usize)
    };
    if a < b {
        Some((line(a)?, line(b - 1)?))
    } else {
        let l = line(at)?;
        Some((l, l))
    }
}

/// The text of lines `a..=b`, trimmed and capped for a report.
fn quote(_t: &Tokens, text: &str, lines: Option<(usize, usize)>) -> Option<String> {
    let (a, b) = lines?;
    let s: Vec<&str> = split_lines(text)
        .skip(a - 1)
        .take(b + 1 - a)
        .map(str::trim)
        .collect();
    let mut s = s.join("\n");
    if s.len() > 600 {
        let cut = (0..=600)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        s.truncate(cut);
        s.push('…');
    }
    Some(s)
}

/// What an inserted, deleted or changed passage bears on, from its words.
pub fn infer(words: &[&str]) -> Vec<Decides> {
    let has = |stems: &[&str]| words.iter().any(|w| stems.iter().any(|s| w.starts_with(s)));
    let mut out: Vec<Decides> = Vec::new();
    if has(&["million", "billion", "user", "revenue", "mau"])
        || words.iter().any(|w| w.bytes().all(|b| b.is_ascii_digit()))
    {
        out.extend([Decides::ScaleClause, Decides::CommercialUse]);
    }
    if has(&[
        "commerc", "revenue", "sell", "monetiz", "monetis", "profit", "paid",
    ]) {
        out.push(Decides::CommercialUse);
    }
    if has(&["distribut", "redistribut", "sublicens", "share"]) {
        out.push(Decides::Redistribution);
    }
    if has(&["modif", "derivativ", "fine", "adapt", "distill"]) {
        out.push(Decides::Derivatives);
    }
    if has(&["output", "train", "synthetic"]) {
        out.push(Decides::OutputTraining);
    }
    if out.is_empty() {
        out.extend(crate::matrix::Permission::ALL.map(Decides::from));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_follows_the_words() {
        assert_eq!(
            infer(&["not", "for", "commercial", "purposes"]),
            [Decides::CommercialUse]
        );
        assert_eq!(
            infer(&["7", "million"]),
            [Decides::CommercialUse, Decides::ScaleClause]
        );
        assert_eq!(
            infer(&["you", "may", "not", "fine", "tune"]),
            [Decides::Derivatives]
        );
        assert_eq!(infer(&["whatever"]).len(), 5);
    }

    #[test]
    fn touching_rules() {
        assert!(touches((5, 5), (3, 8)));
        assert!(!touches((3, 3), (3, 8)));
        assert!(touches((7, 9), (3, 8)));
        assert!(!touches((8, 9), (3, 8)));
    }
}
