//! The MLflow Model Registry through its REST API (`/api/2.0/mlflow/...` and the artifact
//! proxy `/api/2.0/mlflow-artifacts/...`): registered models, their versions, and each
//! version's small files.
//!
//! A version is judged like a local folder: its card (`model_card_data.yaml`,
//! `model_card.md`, README.md), license files and `MLmodel` are downloaded into a
//! temporary folder and read by the folder scanner; weights are never downloaded. Versions
//! logged by MLflow 3 point at a logged model (`models:/m-...`), older ones at a run's
//! artifacts (`runs:/RUN/PATH`): both are resolved.

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::Url;
use serde::Deserialize;

use super::files::{license_file_kind, one_line};
use super::local;
use super::model::{Model, TargetKind};

/// Largest JSON answer read (a page of 1,000 registered models is far below it).
const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;
/// Largest artifact file downloaded: cards, license texts, MLmodel.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Most pages followed when listing.
const MAX_PAGES: usize = 10_000;

/// Credentials from the environment (`MLFLOW_TRACKING_USERNAME`/`PASSWORD`, or
/// `MLFLOW_TRACKING_TOKEN`). Never printed: `Debug` says which kind only.
#[derive(Clone, Default)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// A bearer token.
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::None => "Auth::None",
            Auth::Basic { .. } => "Auth::Basic(..)",
            Auth::Bearer(_) => "Auth::Bearer(..)",
        })
    }
}

impl Auth {
    /// As the MLflow client reads it: basic authentication when a user name and password
    /// are set, else a bearer token.
    pub fn from_env_values(var: impl Fn(&str) -> Option<String>) -> Auth {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
        match (
            var("MLFLOW_TRACKING_USERNAME"),
            var("MLFLOW_TRACKING_PASSWORD"),
        ) {
            (Some(user), Some(password)) => Auth::Basic { user, password },
            _ => var("MLFLOW_TRACKING_TOKEN").map_or(Auth::None, Auth::Bearer),
        }
    }
}

/// One registered model version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Registered model name.
    pub name: String,
    /// Version number, as the registry writes it.
    pub version: String,
    /// Aliases that point at this version (`champion`).
    pub aliases: Vec<String>,
    /// Stage (`Production`, `Staging`, ...; `None` when unset).
    pub stage: Option<String>,
}

impl Version {
    /// `mlflow:NAME/VERSION`.
    pub fn target(&self) -> String {
        format!("mlflow:{}/{}", self.name, self.version)
    }
}

/// A client for one tracking server.
#[derive(Debug)]
pub struct MlflowClient {
    base: Url,
    auth: Auth,
    http: Client,
}

#[derive(Deserialize)]
struct RegisteredModels {
    #[serde(default)]
    registered_models: Vec<RegisteredModel>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct RegisteredModel {
    name: String,
    #[serde(default)]
    aliases: Vec<AliasEntry>,
}

#[derive(Deserialize)]
struct AliasEntry {
    alias: String,
    version: String,
}

#[derive(Deserialize)]
struct ModelVersions {
    #[serde(default)]
    model_versions: Vec<ModelVersion>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct ModelVersion {
    name: String,
    version: String,
    current_stage: Option<String>,
}

#[derive(Deserialize)]
struct DownloadUri {
    artifact_uri: String,
}

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    files: Vec<ArtifactFile>,
}

#[derive(Deserialize)]
struct ArtifactFile {
    path: String,
    #[serde(default)]
    is_dir: bool,
    file_size: Option<u64>,
}

impl MlflowClient {
    /// A client for the tracking server at `uri` (`http://host:5000`).
    pub fn new(uri: &str, auth: Auth) -> Result<MlflowClient, String> {
        let mut base =
            Url::parse(uri.trim()).map_err(|e| format!("MLflow tracking URI `{uri}`: {e}"))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(format!(
                "MLflow tracking URI `{uri}`: only http(s) tracking servers are read"
            ));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("model-license/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(MlflowClient { base, auth, http })
    }

    fn url(&self, path: &str) -> Result<Url, String> {
        self.base.join(path).map_err(|e| e.to_string())
    }

    fn get(&self, url: Url, limit: u64) -> Result<Vec<u8>, String> {
        let shown = format!(
            "{}{}",
            url.path(),
            url.query().map_or(String::new(), |q| format!("?{q}"))
        );
        let mut request = self.http.get(url);
        request = match &self.auth {
            Auth::None => request,
            Auth::Basic { user, password } => request.basic_auth(user, Some(password)),
            Auth::Bearer(token) => request.bearer_auth(token),
        };
        let response = request
            .send()
            .map_err(|e| format!("MLflow {shown}: {}", one_line(&e.to_string())))?;
        let status = response.status();
        let mut body = Vec::new();
        response
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("MLflow {shown}: {e}"))?;
        if !status.is_success() {
            let why = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error_code"].as_str().map(str::to_string))
                .unwrap_or_default();
            return Err(format!("MLflow {shown}: HTTP {} {why}", status.as_u16())
                .trim_end()
                .to_string());
        }
        if body.len() as u64 > limit {
            return Err(format!("MLflow {shown}: answer larger than {limit} bytes"));
        }
        Ok(body)
    }

