//! Audit benchmark: 250 Hub models served by a fake Hub on 127.0.0.1 with 50 ms latency per
//! request, audited with the default concurrency. Prints wall time and requests per model.
//!
//! `cargo run --release --example hub_bench` (figures in docs/hub-bench.md).
#![allow(clippy::print_stdout)]

#[path = "../tests/support/fake_hub.rs"]
mod fake_hub;

use std::time::{Duration, Instant};

use fake_hub::{FakeHub, Repo};
use model_license::audit::{audit, DEFAULT_JOBS};
use model_license::source::hub::{HubClient, HubConfig};
use model_license::{Matrix, Verdict};

const MODELS: usize = 250;
const LATENCY: Duration = Duration::from_millis(50);

fn main() {
    let repos: Vec<Repo> = (0..MODELS)
        .map(|i| {
            Repo::new(
                &format!("bench/model-{i:03}"),
                "apache-2.0",
                &[
                    ("LICENSE", "Apache License\nVersion 2.0, January 2004\n"),
                    ("model.safetensors", "WEIGHTS"),
                    ("config.json", "{}"),
                ],
            )
        })
        .collect();
    let hub = FakeHub::start(repos, 64, LATENCY);
    hub.page_size(1000);
    let targets: Vec<String> = (0..MODELS)
        .map(|i| format!("hf:bench/model-{i:03}"))
        .collect();

    for scenario in ["inventory (--list)", "author (--hf-author)"] {
        let cache = tempfile::tempdir().expect("tempdir");
        let mut cfg = HubConfig::new(cache.path());
        cfg.endpoint = hub.url.clone();
        let client = HubClient::new(cfg).expect("client");
        let before = hub.requests().len();
        let start = Instant::now();
        let list = if scenario.starts_with("author") {
            client.list_author_models("bench").expect("listing")
        } else {
            targets.clone()
        };
        let outcome = audit(
            &list,
            DEFAULT_JOBS,
            |t| {
                let m = client.fetch(t).map_err(|e| e.to_string())?;
                Ok(vec![Verdict {
                    target: m.target,
                    kind: m.kind,
                    name: m.name,
                    license: None,
                    licenses: vec![],
                    matrix: Matrix::unknown(),
                    base_models: m.base_models,
                    inherited_licenses: Vec::new(),
                    digest: None,
                    evidence: vec![],
                    findings: m.findings,
                }])
            },
            |_, _, _| {},
        );
        let elapsed = start.elapsed();
        let requests = hub.requests().len() - before;
        let weights = hub.requests()[before..]
            .iter()
            .filter(|r| r.contains("safetensors") || r.contains("config.json"))
            .count();
        println!(
            "{scenario}: {} models, {} errors, {:.2} s, {} requests ({:.2} per model), weight/config requests: {weights}",
            outcome.verdicts.len(),
            outcome.errors.len(),
            elapsed.as_secs_f64(),
            requests,
            requests as f64 / MODELS as f64
        );
    }
}
