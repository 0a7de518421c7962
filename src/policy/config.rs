//! The policy file (`model-license.toml`): parsed with spans into a [`Policy`], then checked
//! against license-db into a [`ValidPolicy`].
//!
//! Every problem — an unknown key, a bad value, a license id license-db does not know — is an
//! [`Error::Policy`] naming the file, the line and the value as written, so `check` can stop
//! with exit 2 before it judges anything.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::date::Date;
use super::region;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::matrix::{Permission, ScaleClause, Status};

/// The file name `check` looks for in the working directory.
pub const POLICY_FILE: &str = "model-license.toml";

/// The largest policy file read.
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// What to do with a model whose license could not be established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownMode {
    /// Fail the check (the default: a doubt is never a permission).
    #[default]
    Deny,
    /// Report a warning and pass.
    Warn,
    /// Pass silently.
    Allow,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLicenses {
    allow: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    #[serde(default)]
    unknown: UnknownMode,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequire {
    self_hosting: Option<Vec<Status>>,
    commercial_use: Option<Vec<Status>>,
    redistribution: Option<Vec<Status>>,
    derivatives: Option<Vec<Status>>,
    output_training: Option<Vec<Status>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    monthly_active_users: Option<u64>,
    annual_revenue_usd: Option<u64>,
    monthly_revenue_usd: Option<u64>,
    #[serde(default)]
    regions: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    model: Spanned<String>,
    allow: Spanned<Vec<Spanned<String>>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

/// A policy file as written, parsed but not yet checked against license-db.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    licenses: RawLicenses,
    #[serde(default)]
    require: RawRequire,
    #[serde(default)]
    organization: RawOrganization,
    #[serde(default)]
    exceptions: Vec<Spanned<RawException>>,
    #[serde(skip)]
    path: String,
    #[serde(skip)]
    text: String,
}

/// The organization's own figures, judged against the licenses' clauses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organization {
    /// Monthly active users of the organization's products (with affiliates).
    pub monthly_active_users: Option<u64>,
    /// Annual revenue in US dollars.
    pub annual_revenue_usd: Option<u64>,
    /// Monthly revenue in US dollars.
    pub monthly_revenue_usd: Option<u64>,
    /// Where the organization is established or operates: region codes (`EU`, `US`, `DE`...).
    pub regions: Vec<String>,
}

/// A recorded decision: these licenses are accepted for the models `model` matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// A target, a model name, or a glob over either.
    pub model: String,
    /// license-db keys accepted for those models.
    pub allow: BTreeSet<String>,
    /// True when `allow` holds `unknown`: the models may have no established license.
    pub allow_unknown: bool,
    /// Why (and by whom) the decision was made.
    pub reason: String,
    /// The first day the exception no longer applies.
    pub expires: Option<Date>,
    /// Line of the `[[exceptions]]` entry in the policy file.
    pub line: usize,
}

/// What the evaluation needs to know about a license-db record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LicenseInfo {
    pub name: String,
    pub is_policy: bool,
    pub scale_clause: Option<ScaleClause>,
}

