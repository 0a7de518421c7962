//! `check` and `init` from the command line: exit codes, formats, GitHub Actions.

use std::fs;
use std::process::Command;

use serde_json::Value;

use crate::util::{root, run};

fn check(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_model-license"));
    cmd.arg("check")
        .args(args)
        .current_dir(root())
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn exit_codes_pass_fail_and_could_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let permissive = dir.path().join("ok.toml");
    fs::write(&permissive, "[licenses]\nallow = [\"apache-2.0\"]\n").unwrap();
    let p = permissive.to_str().unwrap();
    assert_eq!(
        check(&["fixtures/models/apache-model", "--policy", p], &[])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        check(&["fixtures/models/qwen2.5-3b", "--policy", p], &[])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        check(
            &["fixtures/models", "--policy", "fixtures/policies/gate.toml"],
            &[]
        )
        .status
        .code(),
        Some(1)
    );
    // Could not run: a missing target, a broken policy, a missing policy file.
    assert_eq!(
        check(&["no/such/dir", "--policy", p], &[]).status.code(),
        Some(2)
    );
    let out = check(
        &[
            "fixtures/models/apache-model",
            "--policy",
            "fixtures/policies/unknown-id.toml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown-id.toml:") && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert_eq!(
        check(
            &["fixtures/models/apache-model", "--policy", "absent.toml"],
            &[]
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn every_format_keeps_the_same_exit_code() {
    for format in ["table", "json", "markdown", "sarif"] {
        let out = check(&["fixtures/models/qwen2.5-3b", "--format", format], &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: the default policy passes a known license"
        );
        let out = check(&["fixtures/models/no-license", "--format", format], &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: the default policy fails an unknown license"
        );
    }
}

#[test]
fn json_and_sarif_carry_the_decision() {
    let out = check(
        &[
            "fixtures/models",
            "--policy",
            "fixtures/policies/gate.toml",
            "--format",
            "json",
        ],
        &[],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["outcome"], "fail");
    // The gate policy fires every kind of rule from the command line.
    let mut fired: Vec<&str> = doc["evaluation"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["violations"].as_array().unwrap().iter().chain(
                m["waived"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| &w["violation"]),
            )
        })
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    fired.extend(
        doc["evaluation"]["policy_violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap()),
    );
    for code in [
        "license-denied",
        "requirement-failed",
        "license-unknown",
        "scale-clause-exceeded",
        "region-restricted",
        "exception-expired",
        "exception-unused",
        "revenue-clause-exceeded",
    ] {
        assert!(fired.contains(&code), "{code} not fired: {fired:?}");
    }
    assert!(doc["evaluation"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "scale-clause-exceeded")));
    let out = check(
        &[
            "fixtures/models",
            "--policy",
            "fixtures/policies/gate.toml",
            "--format",
            "sarif",
        ],
        &[],
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        crate::policy::schema_errors(&sarif),
        Vec::<String>::new(),
        "valid SARIF 2.1.0"
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "license-denied" && r["level"] == "error"));
}

#[test]
fn github_actions_get_annotations_on_stderr_and_a_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = check(
        &[
            "fixtures/models",
            "--policy",
            "fixtures/policies/gate.toml",
            "--format",
            "sarif",
        ],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().any(|l| l.starts_with("::error file=")),
        "{stderr}"
    );
    assert!(stderr.lines().filter(|l| l.starts_with("::error")).count() <= 10);
    // stdout stays valid SARIF.
    assert!(serde_json::from_slice::<Value>(&out.stdout).is_ok());
    assert!(fs::read_to_string(&summary).unwrap().contains("|"));
    // Without GITHUB_ACTIONS, no workflow commands.
    let out = check(
        &["fixtures/models", "--policy", "fixtures/policies/gate.toml"],
        &[],
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("::error"));
}

#[test]
fn init_writes_a_starter_policy_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_model-license");
    let init = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(init(&["init"]).status.code(), Some(0));
    let text = fs::read_to_string(dir.path().join("model-license.toml")).unwrap();
    assert!(text.contains("[licenses]") && text.contains('#'));
    assert_eq!(init(&["init"]).status.code(), Some(2), "does not overwrite");
    assert_eq!(init(&["init", "--force"]).status.code(), Some(0));
    // check finds ./model-license.toml by itself.
    let model = root().join("fixtures/models/apache-model");
    let out = init(&["check", model.to_str().unwrap(), "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["evaluation"]["policy"], "model-license.toml");
}

#[test]
fn scan_refuses_sarif() {
    assert_eq!(
        run(&["scan", "fixtures/models", "--format", "sarif"])
            .status
            .code(),
        Some(2)
    );
}
