//! OCI model artifacts from the command line: Docker Model Runner's store, ModelPack and
//! modelcar image layouts built here with computed digests, lying blobs, huge weight
//! layers, olot's output (a committed fixture, and olot itself when it is installed).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::formats::writer::{safetensors, Gguf, Val};
use crate::util::{codes, license_text as text, model, root, status};

const DOC_GZIP: &str = "application/vnd.cncf.model.doc.v1.tar+gzip";
const DOC_RAW: &str = "application/vnd.cncf.model.doc.v1.raw";
const WEIGHT_RAW: &str = "application/vnd.cncf.model.weight.v1.raw";
const MP_CONFIG: &str = "application/vnd.cncf.model.config.v1+json";
const MP_MANIFEST: &str = "application/vnd.cncf.model.manifest.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_CONFIG: &str = "application/vnd.docker.ai.model.config.v0.1+json";

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A folder of content-addressed blobs (`blobs/sha256/<hex>`), digests computed.
struct Blobs(PathBuf);

impl Blobs {
    fn new(dir: &Path) -> Blobs {
        fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        Blobs(dir.to_path_buf())
    }

    /// Stores `bytes` and returns their descriptor.
    fn put(&self, media_type: &str, bytes: &[u8], annotations: Value) -> Value {
        let hex = sha256(bytes);
        fs::write(self.0.join("blobs/sha256").join(&hex), bytes).unwrap();
        json!({"mediaType": media_type, "digest": format!("sha256:{hex}"),
               "size": bytes.len(), "annotations": annotations})
    }

    fn put_json(&self, media_type: &str, value: &Value) -> Value {
        self.put(media_type, value.to_string().as_bytes(), json!({}))
    }

    /// A manifest's JSON.
    fn manifest(&self, config: Value, layers: Vec<Value>, artifact_type: Option<&str>) -> Value {
        let mut m = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": config, "layers": layers});
        if let Some(t) = artifact_type {
            m["artifactType"] = json!(t);
        }
        m
    }

