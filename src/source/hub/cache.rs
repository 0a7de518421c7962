//! The Hub cache layout, written and read the way `huggingface_hub` does, so a later offline
//! scan (or Python) finds what we fetched: `models--ORG--NAME/{blobs/ETAG,
//! snapshots/COMMIT/PATH -> ../../blobs/ETAG, refs/REVISION}`.
//!
//! Every name that comes from the server (file paths, etags, commits, revisions) is checked
//! before it becomes a path, so a hostile repo cannot write outside its cache folder.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// `models--org--name` for repo `org/name`.
pub(super) fn repo_dir(cache: &Path, repo: &str) -> PathBuf {
    cache.join(format!("models--{}", repo.replace('/', "--")))
}

/// A full 40-hex commit id.
pub(super) fn is_commit_hash(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) use crate::target::safe_rel_path;

/// The snapshot path of `file` at `commit`, if both are safe names.
pub(super) fn snapshot_file(cache: &Path, repo: &str, commit: &str, file: &str) -> Option<PathBuf> {
    (is_commit_hash(commit) && safe_rel_path(file)).then(|| {
        repo_dir(cache, repo)
            .join("snapshots")
            .join(commit)
            .join(file)
    })
}

/// The commit a cached ref (`main`, `refs/pr/1`) points to.
pub(super) fn read_ref(cache: &Path, repo: &str, revision: &str) -> Option<String> {
    if !safe_rel_path(revision) {
        return None;
    }
    let path = repo_dir(cache, repo).join("refs").join(revision);
    let text = crate::source::files::read_text(&path, 256).ok()?;
    let commit = text.content.trim().to_string();
    is_commit_hash(&commit).then_some(commit)
}

/// Stores `bytes` as blob `etag`, links it from `snapshots/commit/file`, and records
/// `refs/revision -> commit` when `revision` is a branch or tag. Writes go through a
/// temporary name and a rename, so concurrent audits of one repo never see half a file.
pub(super) fn store(
    cache: &Path,
    repo: &str,
    revision: Option<&str>,
    commit: &str,
    file: &str,
    etag: &str,
    bytes: &[u8],
) -> io::Result<()> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
    let etag = etag.trim_start_matches("W/").trim_matches('"');
    if etag.is_empty() || !etag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(invalid("unusable ETag"));
    }
    let snapshot =
        snapshot_file(cache, repo, commit, file).ok_or_else(|| invalid("unsafe path"))?;
    let root = repo_dir(cache, repo);
    let blob = root.join("blobs").join(etag);
    if !blob.is_file() {
        write_atomic(&blob, bytes)?;
    }
    link(&blob, &snapshot, etag, file)?;
    if let Some(rev) = revision.filter(|r| !is_commit_hash(r) && safe_rel_path(r)) {
        write_atomic(&root.join("refs").join(rev), commit.as_bytes())?;
    }
    Ok(())
}

/// Writes through a unique temporary file in the same folder, then renames.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = temp_name(path);
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// `path.<pid>.<n>.incomplete`, unique across threads and processes.
fn temp_name(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.{n}.incomplete", std::process::id()));
    path.with_file_name(name)
}

/// The snapshot entry: a relative symlink to the blob (a copy where symlinks do not exist).
#[cfg(unix)]
fn link(blob: &Path, snapshot: &Path, etag: &str, file: &str) -> io::Result<()> {
    let _ = blob;
    let depth = 2 + file.split('/').count() - 1;
    let target = format!("{}blobs/{etag}", "../".repeat(depth));
    if fs::read_link(snapshot).is_ok_and(|t| t == Path::new(&target)) {
        return Ok(());
    }
    fs::create_dir_all(snapshot.parent().unwrap_or(Path::new(".")))?;
    let tmp = temp_name(snapshot);
    std::os::unix::fs::symlink(&target, &tmp)?;
    fs::rename(&tmp, snapshot).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// The snapshot entry: a copy of the blob, as `huggingface_hub` does without symlinks.
#[cfg(not(unix))]
fn link(blob: &Path, snapshot: &Path, _etag: &str, _file: &str) -> io::Result<()> {
    write_atomic(snapshot, &fs::read(blob)?)
}

/// Files of a cached snapshot, relative to it, at most `max` of them and `depth` deep.
pub(super) fn snapshot_files(snapshot: &Path, depth: usize, max: usize) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(snapshot)
        .max_depth(depth)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(snapshot).ok()?;
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_str().map(str::to_string))
                .collect::<Option<_>>()?;
            Some(parts.join("/"))
        })
        .take(max)
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn store_writes_the_standard_layout() {
        let dir = tempfile::tempdir().unwrap();
        store(
            dir.path(),
            "org/m",
            Some("main"),
            C,
            "sub/LICENSE",
            "\"abc123\"",
            b"text",
        )
        .unwrap();
        let root = dir.path().join("models--org--m");
        assert_eq!(fs::read(root.join("blobs/abc123")).unwrap(), b"text");
        let snap = root.join("snapshots").join(C).join("sub/LICENSE");
        assert_eq!(fs::read(&snap).unwrap(), b"text");
        #[cfg(unix)]
        assert_eq!(
            fs::read_link(&snap).unwrap(),
            PathBuf::from("../../../blobs/abc123")
        );
        assert_eq!(read_ref(dir.path(), "org/m", "main").as_deref(), Some(C));
        assert_eq!(
            snapshot_files(&root.join("snapshots").join(C), 3, 10),
            ["sub/LICENSE"]
        );
        // Storing again is harmless.
        store(
            dir.path(),
            "org/m",
            Some("main"),
            C,
            "sub/LICENSE",
            "abc123",
            b"text",
        )
        .unwrap();
    }

    #[test]
    fn hostile_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (file, etag, commit) in [
            ("../escape", "e1", C),
            ("/abs", "e1", C),
            ("ok", "../../x", C),
            ("ok", "e1", "main"),
        ] {
            assert!(store(dir.path(), "o/m", None, commit, file, etag, b"x").is_err());
        }
        assert!(!dir.path().join("escape").exists());
        assert!(store(dir.path(), "o/m", Some("../../x"), C, "ok", "e1", b"x").is_ok());
        assert!(!dir.path().join("x").exists());
    }
}
