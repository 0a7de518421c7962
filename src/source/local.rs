//! Local folders: find the model roots under a path and gather each one's evidence.
//!
//! A model root is a folder with a model card, a `config.json`, weights, or a license file
//! of its own. A folder of weights alone inside a root (Llama's `original/`, an `onnx/`
//! export) belongs to that root. Weight files are never opened here: the walk only looks at
//! names and file types, so a 50 GB folder costs what its directory entries cost.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};
use crate::source::files::{
    self, is_licenses_folder, is_readme, license_file_kind, LicenseFileKind, MAX_TEXT_BYTES,
};
use crate::source::weights::{claims_from_weight_file, model_from_weight_file, weight_format};
use crate::source::{card, Declared, Document, Model, TargetKind};

/// Deepest folder level the walk descends to; deeper folders are reported, not read.
pub const MAX_DEPTH: usize = 512;

/// File extensions of model weights (never read by the walk).
const WEIGHT_EXTENSIONS: [&str; 16] = [
    "safetensors",
    "gguf",
    "ggml",
    "bin",
    "pt",
    "pth",
    "ckpt",
    "onnx",
    "h5",
    "msgpack",
    "tflite",
    "mlmodel",
    "llamafile",
    "nemo",
    "keras",
    "pdparams",
];

/// What one folder directly holds.
#[derive(Debug, Default)]
struct Folder {
    readme: Option<PathBuf>,
    /// The front matter of a card saved as two files by `mlflow.transformers`
    /// (`model_card_data.yaml`; the body is `model_card.md`, found as the readme).
    card_data: Option<PathBuf>,
    config: Option<PathBuf>,
    license_files: Vec<PathBuf>,
    /// License-like files in formats not read (PDF, DOCX).
    unreadable_licenses: Vec<PathBuf>,
    weights: Vec<PathBuf>,
    problems: Vec<(PathBuf, String)>,
    /// Holds a manifest of the model's parts (`modules.json` of sentence-transformers,
    /// `model_index.json` of diffusers): its sub-folders are parts of this model.
    composite: bool,
}

impl Folder {
    fn has_own_metadata(&self) -> bool {
        self.readme.is_some()
            || self.card_data.is_some()
            || self.composite
            || self.config.is_some()
            || !self.license_files.is_empty()
            || !self.unreadable_licenses.is_empty()
    }
}

/// Is `name` a weight file name.
pub fn is_weight_file(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| WEIGHT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Scans a folder or a single file. `target` is the path as the user wrote it; sub-models
/// are named `target/sub/dir`.
pub fn scan(path: &Path, target: &str) -> Vec<Model> {
    if path.is_file() {
        return vec![single_file(path, target)];
    }
    let folders = walk(path);
    let roots = model_roots(&folders);
    let mut models: BTreeMap<PathBuf, Model> = BTreeMap::new();
    for (dir, folder) in &folders {
        let root = nearest_root(dir, &roots).unwrap_or_else(|| dir.clone());
        if !roots.contains(&root) && folder.problems.is_empty() {
            continue;
        }
        let model = models
            .entry(root.clone())
            .or_insert_with(|| new_model(path, &root, target));
        gather(model, path, &root, folder);
    }
    if models.is_empty() {
        models.insert(path.to_path_buf(), new_model(path, path, target));
    }
    // A model with no name in its card or config is named after its folder.
    for (root, model) in models.iter_mut() {
        if model.name.is_none() {
            model.name = root.file_name().map(|n| n.to_string_lossy().into_owned());
        }
    }
    models.into_values().collect()
}

/// Walks `top` and records what each folder holds. Walk errors (permission denied, symlink
/// loops, dangling links, names too long) are recorded on the folder they were met in.
fn walk(top: &Path) -> BTreeMap<PathBuf, Folder> {
    let mut folders: BTreeMap<PathBuf, Folder> = BTreeMap::new();
    folders.entry(top.to_path_buf()).or_default();
    let walker = WalkDir::new(top)
        .follow_links(true)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name();
    let mut iter = walker.into_iter();
    while let Some(entry) = iter.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| top.to_path_buf());
                // A folder that cannot be listed is reported as itself (it may be a model we
                // cannot read); a bad entry is reported on the folder that holds it.
                let unlistable = err.loop_ancestor().is_none()
                    && fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
                let owner = if unlistable {
                    path.clone()
                } else {
                    path.parent()
                        .filter(|p| p.starts_with(top))
                        .unwrap_or(top)
                        .to_path_buf()
                };
                folders
                    .entry(owner)
                    .or_default()
                    .problems
                    .push((path, walk_error(&err)));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() {
            if entry.depth() > 0 && name.starts_with('.') {
                iter.skip_current_dir();
                continue;
            }
            if entry.depth() == MAX_DEPTH {
                let parent = entry.path().parent().unwrap_or(top).to_path_buf();
                folders.entry(parent).or_default().problems.push((
                    entry.path().to_path_buf(),
                    format!("deeper than {MAX_DEPTH} folders; not scanned"),
                ));
            }
            folders.entry(entry.path().to_path_buf()).or_default();
            continue;
        }
        let Some(mut parent) = entry.path().parent() else {
            continue;
        };
        // REUSE: LICENSES/<id>.txt belongs to the folder above, whatever its name.
        let in_licenses_folder = parent != top
            && parent
                .file_name()
                .is_some_and(|n| is_licenses_folder(&n.to_string_lossy()));
        if in_licenses_folder {
            parent = parent.parent().unwrap_or(top);
        }
        let folder = folders.entry(parent.to_path_buf()).or_default();
        let path = entry.path().to_path_buf();
        let license_kind = if in_licenses_folder {
            license_file_kind(&name)
                .or_else(|| entry.file_type().is_file().then_some(LicenseFileKind::Text))
        } else {
            license_file_kind(&name)
        };
        if is_readme(&name) && !in_licenses_folder {
            folder.readme.get_or_insert(path);
        } else if name == "config.json" {
            folder.config = Some(path);
        } else if name == "model_card_data.yaml" {
            folder.card_data = Some(path);
        } else if is_parts_manifest(&name) {
            folder.composite = true;
        } else if license_kind == Some(LicenseFileKind::Text) {
            folder.license_files.push(path);
        } else if license_kind == Some(LicenseFileKind::Unreadable) {
            folder.unreadable_licenses.push(path);
        } else if is_weight_file(&name) {
            folder.weights.push(path);
        } else if !entry.file_type().is_file() && (name.ends_with(".md") || name.ends_with(".txt"))
        {
            folder
                .problems
                .push((path, "not a regular file (FIFO, device or socket)".into()));
        }
    }
    folders
}

