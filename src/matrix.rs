//! The permitted-use matrix: what a license lets you do with a model.
//!
//! Every permission has a status and the conditions that go with it. When several licenses
//! apply to one model, [`Matrix::combine`] keeps the most restrictive status of each.

use serde::{Deserialize, Serialize};

/// How a license answers one question about use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Permitted without conditions beyond the usual notices.
    Allowed,
    /// Permitted under conditions (a threshold, a notice, a registration...).
    Conditional,
    /// Not established: the text could not be read, was edited, or says nothing we confirmed.
    Unknown,
    /// Not permitted.
    Forbidden,
}

impl Status {
    /// Restrictiveness rank: combining keeps the higher one. `unknown` outranks `conditional`
    /// because a doubt must never read as a permission.
    pub fn rank(self) -> u8 {
        match self {
            Status::Allowed => 0,
            Status::Conditional => 1,
            Status::Unknown => 2,
            Status::Forbidden => 3,
        }
    }

    /// The kebab-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Allowed => "allowed",
            Status::Conditional => "conditional",
            Status::Unknown => "unknown",
            Status::Forbidden => "forbidden",
        }
    }

    /// The more restrictive of two statuses.
    pub fn stricter(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a license answers one permission: a status and the conditions that qualify it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The answer.
    pub status: Status,
    /// Conditions, duties or the reason for `unknown`, in plain words.
    #[serde(default)]
    pub conditions: Vec<String>,
}

impl Answer {
    /// A permission whose answer is not established.
    pub fn unknown() -> Self {
        Answer {
            status: Status::Unknown,
            conditions: Vec::new(),
        }
    }

    /// Keeps the stricter status; conditions of both are kept when they share it.
    fn combine(&mut self, other: &Answer) {
        match other.status.rank().cmp(&self.status.rank()) {
            std::cmp::Ordering::Greater => *self = other.clone(),
            std::cmp::Ordering::Equal => {
                for c in &other.conditions {
                    if !self.conditions.contains(c) {
                        self.conditions.push(c.clone());
                    }
                }
            }
            std::cmp::Ordering::Less => {}
        }
    }
}

/// An acceptable-use (or prohibited-use) policy the license binds you to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsePolicy {
    /// The policy's title.
    pub name: String,
    /// Where the licensor publishes it.
    pub url: Option<String>,
    /// True when the license incorporates it by reference (it binds you).
    pub incorporated: bool,
}

/// The metric a scale clause counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMetric {
    /// Monthly active users of the licensee's products (Llama, Qwen, DBRX...).
    MonthlyActiveUsers,
    /// Annual revenue in US dollars (Stability community, LFM...).
    AnnualRevenueUsd,
    /// Monthly revenue in US dollars (Kimi, Mistral modified MIT...).
    MonthlyRevenueUsd,
}

/// A clause that changes your rights past a size threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleClause {
    /// What is counted.
    pub metric: ScaleMetric,
    /// The number that triggers the clause (strictly greater than, unless `effect` says otherwise).
    pub threshold: u64,
    /// What happens past the threshold.
    pub effect: String,
    /// True when this copy of the license edited the clause: the threshold shown is the
    /// reference's, not this text's (a `modified-license` finding says what changed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
}

/// A limit on where, by whom or for what the model may be used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    /// `geographic`, `field-of-use`, `research-only`, `non-production`, `pass-down`, `termination`...
    pub kind: String,
    /// The restriction in plain words.
    pub text: String,
}

/// The permitted-use matrix of one license, or of a model when combined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// May you hold the weights and run them yourself (a closed API never allows it).
    pub self_hosting: Answer,
    /// May you use the model for commercial purposes.
    pub commercial_use: Answer,
    /// May you give the weights to others.
    pub redistribution: Answer,
    /// May you modify, fine-tune or distil it.
    pub derivatives: Answer,
    /// May you use its outputs to train or improve other models.
    pub output_training: Answer,
    /// The acceptable-use policy you are bound by, if any.
    #[serde(default)]
    pub acceptable_use_policy: Option<UsePolicy>,
    /// A size threshold past which your rights change, if any.
    #[serde(default)]
    pub scale_clause: Option<ScaleClause>,
    /// Required notices, "Built with X" displays, name prefixes.
    #[serde(default)]
    pub attribution: Vec<String>,
    /// Geographic, field-of-use and other limits.
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
}

