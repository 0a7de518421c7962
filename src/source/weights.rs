//! License claims and lineage from weight-file headers (GGUF, safetensors).
//!
//! The folder walkers (local, HF cache, LM Studio, Ollama) call [`claims_from_weight_file`]
//! for every weight file they meet and merge the result into their [`Model`]. Only headers
//! are read; a header that cannot be read becomes a finding, never an error.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use super::gguf::{self, GgufMeta};
use super::model::{Declared, Model, TargetKind};
use super::safetensors;
use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};

/// What one weight file's header says about the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderClaims {
    /// License claims (`general.license`, `modelspec.license`...).
    pub declared: Vec<Declared>,
    /// Base models named by the header (Hub ids where the header gives a Hub URL).
    pub base_models: Vec<String>,
    /// The model's name as the header gives it (`general.name`, `modelspec.title`).
    pub name: Option<String>,
    /// Problems reading the header.
    pub findings: Vec<Finding>,
}

impl HeaderClaims {
    /// Adds these claims to `model`: declared ids and findings appended, base models
    /// appended without duplicates, the name kept only if the model has none.
    pub fn merge_into(self, model: &mut Model) {
        model.declared.extend(self.declared);
        model.findings.extend(self.findings);
        for base in self.base_models {
            if !model.base_models.contains(&base) {
                model.base_models.push(base);
            }
        }
        if model.name.is_none() {
            model.name = self.name;
        }
    }
}

/// The weight formats whose headers we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightFormat {
    /// `.gguf`
    Gguf,
    /// `.safetensors`
    Safetensors,
}

/// The weight format of a file name, by extension (case-insensitive).
pub fn weight_format(name: &str) -> Option<WeightFormat> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".gguf") {
        Some(WeightFormat::Gguf)
    } else if lower.ends_with(".safetensors") {
        Some(WeightFormat::Safetensors)
    } else {
        None
    }
}

/// Claims from the header of `path` if it is a weight file, `None` otherwise. `rel` is the
/// path recorded in claims and findings (relative to the model root, or a blob digest).
pub fn claims_from_weight_file(path: &Path, rel: &str) -> Option<HeaderClaims> {
    let name = path.file_name()?.to_str()?;
    let format = weight_format(name)?;
    if is_placeholder(path) {
        return None;
    }
    Some(match format {
        WeightFormat::Gguf => claims_from_gguf(path, rel),
        WeightFormat::Safetensors => claims_from_safetensors(path, rel),
    })
}

/// A zero-byte file or a Git LFS pointer (a clone without `git lfs pull`) holds no
/// header to read and says nothing about the license: not malformed, just absent.
fn is_placeholder(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    if meta.len() == 0 {
        return true;
    }
    let mut head = [0u8; 64];
    let n = File::open(path)
        .and_then(|f| f.take(64).read(&mut head))
        .unwrap_or(0);
    meta.len() < 1024 && head[..n].starts_with(b"version https://git-lfs.github.com/spec/")
}

/// Claims from a GGUF header: `general.license`, `.name`, `.link`, `general.base_model.*`.
pub fn claims_from_gguf(path: &Path, rel: &str) -> HeaderClaims {
    match open_regular(path) {
        Ok((file, len)) => claims_from_gguf_reader(file, len, rel),
        Err(e) => unreadable(HeaderClaims::default(), rel, e),
    }
}

/// Claims from a GGUF header read from `source` (`len` bytes, positioned at the start of
/// the file): an archive member, a section of a blob.
pub fn claims_from_gguf_reader(source: impl Read + Seek, len: u64, rel: &str) -> HeaderClaims {
    let mut claims = HeaderClaims::default();
    match gguf::read_gguf_from(source, len) {
        Ok(meta) => gguf_claims(&mut claims, meta, rel),
        Err(e) => claims.findings.push(malformed("GGUF", rel, e)),
    }
    claims
}

