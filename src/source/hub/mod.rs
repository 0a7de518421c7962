//! Hugging Face Hub targets (`hf:OWNER/NAME[@REVISION]`) and author listings.
//!
//! One [`HubClient`] serves a whole scan or audit (it is `Sync`; share it across workers):
//! model info comes from the `hf-hub` crate's blocking client (`cardData`, `tags`, `gated`,
//! `sha`, `siblings`); then only small files (README.md, LICENSE*, LICENCE*, USE_POLICY*,
//! NOTICE*; never weights) are fetched, into the standard Hub cache, so a later offline scan
//! finds them. Offline, the model is answered from that cache. A gated repo whose files are
//! refused still yields the card's license, with a `gated-repo` finding.

mod cache;
mod card;
mod config;
mod error;
mod http;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use reqwest::Url;

use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};
use crate::source::files::{self, is_license_file, is_readme, MAX_TEXT_BYTES};
use crate::source::{Document, Model, TargetKind};
use card::RepoInfo;
use http::Step;

pub use config::{HubConfig, DEFAULT_ENDPOINT};
pub use error::HubError;

/// The fields of model info we ask for (`expand=`): everything else is left on the server.
const EXPAND: [&str; 5] = ["cardData", "gated", "sha", "siblings", "tags"];
/// Most pages followed in one author listing (1,000 models a page).
const MAX_PAGES: usize = 200;
/// Largest listing page read.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// A parsed `hf:` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubTarget {
    /// `owner/name` (or a legacy `name`).
    pub repo: String,
    /// Branch, tag or commit; `None` is the default branch.
    pub revision: Option<String>,
}

impl HubTarget {
    /// Parses `hf:OWNER/NAME[@REVISION]` (the `hf:` prefix is optional), by the one target
    /// parser ([`Target`](crate::target::Target)).
    pub fn parse(target: &str) -> Result<Self, HubError> {
        let full = if target.starts_with("hf:") {
            target.to_string()
        } else {
            format!("hf:{}", target.trim())
        };
        match full.parse::<crate::target::Target>() {
            Ok(crate::target::Target::Hub { repo, revision }) => Ok(HubTarget { repo, revision }),
            _ => Err(HubError::InvalidTarget {
                target: target.to_string(),
                reason: "expected OWNER/NAME[@REVISION] with a safe revision".to_string(),
            }),
        }
    }

    /// `hf:owner/name[@rev]`, the target as reports name it.
    pub fn display(&self) -> String {
        match &self.revision {
            Some(rev) => format!("hf:{}@{rev}", self.repo),
            None => format!("hf:{}", self.repo),
        }
    }
}

/// Reads models from the Hub. Cheap to share across threads; make one per run.
pub struct HubClient {
    cfg: HubConfig,
    /// hf-hub's blocking client: model info.
    api: hf_hub::HFClientSync,
    /// reqwest (hf-hub's own HTTP client): resolves and listings, see `http`.
    http: reqwest::blocking::Client,
    /// Set after a 429: every worker waits until then.
    pause: Mutex<Option<Instant>>,
    /// Model info already read by an author listing, by repo id: saves one request each.
    listed: Mutex<HashMap<String, RepoInfo>>,
    /// Requests sent (every attempt), for benchmarks and rate-limit budgets.
    requests: AtomicUsize,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClient").field("cfg", &self.cfg).finish()
    }
}

impl HubClient {
    /// A client for `cfg`. Fails only when the endpoint is not a URL or TLS cannot start.
    pub fn new(cfg: HubConfig) -> Result<Self, HubError> {
        let client_err = |e: &dyn std::fmt::Display| HubError::Client(e.to_string());
        Url::parse(&cfg.endpoint).map_err(|e| {
            HubError::Client(format!("endpoint '{}' is not a URL: {e}", cfg.endpoint))
        })?;
        let agent = concat!("model-license/", env!("CARGO_PKG_VERSION"));
        let inner = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .user_agent(agent)
            .build()
            .map_err(|e| client_err(&e))?;
        let mut builder = hf_hub::HFClientBuilder::new()
            .endpoint(cfg.endpoint.clone())
            .cache_dir(cfg.cache_dir.clone())
            .client(inner)
            // Retries are ours (`http::with_retries`): hf-hub's ignore Retry-After.
            .retry_max_attempts(0);
        // Without a token hf-hub 1.0 falls back to HF_TOKEN / the token file by itself; the
        // CLI resolves the same variables in the same order, so the outcome is the same.
        if let Some(token) = &cfg.token {
            builder = builder.token(token.clone());
        }
        let api = builder.build_sync().map_err(|e| client_err(&e))?;
        let http = reqwest::blocking::Client::builder()
            .timeout(cfg.timeout)
            .user_agent(agent)
            .build()
            .map_err(|e| client_err(&e))?;
        Ok(HubClient {
            cfg,
            api,
            http,
            pause: Mutex::new(None),
            listed: Mutex::new(HashMap::new()),
            requests: AtomicUsize::new(0),
        })
    }

