//! Audits of many models at once, for a registry: an inventory file, a Hub author, targets.
//!
//! [`audit`] runs a caller-supplied resolver (target string -> verdicts) over the targets with
//! bounded concurrency and keeps the input order; [`parse_inventory`] reads an inventory file;
//! [`Summary`] counts licenses and commercial-use answers and lists the models a lawyer should
//! look at. How a target becomes verdicts is the caller's business.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use crate::db::{Db, Posture};
use crate::finding::Code;
use crate::matrix::{Permission, Status};
use crate::source::TargetKind;
use crate::verdict::Verdict;

pub use crate::report::TargetError;
#[cfg(feature = "hub")]
pub use crate::source::hub::list_author_models;

/// Default number of targets resolved at once.
pub const DEFAULT_JOBS: usize = 8;

/// One target of an inventory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryEntry {
    /// 1-based line in the file.
    pub line: usize,
    /// The target as written (`hf:…`, `ollama:…`, `api:PROVIDER/MODEL`, a path).
    pub target: String,
    /// What kind of target it names (a path is `directory` until it is looked at).
    pub kind: TargetKind,
}

/// A line of an inventory that is not a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// An inventory file, read: its targets (first occurrence of each) and its bad lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Targets in file order.
    pub entries: Vec<InventoryEntry>,
    /// Lines that could not be understood.
    pub errors: Vec<InventoryError>,
}

/// Reads an inventory: one target per line (`hf:OWNER/NAME[@REV]`, `ollama:NAME[:TAG]`,
/// `oci:PATH[@REF]`, `docker-models:NAME`, `api:PROVIDER/MODEL`, or a local path); blank lines and `#` comments (whole lines, or
/// after whitespace at the end of a line) are skipped; repeated targets are kept once.
pub fn parse_inventory(text: &str) -> Inventory {
    let mut inv = Inventory::default();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let mut t = raw.trim_start_matches('\u{feff}').trim();
        if let Some(pos) = t.find(" #").or_else(|| t.find("\t#")) {
            t = t[..pos].trim_end();
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match classify(t) {
            Ok(kind) => {
                if seen.insert(t.to_string()) {
                    inv.entries.push(InventoryEntry {
                        line,
                        target: t.to_string(),
                        kind,
                    });
                }
            }
            Err(message) => inv.errors.push(InventoryError { line, message }),
        }
    }
    inv
}

/// The kind of target `t` names, or why it names none.
fn classify(t: &str) -> Result<TargetKind, String> {
    t.parse::<crate::target::Target>().map(|t| t.kind())
}

/// What an audit produced, in the order the targets were given.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuditOutcome {
    /// One verdict per model found (a target may hold several models).
    pub verdicts: Vec<Verdict>,
    /// Targets that failed.
    pub errors: Vec<TargetError>,
}

/// Resolves every target with at most `jobs` at once (0 means [`DEFAULT_JOBS`]), calling
/// `progress(done, total, target)` after each. Results keep the order of `targets`; a
/// target given twice is resolved once.
pub fn audit<R, P>(targets: &[String], jobs: usize, resolve: R, progress: P) -> AuditOutcome
where
    R: Fn(&str) -> Result<Vec<Verdict>, String> + Sync,
    P: Fn(usize, usize, &str) + Sync,
{
    // Linear: 60,000 listed models dedupe in milliseconds.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let unique: Vec<&String> = targets.iter().filter(|t| seen.insert(t.as_str())).collect();
    let total = unique.len();
    let slots: Vec<Mutex<Option<Resolved>>> = (0..total).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let workers = if jobs == 0 { DEFAULT_JOBS } else { jobs }.min(total.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = unique.get(i) else { break };
                // A resolver that panics fails its target, not the audit.
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| resolve(target)))
                        .unwrap_or_else(|_| Err("internal error while reading this target".into()));
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total, target);
            });
        }
    });
    let mut out = AuditOutcome::default();
    for (target, slot) in unique.iter().zip(slots) {
        match slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(verdicts)) => out.verdicts.extend(verdicts),
            Some(Err(message)) => out.errors.push(TargetError {
                target: target.to_string(),
                message,
            }),
            None => out.errors.push(TargetError {
                target: target.to_string(),
                message: "not audited".into(),
            }),
        }
    }
    out
}

