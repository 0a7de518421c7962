//! Layer archives (`tar`, `tar+gzip`, `tar+zstd`): member names, small texts and weight
//! headers, within bounds.
//!
//! An uncompressed archive is walked by seeking: only its 512-byte headers, the texts asked
//! for and the headers of weight files are read, so a 50 GB weight layer costs a few reads.
//! A compressed archive has to be decompressed to be walked; it is read up to
//! [`MAX_UNPACKED_BYTES`] of decompressed data, and what lies past that is reported unread.
//! Member names are only names: `..` and absolute paths are never used as paths.

use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};

use crate::source::files::MAX_TEXT_BYTES;
use crate::source::weights::{
    claims_from_gguf_reader, claims_from_safetensors_reader, HeaderClaims, WeightFormat,
};

/// Most bytes read from one archive: decompressed data of a compressed one, headers,
/// long names and texts of an uncompressed one (skipped data costs nothing there).
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

/// Most members looked at in one archive.
pub const MAX_MEMBERS: usize = 100_000;

/// How a layer archive is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (`+gzip`, Docker's `.tar.gzip`).
    Gzip,
    /// zstd (`+zstd`).
    Zstd,
}

/// Where the archive's bytes are: read whole and verified, or a large file.
pub enum Source {
    /// A small blob, already read and its digest checked.
    Memory(Vec<u8>),
    /// A large blob, size-checked only.
    File(std::fs::File),
}

/// What to read of a member the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Its first [`MAX_TEXT_BYTES`] (a license file, a card).
    Text,
    /// Its header only.
    Weights(WeightFormat),
}

/// What was read of one member.
#[derive(Debug)]
pub enum Content {
    /// Its first bytes and whether they were cut, or why they could not be read.
    Text(Result<(Vec<u8>, bool), String>),
    /// Its weight header's claims.
    Claims(HeaderClaims),
}

/// A member's name, split into components (`""`, `.` and `..` dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPath {
    /// Components, never empty.
    pub parts: Vec<String>,
    /// False when the written name was absolute or held `..`: then it is only a name.
    pub trusted: bool,
    /// The name as written (lossy UTF-8).
    pub written: String,
}

/// The path of a member, or `None` for names that are no file of the model: empty ones,
/// whiteouts (`.wh.*`) and anything inside a hidden folder.
pub fn member_path(raw: &[u8]) -> Option<MemberPath> {
    let written = String::from_utf8_lossy(raw).into_owned();
    let mut trusted = !written.starts_with('/');
    let mut parts = Vec::new();
    for part in written.split('/') {
        match part {
            "" | "." => {}
            ".." => trusted = false,
            p => parts.push(p.to_string()),
        }
    }
    let (last, dirs) = parts.split_last()?;
    if last.starts_with(".wh.") || dirs.iter().any(|d| d.starts_with('.')) {
        return None;
    }
    Some(MemberPath {
        parts,
        trusted,
        written,
    })
}

/// What was read of an archive: the members asked for, and why reading stopped early.
#[derive(Debug, Default)]
pub struct Unpacked {
    /// `(rel, content)` in archive order.
    pub members: Vec<(String, Content)>,
    /// A broken archive, or a bound that was reached.
    pub problem: Option<String>,
}

/// Reads the members `select` names (it maps a member to the name it is recorded under and
/// what to read of it).
pub fn read_archive(
    source: Source,
    compression: Compression,
    select: &mut dyn FnMut(&MemberPath) -> Option<(String, Want)>,
) -> Unpacked {
    let raw: Box<dyn Read> = match (source, compression) {
        (Source::Memory(bytes), Compression::None) => return seekable(Cursor::new(bytes), select),
        (Source::File(file), Compression::None) => return seekable(file, select),
        (Source::Memory(bytes), _) => Box::new(Cursor::new(bytes)),
        (Source::File(file), _) => Box::new(BufReader::new(file)),
    };
    match compression {
        Compression::Gzip => streamed(flate2::read::MultiGzDecoder::new(raw), select),
        // ruzstd: a pure-Rust decoder, so the build needs no C toolchain (the `zstd` crate
        // compiles libzstd), and a hostile frame cannot reach C code.
        _ => match ruzstd::decoding::StreamingDecoder::new(raw) {
            Ok(decoder) => streamed(decoder, select),
            Err(e) => Unpacked {
                problem: Some(format!("not a zstd stream: {e}")),
                ..Unpacked::default()
            },
        },
    }
}

