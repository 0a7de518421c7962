//! Fail-closed accounting of license-bearing text: every sentence is explained by a matched
//! license text, is harmless boilerplate (copyright lines, titles, headings, links, "see
//! LICENSE"), names a license without restricting it, or is reported here.
//!
//! Words are compared after NFKC, with zero-width characters removed and every character
//! folded to its Unicode TS #39 confusable skeleton, so "соmmercial" with a Cyrillic `о` or
//! "ｎｏｎ-commercial" in full-width letters read as what they look like.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

use crate::identify::markup;
use crate::identify::normalize::split_lines;

/// How closely a text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A license file, policy file or License/Terms section: any sentence that states
    /// terms (normative words) and is not explained is reported.
    Terms,
    /// A README's License or Terms section: prose about the license, where a sentence is
    /// reported when it restricts or asks for more (a separate agreement, a registration,
    /// contacting the authors), not when it only describes the license.
    Section,
    /// A card body or gated prompt: only statements that restrict use (a restricting word
    /// next to a commercial, research or licensing word) are reported.
    Restrictions,
}

/// A sentence that states terms nothing else explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 1-based line (within the text given) where the sentence starts.
    pub line: usize,
    /// The sentence as written, whitespace collapsed.
    pub text: String,
    /// Folded words, for inferring what the sentence bears on.
    pub words: Vec<String>,
}

/// Folds text for comparison: NFKC, lowercase, zero-width and format characters removed,
/// and every non-ASCII character replaced by its confusable skeleton (Cyrillic `о` reads as
/// `o`), then lowercase again. ASCII stays as it is: the skeleton of `m` is `rn`, and the
/// word lists here are plain words.
pub fn fold(s: &str) -> String {
    // NFKC leaves ASCII as it is, and no invisible character is ASCII.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.nfkc().filter(|c| !is_invisible(*c)) {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(skeleton(c.encode_utf8(&mut buf)).flat_map(char::to_lowercase));
        }
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}' | '\u{180e}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Words that restrict: negations, limits, duties, fields of use.
const RESTRICTING: &[&str] = &[
    "not",
    "no",
    "non",
    "nor",
    "never",
    "without",
    "cannot",
    "can't",
    "only",
    "solely",
    "exclusively",
    "except",
    "unless",
    "prohibit",
    "prohibits",
    "prohibited",
    "forbid",
    "forbids",
    "forbidden",
    "restrict",
    "restricts",
    "restricted",
    "restriction",
    "restrictions",
    "require",
    "requires",
    "required",
    "requirement",
    "must",
    "shall",
    "separate",
    "paid",
    "fee",
    "fees",
    "noncommercial",
    "nc",
    "research",
    "academic",
    "personal",
    "evaluation",
    "internal",
    "proprietary",
    "revoke",
    "terminate",
    "limited",
    "disallowed",
    "banned",
    "contact",
    "apply",
    "application",
    "register",
    "registration",
    "approval",
    "consent",
    "written",
];

/// Words that state terms without restricting by themselves.
const NORMATIVE: &[&str] = &[
    "may",
    "commercial",
    "commercially",
    "permission",
    "permissions",
    "permit",
    "permits",
    "permitted",
    "allowed",
    "agreement",
    "agree",
    "terms",
    "conditions",
    "grant",
    "grants",
    "granted",
    "rights",
    "royalty",
    "revenue",
    "profit",
    "consent",
    "approval",
    "authorization",
    "authorisation",
    "obligation",
    "obligations",
    "liable",
    "production",
    "purposes",
];

/// Words that tie a restriction to commercial use or licensing (for
/// [`Scope::Restrictions`]).
const USE_WORDS: &[&str] = &[
    "commercial",
    "commercially",
    "noncommercial",
    "nc",
    "license",
    "licence",
    "licensed",
    "licensing",
    "licenses",
    "redistribute",
    "redistribution",
    "sell",
    "resale",
    "monetize",
    "monetization",
];

/// Fields of use that "only" limits ("for research purposes only", "personal use only").
const FIELDS: &[&str] = &["research", "academic", "personal", "evaluation", "internal"];

