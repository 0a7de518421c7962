//! What one model's manifests hold: config claims and the files of its layers.
//!
//! Layer media types say how to read a layer: ModelPack (`application/vnd.cncf.model.*`,
//! older `application/vnd.cnai.model.*`) `.raw` layers are one file each and archives
//! (`.tar`, `.tar+gzip`, `.tar+zstd`) hold files; Docker Model Runner layers are raw files
//! (`application/vnd.docker.ai.license`, `.gguf.v3`, `.safetensors`); ordinary image layers
//! are archives whose members under `models/` are the model (KServe modelcar, olot). The
//! files found are then read exactly as in a model folder: the root README as the card,
//! license-like files as license texts, weight headers for their claims.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::Path;

use super::archive::{read_archive, Compression, Content, MemberPath, Source, Want};
use super::blob::{
    blob_rel, read_text_blob, read_verified, sized_blob, Descriptor, MAX_VERIFIED_BYTES,
};
use super::Manifest;
use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};
use crate::source::files::{self, license_file_kind, LicenseFileKind};
use crate::source::local::{read_card_text, unreadable_license};
use crate::source::model::{Document, Model};
use crate::source::weights::{
    claims_from_gguf, claims_from_safetensors, weight_format, HeaderClaims, WeightFormat,
};

/// Most layers read from one manifest.
pub const MAX_LAYERS: usize = 10_000;

/// Layer annotations that name the file a raw layer is, in order of preference.
const NAME_KEYS: [&str; 3] = [
    "org.cncf.model.filepath",
    "org.cnai.model.filepath",
    "org.opencontainers.image.title",
];

/// What kind of manifest: decides how its config is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// A CNCF ModelPack (or older CNAI) model artifact.
    ModelPack,
    /// A Docker Model Runner model (`application/vnd.docker.ai.model.config.*`).
    Docker,
    /// An ordinary container image (KServe modelcar, olot without ModelPack).
    Image,
}

/// The rule of a manifest, by its artifact type and config media type.
pub fn rule(m: &Manifest) -> Rule {
    let model_pack = |t: &str| {
        t.starts_with("application/vnd.cncf.model.") || t.starts_with("application/vnd.cnai.model.")
    };
    if m.artifact_type.as_deref().is_some_and(model_pack)
        || m.media_type.as_deref().is_some_and(model_pack)
        || model_pack(&m.config.media_type)
    {
        Rule::ModelPack
    } else if m
        .config
        .media_type
        .starts_with("application/vnd.docker.ai.")
    {
        Rule::Docker
    } else {
        Rule::Image
    }
}

/// What a file is to the model, by its path (`rel`, relative to the model root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Card,
    License,
    UnreadableLicense,
    Weights(WeightFormat),
}

fn role(rel: &str) -> Option<Role> {
    let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
    if dir.is_empty() && files::is_readme(name) {
        return Some(Role::Card);
    }
    match license_file_kind(name) {
        Some(LicenseFileKind::Text) => Some(Role::License),
        Some(LicenseFileKind::Unreadable) => Some(Role::UnreadableLicense),
        None => weight_format(name).map(Role::Weights),
    }
}

/// Which members of an archive are the model's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Members {
    /// Every member (a ModelPack or Docker archive).
    All,
    /// Every member, a leading `models/` dropped (olot shares modelcar layers with its
    /// ModelPack manifest).
    StripModels,
    /// Only members under `models/` (an image layer).
    UnderModels,
}

/// How to read a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// The blob is one file, its role given by the media type or else by its name.
    Raw(Option<Role>),
    /// An archive.
    Archive(Compression, Members),
    /// Not read (compressed weights, chat templates, unknown types).
    Skip,
}

/// `(kind, encoding)` of a ModelPack layer type: `("weight", "raw")`, `("doc", "tar+gzip")`.
fn model_pack_type(media_type: &str) -> Option<(&str, &str)> {
    let rest = media_type
        .strip_prefix("application/vnd.cncf.model.")
        .or_else(|| media_type.strip_prefix("application/vnd.cnai.model."))?;
    let (kind, encoding) = rest.split_once(".v1")?;
    Some((kind, encoding.strip_prefix('.')?))
}

