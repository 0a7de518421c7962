//! Fuzz harness bodies: one function per entry point that feeds it bytes and checks what
//! must hold for any input (no panic, bounded output, sane numbers).
//!
//! Shared by the AFL targets (`fuzz/src/bin/*.rs`) and the property tests that run inside
//! `cargo test` (`tests/props.rs`, through `#[path]`), so both check the same things.
#![allow(dead_code)]

use std::io::{Cursor, Read, Seek, SeekFrom};

use model_license::db::Db;
use model_license::identify::Identifier;
use model_license::source::{card, gguf, ollama, safetensors};

/// Bytes of zeros a sparse-file reader claims after the input: a 64 GiB weights file.
pub const SPARSE_TAIL: u64 = 64 << 30;

/// A reader over `data` followed by zeros up to `len`, like a sparse weights file whose
/// header is `data`: a reader that trusts a length field meets a huge, all-zero file.
pub struct Sparse<'a> {
    data: &'a [u8],
    len: u64,
    pos: u64,
}

impl<'a> Sparse<'a> {
    /// `data` then zeros, `len` bytes in all (at least `data.len()`).
    pub fn new(data: &'a [u8], len: u64) -> Self {
        Sparse {
            data,
            len: len.max(data.len() as u64),
            pos: 0,
        }
    }
}

impl Read for Sparse<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let n = (buf.len() as u64).min(left) as usize;
        let start = usize::try_from(self.pos)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        let from_data = (self.data.len() - start).min(n);
        buf[..from_data].copy_from_slice(&self.data[start..start + from_data]);
        buf[from_data..n].fill(0);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Sparse<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let next = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let next = next.ok_or_else(|| std::io::Error::other("seek before start"))?;
        self.pos = next;
        Ok(next)
    }
}

/// Checks a GGUF result read from a source of `len` bytes.
fn check_gguf(meta: Result<gguf::GgufMeta, String>, len: u64) {
    let Ok(meta) = meta else { return };
    assert!(matches!(meta.version, 2 | 3), "version {}", meta.version);
    assert!(meta.header_bytes <= len, "read past the end");
    assert!(
        meta.header_bytes <= gguf::MAX_HEADER_BYTES,
        "read past the budget"
    );
    assert!(
        meta.base_models.len() <= 64,
        "{} base models",
        meta.base_models.len()
    );
}

/// The GGUF header reader over the bytes as a whole file, and as the header of a sparse
/// 64 GiB file.
pub fn gguf(data: &[u8]) {
    let len = data.len() as u64;
    check_gguf(gguf::read_gguf_from(Cursor::new(data), len), len);
    let len = len + SPARSE_TAIL;
    check_gguf(gguf::read_gguf_from(Sparse::new(data, len), len), len);
}

/// The safetensors header reader over the bytes as a whole file, and as the header of a
/// sparse 64 GiB file.
pub fn safetensors(data: &[u8]) {
    for len in [data.len() as u64, data.len() as u64 + SPARSE_TAIL] {
        let Ok(meta) = safetensors::read_safetensors_from(&mut Sparse::new(data, len), len) else {
            continue;
        };
        let total: usize = meta.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(
            total as u64 <= safetensors::MAX_HEADER_BYTES,
            "metadata larger than the header limit"
        );
    }
}

/// Model card front matter and body.
pub fn card(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count() + 1;
    let parsed = card::parse(&text, "README.md");
    for d in &parsed.declared {
        assert!(
            d.line.is_none_or(|l| l >= 1 && l <= lines),
            "line {:?}",
            d.line
        );
    }
    for doc in &parsed.documents {
        assert!(doc.first_line >= 1 && doc.first_line <= lines);
        assert!(
            doc.text.len() <= text.len(),
            "document longer than the card"
        );
    }
}

/// The Ollama manifest parser.
pub fn ollama_manifest(data: &[u8]) {
    if let Ok(m) = ollama::parse_manifest(data) {
        assert!(m.layers.len() <= data.len(), "more layers than bytes");
    }
}

/// Lines as an editor counts them: `\n`, `\r\n` and a lone `\r` each end one (identify
/// reports lines this way, so classic Mac files get the lines users see).
pub fn editor_lines(text: &str) -> usize {
    let b = text.as_bytes();
    let breaks = (0..b.len())
        .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count();
    let ends_with_break = matches!(b.last(), Some(b'\n' | b'\r'));
    (breaks + usize::from(!ends_with_break)).max(1)
}

/// License-text identification.
pub fn identify(db: &Db, identifier: &Identifier, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = editor_lines(&text);
    let found = identifier.identify(&text);
    for m in &found.matches {
        assert!(db.get(&m.key).is_some(), "unknown key {}", m.key);
        assert!(
            (0.0..=1.0).contains(&m.confidence),
            "confidence {}",
            m.confidence
        );
        assert!(
            m.start_line >= 1 && m.start_line <= m.end_line,
            "lines {m:?}"
        );
        assert!(m.end_line <= lines, "end line {} of {lines}", m.end_line);
    }
    if let Some(c) = &found.candidate {
        assert!(db.get(&c.key).is_some(), "unknown candidate {}", c.key);
        assert!(c.score.is_finite(), "score {}", c.score);
    }
}

/// The policy file parser and validator; a valid policy is evaluated against no models.
pub fn policy(db: &Db, data: &[u8]) {
    use model_license::policy::{evaluate, Date, ValidPolicy};
    let text = String::from_utf8_lossy(data);
    match ValidPolicy::parse(&text, "model-license.toml", db) {
        Ok(p) => {
            let today = Date::new(2026, 1, 1).expect("a real day");
            assert_eq!(evaluate(&p, &[], today).models.len(), 0);
        }
        Err(model_license::Error::Policy { line, .. }) => {
            let lines = text.lines().count().max(1) + 1;
            assert!(line >= 1 && line <= lines, "error line {line} of {lines}");
        }
        Err(_) => {}
    }
}