    /// Writes `oci-layout` and `index.json` listing `manifests`.
    fn layout(&self, manifests: Vec<Value>) {
        fs::write(
            self.0.join("oci-layout"),
            r#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        fs::write(self.0.join("index.json"), index.to_string()).unwrap();
    }
}

fn named(mut desc: Value, reference: &str) -> Value {
    desc["annotations"] = json!({"org.opencontainers.image.ref.name": reference});
    desc
}

fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`; write the raw name as a hostile archive would.
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// Runs `model-license scan ARGS --format json` with the store variables cleared and
/// `env` set, killing it after 60 s.
fn scan(args: &[&str], env: &[(&str, &Path)]) -> (Value, Output) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_model-license"));
    cmd.arg("scan")
        .args(args)
        .args(["--format", "json"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for k in [
        "MODELS_PATH",
        "HOME",
        "OLLAMA_MODELS",
        "HF_HOME",
        "HF_HUB_CACHE",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("scan {args:?} did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (report, out)
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn models(report: &Value) -> &Vec<Value> {
    report["models"].as_array().unwrap()
}

fn sources(m: &Value) -> Vec<&str> {
    m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect()
}

/// Docker Model Runner's store: `models` is `(tags, manifest JSON)`; manifests are stored
/// under `manifests/sha256/` by digest, as the runner does.
fn docker_store(dir: &Path, models: Vec<(Vec<&str>, Value)>) {
    fs::create_dir_all(dir.join("manifests/sha256")).unwrap();
    fs::write(dir.join("layout.json"), r#"{"version":"1.0.0"}"#).unwrap();
    let entries: Vec<Value> = models
        .into_iter()
        .map(|(tags, manifest)| {
            let bytes = manifest.to_string();
            let hex = sha256(bytes.as_bytes());
            fs::write(dir.join("manifests/sha256").join(&hex), bytes).unwrap();
            json!({"id": format!("sha256:{hex}"), "tags": tags, "files": []})
        })
        .collect();
    fs::write(
        dir.join("models.json"),
        json!({ "models": entries }).to_string(),
    )
    .unwrap();
}

/// A Docker model: a license layer, a GGUF layer declaring `license`, a chat template, and
/// the config copying the GGUF keys.
fn docker_model(blobs: &Blobs, license: &str) -> Value {
    let gguf = Gguf::new()
        .s("general.license", license)
        .s("general.name", "Tiny")
        .bytes();
    let layers = vec![
        blobs.put("application/vnd.docker.ai.gguf.v3", &gguf, json!({})),
        blobs.put(
            "application/vnd.docker.ai.license",
            text(license).as_bytes(),
            json!({}),
        ),
        blobs.put(
            "application/vnd.docker.ai.chat.template.jinja",
            b"{{ messages }}",
            json!({}),
        ),
    ];
    let config = json!({"config": {"format": "gguf", "gguf": {"general.license": license}},
                        "descriptor": {"created": "2025-01-01T00:00:00Z"},
                        "rootfs": {"type": "layers", "diff_ids": []}});
    blobs.manifest(blobs.put_json(DOCKER_CONFIG, &config), layers, None)
}

#[test]
fn docker_model_runner_store_by_default_location_name_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("models");
    let blobs = Blobs::new(&store);
    let tiny = docker_model(&blobs, "apache-2.0");
    let other = docker_model(&blobs, "mit");
    docker_store(
        &store,
        vec![
            (vec!["docker.io/ai/tiny:latest", "ai/tiny:1B"], tiny),
            (vec!["docker.io/ai/other:2"], other),
        ],
    );

    let (report, out) = scan(&["docker-models:"], &[("MODELS_PATH", store.as_path())]);
    ok(&out);
    assert_eq!(models(&report).len(), 2);
    let m = model(&report, "docker-models:ai/tiny:latest");
    assert_eq!(m["kind"], "docker-models");
    assert_eq!(m["name"], "ai/tiny:latest");
    assert_eq!(m["license"]["key"], "apache-2.0", "{m:#}");
    for source in ["oci-config", "gguf", "license-file"] {
        assert!(sources(m).contains(&source), "{source}: {m:#}");
    }
    assert_eq!(
        model(&report, "ai/other:2")["license"]["key"],
        "mit",
        "{report:#}"
    );

    // One model by a tag, with or without the registry and the default tag.
    for name in ["ai/tiny", "docker.io/ai/tiny:latest", "ai/tiny:1B"] {
        let (report, out) = scan(
            &[&format!("docker-models:{name}")],
            &[("MODELS_PATH", store.as_path())],
        );
        ok(&out);
        assert_eq!(models(&report).len(), 1, "{name}");
        assert_eq!(models(&report)[0]["name"], "ai/tiny:latest");
    }
    // ~/.docker/models when MODELS_PATH is unset; the folder itself, recognised.
    let home = dir.path().join("home");
    fs::create_dir_all(home.join(".docker")).unwrap();
    std::os::unix::fs::symlink(&store, home.join(".docker/models")).unwrap();
    let (report, out) = scan(&["docker-models:ai/other:2"], &[("HOME", home.as_path())]);
    ok(&out);
    assert_eq!(models(&report).len(), 1);
    let (report, out) = scan(&[store.to_str().unwrap()], &[]);
    ok(&out);
    assert_eq!(models(&report).len(), 2);

    let (report, out) = scan(
        &["docker-models:ai/nope"],
        &[("MODELS_PATH", store.as_path())],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no model `ai/nope`"));
}

#[test]
fn a_missing_docker_store_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("absent");
    let (report, out) = scan(&["docker-models:"], &[("MODELS_PATH", absent.as_path())]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no docker-models store found"), "{stderr}");
    assert!(stderr.contains(absent.to_str().unwrap()), "{stderr}");
    assert!(models(&report).is_empty());

    // A folder that is no OCI layout, and a layout without the image asked for.
    let (_, out) = scan(&[&format!("oci:{}", dir.path().display())], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an OCI image layout"));
    let (_, out) = scan(&["oci:fixtures/oci/olot-sample@v9"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no image `v9`"));
}

/// Three ModelPack images in one layout: CNCF with config licenses, a raw LICENSE, a raw
/// safetensors and a compressed weight layer (never unpacked); CNCF with a `tar+gzip` doc
/// layer (card and LICENSE); the older CNAI types with a `tar+zstd` doc layer and a GGUF
/// inside a plain weight tar.
fn modelpack_layout(dir: &Path) {
    let b = Blobs::new(dir);
    let apache = {
        let config = json!({"descriptor": {"name": "acme/tiny", "version": "1.0",
                                           "licenses": ["Apache-2.0"]},
                            "config": {"format": "safetensors"},
                            "modelfs": {"type": "layers", "diffIds": []}});
        let layers = vec![
            b.put(
                DOC_RAW,
                text("apache-2.0").as_bytes(),
                json!({"org.cncf.model.filepath": "LICENSE"}),
            ),
            b.put(
                WEIGHT_RAW,
                &safetensors(&[("license", "apache-2.0")], 16),
                json!({"org.cncf.model.filepath": "model.safetensors"}),
            ),
            // Not zstd at all: reading it would be a finding.
            b.put(
                "application/vnd.cncf.model.weight.v1.tar+zstd",
                b"not really zstd",
                json!({"org.cncf.model.filepath": "shards.tar.zst"}),
            ),
        ];
        b.manifest(b.put_json(MP_CONFIG, &config), layers, Some(MP_MANIFEST))
    };
    let mit = {
        let config = json!({"descriptor": {"licenses": ["MIT"]}, "config": {},
                            "modelfs": {"type": "layers", "diffIds": []}});
        let docs = tar(&[
            ("README.md", b"---\nlicense: mit\n---\n# Tiny MIT model\n"),
            ("LICENSE", text("mit").as_bytes()),
        ]);
        let layers = vec![b.put(DOC_GZIP, &gzip(&docs), json!({}))];
        b.manifest(b.put_json(MP_CONFIG, &config), layers, Some(MP_MANIFEST))
    };
    let cnai = {
        let config = json!({"descriptor": {"name": "old/cnai", "licenses": ["MIT"]},
                            "config": {}, "modelfs": {"type": "layers", "diff_ids": []}});
        let docs = tar(&[("LICENSE", text("mit").as_bytes())]);
        let gguf = Gguf::new().s("general.license", "mit").bytes();
        let weights = tar(&[("model.gguf", &gguf)]);
        let layers = vec![
            b.put(
                "application/vnd.cnai.model.doc.v1.tar+zstd",
                &zstd(&docs),
                json!({"org.cnai.model.filepath": "LICENSE"}),
            ),
            b.put(
                "application/vnd.cnai.model.weight.v1.tar",
                &weights,
                json!({}),
            ),
        ];
        b.manifest(
            b.put_json("application/vnd.cnai.model.config.v1+json", &config),
            layers,
            Some("application/vnd.cnai.model.manifest.v1+json"),
        )
    };
    let manifests = [("apache", apache), ("mit", mit), ("cnai", cnai)]
        .into_iter()
        .map(|(r, m)| named(b.put_json(OCI_MANIFEST, &m), r))
        .collect();
    b.layout(manifests);
}

#[test]
fn modelpack_layouts_read_config_licenses_raw_and_archived_files() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    modelpack_layout(&layout);
    let target = format!("oci:{}", layout.display());
    let (report, out) = scan(&[&target], &[]);
    ok(&out);
    assert_eq!(models(&report).len(), 3, "{report:#}");

    let apache = model(&report, "@apache");
    assert_eq!(apache["kind"], "oci");
    assert_eq!(apache["name"], "acme/tiny:1.0");
    assert_eq!(apache["license"]["key"], "apache-2.0", "{apache:#}");
    assert_eq!(apache["licenses"], json!(["apache-2.0"]));
    for source in ["oci-config", "license-file", "safetensors"] {
        assert!(sources(apache).contains(&source), "{source}: {apache:#}");
    }
    assert!(codes(apache).is_empty(), "{apache:#}");

    let mit = model(&report, "@mit");
    assert_eq!(mit["licenses"], json!(["mit"]), "{mit:#}");
    assert_eq!(status(mit, "commercial_use"), "allowed");
    for source in ["oci-config", "model-card", "license-file"] {
        assert!(sources(mit).contains(&source), "{source}: {mit:#}");
    }

    let cnai = model(&report, "@cnai");
    assert_eq!(cnai["name"], "old/cnai");
    assert_eq!(cnai["licenses"], json!(["mit"]), "{cnai:#}");
    for source in ["oci-config", "license-file", "gguf"] {
        assert!(sources(cnai).contains(&source), "{source}: {cnai:#}");
    }

    // One image by ref name, the same verdict; by path, the layout is recognised.
    let (report, out) = scan(&[&format!("{target}@mit")], &[]);
    ok(&out);
    assert_eq!(models(&report).len(), 1);
    assert_eq!(models(&report)[0]["licenses"], json!(["mit"]));
    let (report, out) = scan(&[layout.to_str().unwrap()], &[]);
    ok(&out);
    assert_eq!(models(&report).len(), 3);
}

/// A KServe-style modelcar: a plain single-arch image whose gzip layers hold the OS and,
/// under `models/`, the model. Only `models/` is the model; a `..` name is only a name.
#[test]
fn modelcar_images_read_only_the_models_folder() {
    let dir = tempfile::tempdir().unwrap();
    let b = Blobs::new(dir.path());
    let os = tar(&[
        ("bin/sh", b"\x7fELF"),
        ("usr/share/doc/LICENSE", text("gpl-3.0").as_bytes()),
    ]);
    let gguf = Gguf::new()
        .kv("tokenizer.ggml.scores", Val::F32s(vec![0.5; 4096]))
        .s("general.license", "mit")
        .bytes();
    let model_files = tar(&[
        ("models/README.md", b"---\nlicense: mit\n---\n# car\n"),
        ("models/q4.gguf", &gguf),
        ("models/LICENSE", text("mit").as_bytes()),
        (
            "models/model.safetensors",
            &safetensors(&[("license", "mit")], 8),
        ),
        ("models/../notes/LICENSE", text("mit").as_bytes()),
        ("models/.wh.NOTICE", b""),
    ]);
    let layers = vec![
        b.put(
            "application/vnd.oci.image.layer.v1.tar+gzip",
            &gzip(&os),
            json!({}),
        ),
        b.put(
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            &gzip(&model_files),
            json!({}),
        ),
    ];
    let config = b.put_json(
        "application/vnd.oci.image.config.v1+json",
        &json!({"architecture": "amd64", "os": "linux"}),
    );
    let manifest = b.manifest(config, layers, None);
    b.layout(vec![named(b.put_json(OCI_MANIFEST, &manifest), "v1")]);

    let (report, out) = scan(&[&format!("oci:{}@v1", dir.path().display())], &[]);
    ok(&out);
    let m = &models(&report)[0];
    assert_eq!(m["licenses"], json!(["mit"]), "{m:#}");
    let paths: Vec<&str> = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    for p in [
        "README.md",
        "LICENSE",
        "model.safetensors",
        "q4.gguf",
        "models/../notes/LICENSE",
    ] {
        assert!(paths.contains(&p), "{p}: {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.contains("usr/share")), "{paths:?}");
}

#[test]
fn lying_blobs_are_findings_and_the_rest_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let b = Blobs::new(dir.path());
    let gguf = b.put(
        "application/vnd.docker.ai.gguf.v3",
        &Gguf::new().s("general.license", "apache-2.0").bytes(),
        json!({}),
    );
    // A license whose digest lies: another text stored under its name.
    let mut lying = b.put(
        "application/vnd.docker.ai.license",
        text("apache-2.0").as_bytes(),
        json!({}),
    );
    let other = b.put("x", text("mit").as_bytes(), json!({}));
    fs::copy(
        dir.path().join(format!(
            "blobs/sha256/{}",
            &other["digest"].as_str().unwrap()[7..]
        )),
        dir.path().join(format!(
            "blobs/sha256/{}",
            &lying["digest"].as_str().unwrap()[7..]
        )),
    )
    .unwrap();
    lying["size"] = other["size"].clone();
    // A card whose size lies, and a layer whose blob is missing.
    let mut card = b.put(
        DOC_RAW,
        b"---\nlicense: apache-2.0\n---\n",
        json!({"org.cncf.model.filepath": "README.md"}),
    );
    card["size"] = json!(card["size"].as_u64().unwrap() + 1);
    let mut missing = gguf.clone();
    missing["digest"] = json!(format!("sha256:{}", "0".repeat(64)));
    let config = b.put_json(
        DOCKER_CONFIG,
        &json!({"config": {"gguf": {"general.license": "apache-2.0"}}}),
    );
    let manifest = b.manifest(config, vec![lying, card, gguf, missing], None);
    b.layout(vec![named(b.put_json(OCI_MANIFEST, &manifest), "latest")]);

    let (report, out) = scan(&[&format!("oci:{}", dir.path().display())], &[]);
    assert_eq!(out.status.code(), Some(2), "the lying blobs are named");
    let m = &models(&report)[0];
    let found = codes(m);
    assert_eq!(
        found.iter().filter(|c| **c == "oci-blob-mismatch").count(),
        2,
        "{m:#}"
    );
    assert!(found.contains(&"unreadable-license"), "{m:#}");
    assert!(found.contains(&"unreadable-file"), "{m:#}");
    // The good layers and the config are still read; the unread license leaves every
    // permission unknown.
    assert!(sources(m).contains(&"gguf"), "{m:#}");
    assert!(sources(m).contains(&"oci-config"), "{m:#}");
    assert_eq!(status(m, "commercial_use"), "unknown");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not match its digest"), "{stderr}");
}

#[test]
fn a_huge_weight_layer_is_read_no_further_than_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let b = Blobs::new(dir.path());
    let header = Gguf::new().s("general.license", "apache-2.0").bytes();
    // A sparse 1 TiB blob: reading (or hashing) it would take hours, its header no time.
    let huge = 1u64 << 40;
    let hex = "a".repeat(64);
    let file = fs::File::create(dir.path().join("blobs/sha256").join(&hex)).unwrap();
    (&file).write_all(&header).unwrap();
    file.set_len(huge).unwrap();
    let sparse = json!({"mediaType": "application/vnd.docker.ai.gguf.v3",
                        "digest": format!("sha256:{hex}"), "size": huge});
    // A descriptor that claims 10 GB for a short file: a mismatch, not read at all.
    let mut short = b.put(
        "application/vnd.docker.ai.gguf.v3",
        &Gguf::new().s("general.license", "mit").bytes(),
        json!({}),
    );
    short["size"] = json!(10_000_000_000u64);
    let config = b.put_json(DOCKER_CONFIG, &json!({"config": {}}));
    let manifest = b.manifest(config, vec![sparse, short], None);
    b.layout(vec![named(b.put_json(OCI_MANIFEST, &manifest), "big")]);

    let start = Instant::now();
    let (report, out) = scan(&[&format!("oci:{}", dir.path().display())], &[]);
    assert!(start.elapsed() < Duration::from_secs(30));
    let m = &models(&report)[0];
    assert_eq!(m["licenses"], json!(["apache-2.0"]), "{m:#}");
    assert!(codes(m).contains(&"oci-blob-mismatch"), "{m:#}");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_olot_fixture_is_one_model() {
    for target in [
        "oci:fixtures/oci/olot-sample",
        "oci:fixtures/oci/olot-sample@latest",
        "fixtures/oci/olot-sample",
    ] {
        let (report, out) = scan(&[target], &[]);
        ok(&out);
        assert_eq!(models(&report).len(), 1, "{target}: {report:#}");
        let m = &models(&report)[0];
        assert_eq!(m["target"], "oci:fixtures/oci/olot-sample@latest");
        assert_eq!(m["licenses"], json!(["apache-2.0"]), "{m:#}");
        for source in ["model-card", "license-file", "safetensors"] {
            assert!(sources(m).contains(&source), "{source}: {m:#}");
        }
        // The fixture's LICENSE holds only the license's title lines.
        assert_eq!(codes(m), ["license-text-absent"], "{m:#}");
    }
}

/// olot on PATH, or at $OLOT.
fn olot() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("OLOT").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("olot"))
        .find(|p| p.is_file())
}

/// The layout olot appends to (as fixtures/oci/make_base_layout.py writes it): `index.json`
/// -> an image index -> an image manifest with one layer holding the folder `models/`.
fn base_layout(dir: &Path) {
    let b = Blobs::new(dir);
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_path("models").unwrap();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_mode(0o775);
    header.set_mtime(0);
    header.set_size(0);
    header.set_cksum();
    builder.append(&header, &[][..]).unwrap();
    let layer = builder.into_inner().unwrap();
    let layer = b.put("application/vnd.oci.image.layer.v1.tar", &layer, json!({}));
    let config = json!({"architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "base layer"}]});
    let config = b.put_json("application/vnd.oci.image.config.v1+json", &config);
    let manifest = b.put_json(OCI_MANIFEST, &b.manifest(config, vec![layer], None));
    let mut manifest = manifest;
    manifest["platform"] = json!({"architecture": "amd64", "os": "linux"});
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [manifest]});
    b.layout(vec![named(b.put_json(OCI_INDEX, &index), "latest")]);
}

#[test]
#[ignore = "needs olot"]
fn olot_layouts_scan_as_one_model() {
    let olot = olot().expect("olot on PATH or at $OLOT");
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    base_layout(&layout);
    let files = dir.path().join("files");
    fs::create_dir_all(&files).unwrap();
    fs::write(
        files.join("README.md"),
        "---\nlicense: apache-2.0\n---\n# Tiny\n",
    )
    .unwrap();
    fs::write(files.join("LICENSE"), text("apache-2.0")).unwrap();
    fs::write(
        files.join("model.safetensors"),
        safetensors(&[("license", "apache-2.0")], 8),
    )
    .unwrap();
    let status = Command::new(&olot)
        .arg("--add-modelpack")
        .arg("-m")
        .arg(files.join("README.md"))
        .arg(&layout)
        .arg(files.join("LICENSE"))
        .arg(files.join("model.safetensors"))
        .status()
        .unwrap();
    assert!(status.success(), "olot failed");
    let (report, out) = scan(&[&format!("oci:{}", layout.display())], &[]);
    ok(&out);
    assert_eq!(models(&report).len(), 1, "{report:#}");
    let m = &models(&report)[0];
    assert_eq!(m["license"]["key"], "apache-2.0", "{m:#}");
    assert_eq!(m["licenses"], json!(["apache-2.0"]), "{m:#}");
    assert!(report["errors"].as_array().unwrap().is_empty());
    assert!(codes(m).is_empty(), "{m:#}");
}
