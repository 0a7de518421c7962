//! Hub targets and author listings against a fake Hub on 127.0.0.1 (no test touches the
//! internet): card data, small files only, the cache layout, gates, errors, retries.

#[path = "support/fake_hub.rs"]
pub mod fake_hub;

use std::time::{Duration, Instant};

use fake_hub::{FakeHub, FaultKind, Repo, TOKEN};
use model_license::audit::{audit, Summary};
use model_license::source::hub::{HubClient, HubConfig, HubError};
use model_license::source::TargetKind;
use model_license::{Code, Evidence, Matrix, SourceKind, Verdict};

const LICENSE: &str =
    "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n";

fn llama() -> Repo {
    let mut r = Repo::new(
        "meta-llama/Llama-3.1-8B",
        "llama3.1",
        &[
            ("LICENSE", LICENSE),
            ("USE_POLICY.md", "Llama 3.1 Acceptable Use Policy\n"),
            ("model-00001-of-00004.safetensors", "WEIGHTS"),
            ("original/consolidated.00.pth", "WEIGHTS"),
            ("config.json", "{}"),
        ],
    );
    r.tags
        .push("base_model:finetune:meta-llama/Llama-3.1-8B-Base".into());
    r
}

fn config(hub: &FakeHub, cache: &std::path::Path) -> HubConfig {
    let mut cfg = HubConfig::new(cache);
    cfg.endpoint = hub.url.clone();
    cfg.timeout = Duration::from_secs(2);
    cfg.retries = 2;
    cfg.backoff = Duration::from_millis(10);
    cfg
}

fn no_weights(hub: &FakeHub) {
    for r in hub.requests() {
        assert!(
            !r.contains("safetensors") && !r.contains(".pth") && !r.contains("config.json"),
            "weights or config requested: {r}"
        );
    }
}

#[test]
fn reads_card_and_small_files_only_into_the_cache_then_offline() {
    let hub = FakeHub::start(vec![llama()], 4, Duration::ZERO);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&hub, cache.path());
    let model = HubClient::new(cfg.clone())
        .unwrap()
        .fetch("hf:meta-llama/Llama-3.1-8B")
        .unwrap();
    assert_eq!(model.target, "hf:meta-llama/Llama-3.1-8B");
    assert_eq!(model.kind, TargetKind::Hub);
    assert_eq!(model.name.as_deref(), Some("meta-llama/Llama-3.1-8B"));
    let declared: Vec<(&str, &str, SourceKind)> = model
        .declared
        .iter()
        .map(|d| (d.field.as_str(), d.value.as_str(), d.source))
        .collect();
    // The README is the card, read as a local folder's is (its claims replace the API's copy).
    assert_eq!(declared, [("license", "llama3.1", SourceKind::ModelCard)]);
    assert_eq!(model.base_models, ["meta-llama/Llama-3.1-8B-Base"]);
    let docs: Vec<(&str, SourceKind)> = model
        .documents
        .iter()
        .map(|d| (d.path.as_str(), d.source))
        .collect();
    assert_eq!(
        docs,
        [
            ("README.md", SourceKind::Readme),
            ("LICENSE", SourceKind::LicenseFile),
            ("USE_POLICY.md", SourceKind::LicenseFile)
        ]
    );
    // The body after the front matter, as a folder's README gives it.
    assert!(!model.documents[0].text.contains("license: llama3.1"));
    assert_eq!(model.documents[1].text, LICENSE);
    assert!(model.findings.is_empty(), "{:?}", model.findings);
    no_weights(&hub);
    // One info request, one GET per small file, nothing else.
    assert_eq!(hub.requests().len(), 4, "{:?}", hub.requests());

    // The standard layout: refs/main -> commit, snapshots/commit/LICENSE -> blobs/etag.
    let root = cache.path().join("models--meta-llama--Llama-3.1-8B");
    let commit = std::fs::read_to_string(root.join("refs/main")).unwrap();
    let license = root.join("snapshots").join(commit.trim()).join("LICENSE");
    assert_eq!(std::fs::read_to_string(&license).unwrap(), LICENSE);
    assert!(std::fs::symlink_metadata(&license)
        .unwrap()
        .file_type()
        .is_symlink());

    // A second online fetch reads the files from the cache: only the info request.
    let before = hub.requests().len();
    HubClient::new(cfg.clone())
        .unwrap()
        .fetch("hf:meta-llama/Llama-3.1-8B")
        .unwrap();
    assert_eq!(hub.requests().len(), before + 1);

    // Offline answers from the cache, and sends nothing.
    let mut offline = cfg.clone();
    offline.offline = true;
    let before = hub.requests().len();
    let cached = HubClient::new(offline.clone())
        .unwrap()
        .fetch("hf:meta-llama/Llama-3.1-8B")
        .unwrap();
    assert_eq!(hub.requests().len(), before);
    let texts: Vec<&str> = cached.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(texts, ["README.md", "LICENSE", "USE_POLICY.md"]);
    let missing = HubClient::new(offline)
        .unwrap()
        .fetch("hf:other/model")
        .unwrap_err();
    assert!(matches!(missing, HubError::Offline { .. }), "{missing}");
    assert!(
        missing.to_string().starts_with("hf:other/model: offline"),
        "{missing}"
    );
}

