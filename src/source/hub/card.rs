//! What the Hub API says about a repo, as we use it: license claims from `cardData` and
//! `license:` tags, base models from `cardData.base_model` and `base_model:` tags, the gate,
//! and the small files worth fetching. Pure functions over the API's JSON.

use serde_json::Value;

use crate::evidence::SourceKind;
use crate::source::files::{is_license_file, is_readme};
use crate::source::Declared;

/// Most base models kept from one card (a merge lists a handful; thousands is hostile).
const MAX_BASE_MODELS: usize = 32;
/// Most small files fetched for one repo.
pub(super) const MAX_FILES: usize = 16;
/// Longest value kept from a card field.
const MAX_VALUE: usize = 512;

/// The parts of the Hub's model info we read (from `/api/models/{repo}` or a listing entry).
#[derive(Debug, Clone, Default)]
pub(super) struct RepoInfo {
    /// `owner/name` as the Hub spells it.
    pub id: String,
    /// Commit the answer describes.
    pub sha: Option<String>,
    /// Card front matter as parsed by the Hub.
    pub card_data: Option<Value>,
    /// Hub tags (`license:…`, `base_model:…`).
    pub tags: Vec<String>,
    /// `false`, `"auto"` or `"manual"`.
    pub gated: Option<Value>,
    /// Repo files; `None` when the answer did not list them.
    pub siblings: Option<Vec<String>>,
}

impl From<hf_hub::repository::ModelInfo> for RepoInfo {
    fn from(info: hf_hub::repository::ModelInfo) -> Self {
        RepoInfo {
            id: info.id,
            sha: info.sha,
            card_data: info.card_data,
            tags: info.tags.unwrap_or_default(),
            gated: info.gated,
            siblings: info
                .siblings
                .map(|s| s.into_iter().map(|s| s.rfilename).collect()),
        }
    }
}

impl RepoInfo {
    /// True when the repo asks users to accept terms before downloading.
    pub fn is_gated(&self) -> bool {
        match &self.gated {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => !s.is_empty() && s != "false",
            _ => false,
        }
    }

    /// License claims, as written: `cardData.license` (a string or a list), `license_name`,
    /// `license_link`, then `license:` tags that add something the card did not say.
    pub fn declared(&self) -> Vec<Declared> {
        let mut out = Vec::new();
        let card = self.card_data.as_ref();
        for field in ["license", "license_name", "license_link"] {
            for value in strings(card.and_then(|c| c.get(field))) {
                push_unique(&mut out, field, value);
            }
        }
        for tag in &self.tags {
            if let Some(id) = tag.strip_prefix("license:") {
                let said = out
                    .iter()
                    .any(|d| d.field == "license" && d.value.eq_ignore_ascii_case(id));
                if !said {
                    push_unique(&mut out, "tags", id.to_string());
                }
            }
        }
        out
    }

    /// Base models from `cardData.base_model` and `base_model:[relation:]ID` tags, first seen
    /// first, without repeats.
    pub fn base_models(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let card = strings(self.card_data.as_ref().and_then(|c| c.get("base_model")));
        let tags = self.tags.iter().filter_map(|t| {
            let rest = t.strip_prefix("base_model:")?;
            // `base_model:finetune:org/name`: the relation has no `/`, the id has one.
            Some(match rest.split_once(':') {
                Some((relation, id)) if !relation.contains('/') => id.to_string(),
                _ => rest.to_string(),
            })
        });
        for id in card.into_iter().chain(tags) {
            let id = id.trim().to_string();
            if !id.is_empty() && !out.contains(&id) && out.len() < MAX_BASE_MODELS {
                out.push(id);
            }
        }
        out
    }

