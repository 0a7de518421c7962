//! LM Studio's models folder: `PUBLISHER/MODEL/*.gguf`, mirroring the Hub repo it came from.
//!
//! LM Studio downloads the chosen weight files only (no card, no LICENSE), so the license
//! comes from the GGUF headers, and the folder names give the Hub repo for lineage.

use std::fs;
use std::path::{Path, PathBuf};

use super::gather::gather_folder;
use super::model::{Model, TargetKind};
use super::weights::weight_format;

/// Most publisher or model folders read at one level.
const MAX_FOLDERS: usize = 100_000;

/// Scans an LM Studio models folder: one model per `PUBLISHER/MODEL` folder holding weight
/// files, sorted by name.
pub fn scan_lmstudio(dir: &Path) -> Vec<Model> {
    let mut models = Vec::new();
    for (publisher, publisher_dir) in subfolders(dir) {
        for (name, model_dir) in subfolders(&publisher_dir) {
            if !has_weights(&model_dir) {
                continue;
            }
            let id = format!("{publisher}/{name}");
            let mut model = Model::new(format!("lmstudio:{id}"), TargetKind::Lmstudio);
            model.name = Some(id);
            gather_folder(&mut model, &model_dir);
            // Header lineage first: the folder name is only a hint.
            let hint = lineage_hint(&publisher, &name);
            if !model.base_models.contains(&hint) {
                model.base_models.push(hint);
            }
            models.push(model);
        }
    }
    models
}

/// The Hub id a quantised repo's name points at: `PUBLISHER/MODEL` with GGUF suffixes
/// (`-GGUF`, `_gguf`, `-i1-GGUF`, `-imat-GGUF`) removed.
pub fn lineage_hint(publisher: &str, model: &str) -> String {
    let mut name = model;
    loop {
        let lower = name.to_ascii_lowercase();
        let cut = ["-gguf", "_gguf", ".gguf", "-i1", "-imat"]
            .iter()
            .find(|s| lower.ends_with(*s) && lower.len() > s.len());
        match cut {
            Some(s) => name = &name[..name.len() - s.len()],
            None => break,
        }
    }
    format!("{publisher}/{name}")
}

/// Non-hidden subfolders of `dir`, sorted by name.
pub(crate) fn subfolders(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .take(MAX_FOLDERS)
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    out.sort();
    out
}

/// Does `dir` directly hold a weight file?
pub(crate) fn has_weights(dir: &Path) -> bool {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .take(MAX_FOLDERS)
                .any(|e| weight_format(&e.file_name().to_string_lossy()).is_some())
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_strip_gguf_suffixes() {
        assert_eq!(
            lineage_hint("lmstudio-community", "Meta-Llama-3.1-8B-Instruct-GGUF"),
            "lmstudio-community/Meta-Llama-3.1-8B-Instruct"
        );
        assert_eq!(
            lineage_hint("mradermacher", "Foo-7B-i1-GGUF"),
            "mradermacher/Foo-7B"
        );
        assert_eq!(lineage_hint("a", "gguf"), "a/gguf");
        assert_eq!(lineage_hint("a", "b"), "a/b");
    }
}
