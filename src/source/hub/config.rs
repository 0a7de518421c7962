//! How to reach the Hub: endpoint, token, cache, offline switch, timeout and retries.
//!
//! The library never reads the environment; [`HubConfig::from_env_values`] takes the values
//! (and a file reader for token files) from the caller, so the CLI resolves them the way the
//! Hub's own clients do.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Everything the Hub client needs, passed in by the caller.
#[derive(Clone)]
pub struct HubConfig {
    /// Base URL of the Hub (`HF_ENDPOINT`), without a trailing slash.
    pub endpoint: String,
    /// Access token (`HF_TOKEN`, `HF_TOKEN_PATH`, `$HF_HOME/token`). Never printed.
    pub token: Option<String>,
    /// The Hub cache (`HF_HUB_CACHE`, default `$HF_HOME/hub`): `models--ORG--NAME/...`.
    pub cache_dir: PathBuf,
    /// Answer from the local cache only (`HF_HUB_OFFLINE`).
    pub offline: bool,
    /// Time limit of one request, connection to last byte.
    pub timeout: Duration,
    /// Retries after the first attempt, for 429, 5xx, timeouts and connection errors.
    pub retries: u32,
    /// First backoff delay when the server gives none; doubles on each retry.
    pub backoff: Duration,
    /// Longest wait a `Retry-After` / `RateLimit` header may ask for; longer asks fail at once.
    pub max_wait: Duration,
}

/// Hides the token: configs end up in logs and panics.
impl std::fmt::Debug for HubConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubConfig")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("cache_dir", &self.cache_dir)
            .field("offline", &self.offline)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("max_wait", &self.max_wait)
            .finish()
    }
}

impl HubConfig {
    /// The public Hub, no token, cache in `cache_dir`, online, 30 s timeout, 3 retries.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        HubConfig {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            token: None,
            cache_dir: cache_dir.into(),
            offline: false,
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }

    /// Resolves the config as `huggingface_hub` does, from environment values given by `var`
    /// and token files read by `read_file` (both supplied by the caller, so this stays pure):
    /// `HF_ENDPOINT`; `HF_TOKEN`, then the file at `HF_TOKEN_PATH`, then `$HF_HOME/token`
    /// (none when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set); `HF_HOME` (default
    /// `$XDG_CACHE_HOME/huggingface`, then `$HOME/.cache/huggingface`); `HF_HUB_CACHE`
    /// (legacy `HUGGINGFACE_HUB_CACHE`, default `$HF_HOME/hub`); `HF_HUB_OFFLINE` (or
    /// `TRANSFORMERS_OFFLINE`) set to 1/true/yes/on.
    pub fn from_env_values(
        var: impl Fn(&str) -> Option<String>,
        read_file: impl Fn(&Path) -> Option<String>,
    ) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        // A leading `~` is the home folder (huggingface_hub calls `expanduser`).
        let home = var("HOME").or_else(|| var("USERPROFILE"));
        let path = |v: String| match (v.strip_prefix('~'), &home) {
            (Some(rest), Some(h)) if rest.is_empty() || rest.starts_with(['/', '\\']) => {
                PathBuf::from(format!("{h}{rest}"))
            }
            _ => PathBuf::from(v),
        };
        let hf_home = var("HF_HOME").map(path).unwrap_or_else(|| {
            match var("XDG_CACHE_HOME") {
                Some(xdg) => PathBuf::from(xdg),
                None => var("HOME")
                    .or_else(|| var("USERPROFILE"))
                    .map(|h| PathBuf::from(h).join(".cache"))
                    .unwrap_or_else(|| PathBuf::from(".cache")),
            }
            .join("huggingface")
        });
        let cache_dir = var("HF_HUB_CACHE")
            .or_else(|| var("HUGGINGFACE_HUB_CACHE"))
            .map(path)
            .unwrap_or_else(|| hf_home.join("hub"));
        let token = if var("HF_HUB_DISABLE_IMPLICIT_TOKEN").is_some_and(|v| truthy(&v)) {
            None
        } else {
            var("HF_TOKEN")
                .map(|t| t.trim().to_string())
                .or_else(|| {
                    var("HF_TOKEN_PATH").and_then(|p| token_from_file(&read_file, Path::new(&p)))
                })
                .or_else(|| token_from_file(&read_file, &hf_home.join("token")))
        };
        let offline = ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"]
            .iter()
            .any(|name| var(name).is_some_and(|v| truthy(&v)));
        let endpoint = var("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        HubConfig {
            endpoint: endpoint.trim().trim_end_matches('/').to_string(),
            token,
            offline,
            ..HubConfig::new(cache_dir)
        }
    }
}