/// The five questions a matrix answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Run the weights on your own hardware.
    SelfHosting,
    /// Use in a commercial product or service.
    CommercialUse,
    /// Share the weights with others.
    Redistribution,
    /// Fine-tune, quantise, merge: make and share derivatives.
    Derivatives,
    /// Train other models on the model's outputs.
    OutputTraining,
}

impl Permission {
    /// Every permission, in report order.
    pub const ALL: [Permission; 5] = [
        Permission::SelfHosting,
        Permission::CommercialUse,
        Permission::Redistribution,
        Permission::Derivatives,
        Permission::OutputTraining,
    ];

    /// The field name in JSON, license-db records and policies (`commercial_use`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::SelfHosting => "self_hosting",
            Permission::CommercialUse => "commercial_use",
            Permission::Redistribution => "redistribution",
            Permission::Derivatives => "derivatives",
            Permission::OutputTraining => "output_training",
        }
    }

    /// The name for people (`commercial use`).
    pub fn label(self) -> &'static str {
        match self {
            Permission::SelfHosting => "self-hosting",
            Permission::CommercialUse => "commercial use",
            Permission::Redistribution => "redistribution",
            Permission::Derivatives => "derivatives",
            Permission::OutputTraining => "output training",
        }
    }
}

/// What a decisive clause of a license decides: one of the permissions, or the terms that
/// qualify them (named as in license-db records' `bears_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decides {
    /// Self-hosting.
    SelfHosting,
    /// Commercial use.
    CommercialUse,
    /// Redistribution.
    Redistribution,
    /// Derivatives.
    Derivatives,
    /// Training on outputs.
    OutputTraining,
    /// The scale clause (users or revenue threshold).
    ScaleClause,
    /// The acceptable-use policy.
    AcceptableUsePolicy,
    /// Attribution and naming duties.
    Attribution,
    /// Use restrictions.
    Restrictions,
}

impl Decides {
    /// The name in license-db records and reports (`commercial_use`, `scale_clause`).
    pub fn as_str(self) -> &'static str {
        match self.permission() {
            Some(p) => p.as_str(),
            None => match self {
                Decides::ScaleClause => "scale_clause",
                Decides::AcceptableUsePolicy => "acceptable_use_policy",
                Decides::Attribution => "attribution",
                _ => "restrictions",
            },
        }
    }

    /// The permission it is, if it is one.
    pub fn permission(self) -> Option<Permission> {
        Some(match self {
            Decides::SelfHosting => Permission::SelfHosting,
            Decides::CommercialUse => Permission::CommercialUse,
            Decides::Redistribution => Permission::Redistribution,
            Decides::Derivatives => Permission::Derivatives,
            Decides::OutputTraining => Permission::OutputTraining,
            _ => return None,
        })
    }

    /// The permissions that turn unknown when this clause was edited: a scale or policy
    /// clause decides commercial use, attribution and restrictions also redistribution.
    pub fn permissions(self) -> Vec<Permission> {
        match (self.permission(), self) {
            (Some(p), _) => vec![p],
            (None, Decides::ScaleClause | Decides::AcceptableUsePolicy) => {
                vec![Permission::CommercialUse]
            }
            (None, _) => vec![Permission::Redistribution, Permission::CommercialUse],
        }
    }
}

impl From<Permission> for Decides {
    fn from(p: Permission) -> Decides {
        match p {
            Permission::SelfHosting => Decides::SelfHosting,
            Permission::CommercialUse => Decides::CommercialUse,
            Permission::Redistribution => Decides::Redistribution,
            Permission::Derivatives => Decides::Derivatives,
            Permission::OutputTraining => Decides::OutputTraining,
        }
    }
}