/// What the resolver made of one target.
type Resolved = Result<Vec<Verdict>, String>;

/// A model a human should look at, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The model's target.
    pub target: String,
    /// The model's name, if known.
    pub name: Option<String>,
    /// What a human has to read: unknown permissions, then the findings that raise doubt.
    pub reasons: Vec<String>,
}

/// What a model allows, in the four groups a compliance lead acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// Permissive licenses only (Apache-2.0, MIT, BSD, CC-BY...): use freely, keep the
    /// notices.
    Permissive,
    /// Allowed under conditions to track: scale clauses, acceptable-use policies,
    /// attribution and naming, share-alike, use restrictions passed to derivatives.
    Conditional,
    /// Commercial use or self-hosting forbidden (non-commercial, research-only, closed API).
    Restricted,
    /// Something is not established: a human has to read it.
    Unknown,
}

impl Group {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Permissive => "permissive",
            Group::Conditional => "conditional",
            Group::Restricted => "restricted",
            Group::Unknown => "unknown",
        }
    }
}

/// Counts over an audit, and the models that need legal review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Models audited.
    pub models: usize,
    /// Targets that failed.
    pub errors: usize,
    /// Models per group.
    pub groups: BTreeMap<Group, usize>,
    /// Models per license, by license-db key (a model with several licenses counts under
    /// each; `none` when no license was established).
    pub licenses: BTreeMap<String, usize>,
    /// Models per commercial-use status (`allowed`, `conditional`, `forbidden`, `unknown`).
    pub commercial_use: BTreeMap<String, usize>,
    /// Finding codes by the number of models that have them, most frequent first.
    pub findings: Vec<(String, usize)>,
    /// Models in the `unknown` group, with what has to be read.
    pub needs_review: Vec<Review>,
    /// With a policy: its outcome and how many models each rule failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicySummary>,
}

/// A policy's result over an audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicySummary {
    /// The policy file.
    pub file: String,
    /// `pass` or `fail`.
    pub outcome: String,
    /// Models that pass.
    pub passed: usize,
    /// Models that fail.
    pub failed: usize,
    /// Per rule (violation code): the models it failed (errors) or warned about.
    pub rules: BTreeMap<String, RuleCount>,
}

/// How many models one rule failed or warned about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// Models with an error of this rule.
    pub failed: usize,
    /// Models with only a warning of this rule.
    pub warned: usize,
}

impl PolicySummary {
    /// Counts `eval` per model and per rule.
    pub fn new(eval: &crate::policy::Evaluation) -> PolicySummary {
        use crate::policy::Outcome;
        let mut s = PolicySummary {
            file: eval.policy.clone(),
            outcome: eval.outcome().as_str().to_string(),
            ..PolicySummary::default()
        };
        for m in &eval.models {
            if m.outcome == Outcome::Fail {
                s.failed += 1;
            } else {
                s.passed += 1;
            }
            let mut seen: BTreeMap<&str, bool> = BTreeMap::new();
            for v in &m.violations {
                let error = v.severity == crate::finding::Severity::Error;
                let e = seen.entry(v.code.as_str()).or_default();
                *e |= error;
            }
            for (code, error) in seen {
                let r = s.rules.entry(code.to_string()).or_default();
                if error {
                    r.failed += 1;
                } else {
                    r.warned += 1;
                }
            }
        }
        s
    }
}

impl Summary {
    /// Summarises `verdicts` (and counts `errors` failed targets).
    pub fn new(db: &Db, verdicts: &[Verdict], errors: usize) -> Self {
        let mut s = Summary {
            models: verdicts.len(),
            errors,
            ..Summary::default()
        };
        let mut findings: BTreeMap<&'static str, usize> = BTreeMap::new();
        for v in verdicts {
            if v.licenses.is_empty() || v.license.is_none() && v.inherited_licenses.is_empty() {
                *s.licenses.entry("none".to_string()).or_default() += 1;
            }
            for key in &v.licenses {
                *s.licenses.entry(key.clone()).or_default() += 1;
            }
            let commercial = v.matrix.commercial_use.status.as_str().to_string();
            *s.commercial_use.entry(commercial).or_default() += 1;
            let mut codes: Vec<Code> = v.findings.iter().map(|f| f.code).collect();
            codes.sort();
            codes.dedup();
            for code in codes {
                *findings.entry(code.as_str()).or_default() += 1;
            }
            let (group, reasons) = grouped(db, v);
            *s.groups.entry(group).or_default() += 1;
            if group == Group::Unknown {
                s.needs_review.push(Review {
                    target: v.target.clone(),
                    name: v.name.clone(),
                    reasons,
                });
            }
        }
        let mut findings: Vec<(String, usize)> = findings
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        findings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        s.findings = findings;
        s
    }
}

