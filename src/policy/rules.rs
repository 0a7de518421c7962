//! The rules: one verdict against the policy, before exceptions are applied.
//!
//! Each rule reads the verdict's license keys and combined matrix; thresholds and restrictions
//! come from the verdict (`matrix.scale_clause`, `matrix.restrictions`), never from a table
//! keyed by license. Every violation cites the clause and the figure it was judged against.

use super::config::{UnknownMode, ValidPolicy};
use super::region::{self, RegionJudgement};
use super::{Violation, ViolationCode};
use crate::evidence::SourceKind;
use crate::finding::Severity;
use crate::matrix::{ScaleClause, ScaleMetric, Status};
use crate::verdict::Verdict;

/// Which evidence best shows where a license is stated, best first.
fn source_rank(s: SourceKind) -> u8 {
    match s {
        SourceKind::LicenseFile => 0,
        SourceKind::ModelCard => 1,
        SourceKind::Gguf => 2,
        SourceKind::Safetensors => 3,
        SourceKind::OllamaLayer => 4,
        SourceKind::OciConfig => 5,
        SourceKind::Readme => 6,
        SourceKind::HubApi => 7,
        SourceKind::ProviderTerms => 8,
        SourceKind::BaseModel => 9,
    }
}

/// The file and line that carry the evidence for `key` (any located evidence when no claim
/// names it, then any located finding).
pub(crate) fn locate(v: &Verdict, key: Option<&str>) -> (Option<String>, Option<usize>) {
    let located = || v.evidence.iter().filter(|e| e.path.is_some());
    let best = |it: &mut dyn Iterator<Item = &crate::evidence::Evidence>| {
        it.min_by(|a, b| {
            (source_rank(a.source), &a.path, a.line)
                .cmp(&(source_rank(b.source), &b.path, b.line))
                .then(b.confidence.total_cmp(&a.confidence))
        })
        .map(|e| (e.path.clone(), e.line))
    };
    let named = key.and_then(|k| best(&mut located().filter(|e| e.license.as_deref() == Some(k))));
    // Last resort: where a finding points (the card that says `license: other`).
    let finding = || {
        v.findings
            .iter()
            .filter(|f| f.path.is_some())
            .min_by_key(|f| (&f.path, f.line))
            .map(|f| (f.path.clone(), f.line))
    };
    named
        .or_else(|| best(&mut located()))
        .or_else(finding)
        .unwrap_or((None, None))
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn metric_name(m: ScaleMetric) -> &'static str {
    match m {
        ScaleMetric::MonthlyActiveUsers => "monthly_active_users",
        ScaleMetric::AnnualRevenueUsd => "annual_revenue_usd",
        ScaleMetric::MonthlyRevenueUsd => "monthly_revenue_usd",
    }
}

fn statuses(list: &[Status]) -> String {
    let names: Vec<&str> = list.iter().map(|s| s.as_str()).collect();
    if names.is_empty() {
        "no status at all".into()
    } else {
        names.join(" or ")
    }
}

