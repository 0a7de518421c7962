//! Gathering one model's files from a store folder (an HF snapshot, an LM Studio model
//! folder): the README card (parsed by [`card`]), license files and weight headers,
//! within bounds.

use std::path::Path;

use walkdir::WalkDir;

use super::files;
use super::local::{read_card, read_document};
use super::model::Model;
use super::weights::{claims_from_weight_file, weight_format};
use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};

/// Deepest file below a model root that is looked at (`original/LICENSE` is depth 2).
pub const MAX_DEPTH: usize = 4;

/// Most directory entries looked at in one model folder.
pub const MAX_ENTRIES: usize = 10_000;

/// Adds every README (at the root), license file and weight header under `root` to
/// `model`. Directory symlinks are not followed; file symlinks are (HF snapshots are made
/// of them).
pub fn gather_folder(model: &mut Model, root: &Path) {
    let walk = WalkDir::new(root)
        .min_depth(1)
        .max_depth(MAX_DEPTH)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for (seen, entry) in walk.enumerate() {
        if seen >= MAX_ENTRIES {
            model.findings.push(Finding::new(
                Code::UnreadableFile,
                Severity::Warning,
                format!(
                    "more than {MAX_ENTRIES} entries in the model folder; the rest was not read"
                ),
            ));
            break;
        }
        let Ok(entry) = entry else { continue };
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        add_file(model, root, entry.path(), &rel, entry.depth() == 1);
    }
}

/// Adds one file at `rel` under `root`: a README at the root as a parsed model card, a
/// license file as a [`SourceKind::LicenseFile`] document, a weight file's header claims.
/// Other files are ignored.
pub fn add_file(model: &mut Model, root: &Path, path: &Path, rel: &str, at_root: bool) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if at_root && files::is_readme(&name) {
        read_card(model, path, rel, false);
    } else if files::is_license_file(&name) {
        if let Some(doc) = read_document(model, root, path, SourceKind::LicenseFile) {
            model.documents.push(doc);
        }
    } else if weight_format(&name).is_some() {
        if let Some(claims) = claims_from_weight_file(path, rel) {
            claims.merge_into(model);
        }
    }
}