    /// The config this client was made with.
    pub fn config(&self) -> &HubConfig {
        &self.cfg
    }

    /// Requests sent so far (every attempt counts).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Reads the model named by an `hf:OWNER/NAME[@REV]` target.
    pub fn fetch(&self, target: &str) -> Result<Model, HubError> {
        let t = HubTarget::parse(target)?;
        self.fetch_model(&t.repo, t.revision.as_deref())
    }

    /// Reads `repo` at `revision` (default branch when `None`): info, then small files.
    pub fn fetch_model(&self, repo: &str, revision: Option<&str>) -> Result<Model, HubError> {
        let target = HubTarget {
            repo: repo.to_string(),
            revision: revision.map(str::to_string),
        };
        let shown = target.display();
        HubTarget::parse(&shown)?;
        if self.cfg.offline {
            return self.read_cached(&target, &shown);
        }
        let info = match self.listed_info(&target) {
            Some(info) => info,
            None => self.model_info(&target, &shown)?,
        };
        let mut model = Model::new(shown.clone(), TargetKind::Hub);
        model.name = Some(if info.id.is_empty() {
            repo.to_string()
        } else {
            info.id.clone()
        });
        model.declared = info.declared();
        model.base_models = info.base_models();
        if info.siblings.is_none() {
            model.findings.push(Finding::new(
                Code::MalformedMetadata,
                Severity::Warning,
                "the Hub listed no files; license files were not looked for".to_string(),
            ));
        }
        let commit = info
            .sha
            .clone()
            .filter(|s| cache::is_commit_hash(s))
            .or_else(|| target.revision.clone())
            .unwrap_or_else(|| "main".to_string());
        let wanted = info.small_files();
        let gate = info.is_gated();
        let results: Vec<FileOutcome> = std::thread::scope(|s| {
            let handles: Vec<_> = wanted
                .iter()
                .map(|file| s.spawn(|| self.small_file(&target, &shown, &commit, file, gate)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or(FileOutcome::Missing("worker panicked".into()))
                })
                .collect()
        });
        let mut gated = false;
        for (file, outcome) in wanted.iter().zip(results) {
            match outcome {
                FileOutcome::Text(doc) => take(&mut model, doc),
                FileOutcome::Gated => gated = true,
                FileOutcome::Missing(why) => model.findings.push(
                    Finding::new(
                        Code::UnreadableFile,
                        Severity::Warning,
                        format!("{file}: {why}"),
                    )
                    .at(file.clone()),
                ),
                FileOutcome::Failed(e) => return Err(e),
            }
        }
        if gated {
            model.findings.push(Finding::new(
                Code::GatedRepo,
                Severity::Warning,
                format!(
                    "{shown} is gated and its license files could not be read without access; \
                     the license comes from the Hub's card data only (use a token of an account \
                     that accepted the terms to read them)"
                ),
            ));
        }
        Ok(model)
    }

    /// Listing info for a default-branch fetch, when it has everything we need.
    fn listed_info(&self, target: &HubTarget) -> Option<RepoInfo> {
        if target.revision.is_some() {
            return None;
        }
        let listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        listed
            .get(&target.repo)
            .filter(|i| i.sha.is_some() && i.siblings.is_some())
            .cloned()
    }

    /// `GET /api/models/{repo}[/revision/{rev}]?expand=…` through hf-hub.
    fn model_info(&self, target: &HubTarget, shown: &str) -> Result<RepoInfo, HubError> {
        let (owner, name) = hf_hub::split_id(&target.repo);
        let repo = self.api.model(owner, name);
        let expand: Vec<String> = EXPAND.iter().map(|s| s.to_string()).collect();
        http::with_retries(&self.cfg, shown, &self.pause, || {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let answer = repo
                .info()
                .maybe_revision(target.revision.clone())
                .expand(expand.clone())
                .send();
            match answer {
                Ok(info) => Step::Ok(RepoInfo::from(info)),
                Err(e) => self.hf_step(e, target, shown),
            }
        })
    }