/// A model's violations under `policy`, before exceptions.
pub(crate) fn check(policy: &ValidPolicy, v: &Verdict) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(main) = &v.license else {
        let severity = match policy.unknown {
            UnknownMode::Deny => Severity::Error,
            UnknownMode::Warn => Severity::Warning,
            UnknownMode::Allow => return out,
        };
        let mode = match policy.unknown {
            UnknownMode::Deny => "deny",
            _ => "warn",
        };
        let mut codes: Vec<&str> = v.findings.iter().map(|f| f.code.as_str()).collect();
        codes.dedup();
        let why = if codes.is_empty() {
            String::new()
        } else {
            format!(" ({})", codes.join(", "))
        };
        let (path, line) = locate(v, None);
        out.push(Violation {
            code: ViolationCode::LicenseUnknown,
            severity,
            message: format!(
                "no license could be established for this model{why}; policy: licenses.unknown = \"{mode}\""
            ),
            license: None,
            path,
            line,
        });
        return out;
    };

    // Use policies (an AUP) add duties but grant nothing: the allow-list is about licenses.
    let mut keys: Vec<&str> = v
        .licenses
        .iter()
        .map(String::as_str)
        .filter(|k| !policy.licenses.get(*k).is_some_and(|l| l.is_policy))
        .collect();
    if keys.is_empty() {
        keys.push(&main.key);
    }
    let at = |key: &str, code, severity, message: String| {
        let (path, line) = locate(v, Some(key));
        Violation {
            code,
            severity,
            message,
            license: Some(key.to_string()),
            path,
            line,
        }
    };

    for &key in &keys {
        let name = policy.license_name(key);
        if policy.deny.contains(key) {
            let msg = format!("{name} (`{key}`) is denied by the policy (licenses.deny)");
            out.push(at(key, ViolationCode::LicenseDenied, Severity::Error, msg));
        } else if policy.allow.as_ref().is_some_and(|a| !a.contains(key)) {
            let msg =
                format!("{name} (`{key}`) is not on the policy's allow-list (licenses.allow)");
            out.push(at(
                key,
                ViolationCode::LicenseNotAllowed,
                Severity::Error,
                msg,
            ));
        }
    }

    let shown = if keys.len() > 1 {
        main.expression.as_str()
    } else {
        main.name.as_str()
    };
    for (&perm, accepted) in &policy.require {
        let p = v.matrix.get(perm);
        if !accepted.contains(&p.status) {
            let detail = p
                .conditions
                .first()
                .map(|c| format!(": {c}"))
                .unwrap_or_default();
            let msg = format!(
                "{perm} is {} under {shown}; the policy requires {} (require.{perm}){detail}",
                p.status,
                statuses(accepted)
            );
            out.push(at(
                &main.key,
                ViolationCode::RequirementFailed,
                Severity::Error,
                msg,
            ));
        }
    }

    for (clause, key) in scale_clauses(policy, v, &keys, &main.key) {
        if let Some(viol) = judge_scale(policy, &clause, key) {
            out.push(at(key, viol.0, viol.1, viol.2));
        }
    }

    for r in v
        .matrix
        .restrictions
        .iter()
        .filter(|r| r.kind == "geographic")
    {
        let regions = &policy.organization.regions;
        let (code, severity, msg) = match region::judge(&r.text, regions) {
            RegionJudgement::Restricted(code) => (
                ViolationCode::RegionRestricted,
                Severity::Error,
                format!(
                    "{shown} restricts use in a region of the organization ({code}): \"{}\"; \
                     if the clause is scoped (e.g. to multimodal models) and does not reach this \
                     model, record that decision as an exception",
                    r.text
                ),
            ),
            RegionJudgement::OutsideGrant => (
                ViolationCode::RegionRestricted,
                Severity::Error,
                format!(
                    "{shown} grants rights only in regions that do not include the organization's ({}): \"{}\"",
                    regions.join(", "),
                    r.text
                ),
            ),
            RegionJudgement::Review if regions.is_empty() => (
                ViolationCode::NeedsLegalReview,
                Severity::Warning,
                format!(
                    "{shown} has a geographic restriction and organization.regions is not set: \"{}\"",
                    r.text
                ),
            ),
            RegionJudgement::Review => (
                ViolationCode::NeedsLegalReview,
                Severity::Warning,
                format!(
                    "{shown} has a geographic restriction that could not be settled against the organization's regions ({}): \"{}\"",
                    regions.join(", "),
                    r.text
                ),
            ),
        };
        out.push(at(&main.key, code, severity, msg));
    }
    out
}

/// The scale clauses that bear on a verdict, each with the key of the license that carries it:
/// the combined matrix's clause, plus any other metric a license of the verdict counts.
fn scale_clauses<'a>(
    policy: &ValidPolicy,
    v: &Verdict,
    keys: &[&'a str],
    main: &'a str,
) -> Vec<(ScaleClause, &'a str)> {
    let mut out: Vec<(ScaleClause, &'a str)> = Vec::new();
    let clause_of = |k: &str| policy.licenses.get(k).and_then(|l| l.scale_clause.clone());
    if let Some(c) = &v.matrix.scale_clause {
        let owner = keys
            .iter()
            .find(|k| clause_of(k).as_ref() == Some(c))
            .copied()
            .unwrap_or(main);
        out.push((c.clone(), owner));
    }
    for &k in keys {
        if let Some(c) = clause_of(k) {
            if !out.iter().any(|(o, _)| o.metric == c.metric) {
                out.push((c, k));
            }
        }
    }
    out
}

/// One scale clause against the organization's figure: a violation, a review, or nothing.
fn judge_scale(
    policy: &ValidPolicy,
    clause: &ScaleClause,
    key: &str,
) -> Option<(ViolationCode, Severity, String)> {
    let org = &policy.organization;
    let (figure, code, unit) = match clause.metric {
        ScaleMetric::MonthlyActiveUsers => (
            org.monthly_active_users,
            ViolationCode::ScaleClauseExceeded,
            "",
        ),
        ScaleMetric::AnnualRevenueUsd => (
            org.annual_revenue_usd,
            ViolationCode::RevenueClauseExceeded,
            "USD ",
        ),
        ScaleMetric::MonthlyRevenueUsd => (
            org.monthly_revenue_usd,
            ViolationCode::RevenueClauseExceeded,
            "USD ",
        ),
    };
    let metric = metric_name(clause.metric);
    let name = policy.license_name(key);
    let cited = format!(
        "{name} scale clause: {metric} threshold {unit}{} ({})",
        thousands(clause.threshold),
        clause.effect
    );
    match figure {
        None => Some((
            ViolationCode::NeedsLegalReview,
            Severity::Warning,
            format!("{cited}; organization.{metric} is not set, so the policy cannot settle it"),
        )),
        Some(f) if f > clause.threshold => Some((
            code,
            Severity::Error,
            format!("{cited}; the organization's {metric} is {unit}{}", thousands(f)),
        )),
        Some(f) if f == clause.threshold => Some((
            ViolationCode::NeedsLegalReview,
            Severity::Warning,
            format!(
                "{cited}; the organization's {metric} is exactly the threshold: the clause's wording decides"
            ),
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(700_000_000), "700,000,000");
    }
}