/// The group of a verdict, and what a human has to read in it (empty when nothing).
pub fn grouped(db: &Db, v: &Verdict) -> (Group, Vec<String>) {
    let reasons = review_reasons(db, v);
    (group(db, v, !reasons.is_empty()), reasons)
}

/// The group of a verdict; `doubt` when something has to be read by a human. A model
/// whose commercial use or self-hosting is forbidden is restricted whatever else stays
/// open, unless its license itself is in doubt.
fn group(db: &Db, v: &Verdict, doubt: bool) -> Group {
    let m = &v.matrix;
    let key_questions = [m.commercial_use.status, m.self_hosting.status];
    let in_doubt = doubt
        && (v.license.is_none() && v.inherited_licenses.is_empty()
            || key_questions.contains(&Status::Unknown)
            || v.findings.iter().any(|f| DOUBT.contains(&f.code)));
    if in_doubt {
        return Group::Unknown;
    }
    if key_questions.contains(&Status::Forbidden) {
        return Group::Restricted;
    }
    if doubt {
        return Group::Unknown;
    }
    let permissive = !v.licenses.is_empty()
        && v.licenses.iter().all(|k| {
            db.get(k)
                .is_some_and(|l| l.posture == Posture::Permissive && !l.derived)
        });
    if permissive && m.scale_clause.is_none() && m.acceptable_use_policy.is_none() {
        Group::Permissive
    } else {
        Group::Conditional
    }
}

/// Findings that leave something unread or in doubt (an inherited license or a scale
/// clause is settled: the verdict carries it).
const DOUBT: [Code; 8] = [
    Code::LicenseConflict,
    Code::ModifiedLicense,
    Code::LowConfidence,
    Code::UnknownLicense,
    Code::LicenseOtherUnresolved,
    Code::GatedRepo,
    Code::AddedTerms,
    Code::UnreadableLicense,
];

/// What a human has to read in a verdict; empty when the verdict settles everything.
fn review_reasons(db: &Db, v: &Verdict) -> Vec<String> {
    let mut reasons = Vec::new();
    if v.license.is_none() && v.inherited_licenses.is_empty() {
        reasons.push("no license established".to_string());
    }
    // A permission a license's own text leaves open (CC BY-SA and GPL say nothing of
    // training on outputs) is settled knowledge, not something to read again; self-hosting
    // and commercial use left open always are (a license family whose version is not known).
    let left_open = |p: Permission| {
        !matches!(p, Permission::SelfHosting | Permission::CommercialUse)
            && v.licenses.iter().any(|k| {
                db.get(k)
                    .is_some_and(|l| l.matrix.get(p).status == Status::Unknown)
            })
    };
    let unknown: Vec<&str> = Permission::ALL
        .into_iter()
        .filter(|&p| {
            v.matrix.get(p).status == Status::Unknown && (v.license.is_none() || !left_open(p))
        })
        .map(Permission::as_str)
        .collect();
    if !unknown.is_empty() {
        reasons.push(format!("unknown: {}", unknown.join(", ")));
    }
    for code in DOUBT {
        if v.findings.iter().any(|f| f.code == code) {
            reasons.push(format!("finding: {code}"));
        }
    }
    reasons
}

