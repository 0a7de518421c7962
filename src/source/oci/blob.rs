//! Blobs of an OCI image layout or a Docker model store (`blobs/<alg>/<hex>`), found by
//! digest and checked against their descriptor before they are trusted.
//!
//! Small blobs (indexes, manifests, configs, license texts, cards) are read whole, up to a
//! bound, and their size and digest compared with the descriptor. Large blobs (weights,
//! layer archives) are never hashed: only their size is compared before a header is read.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256, Sha512};

use crate::finding::{Code, Finding, Severity};
use crate::source::files::MAX_TEXT_BYTES;

/// Largest index, manifest or config read; real ones are a few KiB.
pub const MAX_JSON_BYTES: u64 = 1024 * 1024;

/// Largest blob read whole and hashed (texts and small layer archives).
pub const MAX_VERIFIED_BYTES: u64 = 16 * 1024 * 1024;

/// A content descriptor: what an index or manifest says about a blob.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the blob (may be absent in hand-written indexes).
    #[serde(default)]
    pub media_type: String,
    /// `sha256:<hex>` or `sha512:<hex>`, checked when the blob is looked up.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Annotations (`org.opencontainers.image.ref.name`, `org.cncf.model.filepath`...).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Artifact type of a manifest, when the index gives it.
    #[serde(default)]
    pub artifact_type: Option<String>,
}

/// Why a blob was not read; becomes a finding on the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobError {
    /// The digest is not `sha256:<64 hex>` / `sha512:<128 hex>` (lower case).
    BadDigest,
    /// No blob file for the digest.
    Missing,
    /// The blob file could not be read (not a regular file, permissions...).
    Unreadable(String),
    /// The descriptor says the blob is larger than we read whole.
    TooLarge,
    /// The file is not the size the descriptor says.
    Size {
        /// Bytes on disk.
        actual: u64,
        /// Bytes the descriptor says.
        declared: u64,
    },
    /// The bytes do not hash to the digest.
    Digest,
}

impl BlobError {
    /// The finding for a blob of `desc` (`what` says which: "manifest", "LICENSE layer").
    pub fn finding(&self, what: &str, desc: &Descriptor) -> Finding {
        let (code, message) = match self {
            BlobError::BadDigest => (
                Code::MalformedMetadata,
                format!("{what}: digest {:?} is not <algorithm>:<hex>", desc.digest),
            ),
            BlobError::Missing => (Code::UnreadableFile, format!("{what}: blob is missing")),
            BlobError::Unreadable(why) => (Code::UnreadableFile, format!("{what}: {why}")),
            BlobError::TooLarge => (
                Code::MalformedMetadata,
                format!("{what}: {} bytes, more than is read for it", desc.size),
            ),
            BlobError::Size { actual, declared } => (
                Code::OciBlobMismatch,
                format!("{what}: blob is {actual} bytes, its descriptor says {declared}; not read"),
            ),
            BlobError::Digest => (
                Code::OciBlobMismatch,
                format!("{what}: blob does not match its digest; not read"),
            ),
        };
        Finding::new(code, Severity::Warning, message).at(blob_rel(&desc.digest))
    }
}

/// The algorithm and hex of a well-formed digest.
pub fn parse_digest(digest: &str) -> Option<(&str, &str)> {
    let (alg, hex) = digest.split_once(':')?;
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => return None,
    };
    let ok = hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then_some((alg, hex))
}

/// `blobs/<alg>/<hex>` for a digest (the digest as written when it is malformed), for
/// findings and evidence paths.
pub fn blob_rel(digest: &str) -> String {
    match parse_digest(digest) {
        Some((alg, hex)) => format!("blobs/{alg}/{hex}"),
        None => digest.to_string(),
    }
}

/// The file of a digest under `dir` (`blobs/` or Docker's `manifests/`); `None` for a
/// malformed digest, so a manifest cannot point outside the store.
pub fn digest_path(dir: &Path, digest: &str) -> Option<PathBuf> {
    let (alg, hex) = parse_digest(digest)?;
    Some(dir.join(alg).join(hex))
}

/// Does `bytes` hash to `digest` (a well-formed one)?
pub fn digest_matches(digest: &str, bytes: &[u8]) -> bool {
    let hex = |out: &[u8]| out.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match parse_digest(digest) {
        Some(("sha256", want)) => hex(&Sha256::digest(bytes)) == want,
        Some(("sha512", want)) => hex(&Sha512::digest(bytes)) == want,
        _ => false,
    }
}

/// The blob of `desc` under `root/blobs`, a regular file of exactly the size the descriptor
/// says (its content is not hashed: it may be 50 GB of weights).
pub fn sized_blob(root: &Path, desc: &Descriptor) -> Result<PathBuf, BlobError> {
    let path = digest_path(&root.join("blobs"), &desc.digest).ok_or(BlobError::BadDigest)?;
    let meta = fs::metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => BlobError::Missing,
        _ => BlobError::Unreadable(e.to_string()),
    })?;
    if !meta.is_file() {
        return Err(BlobError::Unreadable("not a regular file".into()));
    }
    if meta.len() != desc.size {
        return Err(BlobError::Size {
            actual: meta.len(),
            declared: desc.size,
        });
    }
    Ok(path)
}

