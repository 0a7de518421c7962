//! Where a model's evidence lives in the workspace: the file CI annotations and SARIF results
//! point at (the LICENSE, the README.md front matter line, the .gguf).

use std::path::{Component, Path};

use crate::source::TargetKind;

/// A file in the workspace and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Spot {
    /// Forward-slash path, relative to the workspace root when it is inside it.
    pub path: String,
    /// 1-based line (1 when the evidence has none).
    pub line: usize,
}

/// True for targets that name something outside the workspace's files (`hf:`, `ollama:`,
/// `hf-cache:`, `docker-models:`, `oci:`, `api:`).
fn is_remote(target: &str) -> bool {
    match target.split_once(':') {
        // A Windows drive letter (`C:\...`) is local.
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        None => false,
    }
}

/// `path` with `\` as `/`, `.` components dropped, and `root` stripped when it is a prefix.
fn tidy(path: &Path, root: Option<&Path>) -> String {
    let rel = match root {
        Some(r) if path.is_absolute() => path.strip_prefix(r).unwrap_or(path),
        _ => path,
    };
    let mut out = String::new();
    for c in rel.components() {
        let part = match c {
            Component::CurDir => continue,
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Prefix(p) => p.as_os_str().to_string_lossy().into_owned(),
            Component::ParentDir => "..".into(),
            Component::Normal(s) => s.to_string_lossy().into_owned(),
        };
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part);
    }
    out.replace('\\', "/")
}

/// The workspace file that holds `path` (relative to the model's target) of a model whose
/// target is `target`; `None` for remote models or evidence without a file.
pub fn workspace_spot(
    kind: TargetKind,
    target: &str,
    path: Option<&str>,
    line: Option<usize>,
    root: Option<&Path>,
) -> Option<Spot> {
    if matches!(kind, TargetKind::Hub | TargetKind::Api) || is_remote(target) {
        return None;
    }
    let target = Path::new(target);
    let file = match (kind, path) {
        (TargetKind::File, None) => target.to_path_buf(),
        (TargetKind::File, Some(p)) if target.file_name() == Path::new(p).file_name() => {
            target.to_path_buf()
        }
        (TargetKind::File, Some(p)) => target.parent().unwrap_or(Path::new("")).join(p),
        (_, Some(p)) => target.join(p),
        (_, None) => return None,
    };
    let path = tidy(&file, root);
    (!path.is_empty()).then_some(Spot {
        path,
        line: line.unwrap_or(1).max(1),
    })
}

/// The policy file as a workspace spot at `line`.
pub fn policy_spot(policy: &str, line: Option<usize>, root: Option<&Path>) -> Option<Spot> {
    let path = tidy(Path::new(policy), root);
    (!path.is_empty()).then_some(Spot {
        path,
        line: line.unwrap_or(1).max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_paths_join_the_target() {
        let spot = |kind, target, path: Option<&str>| {
            workspace_spot(kind, target, path, Some(3), Some(Path::new("/repo"))).map(|s| s.path)
        };
        use TargetKind::*;
        assert_eq!(
            spot(Directory, "models/llama/", Some("README.md")).unwrap(),
            "models/llama/README.md"
        );
        assert_eq!(
            spot(Directory, "./m", Some("LICENSE")).unwrap(),
            "m/LICENSE"
        );
        assert_eq!(
            spot(Directory, "/repo/m", Some("LICENSE")).unwrap(),
            "m/LICENSE"
        );
        assert_eq!(
            spot(Directory, "/elsewhere/m", Some("LICENSE")).unwrap(),
            "/elsewhere/m/LICENSE"
        );
        assert_eq!(
            spot(File, "m/model.gguf", Some("model.gguf")).unwrap(),
            "m/model.gguf"
        );
        assert_eq!(spot(File, "m/model.gguf", None).unwrap(), "m/model.gguf");
        assert_eq!(
            spot(File, "m/README.md", Some("LICENSE")).unwrap(),
            "m/LICENSE"
        );
        assert_eq!(spot(Directory, "m", None), None);
        assert_eq!(
            spot(Hub, "hf:meta-llama/Llama-3.1-8B", Some("LICENSE")),
            None
        );
        assert_eq!(spot(Ollama, "ollama:llama3.1:8b", Some("LICENSE")), None);
        assert_eq!(
            spot(
                DockerModels,
                "docker-models:ai/smollm2:latest",
                Some("LICENSE")
            ),
            None
        );
        assert_eq!(spot(Oci, "oci:img@latest", Some("LICENSE")), None);
    }

    #[test]
    fn lines_are_at_least_one() {
        let s = workspace_spot(TargetKind::Directory, "m", Some("LICENSE"), None, None).unwrap();
        assert_eq!(s.line, 1);
        let s = workspace_spot(TargetKind::Directory, "m", Some("LICENSE"), Some(0), None).unwrap();
        assert_eq!(s.line, 1);
    }
}
