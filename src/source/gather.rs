//! Gathering one model's files from a store folder (an HF snapshot, an LM Studio model
//! folder): the README card, license files and weight headers, within bounds.

use std::path::Path;

use walkdir::WalkDir;

use super::files::{self, MAX_TEXT_BYTES};
use super::model::{Document, Model};
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
        add_file(model, entry.path(), &rel, entry.depth() == 1);
    }
}

/// Adds one file: a README at the root as a [`SourceKind::Readme`] document, a license file
/// as a [`SourceKind::LicenseFile`] document, a weight file's header claims. Other files
/// are ignored.
pub fn add_file(model: &mut Model, path: &Path, rel: &str, at_root: bool) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if at_root && files::is_readme(&name) {
        add_text(model, path, rel, SourceKind::Readme);
    } else if files::is_license_file(&name) {
        add_text(model, path, rel, SourceKind::LicenseFile);
    } else if weight_format(&name).is_some() {
        if let Some(claims) = claims_from_weight_file(path, rel) {
            claims.merge_into(model);
        }
    }
}

/// Reads `path` as a text document of `source`, or records why it could not be read.
pub fn add_text(model: &mut Model, path: &Path, rel: &str, source: SourceKind) {
    match files::read_text(path, MAX_TEXT_BYTES) {
        Ok(text) => model.documents.push(Document {
            source,
            path: rel.to_string(),
            text: text.content,
            first_line: 1,
            truncated: text.truncated,
        }),
        Err(e) => model.findings.push(
            Finding::new(
                Code::UnreadableFile,
                Severity::Warning,
                format!("cannot read: {e}"),
            )
            .at(rel),
        ),
    }
}
