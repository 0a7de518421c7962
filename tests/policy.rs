//! The CI gate end to end in the library: scan the fixture models, judge them with a policy,
//! render SARIF (validated against the SARIF 2.1.0 schema) and GitHub annotations.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use model_license::policy::{evaluate, Date, Evaluation, Outcome, ValidPolicy, ViolationCode};
use model_license::report::{github, sarif};
use model_license::scan::Scanner;
use model_license::{Db, Severity};
use serde_json::Value;

use crate::util::root;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::new(Db::embedded().unwrap()))
}

/// A policy that exercises most rules on the fixtures, with one used, one unused and one
/// expired exception.
const POLICY: &str = "fixtures/policies/gate.toml";

/// Scans every fixture model (targets relative to the repository root, as a CI run gives them)
/// and judges them with the policy file `policy`, or with the policy text `policy`.
fn evaluation(policy: &str) -> Evaluation {
    let mut targets: Vec<String> = std::fs::read_dir(root().join("fixtures/models"))
        .unwrap()
        .map(|e| {
            format!(
                "fixtures/models/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    targets.sort();
    // Targets are relative to the repository root; the test binary runs there.
    std::env::set_current_dir(root()).unwrap();
    let report = scanner().scan(&targets);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let db = scanner().db();
    let policy = if policy.ends_with(".toml") {
        ValidPolicy::load(Path::new(policy), db).unwrap()
    } else {
        ValidPolicy::parse(policy, "model-license.toml", db).unwrap()
    };
    evaluate(&policy, &report.models, Date::parse("2026-06-01").unwrap())
}

fn sarif_of(eval: &Evaluation) -> Value {
    let opts = sarif::SarifOptions {
        root: Some(&root()),
    };
    serde_json::from_str(&sarif::render(eval, &[], &opts)).unwrap()
}

pub fn schema_errors(log: &Value) -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join("fixtures/sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_gate_fails_on_the_fixtures_and_cites_clauses() {
    let e = evaluation(POLICY);
    assert_eq!(e.outcome(), Outcome::Fail);
    let llama = e
        .models
        .iter()
        .find(|m| m.target.ends_with("llama-3.1-8b-instruct"))
        .unwrap();
    let scale = llama
        .violations
        .iter()
        .find(|v| v.code == ViolationCode::ScaleClauseExceeded)
        .expect("800M MAU fails the 700M clause");
    assert!(scale.message.contains("700,000,000"), "{}", scale.message);
    assert!(scale.path.is_some(), "located at its evidence");

    let apache = e
        .models
        .iter()
        .find(|m| m.target.ends_with("apache-model"))
        .unwrap();
    assert_eq!(apache.outcome, Outcome::Pass, "{:?}", apache.violations);
    let unlicensed = e
        .models
        .iter()
        .find(|m| m.target.ends_with("no-license"))
        .unwrap();
    assert_eq!(unlicensed.outcome, Outcome::Pass);
    assert_eq!(
        unlicensed.waived[0].violation.code,
        ViolationCode::LicenseUnknown
    );

    let policy_codes: Vec<ViolationCode> = e.policy_violations.iter().map(|v| v.code).collect();
    assert!(
        policy_codes.contains(&ViolationCode::ExceptionUnused),
        "{policy_codes:?}"
    );
    assert!(
        policy_codes.contains(&ViolationCode::ExceptionExpired),
        "{policy_codes:?}"
    );
}

#[test]
fn a_permissive_policy_passes() {
    let e = evaluation("[licenses]\nunknown = \"warn\"\n");
    assert_eq!(
        e.outcome(),
        Outcome::Pass,
        "{:#?}",
        e.models.iter().map(|m| &m.violations).collect::<Vec<_>>()
    );
    assert!(
        e.count(Severity::Warning) > 0,
        "unsettled clauses are reviews, not silent passes"
    );
}

#[test]
fn sarif_is_valid_2_1_0_with_locations_and_stable_fingerprints() {
    let e = evaluation(POLICY);
    let log = sarif_of(&e);
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rules are distinct and sorted");
    for r in rules {
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    assert!(ids.contains(&"scale-clause-exceeded") && ids.contains(&"exception-unused"));

    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let mut prints = BTreeSet::new();
    for r in results {
        let rule = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[rule]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"]
            .as_str()
            .expect("every result is located");
        assert!(!uri.starts_with('/') && !uri.contains("://"), "{uri}");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            root().join(uri).is_file(),
            "{uri} is a file in the repository"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        let fp = r["partialFingerprints"]["modelLicense/v1"]
            .as_str()
            .unwrap();
        assert!(prints.insert((fp.to_string(), r["message"]["text"].to_string())));
    }
    let scale = results
        .iter()
        .find(|r| r["ruleId"] == "scale-clause-exceeded")
        .unwrap();
    assert_eq!(scale["level"], "error");
    let uri = scale["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("fixtures/models/llama-3.1-8b-instruct/"),
        "{uri}"
    );
    let waived = results
        .iter()
        .find(|r| r["suppressions"].is_array())
        .unwrap();
    assert_eq!(waived["suppressions"][0]["kind"], "external");

    // Same input, same bytes: results and fingerprints do not move between runs.
    let again = sarif_of(&evaluation(POLICY));
    assert_eq!(log, again);
}

#[test]
fn a_clean_run_is_valid_sarif_with_no_results() {
    let e = evaluation("[licenses]\nunknown = \"allow\"\n");
    let clean = Evaluation {
        models: Vec::new(),
        policy_violations: Vec::new(),
        ..e
    };
    let log = sarif_of(&clean);
    assert!(schema_errors(&log).is_empty());
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

/// Runs Microsoft's SARIF validator when `SARIF_MULTITOOL` names it (e.g. after
/// `npm install @microsoft/sarif-multitool` in a scratch folder); skipped otherwise.
#[test]
fn sarif_passes_the_multitool_validator_when_installed() {
    let Some(tool) = std::env::var_os("SARIF_MULTITOOL") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model-license.sarif");
    let opts = sarif::SarifOptions {
        root: Some(&root()),
    };
    std::fs::write(&file, sarif::render(&evaluation(POLICY), &[], &opts)).unwrap();
    let out_file = dir.path().join("validation.sarif");
    let out = std::process::Command::new(tool)
        .arg("validate")
        .arg(&file)
        .arg("--output")
        .arg(&out_file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let errors: Vec<&Value> = report["runs"][0]["results"]
        .as_array()
        .map(|r| r.iter().filter(|r| r["level"] == "error").collect())
        .unwrap_or_default();
    assert!(
        errors.is_empty(),
        "{errors:#?}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn github_annotations_are_capped_escaped_and_located() {
    let e = evaluation(POLICY);
    let text = github::annotations(&e, Some(&root()));
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("::warning "))
        .collect();
    assert_eq!(errors.len() + warnings.len(), text.lines().count());
    assert!(!errors.is_empty() && errors.len() <= github::MAX_ANNOTATIONS);
    assert!(warnings.len() <= github::MAX_ANNOTATIONS);
    let scale = errors
        .iter()
        .find(|l| l.contains("scale-clause-exceeded"))
        .expect("the MAU violation is annotated");
    assert!(
        scale.contains("file=fixtures/models/llama-3.1-8b-instruct/"),
        "{scale}"
    );
    assert!(scale.contains(",line="), "{scale}");
    assert!(
        scale.contains("title=model-license%3A scale-clause-exceeded::"),
        "{scale}"
    );
    // Property values never carry a raw comma or colon.
    for l in errors.iter().chain(&warnings) {
        let props = l.split_once(' ').unwrap().1.split_once("::").unwrap().0;
        for p in props.split(',') {
            let (_, value) = p.split_once('=').unwrap();
            assert!(!value.contains(':'), "{l}");
        }
    }
}

#[test]
fn more_than_ten_errors_fold_into_one_annotation() {
    let e = evaluation("[require]\nself_hosting = []\ncommercial_use = []\nredistribution = []\n");
    assert!(e.count(Severity::Error) > 10);
    let text = github::annotations(&e, None);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), github::MAX_ANNOTATIONS);
    assert!(errors.last().unwrap().contains("more errors not shown"));
}

#[test]
fn the_job_summary_is_markdown_with_a_row_per_model() {
    let e = evaluation(POLICY);
    let md = github::summary(&e, Some(&root()));
    assert!(md.starts_with("## model-license check: ❌ fail"));
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Model"))
        .count();
    assert_eq!(rows, e.models.len());
    assert!(md.contains("### Violations") && md.contains("### Waived by exceptions"));
    assert!(md.contains("scale-clause-exceeded"));
}

#[test]
fn policy_errors_name_file_line_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model-license.toml");
    std::fs::write(
        &path,
        "[licenses]\nallow = [\"apache-2.0\", \"apache-3.0\"]\n",
    )
    .unwrap();
    let err = ValidPolicy::load(&path, scanner().db())
        .unwrap_err()
        .to_string();
    let shown = format!("{}:2: ", path.display());
    assert!(err.starts_with(&shown), "{err}");
    assert!(err.contains("apache-3.0"), "{err}");
    assert!(Path::new(&path).exists());
}

#[test]
fn an_unknown_license_points_at_the_card_that_failed_to_name_one() {
    let e = evaluation(POLICY);
    let m = e
        .models
        .iter()
        .find(|m| m.target.ends_with("license-other-unresolved"))
        .unwrap();
    let v = &m.violations[0];
    assert_eq!(v.code, ViolationCode::LicenseUnknown);
    assert_eq!(v.path.as_deref(), Some("README.md"), "{v:?}");
}

#[test]
fn the_shipped_ci_recipes_run_check() {
    let hooks: Value = serde_norway::from_str(
        &std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    for hook in hooks.as_array().unwrap() {
        assert!(hook["entry"]
            .as_str()
            .unwrap()
            .starts_with("model-license check"));
        assert_eq!(hook["pass_filenames"], false);
    }
    let workflow =
        std::fs::read_to_string(root().join(".github/workflows/model-license.yml")).unwrap();
    let parsed: Value = serde_norway::from_str(&workflow).unwrap();
    let steps = parsed["jobs"]["check"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["run"]
        .as_str()
        .is_some_and(|r| r.contains("model-license check") && r.contains("--format sarif"))));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))));
}