    fn json<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, String> {
        let mut url = self.url(path)?;
        url.query_pairs_mut().extend_pairs(query);
        let body = self.get(url, MAX_JSON_BYTES)?;
        serde_json::from_slice(&body).map_err(|e| format!("MLflow {path}: unexpected answer ({e})"))
    }

    /// Every version of every registered model, sorted by name and version.
    pub fn all_versions(&self) -> Result<Vec<Version>, String> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("max_results", "1000")];
            if let Some(t) = &token {
                query.push(("page_token", t));
            }
            let page: RegisteredModels =
                self.json("api/2.0/mlflow/registered-models/search", &query)?;
            for m in page.registered_models {
                out.extend(self.versions_of(&m.name, &m.aliases)?);
            }
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        out.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(version_number(&a.version).cmp(&version_number(&b.version)))
        });
        Ok(out)
    }

    /// The versions of registered model `name` (`aliases` from its listing, when known).
    fn versions_of(&self, name: &str, aliases: &[AliasEntry]) -> Result<Vec<Version>, String> {
        let filter = format!("name='{}'", name.replace('\'', "\\'"));
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("filter", filter.as_str()), ("max_results", "1000")];
            if let Some(t) = &token {
                query.push(("page_token", t));
            }
            let page: ModelVersions = self.json("api/2.0/mlflow/model-versions/search", &query)?;
            for v in page.model_versions.into_iter().filter(|v| v.name == name) {
                out.push(Version {
                    aliases: aliases
                        .iter()
                        .filter(|a| a.version == v.version)
                        .map(|a| a.alias.clone())
                        .collect(),
                    stage: v.current_stage.filter(|s| !s.is_empty() && s != "None"),
                    name: v.name,
                    version: v.version,
                });
            }
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(out)
    }

    /// The versions a `mlflow:NAME[/VERSION]` target names.
    pub fn resolve(&self, spec: &str) -> Result<Vec<Version>, String> {
        let (name, version) = match spec.rsplit_once('/') {
            Some((n, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => (n, Some(v)),
            _ => (spec, None),
        };
        if name.is_empty() {
            return Err("expected mlflow:NAME or mlflow:NAME/VERSION".into());
        }
        let listed: RegisteredModels = self.json(
            "api/2.0/mlflow/registered-models/search",
            &[
                ("filter", &format!("name='{}'", name.replace('\'', "\\'"))),
                ("max_results", "10"),
            ],
        )?;
        let aliases = listed
            .registered_models
            .into_iter()
            .find(|m| m.name == name)
            .ok_or_else(|| format!("no registered model `{name}`"))?
            .aliases;
        let versions: Vec<Version> = self
            .versions_of(name, &aliases)?
            .into_iter()
            .filter(|v| version.is_none_or(|w| v.version == w))
            .collect();
        if versions.is_empty() {
            return Err(format!("`{name}` has no version {}", version.unwrap_or("")));
        }
        Ok(versions)
    }

    /// Reads version `v` into models: its small files are downloaded and scanned as a
    /// folder. A version whose artifacts cannot be read is an error for it alone.
    pub fn fetch(&self, v: &Version) -> Result<Vec<Model>, String> {
        let target = v.target();
        let uri: DownloadUri = self.json(
            "api/2.0/mlflow/model-versions/get-download-uri",
            &[("name", &v.name), ("version", &v.version)],
        )?;
        let path = self.artifact_path(&uri.artifact_uri)?;
        let listing: Listing =
            self.json("api/2.0/mlflow-artifacts/artifacts", &[("path", &path)])?;
        if listing.files.is_empty() {
            return Err(format!(
                "no artifacts at {} (the version's files are missing)",
                uri.artifact_uri
            ));
        }
        let dir = TempDir::new()?;
        for f in &listing.files {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            let wanted = matches!(
                name,
                "MLmodel" | "model_card.md" | "model_card_data.yaml" | "README.md"
            ) || license_file_kind(name).is_some();
            let small = f.file_size.is_none_or(|s| s <= MAX_FILE_BYTES);
            if f.is_dir || !wanted || !small || !safe_name(name) {
                continue;
            }
            let mut url = self.url("api/2.0/mlflow-artifacts/artifacts/")?;
            url.path_segments_mut()
                .map_err(|_| "bad tracking URI".to_string())?
                .pop_if_empty()
                .extend(path.split('/').filter(|s| !s.is_empty()))
                .push(name);
            let bytes = self.get(url, MAX_FILE_BYTES)?;
            std::fs::write(dir.0.join(name), bytes).map_err(|e| e.to_string())?;
        }
        let mut models = local::scan(&dir.0, &target);
        for m in &mut models {
            m.kind = TargetKind::Mlflow;
            let mut labels: Vec<String> = v.aliases.iter().map(|a| format!("@{a}")).collect();
            labels.extend(v.stage.iter().map(|s| format!("stage {s}")));
            m.name = Some(if labels.is_empty() {
                format!("{} v{}", v.name, v.version)
            } else {
                format!("{} v{} ({})", v.name, v.version, labels.join(", "))
            });
        }
        Ok(models)
    }

    /// The artifact-proxy path of an artifact URI: `mlflow-artifacts:/1/models/m-x/artifacts`
    /// directly; `runs:/RUN/PATH` and `models:/m-ID` through the run or the logged model.
    fn artifact_path(&self, uri: &str) -> Result<String, String> {
        if let Some(rest) = uri.strip_prefix("mlflow-artifacts:") {
            // `mlflow-artifacts:/path` or `mlflow-artifacts://host:port/path`.
            let path = match rest.strip_prefix("//") {
                Some(with_host) => with_host.split_once('/').map_or("", |(_, p)| p),
                None => rest,
            };
            return Ok(path.trim_start_matches('/').to_string());
        }
        if let Some(rest) = uri.strip_prefix("runs:/") {
            let (run, sub) = rest
                .trim_start_matches('/')
                .split_once('/')
                .unwrap_or((rest, ""));
            let info: serde_json::Value =
                self.json("api/2.0/mlflow/runs/get", &[("run_id", run)])?;
            let root = info["run"]["info"]["artifact_uri"]
                .as_str()
                .ok_or_else(|| format!("run {run} has no artifact location"))?;
            return self.artifact_path(&format!("{}/{sub}", root.trim_end_matches('/')));
        }
        if let Some(id) = uri.strip_prefix("models:/") {
            let id = id.trim_matches('/');
            let info: serde_json::Value =
                self.json(&format!("api/2.0/mlflow/logged-models/{id}"), &[])?;
            let root = info["model"]["info"]["artifact_uri"]
                .as_str()
                .ok_or_else(|| format!("logged model {id} has no artifact location"))?;
            return self.artifact_path(root);
        }
        Err(format!(
            "artifacts at `{uri}` are not served by the tracking server (start it with --serve-artifacts)"
        ))
    }
}

fn version_number(v: &str) -> u64 {
    v.parse().unwrap_or(u64::MAX)
}

/// A file name the registry gave that can be written in a folder of our own.
fn safe_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "model-license-mlflow-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_the_environment_and_never_show() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let basic = Auth::from_env_values(env(&[
            ("MLFLOW_TRACKING_USERNAME", "u"),
            ("MLFLOW_TRACKING_PASSWORD", "secret"),
            ("MLFLOW_TRACKING_TOKEN", "tok"),
        ]));
        assert!(matches!(basic, Auth::Basic { .. }));
        assert!(!format!("{basic:?}").contains("secret"));
        let bearer = Auth::from_env_values(env(&[("MLFLOW_TRACKING_TOKEN", "tok")]));
        assert!(matches!(bearer, Auth::Bearer(_)));
        assert!(!format!("{bearer:?}").contains("tok"));
        assert!(matches!(Auth::from_env_values(env(&[])), Auth::None));
    }

    #[test]
    fn artifact_uris_map_to_proxy_paths() {
        let c = MlflowClient::new("http://127.0.0.1:1", Auth::None).unwrap();
        assert_eq!(
            c.artifact_path("mlflow-artifacts:/1/models/m-abc/artifacts")
                .unwrap(),
            "1/models/m-abc/artifacts"
        );
        assert_eq!(
            c.artifact_path("mlflow-artifacts://host:5000/1/x/artifacts/model")
                .unwrap(),
            "1/x/artifacts/model"
        );
        assert!(c.artifact_path("s3://bucket/x").is_err());
        assert!(!safe_name("../x") && !safe_name("a/b") && safe_name("LICENSE"));
    }
}
