//! What an AI-BOM says of one model, read once from its verdict for both BOM formats
//! (CycloneDX and SPDX 3): identity (name, version, package URL, supplier, download
//! location) and licenses, declared (as the card and metadata wrote them) and concluded
//! (the verdict's).

use std::collections::BTreeSet;

use crate::db::Db;
use crate::evidence::SourceKind;
use crate::policy::Date;
use crate::source::TargetKind;
use crate::target::Target;
use crate::verdict::Verdict;

/// Options of a BOM: the caller decides the clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BomOptions {
    /// Creation time (`YYYY-MM-DDTHH:MM:SSZ`); CycloneDX leaves it out when `None`, so
    /// that two runs over the same models give the same bytes.
    pub created: Option<String>,
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (UTC, whole seconds: the form SPDX 3 requires).
pub fn timestamp(unix_seconds: i64) -> String {
    let date = Date::from_unix_days(unix_seconds.div_euclid(86_400));
    let s = unix_seconds.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s % 3600) / 60,
        s % 60
    )
}

/// One license as a BOM names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BomLicense {
    /// The SPDX id, only when it is on the SPDX license list.
    pub spdx_id: Option<String>,
    /// The id for an expression: the SPDX id, or `LicenseRef-…`.
    pub expression_id: String,
    /// The license's title, or the value as written when it names nothing we know.
    pub name: String,
    /// license-db key, when the value resolved to one.
    pub key: Option<String>,
    /// The licensor's URL for the text.
    pub url: Option<String>,
}

/// What a BOM says of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct BomModel<'a> {
    /// The verdict it is read from.
    pub verdict: &'a Verdict,
    /// Stable reference inside the document (the target, unique per report).
    pub reference: String,
    /// Display name.
    pub name: String,
    /// Revision, when the target names one.
    pub version: Option<String>,
    /// `pkg:huggingface/OWNER/NAME[@REV]` for Hub repositories.
    pub purl: Option<String>,
    /// The owner, for Hub repositories.
    pub supplier: Option<String>,
    /// Where the model can be downloaded, when known.
    pub download: Option<String>,
    /// Licenses the card and metadata declare, as written.
    pub declared: Vec<BomLicense>,
    /// Licenses the verdict concluded (every key that applies).
    pub concluded: Vec<BomLicense>,
}

impl<'a> BomModel<'a> {
    /// Reads `v` against `db`.
    pub fn new(db: &Db, v: &'a Verdict) -> BomModel<'a> {
        let hub_id = hub_repo(v);
        let (repo, revision) = match &hub_id {
            Some((repo, rev)) => (Some(repo.clone()), rev.clone()),
            None => (None, None),
        };
        let name = v
            .name
            .clone()
            .or(repo.clone())
            .unwrap_or_else(|| v.target.clone());
        let purl = match (&repo, &v.digest) {
            (Some(r), _) => Some(match &revision {
                Some(rev) => format!("pkg:huggingface/{r}@{rev}"),
                None => format!("pkg:huggingface/{r}"),
            }),
            (None, Some(digest)) => oci_purl(v, digest),
            (None, None) => None,
        };
        let supplier = repo
            .as_ref()
            .and_then(|r| r.split_once('/'))
            .map(|(owner, _)| owner.to_string());
        let download = repo.as_ref().map(|r| format!("https://huggingface.co/{r}"));
        BomModel {
            verdict: v,
            reference: v.target.clone(),
            name,
            version: revision,
            purl,
            supplier,
            download,
            declared: declared(db, v),
            concluded: v
                .licenses
                .iter()
                .filter(|k| !is_policy(db, k))
                .filter_map(|k| known(db, k))
                .collect(),
        }
    }
}

/// `pkg:oci/NAME@sha256%3AHEX` for an OCI artifact by its manifest digest; a Docker Model
/// Runner model also names where it came from (`repository_url`, `tag`).
fn oci_purl(v: &Verdict, digest: &str) -> Option<String> {
    let (alg, hex) = digest.split_once(':')?;
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid(alg) || !valid(hex) {
        return None;
    }
    let shown = v.name.as_deref().unwrap_or("model");
    let (repository, tag) = match shown.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, Some(t)),
        _ => (shown, None),
    };
    let name: String = repository
        .rsplit('/')
        .next()
        .unwrap_or("model")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let name = if name.is_empty() {
        "model".to_string()
    } else {
        name
    };
    let mut purl = format!("pkg:oci/{name}@{alg}%3A{hex}");
    if v.kind == TargetKind::DockerModels {
        let url = if repository.contains('.') && repository.contains('/') {
            repository.to_string()
        } else {
            format!("docker.io/{repository}")
        };
        purl.push_str(&format!("?repository_url={}", url.to_lowercase()));
        if let Some(tag) = tag {
            purl.push_str(&format!("&tag={tag}"));
        }
    }
    Some(purl)
}

