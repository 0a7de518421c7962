//! Weight headers and model stores: GGUF, safetensors, HF cache, Ollama, LM Studio.
//! Every fixture is made here, in a temp dir, except the GGUF files written by llama.cpp's
//! own writer under fixtures/gguf/ (with the script that made them).

pub mod writer;

use std::fs;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use model_license::source::gguf::{read_gguf, read_gguf_from};
use model_license::source::safetensors::read_safetensors;
use model_license::source::{
    claims_from_weight_file, detect_layout, scan_hf_cache, scan_lmstudio, scan_ollama, Layout,
    Model, TargetKind,
};
use model_license::{Code, SourceKind};
use writer::{safetensors, Gguf, Val};

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn llama_gguf(version: u32, big_endian: bool) -> Gguf {
    let mut g = Gguf::new()
        .s("general.architecture", "llama")
        // A tokenizer-sized neighbour the reader must skip without allocating.
        .kv(
            "tokenizer.ggml.tokens",
            Val::Strs((0..5000).map(|i| format!("tok{i}")).collect()),
        )
        .kv("tokenizer.ggml.scores", Val::F32s(vec![0.5; 5000]))
        .s("general.name", "Tiny Llama")
        .s("general.license", "llama3.1")
        .s("general.license.name", "llama3.1-community")
        .s(
            "general.license.link",
            "https://llama.meta.com/llama3_1/license/",
        )
        .kv("general.base_model.count", Val::U32(2))
        .s("general.base_model.0.name", "Llama 3.1 8B")
        .s("general.base_model.0.organization", "Meta Llama")
        .s(
            "general.base_model.0.repo_url",
            "https://huggingface.co/meta-llama/Llama-3.1-8B",
        )
        .s("general.base_model.1.name", "local-adapter");
    g.version = version;
    g.big_endian = big_endian;
    g.tensors = 1;
    g
}

/// A reader that fails the test if anything past `limit` is read.
struct Guarded {
    inner: Cursor<Vec<u8>>,
    limit: u64,
}

impl Read for Guarded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        assert!(
            self.inner.position() <= self.limit + 64 * 1024,
            "read into tensor data"
        );
        Ok(n)
    }
}

impl Seek for Guarded {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn gguf_v2_v3_little_and_big_endian() {
    for version in [2, 3] {
        for big in [false, true] {
            let header = llama_gguf(version, big).bytes();
            let end = header.len() as u64;
            let mut bytes = header;
            bytes.extend(vec![0x5A; 256 * 1024]); // stands for tensor infos and data
            let len = bytes.len() as u64;
            let guarded = Guarded {
                inner: Cursor::new(bytes),
                limit: end,
            };
            let m = read_gguf_from(guarded, len).unwrap();
            assert_eq!((m.version, m.big_endian), (version, big));
            assert_eq!(m.license, ["llama3.1"]);
            assert_eq!(m.license_name.as_deref(), Some("llama3.1-community"));
            assert!(m.license_link.unwrap().contains("llama3_1"));
            assert_eq!(m.name.as_deref(), Some("Tiny Llama"));
            assert_eq!(m.base_model_count, Some(2));
            assert_eq!(
                m.base_models[0].hub_id().as_deref(),
                Some("meta-llama/Llama-3.1-8B")
            );
            assert_eq!(m.base_models[1].hub_id().as_deref(), Some("local-adapter"));
            assert_eq!(
                m.header_bytes, end,
                "stops where the key-value section ends"
            );
        }
    }
}

#[test]
fn gguf_claims_carry_field_path_and_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.Q4_K_M.gguf");
    let g = Gguf::new().s("general.license", "apache-2.0,mit");
    write(&path, &g.bytes());
    let claims = claims_from_weight_file(&path, "sub/m.Q4_K_M.gguf").unwrap();
    let values: Vec<_> = claims.declared.iter().map(|d| d.value.as_str()).collect();
    assert_eq!(
        values,
        ["apache-2.0", "mit"],
        "gguf-py joins card lists with commas"
    );
    assert!(claims.declared.iter().all(|d| d.source == SourceKind::Gguf
        && d.field == "general.license"
        && d.path.as_deref() == Some("sub/m.Q4_K_M.gguf")));
    assert!(claims.findings.is_empty());