fn plan(media_type: &str, strip_models: bool) -> Plan {
    if let Some((kind, encoding)) = model_pack_type(media_type) {
        let members = if strip_models {
            Members::StripModels
        } else {
            Members::All
        };
        // Weights and datasets are never decompressed: only a plain tar can be walked
        // without reading its data.
        let bulky = matches!(kind, "weight" | "dataset");
        return match encoding {
            "raw" => Plan::Raw(None),
            "gguf" => Plan::Raw(Some(Role::Weights(WeightFormat::Gguf))),
            "safetensors" => Plan::Raw(Some(Role::Weights(WeightFormat::Safetensors))),
            "tar" => Plan::Archive(Compression::None, members),
            "tar+gzip" if !bulky => Plan::Archive(Compression::Gzip, members),
            "tar+zstd" if !bulky => Plan::Archive(Compression::Zstd, members),
            _ => Plan::Skip,
        };
    }
    if let Some(docker) = media_type.strip_prefix("application/vnd.docker.ai.") {
        return match docker {
            "license" => Plan::Raw(Some(Role::License)),
            "safetensors" => Plan::Raw(Some(Role::Weights(WeightFormat::Safetensors))),
            "mmproj" => Plan::Raw(Some(Role::Weights(WeightFormat::Gguf))),
            t if t.starts_with("gguf.") => Plan::Raw(Some(Role::Weights(WeightFormat::Gguf))),
            "model.file" => Plan::Raw(None),
            "dir.tar" | "vllm.config.tar" => Plan::Archive(Compression::None, Members::All),
            _ => Plan::Skip,
        };
    }
    let image_layer = media_type.starts_with("application/vnd.oci.image.layer.")
        || media_type.starts_with("application/vnd.docker.image.rootfs.");
    if !image_layer {
        return Plan::Skip;
    }
    let compression = if media_type.ends_with("+gzip") || media_type.ends_with(".gzip") {
        Compression::Gzip
    } else if media_type.ends_with("+zstd") {
        Compression::Zstd
    } else if media_type.ends_with(".tar") {
        Compression::None
    } else {
        return Plan::Skip;
    };
    Plan::Archive(compression, Members::UnderModels)
}

/// The files gathered from a model's layers, by path; a later layer's file replaces an
/// earlier one's, as when the image is unpacked.
#[derive(Debug, Default)]
struct Gathered {
    items: BTreeMap<String, Item>,
}

#[derive(Debug)]
enum Item {
    /// A card or license text: decoded text and whether it was cut, or why it was not read.
    Text(Role, Result<(String, bool), String>),
    /// A weight header's claims.
    Claims(HeaderClaims),
}

impl Gathered {
    fn text(&mut self, rel: String, role: Role, read: Result<(Vec<u8>, bool), String>) {
        let decoded = read.and_then(|(bytes, cut)| {
            files::decode(&bytes, cut)
                .map(|text| (text, cut))
                .map_err(|e| e.to_string())
        });
        self.items.insert(rel, Item::Text(role, decoded));
    }

    /// Adds everything to `model` as a model folder's files are added: the first root
    /// README is the card, license files are documents, weight headers are claims.
    fn apply(self, model: &mut Model) {
        let mut card_read = false;
        for (rel, item) in self.items {
            match item {
                Item::Text(Role::Card, Ok(_)) if card_read => {}
                Item::Text(Role::Card, Ok((text, cut))) => {
                    card_read = true;
                    read_card_text(model, &text, &rel, cut, false);
                }
                Item::Text(Role::Card, Err(why)) => model
                    .findings
                    .push(Finding::new(Code::UnreadableFile, Severity::Warning, why).at(rel)),
                Item::Text(_, Ok((text, truncated))) => model.documents.push(Document {
                    source: SourceKind::LicenseFile,
                    path: rel,
                    text,
                    first_line: 1,
                    truncated,
                }),
                Item::Text(_, Err(why)) => model.findings.push(unreadable_license(&rel, &why)),
                Item::Claims(claims) => claims.merge_into(model),
            }
        }
    }
}