impl std::fmt::Display for Decides {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Permission {
    type Err = String;

    /// Parses a field name (`commercial_use`).
    fn from_str(s: &str) -> Result<Self, String> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a permission"))
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Matrix {
    /// A matrix in which nothing is established: what a model with no license gets.
    pub fn unknown() -> Self {
        Matrix {
            self_hosting: Answer::unknown(),
            commercial_use: Answer::unknown(),
            redistribution: Answer::unknown(),
            derivatives: Answer::unknown(),
            output_training: Answer::unknown(),
            acceptable_use_policy: None,
            scale_clause: None,
            attribution: Vec::new(),
            restrictions: Vec::new(),
        }
    }

    /// The answer to `p`.
    pub fn get(&self, p: Permission) -> &Answer {
        match p {
            Permission::SelfHosting => &self.self_hosting,
            Permission::CommercialUse => &self.commercial_use,
            Permission::Redistribution => &self.redistribution,
            Permission::Derivatives => &self.derivatives,
            Permission::OutputTraining => &self.output_training,
        }
    }

    /// Mutable access to the answer to `p`.
    pub fn get_mut(&mut self, p: Permission) -> &mut Answer {
        match p {
            Permission::SelfHosting => &mut self.self_hosting,
            Permission::CommercialUse => &mut self.commercial_use,
            Permission::Redistribution => &mut self.redistribution,
            Permission::Derivatives => &mut self.derivatives,
            Permission::OutputTraining => &mut self.output_training,
        }
    }

    /// Folds `other` in: each permission keeps the stricter status, the lower scale
    /// threshold wins, duties and restrictions accumulate.
    pub fn combine(&mut self, other: &Matrix) {
        for p in Permission::ALL {
            let theirs = other.get(p).clone();
            self.get_mut(p).combine(&theirs);
        }
        if self.acceptable_use_policy.is_none() {
            self.acceptable_use_policy = other.acceptable_use_policy.clone();
        }
        self.scale_clause = match (self.scale_clause.take(), &other.scale_clause) {
            (Some(a), Some(b)) if b.metric == a.metric && b.threshold < a.threshold => {
                Some(b.clone())
            }
            (Some(a), _) => Some(a),
            (None, b) => b.clone(),
        };
        for a in &other.attribution {
            if !self.attribution.contains(a) {
                self.attribution.push(a.clone());
            }
        }
        for r in &other.restrictions {
            if !self.restrictions.contains(r) {
                self.restrictions.push(r.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(status: Status) -> Matrix {
        let mut m = Matrix::unknown();
        for p in Permission::ALL {
            m.get_mut(p).status = status;
        }
        m
    }

    #[test]
    fn combining_keeps_the_most_restrictive_status() {
        let mut m = with(Status::Allowed);
        m.combine(&with(Status::Conditional));
        assert_eq!(m.commercial_use.status, Status::Conditional);
        m.combine(&with(Status::Forbidden));
        assert_eq!(m.redistribution.status, Status::Forbidden);
        m.combine(&with(Status::Allowed));
        assert_eq!(m.derivatives.status, Status::Forbidden);
    }

    #[test]
    fn unknown_outranks_conditional_but_not_forbidden() {
        assert_eq!(
            Status::Conditional.stricter(Status::Unknown),
            Status::Unknown
        );
        assert_eq!(
            Status::Forbidden.stricter(Status::Unknown),
            Status::Forbidden
        );
        assert_eq!(Status::Allowed.stricter(Status::Allowed), Status::Allowed);
    }

    #[test]
    fn lower_scale_threshold_wins() {
        let clause = |t| ScaleClause {
            edited: false,
            metric: ScaleMetric::MonthlyActiveUsers,
            threshold: t,
            effect: String::new(),
        };
        let mut a = Matrix::unknown();
        a.scale_clause = Some(clause(700_000_000));
        let mut b = Matrix::unknown();
        b.scale_clause = Some(clause(100_000_000));
        a.combine(&b);
        assert_eq!(a.scale_clause.unwrap().threshold, 100_000_000);
    }
}