/// Restricting and normative phrases of scripts written without spaces.
const CJK_RESTRICTING: &[&str] = &[
    "禁止",
    "不得",
    "仅限",
    "仅供",
    "僅限",
    "僅供",
    "非商业",
    "非商業",
    "须",
    "須",
    "必须",
    "必須",
    "不可",
    "禁ずる",
    "禁止します",
    "のみ",
    "금지",
];
const CJK_NORMATIVE: &[&str] = &[
    "商业", "商業", "商用", "许可", "許可", "授权", "授權", "研究", "협약", "상업",
];

/// Reads `text` and returns the sentences that state terms no explanation covers.
/// `explained` holds 1-based inclusive line ranges covered by matched license texts;
/// `names` tells whether a folded sentence names a license and whether every license it
/// names forbids commercial use (a restriction that only restates such a license).
pub fn unexplained(
    text: &str,
    scope: Scope,
    explained: &[(usize, usize)],
    names: &dyn Fn(&str) -> Naming,
) -> Vec<Statement> {
    let mut out = Vec::new();
    for sentence in sentences(text, explained) {
        let folded = fold(&sentence.text);
        let words = words(&folded);
        if words.is_empty() {
            continue;
        }
        let restricting = words.iter().any(|w| RESTRICTING.contains(&w.as_str()))
            || (!folded.is_ascii() && CJK_RESTRICTING.iter().any(|p| folded.contains(p)));
        let normative = restricting
            || words.iter().any(|w| NORMATIVE.contains(&w.as_str()))
            || (!folded.is_ascii() && CJK_NORMATIVE.iter().any(|p| folded.contains(p)));
        if is_reserved_notice(&words)
            || is_lawful_use(&words)
            || is_disclaimer(&words)
            || (!restricting && is_pointer(&words))
        {
            continue;
        }
        let named_ok = |unnamed: bool| match names(&sentence.text) {
            Naming::None => unnamed,
            Naming::Some => restricting,
            Naming::OnlyNonCommercial => restricting && !only_restates(&words),
        };
        let report = match scope {
            Scope::Terms => normative && (restricting || !sentence.boilerplate) && named_ok(true),
            Scope::Section => restricting && !sentence.boilerplate && named_ok(true),
            Scope::Restrictions => {
                // A table row compares other models; a label of a few words is no statement.
                !sentence.table_row
                    && words.len() >= 4
                    && restricting
                    && restricts_use(&words)
                    && !matches!(names(&sentence.text), Naming::OnlyNonCommercial if only_restates(&words))
            }
        };
        if report {
            out.push(Statement {
                line: sentence.line,
                text: sentence.text,
                words,
            });
        }
    }
    out
}

/// What a sentence names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// No license.
    None,
    /// One or more licenses, some of which allow commercial use.
    Some,
    /// Only licenses that forbid commercial use.
    OnlyNonCommercial,
}

/// A restriction next to a non-commercial license that says no more than it does.
fn only_restates(words: &[String]) -> bool {
    const RESTATING: &[&str] = &[
        "not",
        "no",
        "non",
        "only",
        "noncommercial",
        "nc",
        "research",
        "academic",
        "solely",
        "exclusively",
        "commercial",
        "commercially",
        "prohibited",
        "forbidden",
        "purposes",
    ];
    words
        .iter()
        .filter(|w| RESTRICTING.contains(&w.as_str()))
        .all(|w| RESTATING.contains(&w.as_str()))
}

