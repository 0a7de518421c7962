//! safetensors header metadata: the `__metadata__` string map, read without touching weights.
//!
//! A safetensors file is an 8-byte little-endian header length, a JSON header (tensor
//! offsets plus an optional `__metadata__` string-to-string map) and the weights. We read
//! the length, refuse absurd ones, read and parse the JSON only; tensor entries are parsed
//! as ignored values, never stored.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest JSON header read. The format allows 100 MB, but real headers are tens of KiB
/// (a few MiB for models with tens of thousands of tensors).
pub const MAX_HEADER_BYTES: u64 = 16 * 1024 * 1024;

/// The `__metadata__` map of a safetensors file (values that are not strings are dropped).
pub type SafetensorsMeta = BTreeMap<String, String>;

#[derive(serde::Deserialize)]
struct Header {
    #[serde(rename = "__metadata__", default)]
    metadata: Option<BTreeMap<String, serde_json::Value>>,
}

/// Reads the `__metadata__` of `path`. The error is one line, for a `malformed-metadata`
/// or `unreadable-file` finding.
pub fn read_safetensors(path: &Path) -> Result<SafetensorsMeta, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot stat: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    read_safetensors_from(&mut file, meta.len())
}

/// Reads safetensors metadata from any source of `len` bytes, positioned at its start.
pub fn read_safetensors_from(source: &mut impl Read, len: u64) -> Result<SafetensorsMeta, String> {
    let mut size = [0u8; 8];
    source
        .read_exact(&mut size)
        .map_err(|_| format!("truncated: {len}-byte file has no header length"))?;
    let n = u64::from_le_bytes(size);
    if n > len.saturating_sub(8) {
        return Err(format!(
            "truncated: header length {n} but only {} bytes follow",
            len.saturating_sub(8)
        ));
    }
    if n > MAX_HEADER_BYTES {
        return Err(format!(
            "header length {n} is over the {} MiB limit",
            MAX_HEADER_BYTES / (1024 * 1024)
        ));
    }
    let mut json = vec![0u8; n as usize];
    source
        .read_exact(&mut json)
        .map_err(|e| format!("cannot read header: {e}"))?;
    if json.first() != Some(&b'{') {
        return Err("header is not a JSON object".into());
    }
    let header: Header =
        serde_json::from_slice(&json).map_err(|e| format!("header is not valid JSON: {e}"))?;
    Ok(header
        .metadata
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect())
}

/// Is this `__metadata__` key a license claim (`license`, `modelspec.license`,
/// `license_name`, `modelspec.license_link`...)?
pub fn is_license_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.contains("license") || lower.contains("licence")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn file(json: &str, extra: usize) -> Vec<u8> {
        let mut b = (json.len() as u64).to_le_bytes().to_vec();
        b.extend(json.as_bytes());
        b.extend(vec![0u8; extra]);
        b
    }

    fn read(b: Vec<u8>) -> Result<SafetensorsMeta, String> {
        let len = b.len() as u64;
        read_safetensors_from(&mut Cursor::new(b), len)
    }

    #[test]
    fn reads_metadata_and_skips_tensors() {
        let json = r#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
            "__metadata__":{"modelspec.license":"CreativeML-OpenRAIL-M","n":1}}"#;
        let m = read(file(json, 8)).unwrap();
        assert_eq!(m.get("modelspec.license").unwrap(), "CreativeML-OpenRAIL-M");
        assert!(!m.contains_key("n"));
    }

    #[test]
    fn hostile_lengths_fail() {
        let mut b = file("{}", 0);
        b[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(read(b).unwrap_err().contains("truncated"));
        assert!(read(vec![1, 2, 3]).unwrap_err().contains("truncated"));
        assert!(read(file("[1]", 0)).unwrap_err().contains("JSON object"));
        assert!(read(file("{\"a\":", 0)).unwrap_err().contains("JSON"));
    }

    #[test]
    fn license_keys() {
        assert!(is_license_key("modelspec.license"));
        assert!(is_license_key("License"));
        assert!(!is_license_key("format"));
    }
}
