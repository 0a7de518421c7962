//! Stores and weight files from the command line: HF cache, Ollama, LM Studio, GGUF,
//! default locations from the environment, and lineage.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::formats::writer::{safetensors, Gguf};
use crate::util::{codes, license_text as text, model, root, status};

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Runs `model-license scan ARGS --format json` with `env` set and the store variables cleared.
fn scan(args: &[&str], env: &[(&str, &Path)]) -> (Value, std::process::Output) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_model-license"));
    cmd.arg("scan")
        .args(args)
        .args(["--format", "json"])
        .current_dir(root());
    for k in [
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "HF_HOME",
        "XDG_CACHE_HOME",
        "OLLAMA_MODELS",
        "HOME",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (report, out)
}

/// An HF cache with one repo: README (card), LICENSE and a safetensors file, as symlinks
/// into blobs/, under refs/main's snapshot; an older snapshot with another card.
fn hf_cache(hub: &Path) {
    let repo = hub.join("models--acme--chat-7b");
    write(
        &repo.join("blobs/card-new"),
        b"---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n# chat\n",
    );
    write(
        &repo.join("blobs/card-old"),
        b"---\nlicense: mit\n---\n# chat\n",
    );
    write(&repo.join("blobs/lic"), text("apache-2.0").as_bytes());
    write(
        &repo.join("blobs/st"),
        &safetensors(&[("modelspec.license", "apache-2.0")], 64),
    );
    for (rev, file, blob) in [
        ("bbbb", "README.md", "card-new"),
        ("bbbb", "LICENSE", "lic"),
        ("bbbb", "model.safetensors", "st"),
        ("aaaa", "README.md", "card-old"),
    ] {
        let link = repo.join("snapshots").join(rev).join(file);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(format!("../../blobs/{blob}"), link).unwrap();
    }
    write(&repo.join("refs/main"), b"bbbb");
}

#[test]
fn hf_cache_targets_name_repos_and_follow_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let hub = dir.path().join("hub");
    hf_cache(&hub);
    // By path (layout detected), by hf-cache:DIR, and by the HF_HUB_CACHE default.
    for (args, env) in [
        (vec![hub.to_str().unwrap().to_string()], vec![]),
        (vec![format!("hf-cache:{}", hub.display())], vec![]),
        (
            vec!["hf-cache:".to_string()],
            vec![("HF_HUB_CACHE", hub.as_path())],
        ),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (report, out) = scan(&args, &env);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m = model(&report, "acme/chat-7b");
        assert_eq!(m["kind"], "hf-cache");
        assert_eq!(m["name"], "acme/chat-7b");
        // Declares Apache-2.0 but its base is Llama 3.1: the stricter terms carry over.
        assert!(
            m["licenses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == "llama3.1"),
            "{m:#}"
        );
        assert_eq!(status(m, "commercial_use"), "conditional");
        assert!(codes(m).contains(&"inherited-license"));
        assert!(m["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["source"] == "safetensors"));
    }
    let (report, _) = scan(
        &["--all-revisions", &format!("hf-cache:{}", hub.display())],
        &[],
    );
    assert_eq!(report["models"].as_array().unwrap().len(), 2);
    // HF_HOME/hub is the next default.
    let (report, _) = scan(&["hf-cache:"], &[("HF_HOME", dir.path())]);
    assert_eq!(report["models"].as_array().unwrap().len(), 1);
    // The legacy HUGGINGFACE_HUB_CACHE, with a `~`, as huggingface_hub reads it; HF_HUB_CACHE
    // wins over it.
    let tilde = Path::new("~/hub");
    let (report, out) = scan(
        &["hf-cache:"],
        &[("HUGGINGFACE_HUB_CACHE", tilde), ("HOME", dir.path())],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(report["models"].as_array().unwrap().len(), 1);
    let nowhere = dir.path().join("nowhere");
    let (_, out) = scan(
        &["hf-cache:"],
        &[("HF_HUB_CACHE", &nowhere), ("HUGGINGFACE_HUB_CACHE", &hub)],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "HF_HUB_CACHE is the one looked in"
    );
}

#[test]
fn a_sentence_transformers_repository_is_one_model() {
    // all-MiniLM-L6-v2 as shipped: modules.json, 1_Pooling/, onnx/, openvino/.
    let (report, out) = scan(&["fixtures/layouts/all-MiniLM-L6-v2"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let models = report["models"].as_array().unwrap();
    assert_eq!(models.len(), 1, "{report:#}");
    assert_eq!(models[0]["license"]["key"], "apache-2.0");
    // A part folder with a card of its own is still its own model; without a parts
    // manifest, a sub-folder with a config is one too (as before).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("pipe/model_index.json"), b"{}");
    write(&d.join("pipe/README.md"), b"---\nlicense: mit\n---\n");
    write(&d.join("pipe/unet/config.json"), b"{}");
    write(&d.join("pipe/vae/config.json"), b"{}");
    write(
        &d.join("pipe/extra/README.md"),
        b"---\nlicense: apache-2.0\n---\n",
    );
    write(&d.join("plain/README.md"), b"---\nlicense: mit\n---\n");
    write(&d.join("plain/sub/config.json"), b"{}");
    let (report, _) = scan(&[d.to_str().unwrap()], &[]);
    let mut targets: Vec<String> = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let t = m["target"].as_str().unwrap();
            t.strip_prefix(d.to_str().unwrap()).unwrap().to_string()
        })
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        ["/pipe", "/pipe/extra", "/plain", "/plain/sub"],
        "{report:#}"
    );
}

fn ollama_store(store: &Path) {
    let blob = |n: u8, bytes: &[u8]| {
        let digest = format!("{n:064x}");
        write(&store.join(format!("blobs/sha256-{digest}")), bytes);
        format!("sha256:{digest}")
    };
    let gguf = blob(1, &Gguf::new().s("general.license", "llama3.2").bytes());
    let license = blob(
        2,
        format!("{}\n\n{}", text("llama3.2"), text("llama3.2-aup")).as_bytes(),
    );
    let manifest = serde_json::json!({"schemaVersion": 2, "layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": gguf, "size": 1},
        {"mediaType": "application/vnd.ollama.image.license", "digest": license, "size": 1}]});
    write(
        &store.join("manifests/registry.ollama.ai/library/llama3.2/1b"),
        manifest.to_string().as_bytes(),
    );
    write(
        &store.join("manifests/registry.ollama.ai/library/broken/latest"),
        b"{\"layers\": [",
    );
}