    write(&path, &llama_gguf(3, true).bytes());
    let claims = claims_from_weight_file(&path, "m.gguf").unwrap();
    let fields: Vec<_> = claims.declared.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "general.license",
            "general.license.name",
            "general.license.link"
        ]
    );
    assert_eq!(
        claims.base_models,
        ["meta-llama/Llama-3.1-8B", "local-adapter"]
    );
    assert_eq!(claims.name.as_deref(), Some("Tiny Llama"));
}

/// Asserts `bytes` is refused quickly, with `needle` in the reason.
fn refused(bytes: Vec<u8>, needle: &str) {
    let start = Instant::now();
    let len = bytes.len() as u64;
    let err = read_gguf_from(Cursor::new(bytes), len).expect_err(needle);
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{needle}: too slow"
    );
}

fn patched(mut bytes: Vec<u8>, at: usize, with: &[u8]) -> Vec<u8> {
    bytes[at..at + with.len()].copy_from_slice(with);
    bytes
}

#[test]
fn hostile_gguf_headers_fail_fast() {
    let good = Gguf::new().s("general.license", "mit").bytes();
    refused(patched(good.clone(), 0, b"GGML"), "magic");
    refused(patched(good.clone(), 4, &1u32.to_le_bytes()), "version 1");
    refused(
        patched(good.clone(), 4, &7u32.to_le_bytes()),
        "unknown GGUF version",
    );
    refused(
        patched(good.clone(), 8, &u64::MAX.to_le_bytes()),
        "tensor count",
    );
    refused(
        patched(good.clone(), 16, &u64::MAX.to_le_bytes()),
        "key-value count",
    );
    refused(
        patched(good.clone(), 24, &u64::MAX.to_le_bytes()),
        "key length",
    );
    // The value's string length: after the 15-byte key and the 4-byte type.
    let value_len_at = 24 + 8 + "general.license".len() + 4;
    refused(
        patched(good.clone(), value_len_at, &(1u64 << 40).to_le_bytes()),
        "general.license is",
    );
    refused(
        patched(good.clone(), value_len_at - 4, &99u32.to_le_bytes()),
        "unknown value type",
    );
    // Every truncation of a valid header is an error, never a panic or a hang.
    for cut in 0..good.len() {
        let len = cut as u64;
        assert!(read_gguf_from(Cursor::new(good[..cut].to_vec()), len).is_err());
    }
    // A skipped string whose length runs past the end of the file.
    let other = Gguf::new().s("x.other", "abc").bytes();
    let at = 24 + 8 + "x.other".len() + 4;
    refused(patched(other, at, &u64::MAX.to_le_bytes()), "truncated");
    // Huge arrays: a u8 array past the end, a string array with an absurd count.
    let arr = |elem: u32, count: u64| {
        let mut b = Gguf::new().bytes();
        b[16..24].copy_from_slice(&1u64.to_le_bytes());
        b.extend(3u64.to_le_bytes());
        b.extend(b"k.a");
        b.extend(9u32.to_le_bytes());
        b.extend(elem.to_le_bytes());
        b.extend(count.to_le_bytes());
        b
    };
    refused(arr(0, u64::MAX / 2), "truncated");
    refused(arr(10, u64::MAX / 4), "absurd array length");
    refused(arr(8, 1 << 50), "absurd array length");
    // Arrays of arrays of arrays...
    let mut nested = arr(9, 1);
    for _ in 0..10 {
        nested.extend(9u32.to_le_bytes());
        nested.extend(1u64.to_le_bytes());
    }
    nested.extend([0; 64]);
    refused(nested, "nested too deeply");
}

