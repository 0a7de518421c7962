//! The CI gate: a policy file judged against verdicts, with one pass/fail decision.
//!
//! [`ValidPolicy`] comes from `model-license.toml` ([`config`]); [`evaluate`] runs the rules on
//! every [`Verdict`], applies the recorded exceptions and reports stale ones. The outcome is
//! decided once, by [`Evaluation::outcome`], so every output format exits alike.

pub mod config;
mod date;
mod glob;
mod region;
mod rules;
mod starter;

use serde::Serialize;

pub use config::{Exception, Organization, Policy, UnknownMode, ValidPolicy, POLICY_FILE};
pub use date::Date;
pub use starter::starter_policy;

use crate::finding::Severity;
use crate::source::TargetKind;
use crate::verdict::Verdict;

/// The stable codes of policy violations. Documented one by one in README.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationCode {
    /// A license of the model is on the deny-list.
    LicenseDenied,
    /// The policy has an allow-list and a license of the model is not on it.
    LicenseNotAllowed,
    /// No license could be established and the policy does not allow that.
    LicenseUnknown,
    /// A matrix permission has a status `[require]` does not accept.
    RequirementFailed,
    /// The organization's monthly active users pass the license's scale threshold.
    ScaleClauseExceeded,
    /// The organization's revenue passes the license's revenue threshold.
    RevenueClauseExceeded,
    /// A geographic restriction reaches a region of the organization.
    RegionRestricted,
    /// Conditional terms no figure of the policy settles: a person must review them.
    NeedsLegalReview,
    /// An exception is past its expiry date and no longer applies.
    ExceptionExpired,
    /// An exception waived nothing in this check.
    ExceptionUnused,
}

impl ViolationCode {
    /// Every code, in documentation order.
    pub const ALL: [ViolationCode; 10] = [
        ViolationCode::LicenseDenied,
        ViolationCode::LicenseNotAllowed,
        ViolationCode::LicenseUnknown,
        ViolationCode::RequirementFailed,
        ViolationCode::ScaleClauseExceeded,
        ViolationCode::RevenueClauseExceeded,
        ViolationCode::RegionRestricted,
        ViolationCode::NeedsLegalReview,
        ViolationCode::ExceptionExpired,
        ViolationCode::ExceptionUnused,
    ];

    /// The kebab-case code as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationCode::LicenseDenied => "license-denied",
            ViolationCode::LicenseNotAllowed => "license-not-allowed",
            ViolationCode::LicenseUnknown => "license-unknown",
            ViolationCode::RequirementFailed => "requirement-failed",
            ViolationCode::ScaleClauseExceeded => "scale-clause-exceeded",
            ViolationCode::RevenueClauseExceeded => "revenue-clause-exceeded",
            ViolationCode::RegionRestricted => "region-restricted",
            ViolationCode::NeedsLegalReview => "needs-legal-review",
            ViolationCode::ExceptionExpired => "exception-expired",
            ViolationCode::ExceptionUnused => "exception-unused",
        }
    }

    /// One sentence on what the code means.
    pub fn description(self) -> &'static str {
        match self {
            ViolationCode::LicenseDenied => "A license of the model is on the policy's deny-list.",
            ViolationCode::LicenseNotAllowed => "The policy has an allow-list and a license of the model is not on it.",
            ViolationCode::LicenseUnknown => "No license could be established for the model and the policy does not allow unknown licenses.",
            ViolationCode::RequirementFailed => "A permission of the model's matrix has a status the policy's [require] table does not accept.",
            ViolationCode::ScaleClauseExceeded => "The organization's monthly active users exceed the license's scale threshold.",
            ViolationCode::RevenueClauseExceeded => "The organization's revenue exceeds the license's revenue threshold.",
            ViolationCode::RegionRestricted => "A geographic restriction of the license reaches a region of the organization.",
            ViolationCode::NeedsLegalReview => "The license has conditional terms that no figure of the policy settles; a person must review them.",
            ViolationCode::ExceptionExpired => "An exception of the policy is past its expiry date and no longer applies.",
            ViolationCode::ExceptionUnused => "An exception of the policy waived nothing in this check.",
        }
    }

    /// What to do about it (help text for SARIF rules and the README).
    pub fn help(self) -> &'static str {
        match self {
            ViolationCode::LicenseDenied => "Replace the model, or record a decision for it in [[exceptions]] (model, allow, reason, expires).",
            ViolationCode::LicenseNotAllowed => "Have the license reviewed and add it to [licenses] allow, or record an exception for this model.",
            ViolationCode::LicenseUnknown => "Ship the license with the model (a LICENSE file, or `license:` in the README.md front matter), or record an exception with allow = [\"unknown\"].",
            ViolationCode::RequirementFailed => "Use a model whose license grants this permission, or relax [require] for it after review.",
            ViolationCode::ScaleClauseExceeded => "Past the threshold the license grants no rights until the licensor grants a separate license; obtain one and record it as an exception.",
            ViolationCode::RevenueClauseExceeded => "Past the revenue threshold the license requires a paid or enterprise license; obtain one and record it as an exception.",
            ViolationCode::RegionRestricted => "Do not use the model in that region; if the clause does not reach this model (it is scoped, e.g. to multimodal models), record that decision as an exception.",
            ViolationCode::NeedsLegalReview => "Set the missing [organization] figure or regions so the policy can decide, or have the terms reviewed and record the decision as an exception.",
            ViolationCode::ExceptionExpired => "Review the decision again: renew `expires` or remove the exception.",
            ViolationCode::ExceptionUnused => "Remove the exception, or fix its `model` pattern or `allow` list if it should match.",
        }
    }
}