    /// An hf-hub error as a retry step.
    fn hf_step<T>(&self, e: hf_hub::HFError, target: &HubTarget, shown: &str) -> Step<T> {
        use hf_hub::HFError as E;
        let context = match &e {
            E::Http { context } | E::AuthRequired { context } | E::Forbidden { context } => {
                Some(context.as_ref())
            }
            E::RateLimited { retry_after, .. } => return Step::RateLimited(*retry_after),
            E::RepoNotFound { context, .. }
            | E::RevisionNotFound { context, .. }
            | E::EntryNotFound { context, .. } => context.as_deref(),
            E::Request { source, .. } if source.is_decode() => {
                return Step::Fail(HubError::Malformed {
                    target: shown.to_string(),
                    message: http::one_line(&source.to_string()),
                })
            }
            E::Request { source, .. } => return http::transport_step(source),
            E::Json(j) => {
                return Step::Fail(HubError::Malformed {
                    target: shown.to_string(),
                    message: j.to_string(),
                })
            }
            _ => None,
        };
        let Some(ctx) = context else {
            return Step::Fail(HubError::Network {
                target: shown.to_string(),
                message: http::one_line(&e.to_string()),
            });
        };
        let status = ctx.status.as_u16();
        if status == 408 || status >= 500 {
            return Step::Server(status);
        }
        Step::Fail(http::client_error(
            shown,
            target.revision.as_deref(),
            status,
            ctx.error_code.as_deref(),
            ctx.server_message.as_deref(),
            self.cfg.token.is_some(),
        ))
    }

    /// One small file: from the cache when this commit is there, else one GET of
    /// `/{repo}/resolve/{commit}/{file}`, stored in the cache.
    fn small_file(
        &self,
        target: &HubTarget,
        shown: &str,
        commit: &str,
        file: &str,
        gated: bool,
    ) -> FileOutcome {
        if let Some(path) = cache::snapshot_file(&self.cfg.cache_dir, &target.repo, commit, file) {
            if let Ok(text) = files::read_text(&path, MAX_TEXT_BYTES) {
                return FileOutcome::Text(document(file, text.content, text.truncated));
            }
        }
        let Some(url) = self.resolve_url(&target.repo, commit, file) else {
            return FileOutcome::Missing("not a valid file name".into());
        };
        let reply = match self.get(shown, &url, MAX_TEXT_BYTES) {
            Ok(reply) => reply,
            Err(e) => return FileOutcome::Failed(e),
        };
        let code = reply.header("x-error-code");
        if reply.status == 401 || reply.status == 403 || code == Some("GatedRepo") {
            // Keyed on the header as huggingface_hub does; a bare 401/403 on a repo the API
            // says is gated is the same refusal.
            return match code {
                Some("GatedRepo") => FileOutcome::Gated,
                None if gated => FileOutcome::Gated,
                _ => FileOutcome::Failed(self.refusal(shown, target.revision.as_deref(), &reply)),
            };
        }
        if reply.status == 404 && matches!(code, None | Some("EntryNotFound")) {
            return FileOutcome::Missing("listed by the Hub but not found (404)".into());
        }
        if !(200..300).contains(&reply.status) {
            return FileOutcome::Failed(self.refusal(shown, target.revision.as_deref(), &reply));
        }
        let text = match files::decode(&reply.body, reply.truncated) {
            Ok(text) => text,
            Err(e) => return FileOutcome::Missing(e.to_string()),
        };
        if !reply.truncated {
            let commit = reply
                .header("x-repo-commit")
                .filter(|c| cache::is_commit_hash(c))
                .unwrap_or(commit);
            let etag = reply.header("x-linked-etag").or(reply.header("etag"));
            if let Some(etag) = etag {
                let revision = Some(target.revision.as_deref().unwrap_or("main"));
                // The cache is a convenience: a read-only cache must not fail the scan.
                let _ = cache::store(
                    &self.cfg.cache_dir,
                    &target.repo,
                    revision,
                    commit,
                    file,
                    etag,
                    &reply.body,
                );
            }
        }
        FileOutcome::Text(document(file, text, reply.truncated))
    }

