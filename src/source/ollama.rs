//! The Ollama model store: `manifests/HOST/NAMESPACE/MODEL/TAG` -> `blobs/sha256-<hex>`.
//!
//! A manifest is JSON listing layers by media type and digest. Every
//! `application/vnd.ollama.image.license` layer is a license text (Ollama keeps them all:
//! often the license and its acceptable-use policy); the model layer is a GGUF whose header
//! may name a license and base models. Models are named as `ollama list` names them.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::files;
use super::lmstudio::lineage_hint;
use super::local::read_document;
use super::model::{Model, TargetKind};
use super::weights::claims_from_gguf;
use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};

/// Ollama's default registry host; models from it are named without it.
pub const DEFAULT_HOST: &str = "registry.ollama.ai";

/// Layer media type of a license text.
pub const LICENSE_LAYER: &str = "application/vnd.ollama.image.license";

/// Layer media types that are GGUF files (the model, a LoRA adapter, a vision projector).
const GGUF_LAYERS: [&str; 3] = [
    "application/vnd.ollama.image.model",
    "application/vnd.ollama.image.adapter",
    "application/vnd.ollama.image.projector",
];

/// Largest manifest read; real ones are about 1 KiB.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Most manifests read from one store.
const MAX_MANIFESTS: usize = 100_000;

#[derive(serde::Deserialize)]
struct Manifest {
    layers: Vec<Layer>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Layer {
    media_type: String,
    digest: String,
}

/// Scans an Ollama models folder (the one holding `manifests/` and `blobs/`): one model per
/// manifest, sorted by name.
pub fn scan_ollama(dir: &Path) -> Vec<Model> {
    let manifests = dir.join("manifests");
    let mut models: Vec<Model> = WalkDir::new(&manifests)
        .min_depth(4)
        .max_depth(4)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .take(MAX_MANIFESTS)
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&manifests).ok()?.to_path_buf();
            Some(scan_manifest(dir, e.path(), &rel))
        })
        .collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models
}

/// The name Ollama shows for `HOST/NAMESPACE/MODEL/TAG`: `llama3.1:8b`,
/// `namespace/model:tag`, `hf.co/org/model:Q4_K_M`.
pub fn model_name(host: &str, namespace: &str, model: &str, tag: &str) -> String {
    if host != DEFAULT_HOST {
        format!("{host}/{namespace}/{model}:{tag}")
    } else if namespace != "library" {
        format!("{namespace}/{model}:{tag}")
    } else {
        format!("{model}:{tag}")
    }
}

fn scan_manifest(store: &Path, path: &Path, rel: &Path) -> Model {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let [host, namespace, model, tag] = [0, 1, 2, 3].map(|i| parts[i].as_str());
    let name = model_name(host, namespace, model, tag);
    let manifest_rel = format!("manifests/{}", parts.join("/"));
    let mut out = Model::new(format!("ollama:{name}"), TargetKind::Ollama);
    out.name = Some(name);
    match read_manifest(path) {
        Ok(manifest) => add_layers(&mut out, store, &manifest),
        Err(why) => out.findings.push(
            Finding::new(
                Code::MalformedMetadata,
                Severity::Warning,
                format!("malformed Ollama manifest: {why}"),
            )
            .at(manifest_rel),
        ),
    }
    // A model pulled from the Hub is a build of that repo: its name is a lineage hint.
    if host == "hf.co" || host == "huggingface.co" {
        let hint = lineage_hint(namespace, model);
        if !out.base_models.contains(&hint) {
            out.base_models.push(hint);
        }
    }
    out
}

fn read_manifest(path: &Path) -> Result<Manifest, String> {
    let text = files::read_text(path, MAX_MANIFEST_BYTES).map_err(|e| e.to_string())?;
    if text.truncated {
        return Err(format!("larger than {MAX_MANIFEST_BYTES} bytes"));
    }
    serde_json::from_str(&text.content).map_err(|e| e.to_string())
}

fn add_layers(model: &mut Model, store: &Path, manifest: &Manifest) {
    for layer in &manifest.layers {
        let is_license = layer.media_type == LICENSE_LAYER;
        let is_gguf = GGUF_LAYERS.contains(&layer.media_type.as_str());
        if !is_license && !is_gguf {
            continue;
        }
        let Some(blob) = blob_path(store, &layer.digest) else {
            model.findings.push(Finding::new(
                Code::MalformedMetadata,
                Severity::Warning,
                format!("layer digest {:?} is not sha256:<64 hex>", layer.digest),
            ));
            continue;
        };
        if !blob.exists() {
            model.findings.push(
                Finding::new(
                    Code::UnreadableFile,
                    Severity::Warning,
                    format!("{} layer blob is missing", layer.media_type),
                )
                .at(format!("blobs/{}", layer.digest.replace(':', "-"))),
            );
            continue;
        }
        if is_license {
            if let Some(doc) = read_document(model, store, &blob, SourceKind::OllamaLayer) {
                model.documents.push(doc);
            }
        } else {
            claims_from_gguf(&blob, &layer.digest).merge_into(model);
        }
    }
}

/// `sha256:<64 hex>` -> `blobs/sha256-<hex>` (or the `sha256:<hex>` name of older stores);
/// `None` for anything else, so a manifest cannot point outside the store.
fn blob_path(store: &Path, digest: &str) -> Option<PathBuf> {
    let hex = digest.strip_prefix("sha256:")?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let blobs = store.join("blobs");
    let current = blobs.join(format!("sha256-{hex}"));
    let old = blobs.join(format!("sha256:{hex}"));
    Some(if !current.exists() && old.exists() {
        old
    } else {
        current
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_ollama_does() {
        assert_eq!(
            model_name(DEFAULT_HOST, "library", "llama3.1", "8b"),
            "llama3.1:8b"
        );
        assert_eq!(
            model_name(DEFAULT_HOST, "jmorgan", "m", "latest"),
            "jmorgan/m:latest"
        );
        assert_eq!(
            model_name("hf.co", "bartowski", "Llama-3.2-1B-Instruct-GGUF", "Q4_K_M"),
            "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"
        );
    }

    #[test]
    fn digests_cannot_escape_the_store() {
        let store = Path::new("/s");
        assert!(blob_path(store, "sha256:../../etc/passwd").is_none());
        assert!(blob_path(store, &format!("sha256:{}", "a".repeat(63))).is_none());
        let ok = blob_path(store, &format!("sha256:{}", "a".repeat(64))).unwrap();
        assert_eq!(
            ok,
            store
                .join("blobs")
                .join(format!("sha256-{}", "a".repeat(64)))
        );
    }
}
