//! What the user asks to scan, parsed once: the CLI, inventories, the scanner and the Hub
//! client all read targets through [`Target`].

use std::fmt;
use std::path::{Component, Path};
use std::str::FromStr;

use crate::source::{Layout, TargetKind};

/// One target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A folder or a file.
    Path(String),
    /// `hf:OWNER/NAME[@REVISION]`: a repository on the Hugging Face Hub.
    Hub {
        /// `owner/name` (or a legacy `name`).
        repo: String,
        /// Branch, tag or commit; `None` is the default branch.
        revision: Option<String>,
    },
    /// `hf-cache:`, `ollama:`, `lmstudio:`, `docker-models:` with an optional folder or
    /// model name: a model store.
    Store {
        /// Which store.
        layout: Layout,
        /// A folder, a model name, or empty for the default location.
        rest: String,
    },
    /// `oci:PATH[@REF]`: an OCI image layout.
    Oci(String),
    /// `mlflow:NAME[/VERSION]`: a registered model of an MLflow registry.
    Mlflow(String),
    /// `api:PROVIDER/MODEL`: a closed model reached only through its provider's API.
    Api {
        /// `openai`, `anthropic`, ...
        provider: String,
        /// The model's name at the provider.
        model: String,
    },
}

/// The store prefixes, with their layouts.
const STORES: [(&str, Layout); 4] = [
    ("hf-cache:", Layout::HfCache),
    ("ollama:", Layout::Ollama),
    ("lmstudio:", Layout::LmStudio),
    ("docker-models:", Layout::DockerModels),
];

impl FromStr for Target {
    type Err = String;

    /// Parses a target as written; the error says what was expected.
    fn from_str(t: &str) -> Result<Target, String> {
        if let Some(rest) = t.strip_prefix("hf:") {
            return parse_hub(rest)
                .ok_or_else(|| format!("'{t}': expected hf:OWNER/NAME[@REVISION]"));
        }
        if let Some(rest) = t.strip_prefix("api:") {
            return match rest.split_once('/') {
                Some((p, m))
                    if !p.trim().is_empty()
                        && !m.trim().is_empty()
                        && !m.contains('/')
                        && !rest.chars().any(char::is_whitespace) =>
                {
                    Ok(Target::Api {
                        provider: p.to_string(),
                        model: m.to_string(),
                    })
                }
                _ => Err(format!(
                    "'{t}': expected api:PROVIDER/MODEL (e.g. api:openai/gpt-4o)"
                )),
            };
        }
        if let Some(rest) = t.strip_prefix("mlflow:") {
            return if rest.trim().is_empty() || rest.starts_with('/') {
                Err(format!(
                    "'{t}': expected mlflow:NAME or mlflow:NAME/VERSION"
                ))
            } else {
                Ok(Target::Mlflow(rest.to_string()))
            };
        }
        if let Some(rest) = t.strip_prefix("oci:") {
            return if rest.is_empty() {
                Err(format!("'{t}': expected oci:PATH[@REF]"))
            } else {
                Ok(Target::Oci(rest.to_string()))
            };
        }
        for (prefix, layout) in STORES {
            if let Some(rest) = t.strip_prefix(prefix) {
                if layout == Layout::Ollama && rest.chars().any(char::is_whitespace) {
                    return Err(format!("'{t}': expected ollama:NAME[:TAG]"));
                }
                return Ok(Target::Store {
                    layout,
                    rest: rest.to_string(),
                });
            }
        }
        if t.is_empty() {
            return Err("an empty target".to_string());
        }
        Ok(Target::Path(t.to_string()))
    }
}

/// `OWNER/NAME[@REVISION]` with the Hub's rules for names, and a revision that is a safe
/// relative path (it becomes a folder of the cache).
fn parse_hub(rest: &str) -> Option<Target> {
    let rest = rest.trim();
    let (repo, revision) = match rest.split_once('@') {
        Some((_, rev)) if rev.is_empty() || rev.chars().any(char::is_whitespace) => return None,
        Some((repo, rev)) => (repo, Some(rev.to_string())),
        None => (rest, None),
    };
    let parts: Vec<&str> = repo.split('/').collect();
    let name_ok = |p: &&str| {
        !p.is_empty()
            && p.len() <= 96
            && !p.starts_with('.')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if parts.is_empty() || parts.len() > 2 || !parts.iter().all(name_ok) {
        return None;
    }
    if revision.as_deref().is_some_and(|r| !safe_rel_path(r)) {
        return None;
    }
    Some(Target::Hub {
        repo: repo.to_string(),
        revision,
    })
}

/// A relative path with plain components only (no `..`, no root, no drive).
pub fn safe_rel_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

impl Target {
    /// The kind of models this target yields (a path may turn out to be a store; it is
    /// reported as a folder until it is read).
    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Path(_) => TargetKind::Directory,
            Target::Hub { .. } => TargetKind::Hub,
            Target::Store { layout, .. } => match layout {
                Layout::HfCache => TargetKind::HfCache,
                Layout::Ollama => TargetKind::Ollama,
                Layout::LmStudio => TargetKind::Lmstudio,
                Layout::DockerModels => TargetKind::DockerModels,
                Layout::Oci => TargetKind::Oci,
            },
            Target::Oci(_) => TargetKind::Oci,
            Target::Mlflow(_) => TargetKind::Mlflow,
            Target::Api { .. } => TargetKind::Api,
        }
    }

    /// True for targets read from the Hugging Face Hub.
    pub fn needs_hub(&self) -> bool {
        matches!(self, Target::Hub { .. })
    }
}

impl fmt::Display for Target {
    /// The target as reports name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Path(p) => f.write_str(p),
            Target::Hub { repo, revision } => match revision {
                Some(rev) => write!(f, "hf:{repo}@{rev}"),
                None => write!(f, "hf:{repo}"),
            },
            Target::Store { layout, rest } => {
                let prefix = STORES
                    .iter()
                    .find(|(_, l)| l == layout)
                    .map_or("", |(p, _)| p);
                write!(f, "{prefix}{rest}")
            }
            Target::Oci(rest) => write!(f, "oci:{rest}"),
            Target::Mlflow(rest) => write!(f, "mlflow:{rest}"),
            Target::Api { provider, model } => write!(f, "api:{provider}/{model}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_parses_and_prints_back() {
        for t in [
            "hf:meta-llama/Llama-3.1-8B@main",
            "hf:gpt2",
            "hf-cache:",
            "hf-cache:/data/hub",
            "ollama:llama3.1:8b",
            "lmstudio:",
            "docker-models:ai/smollm2",
            "oci:./modelcar@latest",
            "mlflow:llama-ft/1",
            "api:openai/gpt-4o",
            "./models/local",
        ] {
            let parsed: Target = t.parse().unwrap();
            assert_eq!(parsed.to_string(), t);
        }
        assert!(matches!(
            "hf:a/b@v1".parse::<Target>(),
            Ok(Target::Hub { ref repo, revision: Some(ref r) }) if repo == "a/b" && r == "v1"
        ));
    }

    #[test]
    fn malformed_targets_say_what_was_expected() {
        for t in [
            "hf:a/b/c",
            "hf:a/b@",
            "hf:../x",
            "hf:a/b@../../etc",
            "api:openai",
            "api:openai/",
            "mlflow:",
            "oci:",
            "ollama:a b",
            "",
        ] {
            assert!(t.parse::<Target>().is_err(), "{t}");
        }
    }
}
