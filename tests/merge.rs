//! Streaming and scale-out: `--format jsonl`, `--shard`, `--resume` and `merge`.

use std::path::Path;

use serde_json::Value;

use crate::util::run_in;

/// Twelve models; some derive from others (lineage must work across shards).
fn registry(dir: &Path) -> Vec<String> {
    let licenses = ["apache-2.0", "mit", "llama3.1", "cc-by-nc-4.0"];
    (0..12)
        .map(|i| {
            let name = format!("m{i:02}");
            let base = if i % 3 == 2 {
                format!("base_model: org/m{:02}\n", i - 1)
            } else {
                String::new()
            };
            let card = format!(
                "---\nlicense: {}\nmodel_name: org/{name}\n{base}---\n# {name}\n",
                licenses[i % 4]
            );
            std::fs::create_dir_all(dir.join(&name)).unwrap();
            std::fs::write(dir.join(&name).join("README.md"), card).unwrap();
            name
        })
        .collect()
}

fn stdout(dir: &Path, args: &[&str]) -> String {
    let out = run_in(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn four_shards_merged_equal_the_unsharded_audit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let targets = registry(d);
    let mut args: Vec<&str> = vec!["audit", "--format", "json"];
    args.extend(targets.iter().map(String::as_str));
    let whole: Value = serde_json::from_str(&stdout(d, &args)).unwrap();
    let mut files = Vec::new();
    let mut lines = 0;
    for k in 0..4 {
        let shard = format!("{k}/4");
        let mut args: Vec<&str> = vec!["audit", "--format", "jsonl", "--shard", &shard];
        args.extend(targets.iter().map(String::as_str));
        let text = stdout(d, &args);
        lines += text.lines().count();
        let file = format!("shard{k}.jsonl");
        std::fs::write(d.join(&file), text).unwrap();
        files.push(file);
    }
    assert_eq!(lines, 12, "every model in exactly one shard");
    let mut args: Vec<&str> = vec!["merge", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let merged: Value = serde_json::from_str(&stdout(d, &args)).unwrap();
    assert_eq!(merged["models"], whole["models"]);
    assert_eq!(merged["summary"], whole["summary"]);
    // Lineage is applied across the shards: m08 (Apache-2.0) derives from m07
    // (CC BY-NC) and carries its terms, wherever each landed.
    let m08 = merged["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["target"] == "m08")
        .unwrap();
    assert_eq!(m08["inherited_licenses"][0], "cc-by-nc-4.0");
    assert_eq!(m08["matrix"]["commercial_use"]["status"], "forbidden");
}

#[test]
fn a_resumed_audit_appends_only_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let targets = registry(d);
    let mut first: Vec<&str> = vec!["audit", "--format", "jsonl"];
    first.extend(targets[..5].iter().map(String::as_str));
    let part = stdout(d, &first);
    assert_eq!(part.lines().count(), 5);
    std::fs::write(d.join("run.jsonl"), &part).unwrap();
    let mut again: Vec<&str> = vec!["audit", "--format", "jsonl", "--resume", "run.jsonl"];
    again.extend(targets.iter().map(String::as_str));
    let rest = stdout(d, &again);
    assert_eq!(rest.lines().count(), 7, "{rest}");
    std::fs::write(d.join("run.jsonl"), format!("{part}{rest}")).unwrap();
    let merged: Value =
        serde_json::from_str(&stdout(d, &["merge", "run.jsonl", "--format", "json"])).unwrap();
    let mut all: Vec<&str> = vec!["audit", "--format", "json"];
    all.extend(targets.iter().map(String::as_str));
    let whole: Value = serde_json::from_str(&stdout(d, &all)).unwrap();
    assert_eq!(merged["models"], whole["models"]);
    // Any other format of a resumed audit includes the earlier verdicts.
    let mut table: Vec<&str> = vec!["audit", "--format", "json", "--resume", "run.jsonl"];
    table.extend(targets.iter().map(String::as_str));
    let resumed: Value = serde_json::from_str(&stdout(d, &table)).unwrap();
    assert_eq!(resumed["models"], whole["models"]);
}

#[test]
fn a_line_that_is_not_a_verdict_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.jsonl"), "\n{\"nope\": 1}\n").unwrap();
    let out = run_in(dir.path(), &["merge", "bad.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.jsonl:2:") && err.lines().count() == 1,
        "{err}"
    );
    let out = run_in(dir.path(), &["check", ".", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(2));
}

fn yaml(rel: &str) -> Value {
    let text = std::fs::read_to_string(crate::util::root().join(rel)).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn the_scale_out_recipes_are_valid_and_agree_on_the_shard_count() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::util::root().join("tests/schemas/github-workflow.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options().offline().build(&schema).unwrap();
    for rel in [
        "docs/scale-out/audit-shards.yml",
        ".github/workflows/model-license.yml",
    ] {
        let doc = yaml(rel);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rel}: {errors:#?}");
    }
    // The validator refuses what GitHub refuses.
    let mut bad = yaml("docs/scale-out/audit-shards.yml");
    bad["jobs"]["audit"]["runs-on"] = Value::Null;
    bad["jobs"]["audit"]["strategy"]["matrix"] = "four".into();
    assert!(!validator.is_valid(&bad));
    // GitHub Actions: one matrix entry per shard, and the same N everywhere.
    let wf = yaml("docs/scale-out/audit-shards.yml");
    let shards = wf["jobs"]["audit"]["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(wf["env"]["SHARDS"].as_u64(), Some(shards as u64));
    let run = wf["jobs"]["audit"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("--shard"))
        .unwrap();
    assert!(
        run.contains("--format jsonl") && run.contains("$SHARDS"),
        "{run}"
    );
    // Kubernetes: an Indexed Job whose completions are the N of --shard.
    let job = yaml("docs/scale-out/audit-job.yaml");
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let n = job["spec"]["completions"].as_u64().unwrap();
    let args = job["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    assert!(
        args.contains(&format!("--shard \"${{JOB_COMPLETION_INDEX}}/{n}\"")),
        "{args}"
    );
}

#[test]
fn an_audit_with_a_policy_counts_pass_and_fail_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let targets = registry(d);
    std::fs::write(
        d.join("policy.toml"),
        "[licenses]\ndeny = [\"cc-by-nc-4.0\"]\n",
    )
    .unwrap();
    let mut args: Vec<&str> = vec!["audit", "--policy", "policy.toml", "--format", "json"];
    args.extend(targets.iter().map(String::as_str));
    let doc: Value = serde_json::from_str(&stdout(d, &args)).unwrap();
    let p = &doc["summary"]["policy"];
    assert_eq!(p["outcome"], "fail");
    // m03, m07 and m11 declare CC BY-NC; m08 inherits it from m07.
    assert_eq!(p["rules"]["license-denied"]["failed"], 4, "{p:#}");
    assert_eq!(
        p["passed"].as_u64().unwrap() + p["failed"].as_u64().unwrap(),
        12
    );
    let mut table: Vec<&str> = vec!["audit", "--policy", "policy.toml"];
    table.extend(targets.iter().map(String::as_str));
    assert!(stdout(d, &table).contains("policy policy.toml: fail"));
    // The HTML page carries the same summary, policy included.
    let mut html: Vec<&str> = vec!["audit", "--policy", "policy.toml", "--format", "html"];
    html.extend(targets.iter().map(String::as_str));
    assert!(stdout(d, &html).contains("<h2>Policy <code>policy.toml</code>: fail</h2>"));
}