/// Reads a model made of `group` (its manifests, the preferred one first) from the layout
/// at `root` into `model`: config claims, then every distinct layer once. Returns the name
/// the config gives, if any.
pub fn read_group(root: &Path, group: &[&Manifest], model: &mut Model) -> Option<String> {
    let mut name = None;
    for m in group {
        let found = super::config::read_config(root, m, model);
        name = name.or(found);
    }
    // Layers olot shares between its image and ModelPack manifests hold `models/NAME`.
    let image_layers: BTreeSet<&str> = group
        .iter()
        .filter(|m| rule(m) == Rule::Image)
        .flat_map(|m| m.layers.iter().map(|l| l.digest.as_str()))
        .collect();
    let mut seen = BTreeSet::new();
    let mut gathered = Gathered::default();
    for m in group {
        if m.layers.len() > MAX_LAYERS {
            model.findings.push(Finding::new(
                Code::MalformedMetadata,
                Severity::Warning,
                format!(
                    "manifest lists {} layers; only the first {MAX_LAYERS} were read",
                    m.layers.len()
                ),
            ));
        }
        for layer in m.layers.iter().take(MAX_LAYERS) {
            if !seen.insert(layer.digest.as_str()) {
                continue;
            }
            let strip = image_layers.contains(layer.digest.as_str());
            read_layer(
                root,
                layer,
                plan(&layer.media_type, strip),
                &mut gathered,
                model,
            );
        }
    }
    gathered.apply(model);
    name
}

/// The file name a layer's annotations give, if any.
fn layer_name(layer: &Descriptor) -> Option<String> {
    NAME_KEYS
        .iter()
        .filter_map(|k| layer.annotations.get(*k))
        .map(|n| tidy(n))
        .find(|n| !n.is_empty())
}

