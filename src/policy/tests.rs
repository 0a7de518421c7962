//! Rule-by-rule tests of `evaluate`, on hand-built verdicts with real license-db records.

use super::*;
use crate::db::Db;
use crate::evidence::{Evidence, SourceKind};
use crate::finding::{Code, Finding};
use crate::matrix::{Matrix, Restriction, Status};
use crate::verdict::LicenseSummary;

/// The embedded db, loaded once per test binary.
fn db() -> Db {
    static DB: std::sync::OnceLock<Db> = std::sync::OnceLock::new();
    DB.get_or_init(|| Db::embedded().unwrap()).clone()
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A verdict for `target` under the db records `keys` (first is the main license), stated in
/// LICENSE and in the README front matter at line 3.
fn verdict(db: &Db, target: &str, keys: &[&str]) -> Verdict {
    let mut matrix: Option<Matrix> = None;
    for k in keys {
        let m = &db.get(k).unwrap_or_else(|| panic!("no record {k}")).matrix;
        match &mut matrix {
            None => matrix = Some(m.clone()),
            Some(acc) => acc.combine(m),
        }
    }
    let license = keys.first().map(|k| {
        let l = db.get(k).unwrap();
        LicenseSummary {
            key: l.key.clone(),
            spdx: l.spdx.clone(),
            hf: l.hf.clone(),
            name: l.name.clone(),
            expression: keys
                .iter()
                .map(|k| db.get(k).unwrap().spdx.clone())
                .collect::<Vec<_>>()
                .join(" AND "),
            confidence: 1.0,
        }
    });
    let mut evidence = Vec::new();
    for k in keys {
        evidence.push(
            Evidence::new(SourceKind::ModelCard, Some(k.to_string()), 1.0)
                .at("README.md")
                .lines(3, 3),
        );
        evidence.push(
            Evidence::new(SourceKind::LicenseFile, Some(k.to_string()), 0.99)
                .at("LICENSE")
                .lines(1, 120),
        );
    }
    let mut licenses: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    licenses.sort();
    Verdict {
        target: target.to_string(),
        kind: crate::source::TargetKind::Directory,
        name: None,
        license,
        licenses,
        matrix: matrix.unwrap_or_else(Matrix::unknown),
        base_models: Vec::new(),
        inherited_licenses: Vec::new(),
        digest: None,
        evidence,
        findings: Vec::new(),
    }
}

/// A verdict with no established license, whose card says `license: other`.
fn unlicensed(target: &str) -> Verdict {
    let mut v = verdict(&db(), target, &[]);
    v.evidence.push(
        Evidence::new(SourceKind::ModelCard, None, 0.0)
            .at("README.md")
            .lines(4, 4)
            .raw("other"),
    );
    v.findings.push(Finding::new(
        Code::LicenseOtherUnresolved,
        crate::finding::Severity::Warning,
        "license: other",
    ));
    v
}

fn run(policy: &str, verdicts: &[Verdict]) -> Evaluation {
    let db = db();
    let p = ValidPolicy::parse(policy, "model-license.toml", &db).unwrap();
    evaluate(&p, verdicts, day("2026-06-01"))
}

fn codes(e: &Evaluation) -> Vec<(&str, ViolationCode, Severity)> {
    e.models
        .iter()
        .flat_map(|m| {
            m.violations
                .iter()
                .map(move |v| (m.target.as_str(), v.code, v.severity))
        })
        .collect()
}

#[test]
fn a_permissive_model_passes_an_empty_policy() {
    let e = run("", &[verdict(&db(), "m", &["apache-2.0"])]);
    assert!(codes(&e).is_empty(), "{:?}", codes(&e));
    assert_eq!(e.outcome(), Outcome::Pass);
}

#[test]
fn allow_list_passes_listed_and_fails_unlisted_licenses() {
    let db = db();
    let e = run(
        "[licenses]\nallow = [\"Apache-2.0\"]\n",
        &[
            verdict(&db, "ok", &["apache-2.0"]),
            verdict(&db, "no", &["mit"]),
        ],
    );
    assert_eq!(
        codes(&e),
        [("no", ViolationCode::LicenseNotAllowed, Severity::Error)]
    );
    let v = &e.models[1].violations[0];
    assert_eq!(v.license.as_deref(), Some("mit"));
    assert_eq!((v.path.as_deref(), v.line), (Some("LICENSE"), Some(1)));
    assert_eq!(e.models[0].outcome, Outcome::Pass);
    assert_eq!(e.outcome(), Outcome::Fail);
}

#[test]
fn deny_list_fails_the_model() {
    let e = run(
        "[licenses]\ndeny = [\"cc-by-nc-4.0\"]\n",
        &[verdict(&db(), "nc", &["cc-by-nc-4.0"])],
    );
    assert_eq!(
        codes(&e),
        [("nc", ViolationCode::LicenseDenied, Severity::Error)]
    );
    assert!(e.models[0].violations[0].message.contains("denied"));
    assert_eq!(e.outcome(), Outcome::Fail);
}

#[test]
fn unknown_licenses_follow_the_unknown_setting() {
    let v = [unlicensed("mystery")];
    let deny = run("", &v);
    assert_eq!(
        codes(&deny),
        [("mystery", ViolationCode::LicenseUnknown, Severity::Error)]
    );
    let msg = &deny.models[0].violations[0];
    assert!(
        msg.message.contains("license-other-unresolved"),
        "{}",
        msg.message
    );
    assert_eq!(
        (msg.path.as_deref(), msg.line),
        (Some("README.md"), Some(4))
    );
    assert_eq!(deny.outcome(), Outcome::Fail);

    let warn = run("[licenses]\nunknown = \"warn\"\n", &v);
    assert_eq!(
        codes(&warn),
        [("mystery", ViolationCode::LicenseUnknown, Severity::Warning)]
    );
    assert_eq!(warn.outcome(), Outcome::Pass);

    let allow = run("[licenses]\nunknown = \"allow\"\n", &v);
    assert!(codes(&allow).is_empty());
    assert_eq!(allow.outcome(), Outcome::Pass);

    // An unknown license is judged by `unknown` alone: [require] does not pile on.
    let req = run(
        "[licenses]\nunknown = \"warn\"\n[require]\ncommercial_use = [\"allowed\"]\n",
        &v,
    );
    assert_eq!(req.outcome(), Outcome::Pass);
}

#[test]
fn require_fails_statuses_not_listed() {
    let db = db();
    let policy = "[require]\ncommercial_use = [\"allowed\", \"conditional\"]\n";
    let e = run(
        policy,
        &[
            verdict(&db, "apache", &["apache-2.0"]),
            verdict(&db, "llama", &["llama3.1"]),
            verdict(&db, "nc", &["cc-by-nc-4.0"]),
        ],
    );
    let found = codes(&e);
    assert!(found.contains(&("nc", ViolationCode::RequirementFailed, Severity::Error)));
    assert!(!found
        .iter()
        .any(|(t, c, _)| *t != "nc" && *c == ViolationCode::RequirementFailed));
    let msg = &e.models[2].violations[0].message;
    assert!(msg.contains("commercial_use is forbidden"), "{msg}");

    // A modified text leaves a permission `unknown`: that must not pass a requirement.
    let mut edited = verdict(&db, "edited", &["apache-2.0"]);
    edited.matrix.commercial_use.status = Status::Unknown;
    let e = run(policy, &[edited]);
    assert_eq!(
        codes(&e),
        [("edited", ViolationCode::RequirementFailed, Severity::Error)]
    );
}

#[test]
fn mau_clause_fails_above_passes_below_and_reviews_when_unset() {
    let v = [verdict(&db(), "llama", &["llama3.1"])];
    let big = run("[organization]\nmonthly_active_users = 800000000\n", &v);
    assert_eq!(
        codes(&big),
        [("llama", ViolationCode::ScaleClauseExceeded, Severity::Error)]
    );
    let msg = &big.models[0].violations[0].message;
    assert!(
        msg.contains("700,000,000") && msg.contains("800,000,000"),
        "{msg}"
    );
    assert!(msg.contains("Llama 3.1 Community License"), "{msg}");
    assert_eq!(big.outcome(), Outcome::Fail);

    let small = run("[organization]\nmonthly_active_users = 5000000\n", &v);
    assert!(codes(&small).is_empty(), "{:?}", codes(&small));
    assert_eq!(small.outcome(), Outcome::Pass);

    let exact = run("[organization]\nmonthly_active_users = 700000000\n", &v);
    assert_eq!(
        codes(&exact),
        [("llama", ViolationCode::NeedsLegalReview, Severity::Warning)]
    );

    let unset = run("", &v);
    assert_eq!(
        codes(&unset),
        [("llama", ViolationCode::NeedsLegalReview, Severity::Warning)]
    );
    assert!(unset.models[0].violations[0]
        .message
        .contains("organization.monthly_active_users"));
    assert_eq!(unset.outcome(), Outcome::Pass);
}

#[test]
fn revenue_clause_fails_above_and_passes_below() {
    let v = [verdict(&db(), "sd", &["stability-ai-community-2024"])];
    let rich = run("[organization]\nannual_revenue_usd = 2000000\n", &v);
    let found = codes(&rich);
    assert!(
        found.contains(&("sd", ViolationCode::RevenueClauseExceeded, Severity::Error)),
        "{found:?}"
    );
    let msg = &rich.models[0]
        .violations
        .iter()
        .find(|v| v.code == ViolationCode::RevenueClauseExceeded)
        .unwrap()
        .message;
    assert!(
        msg.contains("USD 1,000,000") && msg.contains("USD 2,000,000"),
        "{msg}"
    );
    assert_eq!(rich.outcome(), Outcome::Fail);

    let small = run("[organization]\nannual_revenue_usd = 200000\n", &v);
    assert!(!codes(&small)
        .iter()
        .any(|(_, c, _)| *c == ViolationCode::RevenueClauseExceeded));
    assert_eq!(small.outcome(), Outcome::Pass);
}

#[test]
fn thresholds_come_from_the_verdict_not_the_license_name() {
    // The same license with a (hypothetically) lower threshold in the verdict's matrix.
    let mut v = verdict(&db(), "llama", &["llama3.1"]);
    v.matrix.scale_clause.as_mut().unwrap().threshold = 1_000;
    let e = run("[organization]\nmonthly_active_users = 5000\n", &[v]);
    assert_eq!(
        codes(&e),
        [("llama", ViolationCode::ScaleClauseExceeded, Severity::Error)]
    );
}

#[test]
fn regions_meet_geographic_restrictions() {
    let v = [verdict(&db(), "vision", &["llama3.2"])];
    let geo = |e: &Evaluation| -> Vec<(ViolationCode, Severity)> {
        e.models[0]
            .violations
            .iter()
            .filter(|v| {
                v.message.contains("geographic") || v.code == ViolationCode::RegionRestricted
            })
            .map(|v| (v.code, v.severity))
            .collect()
    };
    let eu = run(
        "[organization]\nmonthly_active_users = 10\nregions = [\"EU\"]\n",
        &v,
    );
    assert_eq!(
        geo(&eu),
        [(ViolationCode::RegionRestricted, Severity::Error)]
    );
    assert!(eu.models[0].violations[0].message.contains("multimodal"));
    assert_eq!(eu.outcome(), Outcome::Fail);

    let de = run(
        "[organization]\nmonthly_active_users = 10\nregions = [\"de\"]\n",
        &v,
    );
    assert_eq!(
        geo(&de),
        [(ViolationCode::RegionRestricted, Severity::Error)]
    );

    let us = run(
        "[organization]\nmonthly_active_users = 10\nregions = [\"US\"]\n",
        &v,
    );
    assert_eq!(
        geo(&us),
        [(ViolationCode::NeedsLegalReview, Severity::Warning)]
    );
    assert_eq!(us.outcome(), Outcome::Pass);

    let unset = run("[organization]\nmonthly_active_users = 10\n", &v);
    assert_eq!(
        geo(&unset),
        [(ViolationCode::NeedsLegalReview, Severity::Warning)]
    );

    let mut only = verdict(&db(), "cn", &["apache-2.0"]);
    only.matrix.restrictions.push(Restriction {
        kind: "geographic".into(),
        text: "Use is licensed only in the People's Republic of China.".into(),
    });
    let e = run("[organization]\nregions = [\"US\"]\n", &[only]);
    assert_eq!(
        codes(&e),
        [("cn", ViolationCode::RegionRestricted, Severity::Error)]
    );
}

#[test]
fn exceptions_waive_matching_models_and_keep_an_audit_trail() {
    let db = db();
    let policy = r#"
[licenses]
deny = ["cc-by-nc-4.0"]
[require]
commercial_use = ["allowed", "conditional"]
[[exceptions]]
model = "models/research-*"
allow = ["cc-by-nc-4.0"]
reason = "internal research only"
expires = "2027-01-01"
"#;
    let e = run(
        policy,
        &[
            verdict(&db, "models/research-nc/", &["cc-by-nc-4.0"]),
            verdict(&db, "models/product", &["cc-by-nc-4.0"]),
        ],
    );
    assert!(
        e.models[0].violations.is_empty(),
        "{:?}",
        e.models[0].violations
    );
    let waived: Vec<ViolationCode> = e.models[0]
        .waived
        .iter()
        .map(|w| w.violation.code)
        .collect();
    assert_eq!(
        waived,
        [
            ViolationCode::LicenseDenied,
            ViolationCode::RequirementFailed
        ]
    );
    assert_eq!(e.models[0].waived[0].reason, "internal research only");
    assert_eq!(e.models[0].outcome, Outcome::Pass);
    assert_eq!(
        e.models[1].outcome,
        Outcome::Fail,
        "the exception names research-* only"
    );
    assert!(e.policy_violations.is_empty());
}

#[test]
fn exceptions_match_hub_ids_but_never_a_self_declared_name() {
    const POLICY: &str = "[licenses]\ndeny = [\"cc-by-nc-4.0\"]\n[[exceptions]]\nmodel = \"acme/*\"\nallow = [\"cc-by-nc-4.0\"]\nreason = \"r\"\n";
    let v = verdict(&db(), "hf:acme/nc-model@main", &["cc-by-nc-4.0"]);
    assert_eq!(run(POLICY, &[v]).outcome(), Outcome::Pass);
    // A local folder whose card calls itself acme/...: the exception does not reach it.
    let mut v = verdict(&db(), "models/impostor", &["cc-by-nc-4.0"]);
    v.name = Some("acme/nc-model".into());
    assert_eq!(run(POLICY, &[v]).outcome(), Outcome::Fail);
}

#[test]
fn an_exception_for_one_license_does_not_waive_another() {
    // A model under two licenses: the exception covers one, so the matrix rules still stand.
    let e = run(
        "[licenses]\nallow = [\"apache-2.0\"]\n[require]\ncommercial_use = [\"allowed\", \"conditional\"]\n[[exceptions]]\nmodel = \"mixed\"\nallow = [\"mit\"]\nreason = \"r\"\n",
        &[verdict(&db(), "mixed", &["apache-2.0", "cc-by-nc-4.0"])],
    );
    let found = codes(&e);
    assert!(found.contains(&("mixed", ViolationCode::LicenseNotAllowed, Severity::Error)));
    assert!(found.contains(&("mixed", ViolationCode::RequirementFailed, Severity::Error)));
    assert_eq!(e.policy_violations[0].code, ViolationCode::ExceptionUnused);
    assert!(e.policy_violations[0].message.contains("waived none"));
}

#[test]
fn unknown_can_be_excepted_explicitly() {
    let e = run(
        "[[exceptions]]\nmodel = \"mystery\"\nallow = [\"unknown\"]\nreason = \"our own model\"\n",
        &[unlicensed("mystery")],
    );
    assert_eq!(e.outcome(), Outcome::Pass);
    assert_eq!(
        e.models[0].waived[0].violation.code,
        ViolationCode::LicenseUnknown
    );
}

#[test]
fn expired_exceptions_no_longer_waive_and_are_reported() {
    let policy = "[licenses]\ndeny = [\"cc-by-nc-4.0\"]\n\n[[exceptions]]\nmodel = \"nc\"\nallow = [\"cc-by-nc-4.0\"]\nreason = \"pilot\"\nexpires = \"2026-06-01\"\n";
    let v = [verdict(&db(), "nc", &["cc-by-nc-4.0"])];
    let e = run(policy, &v); // today is 2026-06-01: the expiry day itself is expired
    assert_eq!(e.outcome(), Outcome::Fail);
    let denied = &e.models[0].violations[0];
    assert_eq!(denied.code, ViolationCode::LicenseDenied);
    assert!(
        denied.message.contains("expired on 2026-06-01"),
        "{}",
        denied.message
    );
    let p = &e.policy_violations[0];
    assert_eq!(p.code, ViolationCode::ExceptionExpired);
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(
        (p.path.as_deref(), p.line),
        (Some("model-license.toml"), Some(4))
    );

    let db = db();
    let vp = ValidPolicy::parse(policy, "model-license.toml", &db).unwrap();
    let before = evaluate(&vp, &v, day("2026-05-31"));
    assert_eq!(before.outcome(), Outcome::Pass);
}

#[test]
fn unused_exceptions_are_reported_with_their_line() {
    let e = run(
        "\n[[exceptions]]\nmodel = \"gone/*\"\nallow = [\"mit\"]\nreason = \"old decision\"\n",
        &[verdict(&db(), "m", &["apache-2.0"])],
    );
    assert_eq!(e.outcome(), Outcome::Pass);
    let p = &e.policy_violations[0];
    assert_eq!(p.code, ViolationCode::ExceptionUnused);
    assert!(p.message.contains("matches no scanned model"));
    assert_eq!(p.line, Some(2));
}

#[test]
fn use_policies_need_no_allow_list_entry() {
    // llama3.1 with its acceptable-use policy: the AUP is a policy, not a license.
    let db = db();
    let mut v = verdict(&db, "llama", &["llama3.1"]);
    if db.get("llama3.1-aup").is_some() {
        v.licenses.push("llama3.1-aup".into());
    }
    let e = run(
        "[licenses]\nallow = [\"llama3.1\"]\n[organization]\nmonthly_active_users = 1\n",
        &[v],
    );
    assert!(codes(&e).is_empty(), "{:?}", codes(&e));
}

#[test]
fn violation_codes_are_unique_and_documented() {
    let mut seen = std::collections::BTreeSet::new();
    for code in ViolationCode::ALL {
        assert!(seen.insert(code.as_str()), "duplicate {code}");
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            format!("\"{}\"", code.as_str())
        );
        assert!(code.description().ends_with('.') && code.help().ends_with('.'));
        assert!(
            !Code::ALL.iter().any(|c| c.as_str() == code.as_str()),
            "{code} collides with a finding code"
        );
    }
}