/// `(OWNER/NAME, revision)` of a Hub repository target (`hf:`, or `hf-cache:` which names
/// the same repository), read by the one target parser.
fn hub_repo(v: &Verdict) -> Option<(String, Option<String>)> {
    let as_hub = match v.kind {
        TargetKind::Hub => v.target.clone(),
        TargetKind::HfCache => format!("hf:{}", v.target.strip_prefix("hf-cache:")?),
        _ => return None,
    };
    match as_hub.parse::<Target>() {
        Ok(Target::Hub { repo, revision }) if repo.contains('/') => Some((repo, revision)),
        _ => None,
    }
}

fn is_policy(db: &Db, key: &str) -> bool {
    db.get(key).is_some_and(|l| l.is_policy())
}

/// The record `key` names, as a BOM license.
fn known(db: &Db, key: &str) -> Option<BomLicense> {
    let l = db.get(key)?;
    let listed = spdx::license_id(&l.spdx).is_some();
    Some(BomLicense {
        spdx_id: listed.then(|| l.spdx.clone()),
        expression_id: if listed || l.spdx.starts_with("LicenseRef-") {
            l.spdx.clone()
        } else {
            license_ref(key)
        },
        name: l.name.clone(),
        key: Some(key.to_string()),
        url: Some(l.source.url.clone()).filter(|u| u.starts_with("http")),
    })
}

/// `LicenseRef-<key>` with the characters an SPDX id allows.
pub fn license_ref(key: &str) -> String {
    let id: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("LicenseRef-{id}")
}

/// Declared licenses: the values cards and metadata wrote, once each, sorted.
fn declared(db: &Db, v: &Verdict) -> Vec<BomLicense> {
    let mut out = BTreeSet::new();
    for e in &v.evidence {
        let metadata = matches!(
            e.source,
            SourceKind::ModelCard
                | SourceKind::Gguf
                | SourceKind::Safetensors
                | SourceKind::HubApi
                | SourceKind::OciConfig
        );
        if !metadata {
            continue;
        }
        let resolved = e.license.as_deref().filter(|k| !is_policy(db, k));
        // A claim's raw form is `field: value` (`license: mit but no commercial use`).
        let value = e
            .raw
            .as_deref()
            .map(|r| r.split_once(": ").map_or(r, |(_, v)| v).trim())
            .filter(|v| !v.is_empty());
        match (resolved.and_then(|k| known(db, k)), value) {
            (Some(l), _) => {
                out.insert(l);
            }
            (None, Some(value)) => {
                out.insert(BomLicense {
                    spdx_id: None,
                    expression_id: license_ref(value),
                    name: value.to_string(),
                    key: None,
                    url: None,
                });
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_whole_seconds() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_764_860_400), "2025-12-04T15:00:00Z");
    }

    #[test]
    fn license_refs_keep_only_id_characters() {
        assert_eq!(license_ref("llama3.1"), "LicenseRef-llama3.1");
        assert_eq!(
            license_ref("mit but no commercial use"),
            "LicenseRef-mit-but-no-commercial-use"
        );
    }
}
