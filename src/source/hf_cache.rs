//! The Hugging Face cache: `models--ORG--NAME/{blobs,refs,snapshots/REV}`.
//!
//! huggingface_hub, transformers and vLLM download into this layout: each snapshot folder
//! mirrors the repo at one revision, its files symlinks into `blobs/`. One model per repo,
//! from the snapshot `refs/main` names (or the newest one); every snapshot when asked for
//! all revisions. Works offline: only the cache is read, and of it only small text files
//! and weight headers.

use std::fs;
use std::path::{Path, PathBuf};

use super::files;
use super::gather::gather_folder;
use super::model::{Model, TargetKind};
use crate::finding::{Code, Finding, Severity};

/// Most repos read from one cache.
const MAX_REPOS: usize = 100_000;

/// Scans a hub cache folder (or one `models--ORG--NAME` folder in it): one model per repo,
/// or one per snapshot with `all_revisions`. Sorted by repo name, then revision.
pub fn scan_hf_cache(dir: &Path, all_revisions: bool) -> Vec<Model> {
    if let Some(name) = repo_dir_name(dir) {
        return scan_repo(dir, &name, all_revisions);
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut repos: Vec<(String, PathBuf)> = entries
        .flatten()
        .take(MAX_REPOS)
        .filter_map(|e| Some((repo_dir_name(&e.path())?, e.path())))
        .collect();
    repos.sort();
    repos
        .iter()
        .flat_map(|(name, path)| scan_repo(path, name, all_revisions))
        .collect()
}

/// `.../models--ORG--NAME` -> `ORG/NAME` (`models--gpt2` -> `gpt2`) when it is a folder.
pub fn repo_dir_name(dir: &Path) -> Option<String> {
    let base = dir.file_name()?.to_str()?;
    let id = base.strip_prefix("models--")?;
    if id.is_empty() || !dir.is_dir() {
        return None;
    }
    // Hub names cannot contain `--`, so the first one separates owner from name.
    Some(match id.split_once("--") {
        Some((org, name)) => format!("{org}/{name}"),
        None => id.to_string(),
    })
}

fn scan_repo(dir: &Path, name: &str, all_revisions: bool) -> Vec<Model> {
    let snapshots = list_snapshots(dir);
    if snapshots.is_empty() {
        let mut model = new_model(name, None);
        model.findings.push(Finding::new(
            Code::UnreadableFile,
            Severity::Warning,
            "no snapshot in the cache (download incomplete?)",
        ));
        return vec![model];
    }
    if all_revisions {
        return snapshots
            .iter()
            .map(|(rev, path)| snapshot_model(name, Some(rev), path))
            .collect();
    }
    let main = main_revision(dir);
    let chosen = main
        .as_deref()
        .and_then(|rev| snapshots.iter().find(|(r, _)| r == rev));
    let mut model = match chosen {
        Some((_, path)) => snapshot_model(name, None, path),
        None => {
            let (rev, path) = newest(&snapshots);
            let mut model = snapshot_model(name, None, path);
            if let Some(main) = main {
                model.findings.push(Finding::new(
                    Code::UnreadableFile,
                    Severity::Info,
                    format!(
                        "refs/main names {main}, which is not in the cache; read snapshot {rev}"
                    ),
                ));
            }
            model
        }
    };
    model.findings.sort();
    vec![model]
}

fn new_model(name: &str, rev: Option<&str>) -> Model {
    let target = match rev {
        Some(rev) => format!("hf-cache:{name}@{rev}"),
        None => format!("hf-cache:{name}"),
    };
    let mut model = Model::new(target, TargetKind::HfCache);
    model.name = Some(name.to_string());
    model
}

fn snapshot_model(name: &str, rev: Option<&str>, path: &Path) -> Model {
    let mut model = new_model(name, rev);
    gather_folder(&mut model, path);
    model
}

/// Snapshot folders, sorted by revision.
fn list_snapshots(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir.join("snapshots")) else {
        return Vec::new();
    };
    let mut snapshots: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .collect();
    snapshots.sort();
    snapshots
}

/// The commit `refs/main` names, if any.
fn main_revision(dir: &Path) -> Option<String> {
    let text = files::read_text(&dir.join("refs").join("main"), 256).ok()?;
    let rev = text.content.trim();
    (!rev.is_empty() && !rev.contains(['/', '\\'])).then(|| rev.to_string())
}

/// The most recently modified snapshot (ties: the last by name).
fn newest(snapshots: &[(String, PathBuf)]) -> &(String, PathBuf) {
    snapshots
        .iter()
        .max_by_key(|(rev, path)| {
            (
                fs::metadata(path).and_then(|m| m.modified()).ok(),
                rev.clone(),
            )
        })
        .unwrap_or(&snapshots[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names() {
        let dir = tempfile::tempdir().unwrap();
        for d in [
            "models--meta-llama--Llama-3.1-8B",
            "models--gpt2",
            "datasets--a--b",
        ] {
            fs::create_dir(dir.path().join(d)).unwrap();
        }
        let name = |d: &str| repo_dir_name(&dir.path().join(d));
        assert_eq!(
            name("models--meta-llama--Llama-3.1-8B").as_deref(),
            Some("meta-llama/Llama-3.1-8B")
        );
        assert_eq!(name("models--gpt2").as_deref(), Some("gpt2"));
        assert_eq!(name("datasets--a--b"), None);
        assert_eq!(name("models--missing"), None);
    }
}