    /// One GET through the retry policy; a spent quota announced by a successful answer
    /// pauses the other workers too.
    fn get(&self, shown: &str, url: &Url, limit: u64) -> Result<http::Reply, HubError> {
        let reply = http::with_retries(&self.cfg, shown, &self.pause, || {
            self.requests.fetch_add(1, Ordering::Relaxed);
            http::get(&self.http, url.clone(), self.cfg.token.as_deref(), limit)
        })?;
        http::note_quota(&reply.headers, &self.pause, &self.cfg);
        Ok(reply)
    }

    /// A non-2xx answer that retrying will not fix, as an error.
    fn refusal(&self, shown: &str, revision: Option<&str>, reply: &http::Reply) -> HubError {
        http::client_error(
            shown,
            revision,
            reply.status,
            reply.header("x-error-code"),
            reply.header("x-error-message"),
            self.cfg.token.is_some(),
        )
    }

    /// `{endpoint}/{repo}/resolve/{revision}/{file}`, each part percent-encoded.
    fn resolve_url(&self, repo: &str, revision: &str, file: &str) -> Option<Url> {
        let mut url = Url::parse(&self.cfg.endpoint).ok()?;
        {
            let mut segments = url.path_segments_mut().ok()?;
            segments.pop_if_empty();
            segments.extend(repo.split('/'));
            segments.push("resolve");
            segments.push(revision);
            segments.extend(file.split('/'));
        }
        Some(url)
    }

    /// Offline: the README and license files of the cached snapshot, or an error saying what
    /// the cache lacks.
    fn read_cached(&self, target: &HubTarget, shown: &str) -> Result<Model, HubError> {
        let offline = |reason: String| HubError::Offline {
            target: shown.to_string(),
            reason,
        };
        let root = cache::repo_dir(&self.cfg.cache_dir, &target.repo);
        if !root.is_dir() {
            return Err(offline(format!(
                "the repo is not in the local cache ({})",
                root.display()
            )));
        }
        let revision = target.revision.as_deref().unwrap_or("main");
        let commit = if cache::is_commit_hash(revision) {
            revision.to_string()
        } else {
            cache::read_ref(&self.cfg.cache_dir, &target.repo, revision).ok_or_else(|| {
                offline(format!("revision '{revision}' is not in the local cache"))
            })?
        };
        let snapshot = root.join("snapshots").join(&commit);
        if !snapshot.is_dir() {
            return Err(offline(format!(
                "snapshot {commit} is not in the local cache"
            )));
        }
        let mut model = Model::new(shown, TargetKind::Hub);
        model.name = Some(target.repo.clone());
        for file in cache::snapshot_files(&snapshot, 3, 10_000) {
            let base = file.rsplit('/').next().unwrap_or(&file);
            let wanted = (file.eq_ignore_ascii_case("readme.md") && is_readme(base))
                || is_license_file(base);
            if !wanted || model.documents.len() >= card::MAX_FILES {
                continue;
            }
            match files::read_text(&snapshot.join(&file), MAX_TEXT_BYTES) {
                Ok(text) => take(&mut model, document(&file, text.content, text.truncated)),
                Err(e) => model.findings.push(
                    Finding::new(
                        Code::UnreadableFile,
                        Severity::Warning,
                        format!("{file}: {e}"),
                    )
                    .at(file.clone()),
                ),
            }
        }
        model
            .documents
            .sort_by_key(|d| d.source != SourceKind::Readme);
        Ok(model)
    }

