//! Fail closed: hostile folders never read as "commercial use allowed", and `check` with
//! the `init` starter policy fails each of them; open-weights folders and cards that merely
//! mention a company keep their real license.
//!
//! Every case is a folder built here; the texts of licenses come from license-db.

use std::fs;
use std::path::Path;

use model_license::identify::Identifier;
use model_license::matrix::Status;
use model_license::source::{Document, Model, TargetKind};
use model_license::verdict::judge;
use model_license::{Db, SourceKind};

use crate::util::{json, license_text, model, run_in, status};

/// One hostile case: a folder name and its files.
struct Case {
    name: String,
    files: Vec<(String, String)>,
}

fn case(name: &str, files: &[(&str, &str)]) -> Case {
    Case {
        name: name.to_string(),
        files: files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
    }
}

fn card(front: &str, body: &str) -> String {
    format!("---\n{front}\n---\n# Model\n\n{body}\n")
}

/// Sentences that restrict what a permissive text grants, in several phrasings and scripts.
const RESTRICTING: &[&str] = &[
    "Non-commercial use only.",
    "For non-commercial use only.",
    "Not for commercial use.",
    "Commercial use is prohibited.",
    "Commercial use is not permitted.",
    "The weights may not be used commercially.",
    "You may not use the model for commercial purposes.",
    "For-profit use requires a separate paid license.",
    "Commercial use requires written permission from the authors.",
    "Commercial use requires a separate agreement with us.",
    "Contact us for a commercial license.",
    "This model may only be used for academic research.",
    "Research use only.",
    "For research purposes only.",
    "Internal use only.",
    "Personal use only.",
    "Evaluation only; no production use.",
    "Licensed for non-production evaluation only.",
    "You may not sell this model or its outputs.",
    "Use by companies with revenue over USD 1 million requires a license.",
    "The model weights are proprietary.",
    "Redistribution of the weights is prohibited.",
    "You must not use the outputs to train other models.",
    "Use is restricted to members of ACME Corp.",
    "No use by for-profit entities.",
    "Nоn-cоmmercial use only.",
    "ｎｏｎ－ｃｏｍｍｅｒｃｉａｌ use only.",
    "non\u{200b}commercial use only.",
    "NON-COMMERCIAL USE ONLY",
    "本模型仅限非商业用途。",
    "商业使用须获得书面许可。",
    "The licensor may revoke this license at any time.",
];