/// An uncompressed archive: data is skipped by seeking; weight headers are read after the
/// walk, each through a window on the member's bytes.
fn seekable<R: Read + Seek>(
    reader: R,
    select: &mut dyn FnMut(&MemberPath) -> Option<(String, Want)>,
) -> Unpacked {
    let mut out = Unpacked::default();
    let mut archive = tar::Archive::new(Budget::new(reader));
    let mut weights = Vec::new();
    match archive.entries_with_seek() {
        Err(e) => out.problem = Some(e.to_string()),
        Ok(entries) => {
            for (i, entry) in entries.enumerate() {
                if i >= MAX_MEMBERS {
                    out.problem = Some(too_many());
                    break;
                }
                let mut entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        out.problem = Some(format!("broken archive: {e}"));
                        break;
                    }
                };
                let Some((rel, want)) = wanted(&entry, select) else {
                    continue;
                };
                match want {
                    Want::Text => out
                        .members
                        .push((rel, Content::Text(read_text(&mut entry)))),
                    Want::Weights(format) => {
                        weights.push((rel, format, entry.raw_file_position(), entry.size()))
                    }
                }
            }
        }
    }
    let budget = archive.into_inner();
    if budget.spent() {
        out.problem = Some(over_budget());
    }
    let mut reader = budget.inner;
    for (rel, format, start, len) in weights {
        let mut window = Window {
            inner: &mut reader,
            start,
            len,
            pos: 0,
        };
        let claims = match format {
            WeightFormat::Gguf => claims_from_gguf_reader(window, len, &rel),
            WeightFormat::Safetensors => claims_from_safetensors_reader(&mut window, len, &rel),
        };
        out.members.push((rel, Content::Claims(claims)));
    }
    out
}

/// A compressed archive: walked in one pass, every byte decompressed, within the budget.
fn streamed<R: Read>(
    reader: R,
    select: &mut dyn FnMut(&MemberPath) -> Option<(String, Want)>,
) -> Unpacked {
    let mut out = Unpacked::default();
    let mut archive = tar::Archive::new(Budget::new(reader));
    match archive.entries() {
        Err(e) => out.problem = Some(e.to_string()),
        Ok(entries) => {
            for (i, entry) in entries.enumerate() {
                if i >= MAX_MEMBERS {
                    out.problem = Some(too_many());
                    break;
                }
                let mut entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        out.problem = Some(format!("broken archive: {e}"));
                        break;
                    }
                };
                let Some((rel, want)) = wanted(&entry, select) else {
                    continue;
                };
                let len = entry.size();
                let content = match want {
                    Want::Text => Content::Text(read_text(&mut entry)),
                    Want::Weights(WeightFormat::Gguf) => {
                        let forward = Forward {
                            inner: &mut entry,
                            pos: 0,
                        };
                        Content::Claims(claims_from_gguf_reader(forward, len, &rel))
                    }
                    Want::Weights(WeightFormat::Safetensors) => {
                        Content::Claims(claims_from_safetensors_reader(&mut entry, len, &rel))
                    }
                };
                out.members.push((rel, content));
            }
        }
    }
    if archive.into_inner().spent() {
        // Whatever error the walk ended with, the budget is the reason.
        out.problem = Some(over_budget());
    }
    out
}

fn wanted<R: Read>(
    entry: &tar::Entry<'_, R>,
    select: &mut dyn FnMut(&MemberPath) -> Option<(String, Want)>,
) -> Option<(String, Want)> {
    let kind = entry.header().entry_type();
    if !(kind.is_file() || kind.is_contiguous()) {
        return None;
    }
    select(&member_path(&entry.path_bytes())?)
}

fn read_text(entry: &mut impl Read) -> Result<(Vec<u8>, bool), String> {
    let mut bytes = Vec::new();
    entry
        .take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    let cut = bytes.len() as u64 > MAX_TEXT_BYTES;
    bytes.truncate(MAX_TEXT_BYTES as usize);
    Ok((bytes, cut))
}

fn too_many() -> String {
    format!("more than {MAX_MEMBERS} members; the rest was not read")
}

fn over_budget() -> String {
    format!(
        "more than {} MiB had to be read to walk the archive; the rest was not read",
        MAX_UNPACKED_BYTES / (1024 * 1024)
    )
}

/// Counts the bytes read through it and fails past [`MAX_UNPACKED_BYTES`]; seeks are free.
struct Budget<R> {
    inner: R,
    left: u64,
}

impl<R> Budget<R> {
    fn new(inner: R) -> Self {
        Budget {
            inner,
            left: MAX_UNPACKED_BYTES,
        }
    }

