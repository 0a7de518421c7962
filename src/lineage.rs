//! Lineage: a fine-tune or quantisation carries its base model's terms.
//!
//! A model names its parents in card `base_model`, GGUF `general.base_model.N.*`, or in its
//! own Hub name (`bartowski/Meta-Llama-3.1-8B-Instruct-GGUF`). A parent's license is known
//! from another model of the same scan (or the local cache), or from license-db's
//! `model_names` patterns of the licensors' own models. When the parent's terms are more
//! restrictive than the child's, or the child declares nothing, the child's verdict carries
//! them and an `inherited-license` finding names the parent.

use std::collections::HashMap;

use regex::RegexBuilder;

use crate::db::{Db, License};
use crate::evidence::{Evidence, SourceKind};
use crate::finding::{Code, Finding, Severity};
use crate::matrix::{Matrix, Permission};
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

/// Applies lineage to every verdict of a run, in one pass: parents are found through an
/// index of the run's model names and settled before their children (a chain A -> B -> C
/// of any length), so the cost grows with the number of models, not its square.
pub fn apply(db: &Db, verdicts: &mut [Verdict]) {
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
    // Name -> the first model of the run with that name and a license of its own (a
    // model's own license never changes here, so neither does the index).
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, v) in verdicts.iter().enumerate() {
        if let (Some(name), Some(_)) = (&v.name, &v.license) {
            by_name.entry(key(name)).or_insert(i);
        }
    }
    let links: Vec<Vec<Link>> = verdicts
        .iter()
        .enumerate()
        .map(|(i, v)| links(i, v, &by_name, &patterns))
        .collect();
    for i in settle_order(&links) {
        let parents: Vec<Parent> = links[i]
            .iter()
            .map(|link| match link {
                Link::Model { name, index } => {
                    let p = &verdicts[*index];
                    Parent {
                        name: name.clone(),
                        keys: p.licenses.clone(),
                        matrix: p.matrix.clone(),
                        summary: p.license.clone(),
                    }
                }
                Link::Pattern { name, license } => Parent {
                    name: name.clone(),
                    keys: vec![license.key.clone()],
                    matrix: license.matrix.clone(),
                    summary: Some(LicenseSummary {
                        key: license.key.clone(),
                        spdx: license.spdx.clone(),
                        hf: license.hf.clone(),
                        name: license.name.clone(),
                        expression: license.spdx.clone(),
                        confidence: NAME_CONFIDENCE,
                    }),
                },
            })
            .collect();
        for parent in &parents {
            inherit(&mut verdicts[i], parent);
        }
    }
}

/// How a name is looked up: case and surrounding slashes do not matter.
fn key(name: &str) -> String {
    name.trim_matches('/').to_lowercase()
}

/// Where a parent's terms come from: another model of the run, or a licensor's own model
/// names in license-db.
enum Link<'a> {
    Model { name: String, index: usize },
    Pattern { name: String, license: &'a License },
}

fn links<'a>(
    i: usize,
    v: &Verdict,
    by_name: &HashMap<String, usize>,
    patterns: &[(regex::Regex, &'a License)],
) -> Vec<Link<'a>> {
    let mut names: Vec<String> = v.base_models.clone();
    // The model's own Hub name may carry its parent's (a quantisation or a fine-tune).
    names.extend(v.name.iter().cloned());
    let mut found = Vec::new();
    for name in names {
        let own_name = v.name.as_deref().is_some_and(|n| key(n) == key(&name));
        if !own_name {
            if let Some(&index) = by_name.get(&key(&name)).filter(|&&j| j != i) {
                found.push(Link::Model { name, index });
                continue;
            }
        }
        if let Some((_, l)) = patterns.iter().find(|(r, _)| r.is_match(&name)) {
            found.push(Link::Pattern { name, license: l });
        }
    }
    found
}

/// Every model, parents before their children (depth-first, iterative); a cycle is cut
/// where it closes.
fn settle_order(links: &[Vec<Link>]) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; links.len()];
    let mut order = Vec::with_capacity(links.len());
    for start in 0..links.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // (model, next link to follow)
        let mut stack = vec![(start, 0usize)];
        mark[start] = Mark::Open;
        while let Some(&mut (i, ref mut next)) = stack.last_mut() {
            let parent = links[i].get(*next).map(|l| match l {
                Link::Model { index, .. } => Some(*index),
                Link::Pattern { .. } => None,
            });
            *next += 1;
            match parent {
                Some(Some(j)) if mark[j] == Mark::New => {
                    mark[j] = Mark::Open;
                    stack.push((j, 0));
                }
                Some(_) => {}
                None => {
                    mark[i] = Mark::Done;
                    order.push(i);
                    stack.pop();
                }
            }
        }
    }
    order
}

/// Does `combined` restrict more than `own`: a stricter status, a scale clause or a use
/// policy the child did not have. Extra notices alone do not make a parent stricter.
fn is_stricter(combined: &Matrix, own: &Matrix) -> bool {
    let status_up = Permission::ALL
        .into_iter()
        .any(|p| combined.get(p).status.rank() > own.get(p).status.rank());
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
        apply(&db, &mut vs);
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
        apply(&db, &mut vs);
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
    fn a_long_chain_settles_in_one_pass_whatever_the_order() {
        let db = Db::embedded().unwrap();
        // e <- d <- c <- b <- a, listed children first; e is non-commercial.
        let mut vs = vec![
            verdict(&db, "org/a", Some("apache-2.0"), &["org/b"]),
            verdict(&db, "org/b", Some("apache-2.0"), &["org/c"]),
            verdict(&db, "org/c", Some("apache-2.0"), &["org/d"]),
            verdict(&db, "org/d", Some("apache-2.0"), &["org/e"]),
            verdict(&db, "org/e", Some("cc-by-nc-4.0"), &[]),
            // A cycle ends, and changes nothing it should not.
            verdict(&db, "org/x", Some("mit"), &["org/y"]),
            verdict(&db, "org/y", Some("mit"), &["org/x"]),
        ];
        apply(&db, &mut vs);
        for v in &vs[..4] {
            assert_eq!(
                v.matrix.commercial_use.status,
                crate::matrix::Status::Forbidden,
                "{}",
                v.target
            );
        }
        assert_eq!(vs[5].licenses, ["mit"]);
    }

    #[test]
    fn a_parent_no_stricter_than_the_child_changes_nothing() {
        let db = Db::embedded().unwrap();
        let mut vs = vec![
            verdict(&db, "org/a", Some("cc-by-nc-4.0"), &["org/b"]),
            verdict(&db, "org/b", Some("apache-2.0"), &[]),
        ];
        let before = vs[0].clone();
        apply(&db, &mut vs);
        assert_eq!(vs[0], before);
    }
}
