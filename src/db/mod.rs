//! license-db: every license the tool knows, embedded at build time.
//!
//! `Db::embedded()` loads the records shipped in the binary; `Db::with_dir` adds or
//! overrides records from a folder laid out like `license-db/` (a company's own licenses).

pub mod breadth;
mod record;

use std::collections::BTreeMap;
use std::path::Path;

pub use record::{DecisiveClause, Kind, License, Posture, Source};

use crate::error::{Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/license_db.rs"));
}

/// The loaded license database.
#[derive(Debug, Clone, Default)]
pub struct Db {
    licenses: BTreeMap<String, License>,
    texts: BTreeMap<String, String>,
    names: BTreeMap<String, String>,
}

/// Folds an id or a name for lookup: lowercase, and `_`, `-`, spaces and dots between
/// words count as one separator. "Llama-3.1", "llama 3.1" and "LLAMA_3.1" fold alike.
pub fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut sep = false;
    for c in s.trim().chars() {
        if c.is_alphanumeric() || c == '.' || c == '+' {
            if sep && !out.is_empty() {
                out.push(' ');
            }
            sep = false;
            out.extend(c.to_lowercase());
        } else {
            sep = true;
        }
    }
    out
}

impl Db {
    /// The database shipped in the binary.
    pub fn embedded() -> Result<Db> {
        let mut db = Db::default();
        for (name, content) in embedded::FILES {
            db.add_file(name, content)?;
        }
        db.index();
        Ok(db)
    }

    /// The shipped database plus the records and texts of `dir` (same layout as
    /// `license-db/`); a record with a key already known replaces it.
    pub fn with_dir(mut self, dir: &Path) -> Result<Db> {
        for sub in ["licenses", "texts"] {
            let read = match std::fs::read_dir(dir.join(sub)) {
                Ok(r) => r,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(Error::Io {
                        path: dir.join(sub),
                        source,
                    })
                }
            };
            for entry in read.flatten() {
                let path = entry.path();
                let content = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
                self.add_file(&name, &content)?;
            }
        }
        self.index();
        Ok(self)
    }

    fn add_file(&mut self, name: &str, content: &str) -> Result<()> {
        if let Some(file) = name.strip_prefix("licenses/") {
            if !file.ends_with(".toml") {
                return Ok(());
            }
            // A typo in a record (a `bears_on` name the matrix does not have) is an error
            // naming the file and line, never a clause that silently decides nothing.
            let license: License = toml::from_str(content).map_err(|e| {
                let line = e
                    .span()
                    .map(|s| content[..s.start.min(content.len())].lines().count().max(1));
                Error::LicenseDb {
                    id: match line {
                        Some(l) => format!("{file}:{l}"),
                        None => file.to_string(),
                    },
                    reason: e.message().to_string(),
                }
            })?;
            self.licenses.insert(license.key.clone(), license);
        } else if let Some(file) = name.strip_prefix("texts/") {
            self.texts.insert(file.to_string(), content.to_string());
        }
        Ok(())
    }

    /// Rebuilds the name index: key, SPDX id, Hub id and every alias point at the key.
    fn index(&mut self) {
        self.names.clear();
        for l in self.licenses.values() {
            let mut names = vec![l.key.clone(), l.spdx.clone(), l.name.clone()];
            names.extend(l.hf.iter().cloned());
            names.extend(l.aliases.iter().cloned());
            for n in names {
                // First writer wins among aliases, but a record's own key always wins.
                let folded = fold_name(&n);
                if n == l.key {
                    self.names.insert(folded, l.key.clone());
                } else {
                    self.names.entry(folded).or_insert_with(|| l.key.clone());
                }
            }
        }
    }

    /// Every record, ordered by key.
    pub fn licenses(&self) -> impl Iterator<Item = &License> {
        self.licenses.values()
    }

    /// The record with this key: curated, else a breadth-layer record once the breadth
    /// layer has been loaded (by a lookup or an identification that needed it).
    pub fn get(&self, key: &str) -> Option<&License> {
        self.licenses
            .get(key)
            .or_else(|| breadth::loaded()?.records.get(key))
    }

    /// A breadth-layer record (ScanCode LicenseDB) an id or name names, loading the layer.
    pub fn lookup_breadth(&self, name: &str) -> Option<&'static License> {
        breadth::get().lookup(name)
    }

    /// The record an id, Hub id, SPDX id, alias or title names.
    pub fn lookup(&self, name: &str) -> Option<&License> {
        let key = self.names.get(&fold_name(name))?;
        self.licenses.get(key)
    }

    /// A reference text by its file name under `texts/`.
    pub fn text(&self, file: &str) -> Option<&str> {
        self.texts.get(file).map(String::as_str)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.licenses.len()
    }

    /// True when no record is loaded.
    pub fn is_empty(&self) -> bool {
        self.licenses.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_across_separators_and_case() {
        assert_eq!(fold_name("Llama-3.1"), fold_name("llama 3.1"));
        assert_eq!(fold_name("CC_BY_NC_4.0"), "cc by nc 4.0");
        assert_ne!(fold_name("llama3.1"), fold_name("llama3.2"));
    }

    #[test]
    fn embedded_db_loads_and_every_text_exists() {
        let db = Db::embedded().unwrap();
        assert!(!db.is_empty());
        for l in db.licenses() {
            for t in &l.texts {
                assert!(db.text(t).is_some(), "{}: missing text {t}", l.key);
            }
            assert!(
                !l.source.url.is_empty() && !l.source.text.is_empty(),
                "{}: no source",
                l.key
            );
        }
    }

    #[test]
    fn an_unknown_bears_on_name_is_an_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("licenses")).unwrap();
        let record = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("license-db/licenses/mit.toml"),
        )
        .unwrap()
        .replacen("\"commercial_use\"", "\"comercial_use\"", 1);
        std::fs::write(dir.path().join("licenses/mit.toml"), &record).unwrap();
        let err = Db::embedded()
            .unwrap()
            .with_dir(dir.path())
            .unwrap_err()
            .to_string();
        let line = record
            .lines()
            .position(|l| l.contains("comercial_use"))
            .unwrap()
            + 1;
        assert!(err.contains(&format!("mit.toml:{line}")), "{err}");
        assert!(err.contains("comercial_use"), "{err}");
    }
}