    fn spent(&self) -> bool {
        self.left == 0
    }
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("read budget spent"));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Budget<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// `len` bytes of `inner` from `start`, as a file of their own.
struct Window<R> {
    inner: R,
    start: u64,
    len: u64,
    pos: u64,
}

impl<R: Read + Seek> Read for Window<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        self.inner.seek(SeekFrom::Start(self.start + self.pos))?;
        let max = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for Window<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::other("seek before the start"))?;
        Ok(self.pos)
    }
}

/// A stream that can only seek forward, by reading and dropping bytes (for the GGUF
/// reader, which skips values it does not need, inside a compressed archive).
struct Forward<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Seek for Forward<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(_) => None,
        };
        let target = target
            .filter(|t| *t >= self.pos)
            .ok_or_else(|| io::Error::other("a compressed stream only seeks forward"))?;
        let skipped = io::copy(
            &mut (&mut self.inner).take(target - self.pos),
            &mut io::sink(),
        )?;
        self.pos += skipped;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // set_path refuses `..`; write the raw name as a hostile archive would.
            let raw = &mut header.as_old_mut().name;
            raw[..name.len()].copy_from_slice(name.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn all_texts(path: &MemberPath) -> Option<(String, Want)> {
        let name = path.parts.join("/");
        (!name.ends_with(".bin")).then_some((name, Want::Text))
    }

    #[test]
    fn member_names_are_only_names() {
        let p = member_path(b"models/../../etc/LICENSE").unwrap();
        assert_eq!(p.parts, ["models", "etc", "LICENSE"]);
        assert!(!p.trusted);
        assert!(!member_path(b"/LICENSE").unwrap().trusted);
        assert!(member_path(b"./models/LICENSE").unwrap().trusted);
        assert!(member_path(b"models/.wh.LICENSE").is_none());
        assert!(member_path(b"models/.git/LICENSE").is_none());
        assert!(member_path(b"./").is_none());
    }

    #[test]
    fn reads_texts_from_plain_and_compressed_archives() {
        let bytes = tar(&[("models/LICENSE", b"MIT License"), ("../x", b"y")]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, &bytes).unwrap();
        let gz = gz.finish().unwrap();
        let zst = ruzstd::encoding::compress_to_vec(
            &bytes[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        for (source, compression) in [
            (Source::Memory(bytes.clone()), Compression::None),
            (Source::Memory(gz), Compression::Gzip),
            (Source::Memory(zst), Compression::Zstd),
        ] {
            let out = read_archive(source, compression, &mut all_texts);
            assert_eq!(out.problem, None);
            let names: Vec<_> = out.members.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["models/LICENSE", "x"]);
            match &out.members[0].1 {
                Content::Text(Ok((text, false))) => assert_eq!(text, b"MIT License"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let out = read_archive(
                Source::Memory(vec![0xff; 3000]),
                compression,
                &mut all_texts,
            );
            assert!(out.members.is_empty());
            assert!(out.problem.is_some(), "{compression:?}");
        }
    }

    #[test]
    fn a_decompression_bomb_stops_at_the_budget() {
        // 80 MiB of zeros before the license: about 80 KiB compressed.
        let zeros = vec![0u8; 80 << 20];
        let bytes = tar(&[("big.bin", &zeros), ("LICENSE", b"MIT License")]);
        drop(zeros);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut gz, &bytes).unwrap();
        let out = read_archive(
            Source::Memory(gz.finish().unwrap()),
            Compression::Gzip,
            &mut all_texts,
        );
        assert!(out.problem.unwrap().contains("MiB"));
        assert!(out.members.iter().all(|(n, _)| n != "LICENSE"));
        // Uncompressed, the same data is skipped by seeking and costs nothing.
        let out = read_archive(Source::Memory(bytes), Compression::None, &mut all_texts);
        assert_eq!(out.problem, None);
        assert_eq!(out.members.len(), 1);
    }

    #[test]
    fn windows_and_forward_streams_seek_as_files_do() {
        let mut w = Window {
            inner: Cursor::new(b"0123456789".to_vec()),
            start: 2,
            len: 5,
            pos: 0,
        };
        let mut s = String::new();
        w.read_to_string(&mut s).unwrap();
        assert_eq!(s, "23456");
        w.seek(SeekFrom::Start(1)).unwrap();
        let mut b = [0u8; 2];
        w.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"34");
        let mut f = Forward {
            inner: &b"0123456789"[..],
            pos: 0,
        };
        f.seek(SeekFrom::Current(4)).unwrap();
        f.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"45");
        assert!(f.seek(SeekFrom::Start(0)).is_err());
    }
}
