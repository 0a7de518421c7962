//! Which model store a folder is, and where each store lives by default.
//!
//! A path the user names is recognised by its layout ([`detect_layout`]); `hf-cache:`,
//! `ollama:`, `lmstudio:` and `docker-models:` without a folder use [`locate`], which takes
//! the environment as arguments (the CLI reads it; the library never does).

use std::fs;
use std::path::{Path, PathBuf};

use super::files;
use super::hf_cache::{repo_dir_name, scan_hf_cache};
use super::lmstudio::{has_weights, scan_lmstudio, subfolders};
use super::model::Model;
use super::oci::{is_docker_store, is_oci_layout, scan_docker_models, scan_oci};
use super::ollama::scan_ollama;
use super::weights::weight_format;

/// Most entries inspected when recognising a layout.
const MAX_PROBE: usize = 1000;

/// A model store layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// A Hugging Face hub cache, or one `models--ORG--NAME` folder of it.
    HfCache,
    /// An Ollama models folder (`manifests/` and `blobs/`).
    Ollama,
    /// An LM Studio models folder (`PUBLISHER/MODEL/*.gguf`).
    LmStudio,
    /// An OCI image layout (`oci-layout`, `index.json`, `blobs/`).
    Oci,
    /// Docker Model Runner's store (`layout.json`, `models.json`, `manifests/`, `blobs/`).
    DockerModels,
}

/// Recognises the store `path` is, if any. An ordinary model folder is `None`.
pub fn detect_layout(path: &Path) -> Option<Layout> {
    if !path.is_dir() {
        return None;
    }
    if is_oci_layout(path) {
        Some(Layout::Oci)
    } else if is_docker_store(path) {
        Some(Layout::DockerModels)
    } else if is_hf_cache(path) {
        Some(Layout::HfCache)
    } else if path.join("manifests").is_dir() && path.join("blobs").is_dir() {
        Some(Layout::Ollama)
    } else if is_lmstudio(path) {
        Some(Layout::LmStudio)
    } else {
        None
    }
}

/// Scans `path` as a store of `layout` (`all_revisions` matters for the HF cache only).
pub fn scan_layout(layout: Layout, path: &Path, all_revisions: bool) -> Vec<Model> {
    match layout {
        Layout::HfCache => scan_hf_cache(path, all_revisions),
        Layout::Ollama => scan_ollama(path),
        Layout::LmStudio => scan_lmstudio(path),
        Layout::Oci => scan_oci(path, &path.display().to_string(), None),
        Layout::DockerModels => scan_docker_models(path),
    }
}

fn is_hf_repo(path: &Path) -> bool {
    repo_dir_name(path).is_some() && path.join("snapshots").is_dir()
}

fn is_hf_cache(path: &Path) -> bool {
    if is_hf_repo(path) {
        return true;
    }
    fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .take(MAX_PROBE)
                .any(|e| is_hf_repo(&e.path()))
        })
        .unwrap_or(false)
}

/// `PUBLISHER/MODEL/<weights>` two levels down, and nothing at the top or publisher level
/// that makes it look like a model folder (a card, a license, weights, config.json).
fn is_lmstudio(path: &Path) -> bool {
    if holds_model_files(path) {
        return false;
    }
    let publishers = subfolders(path);
    let mut found = false;
    for (_, publisher) in publishers.iter().take(MAX_PROBE) {
        if holds_model_files(publisher) {
            return false;
        }
        found = found
            || subfolders(publisher)
                .iter()
                .take(MAX_PROBE)
                .any(|(_, model)| has_weights(model));
    }
    found
}

/// Does `dir` hold a card, a license file, weights or `config.json` (a model folder)?
pub(crate) fn holds_model_files(dir: &Path) -> bool {
    fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().take(MAX_PROBE).any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                files::is_readme(&name)
                    || files::is_license_file(&name)
                    || weight_format(&name).is_some()
                    || name == "config.json"
            })
        })
        .unwrap_or(false)
}

/// The environment that decides where stores live, as the CLI read it. Empty values
/// count as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreEnv {
    /// The user's home folder.
    pub home: Option<PathBuf>,
    /// `HF_HUB_CACHE` (or the legacy `HUGGINGFACE_HUB_CACHE`).
    pub hf_hub_cache: Option<PathBuf>,
    /// `HF_HOME`.
    pub hf_home: Option<PathBuf>,
    /// `XDG_CACHE_HOME` (huggingface_hub puts `huggingface/` there when `HF_HOME` is unset).
    pub xdg_cache_home: Option<PathBuf>,
    /// `OLLAMA_MODELS`.
    pub ollama_models: Option<PathBuf>,
    /// `MODELS_PATH` (Docker Model Runner's store).
    pub models_path: Option<PathBuf>,
}