/// The worked example of README.md's "Policy file" section, model by model.
#[test]
fn the_documented_worked_example_holds() {
    let readme = include_str!("../../README.md");
    let doc = &readme[readme.find("## Policy file").unwrap()..];
    let start = doc.find("```toml\n").unwrap() + 8;
    let policy = &doc[start..start + doc[start..].find("```").unwrap()];
    let db = db();
    let mut unlicensed = unlicensed("models/mystery");
    unlicensed.findings.clear();
    let verdicts = [
        verdict(&db, "models/bert", &["apache-2.0"]),
        verdict(&db, "models/llama-3.1-8b", &["llama3.1"]),
        verdict(&db, "models/sd-3.5", &["stability-ai-community-2024"]),
        verdict(&db, "models/llama-3.2-vision", &["llama3.2"]),
        verdict(&db, "models/research-nc", &["cc-by-nc-4.0"]),
        verdict(&db, "models/product-nc", &["cc-by-nc-4.0"]),
        unlicensed,
    ];
    let e = run(policy, &verdicts);
    let got: Vec<(String, Outcome, Vec<&'static str>, usize)> = e
        .models
        .iter()
        .map(|m| {
            let codes = m.violations.iter().map(|v| v.code.as_str()).collect();
            (m.target.clone(), m.outcome, codes, m.waived.len())
        })
        .collect();
    let want = |t: &str, o, c: &[&'static str], w| (t.to_string(), o, c.to_vec(), w);
    use Outcome::*;
    assert_eq!(
        got,
        [
            want("models/bert", Pass, &[], 0),
            want("models/llama-3.1-8b", Fail, &["scale-clause-exceeded"], 0),
            want(
                "models/sd-3.5",
                Fail,
                &["license-not-allowed", "revenue-clause-exceeded"],
                0
            ),
            want(
                "models/llama-3.2-vision",
                Fail,
                &[
                    "license-not-allowed",
                    "scale-clause-exceeded",
                    "region-restricted"
                ],
                0
            ),
            want("models/research-nc", Pass, &[], 2),
            want(
                "models/product-nc",
                Fail,
                &["license-denied", "requirement-failed"],
                0
            ),
            want("models/mystery", Fail, &["license-unknown"], 0),
        ]
    );
}