/// In a card body, a restriction of use: a limit word ("not", "only", "requires", ...)
/// within five words of a use word (commercial, license, research, production, ...), not
/// "no warranty" or "must install" or an acknowledgement that mentions a research cloud.
fn restricts_use(words: &[String]) -> bool {
    const LIMITS: &[&str] = &[
        "not",
        "no",
        "non",
        "only",
        "solely",
        "exclusively",
        "prohibited",
        "forbidden",
        "require",
        "requires",
        "required",
        "separate",
        "paid",
        "noncommercial",
        "nc",
        "cannot",
        "never",
        "without",
        "restricted",
    ];
    const WINDOW: usize = 5;
    let at = |set: &[&str]| -> Vec<usize> {
        words
            .iter()
            .enumerate()
            .filter(|(_, w)| set.contains(&w.as_str()))
            .map(|(i, _)| i)
            .collect()
    };
    let (limits, uses) = (at(LIMITS), at(USE_WORDS));
    let bound = limits
        .iter()
        .any(|&l| uses.iter().any(|&u| l.abs_diff(u) <= WINDOW));
    // "For research purposes only", "academic use only".
    let fields = at(FIELDS);
    let only = at(&["only", "solely", "exclusively"]);
    let field_only = only
        .iter()
        .any(|&o| fields.iter().any(|&f| o.abs_diff(f) <= 3));
    // "These weights are proprietary", "a proprietary license"; not "a proprietary
    // dataset" or "proprietary models" in a comparison.
    let proprietary = words.windows(2).any(|w| {
        (matches!(w[0].as_str(), "is" | "are") && w[1] == "proprietary")
            || (w[0] == "proprietary"
                && matches!(
                    w[1].as_str(),
                    "license" | "licence" | "terms" | "agreement" | "weights"
                ))
    });
    bound || field_only || proprietary
}

/// "You agree to comply with all applicable law": a duty every license implies.
fn is_lawful_use(words: &[String]) -> bool {
    const LIMITING: &[&str] = &[
        "commercial",
        "commercially",
        "noncommercial",
        "nc",
        "research",
        "only",
        "paid",
        "fee",
        "separate",
        "proprietary",
        "not",
        "no",
        "non",
        "academic",
        "personal",
        "internal",
    ];
    words
        .windows(2)
        .any(|w| w[0] == "applicable" && matches!(w[1].as_str(), "law" | "laws" | "regulations"))
        && !words.iter().any(|w| LIMITING.contains(&w.as_str()))
}

/// "No warranty", "does not constitute legal advice", "we are not responsible": a
/// disclaimer limits the licensor's duties, not the user's rights.
fn is_disclaimer(words: &[String]) -> bool {
    const DISCLAIMING: &[&str] = &[
        "warranty",
        "warranties",
        "advice",
        "liable",
        "liability",
        "responsible",
        "responsibility",
        "accountable",
        "guarantee",
        "guarantees",
    ];
    const USE: &[&str] = &[
        "commercial",
        "commercially",
        "noncommercial",
        "nc",
        "research",
        "only",
        "paid",
        "fee",
        "separate",
        "proprietary",
        "agreement",
        "prohibited",
        "permitted",
    ];
    words.iter().any(|w| DISCLAIMING.contains(&w.as_str()))
        && !words.iter().any(|w| USE.contains(&w.as_str()))
}

/// "All rights reserved", alone: a copyright notice's tail.
fn is_reserved_notice(words: &[String]) -> bool {
    words == ["all", "rights", "reserved"]
}

/// "See the LICENSE file", "the full license text is available at URL": a pointer to the
/// terms, not terms.
fn is_pointer(words: &[String]) -> bool {
    const VERBS: &[&str] = &[
        "see",
        "refer",
        "found",
        "available",
        "details",
        "consult",
        "read",
        "review",
        "visit",
        "view",
        "link",
        "original",
        "below",
        "following",
        "attached",
    ];
    const OBJECTS: &[&str] = &[
        "license",
        "licence",
        "licenses",
        "terms",
        "agreement",
        "policy",
    ];
    words.iter().any(|w| VERBS.contains(&w.as_str()))
        && words.iter().any(|w| OBJECTS.contains(&w.as_str()))
}

