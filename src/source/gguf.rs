//! GGUF header metadata: the license and lineage keys, read without touching tensor data.
//!
//! A GGUF file starts with magic `GGUF`, a u32 version, the tensor count, the key-value
//! count and then typed key-value pairs; tensors come after. We read the key-value section
//! only, keep the few keys we need and skip every other value by size arithmetic (a
//! tokenizer's string arrays are walked, never allocated). Headers come from strangers:
//! every count and length is checked against the file size and a read budget, so a hostile
//! header fails fast with a one-line reason instead of allocating or looping.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

/// Furthest into a file the reader goes: the key-value section of real models, tokenizer
/// vocabularies included (Llama 3's is about 6 MiB), stays well below this.
pub const MAX_HEADER_BYTES: u64 = 32 * 1024 * 1024;

/// Longest key the spec allows.
const MAX_KEY_LEN: u64 = 65_535;

/// Longest value we keep for a key we want; longer is not a license id.
const MAX_KEPT_STRING: u64 = 64 * 1024;

/// Deepest array nesting we follow (llama.cpp itself refuses nested arrays).
const MAX_ARRAY_DEPTH: u32 = 4;

/// Most base models we record; real files name one or two.
const MAX_BASE_MODELS: u64 = 64;

/// One `general.base_model.N.*` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseModel {
    /// `general.base_model.N.name` (often a prettified title: `Llama 3.1 8B`).
    pub name: Option<String>,
    /// `general.base_model.N.organization`.
    pub organization: Option<String>,
    /// `general.base_model.N.repo_url` (usually `https://huggingface.co/ORG/NAME`).
    pub repo_url: Option<String>,
}

impl BaseModel {
    /// The best id for lineage: the Hub id from `repo_url`, else the name as written.
    pub fn hub_id(&self) -> Option<String> {
        if let Some(id) = self.repo_url.as_deref().and_then(hub_id_from_url) {
            return Some(id);
        }
        self.name
            .as_deref()
            .or(self.repo_url.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
}

/// `https://huggingface.co/ORG/NAME[/...]` -> `ORG/NAME`.
pub fn hub_id_from_url(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let path = rest
        .strip_prefix("huggingface.co/")
        .or_else(|| rest.strip_prefix("hf.co/"))?;
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    let org = parts.next()?;
    match parts.next() {
        Some(name) => Some(format!("{org}/{name}")),
        None => Some(org.to_string()),
    }
}

/// The metadata model-license needs from a GGUF header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GgufMeta {
    /// Format version (2 or 3).
    pub version: u32,
    /// True for a big-endian file.
    pub big_endian: bool,
    /// `general.license` values (one, or several when written as an array).
    pub license: Vec<String>,
    /// `general.license.name`.
    pub license_name: Option<String>,
    /// `general.license.link`.
    pub license_link: Option<String>,
    /// `general.name`.
    pub name: Option<String>,
    /// `general.base_model.count`, as written.
    pub base_model_count: Option<u64>,
    /// `general.base_model.N.*`, by N (entries the count promises but the file lacks are empty).
    pub base_models: Vec<BaseModel>,
    /// Bytes consumed from the file: the end of the key-value section.
    pub header_bytes: u64,
}

/// Reads the GGUF header of `path`. The error is one line, for a `malformed-metadata` or
/// `unreadable-file` finding.
pub fn read_gguf(path: &Path) -> Result<GgufMeta, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot stat: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    read_gguf_from(file, meta.len())
}

