//! Reading files written by strangers: bounded, never blocking, never trusting the encoding.
//!
//! Every text the scan reads goes through [`read_text`]: it refuses FIFOs, devices and
//! sockets (opening one could block forever), reads at most [`MAX_TEXT_BYTES`], strips a
//! BOM, decodes UTF-16, and rejects binary data.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// The most of a text file the scan reads. License texts are under 64 KiB; a README with a
/// license section rarely passes 256 KiB. Past this, the tail is not read.
pub const MAX_TEXT_BYTES: u64 = 1024 * 1024;

/// A text read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Decoded content.
    pub content: String,
    /// True when the file was longer than the read limit.
    pub truncated: bool,
}

/// Why a file could not be read as text; the message is one line for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads `path` as text, at most `limit` bytes. Follows symlinks; refuses anything that is
/// not a regular file.
pub fn read_text(path: &Path, limit: u64) -> Result<Text, ReadError> {
    let meta = fs::metadata(path).map_err(|e| ReadError(describe_io(&e)))?;
    if !meta.is_file() {
        return Err(ReadError(if meta.is_dir() {
            "is a directory".into()
        } else {
            "not a regular file (FIFO, device or socket)".into()
        }));
    }
    let file = File::open(path).map_err(|e| ReadError(describe_io(&e)))?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError(describe_io(&e)))?;
    let truncated = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    let content = decode(&bytes, truncated)?;
    Ok(Text { content, truncated })
}

/// Text on one line: runs of whitespace (newlines included) become one space, for messages
/// built from a parser's or a server's words.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes bytes as UTF-8 or UTF-16 (by BOM, or by the NUL pattern of ASCII text in
/// UTF-16 without one). Binary data is an error. `cut` says the bytes end mid-file, so a
/// broken last character is expected and dropped.
pub fn decode(bytes: &[u8], cut: bool) -> Result<String, ReadError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, cut);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(utf16(rest, u16::from_be_bytes));
    }
    // UTF-16 without a BOM: ASCII text has a NUL in every other byte.
    let sample = &bytes[..bytes.len().min(512)];
    if sample.len() >= 8 {
        let odd_nuls = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        let even_nuls = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let half = sample.len() / 2;
        if odd_nuls * 10 >= half * 9 && even_nuls == 0 {
            return Ok(utf16(bytes, u16::from_le_bytes));
        }
        if even_nuls * 10 >= half * 9 && odd_nuls == 0 {
            return Ok(utf16(bytes, u16::from_be_bytes));
        }
    }
    utf8(bytes, cut)
}

fn utf8(bytes: &[u8], cut: bool) -> Result<String, ReadError> {
    if looks_binary(bytes) {
        return Err(ReadError("binary data, not text".into()));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        // A read limit can split the last character; anything else is Latin-1-ish text
        // that we keep, replacing what does not decode.
        Err(e) if cut && e.valid_up_to() + 4 >= bytes.len() => {
            Ok(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned())
        }
        Err(_) => Ok(String::from_utf8_lossy(bytes).into_owned()),
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// NUL bytes or many control characters in the first 8 KiB mean binary.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 20 > head.len().max(1)
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "not found (dangling symlink?)".into(),
        _ if e.raw_os_error() == Some(40) => {
            "too many levels of symbolic links (symlink loop)".into()
        }
        _ => e.to_string(),
    }
}

/// What a license-like file name promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseFileKind {
    /// A text to read: LICENSE, LICENSE.md, MODEL_LICENSE, NOTICE, USE_POLICY.md, ...
    Text,
    /// A document format this tool does not read (PDF, DOCX, ...): its terms are unknown.
    Unreadable,
}