/// Reads the file at `path` whole when it is `size` bytes (at most `limit`) and hashes to
/// `digest`.
pub fn read_verified_file(
    path: &Path,
    digest: &str,
    size: u64,
    limit: u64,
) -> Result<Vec<u8>, BlobError> {
    if parse_digest(digest).is_none() {
        return Err(BlobError::BadDigest);
    }
    if size > limit {
        return Err(BlobError::TooLarge);
    }
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => BlobError::Missing,
        _ => BlobError::Unreadable(e.to_string()),
    })?;
    if !meta.is_file() {
        return Err(BlobError::Unreadable("not a regular file".into()));
    }
    let file = File::open(path).map_err(|e| BlobError::Unreadable(e.to_string()))?;
    let mut bytes = Vec::with_capacity(size.min(meta.len()) as usize);
    file.take(size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| BlobError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 != size {
        return Err(BlobError::Size {
            actual: meta.len().max(bytes.len() as u64),
            declared: size,
        });
    }
    if !digest_matches(digest, &bytes) {
        return Err(BlobError::Digest);
    }
    Ok(bytes)
}

/// Reads the blob of `desc` under `root/blobs` whole and verified, if at most `limit` bytes.
pub fn read_verified(root: &Path, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, BlobError> {
    let path = digest_path(&root.join("blobs"), &desc.digest).ok_or(BlobError::BadDigest)?;
    read_verified_file(&path, &desc.digest, desc.size, limit)
}

/// Why a JSON blob was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// The blob itself (missing, lying, too large).
    Blob(BlobError),
    /// Not valid JSON, or not the shape expected.
    Parse(String),
}

impl JsonError {
    /// The finding for the JSON blob of `desc` (`what`: "manifest", "config"...).
    pub fn finding(&self, what: &str, desc: &Descriptor) -> Finding {
        match self {
            JsonError::Blob(e) => e.finding(what, desc),
            JsonError::Parse(e) => Finding::new(
                Code::MalformedMetadata,
                Severity::Warning,
                format!("{what} is malformed: {e}"),
            )
            .at(blob_rel(&desc.digest)),
        }
    }
}

/// Reads a JSON blob (index, manifest, config) verified, at most [`MAX_JSON_BYTES`].
pub fn read_json(root: &Path, desc: &Descriptor) -> Result<serde_json::Value, JsonError> {
    let bytes = read_verified(root, desc, MAX_JSON_BYTES).map_err(JsonError::Blob)?;
    serde_json::from_slice(&bytes).map_err(|e| JsonError::Parse(e.to_string()))
}

/// A text blob (a license layer, a raw README): its first [`MAX_TEXT_BYTES`] and whether
/// it was cut. Verified whole when at most [`MAX_VERIFIED_BYTES`]; a larger one is only
/// size-checked, and is cut anyway.
pub fn read_text_blob(root: &Path, desc: &Descriptor) -> Result<(Vec<u8>, bool), BlobError> {
    if desc.size <= MAX_VERIFIED_BYTES {
        let mut bytes = read_verified(root, desc, MAX_VERIFIED_BYTES)?;
        let cut = bytes.len() as u64 > MAX_TEXT_BYTES;
        bytes.truncate(MAX_TEXT_BYTES as usize);
        return Ok((bytes, cut));
    }
    let path = sized_blob(root, desc)?;
    let file = File::open(&path).map_err(|e| BlobError::Unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_TEXT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| BlobError::Unreadable(e.to_string()))?;
    Ok((bytes, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn digests_are_checked_and_cannot_escape() {
        assert!(parse_digest(&format!("sha256:{}", "a".repeat(64))).is_some());
        assert!(parse_digest(&format!("sha256:{}", "A".repeat(64))).is_none());
        assert!(parse_digest("sha256:../../etc/passwd").is_none());
        assert!(parse_digest(&format!("md5:{}", "a".repeat(32))).is_none());
        assert_eq!(blob_rel("nonsense"), "nonsense");
    }

    #[test]
    fn verified_reads_refuse_lies() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"MIT License\n";
        let hex = sha256_hex(data);
        let blobs = dir.path().join("blobs/sha256");
        fs::create_dir_all(&blobs).unwrap();
        fs::write(blobs.join(&hex), data).unwrap();
        let desc = |digest: String, size: u64| Descriptor {
            digest,
            size,
            ..Descriptor::default()
        };
        let good = desc(format!("sha256:{hex}"), data.len() as u64);
        assert_eq!(read_verified(dir.path(), &good, 100).unwrap(), data);
        assert_eq!(
            read_verified(dir.path(), &desc(good.digest.clone(), 5), 100),
            Err(BlobError::Size {
                actual: data.len() as u64,
                declared: 5
            })
        );
        assert_eq!(
            read_verified(dir.path(), &good, 3),
            Err(BlobError::TooLarge)
        );
        // A digest that lies: the file under another digest's name.
        let other = "b".repeat(64);
        fs::write(blobs.join(&other), data).unwrap();
        let lying = desc(format!("sha256:{other}"), data.len() as u64);
        assert_eq!(
            read_verified(dir.path(), &lying, 100),
            Err(BlobError::Digest)
        );
        let missing = desc(format!("sha256:{}", "c".repeat(64)), 1);
        assert_eq!(
            read_verified(dir.path(), &missing, 100),
            Err(BlobError::Missing)
        );
        let f = BlobError::Digest.finding("license layer", &lying);
        assert_eq!(f.code, Code::OciBlobMismatch);
        assert_eq!(f.path.unwrap(), format!("blobs/sha256/{other}"));
    }
}