fn walk_error(err: &walkdir::Error) -> String {
    if err.loop_ancestor().is_some() {
        return "symlink loop".into();
    }
    match err.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => "dangling symlink".into(),
        Some(io) if io.raw_os_error() == Some(40) => "symlink loop".into(),
        Some(io) => io.to_string(),
        None => err.to_string(),
    }
}

/// A file that lists a model's parts in sub-folders: sentence-transformers' `modules.json`
/// (`1_Pooling/`, `2_Normalize/`), diffusers' `model_index.json` (`unet/`, `vae/`, ...),
/// MLflow's `MLmodel` (`model/` weights, `components/<name>/`, `peft/`).
fn is_parts_manifest(name: &str) -> bool {
    matches!(name, "modules.json" | "model_index.json" | "MLmodel")
}

/// Folders that are models: own metadata, or weights with no model above them. A folder
/// under a composite model (one with a parts manifest) is one of its parts, unless it has
/// a card or license files of its own.
fn model_roots(folders: &BTreeMap<PathBuf, Folder>) -> HashSet<PathBuf> {
    let mut roots: HashSet<PathBuf> = HashSet::new();
    // BTreeMap order visits a parent before its children.
    for (dir, folder) in folders {
        let above = nearest_root(dir, &roots);
        let part = above
            .as_ref()
            .is_some_and(|r| folders.get(r).is_some_and(|f| f.composite))
            && folder.readme.is_none()
            && folder.license_files.is_empty()
            && folder.unreadable_licenses.is_empty();
        if part {
            continue;
        }
        if folder.has_own_metadata() || (!folder.weights.is_empty() && above.is_none()) {
            roots.insert(dir.clone());
        }
    }
    roots
}

/// The model root `dir` is in (itself or the closest ancestor): a set lookup per
/// ancestor, so a registry of many models costs linear time.
fn nearest_root(dir: &Path, roots: &HashSet<PathBuf>) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| roots.contains(*a))
        .map(Path::to_path_buf)
}