    /// Every model of a user or organisation, as `hf:owner/name` targets, following the
    /// listing's `Link: <…>; rel="next"` pages. The listing asks for the same fields as model
    /// info (`expand=`), and remembers them, so fetching a listed model afterwards costs no
    /// info request.
    pub fn list_author_models(&self, author: &str) -> Result<Vec<String>, HubError> {
        let shown = format!("hf-author:{author}");
        if self.cfg.offline {
            return Err(HubError::Offline {
                target: shown,
                reason: "listing an author's models needs the network".into(),
            });
        }
        let malformed = |message: String| HubError::Malformed {
            target: shown.clone(),
            message,
        };
        let mut url = Url::parse(&self.cfg.endpoint)
            .map_err(|e| HubError::Client(e.to_string()))?
            .join("api/models")
            .map_err(|e| HubError::Client(e.to_string()))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("author", author);
            for field in EXPAND {
                query.append_pair("expand", field);
            }
            query.append_pair("limit", "1000");
        }
        let origin = url.origin();
        let mut ids = Vec::new();
        for _ in 0..MAX_PAGES {
            let reply = self.get(&shown, &url, MAX_PAGE_BYTES)?;
            if !(200..300).contains(&reply.status) {
                return Err(self.refusal(&shown, None, &reply));
            }
            if reply.truncated {
                return Err(malformed("listing page too large".into()));
            }
            let page: Vec<serde_json::Value> = serde_json::from_slice(&reply.body)
                .map_err(|e| malformed(format!("listing is not a JSON array: {e}")))?;
            let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
            for entry in page {
                // One odd entry must not lose the page: keep what parses.
                let Ok(info) = serde_json::from_value::<hf_hub::repository::ModelInfo>(entry)
                else {
                    continue;
                };
                let info = RepoInfo::from(info);
                if HubTarget::parse(&info.id).is_ok() && !ids.contains(&info.id) {
                    ids.push(info.id.clone());
                    listed.insert(info.id.clone(), info);
                }
            }
            drop(listed);
            match http::next_link(&reply.headers) {
                None => return Ok(ids.into_iter().map(|id| format!("hf:{id}")).collect()),
                Some(next) => {
                    let next = url.join(&next).map_err(|e| malformed(e.to_string()))?;
                    // The token goes to the configured Hub only.
                    if next.origin() != origin {
                        return Err(malformed(format!("pagination link leaves the Hub: {next}")));
                    }
                    url = next;
                }
            }
        }
        Err(malformed(format!("more than {MAX_PAGES} pages")))
    }
}

/// What became of one small file.
enum FileOutcome {
    /// Read.
    Text(Document),
    /// Refused by the gate.
    Gated,
    /// Not there or not text: a finding.
    Missing(String),
    /// Could not be read for a reason that fails the model (rate limit, 5xx, timeout...).
    Failed(HubError),
}

/// Takes a fetched file into `model`. The README is the model card, read as a local
/// folder's is (front matter claims, base models, body), so that `hf:`, `hf-cache:` and a
/// clone give one verdict; its claims replace the Hub API's copy of the same card data.
fn take(model: &mut Model, doc: Document) {
    if doc.source != SourceKind::Readme {
        return model.documents.push(doc);
    }
    model.declared.retain(|d| d.source != SourceKind::HubApi);
    crate::source::local::read_card_text(model, &doc.text, &doc.path, doc.truncated, false);
}

/// A fetched file as a document: README.md as the card (front matter included), the rest
/// as license files.
fn document(path: &str, text: String, truncated: bool) -> Document {
    let source = if path.eq_ignore_ascii_case("readme.md") {
        SourceKind::Readme
    } else {
        SourceKind::LicenseFile
    };
    Document {
        source,
        path: path.to_string(),
        text,
        first_line: 1,
        truncated,
    }
}

/// Reads one model: `fetch_model(&cfg, "owner/name", None)`. For many models make one
/// [`HubClient`] and share it.
pub fn fetch_model(cfg: &HubConfig, repo: &str, revision: Option<&str>) -> Result<Model, HubError> {
    HubClient::new(cfg.clone())?.fetch_model(repo, revision)
}

/// Every model of `author`, as `hf:` targets. For an audit use
/// [`HubClient::list_author_models`] on the client that fetches them (saves requests).
pub fn list_author_models(cfg: &HubConfig, author: &str) -> Result<Vec<String>, HubError> {
    HubClient::new(cfg.clone())?.list_author_models(author)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t = HubTarget::parse("hf:meta-llama/Llama-3.1-8B@refs/pr/1").unwrap();
        assert_eq!(t.repo, "meta-llama/Llama-3.1-8B");
        assert_eq!(t.revision.as_deref(), Some("refs/pr/1"));
        assert_eq!(t.display(), "hf:meta-llama/Llama-3.1-8B@refs/pr/1");
        assert_eq!(HubTarget::parse("hf:gpt2").unwrap().repo, "gpt2");
        for bad in [
            "hf:",
            "hf:a/b/c",
            "hf:a/b@",
            "hf:../x",
            "hf:a b/c",
            "hf:a/b@../../x",
        ] {
            assert!(HubTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