/// A policy checked against license-db: every id resolved to a key, every value valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPolicy {
    /// The policy file as given (for messages and SARIF locations).
    pub path: String,
    /// Keys of the allow-list; `None` when the policy has no allow-list.
    pub allow: Option<BTreeSet<String>>,
    /// Keys of denied licenses.
    pub deny: BTreeSet<String>,
    /// What to do with models whose license could not be established.
    pub unknown: UnknownMode,
    /// Per matrix permission, the statuses that pass.
    pub require: BTreeMap<Permission, Vec<Status>>,
    /// The organization's figures.
    pub organization: Organization,
    /// Recorded decisions, in file order.
    pub exceptions: Vec<Exception>,
    pub(crate) licenses: BTreeMap<String, LicenseInfo>,
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl Policy {
    /// Parses a policy file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Policy> {
        let mut policy: Policy = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let reason = e.message().trim().replace('\n', " ");
            error_at(text, path, span, reason)
        })?;
        policy.path = path.to_string();
        policy.text = text.to_string();
        Ok(policy)
    }

    /// Reads and parses the policy file at `path` (at most 1 MiB).
    pub fn load(path: &Path) -> Result<Policy> {
        let shown = path.display().to_string();
        let text =
            crate::source::files::read_text(path, MAX_POLICY_BYTES).map_err(|e| Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(e.0),
            })?;
        if text.truncated {
            return Err(Error::Policy {
                path: shown,
                line: 1,
                value: String::new(),
                reason: "policy file is larger than 1 MiB".into(),
            });
        }
        Policy::parse(&text.content, &shown)
    }

    fn error(&self, span: Range<usize>, reason: impl Into<String>) -> Error {
        error_at(&self.text, &self.path, span, reason.into())
    }

    /// Resolves a Hub or SPDX id (or an alias) to a license-db key.
    fn resolve(&self, db: &Db, id: &Spanned<String>) -> Result<String> {
        match db.lookup(id.get_ref()) {
            Some(l) => Ok(l.key.clone()),
            None => Err(self.error(id.span(), "license-db does not know this license id")),
        }
    }

    /// Checks every id and value against `db` and builds the policy `evaluate` uses.
    pub fn validate(self, db: &Db) -> Result<ValidPolicy> {
        let allow = match &self.licenses.allow {
            None => None,
            Some(ids) => Some(
                ids.iter()
                    .map(|id| self.resolve(db, id))
                    .collect::<Result<BTreeSet<_>>>()?,
            ),
        };
        let mut deny = BTreeSet::new();
        for id in &self.licenses.deny {
            let key = self.resolve(db, id)?;
            if allow.as_ref().is_some_and(|a| a.contains(&key)) {
                return Err(self.error(id.span(), "license is both allowed and denied"));
            }
            deny.insert(key);
        }

        let r = &self.require;
        let mut require = BTreeMap::new();
        for (name, statuses) in Permission::ALL.into_iter().zip([
            &r.self_hosting,
            &r.commercial_use,
            &r.redistribution,
            &r.derivatives,
            &r.output_training,
        ]) {
            if let Some(s) = statuses {
                require.insert(name, s.clone());
            }
        }

        let o = &self.organization;
        let mut regions = Vec::new();
        for r in &o.regions {
            match region::normalize(r.get_ref()) {
                Some(code) if !regions.contains(&code) => regions.push(code),
                Some(_) => {}
                None => {
                    return Err(self.error(
                        r.span(),
                        "not a region code (use ISO 3166-1 alpha-2 like `US`, or `EU`, `EEA`)",
                    ))
                }
            }
        }
        let organization = Organization {
            monthly_active_users: o.monthly_active_users,
            annual_revenue_usd: o.annual_revenue_usd,
            monthly_revenue_usd: o.monthly_revenue_usd,
            regions,
        };

        let mut exceptions = Vec::new();
        for entry in &self.exceptions {
            exceptions.push(self.exception(db, entry)?);
        }

        let licenses = db
            .licenses()
            .map(|l| {
                let info = LicenseInfo {
                    name: l.name.clone(),
                    is_policy: l.is_policy(),
                    scale_clause: l.matrix.scale_clause.clone(),
                };
                (l.key.clone(), info)
            })
            .collect();

        Ok(ValidPolicy {
            path: self.path,
            allow,
            deny,
            unknown: self.licenses.unknown,
            require,
            organization,
            exceptions,
            licenses,
        })
    }

    fn exception(&self, db: &Db, entry: &Spanned<RawException>) -> Result<Exception> {
        let raw = entry.get_ref();
        let model = raw.model.get_ref().trim();
        if model.is_empty() {
            return Err(self.error(raw.model.span(), "`model` is empty"));
        }
        if raw.reason.get_ref().trim().is_empty() {
            return Err(self.error(
                raw.reason.span(),
                "`reason` is empty: say who decided and why",
            ));
        }
        if raw.allow.get_ref().is_empty() {
            return Err(self.error(raw.allow.span(), "`allow` is empty"));
        }
        let mut allow = BTreeSet::new();
        let mut allow_unknown = false;
        for id in raw.allow.get_ref() {
            if id.get_ref().eq_ignore_ascii_case("unknown") {
                allow_unknown = true;
            } else {
                allow.insert(self.resolve(db, id)?);
            }
        }
        let expires = match &raw.expires {
            None => None,
            Some(v) => {
                let text = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                        d.to_string()
                    }
                    _ => String::new(),
                };
                match Date::parse(&text) {
                    Some(d) => Some(d),
                    None => return Err(self.error(v.span(), "`expires` is not a YYYY-MM-DD date")),
                }
            }
        };
        Ok(Exception {
            model: model.to_string(),
            allow,
            allow_unknown,
            reason: raw.reason.get_ref().trim().to_string(),
            expires,
            line: line_of(&self.text, entry.span().start),
        })
    }
}

/// An [`Error::Policy`] for the text at `span`.
fn error_at(text: &str, path: &str, span: Range<usize>, reason: String) -> Error {
    let value = text
        .get(span.clone())
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("")
        .trim();
    let value: String = value.chars().take(80).collect();
    Error::Policy {
        path: path.to_string(),
        line: line_of(text, span.start),
        value,
        reason,
    }
}