fn new_model(top: &Path, root: &Path, target: &str) -> Model {
    let rel = root.strip_prefix(top).unwrap_or(root);
    let target = if rel.as_os_str().is_empty() {
        target.to_string()
    } else {
        format!("{}/{}", target.trim_end_matches('/'), rel.to_string_lossy())
    };
    Model::new(target, TargetKind::Directory)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads one folder's card, config and license files into its model.
fn gather(model: &mut Model, top: &Path, root: &Path, folder: &Folder) {
    for (path, problem) in &folder.problems {
        model.findings.push(
            Finding::new(Code::UnreadableFile, Severity::Warning, problem.clone())
                .at(relative(root, path)),
        );
    }
    if folder.card_data.is_some() {
        read_split_card(model, top, root, folder);
    } else if let Some(readme) = &folder.readme {
        if inside(model, top, root, readme) {
            read_card(model, readme, &relative(root, readme), true);
        }
    }
    if let Some(config) = &folder.config {
        if let Some(name) = config_name(config) {
            model.name.get_or_insert(name);
        }
    }
    for weights in &folder.weights {
        if let Some(claims) = claims_from_weight_file(weights, &relative(root, weights)) {
            claims.merge_into(model);
        }
    }
    for file in &folder.license_files {
        if !inside(model, top, root, file) {
            continue;
        }
        if let Some(doc) = read_document(model, root, file, SourceKind::LicenseFile) {
            match card::mlflow_license_fallback(&doc.text) {
                // MLflow's note that it found no license file: the card's declared type
                // is a claim, the note itself no license text.
                Some(declared) => model.declared.extend(declared.map(|value| {
                    Declared {
                        source: SourceKind::ModelCard,
                        field: "license".into(),
                        value,
                        path: Some(doc.path.clone()),
                        line: doc
                            .text
                            .lines()
                            .position(|l| l.contains("declared license type"))
                            .map(|i| i + 1),
                    }
                })),
                None => model.documents.push(doc),
            }
        }
    }
    for file in &folder.unreadable_licenses {
        model.findings.push(unreadable_license(
            &relative(root, file),
            "a document format this tool does not read",
        ));
    }
}

/// True when `path`, links resolved, lies inside `root`. A text reached through a link
/// that leads outside the scanned root is not read (nothing outside is ever quoted); a
/// finding names it.
fn inside(model: &mut Model, top: &Path, root: &Path, path: &Path) -> bool {
    let resolved = (top.canonicalize(), path.canonicalize());
    if let (Ok(top), Ok(target)) = resolved {
        // A Hugging Face cache snapshot links its files into the repo's `blobs/`.
        let blobs = top
            .ancestors()
            .find(|a| a.file_name().is_some_and(|n| n == "snapshots"))
            .and_then(Path::parent)
            .map(|repo| repo.join("blobs"));
        let in_blobs = blobs.is_some_and(|b| target.starts_with(b));
        if !target.starts_with(&top) && !in_blobs {
            model.findings.push(
                Finding::new(
                    Code::UnreadableFile,
                    Severity::Warning,
                    "a link that leads outside the scanned folder; not read",
                )
                .at(relative(root, path)),
            );
            return false;
        }
    }
    true
}

/// Reads a model card into `model`: its claims, base models (once each) and body, marked
/// truncated when the read limit cut it. `card_names_model`: the card's `model_name`
/// replaces the folder's name (a store's own name for the model is kept over it).
pub fn read_card(model: &mut Model, path: &Path, rel: &str, card_names_model: bool) {
    if let Some(text) = read_or_note(model, path, rel) {
        read_card_text(model, &text.content, rel, text.truncated, card_names_model);
    }
}

/// Reads a text file of the model; one that cannot be read becomes a finding on it.
fn read_or_note(model: &mut Model, path: &Path, rel: &str) -> Option<files::Text> {
    match files::read_text(path, MAX_TEXT_BYTES) {
        Ok(text) => Some(text),
        Err(e) => {
            model
                .findings
                .push(Finding::new(Code::UnreadableFile, Severity::Warning, e.to_string()).at(rel));
            None
        }
    }
}

/// Reads a model card's decoded `text` (from a file, an archive member, a blob) into
/// `model`, as [`read_card`] does; `truncated` says the read limit cut it.
pub fn read_card_text(
    model: &mut Model,
    text: &str,
    rel: &str,
    truncated: bool,
    card_names_model: bool,
) {
    absorb(model, card::parse(text, rel), truncated, card_names_model);
}

/// Takes a parsed card into `model`: its claims, base models (once each) and body, marked
/// truncated when the read limit cut it; its name replaces the model's when
/// `card_names_model` (or the model has none).
fn absorb(model: &mut Model, mut card: card::Card, truncated: bool, card_names_model: bool) {
    for doc in &mut card.documents {
        doc.truncated |= truncated;
    }
    if card_names_model || model.name.is_none() {
        model.name = card.name.or(model.name.take());
    }
    model.declared.extend(card.declared);
    model.documents.extend(card.documents);
    model.findings.extend(card.findings);
    for base in card.base_models {
        if !model.base_models.contains(&base) {
            model.base_models.push(base);
        }
    }
}

/// Reads a card that `mlflow.transformers` saved as `model_card_data.yaml` (front matter)
/// and `model_card.md` (the body, found as the folder's readme) into `model`, like a README.
fn read_split_card(model: &mut Model, top: &Path, root: &Path, folder: &Folder) {
    let mut read = |path: &Option<PathBuf>| -> Option<(String, String, bool)> {
        let path = path.as_ref().filter(|p| inside(model, top, root, p))?;
        let rel = relative(root, path);
        let t = read_or_note(model, path, &rel)?;
        Some((t.content, rel, t.truncated))
    };
    let yaml = read(&folder.card_data);
    let body = read(&folder.readme);
    let card = card::parse_split(
        yaml.as_ref().map(|(t, p, _)| (t.as_str(), p.as_str())),
        body.as_ref().map(|(t, p, _)| (t.as_str(), p.as_str())),
    );
    let cut = body.as_ref().is_some_and(|b| b.2);
    absorb(model, card, cut, true);
}

/// Reads a text file as a document; an unreadable one becomes a finding on the model.
pub fn read_document(
    model: &mut Model,
    root: &Path,
    path: &Path,
    source: SourceKind,
) -> Option<Document> {
    let rel = relative(root, path);
    match files::read_text(path, MAX_TEXT_BYTES) {
        Ok(text) => Some(Document {
            source,
            path: rel,
            text: text.content,
            first_line: 1,
            truncated: text.truncated,
        }),
        Err(e) if source == SourceKind::LicenseFile => {
            model
                .findings
                .push(unreadable_license(&rel, &e.to_string()));
            None
        }
        Err(e) => {
            model
                .findings
                .push(Finding::new(Code::UnreadableFile, Severity::Warning, e.to_string()).at(rel));
            None
        }
    }
}

/// A license file whose text could not be read: its terms, and so every permission, are
/// unknown.
pub fn unreadable_license(rel: &str, why: &str) -> Finding {
    Finding::new(
        Code::UnreadableLicense,
        Severity::Warning,
        format!("license file could not be read ({why}); every permission is unknown"),
    )
    .at(rel)
}

/// `_name_or_path` of a transformers config.json, when it names a Hub repo.
fn config_name(config: &Path) -> Option<String> {
    let text = files::read_text(config, 256 * 1024).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text.content).ok()?;
    let name = value.get("_name_or_path")?.as_str()?;
    (name.contains('/') && !name.starts_with('/') && !name.starts_with('.'))
        .then(|| name.to_string())
}

