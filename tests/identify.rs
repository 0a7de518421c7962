//! License-text identification against the whole license-db: self-identification, versions,
//! clause check, multi-license files, names, and the generated corpus.

#[path = "../benches/corpus.rs"]
mod corpus;

use model_license::identify::{Identification, Identifier, MatchKind};
use model_license::matrix::Status;
use model_license::source::{Document, Model, TargetKind};
use model_license::verdict::{judge, Verdict};
use model_license::{Code, Db, SourceKind};

use corpus::Expect;

fn setup() -> (Db, Identifier) {
    let db = Db::embedded().expect("embedded db");
    let id = Identifier::new(&db);
    (db, id)
}

fn text_of<'a>(db: &'a Db, key: &str) -> &'a str {
    let l = db.get(key).unwrap_or_else(|| panic!("{key} in db"));
    db.text(&l.texts[0]).expect("text")
}

fn keys(r: &Identification) -> Vec<&str> {
    r.matches.iter().map(|m| m.key.as_str()).collect()
}

#[test]
fn every_reference_text_identifies_as_its_own_record() {
    let (db, id) = setup();
    let mut bad = Vec::new();
    for l in db.licenses() {
        for t in &l.texts {
            let r = id.identify(db.text(t).expect("text"));
            let ok = r.matches.len() == 1
                && r.matches[0].key == l.key
                && r.matches[0].confidence >= 0.99
                && r.matches[0].modifications.is_empty();
            if !ok {
                bad.push(format!("{} ({t}): {:?} {:?}", l.key, keys(&r), r.candidate));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn every_decisive_clause_and_marker_is_in_a_reference_text() {
    let (db, _) = setup();
    let mut bad = Vec::new();
    for l in db.licenses().filter(|l| !l.texts.is_empty()) {
        let texts: Vec<&str> = l.texts.iter().filter_map(|t| db.text(t)).collect();
        let phrases = l.decisive_clauses.iter().map(|c| &c.text).chain(&l.markers);
        // A marker that is a copyright line normalises to nothing (notices are skipped) and
        // cannot mark anything; the identifier ignores it.
        for p in phrases.filter(|p| !model_license::identify::normalize::tokenize(p).is_empty()) {
            if !texts.iter().any(|t| corpus::contains(t, p)) {
                bad.push(format!("{}: {p:?}", l.key));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

const SIBLINGS: &[&[&str]] = &[
    &["llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"],
    &["gemma-2024-02-21", "gemma-2024-04-01", "gemma-2025-03-24"],
    &[
        "qwen-2024",
        "qwen-research-2024",
        "tongyi-qianwen-2023",
        "tongyi-qianwen-research-2023",
    ],
];

#[test]
fn versions_are_told_apart_even_rewrapped() {
    let (db, id) = setup();
    for family in SIBLINGS {
        for key in family.iter().filter(|k| db.get(k).is_some()) {
            let text = corpus::rewrap(text_of(&db, key), 60);
            let r = id.identify(&text);
            assert_eq!(keys(&r), [*key], "{key}: {r:?}");
            assert!(
                r.matches[0].modifications.is_empty(),
                "{key}: {:?}",
                r.matches[0].modifications
            );
        }
    }
}

#[test]
fn a_family_text_without_its_markers_gets_no_version() {
    let (db, id) = setup();
    for key in [
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "qwen-2024",
        "qwen-research-2024",
    ] {
        let l = db.get(key).expect("record");
        let mut text = text_of(&db, key).to_string();
        for m in &l.markers {
            text = text.replace(m.as_str(), "");
        }
        // The Markdown 3.3 file escapes the URL path; strip that spelling too.
        text = text.replace("llama3\\_3/use-policy", "");
        if l.markers.iter().any(|m| corpus::contains(&text, m)) {
            continue;
        }
        let r = id.identify(&text);
        assert!(
            r.matches.iter().all(|m| m.kind == MatchKind::Notice),
            "{key}: {r:?}"
        );
        let c = r.candidate.expect("a candidate");
        assert!(c.score < 0.9, "{key}: {c:?}");
    }
}

#[test]
fn clause_check_catches_scale_insertions_and_removed_grants() {
    let (db, id) = setup();
    let llama = text_of(&db, "llama3.1");
    let scale = llama.replacen("700 million", "7 million", 1);
    let r = id.identify(&scale);
    assert_eq!(keys(&r), ["llama3.1"]);
    let m = &r.matches[0].modifications;
    assert!(
        m.iter().any(|m| m
            .bears_on
            .contains(&model_license::matrix::Decides::ScaleClause)),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|m| m.found.as_deref().is_some_and(|f| f.contains("7 million"))),
        "{m:?}"
    );

    let nc = llama.replacen(
        "ii. If you receive",
        "v. You may not use the Llama Materials for commercial purposes.\n\nii. If you receive",
        1,
    );
    let r = id.identify(&nc);
    assert_eq!(keys(&r), ["llama3.1"]);
    let m = &r.matches[0].modifications;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(
        m[0].bears_on,
        [model_license::matrix::Decides::CommercialUse]
    );
    assert!(
        m[0].expected.is_none()
            && m[0]
                .found
                .as_deref()
                .unwrap_or("")
                .contains("commercial purposes")
    );

    let mit = text_of(&db, "mit");
    // An MIT text with its grant cut: named MIT with the edit reported, or (now that several
    // modified-MIT siblings share its body) refused with a candidate; never plain MIT.
    let r = id.identify(&mit.replacen("modify, merge, ", "", 1));
    match keys(&r).as_slice() {
        [] => assert!(r.candidate.is_some(), "{r:?}"),
        ["mit"] => assert!(!r.matches[0].modifications.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bilingual_text_in_either_order_is_one_match_and_its_edits_still_show() {
    let (db, id) = setup();
    let text = text_of(&db, "yi-license-1.0");
    let cut = text.find("许可").expect("the Chinese half");
    let cut = text[..cut].rfind('\n').expect("a line start");
    let (en, zh) = text.split_at(cut);
    let swapped = format!("{}\n\n{}\n", zh.trim(), en.trim());
    let r = id.identify(&swapped);
    assert_eq!(keys(&r), ["yi-license-1.0"], "{r:?}");
    assert!(
        !r.matches[0].truncated && r.matches[0].modifications.is_empty(),
        "{r:?}"
    );
    // A decisive clause taken out of the half that comes second is still reported.
    let clause = db
        .get("yi-license-1.0")
        .expect("record")
        .decisive_clauses
        .iter()
        .map(|c| c.text.clone())
        .find(|c| swapped.contains(c.as_str()))
        .expect("a clause written on one line");
    let r = id.identify(&swapped.replacen(&clause, "", 1));
    let flagged = r
        .matches
        .iter()
        .any(|m| m.key == "yi-license-1.0" && (!m.modifications.is_empty() || m.truncated));
    assert!(flagged || r.matches.is_empty(), "{r:?}");
    // A sentence put between the halves keeps them apart: no whole, unmodified match.
    let inserted = format!(
        "{}\n\nYou may not use the Yi Series Models for commercial purposes.\n\n{}\n",
        zh.trim(),
        en.trim()
    );
    let r = id.identify(&inserted);
    assert!(
        r.matches
            .iter()
            .all(|m| m.truncated || !m.modifications.is_empty()),
        "{r:?}"
    );
}

#[test]
fn every_license_in_a_file_is_found_with_its_lines() {
    let (db, id) = setup();
    let (a, b) = (text_of(&db, "llama3.1"), text_of(&db, "apache-2.0"));
    let text = format!("{a}\n\n{}\n\n{b}", text_of(&db, "llama3.1-aup"));
    let r = id.identify(&text);
    assert_eq!(
        keys(&r),
        ["llama3.1", "llama3.1-aup", "apache-2.0"],
        "{r:?}"
    );
    let la = a.lines().count();
    assert!(
        r.matches[0].start_line == 1 && r.matches[0].end_line <= la + 1,
        "{:?}",
        r.matches[0]
    );
    assert!(r.matches[2].start_line > la && r.matches[2].end_line <= text.lines().count());
    assert!(r.matches.iter().all(|m| m.modifications.is_empty()));
}

#[test]
fn unrelated_text_is_not_a_license() {
    let (_, id) = setup();
    for t in ["", "fn main() {}", "# Model\n\nA model.", "\u{0}\u{1}\u{2}"] {
        assert!(id.identify(t).matches.is_empty());
    }
}

#[test]
fn names_map_to_keys() {
    let (db, id) = setup();
    for (s, key) in [
        ("Llama 3.1 Community License", "llama3.1"),
        ("llama-3.1", "llama3.1"),
        ("CC BY-NC 4.0", "cc-by-nc-4.0"),
        ("apache 2", "apache-2.0"),
        ("Apache License, Version 2.0", "apache-2.0"),
        (
            "Creative Commons Attribution-NonCommercial 4.0 International",
            "cc-by-nc-4.0",
        ),
    ] {
        assert_eq!(id.name(&db, s).as_deref(), Some(key), "{s}");
    }
    // Names resolve by equality, never by containment: a longer phrase that holds a known
    // name is not that license.
    for s in [
        "other",
        "",
        "a license",
        "released under the MIT license",
        "mit-nc",
        "apache-2.0-noncommercial",
        "mit but no commercial use",
        "Not MIT: a research license",
        "Apache 2.0 + Commons Clause",
        "Meta-Llama License",
        "openai",
        "gemini",
    ] {
        assert_eq!(id.name(&db, s), None, "{s}");
    }
}

/// The verdict on a folder whose only file is a LICENSE holding `text`.
fn judged(db: &Db, id: &Identifier, text: &str) -> Verdict {
    let mut model = Model::new("case", TargetKind::Directory);
    model.documents.push(Document {
        source: SourceKind::LicenseFile,
        path: "LICENSE".into(),
        text: text.to_string(),
        first_line: 1,
        truncated: false,
    });
    judge(db, id, model)
}

/// True when the verdict reports an edited clause or added terms.
fn flagged(v: &Verdict) -> bool {
    v.findings
        .iter()
        .any(|f| matches!(f.code, Code::ModifiedLicense | Code::AddedTerms))
}

/// True when the answer is right for the case. A modified text may also be refused (no
/// match, the right candidate): that is a safe answer. A change is seen either by the
/// clause check inside the match or by the verdict's accounting of the text around it.
fn correct(case: &corpus::Case, r: &Identification, v: &Verdict) -> bool {
    let full: Vec<_> = r
        .matches
        .iter()
        .filter(|m| m.kind == MatchKind::FullText)
        .collect();
    match &case.expect {
        Expect::Key {
            key,
            also,
            modified,
        } => {
            if *modified == Some(true) && full.is_empty() {
                return r.candidate.as_ref().is_some_and(|c| &c.key == key);
            }
            let Some(m) = full.iter().find(|m| &m.key == key) else {
                return false;
            };
            let others_ok = full
                .iter()
                .all(|m| &m.key == key || Some(&m.key) == also.as_ref());
            let also_ok = also
                .as_ref()
                .is_none_or(|a| full.iter().any(|m| &m.key == a));
            let changed = !m.modifications.is_empty() || flagged(v);
            let mods_ok = modified.is_none_or(|x| changed == x);
            others_ok && also_ok && mods_ok
        }
        Expect::Notice(key) => r
            .matches
            .iter()
            .any(|m| m.kind == MatchKind::Notice && &m.key == key),
        Expect::NotIdentified => full.iter().all(|m| !m.modifications.is_empty()),
        Expect::Pointer(key) => v.license.as_ref().is_some_and(|l| &l.key == key),
    }
}

/// A verdict that reads "commercial use is fine" when the truth is otherwise: the true
/// license does not permit it, or the text was modified and nothing said so, or it is not
/// a db license at all.
fn false_permissive(db: &Db, case: &corpus::Case, v: &Verdict) -> bool {
    let forbids = |key: &str| {
        db.get(key)
            .is_some_and(|l| !permits(l.matrix.commercial_use.status))
    };
    let wrong = match &case.expect {
        Expect::Key {
            key,
            also,
            modified,
        } => {
            (*modified == Some(true) && !flagged(v))
                || (forbids(key) && also.as_deref().is_none_or(forbids))
        }
        Expect::Notice(key) | Expect::Pointer(key) => forbids(key),
        Expect::NotIdentified => true,
    };
    permits(v.matrix.commercial_use.status) && wrong
}

fn permits(s: Status) -> bool {
    matches!(s, Status::Allowed | Status::Conditional)
}

#[test]
fn generated_corpus_is_identified_accurately_and_never_falsely_permissive() {
    let (db, id) = setup();
    let cases = corpus::generate(&db);
    assert!(cases.len() > 500, "{} cases", cases.len());
    let mut wrong = Vec::new();
    let mut permissive = Vec::new();
    for c in &cases {
        let r = id.identify(&c.text);
        let v = judged(&db, &id, &c.text);
        if !correct(c, &r, &v) {
            wrong.push(format!(
                "{}: {:?} {:?}",
                c.name,
                r.matches
                    .iter()
                    .map(|m| (&m.key, m.confidence, m.modifications.len(), m.truncated))
                    .collect::<Vec<_>>(),
                r.candidate
            ));
        }
        if false_permissive(&db, c, &v) {
            permissive.push(c.name.clone());
        }
    }
    let accuracy = 1.0 - wrong.len() as f64 / cases.len() as f64;
    // The figure and every miss, for `cargo test -- --nocapture`.
    #[allow(clippy::print_stdout)]
    {
        println!("generated corpus: {accuracy:.4} over {} cases", cases.len());
        for w in &wrong {
            println!("  miss {w}");
        }
    }
    assert!(
        permissive.is_empty(),
        "false-permissive answers: {permissive:#?}"
    );
    assert!(
        accuracy >= 0.99,
        "accuracy {accuracy:.4} over {} cases; wrong: {wrong:#?}",
        cases.len()
    );
}

#[test]
fn the_mit_body_without_title_or_copyright_is_mit() {
    let (db, id) = setup();
    let mit = text_of(&db, "mit");
    let body = &mit[mit.find("Permission is hereby granted").expect("MIT grant")..];
    let r = id.identify(body);
    assert_eq!(keys(&r), ["mit"], "{r:?}");
    assert!(r.matches[0].modifications.is_empty(), "{r:?}");
}