/// Is this file name license-like, and can it be read as text? Any name that holds
/// "license" or "licence" (MODEL_LICENSE, LICENSE_MODEL, WEIGHTS_LICENSE, ...) or "terms",
/// COPYING*, NOTICE*, EULA*, USE_POLICY* and *ACCEPTABLE*USE*, case-insensitive; with no
/// extension, a text extension or a version-like one (`LICENSE-SDXL0.9`). Not code or
/// data files (`license.py`, `licenses.json`).
pub fn license_file_kind(name: &str) -> Option<LicenseFileKind> {
    let lower = name.to_ascii_lowercase();
    const STARTS: [&str; 7] = [
        "copying",
        "notice",
        "eula",
        "use_policy",
        "use-policy",
        "usage_policy",
        "usage-policy",
    ];
    let licensey = lower.contains("license")
        || lower.contains("licence")
        || lower.contains("terms")
        || STARTS.iter().any(|p| lower.starts_with(p))
        || (lower.contains("acceptable") && lower.contains("use"));
    if !licensey {
        return None;
    }
    match lower.rsplit_once('.') {
        None => Some(LicenseFileKind::Text),
        Some((_, ext)) => match ext {
            "txt" | "md" | "markdown" | "rst" | "text" | "html" | "htm" => {
                Some(LicenseFileKind::Text)
            }
            "pdf" | "docx" | "doc" | "odt" | "rtf" | "pages" => Some(LicenseFileKind::Unreadable),
            _ if ext.len() > 4 || ext.chars().any(|c| c.is_ascii_digit()) => {
                Some(LicenseFileKind::Text)
            }
            _ => None,
        },
    }
}

/// Is this file name a license-like text to read (see [`license_file_kind`]).
pub fn is_license_file(name: &str) -> bool {
    license_file_kind(name) == Some(LicenseFileKind::Text)
}

/// A REUSE `LICENSES/` folder: every text in it is a license of the folder above.
pub fn is_licenses_folder(name: &str) -> bool {
    name.eq_ignore_ascii_case("licenses")
}

/// Is this file name a model card / README.
pub fn is_readme(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "readme.md"
            | "readme"
            | "readme.txt"
            | "readme.markdown"
            | "model_card.md"
            | "modelcard.md"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFhello", false).unwrap(), "hello");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Lic".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&le, false).unwrap(), "Lic");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Lic".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&be, false).unwrap(), "Lic");
        let bare: Vec<u8> = "Apache License"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&bare, false).unwrap(), "Apache License");
    }

    #[test]
    fn rejects_binary() {
        assert!(decode(b"GGUF\x03\x00\x00\x00\x00\x00", false).is_err());
        assert!(decode(
            &[0x89, b'P', b'N', b'G', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
            false
        )
        .is_err());
    }

    #[test]
    fn a_cut_multibyte_char_is_dropped_not_mangled() {
        let s = "quote “x”".as_bytes();
        assert_eq!(decode(&s[..s.len() - 1], true).unwrap(), "quote “x");
    }

    #[test]
    fn license_file_names() {
        for yes in [
            "LICENSE",
            "LICENSE.txt",
            "license.md",
            "LICENCE",
            "COPYING",
            "NOTICE",
            "USE_POLICY.md",
            "LICENSE-MODEL",
            "LICENSE-CODE",
            "LICENSE.2.0.txt",
            "MODEL_LICENSE",
            "LICENSE_MODEL.txt",
            "WEIGHTS_LICENSE",
            "Falcon-3-TII-Falcon-License-December-2024",
            "EULA.md",
            "TERMS_OF_USE.md",
            "Databricks-Open-Model-Acceptable-Use-Policy",
            "NOTICE.txt",
        ] {
            assert!(is_license_file(yes), "{yes}");
        }
        for no in [
            "license.py",
            "README.md",
            "config.json",
            "model.safetensors",
            "licenses.json",
            "tokenizer.json",
        ] {
            assert!(!is_license_file(no), "{no}");
        }
        for pdf in ["LICENSE.pdf", "Skywork Community License.docx"] {
            assert_eq!(license_file_kind(pdf), Some(LicenseFileKind::Unreadable));
        }
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("LICENSE");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        if status.map(|s| s.success()).unwrap_or(false) {
            let err = read_text(&fifo, MAX_TEXT_BYTES).unwrap_err();
            assert!(err.0.contains("FIFO"), "{err}");
        }
    }
}