/// A path as written, without leading `/` or `./` and empty components; `..` is kept, so a
/// hostile name stays visibly a name (and never counts as the root card).
fn tidy(path: &str) -> String {
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn read_layer(
    root: &Path,
    layer: &Descriptor,
    plan: Plan,
    gathered: &mut Gathered,
    model: &mut Model,
) {
    let name = layer_name(layer);
    let what = format!("{} layer", name.as_deref().unwrap_or(&layer.media_type));
    // A layer that may hold license terms and cannot be read leaves them unknown.
    let may_hold_terms = matches!(plan, Plan::Raw(Some(Role::License)))
        || model_pack_type(&layer.media_type).is_some_and(|(kind, _)| kind == "doc")
        || name
            .as_deref()
            .and_then(role)
            .is_some_and(|r| matches!(r, Role::Card | Role::License));
    let failed = |e: super::blob::BlobError, gathered: &mut Gathered, model: &mut Model| {
        model.findings.push(e.finding(&what, layer));
        if may_hold_terms {
            let rel = name.clone().unwrap_or_else(|| blob_rel(&layer.digest));
            gathered.items.insert(
                rel,
                Item::Text(Role::License, Err("its blob could not be verified".into())),
            );
        }
    };
    match plan {
        Plan::Skip => {}
        Plan::Raw(forced) => {
            let rel = name.clone().unwrap_or_else(|| blob_rel(&layer.digest));
            let Some(role) = forced.or_else(|| role(&rel)) else {
                return;
            };
            match role {
                Role::Card | Role::License => match read_text_blob(root, layer) {
                    Ok(read) => gathered.text(rel, role, Ok(read)),
                    Err(e) => failed(e, gathered, model),
                },
                Role::UnreadableLicense => gathered.text(
                    rel,
                    role,
                    Err("a document format this tool does not read".into()),
                ),
                Role::Weights(format) => match sized_blob(root, layer) {
                    Ok(path) => {
                        let claims = match format {
                            WeightFormat::Gguf => claims_from_gguf(&path, &rel),
                            WeightFormat::Safetensors => claims_from_safetensors(&path, &rel),
                        };
                        gathered.items.insert(rel, Item::Claims(claims));
                    }
                    Err(e) => failed(e, gathered, model),
                },
            }
        }
        Plan::Archive(compression, members) => {
            let source = if layer.size <= MAX_VERIFIED_BYTES {
                read_verified(root, layer, MAX_VERIFIED_BYTES).map(Source::Memory)
            } else {
                sized_blob(root, layer).and_then(|path| {
                    File::open(path)
                        .map(Source::File)
                        .map_err(|e| super::blob::BlobError::Unreadable(e.to_string()))
                })
            };
            let source = match source {
                Ok(s) => s,
                Err(e) => return failed(e, gathered, model),
            };
            let mut unreadable = Vec::new();
            let mut select = |path: &MemberPath| {
                let rel = member_rel(path, members)?;
                let want = match role(&rel)? {
                    Role::Card | Role::License => Want::Text,
                    Role::Weights(format) => Want::Weights(format),
                    Role::UnreadableLicense => {
                        unreadable.push(rel);
                        return None;
                    }
                };
                Some((rel, want))
            };
            let unpacked = read_archive(source, compression, &mut select);
            for rel in unreadable {
                let why = "a document format this tool does not read".to_string();
                gathered.text(rel, Role::UnreadableLicense, Err(why));
            }
            if let Some(problem) = unpacked.problem {
                model.findings.push(
                    Finding::new(
                        Code::UnreadableFile,
                        Severity::Warning,
                        format!("{what}: {problem}"),
                    )
                    .at(blob_rel(&layer.digest)),
                );
            }
            for (rel, content) in unpacked.members {
                match content {
                    Content::Text(read) => {
                        let role = role(&rel).unwrap_or(Role::License);
                        gathered.text(rel, role, read);
                    }
                    Content::Claims(claims) => {
                        gathered.items.insert(rel, Item::Claims(claims));
                    }
                }
            }
        }
    }
}

/// The path a member is recorded under, or `None` when it is not one of the model's files.
/// An untrusted name (absolute, with `..`) is kept as written.
fn member_rel(path: &MemberPath, members: Members) -> Option<String> {
    let mut parts: &[String] = &path.parts;
    let under_models = parts.len() > 1 && parts[0] == "models";
    match members {
        Members::All => {}
        Members::StripModels | Members::UnderModels if under_models => parts = &parts[1..],
        Members::StripModels => {}
        Members::UnderModels => return None,
    }
    Some(if path.trusted {
        parts.join("/")
    } else {
        tidy(&path.written)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_media_types() {
        use Compression as C;
        assert_eq!(
            plan("application/vnd.cncf.model.doc.v1.tar+gzip", false),
            Plan::Archive(C::Gzip, Members::All)
        );
        assert_eq!(
            plan("application/vnd.cnai.model.weight.v1.tar", true),
            Plan::Archive(C::None, Members::StripModels)
        );
        assert_eq!(
            plan("application/vnd.cncf.model.weight.v1.tar+zstd", false),
            Plan::Skip
        );
        assert_eq!(
            plan("application/vnd.cncf.model.weight.v1.raw", false),
            Plan::Raw(None)
        );
        assert_eq!(
            plan("application/vnd.docker.ai.gguf.v3", false),
            Plan::Raw(Some(Role::Weights(WeightFormat::Gguf)))
        );
        assert_eq!(
            plan("application/vnd.docker.ai.license", false),
            Plan::Raw(Some(Role::License))
        );
        assert_eq!(
            plan("application/vnd.docker.ai.chat.template.jinja", false),
            Plan::Skip
        );
        assert_eq!(
            plan("application/vnd.docker.image.rootfs.diff.tar.gzip", false),
            Plan::Archive(C::Gzip, Members::UnderModels)
        );
        assert_eq!(
            plan("application/vnd.oci.image.layer.v1.tar+zstd", false),
            Plan::Archive(C::Zstd, Members::UnderModels)
        );
        assert_eq!(
            plan("application/vnd.cncf.model.manifest.v1+json", false),
            Plan::Skip
        );
    }

    #[test]
    fn roles_follow_the_local_folder_rules() {
        assert_eq!(role("README.md"), Some(Role::Card));
        assert_eq!(role("docs/README.md"), None);
        assert_eq!(role("sub/LICENSE"), Some(Role::License));
        assert_eq!(role("LICENSE.pdf"), Some(Role::UnreadableLicense));
        assert_eq!(
            role("model.safetensors"),
            Some(Role::Weights(WeightFormat::Safetensors))
        );
        assert_eq!(role("../README.md"), None);
        assert_eq!(role("tokenizer.json"), None);
    }

    #[test]
    fn members_under_models() {
        let p = |s: &str| super::super::archive::member_path(s.as_bytes()).unwrap();
        assert_eq!(
            member_rel(&p("models/README.md"), Members::UnderModels).unwrap(),
            "README.md"
        );
        assert_eq!(member_rel(&p("bin/sh"), Members::UnderModels), None);
        assert_eq!(
            member_rel(&p("models/x/LICENSE"), Members::StripModels).unwrap(),
            "x/LICENSE"
        );
        assert_eq!(
            member_rel(&p("LICENSE"), Members::StripModels).unwrap(),
            "LICENSE"
        );
        assert_eq!(
            member_rel(&p("models/../README.md"), Members::UnderModels).unwrap(),
            "models/../README.md"
        );
    }
}