/// A sentence that points at the license's own prohibitions ("any use prohibited by the
/// Acceptable Use Policy and Llama 3 Community License", "must not go against the
/// provisions set in this license") adds no terms of its own, provided the licenses that
/// apply carry use restrictions themselves (the caller checks) and it asks for no payment
/// or separate agreement.
pub fn defers_to_license(words: &[String]) -> bool {
    const CONNECTORS: &[&[&str]] = &[
        &["prohibited", "by"],
        &["restricted", "by"],
        &["subject", "to"],
        &["governed", "by"],
        &["in", "accordance", "with"],
        &["pursuant", "to"],
        &["comply", "with"],
        &["compliance", "with"],
        &["violation", "of"],
        &["go", "against"],
        &["bound", "by"],
        &["provisions"],
        &["set", "forth", "in"],
    ];
    const NEW_TERMS: &[&str] = &[
        "separate",
        "paid",
        "fee",
        "fees",
        "proprietary",
        "noncommercial",
        "nc",
        "research",
        "academic",
        "personal",
        "evaluation",
        "internal",
    ];
    let has = |pat: &[&str]| words.windows(pat.len()).any(|w| w == pat);
    CONNECTORS.iter().any(|c| has(c))
        && !words.iter().any(|w| NEW_TERMS.contains(&w.as_str()))
        && !words.windows(2).any(|w| w == ["non", "commercial"])
}

/// The words of a folded sentence (letters, digits and apostrophes; `non-commercial` is
/// `non` and `commercial`).
pub fn words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// One sentence of prose with the line it starts on.
#[derive(Debug)]
struct Sentence {
    line: usize,
    text: String,
    /// A heading, a title line, a copyright line, a link or URL alone.
    boilerplate: bool,
    /// A row of a Markdown table.
    table_row: bool,
}

/// Splits text into sentences: paragraphs (blank lines, headings, list items, table rows
/// and code fences break them), then `.`, `;`, `!`, `?` and `。` followed by a space.
/// Lines inside `explained` and inside code fences are skipped.
fn sentences(text: &str, explained: &[(usize, usize)]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut para: Vec<(usize, String)> = Vec::new();
    let mut in_fence = false;
    let flush = |para: &mut Vec<(usize, String)>, out: &mut Vec<Sentence>| {
        split_paragraph(std::mem::take(para), out);
    };
    for (i, raw) in split_lines(text).enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            flush(&mut para, &mut out);
            in_fence = !in_fence;
            continue;
        }
        if in_fence || explained.iter().any(|&(a, b)| (a..=b).contains(&line_no)) {
            flush(&mut para, &mut out);
            continue;
        }
        let stripped = markup::strip_tags(trimmed);
        let clean = markup::clean_line(&stripped).trim().to_string();
        if clean.chars().all(|c| !c.is_alphanumeric()) {
            flush(&mut para, &mut out);
            continue;
        }
        let heading = trimmed.starts_with('#') || is_title(&clean);
        let item = trimmed.starts_with(['-', '*', '+', '|', '>'])
            || trimmed.split_once(['.', ')']).is_some_and(|(n, _)| {
                !n.is_empty() && n.len() < 4 && n.bytes().all(|b| b.is_ascii_digit())
            });
        if heading || is_boilerplate_line(trimmed, &clean) {
            flush(&mut para, &mut out);
            out.push(Sentence {
                line: line_no,
                text: collapse(&clean),
                boilerplate: true,
                table_row: false,
            });
            continue;
        }
        if trimmed.starts_with('|') {
            flush(&mut para, &mut out);
            out.push(Sentence {
                line: line_no,
                text: collapse(&clean),
                boilerplate: false,
                table_row: true,
            });
            continue;
        }
        if item {
            flush(&mut para, &mut out);
        }
        para.push((line_no, clean));
    }
    flush(&mut para, &mut out);
    out
}