/// An endless stream of valid, unwanted key-value pairs: only the read budget stops it.
struct Endless {
    pos: u64,
    unit: Vec<u8>,
    header: Vec<u8>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        for b in buf.iter_mut() {
            *b = if (self.pos as usize) < self.header.len() {
                self.header[self.pos as usize]
            } else {
                let i = (self.pos as usize - self.header.len()) % self.unit.len();
                self.unit[i]
            };
            self.pos += 1;
        }
        Ok(buf.len())
    }
}

impl Seek for Endless {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match pos {
            SeekFrom::Start(p) => self.pos = p,
            SeekFrom::Current(d) => self.pos = self.pos.checked_add_signed(d).unwrap(),
            SeekFrom::End(_) => unreachable!(),
        }
        Ok(self.pos)
    }
}

#[test]
fn gguf_header_read_is_capped() {
    let mut header = Gguf::new().bytes();
    header[16..24].copy_from_slice(&2_000_000u64.to_le_bytes());
    let unit = Gguf::new().s("k", "v").bytes()[24..].to_vec();
    let endless = Endless {
        pos: 0,
        unit,
        header,
    };
    let start = Instant::now();
    let err = read_gguf_from(endless, 1 << 50).unwrap_err();
    assert!(err.contains("header larger than"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn gguf_from_llama_cpp_writer() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gguf");
    for (file, big) in [
        ("llama-cpp-writer-le.gguf", false),
        ("llama-cpp-writer-be.gguf", true),
    ] {
        let m = read_gguf(&dir.join(file)).unwrap();
        assert_eq!(m.big_endian, big, "{file}");
        assert_eq!(m.license, ["llama3.1"]);
        assert_eq!(m.license_name.as_deref(), Some("llama3.1-community"));
        assert_eq!(m.name.as_deref(), Some("Tiny Llama Fixture"));
        assert_eq!(m.base_models.len(), 2);
        assert_eq!(
            m.base_models[0].hub_id().as_deref(),
            Some("meta-llama/Llama-3.1-8B")
        );
        assert_eq!(m.base_models[0].organization.as_deref(), Some("Meta Llama"));
        assert!(m.header_bytes < fs::metadata(dir.join(file)).unwrap().len());
    }
}

#[test]
#[allow(clippy::print_stdout)] // the skip note is for whoever runs the tests
fn gguf_from_llama_cpp_writer_regenerated() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import gguf"])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        println!("note: python3 with the gguf package is not available; skipping regeneration");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gguf/make_fixtures.py");
    let status = std::process::Command::new("python3")
        .arg(script)
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    for file in ["llama-cpp-writer-le.gguf", "llama-cpp-writer-be.gguf"] {
        let m = read_gguf(&out.path().join(file)).unwrap();
        assert_eq!(m.license, ["llama3.1"], "{file}");
    }
}

#[test]
fn safetensors_metadata_and_hostile_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    write(
        &path,
        &safetensors(
            &[
                ("modelspec.license", "CreativeML-OpenRAIL-M"),
                ("modelspec.title", "Tiny SD"),
                ("format", "pt"),
            ],
            64,
        ),
    );
    let meta = read_safetensors(&path).unwrap();
    assert_eq!(meta.get("format").map(String::as_str), Some("pt"));
    let claims = claims_from_weight_file(&path, "model.safetensors").unwrap();
    assert_eq!(claims.declared.len(), 1);
    assert_eq!(claims.declared[0].field, "modelspec.license");
    assert_eq!(claims.declared[0].source, SourceKind::Safetensors);
    assert_eq!(claims.name.as_deref(), Some("Tiny SD"));

    // A 20 MiB header in a sparse 1 GiB file: refused without reading it.
    let big = dir.path().join("big.safetensors");
    let f = fs::File::create(&big).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let mut bytes = fs::read(&path).unwrap();
    bytes.truncate(8);
    bytes.copy_from_slice(&(20u64 << 20).to_le_bytes());
    let mut f = fs::OpenOptions::new().write(true).open(&big).unwrap();
    std::io::Write::write_all(&mut f, &bytes).unwrap();
    let claims = claims_from_weight_file(&big, "big.safetensors").unwrap();
    assert_eq!(claims.findings[0].code, Code::MalformedMetadata);
    assert!(claims.findings[0].message.contains("limit"));
}