#[test]
fn ollama_targets_use_the_license_layers_and_name_models_as_ollama_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("models");
    ollama_store(&store);
    let (report, out) = scan(&[&format!("ollama:{}", store.display())], &[]);
    let m = model(&report, "llama3.2:1b");
    assert_eq!(m["license"]["key"], "llama3.2");
    assert!(m["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k == "llama3.2-aup"));
    assert!(m["matrix"]["restrictions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "geographic"));
    assert!(codes(model(&report, "broken:latest")).contains(&"malformed-metadata"));
    assert_eq!(out.status.code(), Some(2), "the broken manifest is named");
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken"));
    // OLLAMA_MODELS default, and one model by its Ollama name.
    let (report, _) = scan(
        &["ollama:llama3.2:1b"],
        &[("OLLAMA_MODELS", store.as_path())],
    );
    assert_eq!(report["models"].as_array().unwrap().len(), 1);
    let (_, out) = scan(&["ollama:nope:1b"], &[("OLLAMA_MODELS", store.as_path())]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lmstudio_targets_read_gguf_headers_and_folder_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join(".lmstudio/models");
    write(
        &models.join("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF/model-Q4_K_M.gguf"),
        &Gguf::new()
            .s("general.name", "Meta Llama 3.1 8B Instruct")
            .bytes(),
    );
    write(
        &models.join("acme/nc-model-GGUF/nc.Q8_0.gguf"),
        &Gguf::new().s("general.license", "cc-by-nc-4.0").bytes(),
    );
    let (report, out) = scan(&["lmstudio:"], &[("HOME", dir.path())]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let llama = model(&report, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF");
    assert_eq!(llama["kind"], "lmstudio");
    // The name names its parent: its terms are inherited and listed apart; the GGUF
    // itself declares no license of its own.
    assert!(llama["license"].is_null(), "{llama:#}");
    assert_eq!(
        llama["inherited_licenses"],
        serde_json::json!(["llama3.1"]),
        "{llama:#}"
    );
    assert_eq!(status(llama, "commercial_use"), "conditional");
    assert!(codes(llama).contains(&"inherited-license"));
    assert_eq!(
        status(model(&report, "acme/nc-model-GGUF"), "commercial_use"),
        "forbidden"
    );
}

#[test]
fn a_gguf_written_by_llama_cpp_is_a_target() {
    let (report, out) = scan(
        &[
            "fixtures/gguf/llama-cpp-writer-le.gguf",
            "fixtures/gguf/llama-cpp-writer-be.gguf",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for m in report["models"].as_array().unwrap() {
        assert!(
            m["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["source"] == "gguf"),
            "{m:#}"
        );
        assert!(m["license"].is_object(), "{m:#}");
    }
}

#[test]
fn a_missing_default_store_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (report, out) = scan(
        &["ollama:"],
        &[("OLLAMA_MODELS", &dir.path().join("absent"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no ollama store found"));
}

#[test]
fn metadata_that_disagrees_with_the_card_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let card = |license: &str, tags: &str| {
        format!("---\nlicense: {license}\ntags:\n{tags}---\n# m\n").into_bytes()
    };
    // GGUF header says another license than the card.
    write(&d.join("gguf/README.md"), &card("apache-2.0", ""));
    write(
        &d.join("gguf/model.gguf"),
        &Gguf::new().s("general.license", "cc-by-nc-4.0").bytes(),
    );
    // A license:* tag that disagrees, and one that agrees.
    write(
        &d.join("tag/README.md"),
        &card("mit", "- license:cc-by-nc-4.0\n"),
    );
    write(
        &d.join("same/README.md"),
        &card("apache-2.0", "- license:apache-2.0\n"),
    );
    let (report, _) = scan(&[d.to_str().unwrap()], &[]);
    for (suffix, conflict) in [("/gguf", true), ("/tag", true), ("/same", false)] {
        let m = model(&report, suffix);
        assert_eq!(codes(m).contains(&"license-conflict"), conflict, "{m:#}");
        if conflict {
            // The verdict follows the most restrictive: CC BY-NC forbids commercial use.
            assert_eq!(status(m, "commercial_use"), "forbidden", "{m:#}");
        }
    }
}

#[test]
fn an_mlflow_transformers_model_is_one_model_with_its_card_and_declared_license() {
    // As mlflow.transformers 3.17 saves a model: the card split into model_card_data.yaml
    // (front matter, keys sorted) and model_card.md (body), weights under model/, a
    // tokenizer under components/, and LICENSE.txt, its note when the Hub repo had no
    // license file.
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("nllb");
    write(
        &m.join("MLmodel"),
        b"flavors:\n  transformers:\n    model_binary: model\n    source_model_name: facebook/nllb-200-distilled-600M\n    task: translation\n",
    );
    write(
        &m.join("model_card_data.yaml"),
        b"base_model: facebook/nllb-200-distilled-600M\nlanguage:\n- en\nlicense: cc-by-nc-4.0\n",
    );
    write(
        &m.join("model_card.md"),
        b"\n# NLLB-200\n\nA translation model.\n",
    );
    write(
        &m.join("LICENSE.txt"),
        b"A license file could not be found for the 'facebook/nllb-200-distilled-600M' repository. \nTo ensure that you are in compliance with the license requirements for this model, please visit the model repository here: https://huggingface.co/facebook/nllb-200-distilled-600M\nThe declared license type is: 'cc-by-nc-4.0'",
    );
    write(&m.join("model/config.json"), b"{}");
    write(&m.join("model/model.safetensors"), &safetensors(&[], 16));
    write(&m.join("components/tokenizer/tokenizer_config.json"), b"{}");
    let (report, out) = scan(&[m.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    let models = report["models"].as_array().unwrap();
    assert_eq!(models.len(), 1, "{report:#}");
    let v = &models[0];
    assert_eq!(v["license"]["key"], "cc-by-nc-4.0");
    assert_eq!(status(v, "commercial_use"), "forbidden");
    assert_eq!(v["base_models"][0], "facebook/nllb-200-distilled-600M");
    // The note is a declared license, not an unidentified license text.
    assert!(
        !codes(v).contains(&"low-confidence") && !codes(v).contains(&"added-terms"),
        "{v:#}"
    );
    assert!(v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "LICENSE.txt" && e["license"] == "cc-by-nc-4.0"));
}