/// A single file named as a target: a license text, a README, or a weight file.
fn single_file(path: &Path, target: &str) -> Model {
    let mut model = Model::new(target, TargetKind::File);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let root = path.parent().unwrap_or(Path::new(""));
    if weight_format(&name).is_some() {
        return model_from_weight_file(path, target);
    }
    if is_weight_file(&name) {
        return model;
    }
    if is_readme(&name) || name.to_ascii_lowercase().ends_with(".md") {
        read_card(&mut model, path, &relative(root, path), true);
    } else if let Some(doc) = read_document(&mut model, root, path, SourceKind::LicenseFile) {
        model.documents.push(doc);
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn touch(path: &Path, content: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    #[test]
    fn one_model_per_root_and_weight_subfolders_join_their_root() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        touch(
            &top.join("llama/README.md"),
            "---\nlicense: llama3.1\n---\n",
        );
        touch(&top.join("llama/original/consolidated.00.pth"), "");
        touch(
            &top.join("bert/config.json"),
            "{\"_name_or_path\": \"google/bert-base\"}",
        );
        touch(&top.join("bert/LICENSE"), "MIT License");
        touch(&top.join("loose/model.gguf"), "");
        let models = scan(top, "models");
        let targets: Vec<_> = models.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(targets, ["models/bert", "models/llama", "models/loose"]);
        assert_eq!(models[0].name.as_deref(), Some("google/bert-base"));
        assert_eq!(models[0].documents[0].path, "LICENSE");
        assert_eq!(models[1].declared[0].value, "llama3.1");
    }

    #[test]
    fn an_empty_folder_is_one_model_with_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let models = scan(dir.path(), "x");
        assert_eq!(models.len(), 1);
        assert!(models[0].declared.is_empty() && models[0].documents.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn dangling_links_and_loops_are_findings() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        touch(&top.join("m/README.md"), "---\nlicense: mit\n---\n");
        std::os::unix::fs::symlink(top.join("m/nowhere"), top.join("m/LICENSE")).unwrap();
        std::os::unix::fs::symlink(top.join("m"), top.join("m/loop")).unwrap();
        let models = scan(top, "t");
        let findings: Vec<_> = models.iter().flat_map(|m| &m.findings).collect();
        assert!(
            findings
                .iter()
                .any(|f| f.path.as_deref() == Some("LICENSE") && f.message.contains("dangling")),
            "{findings:?}"
        );
        assert!(
            findings.iter().any(|f| f.message.contains("loop")),
            "{findings:?}"
        );
    }
}