// ---- Hugging Face cache ----

const REV1: &str = "1111111111111111111111111111111111111111";
const REV2: &str = "2222222222222222222222222222222222222222";

fn blob(repo: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = repo.join("blobs").join(name);
    write(&path, bytes);
    path
}

#[cfg(unix)]
fn link(repo: &Path, rev: &str, rel: &str, blob_name: &str) {
    let path = repo.join("snapshots").join(rev).join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let depth = rel.matches('/').count() + 2;
    let target = format!("{}blobs/{blob_name}", "../".repeat(depth));
    std::os::unix::fs::symlink(target, path).unwrap();
}

#[cfg(unix)]
fn hf_cache(root: &Path) -> PathBuf {
    let repo = root.join("models--acme--tiny-llm");
    blob(&repo, "readme1", b"---\nlicense: mit\n---\n# old\n");
    blob(&repo, "readme2", b"---\nlicense: apache-2.0\n---\n# tiny\n");
    blob(&repo, "lic", b"Apache License\nVersion 2.0, January 2004\n");
    blob(&repo, "st", &safetensors(&[("license", "apache-2.0")], 16));
    blob(
        &repo,
        "gg",
        &Gguf::new()
            .s("general.license", "apache-2.0")
            .s(
                "general.base_model.0.repo_url",
                "https://huggingface.co/acme/base",
            )
            .bytes(),
    );
    link(&repo, REV1, "README.md", "readme1");
    link(&repo, REV2, "README.md", "readme2");
    link(&repo, REV2, "LICENSE", "lic");
    link(&repo, REV2, "model.safetensors", "st");
    link(&repo, REV2, "gguf/tiny.Q8_0.gguf", "gg");
    link(&repo, REV2, "original/LICENSE.txt", "missing-blob");
    write(&repo.join("refs/main"), REV2.as_bytes());
    fs::create_dir_all(root.join("models--empty--repo/blobs")).unwrap();
    fs::create_dir_all(root.join("datasets--acme--data/snapshots/x")).unwrap();
    repo
}

/// The card's front-matter license (the README is parsed by the card module).
fn card_license(model: &Model) -> &str {
    model
        .declared
        .iter()
        .find(|d| d.source == SourceKind::ModelCard && d.field == "license")
        .map(|d| d.value.as_str())
        .unwrap_or("")
}

#[cfg(unix)]
#[test]
fn hf_cache_one_model_per_repo_from_refs_main() {
    let dir = tempfile::tempdir().unwrap();
    let repo = hf_cache(dir.path());
    assert_eq!(detect_layout(dir.path()), Some(Layout::HfCache));
    assert_eq!(detect_layout(&repo), Some(Layout::HfCache));

    let models = scan_hf_cache(dir.path(), false);
    let targets: Vec<_> = models.iter().map(|m| m.target.as_str()).collect();
    assert_eq!(targets, ["hf-cache:acme/tiny-llm", "hf-cache:empty/repo"]);
    let m = &models[0];
    assert_eq!(m.kind, TargetKind::HfCache);
    assert_eq!(m.name.as_deref(), Some("acme/tiny-llm"));
    assert_eq!(card_license(m), "apache-2.0");
    let paths: Vec<_> = m
        .documents
        .iter()
        .map(|d| (d.source, d.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            (SourceKind::LicenseFile, "LICENSE"),
            (SourceKind::Readme, "README.md")
        ]
    );
    let declared: Vec<_> = m
        .declared
        .iter()
        .map(|d| (d.source, d.path.as_deref().unwrap()))
        .collect();
    assert_eq!(
        declared,
        [
            (SourceKind::ModelCard, "README.md"),
            (SourceKind::Gguf, "gguf/tiny.Q8_0.gguf"),
            (SourceKind::Safetensors, "model.safetensors")
        ]
    );
    assert_eq!(m.base_models, ["acme/base"]);
    // The dangling symlink (blob never downloaded) is reported, not fatal.
    assert_eq!(m.findings.len(), 1);
    assert_eq!(m.findings[0].code, Code::UnreadableLicense);
    assert_eq!(m.findings[0].path.as_deref(), Some("original/LICENSE.txt"));
    assert_eq!(models[1].findings[0].code, Code::UnreadableFile);

    // A single repo folder scans the same.
    assert_eq!(scan_hf_cache(&repo, false)[0], models[0]);
}