/// Every hostile case, by class.
fn hostile_cases() -> Vec<Case> {
    let mit = license_text("mit");
    let apache = license_text("apache-2.0");
    let bsd3 = license_text("bsd-3-clause");
    let nc = license_text("cc-by-nc-4.0");
    let mut cases = Vec::new();
    // 1. Declared ids match exactly, never by containment.
    for (i, id) in [
        "mit-nc",
        "apache-2.0-noncommercial",
        "\"mit but no commercial use\"",
        "\"MIT (non-commercial)\"",
        "\"apache-2.0 for research only\"",
        "cc-by-4.0-nc",
        "mit-research",
        "\"MIT + Commons Clause\"",
        "bsd-3-clause-no-commercial",
        "gpl-3.0-noncommercial",
        "\"cc-by-4.0 (no commercial use)\"",
    ]
    .iter()
    .enumerate()
    {
        let readme = card(&format!("license: {id}"), "A model.");
        cases.push(case(&format!("declared-{i}"), &[("README.md", &readme)]));
    }
    // 2. `other` with a license_name that names no record.
    for (i, name) in [
        "Apache 2.0 + Commons Clause",
        "Not MIT: a research license",
        "my-noncommercial-license",
        "MIT (modified: no commercial use)",
        "Apache-2.0 with a non-commercial rider",
    ]
    .iter()
    .enumerate()
    {
        let readme = card(&format!("license: other\nlicense_name: \"{name}\""), "");
        cases.push(case(&format!("other-{i}"), &[("README.md", &readme)]));
    }
    // 3. A list with one unresolved item: the known item does not settle the model.
    for (i, front) in [
        "license:\n- apache-2.0\n- other\nlicense_name: my-noncommercial-license",
        "license: [mit, acme-nc]",
        "license: [apache-2.0, custom-research]",
        "license: mit\nlicense_name: acme-private-license",
        "license: mit\ntags:\n- license:acme-nc",
    ]
    .iter()
    .enumerate()
    {
        let readme = card(front, "");
        cases.push(case(&format!("list-{i}"), &[("README.md", &readme)]));
    }
    // 4. A permissive text with terms added after, before, far below, under a heading.
    let added: [(&str, String); 8] = [
        (
            "heading",
            format!("{mit}\n\n# Additional Terms\n\nNon-commercial use only.\n"),
        ),
        (
            "below",
            format!("{mit}\n\n\n\n\nNon-commercial use only.\n"),
        ),
        ("above", format!("Non-commercial use only.\n\n{mit}")),
        (
            "addendum",
            format!("{mit}\n\nADDENDUM\n\nFor-profit use requires a separate paid license.\n"),
        ),
        (
            "apache",
            format!("{apache}\n\nThe weights may not be used commercially.\n"),
        ),
        ("bsd", format!("{bsd3}\n\nCommercial use is prohibited.\n")),
        (
            "far-below",
            format!(
                "{mit}\n{}\nCommercial use requires a separate agreement.\n",
                "\n".repeat(200)
            ),
        ),
        ("cjk", format!("{mit}\n\n本模型仅限非商业用途。\n")),
    ];
    for (name, text) in &added {
        cases.push(case(&format!("text-{name}"), &[("LICENSE", text)]));
    }
    for (i, sentence) in RESTRICTING.iter().enumerate().step_by(2) {
        let text = format!("{mit}\n\n{sentence}\n");
        cases.push(case(&format!("phrase-{i}"), &[("LICENSE", &text)]));
    }
    // 5. READMEs: restrictive statements in License sections or anywhere in the body.
    for (i, readme) in [
        "# Model\n\n## License\n\nThe code is MIT. The weights require a separate commercial agreement.\n".to_string(),
        "# Model\n\n## License\n\nApache 2.0. Commercial use is prohibited.\n".to_string(),
        "# Model\n\n## Licensing\n\nMIT for the code; the model weights are proprietary.\n".to_string(),
        "# Model\n\n## License\n\nFree for research. Contact us for commercial licensing.\n".to_string(),
        card("license: apache-2.0", "These weights are proprietary and may not be used commercially."),
        card("license: mit", "## Usage\n\nCommercial use is prohibited without a separate agreement."),
        card("license: apache-2.0", "## Terms of use\n\nResearch use only."),
    ]
    .iter()
    .enumerate()
    {
        cases.push(case(&format!("readme-{i}"), &[("README.md", readme)]));
    }
    // 6. Every license-like file is read, and one that cannot be read is not ignored.
    let apache_card = card("license: apache-2.0", "");
    for (i, (path, text)) in [
        ("MODEL_LICENSE", nc.clone()),
        ("LICENSES/CC-BY-NC-4.0.txt", nc.clone()),
        ("WEIGHTS_LICENSE", nc.clone()),
        ("LICENSE_MODEL.txt", nc.clone()),
        ("EULA.md", "Non-commercial use only.\n".to_string()),
        (
            "TERMS_OF_USE.md",
            "The model is provided for research purposes only.\n".to_string(),
        ),
        ("LICENSE.pdf", "%PDF-1.7 binary".to_string()),
    ]
    .into_iter()
    .enumerate()
    {
        cases.push(case(
            &format!("file-{i}"),
            &[("README.md", &apache_card), (path, &text)],
        ));
    }
    // 7. Malformed metadata keeps every item and fails closed.
    for (i, front) in [
        "license_name: mit\nlicense:\n  - cc-by-nc-4.0\n  bad: [",
        "license: [mit, cc-by-nc-4.0\n",
        "license: mit\n: : bad",
    ]
    .iter()
    .enumerate()
    {
        let readme = card(front, "");
        cases.push(case(&format!("malformed-{i}"), &[("README.md", &readme)]));
    }
    // 8. A known text plus a clause is not that text (the NTU S-Lab pattern).
    let slab = bsd3.replacen(
        "THIS SOFTWARE IS PROVIDED",
        "4. In the event that redistribution and/or use for commercial purpose in source or binary forms, with or without modification is required, please contact the contributor(s) of the work.\n\nTHIS SOFTWARE IS PROVIDED",
        1,
    );
    cases.push(case("s-lab", &[("LICENSE", &slab)]));
    // 9. A declared non-commercial id is never replaced by a looser mention.
    for (i, (id, said)) in [
        ("cc-by-nc-sa-4.0", "CC BY-SA 4.0"),
        ("cc-by-nc-4.0", "CC BY 4.0"),
    ]
    .iter()
    .enumerate()
    {
        let readme = card(
            &format!("license: {id}"),
            &format!("## License\n\nThis model is licensed under {said}."),
        );
        cases.push(case(&format!("refine-{i}"), &[("README.md", &readme)]));
    }
    cases
}