    /// The small files to fetch: root README.md and license-bearing files anywhere (LICENSE*,
    /// LICENCE*, USE_POLICY*, NOTICE*...), never weights. README first, then by path.
    pub fn small_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .siblings
            .iter()
            .flatten()
            .filter(|path| {
                let base = path.rsplit('/').next().unwrap_or(path);
                (!path.contains('/') && is_readme(base) && base.eq_ignore_ascii_case("readme.md"))
                    || is_license_file(base)
            })
            .cloned()
            .collect();
        files.sort_by_key(|f| (!f.eq_ignore_ascii_case("readme.md"), f.clone()));
        files.dedup();
        files.truncate(MAX_FILES);
        files
    }
}

/// A JSON string, or the strings of a list, each bounded; anything else is nothing.
fn strings(value: Option<&Value>) -> Vec<String> {
    let bounded = |s: &str| s.chars().take(MAX_VALUE).collect::<String>();
    match value {
        Some(Value::String(s)) => vec![bounded(s)],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .take(MAX_BASE_MODELS)
            .map(bounded)
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds a Hub API claim unless the same field already says the same thing.
fn push_unique(out: &mut Vec<Declared>, field: &str, value: String) {
    let value = value.trim().to_string();
    if value.is_empty() || out.iter().any(|d| d.field == field && d.value == value) {
        return;
    }
    out.push(Declared {
        source: SourceKind::HubApi,
        field: field.to_string(),
        value,
        path: None,
        line: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn info(card: Value, tags: &[&str], siblings: &[&str]) -> RepoInfo {
        RepoInfo {
            id: "o/m".into(),
            card_data: Some(card),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            siblings: Some(siblings.iter().map(|s| s.to_string()).collect()),
            ..RepoInfo::default()
        }
    }

    #[test]
    fn license_list_name_link_and_new_tags() {
        let i = info(
            json!({"license": ["apache-2.0", "mit"], "license_name": "x", "license_link": "LICENSE"}),
            &["license:apache-2.0", "license:llama3.1"],
            &[],
        );
        let got: Vec<(String, String)> = i
            .declared()
            .into_iter()
            .map(|d| (d.field, d.value))
            .collect();
        let want = [
            ("license", "apache-2.0"),
            ("license", "mit"),
            ("license_name", "x"),
            ("license_link", "LICENSE"),
            ("tags", "llama3.1"),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((f, v), (wf, wv)) in got.iter().zip(want) {
            assert_eq!((f.as_str(), v.as_str()), (wf, wv));
        }
        assert!(i.declared().iter().all(|d| d.source == SourceKind::HubApi));
    }

    #[test]
    fn base_models_from_card_and_tags() {
        let i = info(
            json!({"base_model": "meta-llama/Llama-3.1-8B"}),
            &[
                "base_model:meta-llama/Llama-3.1-8B",
                "base_model:finetune:meta-llama/Llama-3.1-8B",
                "base_model:quantized:org/other",
            ],
            &[],
        );
        assert_eq!(i.base_models(), ["meta-llama/Llama-3.1-8B", "org/other"]);
        let list = info(json!({"base_model": ["a/b", "c/d"]}), &[], &[]);
        assert_eq!(list.base_models(), ["a/b", "c/d"]);
    }

    #[test]
    fn only_small_files_are_chosen() {
        let i = info(
            json!({}),
            &[],
            &[
                "model-00001-of-00002.safetensors",
                "LICENSE",
                "README.md",
                "USE_POLICY.md",
                "original/consolidated.00.pth",
                "NOTICE",
                "docs/README.md",
                "sub/LICENSE.txt",
                "license.py",
                "config.json",
            ],
        );
        assert_eq!(
            i.small_files(),
            [
                "README.md",
                "LICENSE",
                "NOTICE",
                "USE_POLICY.md",
                "sub/LICENSE.txt"
            ]
        );
    }

    #[test]
    fn gate_values() {
        let mut i = RepoInfo::default();
        assert!(!i.is_gated());
        i.gated = Some(json!("manual"));
        assert!(i.is_gated());
        i.gated = Some(json!(false));
        assert!(!i.is_gated());
    }
}
