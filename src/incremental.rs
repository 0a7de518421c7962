//! Auditing a registry too large for one run: split the targets into shards, and re-judge
//! only what changed since an earlier audit.
//!
//! [`Shard`] (`--shard I/N`) keeps the targets whose stable hash is `I` mod `N`, so N CI jobs
//! given the same listing split it without talking to each other, and a target stays in the
//! same shard from one run to the next. [`VerdictCache`] (`--since FILE`) holds earlier
//! verdicts keyed on target and revision (the Hub repo sha); a target whose sha is
//! unchanged reuses them. The cache is void when license-db or the tool changed
//! ([`db_stamp`]), because the same files may then get a different verdict.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::verdict::Verdict;

/// FNV-1a, 64 bits: stable across platforms, Rust versions and runs (unlike `DefaultHasher`),
/// so shards are reproducible.
pub fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One of `count` shards: `index` is 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, `0..count`.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// Does this shard own `target`?
    pub fn contains(&self, target: &str) -> bool {
        stable_hash(target) % u64::from(self.count) == u64::from(self.index)
    }

    /// The targets this shard owns, in their order.
    pub fn select<'a>(&self, targets: &'a [String]) -> Vec<&'a String> {
        targets.iter().filter(|t| self.contains(t)).collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N` with `0 <= I < N` (the form of a CI matrix index and its size).
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("'{s}': expected I/N with 0 <= I < N, e.g. 0/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a cache file says it is.
pub const CACHE_SCHEMA: &str = "model-license/verdict-cache@1";

/// Largest cache file read (about 350,000 verdicts at ~3 KB of JSON each; shard larger
/// registries, one cache per shard).
pub const MAX_CACHE_BYTES: u64 = 1 << 30;

/// The tool version and a hash of every license-db record and reference text: verdicts
/// made under another stamp are not reused.
pub fn db_stamp(db: &Db) -> String {
    let mut all = String::new();
    for l in db.licenses() {
        all.push_str(&format!("{l:?}\n"));
        for t in &l.texts {
            all.push_str(db.text(t).unwrap_or(""));
        }
    }
    format!(
        "{}+db.{:016x}",
        env!("CARGO_PKG_VERSION"),
        stable_hash(&all)
    )
}

/// Earlier verdicts of one target at one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedTarget {
    /// The revision the verdicts were made at (the Hub repo sha).
    pub sha: String,
    /// The verdicts (a target may hold several models).
    pub verdicts: Vec<Verdict>,
}

/// Earlier verdicts by target, made under one [`db_stamp`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictCache {
    /// Always [`CACHE_SCHEMA`].
    pub schema: String,
    /// The [`db_stamp`] the verdicts were made under.
    pub stamp: String,
    /// Verdicts by target.
    pub targets: BTreeMap<String, CachedTarget>,
}

/// Which targets an incremental audit can reuse and which it must judge again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan<'a> {
    /// Targets whose revision is the one cached.
    pub reuse: Vec<&'a str>,
    /// New targets, changed revisions, and targets with no known revision.
    pub judge: Vec<&'a str>,
}

impl VerdictCache {
    /// An empty cache for verdicts made under `stamp`.
    pub fn new(stamp: impl Into<String>) -> VerdictCache {
        VerdictCache {
            schema: CACHE_SCHEMA.into(),
            stamp: stamp.into(),
            targets: BTreeMap::new(),
        }
    }

    /// Parses a cache; one made under another stamp comes back empty (nothing reusable).
    pub fn from_json(text: &str, stamp: &str) -> Result<VerdictCache, String> {
        let cache: VerdictCache =
            serde_json::from_str(text).map_err(|e| format!("not a verdict cache: {e}"))?;
        if cache.schema != CACHE_SCHEMA {
            return Err(format!(
                "schema {:?}, expected {CACHE_SCHEMA:?}",
                cache.schema
            ));
        }
        Ok(if cache.stamp == stamp {
            cache
        } else {
            VerdictCache::new(stamp)
        })
    }

    /// Reads a cache file (at most [`MAX_CACHE_BYTES`]); a missing file is an empty cache,
    /// so the first run of an incremental audit needs no special case.
    pub fn load(path: &Path, stamp: &str) -> Result<VerdictCache, String> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(VerdictCache::new(stamp))
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let meta = file
            .metadata()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if !meta.is_file() {
            return Err(format!("{}: not a regular file", path.display()));
        }
        if meta.len() > MAX_CACHE_BYTES {
            return Err(format!(
                "{}: larger than {} MiB; shard the audit",
                path.display(),
                MAX_CACHE_BYTES >> 20
            ));
        }
        let mut text = String::new();
        file.take(MAX_CACHE_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        VerdictCache::from_json(&text, stamp).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The cache as JSON (targets sorted, so caches diff well).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The cached verdicts of `target` if they were made at revision `sha`.
    pub fn get(&self, target: &str, sha: &str) -> Option<&[Verdict]> {
        self.targets
            .get(target)
            .filter(|c| !sha.is_empty() && c.sha == sha)
            .map(|c| c.verdicts.as_slice())
    }

    /// Records the verdicts of `target` at `sha` (an empty sha is not cached: it could
    /// never be matched safely).
    pub fn insert(&mut self, target: &str, sha: &str, verdicts: Vec<Verdict>) {
        if sha.is_empty() {
            self.targets.remove(target);
            return;
        }
        self.targets.insert(
            target.to_string(),
            CachedTarget {
                sha: sha.to_string(),
                verdicts,
            },
        );
    }

    /// Splits `(target, sha)` pairs into reusable and to-judge (an unknown sha is judged).
    pub fn plan<'a>(&self, targets: &'a [(String, Option<String>)]) -> Plan<'a> {
        let mut plan = Plan::default();
        for (target, sha) in targets {
            let cached = sha
                .as_deref()
                .is_some_and(|s| self.get(target, s).is_some());
            if cached {
                plan.reuse.push(target);
            } else {
                plan.judge.push(target);
            }
        }
        plan
    }

    /// Drops targets not in `keep` (models deleted from the registry since the last audit).
    pub fn retain(&mut self, keep: &[String]) {
        let keep: std::collections::BTreeSet<&str> = keep.iter().map(String::as_str).collect();
        self.targets.retain(|t, _| keep.contains(t.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Matrix;
    use crate::source::TargetKind;

    fn verdict(target: &str) -> Verdict {
        Verdict {
            target: target.into(),
            kind: TargetKind::Hub,
            name: Some(target.into()),
            license: None,
            licenses: vec![],
            matrix: Matrix::unknown(),
            base_models: vec![],
            inherited_licenses: Vec::new(),
            digest: None,
            evidence: vec![],
            findings: vec![],
        }
    }

    #[test]
    fn hash_is_fnv1a() {
        // Published FNV-1a 64 test vectors: the shard of a target never moves.
        assert_eq!(stable_hash(""), 0xcbf29ce484222325);
        assert_eq!(stable_hash("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(stable_hash("foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("3/8".parse(), Ok(Shard { index: 3, count: 8 }));
        assert_eq!("0/1".parse::<Shard>().unwrap().to_string(), "0/1");
        for bad in ["8/8", "1/0", "x/2", "1", "-1/2", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_targets_evenly() {
        let targets: Vec<String> = (0..10_000)
            .map(|i| format!("hf:org{}/model-{i}", i % 97))
            .collect();
        let n = 8;
        let mut seen = 0;
        for i in 0..n {
            let shard = Shard { index: i, count: n };
            let mine = shard.select(&targets);
            // 1,250 expected per shard; a lopsided hash would show here.
            assert!(
                (1_100..=1_400).contains(&mine.len()),
                "shard {i}: {}",
                mine.len()
            );
            seen += mine.len();
        }
        assert_eq!(seen, targets.len(), "every target in exactly one shard");
    }

    #[test]
    fn cache_reuses_only_the_same_sha_under_the_same_stamp() {
        let mut cache = VerdictCache::new("s1");
        cache.insert("hf:a/b", "sha1", vec![verdict("hf:a/b")]);
        cache.insert("hf:no/sha", "", vec![verdict("hf:no/sha")]);
        assert!(cache.get("hf:a/b", "sha1").is_some());
        assert!(cache.get("hf:a/b", "sha2").is_none());
        assert!(cache.get("hf:no/sha", "").is_none());

        let json = cache.to_json();
        let same = VerdictCache::from_json(&json, "s1").unwrap();
        assert_eq!(same, cache);
        let other_db = VerdictCache::from_json(&json, "s2").unwrap();
        assert!(
            other_db.targets.is_empty(),
            "a new license-db voids the cache"
        );
        assert!(VerdictCache::from_json("{}", "s1").is_err());
        assert!(
            VerdictCache::from_json(r#"{"schema":"other","stamp":"s1","targets":{}}"#, "s1")
                .is_err()
        );

        let listing = vec![
            ("hf:a/b".to_string(), Some("sha1".to_string())),
            ("hf:a/c".to_string(), Some("sha1".to_string())),
            ("hf:a/b2".to_string(), None),
        ];
        let plan = cache.plan(&listing);
        assert_eq!(plan.reuse, vec!["hf:a/b"]);
        assert_eq!(plan.judge, vec!["hf:a/c", "hf:a/b2"]);
        cache.retain(&["hf:a/c".to_string()]);
        assert!(cache.targets.is_empty());
    }

    #[test]
    fn cache_files_load_missing_and_refuse_bad() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        assert!(VerdictCache::load(&path, "s").unwrap().targets.is_empty());
        let mut cache = VerdictCache::new("s");
        cache.insert("t", "abc", vec![verdict("t")]);
        std::fs::write(&path, cache.to_json()).unwrap();
        assert_eq!(VerdictCache::load(&path, "s").unwrap(), cache);
        std::fs::write(&path, "not json").unwrap();
        assert!(VerdictCache::load(&path, "s").is_err());
        assert!(VerdictCache::load(dir.path(), "s").is_err());
    }

    #[test]
    fn stamp_is_stable_and_names_the_version() {
        let db = Db::embedded().unwrap();
        let a = db_stamp(&db);
        assert_eq!(a, db_stamp(&db));
        assert!(a.starts_with(env!("CARGO_PKG_VERSION")));
    }
}
