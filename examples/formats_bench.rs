//! Benchmark: scanning 60 GB of (sparse) weight files reads only their headers.
//!
//! Run: `cargo run --release --example formats_bench [DIR]` (DIR defaults to a temp dir; it
//! must be on a filesystem with sparse files). Builds a model folder of 6 safetensors
//! shards and 6 GGUF quants, 5 GB each, every one with a real header at its start, then
//! times three scans of it (a plain folder, an LM Studio store, an HF cache whose blobs are
//! hard links to the same files) and counts the bytes the process read (`rchar` of
//! /proc/self/io). Figures are in docs/formats-bench.md.
#![allow(clippy::print_stdout)] // a benchmark reports on stdout

#[path = "../tests/formats/writer.rs"]
mod writer;

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use model_license::scan::Scanner;
use model_license::source::gather::gather_folder;
use model_license::source::{scan_hf_cache, scan_lmstudio, Model, TargetKind};
use model_license::Db;
use writer::{Gguf, Val};

const FILE_SIZE: u64 = 5_000_000_000;

/// Bytes this process has read through read(2) and friends.
fn rchar() -> u64 {
    fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("rchar: ").map(|v| v.trim().parse().ok()))
        })
        .flatten()
        .unwrap_or(0)
}

/// Writes `header` at the start of a sparse file of FILE_SIZE bytes.
fn sparse(path: &Path, header: &[u8]) {
    let mut f = File::create(path).expect("create");
    f.write_all(header).expect("write");
    f.set_len(FILE_SIZE).expect("set_len");
}

/// A safetensors header like a 7B shard's: ~300 tensor entries plus `__metadata__`.
fn safetensors_header(shard: usize) -> Vec<u8> {
    let mut map = serde_json::Map::new();
    let mut offset = 0u64;
    for i in 0..300 {
        let size = 16_000_000u64;
        map.insert(
            format!("model.layers.{i}.self_attn.q_proj.weight"),
            serde_json::json!({"dtype": "BF16", "shape": [4096, 4096],
                               "data_offsets": [offset, offset + size]}),
        );
        offset += size;
    }
    map.insert(
        "__metadata__".into(),
        serde_json::json!({"format": "pt", "license": "apache-2.0", "shard": shard.to_string()}),
    );
    let json = serde_json::Value::Object(map).to_string();
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend(json.as_bytes());
    out
}

/// A GGUF header like a small quant's: license and lineage keys and a 2,000-token vocab.
fn gguf_header(vocab: usize) -> Vec<u8> {
    let mut g = Gguf::new()
        .s("general.architecture", "llama")
        .s("general.name", "Bench Model")
        .s("general.license", "apache-2.0")
        .kv("general.base_model.count", Val::U32(1))
        .s(
            "general.base_model.0.repo_url",
            "https://huggingface.co/acme/base",
        )
        .kv(
            "tokenizer.ggml.tokens",
            Val::Strs((0..vocab).map(|i| format!("token{i}")).collect()),
        )
        .kv("tokenizer.ggml.scores", Val::F32s(vec![0.0; vocab]));
    g.tensors = 291;
    g.bytes()
}

fn measure(label: &str, f: impl FnOnce() -> Vec<Model>) {
    let before = rchar();
    let start = Instant::now();
    let models = f();
    let elapsed = start.elapsed();
    let read = rchar() - before;
    let claims: usize = models.iter().map(|m| m.declared.len()).sum();
    println!(
        "{label:<28} {:>8.2} ms  {:>9} bytes read  {} model(s), {claims} license claims",
        elapsed.as_secs_f64() * 1000.0,
        read,
        models.len()
    );
}

fn main() {
    let arg = std::env::args().nth(1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = arg
        .map(Into::into)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let lm = root.join("lmstudio/acme/bench-model-GGUF");
    let repo = root.join("hub/models--acme--bench-model");
    let snapshot = repo.join("snapshots/0123456789abcdef0123456789abcdef01234567");
    for d in [&lm, &repo.join("blobs"), &repo.join("refs"), &snapshot] {
        fs::create_dir_all(d).expect("mkdir");
    }
    fs::write(
        repo.join("refs/main"),
        "0123456789abcdef0123456789abcdef01234567",
    )
    .expect("refs");
    let gguf = gguf_header(2000);
    for i in 1..=6 {
        let st = lm.join(format!("model-{i:05}-of-00006.safetensors"));
        sparse(&st, &safetensors_header(i));
        let gg = lm.join(format!("bench-model.Q{i}_K.gguf"));
        sparse(&gg, &gguf);
        for (path, blob) in [(&st, format!("st{i}")), (&gg, format!("gg{i}"))] {
            fs::hard_link(path, repo.join("blobs").join(&blob)).expect("hard link");
            let name = path.file_name().expect("name");
            std::os::unix::fs::symlink(format!("../../blobs/{blob}"), snapshot.join(name))
                .expect("symlink");
        }
    }
    let apparent: u64 = fs::read_dir(&lm)
        .expect("read_dir")
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "folder: 12 files, {:.1} GB apparent; GGUF header {} bytes, safetensors header {} bytes",
        apparent as f64 / 1e9,
        gguf.len(),
        safetensors_header(1).len()
    );
    measure("plain folder (gather)", || {
        let mut m = Model::new(lm.display().to_string(), TargetKind::Directory);
        gather_folder(&mut m, &lm);
        vec![m]
    });
    // The whole scan a user runs (`model-license scan DIR`): walk, headers, identification,
    // verdict; the license-db is loaded first, as the CLI does once per run.
    let scanner = Scanner::new(Db::embedded().expect("license-db"));
    let before = rchar();
    let start = Instant::now();
    let report = scanner.scan(&[lm.display().to_string()]);
    println!(
        "{:<28} {:>8.2} ms  {:>9} bytes read  {} model(s), license {}",
        "full scan (Scanner::scan)",
        start.elapsed().as_secs_f64() * 1000.0,
        rchar() - before,
        report.models.len(),
        report.models[0]
            .license
            .as_ref()
            .map_or("none", |l| l.key.as_str())
    );
    measure("lm studio store", || scan_lmstudio(&root.join("lmstudio")));
    measure("hf cache (symlinked blobs)", || {
        scan_hf_cache(&root.join("hub"), false)
    });
    // One real-sized tokenizer: Llama 3's 128,256 tokens.
    let big = root.join("llama3-vocab.gguf");
    sparse(&big, &gguf_header(128_256));
    let size = fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    let before = rchar();
    let start = Instant::now();
    let meta = model_license::source::gguf::read_gguf(&big).expect("gguf");
    println!(
        "one GGUF, 128,256-token vocab {:>8.2} ms  {:>9} bytes read  (header {} bytes of {size})",
        start.elapsed().as_secs_f64() * 1000.0,
        rchar() - before,
        meta.header_bytes
    );
}
