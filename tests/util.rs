//! Helpers: run the binary, parse its JSON, find a model in a report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The repository root (fixtures live under it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The canonical reference text of license-db record `key`.
pub fn license_text(key: &str) -> String {
    std::fs::read_to_string(root().join("license-db/texts").join(format!("{key}.txt"))).unwrap()
}

/// Runs `model-license ARGS` from the repository root, with a clean environment for
/// colour and CI detection.
pub fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

/// Runs `model-license ARGS` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_model-license"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

/// Runs a JSON-format command and parses stdout.
pub fn json(args: &[&str]) -> (Value, Output) {
    let out = run(args);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (value, out)
}

/// The model of a report whose target ends with `suffix`.
pub fn model<'a>(report: &'a Value, suffix: &str) -> &'a Value {
    report["models"]
        .as_array()
        .expect("models")
        .iter()
        .find(|m| m["target"].as_str().is_some_and(|t| t.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no model {suffix} in {report:#}"))
}

/// The status of `permission` in a model's matrix.
pub fn status<'a>(model: &'a Value, permission: &str) -> &'a str {
    model["matrix"][permission]["status"]
        .as_str()
        .expect("status")
}

/// The finding codes of a model.
pub fn codes(model: &Value) -> Vec<&str> {
    model["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code"))
        .collect()
}
