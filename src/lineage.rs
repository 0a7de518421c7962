//! Lineage: a fine-tune or quantisation carries its base model's terms.
//!
//! A model names its parents in card `base_model`, GGUF `general.base_model.N.*`, or in its
//! own Hub name (`bartowski/Meta-Llama-3.1-8B-Instruct-GGUF`). A parent's license is known
//! from another model of the same scan (or the local cache), or from license-db's
//! `model_names` patterns of the licensors' own models. When the parent's terms are more
//! restrictive than the child's, or the child declares nothing, the child's verdict carries
//! them and an `inherited-license` finding names the parent.

use regex::RegexBuilder;

use crate::db::{Db, License};
use crate::evidence::{Evidence, SourceKind};
use crate::finding::{Code, Finding, Severity};
use crate::matrix::{Matrix, PERMISSIONS};
use crate::verdict::{LicenseSummary, Verdict};

/// Confidence of a license inferred from a parent's name alone.
const NAME_CONFIDENCE: f32 = 0.7;

/// What a parent contributes: its name, its license keys and its matrix.
struct Parent {
    name: String,
    keys: Vec<String>,
    matrix: Matrix,
    summary: Option<LicenseSummary>,
}

/// Applies lineage to every verdict. `known` are verdicts of models found elsewhere (the
/// local cache) that may be parents; verdicts of the same scan are parents too.
pub fn apply(db: &Db, verdicts: &mut [Verdict], known: &[Verdict]) {
    let patterns: Vec<(regex::Regex, &License)> = db
        .licenses()
        .flat_map(|l| {
            l.model_names.iter().filter_map(move |p| {
                RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .ok()
                    .map(|r| (r, l))
            })
        })
        .collect();
    // Chains (A -> B -> C) settle in a few passes; each pass is idempotent.
    for _ in 0..3 {
        let snapshot: Vec<Verdict> = verdicts.iter().chain(known).cloned().collect();
        for v in verdicts.iter_mut() {
            for parent in parents(v, &snapshot, &patterns) {
                inherit(v, &parent);
            }
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_matches('/')
        .eq_ignore_ascii_case(b.trim_matches('/'))
}

fn parents(v: &Verdict, all: &[Verdict], patterns: &[(regex::Regex, &License)]) -> Vec<Parent> {
    let mut names: Vec<String> = v.base_models.clone();
    // The model's own Hub name may carry its parent's (a quantisation or a fine-tune).
    names.extend(v.name.iter().cloned());
    let mut found = Vec::new();
    for name in names {
        let own_name = v.name.as_deref().is_some_and(|n| same_name(n, &name));
        if !own_name {
            if let Some(p) = all.iter().find(|p| {
                p.target != v.target
                    && p.name.as_deref().is_some_and(|n| same_name(n, &name))
                    && p.license.is_some()
            }) {
                found.push(Parent {
                    name: name.clone(),
                    keys: p.licenses.clone(),
                    matrix: p.matrix.clone(),
                    summary: p.license.clone(),
                });
                continue;
            }
        }
        if let Some((_, l)) = patterns.iter().find(|(r, _)| r.is_match(&name)) {
            let summary = LicenseSummary {
                key: l.key.clone(),
                spdx: l.spdx.clone(),
                hf: l.hf.clone(),
                name: l.name.clone(),
                expression: l.spdx.clone(),
                confidence: NAME_CONFIDENCE,
            };
            found.push(Parent {
                name,
                keys: vec![l.key.clone()],
                matrix: l.matrix.clone(),
                summary: Some(summary),
            });
        }
    }
    found
}

/// Does `combined` restrict more than `own`: a stricter status, a scale clause or a use
/// policy the child did not have. Extra notices alone do not make a parent stricter.
fn is_stricter(combined: &Matrix, own: &Matrix) -> bool {
    let status_up = PERMISSIONS.iter().any(|p| {
        combined.permission(p).map(|c| c.status.rank()) > own.permission(p).map(|o| o.status.rank())
    });
    status_up
        || combined.scale_clause != own.scale_clause
        || (own.acceptable_use_policy.is_none() && combined.acceptable_use_policy.is_some())
}

fn inherit(v: &mut Verdict, parent: &Parent) {
    let already = parent.keys.iter().all(|k| v.licenses.contains(k));
    if already && v.license.is_some() {
        return;
    }
    let mut combined = v.matrix.clone();
    if v.license.is_some() {
        combined.combine(&parent.matrix);
    } else {
        combined = parent.matrix.clone();
    }
    let stricter = v.license.is_none() || is_stricter(&combined, &v.matrix);
    if !stricter {
        return;
    }
    let declared = v.license.as_ref().map(|l| l.key.clone());
    v.matrix = combined;
    // The model's own license stays its own (null when it declares none); the base
    // model's terms are listed apart and carried by the matrix.
    if v.license.is_none() {
        v.findings.retain(|f| f.code != Code::NoLicense);
    } else if let (Some(l), Some(p)) = (v.license.as_mut(), parent.summary.as_ref()) {
        l.expression = format!("{} AND {}", l.expression, p.expression);
    }
    for k in &parent.keys {
        if !v.licenses.contains(k) {
            v.licenses.push(k.clone());
        }
        if !v.inherited_licenses.contains(k) {
            v.inherited_licenses.push(k.clone());
        }
    }
    v.licenses.sort();
    v.inherited_licenses.sort();
    let parent_license = parent
        .summary
        .as_ref()
        .map_or_else(|| parent.keys.join(", "), |s| s.name.clone());
    let message = match declared {
        Some(d) => format!("base model {} is under {parent_license}, more restrictive than the declared {d}; its terms carry into this model", parent.name),
        None => format!("base model {} is under {parent_license}; with no license of its own, this model carries those terms", parent.name),
    };
    v.findings.push(Finding::new(
        Code::InheritedLicense,
        Severity::Warning,
        message,
    ));
    v.findings.sort();
    v.findings.dedup();
    let mut e = Evidence::new(
        SourceKind::BaseModel,
        parent.keys.first().cloned(),
        parent
            .summary
            .as_ref()
            .map_or(NAME_CONFIDENCE, |s| s.confidence),
    );
    e.raw = Some(format!("base_model: {}", parent.name));
    if !v.evidence.contains(&e) {
        v.evidence.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::Identifier;
    use crate::source::{Declared, Model, TargetKind};
    use crate::verdict::judge;

    fn verdict(db: &Db, name: &str, license: Option<&str>, base: &[&str]) -> Verdict {
        let mut m = Model::new(format!("models/{name}"), TargetKind::Directory);
        m.name = Some(name.to_string());
        m.base_models = base.iter().map(|s| s.to_string()).collect();
        if let Some(l) = license {
            m.declared.push(Declared {
                source: SourceKind::ModelCard,
                field: "license".into(),
                value: l.into(),
                path: None,
                line: None,
            });
        }
        judge(db, &Identifier::new(db), m)
    }

    #[test]
    fn a_finetune_declaring_apache_inherits_llama_terms_by_name() {
        let db = Db::embedded().unwrap();
        let mut vs = vec![verdict(
            &db,
            "acme/chat-ft",
            Some("apache-2.0"),
            &["meta-llama/Llama-3.1-8B-Instruct"],
        )];
        apply(&db, &mut vs, &[]);
        let v = &vs[0];
        assert!(v.licenses.contains(&"llama3.1".to_string()));
        assert_eq!(
            v.matrix.commercial_use.status,
            crate::matrix::Status::Conditional
        );
        assert!(v.matrix.attribution.iter().any(|a| a == "Built with Llama"));
        assert!(v.findings.iter().any(|f| f.code == Code::InheritedLicense
            && f.message.contains("meta-llama/Llama-3.1-8B-Instruct")));
    }

    #[test]
    fn a_quantisation_with_no_license_takes_its_parents_from_the_same_scan() {
        let db = Db::embedded().unwrap();
        let parent = verdict(&db, "org/base-nc", Some("cc-by-nc-4.0"), &[]);
        let child = verdict(&db, "someone/base-nc-GGUF", None, &["org/base-nc"]);
        let mut vs = vec![parent, child];
        apply(&db, &mut vs, &[]);
        let child = &vs[1];
        // No license of its own: null, with the parent's terms listed apart and carried.
        assert!(child.license.is_none());
        assert_eq!(child.inherited_licenses, ["cc-by-nc-4.0"]);
        assert_eq!(
            child.matrix.commercial_use.status,
            crate::matrix::Status::Forbidden
        );
        assert!(child.findings.iter().all(|f| f.code != Code::NoLicense));
    }

    #[test]
    fn a_parent_no_stricter_than_the_child_changes_nothing() {
        let db = Db::embedded().unwrap();
        let mut vs = vec![
            verdict(&db, "org/a", Some("cc-by-nc-4.0"), &["org/b"]),
            verdict(&db, "org/b", Some("apache-2.0"), &[]),
        ];
        let before = vs[0].clone();
        apply(&db, &mut vs, &[]);
        assert_eq!(vs[0], before);
    }
}