impl std::fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way a model (or the policy itself) breaks the policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Violation {
    /// Stable code.
    pub code: ViolationCode,
    /// `error` fails the check; `warning` is reported and passes.
    pub severity: Severity,
    /// What is wrong, citing the clause and the figure or threshold.
    pub message: String,
    /// The license-db key the violation is about, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The file carrying the evidence, relative to the model's target (for policy-level
    /// violations: the policy file as given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line in that file, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// A violation an exception waived: kept for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waived {
    /// The violation as it would have been reported.
    pub violation: Violation,
    /// The exception's `model` pattern.
    pub exception: String,
    /// The exception's reason.
    pub reason: String,
    /// Line of the exception in the policy file.
    pub line: usize,
}

/// One model judged by the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEvaluation {
    /// The model's target.
    pub target: String,
    /// The model's name, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Pass or fail for this model.
    pub outcome: Outcome,
    /// Violations that stand, errors first.
    pub violations: Vec<Violation>,
    /// Violations waived by exceptions.
    pub waived: Vec<Waived>,
    /// The verdict judged (renderers read its evidence and findings).
    #[serde(skip)]
    pub verdict: Verdict,
}

impl ModelEvaluation {
    /// The verdict's target kind.
    pub fn kind(&self) -> TargetKind {
        self.verdict.kind
    }
}

/// Whether the check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No violation at error severity: exit 0.
    Pass,
    /// At least one violation at error severity: exit 1.
    Fail,
}

impl Outcome {
    /// `pass` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
        }
    }

    /// The process exit code this outcome maps to (0 pass, 1 fail).
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
        }
    }
}

/// The whole check: every model judged, plus problems of the policy itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The policy file as given.
    pub policy: String,
    /// One entry per verdict, in the order given.
    pub models: Vec<ModelEvaluation>,
    /// Violations about the policy (expired or unused exceptions), located in the policy file.
    pub policy_violations: Vec<Violation>,
}

impl Evaluation {
    /// The one pass/fail decision: fail when any violation is at error severity.
    pub fn outcome(&self) -> Outcome {
        let failed = self.models.iter().any(|m| m.outcome == Outcome::Fail)
            || self
                .policy_violations
                .iter()
                .any(|v| v.severity == Severity::Error);
        if failed {
            Outcome::Fail
        } else {
            Outcome::Pass
        }
    }

    /// Number of standing violations at `severity`, over models and policy.
    pub fn count(&self, severity: Severity) -> usize {
        self.models
            .iter()
            .flat_map(|m| &m.violations)
            .chain(&self.policy_violations)
            .filter(|v| v.severity == severity)
            .count()
    }
}

/// True when the exception's `model` names this verdict's scanned path or Hub id
/// (`hf:OWNER/NAME[@REV]` as `OWNER/NAME`). Never the name a model card declares about
/// itself: a card could otherwise claim a name that an exception waives.
fn exception_matches(e: &Exception, v: &Verdict) -> bool {
    let target = v.target.trim_start_matches("./").trim_end_matches('/');
    let pattern = e.model.trim_start_matches("./").trim_end_matches('/');
    let hub_id = target
        .strip_prefix("hf:")
        .map(|id| id.split('@').next().unwrap_or(id));
    glob::matches(pattern, target) || hub_id.is_some_and(|id| glob::matches(pattern, id))
}