impl ValidPolicy {
    /// Reads, parses and validates the policy file at `path`.
    pub fn load(path: &Path, db: &Db) -> Result<ValidPolicy> {
        Policy::load(path)?.validate(db)
    }

    /// The policy `check` uses: `explicit` (`--policy FILE`, which must exist), else
    /// [`POLICY_FILE`] in `dir` when there is one, else the built-in default (an empty policy:
    /// unknown licenses fail, nothing else is checked) whose `path` is empty.
    pub fn discover(explicit: Option<&Path>, dir: &Path, db: &Db) -> Result<ValidPolicy> {
        if let Some(path) = explicit {
            return ValidPolicy::load(path, db);
        }
        let found = dir.join(POLICY_FILE);
        if found.is_file() {
            let mut policy = ValidPolicy::load(&found, db)?;
            // Shown as the user would name it, relative to the working directory.
            policy.path = POLICY_FILE.to_string();
            return Ok(policy);
        }
        ValidPolicy::parse("", "", db)
    }

    /// Parses and validates policy text; `path` names it in errors and reports.
    pub fn parse(text: &str, path: &str, db: &Db) -> Result<ValidPolicy> {
        Policy::parse(text, path)?.validate(db)
    }

    /// The display name of a license-db key (the key itself when the db does not know it).
    pub fn license_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.licenses.get(key).map_or(key, |l| l.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Db {
        static DB: std::sync::OnceLock<Db> = std::sync::OnceLock::new();
        DB.get_or_init(|| Db::embedded().unwrap()).clone()
    }

    fn err(text: &str) -> (usize, String, String) {
        match ValidPolicy::parse(text, "policy.toml", &db()) {
            Err(Error::Policy {
                path,
                line,
                value,
                reason,
            }) => {
                assert_eq!(path, "policy.toml");
                let shown = Error::Policy {
                    path: path.clone(),
                    line,
                    value: value.clone(),
                    reason: reason.clone(),
                }
                .to_string();
                assert!(
                    shown.starts_with(&format!("policy.toml:{line}: ")),
                    "{shown}"
                );
                (line, value, reason)
            }
            other => panic!("expected a policy error, got {other:?}"),
        }
    }

    #[test]
    fn the_issue_example_validates() {
        let text = r#"
[licenses]
allow = ["apache-2.0", "Apache-2.0", "llama3.1"]
deny = []
unknown = "warn"

[require]
commercial_use = ["allowed", "conditional"]

[organization]
monthly_active_users = 800000000
annual_revenue_usd = 2000000
regions = ["eu", "US"]

[[exceptions]]
model = "research-*"
allow = ["llama3.1", "unknown"]
reason = "internal research only"
expires = "2027-01-01"

[[exceptions]]
model = "x"
allow = ["apache-2.0"]
reason = "bare TOML date"
expires = 2026-06-30
"#;
        let p = ValidPolicy::parse(text, "p.toml", &db()).unwrap();
        let allow = p.allow.as_ref().unwrap();
        assert_eq!(allow.len(), 2, "SPDX id and Hub id resolve to one key");
        assert_eq!(p.unknown, UnknownMode::Warn);
        assert_eq!(
            p.require[&crate::matrix::Permission::CommercialUse],
            [Status::Allowed, Status::Conditional]
        );
        assert_eq!(p.organization.regions, ["EU", "US"]);
        assert_eq!(p.exceptions[0].line, 15, "the [[exceptions]] header line");
        assert!(p.exceptions[0].allow_unknown);
        assert_eq!(p.exceptions[0].expires, Date::parse("2027-01-01"));
        assert_eq!(p.exceptions[1].expires, Date::parse("2026-06-30"));
    }

    #[test]
    fn an_empty_policy_denies_unknown_licenses() {
        let p = ValidPolicy::parse("", "p.toml", &db()).unwrap();
        assert_eq!(p.unknown, UnknownMode::Deny);
        assert!(p.allow.is_none() && p.deny.is_empty() && p.exceptions.is_empty());
    }

    #[test]
    fn unknown_keys_name_line_and_key() {
        let (line, value, reason) = err("[licenses]\nunknown = \"deny\"\nalow = []\n");
        assert_eq!((line, value.as_str()), (3, "alow"));
        assert!(reason.contains("unknown field"), "{reason}");
        let (line, value, _) = err("[organisation]\nregions = []\n");
        assert_eq!((line, value.as_str()), (1, "organisation"));
        let (line, value, _) = err("[require]\ncommercial = [\"allowed\"]\n");
        assert_eq!((line, value.as_str()), (2, "commercial"));
    }

    #[test]
    fn bad_values_name_line_and_value() {
        let (line, value, _) = err("[licenses]\n\nunknown = \"maybe\"\n");
        assert_eq!((line, value.as_str()), (3, "\"maybe\""));
        let (line, value, _) = err("[require]\ncommercial_use = [\"alowed\"]\n");
        assert_eq!((line, value.as_str()), (2, "\"alowed\""));
        let (line, value, _) = err("[organization]\nmonthly_active_users = -5\n");
        assert_eq!((line, value.as_str()), (2, "-5"));
        let (line, value, _) = err("[organization]\nregions = [\"Europe\"]\n");
        assert_eq!((line, value.as_str()), (2, "\"Europe\""));
        let (line, value, reason) = err(
            "[[exceptions]]\nmodel = \"a\"\nallow = [\"mit\"]\nreason = \"r\"\nexpires = \"2027-02-30\"\n",
        );
        // `mit` is checked before `expires`: whichever comes first in the entry is reported.
        assert!(line == 3 || line == 5, "{line} {value} {reason}");
        let (line, value, _) = err(
            "[[exceptions]]\nmodel = \"a\"\nallow = [\"apache-2.0\"]\nreason = \"r\"\nexpires = \"2027-02-30\"\n",
        );
        assert_eq!((line, value.as_str()), (5, "\"2027-02-30\""));
        let (line, _, reason) = err("[[exceptions]]\nmodel = \"a\"\nallow = [\"apache-2.0\"]\n");
        assert_eq!(line, 1);
        assert!(reason.contains("reason"), "{reason}");
        let (line, value, _) = err("[licenses\n");
        assert_eq!(line, 1, "{value}");
    }

    #[test]
    fn unknown_license_ids_name_line_and_id() {
        let (line, value, reason) =
            err("[licenses]\nallow = [\"apache-2.0\",\n  \"not-a-license\"]\n");
        assert_eq!((line, value.as_str()), (3, "\"not-a-license\""));
        assert!(reason.contains("license-db"), "{reason}");
        let (line, value, _) = err("[licenses]\ndeny = [\"llama9\"]\n");
        assert_eq!((line, value.as_str()), (2, "\"llama9\""));
        let (line, value, _) =
            err("[[exceptions]]\nmodel = \"m\"\nallow = [\"nope\"]\nreason = \"r\"\n");
        assert_eq!((line, value.as_str()), (3, "\"nope\""));
    }

    #[test]
    fn contradictions_and_empty_fields_are_errors() {
        let (line, value, _) =
            err("[licenses]\nallow = [\"apache-2.0\"]\ndeny = [\"Apache-2.0\"]\n");
        assert_eq!((line, value.as_str()), (3, "\"Apache-2.0\""));
        let (_, _, reason) =
            err("[[exceptions]]\nmodel = \" \"\nallow = [\"apache-2.0\"]\nreason = \"r\"\n");
        assert!(reason.contains("model"));
        let (_, _, reason) = err("[[exceptions]]\nmodel = \"m\"\nallow = []\nreason = \"r\"\n");
        assert!(reason.contains("allow"));
    }

    #[test]
    fn discovery_prefers_the_explicit_file_then_the_working_directory() {
        let dir = tempfile::tempdir().unwrap();
        let d = ValidPolicy::discover(None, dir.path(), &db()).unwrap();
        assert_eq!((d.path.as_str(), d.unknown), ("", UnknownMode::Deny));
        std::fs::write(
            dir.path().join(POLICY_FILE),
            "[licenses]\nunknown = \"warn\"\n",
        )
        .unwrap();
        let d = ValidPolicy::discover(None, dir.path(), &db()).unwrap();
        assert_eq!(
            (d.path.as_str(), d.unknown),
            (POLICY_FILE, UnknownMode::Warn)
        );
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "[licenses]\nunknown = \"allow\"\n").unwrap();
        let d = ValidPolicy::discover(Some(&other), dir.path(), &db()).unwrap();
        assert_eq!(d.unknown, UnknownMode::Allow);
        let missing = dir.path().join("missing.toml");
        assert!(ValidPolicy::discover(Some(&missing), dir.path(), &db()).is_err());
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let e = ValidPolicy::load(Path::new("/nonexistent/model-license.toml"), &db());
        assert!(matches!(e, Err(Error::Io { .. })));
    }
}
