//! Docker Model Runner's local store (`$MODELS_PATH`, else `~/.docker/models`):
//! `layout.json`, `models.json` (`{"models":[{"id":"sha256:<manifest>","tags":[...]}]}`),
//! `manifests/<alg>/<hex>` and `blobs/<alg>/<hex>`. Not an OCI image layout, but its
//! manifests and blobs are read the same way. Models are named by their first tag without
//! `docker.io/` (`ai/smollm2:latest`).

use std::fs;
use std::path::Path;

use super::blob::{parse_digest, read_verified_file, Descriptor, MAX_JSON_BYTES};
use super::layers::read_group;
use super::Manifest;
use crate::finding::{Code, Finding, Severity};
use crate::source::files;
use crate::source::model::{Model, TargetKind};

/// Largest `models.json` read (one entry per pulled model, about 300 bytes each).
const MAX_STORE_INDEX_BYTES: u64 = 16 * 1024 * 1024;

/// Most models read from one store.
const MAX_MODELS: usize = 10_000;

#[derive(serde::Deserialize)]
struct StoreIndex {
    #[serde(default)]
    models: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    id: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Is `dir` a Docker Model Runner store (`layout.json`, `models.json`, `manifests/`,
/// `blobs/`)?
pub fn is_docker_store(dir: &Path) -> bool {
    dir.join("layout.json").is_file()
        && dir.join("models.json").is_file()
        && dir.join("manifests").is_dir()
        && dir.join("blobs").is_dir()
}

/// Every model of the store at `dir`, sorted by target.
pub fn scan_docker_models(dir: &Path) -> Vec<Model> {
    scan(dir, None)
}

/// The models of the store at `dir` that `name` names: a tag, with or without
/// `docker.io/` and `:latest` (`ai/smollm2`), or the model id (`sha256:<hex>`, or at least
/// 12 of its hex digits).
pub fn scan_docker_named(dir: &Path, name: &str) -> Vec<Model> {
    scan(dir, Some(name))
}

fn scan(dir: &Path, wanted: Option<&str>) -> Vec<Model> {
    let index = match read_store_index(dir) {
        Ok(index) => index,
        Err(why) => {
            let mut model = Model::new(
                format!("docker-models:{}", dir.display()),
                TargetKind::DockerModels,
            );
            model.findings.push(
                Finding::new(Code::MalformedMetadata, Severity::Warning, why).at("models.json"),
            );
            return vec![model];
        }
    };
    let mut models: Vec<Model> = index
        .models
        .iter()
        .take(MAX_MODELS)
        .filter(|e| wanted.is_none_or(|w| answers_to(e, w)))
        .map(|e| entry_model(dir, e))
        .collect();
    models.sort_by(|a, b| a.target.cmp(&b.target));
    models
}

fn read_store_index(dir: &Path) -> Result<StoreIndex, String> {
    let text = files::read_text(&dir.join("models.json"), MAX_STORE_INDEX_BYTES)
        .map_err(|e| format!("models.json: {e}"))?;
    if text.truncated {
        return Err(format!(
            "models.json is larger than {MAX_STORE_INDEX_BYTES} bytes"
        ));
    }
    serde_json::from_str(&text.content).map_err(|e| format!("models.json is malformed: {e}"))
}

/// A tag as `docker model ls` shows it: without the default registry.
fn short_tag(tag: &str) -> &str {
    tag.strip_prefix("docker.io/")
        .or_else(|| tag.strip_prefix("index.docker.io/"))
        .unwrap_or(tag)
}

/// A reference with the default registry dropped and the default tag added.
fn normalise(reference: &str) -> String {
    let short = short_tag(reference);
    let last = short.rsplit('/').next().unwrap_or(short);
    if last.contains(':') || last.contains('@') {
        short.to_string()
    } else {
        format!("{short}:latest")
    }
}

fn answers_to(entry: &Entry, wanted: &str) -> bool {
    let hex = entry.id.split_once(':').map_or("", |(_, h)| h);
    entry.id == wanted
        || (wanted.len() >= 12 && hex.starts_with(wanted))
        || entry.tags.iter().any(|t| normalise(t) == normalise(wanted))
}

fn entry_model(dir: &Path, entry: &Entry) -> Model {
    let name = entry.tags.first().map(|t| short_tag(t).to_string());
    let shown = name.clone().unwrap_or_else(|| entry.id.clone());
    let mut model = Model::new(format!("docker-models:{shown}"), TargetKind::DockerModels);
    let rel = match parse_digest(&entry.id) {
        Some((alg, hex)) => {
            model.digest = Some(entry.id.clone());
            format!("manifests/{alg}/{hex}")
        }
        None => {
            model.findings.push(
                Finding::new(
                    Code::MalformedMetadata,
                    Severity::Warning,
                    format!("model id {:?} is not a digest", entry.id),
                )
                .at("models.json"),
            );
            model.name = name;
            return model;
        }
    };
    let path = dir.join(&rel);
    let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let manifest = read_verified_file(&path, &entry.id, size, MAX_JSON_BYTES)
        .map_err(|e| {
            let desc = Descriptor {
                digest: entry.id.clone(),
                size,
                ..Descriptor::default()
            };
            e.finding("manifest", &desc)
        })
        .and_then(|bytes| {
            serde_json::from_slice::<Manifest>(&bytes).map_err(|e| {
                Finding::new(
                    Code::MalformedMetadata,
                    Severity::Warning,
                    format!("manifest is malformed: {e}"),
                )
            })
        });
    match manifest {
        Ok(manifest) => {
            let config_name = read_group(dir, &[&manifest], &mut model);
            model.name = name.or(config_name).or(model.name.take());
        }
        Err(mut finding) => {
            finding.path = Some(rel);
            model.findings.push(finding);
            model.name = name;
        }
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_with_or_without_registry_and_latest() {
        let entry = Entry {
            id: format!("sha256:{}", "ab".repeat(32)),
            tags: vec![
                "docker.io/ai/smollm2:latest".into(),
                "ai/smollm2:360M".into(),
            ],
        };
        for yes in [
            "ai/smollm2",
            "ai/smollm2:latest",
            "docker.io/ai/smollm2",
            "ai/smollm2:360M",
            "abababababab",
            entry.id.as_str(),
        ] {
            assert!(answers_to(&entry, yes), "{yes}");
        }
        for no in ["smollm2", "ai/smollm2:1B", "abab", "ai/other"] {
            assert!(!answers_to(&entry, no), "{no}");
        }
        assert_eq!(normalise("localhost:5000/m"), "localhost:5000/m:latest");
        assert_eq!(
            short_tag("docker.io/ai/smollm2:latest"),
            "ai/smollm2:latest"
        );
    }
}