/// `monthly_active_users > 700000000`.
pub fn scale_text(sc: &crate::matrix::ScaleClause) -> String {
    let metric = serde_json::to_value(sc.metric)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{metric} > {}", sc.threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_lines() {
        let inv = parse_inventory(
            "# models in production\n\nhf:meta-llama/Llama-3.1-8B@main  # chat\n\
             ./models/local\nollama:llama3.1:8b\napi:openai/gpt-4o\n\
             hf:meta-llama/Llama-3.1-8B@main\napi:openai\nhf:a/b/c\n\
             oci:./layout@latest\ndocker-models:ai/smollm2\noci:\n",
        );
        let got: Vec<(usize, &str, TargetKind)> = inv
            .entries
            .iter()
            .map(|e| (e.line, e.target.as_str(), e.kind))
            .collect();
        assert_eq!(
            got,
            [
                (3, "hf:meta-llama/Llama-3.1-8B@main", TargetKind::Hub),
                (4, "./models/local", TargetKind::Directory),
                (5, "ollama:llama3.1:8b", TargetKind::Ollama),
                (6, "api:openai/gpt-4o", TargetKind::Api),
                (10, "oci:./layout@latest", TargetKind::Oci),
                (11, "docker-models:ai/smollm2", TargetKind::DockerModels),
            ]
        );
        let bad: Vec<usize> = inv.errors.iter().map(|e| e.line).collect();
        assert_eq!(bad, [8, 9, 12]);
    }

    fn verdict(target: &str, commercial: Status) -> Verdict {
        let mut matrix = crate::matrix::Matrix::unknown();
        for p in Permission::ALL {
            matrix.get_mut(p).status = Status::Allowed;
        }
        matrix.commercial_use.status = commercial;
        Verdict {
            target: target.into(),
            kind: TargetKind::Hub,
            name: None,
            license: Some(crate::verdict::LicenseSummary {
                key: "k".into(),
                spdx: "MIT".into(),
                hf: None,
                name: "MIT".into(),
                expression: "MIT".into(),
                confidence: 1.0,
            }),
            licenses: vec!["k".into()],
            matrix,
            base_models: vec![],
            inherited_licenses: Vec::new(),
            digest: None,
            evidence: vec![],
            findings: vec![],
        }
    }

    #[test]
    fn audit_keeps_order_bounds_workers_and_reports_errors() {
        let targets: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let calls = AtomicUsize::new(0);
        let out = audit(
            &targets,
            3,
            |t| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(2));
                running.fetch_sub(1, Ordering::SeqCst);
                if t == "t7" {
                    return Err("boom".into());
                }
                Ok(vec![verdict(t, Status::Allowed)])
            },
            |_, _, _| {
                calls.fetch_add(1, Ordering::SeqCst);
            },
        );
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(calls.load(Ordering::SeqCst), 40);
        assert_eq!(out.verdicts.len(), 39);
        assert_eq!(out.verdicts[7].target, "t8");
        assert_eq!(
            out.errors,
            [TargetError {
                target: "t7".into(),
                message: "boom".into()
            }]
        );
    }

    #[test]
    fn summary_groups_what_models_allow_and_reviews_only_doubts() {
        let db = Db::embedded().unwrap();
        let with = |target: &str, key: &str| {
            let mut v = verdict(target, Status::Allowed);
            let l = db.get(key).unwrap();
            v.licenses = vec![key.to_string()];
            v.matrix = l.matrix.clone();
            v
        };
        let mut unknown = verdict("u", Status::Unknown);
        unknown.license = None;
        unknown.licenses.clear();
        let vs = [
            with("apache", "apache-2.0"),
            with("mit", "mit"),
            with("llama", "llama3.1"),
            with("nc", "cc-by-nc-4.0"),
            unknown,
        ];
        let s = Summary::new(&db, &vs, 2);
        assert_eq!(s.models, 5);
        assert_eq!(s.errors, 2);
        let groups: Vec<(&str, usize)> = s.groups.iter().map(|(g, n)| (g.as_str(), *n)).collect();
        // Apache-2.0's conditional redistribution (keep the notices) is still permissive.
        assert_eq!(
            groups,
            [
                ("permissive", 2),
                ("conditional", 1),
                ("restricted", 1),
                ("unknown", 1)
            ]
        );
        assert_eq!(s.licenses.get("apache-2.0"), Some(&1));
        assert_eq!(s.licenses.get("none"), Some(&1));
        let review: Vec<&str> = s.needs_review.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(review, ["u"]);
        assert_eq!(s.needs_review[0].reasons[0], "no license established");
    }
}