/// True when exception `e` waives `viol` of verdict `v`: license rules for the licenses it
/// lists; matrix, clause and region rules only when it lists every license of the model.
fn waives(policy: &ValidPolicy, e: &Exception, viol: &Violation, v: &Verdict) -> bool {
    match viol.code {
        ViolationCode::LicenseDenied | ViolationCode::LicenseNotAllowed => {
            viol.license.as_ref().is_some_and(|k| e.allow.contains(k))
        }
        ViolationCode::LicenseUnknown => e.allow_unknown,
        ViolationCode::ExceptionExpired | ViolationCode::ExceptionUnused => false,
        _ => {
            v.license.is_some()
                && v.licenses
                    .iter()
                    .filter(|k| !policy.licenses.get(*k).is_some_and(|l| l.is_policy))
                    .all(|k| e.allow.contains(k))
        }
    }
}

/// Judges every verdict against the policy on date `today` (exceptions expire on their date).
pub fn evaluate(policy: &ValidPolicy, verdicts: &[Verdict], today: Date) -> Evaluation {
    let live: Vec<bool> = policy
        .exceptions
        .iter()
        .map(|e| e.expires.is_none_or(|d| today < d))
        .collect();
    let mut matched = vec![false; live.len()];
    let mut used = vec![false; live.len()];
    let mut models = Vec::with_capacity(verdicts.len());
    for v in verdicts {
        let applicable: Vec<usize> = (0..live.len())
            .filter(|&i| exception_matches(&policy.exceptions[i], v))
            .collect();
        let mut violations = Vec::new();
        let mut waived = Vec::new();
        for mut viol in rules::check(policy, v) {
            let by = applicable
                .iter()
                .copied()
                .find(|&i| live[i] && waives(policy, &policy.exceptions[i], &viol, v));
            if let Some(i) = by {
                used[i] = true;
                let e = &policy.exceptions[i];
                waived.push(Waived {
                    violation: viol,
                    exception: e.model.clone(),
                    reason: e.reason.clone(),
                    line: e.line,
                });
                continue;
            }
            // Say so when a decision that would have covered this has lapsed.
            let lapsed = applicable
                .iter()
                .copied()
                .find(|&i| !live[i] && waives(policy, &policy.exceptions[i], &viol, v));
            if let Some(i) = lapsed {
                let e = &policy.exceptions[i];
                let until = e.expires.map(|d| d.to_string()).unwrap_or_default();
                viol.message.push_str(&format!(
                    " (the exception for `{}` expired on {until})",
                    e.model
                ));
            }
            violations.push(viol);
        }
        for &i in &applicable {
            matched[i] = true;
        }
        violations.sort_by(|a, b| {
            (a.severity, a.code, &a.license, &a.message)
                .cmp(&(b.severity, b.code, &b.license, &b.message))
        });
        let outcome = if violations.iter().any(|x| x.severity == Severity::Error) {
            Outcome::Fail
        } else {
            Outcome::Pass
        };
        models.push(ModelEvaluation {
            target: v.target.clone(),
            name: v.name.clone(),
            outcome,
            violations,
            waived,
            verdict: v.clone(),
        });
    }

    let mut policy_violations = Vec::new();
    for (i, e) in policy.exceptions.iter().enumerate() {
        let (code, message) = if !live[i] {
            let until = e.expires.map(|d| d.to_string()).unwrap_or_default();
            (
                ViolationCode::ExceptionExpired,
                format!(
                    "the exception for `{}` expired on {until} and no longer applies (reason was: {})",
                    e.model, e.reason
                ),
            )
        } else if !used[i] {
            let why = if matched[i] {
                "matches a scanned model but waived none of its violations"
            } else {
                "matches no scanned model"
            };
            (
                ViolationCode::ExceptionUnused,
                format!("the exception for `{}` {why}", e.model),
            )
        } else {
            continue;
        };
        policy_violations.push(Violation {
            code,
            severity: Severity::Warning,
            message,
            license: None,
            path: Some(policy.path.clone()),
            line: Some(e.line),
        });
    }
    Evaluation {
        policy: policy.path.clone(),
        models,
        policy_violations,
    }
}

#[cfg(test)]
mod tests;