#[cfg(unix)]
#[test]
fn hf_cache_all_revisions_and_missing_refs() {
    let dir = tempfile::tempdir().unwrap();
    let repo = hf_cache(dir.path());
    let models = scan_hf_cache(&repo, true);
    let targets: Vec<_> = models.iter().map(|m| m.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            format!("hf-cache:acme/tiny-llm@{REV1}"),
            format!("hf-cache:acme/tiny-llm@{REV2}")
        ]
    );
    assert_eq!(card_license(&models[0]), "mit");
    assert_eq!(card_license(&models[1]), "apache-2.0");

    // Without refs/main the newest snapshot is read.
    fs::remove_file(repo.join("refs/main")).unwrap();
    let old = fs::File::open(repo.join("snapshots").join(REV2)).unwrap();
    old.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
    let m = &scan_hf_cache(&repo, false)[0];
    assert_eq!(card_license(m), "mit", "REV1 is now the newest");
}

// ---- Ollama ----

const LLAMA_LICENSE: &str =
    "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n...\n";
const LLAMA_AUP: &str =
    "Llama 3.1 Acceptable Use Policy\nMeta is committed to promoting safe and fair use...\n";

fn sha(n: u8) -> String {
    format!("{:064x}", n)
}

fn ollama_blob(store: &Path, n: u8, bytes: &[u8]) -> String {
    write(
        &store.join("blobs").join(format!("sha256-{}", sha(n))),
        bytes,
    );
    format!("sha256:{}", sha(n))
}

fn manifest(store: &Path, rel: &str, layers: &[(&str, &str)]) {
    let layers: Vec<_> = layers
        .iter()
        .map(|(media, digest)| serde_json::json!({"mediaType": media, "digest": digest, "size": 1}))
        .collect();
    let json = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": format!("sha256:{}", sha(99)), "size": 1},
        "layers": layers,
    });
    write(
        &store.join("manifests").join(rel),
        json.to_string().as_bytes(),
    );
}

const MODEL: &str = "application/vnd.ollama.image.model";
const LICENSE: &str = "application/vnd.ollama.image.license";

fn ollama_store(store: &Path) {
    let gguf = Gguf::new().s("general.license", "llama3.1").s(
        "general.base_model.0.repo_url",
        "https://huggingface.co/meta-llama/Llama-3.1-8B",
    );
    let model = ollama_blob(store, 1, &gguf.bytes());
    let lic = ollama_blob(store, 2, format!("{LLAMA_LICENSE}\n{LLAMA_AUP}").as_bytes());
    let template = ollama_blob(store, 3, b"{{ .Prompt }}");
    manifest(
        store,
        "registry.ollama.ai/library/llama3.1/8b",
        &[
            (MODEL, &model),
            ("application/vnd.ollama.image.template", &template),
            (LICENSE, &lic),
        ],
    );
    let hf = ollama_blob(
        store,
        4,
        &Gguf::new().s("general.name", "Llama 3.2 1B").bytes(),
    );
    manifest(
        store,
        "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF/Q4_K_M",
        &[(MODEL, &hf)],
    );
    manifest(
        store,
        "registry.ollama.ai/someone/custom/latest",
        &[(MODEL, &format!("sha256:{}", sha(77))), (LICENSE, &lic)],
    );
    write(
        &store.join("manifests/registry.ollama.ai/library/broken/latest"),
        b"{\"layers\": [",
    );
}