fn set(p: &Option<PathBuf>) -> Option<&Path> {
    p.as_deref().filter(|p| !p.as_os_str().is_empty())
}

/// Where a store may be, in the order it is looked for. A variable that is set is the
/// only candidate.
pub fn candidates(layout: Layout, env: &StoreEnv) -> Vec<PathBuf> {
    let home = set(&env.home);
    let under_home = |rel: &str| home.map(|h| h.join(rel));
    match layout {
        Layout::HfCache => {
            if let Some(p) = set(&env.hf_hub_cache) {
                vec![p.to_path_buf()]
            } else if let Some(p) = set(&env.hf_home) {
                vec![p.join("hub")]
            } else if let Some(p) = set(&env.xdg_cache_home) {
                vec![p.join("huggingface").join("hub")]
            } else {
                under_home(".cache/huggingface/hub").into_iter().collect()
            }
        }
        Layout::Ollama => match set(&env.ollama_models) {
            Some(p) => vec![p.to_path_buf()],
            None => under_home(".ollama/models")
                .into_iter()
                .chain([PathBuf::from("/usr/share/ollama/.ollama/models")])
                .collect(),
        },
        Layout::LmStudio => [".lmstudio/models", ".cache/lm-studio/models"]
            .iter()
            .filter_map(|rel| under_home(rel))
            .collect(),
        Layout::DockerModels => match set(&env.models_path) {
            Some(p) => vec![p.to_path_buf()],
            None => under_home(".docker/models").into_iter().collect(),
        },
        // An OCI layout has no default location: `oci:PATH` names it.
        Layout::Oci => Vec::new(),
    }
}

/// The first candidate location of `layout` that is a folder.
pub fn locate(layout: Layout, env: &StoreEnv) -> Option<PathBuf> {
    candidates(layout, env).into_iter().find(|p| p.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hf_cache_location_precedence() {
        let mut env = StoreEnv {
            home: Some("/home/u".into()),
            ..StoreEnv::default()
        };
        assert_eq!(
            candidates(Layout::HfCache, &env),
            [PathBuf::from("/home/u/.cache/huggingface/hub")]
        );
        env.xdg_cache_home = Some("/x".into());
        assert_eq!(
            candidates(Layout::HfCache, &env),
            [PathBuf::from("/x/huggingface/hub")]
        );
        env.hf_home = Some("/hf".into());
        assert_eq!(
            candidates(Layout::HfCache, &env),
            [PathBuf::from("/hf/hub")]
        );
        env.hf_hub_cache = Some("/c".into());
        assert_eq!(candidates(Layout::HfCache, &env), [PathBuf::from("/c")]);
        env.hf_hub_cache = Some("".into());
        assert_eq!(
            candidates(Layout::HfCache, &env),
            [PathBuf::from("/hf/hub")]
        );
    }

    #[test]
    fn ollama_and_lmstudio_locations() {
        let mut env = StoreEnv {
            home: Some("/home/u".into()),
            ..StoreEnv::default()
        };
        assert_eq!(
            candidates(Layout::Ollama, &env),
            [
                PathBuf::from("/home/u/.ollama/models"),
                PathBuf::from("/usr/share/ollama/.ollama/models")
            ]
        );
        env.ollama_models = Some("/o".into());
        assert_eq!(candidates(Layout::Ollama, &env), [PathBuf::from("/o")]);
        assert_eq!(
            candidates(Layout::LmStudio, &env),
            [
                PathBuf::from("/home/u/.lmstudio/models"),
                PathBuf::from("/home/u/.cache/lm-studio/models")
            ]
        );
        assert!(candidates(Layout::LmStudio, &StoreEnv::default()).is_empty());
    }

    #[test]
    fn docker_models_location() {
        let mut env = StoreEnv {
            home: Some("/home/u".into()),
            ..StoreEnv::default()
        };
        assert_eq!(
            candidates(Layout::DockerModels, &env),
            [PathBuf::from("/home/u/.docker/models")]
        );
        env.models_path = Some("/models".into());
        assert_eq!(
            candidates(Layout::DockerModels, &env),
            [PathBuf::from("/models")]
        );
        assert!(candidates(Layout::Oci, &env).is_empty());
    }
}