fn gguf_claims(claims: &mut HeaderClaims, meta: GgufMeta, rel: &str) {
    // gguf-py joins a card's license list with commas; SPDX expressions never hold one.
    for value in meta.license.iter().flat_map(|l| l.split(',')) {
        push(claims, SourceKind::Gguf, "general.license", value, rel);
    }
    if let Some(v) = &meta.license_name {
        push(claims, SourceKind::Gguf, "general.license.name", v, rel);
    }
    if let Some(v) = &meta.license_link {
        push(claims, SourceKind::Gguf, "general.license.link", v, rel);
    }
    claims.base_models = meta.base_models.iter().filter_map(|b| b.hub_id()).collect();
    claims.name = meta.name.filter(|n| !n.trim().is_empty());
}

/// Claims from a safetensors header: every `__metadata__` key naming a license.
pub fn claims_from_safetensors(path: &Path, rel: &str) -> HeaderClaims {
    match open_regular(path) {
        Ok((mut file, len)) => claims_from_safetensors_reader(&mut file, len, rel),
        Err(e) => unreadable(HeaderClaims::default(), rel, e),
    }
}

/// Claims from a safetensors header read from `source` (`len` bytes, positioned at the
/// start of the file).
pub fn claims_from_safetensors_reader(source: &mut impl Read, len: u64, rel: &str) -> HeaderClaims {
    let mut claims = HeaderClaims::default();
    match safetensors::read_safetensors_from(source, len) {
        Ok(meta) => {
            for (key, value) in &meta {
                if safetensors::is_license_key(key) {
                    push(&mut claims, SourceKind::Safetensors, key, value, rel);
                }
            }
            claims.name = meta
                .get("modelspec.title")
                .filter(|t| !t.trim().is_empty())
                .cloned();
        }
        Err(e) => claims.findings.push(malformed("safetensors", rel, e)),
    }
    claims
}

/// A model for a single weight file named on the command line.
pub fn model_from_weight_file(path: &Path, target: &str) -> Model {
    let mut model = Model::new(target, TargetKind::File);
    let rel = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| target.to_string());
    if let Some(claims) = claims_from_weight_file(path, &rel) {
        claims.merge_into(&mut model);
    }
    model
}

/// Opens a regular file (refusing FIFOs and devices, which could block) and its size.
fn open_regular(path: &Path) -> Result<(File, u64), String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "not found (dangling symlink?)".to_string(),
        _ => e.to_string(),
    })?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    Ok((file, meta.len()))
}

fn push(claims: &mut HeaderClaims, source: SourceKind, field: &str, value: &str, rel: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    claims.declared.push(Declared {
        source,
        field: field.to_string(),
        value: value.to_string(),
        path: Some(rel.to_string()),
        line: None,
    });
}

fn unreadable(mut claims: HeaderClaims, rel: &str, why: String) -> HeaderClaims {
    claims.findings.push(
        Finding::new(
            Code::UnreadableFile,
            Severity::Warning,
            format!("cannot read weight file header: {why}"),
        )
        .at(rel),
    );
    claims
}

fn malformed(format: &str, rel: &str, why: String) -> Finding {
    Finding::new(
        Code::MalformedMetadata,
        Severity::Warning,
        format!("malformed {format} header: {why}"),
    )
    .at(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(weight_format("m.Q4_K_M.GGUF"), Some(WeightFormat::Gguf));
        assert_eq!(
            weight_format("model-00001-of-00002.safetensors"),
            Some(WeightFormat::Safetensors)
        );
        assert_eq!(weight_format("model.bin"), None);
    }

    #[test]
    fn missing_file_is_unreadable_not_malformed() {
        let c = claims_from_gguf(Path::new("/nonexistent/x.gguf"), "x.gguf");
        assert_eq!(c.findings[0].code, Code::UnreadableFile);
        assert_eq!(c.findings[0].path.as_deref(), Some("x.gguf"));
    }
}