#[test]
fn ollama_store_models_licenses_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    ollama_store(dir.path());
    assert_eq!(detect_layout(dir.path()), Some(Layout::Ollama));
    let models = scan_ollama(dir.path());
    let names: Vec<_> = models.iter().map(|m| m.name.as_deref().unwrap()).collect();
    assert_eq!(
        names,
        [
            "broken:latest",
            "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M",
            "llama3.1:8b",
            "someone/custom:latest"
        ]
    );
    assert!(models.iter().all(|m| m.kind == TargetKind::Ollama));
    assert!(models
        .iter()
        .all(|m| m.target == format!("ollama:{}", m.name.as_deref().unwrap())));

    let broken = &models[0];
    assert_eq!(broken.findings[0].code, Code::MalformedMetadata);
    assert_eq!(
        broken.findings[0].path.as_deref(),
        Some("manifests/registry.ollama.ai/library/broken/latest")
    );

    let hf = &models[1];
    assert_eq!(hf.base_models, ["bartowski/Llama-3.2-1B-Instruct"]);

    let llama = &models[2];
    assert_eq!(llama.documents.len(), 1);
    let doc = &llama.documents[0];
    assert_eq!(doc.source, SourceKind::OllamaLayer);
    assert_eq!(doc.path, format!("blobs/sha256-{}", sha(2)));
    assert!(doc.text.contains("COMMUNITY LICENSE") && doc.text.contains("Acceptable Use Policy"));
    assert_eq!(llama.declared[0].value, "llama3.1");
    assert_eq!(llama.declared[0].source, SourceKind::Gguf);
    assert_eq!(llama.base_models, ["meta-llama/Llama-3.1-8B"]);
    assert!(llama.findings.is_empty());

    let custom = &models[3];
    assert_eq!(custom.documents.len(), 1, "license still read");
    assert_eq!(custom.findings[0].code, Code::UnreadableFile);
    assert!(custom.findings[0]
        .path
        .as_deref()
        .unwrap()
        .ends_with(&sha(77)));
}

// ---- LM Studio ----

#[test]
fn lmstudio_models_by_folder_with_header_lineage_first() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let g = Gguf::new().s("general.license", "llama3.1").s(
        "general.base_model.0.repo_url",
        "https://huggingface.co/meta-llama/Meta-Llama-3.1-8B-Instruct",
    );
    let m1 = root.join("lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF");
    write(
        &m1.join("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"),
        &g.bytes(),
    );
    write(&m1.join("Meta-Llama-3.1-8B-Instruct-Q8_0.gguf"), &g.bytes());
    let m2 = root.join("someone/bare-GGUF");
    write(&m2.join("bare.gguf"), &Gguf::new().bytes());
    write(&m2.join("LICENSE"), b"MIT License\n");
    fs::create_dir_all(root.join("someone/empty")).unwrap();
    fs::create_dir_all(root.join(".internal/x")).unwrap();
    assert_eq!(detect_layout(root), Some(Layout::LmStudio));

    let models = scan_lmstudio(root);
    assert_eq!(models.len(), 2);
    let a = &models[0];
    assert_eq!(
        a.target,
        "lmstudio:lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF"
    );
    assert_eq!(a.kind, TargetKind::Lmstudio);
    assert_eq!(a.declared.len(), 2, "one claim per quant file");
    assert_eq!(
        a.base_models,
        [
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "lmstudio-community/Meta-Llama-3.1-8B-Instruct"
        ]
    );
    let b = &models[1];
    assert_eq!(b.name.as_deref(), Some("someone/bare-GGUF"));
    assert!(b.declared.is_empty());
    assert_eq!(b.documents[0].source, SourceKind::LicenseFile);
    assert_eq!(b.base_models, ["someone/bare"]);
}

#[test]
fn ordinary_folders_are_not_stores() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("README.md"), b"# a model\n");
    write(&root.join("org/model/m.gguf"), &Gguf::new().bytes());
    assert_eq!(
        detect_layout(root),
        None,
        "a card at the top: a model folder"
    );
    let other = tempfile::tempdir().unwrap();
    write(
        &other.path().join("model.safetensors"),
        &safetensors(&[], 4),
    );
    assert_eq!(detect_layout(other.path()), None);
    assert_eq!(detect_layout(&other.path().join("model.safetensors")), None);
}