#[test]
fn gated_repo_keeps_the_card_license_and_says_files_were_not_read() {
    let mut repo = llama();
    repo.gated = serde_json::json!("manual");
    let hub = FakeHub::start(vec![repo], 4, Duration::ZERO);
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&hub, cache.path());
    let model = HubClient::new(cfg.clone())
        .unwrap()
        .fetch("hf:meta-llama/Llama-3.1-8B")
        .unwrap();
    assert_eq!(model.declared[0].value, "llama3.1");
    assert!(model.documents.is_empty());
    let gated: Vec<_> = model
        .findings
        .iter()
        .filter(|f| f.code == Code::GatedRepo)
        .collect();
    assert_eq!(gated.len(), 1, "{:?}", model.findings);
    assert!(gated[0].message.contains("license files could not be read"));

    let mut with_token = cfg;
    with_token.token = Some(TOKEN.to_string());
    let model = HubClient::new(with_token.clone())
        .unwrap()
        .fetch("hf:meta-llama/Llama-3.1-8B")
        .unwrap();
    assert_eq!(model.documents.len(), 3);
    assert!(model.findings.is_empty(), "{:?}", model.findings);
    assert!(!format!("{with_token:?}").contains(TOKEN));
    no_weights(&hub);
}

#[test]
fn not_found_errors_name_the_repo() {
    let mut repo = llama();
    repo.revisions.insert("v1".into(), fake_hub::hex40("v1"));
    let hub = FakeHub::start(vec![repo], 2, Duration::ZERO);
    let cache = tempfile::tempdir().unwrap();
    let client = HubClient::new(config(&hub, cache.path())).unwrap();
    let e = client.fetch("hf:nobody/nothing").unwrap_err();
    assert!(matches!(e, HubError::RepoNotFound { .. }), "{e}");
    assert!(e
        .to_string()
        .starts_with("hf:nobody/nothing: repository not found"));
    let e = client.fetch("hf:meta-llama/Llama-3.1-8B@v9").unwrap_err();
    assert!(matches!(e, HubError::RevisionNotFound { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "hf:meta-llama/Llama-3.1-8B@v9: revision 'v9' not found"
    );
    let e = client.fetch("hf:bad/repo/id").unwrap_err();
    assert!(matches!(e, HubError::InvalidTarget { .. }), "{e}");

    let m = client.fetch("hf:meta-llama/Llama-3.1-8B@v1").unwrap();
    assert_eq!(m.target, "hf:meta-llama/Llama-3.1-8B@v1");
    let root = cache.path().join("models--meta-llama--Llama-3.1-8B");
    assert_eq!(
        std::fs::read_to_string(root.join("refs/v1")).unwrap(),
        fake_hub::hex40("v1")
    );
    assert!(hub
        .requests()
        .iter()
        .any(|r| r.starts_with("GET /api/models/meta-llama/Llama-3.1-8B/revision/v1?")));
}

#[test]
fn a_listed_file_that_is_missing_is_a_finding() {
    let hub = FakeHub::start(vec![llama()], 2, Duration::ZERO);
    hub.fault(
        "/resolve/",
        1,
        FaultKind::Status(404, vec![("X-Error-Code".into(), "EntryNotFound".into())]),
    );
    let cache = tempfile::tempdir().unwrap();
    let cfg = config(&hub, cache.path());
    let m = HubClient::new(cfg)
        .unwrap()
        .fetch("hf:meta-llama/Llama-3.1-8B")
        .unwrap();
    assert_eq!(m.documents.len(), 2);
    assert_eq!(m.findings.len(), 1);
    assert_eq!(m.findings[0].code, Code::UnreadableFile);
}

#[test]
fn rate_limits_are_honoured() {
    let hub = FakeHub::start(vec![llama()], 2, Duration::ZERO);
    let cache = tempfile::tempdir().unwrap();
    let client = HubClient::new(config(&hub, cache.path())).unwrap();
    hub.fault(
        "/api/models/",
        1,
        FaultKind::Status(429, vec![("Retry-After".into(), "1".into())]),
    );
    fetch_waits_a_second(&client);

    // The RateLimit header alone (as the Hub sends it) is honoured too.
    hub.fault(
        "/resolve/",
        1,
        FaultKind::Status(
            429,
            vec![("RateLimit".into(), "\"resolvers\";r=0;t=1".into())],
        ),
    );
    let fresh = tempfile::tempdir().unwrap();
    let client = HubClient::new(config(&hub, fresh.path())).unwrap();
    fetch_waits_a_second(&client);

    // Asked to wait longer than allowed: fails at once, saying so.
    hub.fault(
        "/api/models/",
        1,
        FaultKind::Status(429, vec![("Retry-After".into(), "3600".into())]),
    );
    let e = client.fetch("hf:meta-llama/Llama-3.1-8B").unwrap_err();
    assert!(matches!(e, HubError::RateLimited { .. }), "{e}");
    assert!(e.to_string().contains("3600s"), "{e}");
}

/// Fetches the Llama fixture and checks that it took at least the 1 s the server asked for.
fn fetch_waits_a_second(client: &HubClient) {
    let t = Instant::now();
    client.fetch("hf:meta-llama/Llama-3.1-8B").unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn server_errors_are_retried_with_a_bound() {
    let hub = FakeHub::start(vec![llama()], 2, Duration::ZERO);
    let cache = tempfile::tempdir().unwrap();
    let client = HubClient::new(config(&hub, cache.path())).unwrap();
    hub.fault("/api/models/", 1, FaultKind::Status(503, vec![]));
    client.fetch("hf:meta-llama/Llama-3.1-8B").unwrap();
    let infos = hub
        .requests()
        .iter()
        .filter(|r| r.contains("/api/models/"))
        .count();
    assert_eq!(infos, 2);

    hub.fault("/api/models/", 10, FaultKind::Status(503, vec![]));
    let e = client.fetch("hf:meta-llama/Llama-3.1-8B").unwrap_err();
    assert!(
        matches!(
            e,
            HubError::Server {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn timeouts_and_malformed_json_fail_the_model_clearly() {
    let hub = FakeHub::start(vec![llama()], 4, Duration::ZERO);
    let cache = tempfile::tempdir().unwrap();
    let mut cfg = config(&hub, cache.path());
    cfg.timeout = Duration::from_millis(300);
    cfg.retries = 1;
    let client = HubClient::new(cfg).unwrap();
    hub.fault(
        "/api/models/",
        1,
        FaultKind::Delay(Duration::from_millis(1500)),
    );
    let t = Instant::now();
    let e = client.fetch("hf:meta-llama/Llama-3.1-8B").unwrap_err();
    // One timeout ends the model: the timeout bounds the whole wait, retries or not.
    assert!(matches!(e, HubError::Timeout { attempts: 1, .. }), "{e}");
    assert!(
        t.elapsed() < Duration::from_millis(700),
        "{:?}",
        t.elapsed()
    );

    hub.fault("/api/models/", 1, FaultKind::Malformed);
    let e = client.fetch("hf:meta-llama/Llama-3.1-8B").unwrap_err();
    assert!(matches!(e, HubError::Malformed { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("hf:meta-llama/Llama-3.1-8B: malformed"),
        "{e}"
    );
}

#[test]
fn author_listing_follows_pages_and_saves_info_requests() {
    let repos: Vec<Repo> = (0..5)
        .map(|i| {
            Repo::new(
                &format!("org/m{i}"),
                "apache-2.0",
                &[("LICENSE", "Apache License\n")],
            )
        })
        .chain([Repo::new("other/x", "mit", &[])])
        .collect();
    let hub = FakeHub::start(repos, 4, Duration::ZERO);
    hub.page_size(2);
    let cache = tempfile::tempdir().unwrap();
    let client = HubClient::new(config(&hub, cache.path())).unwrap();
    let ids = client.list_author_models("org").unwrap();
    assert_eq!(
        ids,
        [
            "hf:org/m0",
            "hf:org/m1",
            "hf:org/m2",
            "hf:org/m3",
            "hf:org/m4"
        ]
    );
    let pages = hub
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /api/models?"))
        .count();
    assert_eq!(pages, 3);
    assert!(hub.requests()[0].contains("expand=cardData"));

    let outcome = audit(
        &[ids.clone(), vec!["hf:org/missing".to_string()]].concat(),
        3,
        |t| {
            let m = client.fetch(t).map_err(|e| e.to_string())?;
            Ok(vec![unknown_verdict(&m)])
        },
        |_, _, _| {},
    );
    assert_eq!(outcome.verdicts.len(), 5);
    assert_eq!(outcome.errors.len(), 1);
    assert!(outcome.errors[0].message.contains("hf:org/missing"));
    // No info request for the listed models: only the one that was not listed.
    let infos: Vec<String> = hub
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /api/models/"))
        .collect();
    assert_eq!(infos.len(), 1, "{infos:?}");
    let db = model_license::Db::embedded().unwrap();
    let summary = Summary::new(&db, &outcome.verdicts, outcome.errors.len());
    assert_eq!(summary.licenses.get("none"), Some(&5));
    assert_eq!(summary.needs_review.len(), 5);
}

/// The verdict a model gets before identification: no license, all unknown.
fn unknown_verdict(m: &model_license::source::Model) -> Verdict {
    Verdict {
        target: m.target.clone(),
        kind: m.kind,
        name: m.name.clone(),
        license: None,
        licenses: vec![],
        matrix: Matrix::unknown(),
        base_models: m.base_models.clone(),
        inherited_licenses: Vec::new(),
        digest: None,
        evidence: m
            .declared
            .iter()
            .map(|d| Evidence::new(d.source, None, 0.0).raw(d.value.clone()))
            .collect(),
        findings: m.findings.clone(),
    }
}
