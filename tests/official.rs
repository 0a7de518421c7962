//! Official texts as their licensors publish them (fixtures/official, provenance in its
//! SOURCES.md): Meta's Llama cards and Hub READMEs with the license in the gated prompt,
//! Google's Gemma cards, Creative Commons' own legal code, choosealicense.com's texts. Each
//! names its license, with no `modified-license` and no `added-terms`.

use crate::util::{codes, json, model, root};

/// (file, expected key) from fixtures/official/expected.tsv.
fn expected() -> Vec<(String, String)> {
    let tsv = std::fs::read_to_string(root().join("fixtures/official/expected.tsv")).unwrap();
    tsv.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, k)| (f.to_string(), k.to_string()))
        .collect()
}

#[test]
fn official_texts_name_their_license_without_false_alarms() {
    let cases = expected();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let paths: Vec<String> = cases
        .iter()
        .map(|(f, _)| format!("fixtures/official/{f}"))
        .collect();
    let mut args = vec!["scan", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let (report, _) = json(&args);
    let mut wrong = Vec::new();
    for (file, key) in &cases {
        let m = model(&report, file);
        let got = m["license"]["key"].as_str().unwrap_or("null");
        // Gemma cards carry no dated terms: any Gemma terms record is right.
        let right = got == key || (key == "gemma" && got.starts_with("gemma-20"));
        // A legal code web page (HTML) also carries the site's menus and footer ("Except
        // where otherwise noted, content on this site is licensed under ..."), which the
        // fail-closed accounting reads as added terms; the license text itself must match
        // unmodified.
        let page = file.ends_with(".html");
        let alarms: Vec<&str> = codes(m)
            .into_iter()
            .filter(|c| *c == "modified-license" || (*c == "added-terms" && !page))
            .collect();
        if !right || !alarms.is_empty() {
            wrong.push(format!("{file}: {got} {alarms:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