/// Reads a GGUF header from any seekable source of `len` bytes.
pub fn read_gguf_from<R: Read + Seek>(source: R, len: u64) -> Result<GgufMeta, String> {
    let mut r = Reader {
        inner: BufReader::with_capacity(16 * 1024, source),
        pos: 0,
        len,
        budget: MAX_HEADER_BYTES.min(len),
        big_endian: false,
    };
    let mut meta = GgufMeta::default();
    let magic = r.bytes4()?;
    if &magic != b"GGUF" {
        return Err("not a GGUF file (wrong magic)".into());
    }
    let raw_version = r.bytes4()?;
    let (version, big_endian) = match (
        u32::from_le_bytes(raw_version),
        u32::from_be_bytes(raw_version),
    ) {
        (v @ (2 | 3), _) => (v, false),
        (_, v @ (2 | 3)) => (v, true),
        (1, _) | (_, 1) => return Err("GGUF version 1 is not supported".into()),
        (v, _) => return Err(format!("unknown GGUF version {v}")),
    };
    r.big_endian = big_endian;
    meta.version = version;
    meta.big_endian = big_endian;
    let tensor_count = r.u64()?;
    let kv_count = r.u64()?;
    // Every tensor info takes at least 24 bytes, every key-value pair at least 13.
    if tensor_count > len / 24 {
        return Err(format!("absurd tensor count {tensor_count}"));
    }
    if kv_count > r.remaining() / 13 {
        return Err(format!("absurd key-value count {kv_count}"));
    }
    for _ in 0..kv_count {
        let key = r.key()?;
        let ty = r.u32()?;
        read_value(&mut r, &key, ty, &mut meta)?;
    }
    meta.header_bytes = r.pos;
    Ok(meta)
}

/// What a wanted key is for.
enum Wanted {
    License,
    LicenseName,
    LicenseLink,
    Name,
    BaseModelCount,
    BaseModel(u64, BaseField),
}

#[derive(Clone, Copy)]
enum BaseField {
    Name,
    Organization,
    RepoUrl,
}

fn wanted(key: &str) -> Option<Wanted> {
    Some(match key {
        "general.license" => Wanted::License,
        "general.license.name" => Wanted::LicenseName,
        "general.license.link" => Wanted::LicenseLink,
        "general.name" => Wanted::Name,
        "general.base_model.count" => Wanted::BaseModelCount,
        _ => {
            let rest = key.strip_prefix("general.base_model.")?;
            let (n, field) = rest.split_once('.')?;
            let n: u64 = n.parse().ok()?;
            let field = match field {
                "name" => BaseField::Name,
                "organization" => BaseField::Organization,
                "repo_url" => BaseField::RepoUrl,
                _ => return None,
            };
            Wanted::BaseModel(n, field)
        }
    })
}

const T_STRING: u32 = 8;
const T_ARRAY: u32 = 9;

