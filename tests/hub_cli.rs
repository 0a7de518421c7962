//! `hf:` targets and `audit` from the command line, against the fake Hub on 127.0.0.1.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use crate::hub::fake_hub::{FakeHub, FaultKind, Repo, TOKEN};
use crate::util::{codes, license_text as text, model, root, status};

/// A Hub with a Llama 3.1 repo (real license text, weights listed), an NC repo and a
/// gated Gemma repo.
fn hub() -> FakeHub {
    let llama = Repo::new(
        "meta-llama/Llama-3.1-8B",
        "llama3.1",
        &[
            ("LICENSE", &text("llama3.1")),
            ("USE_POLICY.md", &text("llama3.1-aup")),
            ("model-00001-of-00004.safetensors", "WEIGHTS"),
            ("config.json", "{}"),
        ],
    );
    let nc = Repo::new(
        "acme/nc-model",
        "cc-by-nc-4.0",
        &[("LICENSE", &text("cc-by-nc-4.0"))],
    );
    let mut gated = Repo::new(
        "google/gemma-2b",
        "gemma",
        &[("LICENSE", &text("gemma-2025-03-24"))],
    );
    gated.gated = serde_json::json!("manual");
    FakeHub::start(vec![llama, nc, gated], 4, Duration::ZERO)
}