fn write(root: &Path, case: &Case) {
    for (path, text) in &case.files {
        let p = root.join(&case.name).join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

#[test]
fn hostile_folders_never_read_as_commercial_use_allowed() {
    let cases = hostile_cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    for c in &cases {
        write(dir.path(), c);
    }
    let (report, _) = json(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    let mut wrong = Vec::new();
    for c in &cases {
        let m = model(&report, &format!("/{}", c.name));
        let commercial = status(m, "commercial_use");
        if !matches!(commercial, "unknown" | "forbidden") {
            wrong.push(format!("{}: commercial {commercial}: {m:#}", c.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn the_starter_policy_fails_every_hostile_folder() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["init"]).status.code(), Some(0));
    let mut passed = Vec::new();
    for c in hostile_cases() {
        write(dir.path(), &c);
        let out = run_in(dir.path(), &["check", &c.name, "--color", "never"]);
        if out.status.code() != Some(1) {
            passed.push(format!("{} (exit {:?})", c.name, out.status.code()));
        }
    }
    assert!(passed.is_empty(), "the gate let these through: {passed:?}");
}

#[test]
fn open_weights_and_company_mentions_keep_their_real_license() {
    let dir = tempfile::tempdir().unwrap();
    let apache = license_text("apache-2.0");
    let gpt_oss_policy = "We aim for our tools to be used safely, responsibly, and democratically, while maximizing your control over how you use them. By using OpenAI gpt-oss-120b and gpt-oss-20b, you agree to comply with all applicable law.";
    let cases = [
        case(
            "gpt-oss",
            &[
                ("LICENSE", &apache),
                ("USAGE_POLICY", gpt_oss_policy),
                ("README.md", &card("license: apache-2.0", "Welcome to the gpt-oss series, OpenAI's open-weight models.")),
            ],
        ),
        case(
            "grok-1",
            &[
                ("LICENSE.txt", &apache),
                ("README.md", &card("license: apache-2.0", "# Grok-1\n\nThe weights of Grok-1, released by xAI.")),
            ],
        ),
        case(
            "gpt2",
            &[(
                "README.md",
                &card(
                    "license: mit",
                    "GPT-2 by OpenAI. See the [Modified MIT License](https://github.com/openai/gpt-2/blob/master/LICENSE).",
                ),
            )],
        ),
        case(
            "distil-whisper",
            &[(
                "README.md",
                &card("license: mit", "Distil-Whisper is distilled from OpenAI's Whisper. It is compared with Gemini and Claude."),
            )],
        ),
        case(
            "gemma",
            &[(
                "README.md",
                &card("license: gemma", "**Terms of Use**: [Terms](https://ai.google.dev/gemma/terms)\n\nGemma is a family of models from Google."),
            )],
        ),
    ];
    for c in &cases {
        write(dir.path(), c);
    }
    let (report, _) = json(&["scan", dir.path().to_str().unwrap(), "--format", "json"]);
    for (name, key) in [
        ("gpt-oss", "apache-2.0"),
        ("grok-1", "apache-2.0"),
        ("gpt2", "mit"),
        ("distil-whisper", "mit"),
    ] {
        let m = model(&report, &format!("/{name}"));
        assert_eq!(m["license"]["key"], key, "{name}: {m:#}");
        assert_eq!(m["licenses"], serde_json::json!([key]), "{name}: {m:#}");
        assert_eq!(status(m, "self_hosting"), "allowed", "{name}: {m:#}");
        assert_eq!(status(m, "commercial_use"), "allowed", "{name}: {m:#}");
    }
    let gemma = model(&report, "/gemma");
    assert!(
        gemma["license"]["key"]
            .as_str()
            .unwrap()
            .starts_with("gemma"),
        "{gemma:#}"
    );
    assert_ne!(status(gemma, "self_hosting"), "forbidden", "{gemma:#}");
}

/// Appending or prepending any restricting sentence to any permissive text of license-db
/// never leaves commercial use allowed or conditional.
#[test]
fn restricting_sentences_around_any_permissive_text_never_read_as_allowed() {
    let db = Db::embedded().unwrap();
    let id = Identifier::new(&db);
    assert!(RESTRICTING.len() >= 30);
    let permissive: Vec<&str> = db
        .licenses()
        .filter(|l| l.matrix.commercial_use.status == Status::Allowed)
        .flat_map(|l| l.texts.iter().filter_map(|t| db.text(t)))
        .collect();
    assert!(
        permissive.len() >= 10,
        "{} permissive texts",
        permissive.len()
    );
    let mut wrong = Vec::new();
    for text in &permissive {
        for sentence in RESTRICTING {
            for (place, doc) in [
                ("after", format!("{text}\n\n{sentence}\n")),
                ("before", format!("{sentence}\n\n{text}")),
            ] {
                let mut m = Model::new("case", TargetKind::Directory);
                m.documents.push(Document {
                    source: SourceKind::LicenseFile,
                    path: "LICENSE".into(),
                    text: doc,
                    first_line: 1,
                    truncated: false,
                });
                let v = judge(&db, &id, m);
                if matches!(
                    v.matrix.commercial_use.status,
                    Status::Allowed | Status::Conditional
                ) {
                    let head: String = text.chars().take(40).collect();
                    wrong.push(format!("{place} {head:?}: {sentence}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases read as allowed:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A license file linked from outside the scanned folder is not read: nothing outside is
/// quoted, and a finding names the link.
#[cfg(unix)]
#[test]
fn a_link_leading_outside_the_scanned_folder_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    fs::write(&secret, "SECRET-TOKEN-1234 Non-commercial use only.\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("model");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("README.md"), card("license: mit", "")).unwrap();
    std::os::unix::fs::symlink(&secret, m.join("LICENSE")).unwrap();
    let (report, out) = json(&["scan", m.to_str().unwrap(), "--format", "json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("SECRET-TOKEN"), "{text}");
    let found = model(&report, "/model");
    assert!(
        found["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"]
                .as_str()
                .unwrap()
                .contains("outside the scanned folder")),
        "{found:#}"
    );
}