/// A token file's first non-empty content, trimmed.
fn token_from_file(read_file: &impl Fn(&Path) -> Option<String>, path: &Path) -> Option<String> {
    read_file(path)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The Hub clients' notion of a boolean environment value.
fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(vars: &[(&str, &str)], files: &[(&str, &str)]) -> HubConfig {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let files: HashMap<PathBuf, String> = files
            .iter()
            .map(|(k, v)| (PathBuf::from(k), v.to_string()))
            .collect();
        HubConfig::from_env_values(|k| vars.get(k).cloned(), |p| files.get(p).cloned())
    }

    #[test]
    fn defaults_follow_home() {
        let cfg = resolve(&[("HOME", "/home/u")], &[]);
        assert_eq!(cfg.endpoint, DEFAULT_ENDPOINT);
        assert_eq!(
            cfg.cache_dir,
            PathBuf::from("/home/u/.cache/huggingface/hub")
        );
        assert_eq!(cfg.token, None);
        assert!(!cfg.offline);
    }

    #[test]
    fn token_precedence_env_then_token_path_then_hf_home() {
        let files = [("/t/path", "from-path\n"), ("/hf/token", "from-home\n")];
        let all = resolve(
            &[
                ("HF_TOKEN", "from-env"),
                ("HF_TOKEN_PATH", "/t/path"),
                ("HF_HOME", "/hf"),
            ],
            &files,
        );
        assert_eq!(all.token.as_deref(), Some("from-env"));
        let no_env = resolve(&[("HF_TOKEN_PATH", "/t/path"), ("HF_HOME", "/hf")], &files);
        assert_eq!(no_env.token.as_deref(), Some("from-path"));
        let home_only = resolve(&[("HF_HOME", "/hf")], &files);
        assert_eq!(home_only.token.as_deref(), Some("from-home"));
        assert_eq!(home_only.cache_dir, PathBuf::from("/hf/hub"));
        let disabled = resolve(
            &[("HF_TOKEN", "x"), ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")],
            &files,
        );
        assert_eq!(disabled.token, None);
    }

    #[test]
    fn cache_endpoint_and_offline() {
        let cfg = resolve(
            &[
                ("HF_HOME", "/hf"),
                ("HF_HUB_CACHE", "/elsewhere"),
                ("HF_ENDPOINT", "http://127.0.0.1:9/"),
                ("HF_HUB_OFFLINE", "True"),
            ],
            &[],
        );
        assert_eq!(cfg.cache_dir, PathBuf::from("/elsewhere"));
        assert_eq!(cfg.endpoint, "http://127.0.0.1:9");
        assert!(cfg.offline);
        assert!(!resolve(&[("HF_HUB_OFFLINE", "0")], &[]).offline);
        let tilde = resolve(
            &[("HUGGINGFACE_HUB_CACHE", "~/legacy"), ("HOME", "/h")],
            &[],
        );
        assert_eq!(tilde.cache_dir, PathBuf::from("/h/legacy"));
        let xdg = resolve(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")], &[]);
        assert_eq!(xdg.cache_dir, PathBuf::from("/x/huggingface/hub"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let mut cfg = HubConfig::new("/c");
        cfg.token = Some("hf_secretvalue".into());
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hf_secretvalue"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