/// Runs the binary with the Hub variables pointing at `hub` and the cache in `cache`.
fn run(hub: &FakeHub, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_model-license"));
    cmd.args(args).current_dir(root());
    for k in [
        "HF_TOKEN",
        "HF_TOKEN_PATH",
        "HF_HUB_OFFLINE",
        "HF_HUB_CACHE",
        "HF_ENDPOINT",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("HF_ENDPOINT", &hub.url)
        .env("HF_HOME", cache)
        .env("HF_HUB_CACHE", cache.join("hub"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn no_weights(hub: &FakeHub) {
    let asked = hub.requests();
    assert!(
        asked
            .iter()
            .all(|r| !r.contains(".safetensors") && !r.contains("config.json")),
        "{asked:?}"
    );
}

#[test]
fn an_hf_target_gets_the_same_verdict_as_its_cached_copy_and_works_offline() {
    let hub = hub();
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        &hub,
        cache.path(),
        &["scan", "hf:meta-llama/Llama-3.1-8B", "--format", "json"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let remote = json(&out);
    let m = &remote["models"][0];
    assert_eq!(m["kind"], "hub");
    assert_eq!(m["license"]["key"], "llama3.1");
    assert_eq!(status(m, "commercial_use"), "conditional");
    let sources: Vec<&str> = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"model-card") && sources.contains(&"license-file"),
        "{sources:?}"
    );
    no_weights(&hub);

    // Offline: answered from the cache the first run filled, with no request.
    let before = hub.requests().len();
    let out = run(
        &hub,
        cache.path(),
        &["scan", "hf:meta-llama/Llama-3.1-8B", "--format", "json"],
        &[("HF_HUB_OFFLINE", "1")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(hub.requests().len(), before);
    let offline = json(&out);
    assert_eq!(offline["models"][0]["matrix"], m["matrix"]);
    // One repository, one answer: offline keeps the card's license and base model.
    assert_eq!(offline["models"][0]["license"], m["license"]);
    assert_eq!(offline["models"][0]["base_models"], m["base_models"]);
    assert_eq!(offline["models"][0]["evidence"], m["evidence"]);

    // The local copy in the standard cache layout: the same matrix and findings.
    let out = run(
        &hub,
        cache.path(),
        &["scan", "hf-cache:", "--format", "json"],
        &[],
    );
    let local = json(&out);
    let l = model(&local, "meta-llama/Llama-3.1-8B");
    assert_eq!(l["matrix"], m["matrix"]);
    assert_eq!(l["findings"], m["findings"]);
}

#[test]
fn gated_repos_report_the_card_license_and_read_files_with_a_token() {
    let hub = hub();
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        &hub,
        cache.path(),
        &["scan", "hf:google/gemma-2b", "--format", "json"],
        &[],
    );
    let m = &json(&out)["models"][0];
    assert!(codes(m).contains(&"gated-repo"), "{m:#}");
    assert!(m["license"]["key"].as_str().unwrap().starts_with("gemma"));
    let out = run(
        &hub,
        cache.path(),
        &["scan", "hf:google/gemma-2b", "--format", "json"],
        &[("HF_TOKEN", TOKEN)],
    );
    let m = &json(&out)["models"][0];
    assert!(!codes(m).contains(&"gated-repo"), "{m:#}");
    assert!(m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["source"] == "license-file"));
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(TOKEN),
            "the token is never printed"
        );
    }
}

#[test]
fn hub_failures_are_per_model_and_clear() {
    let hub = hub();
    hub.fault(
        "/api/models/acme/nc-model",
        1,
        FaultKind::Status(503, vec![]),
    );
    hub.fault(
        "/acme/nc-model/resolve",
        1,
        FaultKind::Status(429, vec![("Retry-After".into(), "1".into())]),
    );
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        &hub,
        cache.path(),
        &[
            "scan",
            "hf:nobody/missing",
            "hf:acme/nc-model",
            "hf:meta-llama/Llama-3.1-8B@nope",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    // The 503 and the 429 (after its Retry-After) were retried; the missing repo and
    // revision are errors naming them.
    assert_eq!(status(&report["models"][0], "commercial_use"), "forbidden");
    let errors: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    // The report names each target once: its message does not repeat it.
    for e in report["errors"].as_array().unwrap() {
        let (target, message) = (
            e["target"].as_str().unwrap(),
            e["message"].as_str().unwrap(),
        );
        assert!(!message.starts_with(target), "{target}: {message}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nobody/missing") && stderr.contains("nope"),
        "{stderr}"
    );
}

#[test]
fn audit_reads_authors_inventories_and_paths_and_summarises() {
    let hub = hub();
    let cache = tempfile::tempdir().unwrap();
    let inventory = cache.path().join("inventory.txt");
    fs::write(&inventory, "# production\nhf:acme/nc-model\napi:openai/gpt-4o   # closed\nfixtures/models/apache-model\n\nnot a target at all\n").unwrap();
    let inv = inventory.to_str().unwrap();
    let out = run(
        &hub,
        cache.path(),
        &[
            "audit",
            "--hf-author",
            "meta-llama",
            "--list",
            inv,
            "fixtures/models/qwen2.5-3b",
            "--format",
            "json",
            "--jobs",
            "4",
        ],
        &[],
    );
    let doc = json(&out);
    let targets: Vec<&str> = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    for t in [
        "hf:meta-llama/Llama-3.1-8B",
        "hf:acme/nc-model",
        "api:openai/gpt-4o",
        "fixtures/models/apache-model",
        "fixtures/models/qwen2.5-3b",
    ] {
        assert!(
            targets.contains(&t),
            "{t} in {targets:?}; errors {:#}",
            doc["errors"]
        );
    }
    let api = model(&doc, "api:openai/gpt-4o");
    assert_eq!(status(api, "self_hosting"), "forbidden");
    assert_eq!(status(api, "redistribution"), "forbidden");
    assert_eq!(doc["summary"]["models"], 5);
    assert_eq!(doc["summary"]["commercial_use"]["forbidden"], 2);
    // Llama 3.1's terms are settled (scale clause, AUP): conditional, not a review item;
    // the groups count every model once.
    let groups = doc["summary"]["groups"].as_object().unwrap();
    assert_eq!(groups.values().map(|n| n.as_u64().unwrap()).sum::<u64>(), 5);
    assert!(groups["conditional"].as_u64().unwrap() >= 1, "{groups:?}");
    assert!(!doc["summary"]["needs_review"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["target"] == "hf:meta-llama/Llama-3.1-8B"));
    // The line that names nothing is an error; the rest is reported.
    assert!(
        doc["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["target"] == "not a target at all"),
        "{:#}",
        doc["errors"]
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains('\r'),
        "no progress bar when stderr is not a terminal"
    );

    let out = run(
        &hub,
        cache.path(),
        &[
            "audit",
            "hf:acme/nc-model",
            "fixtures/models/apache-model",
            "--format",
            "csv",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.lines().next().unwrap().starts_with("target,"));
    let out = run(
        &hub,
        cache.path(),
        &["audit", "fixtures/models/apache-model"],
        &[],
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("Summary") && table.contains("commercial use: allowed: 1"),
        "{table}"
    );
}