fn split_paragraph(para: Vec<(usize, String)>, out: &mut Vec<Sentence>) {
    let mut current = String::new();
    let mut start = None;
    for (line, text) in para {
        let mut rest = text.as_str();
        loop {
            if rest.trim().is_empty() {
                if !current.is_empty() {
                    current.push(' ');
                }
                break;
            }
            if start.is_none() {
                start = Some(line);
            }
            // A sentence ends at its mark, after any closing quotes or brackets
            // ("… the “Licensor.” The text …").
            let cut = rest.char_indices().find_map(|(i, c)| {
                if matches!(c, '。' | '；' | '！' | '？') {
                    return Some(i + c.len_utf8());
                }
                if !matches!(c, '.' | ';' | '!' | '?') {
                    return None;
                }
                let after = &rest[i + 1..];
                let closed = after.trim_start_matches(['"', '\'', '”', '’', ')', ']']);
                let end = rest.len() - closed.len();
                (closed.is_empty() || closed.starts_with(char::is_whitespace)).then_some(end)
            });
            match cut {
                Some(end) => {
                    current.push_str(&rest[..end]);
                    out.push(Sentence {
                        line: start.take().unwrap_or(line),
                        text: collapse(&current),
                        boilerplate: false,
                        table_row: false,
                    });
                    current.clear();
                    rest = &rest[end..];
                }
                None => {
                    current.push_str(rest);
                    current.push(' ');
                    break;
                }
            }
        }
    }
    if !current.trim().is_empty() {
        out.push(Sentence {
            line: start.unwrap_or(1),
            text: collapse(&current),
            boilerplate: false,
            table_row: false,
        });
    }
}

/// A short line in capitals or title case with no sentence punctuation: a document title.
fn is_title(clean: &str) -> bool {
    let words: Vec<&str> = clean.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 12
        && !clean.ends_with(['.', ';', ':', ','])
        && words.iter().all(|w| {
            let first = w.chars().find(|c| c.is_alphabetic());
            first.is_none_or(|c| c.is_uppercase())
                || matches!(
                    *w,
                    "of" | "and" | "for" | "the" | "a" | "an" | "in" | "on" | "to"
                )
        })
}

/// Copyright lines, a lone URL or link, "All rights reserved".
fn is_boilerplate_line(raw: &str, clean: &str) -> bool {
    let lower = clean.to_lowercase();
    let lower = lower.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '©');
    lower.starts_with("copyright")
        || lower.starts_with('©')
        || lower.starts_with("(c) ")
        || lower == "all rights reserved."
        || lower == "all rights reserved"
        || (!clean.contains(' ') && (clean.contains("://") || raw.contains("](")))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Naming {
        Naming::None
    }

    fn lines(found: &[Statement]) -> Vec<usize> {
        found.iter().map(|s| s.line).collect()
    }

    #[test]
    fn confusables_and_invisible_characters_fold() {
        assert_eq!(fold("соmmercial"), fold("commercial"));
        assert_eq!(fold("ｎｏｎ"), fold("non"));
        assert_eq!(fold("non\u{200b}commercial"), fold("noncommercial"));
        assert!(words(&fold("NON-COMMERCIAL")).contains(&"non".to_string()));
    }

    #[test]
    fn terms_outside_the_match_are_reported_and_boilerplate_is_not() {
        let text = "MIT License\n\nCopyright (c) 2024 X\n\nbody\nbody\n\n# Additional Terms\n\nNon-commercial use only.\nSee https://example.com\n";
        let found = unexplained(text, Scope::Terms, &[(5, 6)], &none);
        assert_eq!(lines(&found), [10]);
    }

    #[test]
    fn a_sentence_naming_a_license_is_explained_unless_it_restricts() {
        let names = |s: &str| {
            if s.contains("mit") {
                Naming::Some
            } else {
                Naming::None
            }
        };
        let text = "This model is licensed under the MIT license.\nThe code is MIT. The weights require a separate commercial agreement.\nMIT, but no commercial use.\n";
        let found = unexplained(text, Scope::Terms, &[], &names);
        assert_eq!(lines(&found), [2, 3]);
        assert!(found[0].text.starts_with("The weights"));
    }

    #[test]
    fn card_bodies_report_restrictions_of_use_only() {
        let text = "You must install transformers.\nNo warranty is given.\nThe weights are for research purposes only.\n```\nnot commercial\n```\n";
        let found = unexplained(text, Scope::Restrictions, &[], &none);
        assert_eq!(lines(&found), [3]);
    }

    #[test]
    fn cjk_restrictions_are_read() {
        let found = unexplained("本模型禁止商业使用。\n", Scope::Terms, &[], &none);
        assert_eq!(found.len(), 1);
    }
}
