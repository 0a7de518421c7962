//! Model configs: ModelPack `descriptor.licenses` (SPDX expressions) and `descriptor.name`,
//! Docker Model Runner's `config.gguf` / `config.safetensors` (the weight header's keys,
//! copied into the config). Image configs say nothing about licenses and are not read.

use std::path::Path;

use serde_json::Value;

use super::blob::{blob_rel, read_json};
use super::layers::{rule, Rule};
use super::Manifest;
use crate::evidence::SourceKind;
use crate::finding::{Code, Finding, Severity};
use crate::source::model::{Declared, Model};
use crate::source::safetensors::is_license_key;

/// Reads a manifest's config: ModelPack `descriptor.licenses` and `descriptor.name`
/// (`:version`), Docker Model Runner `config.gguf` / `config.safetensors` license keys.
/// Image configs say nothing about licenses and are not read. Returns the name.
pub fn read_config(root: &Path, m: &Manifest, model: &mut Model) -> Option<String> {
    let rule = rule(m);
    if rule == Rule::Image {
        return None;
    }
    let what = match rule {
        Rule::ModelPack => "ModelPack config",
        _ => "Docker model config",
    };
    let config = match read_json(root, &m.config) {
        Ok(v) => v,
        Err(e) => {
            model.findings.push(e.finding(what, &m.config));
            return None;
        }
    };
    let rel = blob_rel(&m.config.digest);
    let mut claim = |field: String, value: &str| {
        let value = value.trim();
        if !value.is_empty() {
            model.declared.push(Declared {
                source: SourceKind::OciConfig,
                field,
                value: value.to_string(),
                path: Some(rel.clone()),
                line: None,
            });
        }
    };
    let mut malformed = None;
    if rule == Rule::ModelPack {
        match config.pointer("/descriptor/licenses") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    match item.as_str() {
                        Some(s) => claim("descriptor.licenses".into(), s),
                        None => malformed = Some("descriptor.licenses holds a non-string"),
                    }
                }
            }
            Some(Value::String(s)) => claim("descriptor.licenses".into(), s),
            Some(_) => malformed = Some("descriptor.licenses is not a list of strings"),
        }
    } else {
        for (map, is_license) in [
            (
                "gguf",
                (|k: &str| k.starts_with("general.license")) as fn(&str) -> bool,
            ),
            ("safetensors", is_license_key),
        ] {
            let Some(Value::Object(kvs)) = config.pointer(&format!("/config/{map}")) else {
                continue;
            };
            for (key, value) in kvs.iter().filter(|(k, _)| is_license(k)) {
                let Some(value) = value.as_str() else {
                    continue;
                };
                // gguf-py writes a card's license list comma-joined, as the GGUF reader splits.
                let values: Vec<&str> = if key == "general.license" {
                    value.split(',').collect()
                } else {
                    vec![value]
                };
                for v in values {
                    claim(format!("config.{map}.{key}"), v);
                }
            }
        }
    }
    if let Some(why) = malformed {
        model.findings.push(
            Finding::new(
                Code::MalformedMetadata,
                Severity::Warning,
                format!("{what}: {why}"),
            )
            .at(rel.clone()),
        );
    }
    let text = |p: &str| {
        config
            .pointer(p)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let name = text("/descriptor/name")?;
    Some(match text("/descriptor/version") {
        Some(v) if !name.contains(':') => format!("{name}:{v}"),
        _ => name.to_string(),
    })
}