/// Size of a fixed-size value type, `None` for string, array or unknown types.
fn fixed_size(ty: u32) -> Option<u64> {
    match ty {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

fn read_value(
    r: &mut Reader<impl Read + Seek>,
    key: &str,
    ty: u32,
    meta: &mut GgufMeta,
) -> Result<(), String> {
    let Some(want) = wanted(key) else {
        return skip_value(r, ty, 0);
    };
    match (want, ty) {
        (Wanted::License, T_STRING) => meta.license.push(r.kept_string(key)?),
        (Wanted::License, T_ARRAY) => meta.license = r.string_array(key)?,
        (Wanted::LicenseName, T_STRING) => meta.license_name = Some(r.kept_string(key)?),
        (Wanted::LicenseLink, T_STRING) => meta.license_link = Some(r.kept_string(key)?),
        (Wanted::Name, T_STRING) => meta.name = Some(r.kept_string(key)?),
        (Wanted::BaseModelCount, t) if fixed_size(t).is_some() && t != 6 && t != 12 => {
            let n = r.integer(t)?;
            meta.base_model_count = Some(n);
            let slots = n.min(MAX_BASE_MODELS) as usize;
            if meta.base_models.len() < slots {
                meta.base_models.resize(slots, BaseModel::default());
            }
        }
        (Wanted::BaseModel(n, field), T_STRING) => {
            let value = r.kept_string(key)?;
            if n < MAX_BASE_MODELS {
                let n = n as usize;
                if meta.base_models.len() <= n {
                    meta.base_models.resize(n + 1, BaseModel::default());
                }
                let slot = &mut meta.base_models[n];
                match field {
                    BaseField::Name => slot.name = Some(value),
                    BaseField::Organization => slot.organization = Some(value),
                    BaseField::RepoUrl => slot.repo_url = Some(value),
                }
            }
        }
        // A wanted key with an unexpected type: not ours to interpret, skip it.
        (_, t) => skip_value(r, t, 0)?,
    }
    Ok(())
}

/// Skips one value of type `ty` without allocating it.
fn skip_value(r: &mut Reader<impl Read + Seek>, ty: u32, depth: u32) -> Result<(), String> {
    if let Some(size) = fixed_size(ty) {
        return r.skip(size);
    }
    match ty {
        T_STRING => {
            let n = r.u64()?;
            r.skip(n)
        }
        T_ARRAY => {
            if depth >= MAX_ARRAY_DEPTH {
                return Err("arrays nested too deeply".into());
            }
            let elem = r.u32()?;
            let count = r.u64()?;
            if let Some(size) = fixed_size(elem) {
                let total = count
                    .checked_mul(size)
                    .ok_or_else(|| format!("absurd array length {count}"))?;
                return r.skip(total);
            }
            // Strings take at least 8 bytes each, arrays at least 12: bound the count first.
            let min = match elem {
                T_STRING => 8,
                T_ARRAY => 12,
                other => return Err(format!("unknown value type {other}")),
            };
            if count > r.remaining() / min {
                return Err(format!("absurd array length {count}"));
            }
            for _ in 0..count {
                skip_value(r, elem, depth + 1)?;
            }
            Ok(())
        }
        other => Err(format!("unknown value type {other}")),
    }
}

/// A bounded, position-tracking little/big-endian reader.
struct Reader<R> {
    inner: BufReader<R>,
    /// Offset in the file.
    pos: u64,
    /// File size.
    len: u64,
    /// Offset past which nothing is read.
    budget: u64,
    big_endian: bool,
}

impl<R: Read + Seek> Reader<R> {
    /// Bytes left before the file ends or the budget runs out.
    fn remaining(&self) -> u64 {
        self.budget.saturating_sub(self.pos)
    }

    fn check(&self, n: u64) -> Result<(), String> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.len && end <= self.budget => Ok(()),
            Some(end) if end <= self.len => Err(format!(
                "header larger than {} MiB",
                MAX_HEADER_BYTES / (1024 * 1024)
            )),
            _ => Err(format!(
                "truncated: needs {n} bytes at offset {} of a {}-byte file",
                self.pos, self.len
            )),
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> Result<(), String> {
        self.check(buf.len() as u64)?;
        self.inner
            .read_exact(buf)
            .map_err(|e| format!("read failed at offset {}: {e}", self.pos))?;
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        self.check(n)?;
        let step = i64::try_from(n).map_err(|_| format!("absurd length {n}"))?;
        self.inner
            .seek_relative(step)
            .map_err(|e| format!("seek failed at offset {}: {e}", self.pos))?;
        self.pos += n;
        Ok(())
    }

    fn bytes4(&mut self) -> Result<[u8; 4], String> {
        let mut b = [0; 4];
        self.fill(&mut b)?;
        Ok(b)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes4()?;
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0; 8];
        self.fill(&mut b)?;
        Ok(if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }

    /// An unsigned or signed integer of type `ty` as u64 (negative values become 0).
    fn integer(&mut self, ty: u32) -> Result<u64, String> {
        let size = fixed_size(ty).unwrap_or(0) as usize;
        let mut b = [0u8; 8];
        self.fill(&mut b[..size])?;
        let mut v: u64 = 0;
        for i in 0..size {
            let byte = if self.big_endian {
                b[i]
            } else {
                b[size - 1 - i]
            };
            v = (v << 8) | u64::from(byte);
        }
        let signed = matches!(ty, 1 | 3 | 5 | 11);
        let negative = signed && v >> (size * 8 - 1) & 1 == 1;
        Ok(if negative { 0 } else { v })
    }

    fn key(&mut self) -> Result<String, String> {
        let n = self.u64()?;
        if n == 0 || n > MAX_KEY_LEN {
            return Err(format!("bad key length {n} at offset {}", self.pos - 8));
        }
        self.check(n)?;
        let mut b = vec![0; n as usize];
        self.fill(&mut b)?;
        String::from_utf8(b).map_err(|_| "key is not UTF-8".to_string())
    }

    fn kept_string(&mut self, key: &str) -> Result<String, String> {
        let n = self.u64()?;
        if n > MAX_KEPT_STRING {
            return Err(format!("{key} is {n} bytes long"));
        }
        self.check(n)?;
        let mut b = vec![0; n as usize];
        self.fill(&mut b)?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }

    /// An array of strings for a wanted key (a few entries at most are kept).
    fn string_array(&mut self, key: &str) -> Result<Vec<String>, String> {
        let elem = self.u32()?;
        let count = self.u64()?;
        if elem != T_STRING || count > 64 {
            return Err(format!(
                "{key} is an array of {count} values of type {elem}"
            ));
        }
        (0..count).map(|_| self.kept_string(key)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn header(version_le: [u8; 4], tensors: u64, kvs: u64) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(version_le);
        b.extend(tensors.to_le_bytes());
        b.extend(kvs.to_le_bytes());
        b
    }

    fn kv_string(b: &mut Vec<u8>, key: &str, value: &str) {
        b.extend((key.len() as u64).to_le_bytes());
        b.extend(key.as_bytes());
        b.extend(T_STRING.to_le_bytes());
        b.extend((value.len() as u64).to_le_bytes());
        b.extend(value.as_bytes());
    }

    fn read(b: Vec<u8>) -> Result<GgufMeta, String> {
        let len = b.len() as u64;
        read_gguf_from(Cursor::new(b), len)
    }

    #[test]
    fn reads_license_and_stops_at_kv_end() {
        let mut b = header(3u32.to_le_bytes(), 0, 2);
        kv_string(&mut b, "general.license", "apache-2.0");
        kv_string(
            &mut b,
            "general.base_model.0.repo_url",
            "https://huggingface.co/a/b",
        );
        let end = b.len() as u64;
        b.extend([0xAB; 100]); // tensor info / data: never read
        let m = read(b).unwrap();
        assert_eq!(m.license, ["apache-2.0"]);
        assert_eq!(m.base_models[0].hub_id().as_deref(), Some("a/b"));
        assert_eq!(m.header_bytes, end);
    }

    #[test]
    fn refuses_v1_and_bad_magic() {
        assert!(read(header(1u32.to_le_bytes(), 0, 0))
            .unwrap_err()
            .contains("version 1"));
        let mut b = header(3u32.to_le_bytes(), 0, 0);
        b[0] = b'X';
        assert!(read(b).unwrap_err().contains("magic"));
    }

    #[test]
    fn signed_integer_count() {
        let mut b = header(3u32.to_le_bytes(), 0, 1);
        let key = "general.base_model.count";
        b.extend((key.len() as u64).to_le_bytes());
        b.extend(key.as_bytes());
        b.extend(5u32.to_le_bytes()); // i32
        b.extend(2i32.to_le_bytes());
        assert_eq!(read(b).unwrap().base_model_count, Some(2));
    }

    #[test]
    fn hub_ids_from_urls() {
        assert_eq!(
            hub_id_from_url("https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main").as_deref(),
            Some("meta-llama/Llama-3.1-8B")
        );
        assert_eq!(hub_id_from_url("https://example.com/x/y"), None);
    }
}
