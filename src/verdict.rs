//! Evidence of one model -> its verdict: the license, the combined matrix, the findings.
//!
//! Every claim (card ids, license files, README notices and License sections, file headers)
//! becomes [`Evidence`]. The verdict takes every license the evidence names; when several
//! apply or the sources disagree, each permission keeps its most restrictive status, and a
//! disagreement between what the metadata declares and what the texts say is a
//! `license-conflict`. A text whose decisive clause was edited makes the permissions that
//! clause decides `unknown` (never the original's `allowed`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::db::{Db, License, Posture};
use crate::evidence::{Evidence, SourceKind};
use crate::finding::{Code, Finding, Severity};
use crate::identify::terms::{self, Scope, Statement};
use crate::identify::{
    license_sections_strict, mentions, mentions_anywhere, resolve_value, Identification,
    Identifier, MatchKind, Modification, Resolved, NOTICE_CUES,
};
use crate::matrix::{Decides, Matrix, Permission, Status};
use crate::source::{Declared, Document, Model, TargetKind};

/// The license a verdict settled on (several licenses are joined in `expression`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseSummary {
    /// license-db key of the main license (the most restrictive one when several apply).
    pub key: String,
    /// SPDX id or `LicenseRef-…` of the main license.
    pub spdx: String,
    /// The Hub id, if the Hub has one.
    pub hf: Option<String>,
    /// The license's title.
    pub name: String,
    /// SPDX expression of every license that applies (`A AND B`).
    pub expression: String,
    /// How sure the identification is, 0.0 to 1.0.
    pub confidence: f32,
}

/// What may be done with one model, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The target as the user named it.
    pub target: String,
    /// Kind of target.
    pub kind: TargetKind,
    /// The model's name, if known.
    pub name: Option<String>,
    /// The settled license; `None` when none could be established.
    pub license: Option<LicenseSummary>,
    /// license-db keys of every license and policy that applies, sorted.
    pub licenses: Vec<String>,
    /// The combined matrix (all `unknown` when `license` is `None`).
    pub matrix: Matrix,
    /// Base models named by the model's metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_models: Vec<String>,
    /// license-db keys carried from base models (lineage), listed apart from the model's
    /// own `license`; they are also in `licenses`, and the matrix carries their terms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherited_licenses: Vec<String>,
    /// Content digest of the artifact (`sha256:…` of an OCI manifest), when the source has
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Every claim that was weighed.
    pub evidence: Vec<Evidence>,
    /// What was noticed, sorted.
    pub findings: Vec<Finding>,
}

/// Confidence given to a license named in a README's License section.
const MENTION_CONFIDENCE: f32 = 0.85;

/// Judges one model.
pub fn judge(db: &Db, identifier: &Identifier, model: Model) -> Verdict {
    let mut j = Judgement::new(db, model.findings.clone());
    j.declared(identifier, &model.declared);
    for doc in &model.documents {
        j.document(identifier, doc);
    }
    j.finish(model)
}

/// Working state while one model is judged.
struct Judgement<'a> {
    db: &'a Db,
    evidence: Vec<Evidence>,
    findings: Vec<Finding>,
    /// Keys claimed by metadata (card, headers, Hub) and by texts, kept apart to see conflicts.
    declared_keys: BTreeSet<String>,
    /// Of those, the card's own `license`/`license_name`, and the other metadata (GGUF and
    /// safetensors headers, the card's `license:*` tags, Hub info), to see them disagree.
    card_keys: BTreeSet<String>,
    metadata_keys: BTreeMap<String, String>,
    text_keys: BTreeSet<String>,
    /// Keys identified from a full license text (not a notice or a name in prose).
    full_text_keys: BTreeSet<String>,
    /// Clause changes found per key.
    modified: BTreeMap<String, Vec<Modification>>,
    saw_other: Option<Declared>,
    saw_unidentified: bool,
    /// Sentences of license-bearing texts that state terms nothing explains: (path, sentence
    /// with its line in the file).
    added_terms: Vec<(String, Statement)>,
    /// A declared license value that names no record: every permission is unknown.
    unresolved_declared: Vec<String>,
    /// License files (not NOTICE or policy files) whose text was not identified.
    unidentified_terms: Vec<String>,
}

impl<'a> Judgement<'a> {
    fn new(db: &'a Db, findings: Vec<Finding>) -> Self {
        Judgement {
            db,
            evidence: Vec::new(),
            findings,
            declared_keys: BTreeSet::new(),
            card_keys: BTreeSet::new(),
            metadata_keys: BTreeMap::new(),
            text_keys: BTreeSet::new(),
            full_text_keys: BTreeSet::new(),
            modified: BTreeMap::new(),
            saw_other: None,
            saw_unidentified: false,
            added_terms: Vec::new(),
            unresolved_declared: Vec::new(),
            unidentified_terms: Vec::new(),
        }
    }

    fn db(&self) -> &'a Db {
        self.db
    }

    fn declared(&mut self, identifier: &Identifier, declared: &[Declared]) {
        for d in declared {
            let resolved = if d.field == crate::source::card::UNPARSED_LICENSE {
                Resolved::Unresolved
            } else {
                resolve_value(self.db(), identifier, &d.field, &d.value)
            };
            let evidence = |key: Option<String>, confidence| {
                let mut e = Evidence::new(d.source, key, confidence)
                    .raw(format!("{}: {}", d.field, d.value));
                e.path = d.path.clone();
                e.line = d.line;
                e
            };
            match resolved {
                Resolved::Keys(keys) => {
                    for key in keys {
                        self.declared_keys.insert(key.clone());
                        if d.source == SourceKind::ModelCard && d.field != "tags" {
                            self.card_keys.insert(key.clone());
                        } else {
                            let said = format!("{} `{}`", d.field, d.value);
                            self.metadata_keys.entry(key.clone()).or_insert(said);
                        }
                        self.evidence.push(evidence(Some(key), 1.0));
                    }
                }
                Resolved::Other => self.saw_other = Some(d.clone()),
                Resolved::Unknown => {}
                Resolved::Unresolved => {
                    self.saw_unidentified = true;
                    // A link we cannot place points at a text (read when it is shipped);
                    // an id or a name we cannot place is a license of unknown terms.
                    if !d.field.ends_with("link") {
                        self.unresolved_declared
                            .push(format!("{}: {}", d.field, d.value));
                    }
                    self.evidence.push(evidence(None, 0.0));
                    let mut f = Finding::new(
                        Code::UnknownLicense,
                        Severity::Warning,
                        format!(
                            "`{}: {}` names a license that license-db does not know",
                            d.field, d.value
                        ),
                    );
                    f.path = d.path.clone();
                    f.line = d.line;
                    self.findings.push(f);
                }
            }
        }
    }

    fn document(&mut self, identifier: &Identifier, doc: &Document) {
        let blanked;
        let doc = match blank_front_matter(doc) {
            Some(d) => {
                blanked = d;
                &blanked
            }
            None => doc,
        };
        let found: Identification = identifier.identify(&doc.text);
        let offset = doc.first_line.saturating_sub(1);
        for m in &found.matches {
            let mut e = Evidence::new(doc.source, Some(m.key.clone()), m.confidence)
                .at(&doc.path)
                .lines(m.start_line + offset, m.end_line + offset);
            if m.kind == MatchKind::Notice {
                e = e.raw("notice");
            }
            self.evidence.push(e);
            self.text_keys.insert(m.key.clone());
            if m.kind == MatchKind::FullText {
                self.full_text_keys.insert(m.key.clone());
            }
            if m.truncated || (doc.truncated && m.end_line + 2 >= doc.text.lines().count()) {
                self.findings.push(
                    Finding::new(
                        Code::TruncatedLicense,
                        Severity::Warning,
                        format!(
                            "{} text is incomplete: its tail is missing",
                            self.title(&m.key)
                        ),
                    )
                    .at(&doc.path)
                    .line(m.start_line + offset),
                );
            }
            if !m.modifications.is_empty() {
                let lines: Vec<String> =
                    m.modifications.iter().map(describe_modification).collect();
                let mut f = Finding::new(
                    Code::ModifiedLicense,
                    Severity::Error,
                    format!(
                        "{} text was edited in a decisive clause: {}",
                        self.title(&m.key),
                        lines.join("; ")
                    ),
                )
                .at(&doc.path);
                f.line = m
                    .modifications
                    .iter()
                    .find_map(|x| x.line)
                    .map(|l| l + offset)
                    .or(Some(m.start_line + offset));
                self.findings.push(f);
                self.modified
                    .entry(m.key.clone())
                    .or_default()
                    .extend(m.modifications.iter().cloned());
            }
        }
        // Prose about the license: a README's License sections, or a short license file
        // (or gated prompt) that holds no full text ("Weights: CC BY-NC 4.0; code: MIT").
        let phrases = identifier.phrases();
        let said = match doc.source {
            SourceKind::Readme => mentions(phrases, &doc.text),
            _ if found.matches.is_empty() && is_short(&doc.text) => {
                let lines: Vec<&str> = doc.text.lines().collect();
                mentions_anywhere(phrases, &doc.text)
                    .into_iter()
                    .filter(|m| lines.get(m.line - 1).is_some_and(|l| gives_notice(l)))
                    .collect()
            }
            _ => Vec::new(),
        };
        let named = !said.is_empty();
        let full_text = found.matches.iter().any(|m| m.kind == MatchKind::FullText);
        let pointer = named && doc.source == SourceKind::LicenseFile && !full_text;
        if pointer {
            let keys: Vec<String> = said.iter().map(|m| self.title(&m.key)).collect();
            self.findings.push(
                Finding::new(
                    Code::LicenseTextAbsent,
                    Severity::Info,
                    format!(
                        "{} only names or links {}; the license text itself is not shipped",
                        doc.path,
                        keys.join(", ")
                    ),
                )
                .at(&doc.path),
            );
        }
        for mention in said {
            if found.matches.iter().any(|m| m.key == mention.key) {
                continue;
            }
            let line = mention.line + offset;
            let raw = if doc.source == SourceKind::Readme {
                "license section"
            } else {
                "license prose"
            };
            self.evidence.push(
                Evidence::new(doc.source, Some(mention.key.clone()), MENTION_CONFIDENCE)
                    .at(&doc.path)
                    .lines(line, line)
                    .raw(raw),
            );
            self.text_keys.insert(mention.key);
        }
        // An unidentified LICENSE file already makes every permission unknown; every other
        // license-bearing text (a NOTICE, EULA, terms or policy file too) has every
        // sentence accounted for.
        let unidentified = found.matches.is_empty() && !named;
        let opaque = unidentified && holds_terms(doc) && !is_short(&doc.text);
        if !opaque {
            self.account(identifier, doc, &found);
        }
        // A use policy that no policy record matched is terms we could not read, whatever
        // license its title names.
        if holds_terms(doc) && !full_text && !opaque && is_unread_policy(&doc.text) {
            self.unidentified_terms.push(doc.path.clone());
        }
        // A README or a gated prompt that names no license is prose, not an unknown license.
        let prose = matches!(doc.source, SourceKind::Readme | SourceKind::ModelCard);
        if found.matches.is_empty() && !named && !prose {
            self.saw_unidentified = true;
            let (code, message) = match &found.candidate {
                Some(c) if c.score >= 0.5 => (Code::LowConfidence, format!("license text not identified with confidence; closest is {} ({:.0}% similar)", self.title(&c.key), c.score * 100.0)),
                Some(c) => (Code::UnknownLicense, format!("license text not identified (closest: {} at {:.0}%)", self.title(&c.key), c.score * 100.0)),
                None => (Code::UnknownLicense, "license text not identified".to_string()),
            };
            self.findings
                .push(Finding::new(code, Severity::Warning, message).at(&doc.path));
            self.evidence.push(
                Evidence::new(
                    doc.source,
                    None,
                    found.candidate.as_ref().map_or(0.0, |c| c.score),
                )
                .at(&doc.path),
            );
            if opaque {
                self.unidentified_terms.push(doc.path.clone());
            }
        }
    }

    /// Fail-closed accounting of one text: sentences outside every matched license text
    /// that state terms (license files, policies, License and Terms sections) or restrict
    /// use (the rest of a card body, a gated prompt) become `added-terms`.
    fn account(&mut self, identifier: &Identifier, doc: &Document, found: &Identification) {
        let explained: Vec<(usize, usize)> = found
            .matches
            .iter()
            .filter(|m| m.kind == MatchKind::FullText)
            .map(|m| (m.start_line, m.end_line))
            .collect();
        let db = self.db();
        let naming = |sentence: &str| identifier.naming(db, sentence);
        let mut statements = Vec::new();
        match doc.source {
            SourceKind::Readme => {
                let mut in_sections = explained.clone();
                for (start, lines) in license_sections_strict(&doc.text) {
                    let section = lines.join("\n");
                    let end = start + lines.len().saturating_sub(1);
                    in_sections.push((start, end));
                    let inside: Vec<(usize, usize)> = explained
                        .iter()
                        .filter_map(|&(a, b)| {
                            let (a, b) = (a.max(start), b.min(end));
                            (a <= b).then(|| (a + 1 - start, b + 1 - start))
                        })
                        .collect();
                    for mut st in terms::unexplained(&section, Scope::Section, &inside, &naming) {
                        st.line += start - 1;
                        statements.push(st);
                    }
                }
                statements.extend(terms::unexplained(
                    &doc.text,
                    Scope::Restrictions,
                    &in_sections,
                    &naming,
                ));
            }
            SourceKind::ModelCard => statements.extend(terms::unexplained(
                &doc.text,
                Scope::Restrictions,
                &explained,
                &naming,
            )),
            _ => statements.extend(terms::unexplained(
                &doc.text,
                Scope::Terms,
                &explained,
                &naming,
            )),
        }
        statements.sort_by_key(|s| s.line);
        statements.dedup_by_key(|s| s.line);
        let offset = doc.first_line.saturating_sub(1);
        for mut st in statements {
            st.line += offset;
            self.added_terms.push((doc.path.clone(), st));
        }
    }

    fn title(&self, key: &str) -> String {
        self.db()
            .get(key)
            .map_or_else(|| key.to_string(), |l| l.name.clone())
    }

    fn finish(mut self, model: Model) -> Verdict {
        let db = self.db();
        self.refine_families();
        self.drop_family_mentions();
        let all: BTreeSet<String> = self.declared_keys.union(&self.text_keys).cloned().collect();
        let (policies, licenses): (Vec<&License>, Vec<&License>) = all
            .iter()
            .filter_map(|k| db.get(k))
            .partition(|l| l.is_policy());

        let mut matrix = None::<Matrix>;
        for l in &licenses {
            let mut m = l.matrix.clone();
            if let Some(mods) = self.modified.get(&l.key) {
                apply_modifications(&mut m, mods);
            }
            match matrix.as_mut() {
                Some(acc) => acc.combine(&m),
                None => matrix = Some(m),
            }
        }
        let mut matrix = matrix.unwrap_or_else(Matrix::unknown);
        for p in &policies {
            for r in &p.matrix.restrictions {
                if !matrix.restrictions.contains(r) {
                    matrix.restrictions.push(r.clone());
                }
            }
        }

        self.apply_doubts(&mut matrix, &licenses);
        if !self.declared_keys.is_empty()
            && !self.text_keys.is_empty()
            && self.declared_keys != self.text_keys
        {
            let non_policy = |set: &BTreeSet<String>| {
                set.iter()
                    .filter(|k| db.get(k).is_some_and(|l| !l.is_policy()))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let (said, found) = (non_policy(&self.declared_keys), non_policy(&self.text_keys));
            if !said.is_empty() && !found.is_empty() && said != found {
                let strictest = strictest(&licenses)
                    .map(|l| l.name.clone())
                    .unwrap_or_default();
                self.findings.push(Finding::new(
                    Code::LicenseConflict,
                    Severity::Warning,
                    format!("metadata declares {} but the texts say {}; the verdict follows the most restrictive ({strictest})", said.join(", "), found.join(", ")),
                ));
            }
        }
        self.metadata_conflict();
        if licenses.is_empty() {
            if let Some(p) = policies.first() {
                self.findings.push(Finding::new(
                    Code::PolicyWithoutLicense,
                    Severity::Warning,
                    format!(
                        "{} found without the license that incorporates it ({})",
                        p.name,
                        p.policy_of.join(", ")
                    ),
                ));
            }
            if let Some(other) = &self.saw_other {
                let mut f = Finding::new(Code::LicenseOtherUnresolved, Severity::Warning, "model card says `license: other` and no license_name, link or text identifies it");
                f.path = other.path.clone();
                f.line = other.line;
                self.findings.push(f);
            } else if !self.saw_unidentified
                && policies.is_empty()
                && !self
                    .findings
                    .iter()
                    .any(|f| f.code == Code::UnreadableLicense)
            {
                self.findings.push(Finding::new(
                    Code::NoLicense,
                    Severity::Warning,
                    "no license evidence: no card license, no license file, no notice",
                ));
            }
        }

        // A use policy alone is named as what was found (it grants nothing: the matrix
        // stays unknown).
        let named: Vec<&License> = if licenses.is_empty() {
            policies.iter().take(1).copied().collect()
        } else {
            licenses.clone()
        };
        let license = strictest(&named).map(|main| LicenseSummary {
            key: main.key.clone(),
            spdx: main.spdx.clone(),
            hf: main.hf.clone(),
            name: main.name.clone(),
            expression: named
                .iter()
                .map(|l| l.spdx.as_str())
                .collect::<Vec<_>>()
                .join(" AND "),
            confidence: self
                .evidence
                .iter()
                .filter(|e| e.license.as_deref() == Some(main.key.as_str()))
                .map(|e| e.confidence)
                .fold(0.0, f32::max),
        });
        let mut keys: Vec<String> = all.into_iter().collect();
        keys.retain(|k| db.get(k).is_some());
        self.evidence.sort_by(|a, b| {
            (a.source, &a.path, a.line, &a.license).cmp(&(b.source, &b.path, b.line, &b.license))
        });
        self.findings.sort();
        self.findings.dedup();
        Verdict {
            target: model.target,
            kind: model.kind,
            name: model.name,
            license,
            licenses: keys,
            matrix,
            base_models: model.base_models,
            inherited_licenses: Vec::new(),
            digest: model.digest,
            evidence: self.evidence,
            findings: self.findings,
        }
    }

    /// What the evidence leaves open: a sentence of added terms makes the permissions it
    /// may bear on unknown (commercial use always); a declared value that names no record,
    /// or a license file that could not be identified, makes every permission unknown,
    /// since its terms may be anything.
    fn apply_doubts(&mut self, matrix: &mut Matrix, licenses: &[&License]) {
        const SHOWN_PER_FILE: usize = 5;
        // Licenses that carry use restrictions of their own: a sentence pointing at them
        // adds nothing.
        let restrictive = !licenses.is_empty()
            && licenses
                .iter()
                .all(|l| !matches!(l.posture, Posture::Permissive | Posture::Copyleft));
        let mut shown: BTreeMap<String, usize> = BTreeMap::new();
        for (path, st) in std::mem::take(&mut self.added_terms) {
            if restrictive && terms::defers_to_license(&st.words) {
                continue;
            }
            let words: Vec<&str> = st.words.iter().map(String::as_str).collect();
            let mut bears: Vec<Permission> = crate::identify::clause::infer(&words)
                .iter()
                .filter_map(|d| d.permission())
                .collect();
            if !bears.contains(&Permission::CommercialUse) {
                bears.push(Permission::CommercialUse);
            }
            bears.sort();
            let quoted = clip(&st.text);
            let count = shown.entry(path.clone()).or_default();
            *count += 1;
            if *count <= SHOWN_PER_FILE {
                let message = format!(
                    "\"{quoted}\" states terms that no identified license explains; {} unknown",
                    bears
                        .iter()
                        .map(|p| p.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                self.findings.push(
                    Finding::new(Code::AddedTerms, Severity::Warning, message)
                        .at(&path)
                        .line(st.line),
                );
            }
            for &p in &bears {
                let why = format!("{path}:{} says \"{quoted}\"", st.line);
                doubt(matrix.get_mut(p), why);
            }
        }
        let mut everything: Vec<String> = self
            .unidentified_terms
            .iter()
            .map(|path| {
                format!("the license file {path} could not be identified; its terms may differ")
            })
            .collect();
        everything.extend(
            self.findings
                .iter()
                .filter(|f| f.code == Code::UnreadableLicense)
                .map(|f| {
                    let path = f.path.as_deref().unwrap_or("?");
                    format!("the license file {path} could not be read; its terms are unknown")
                }),
        );
        everything.extend(
            self.unresolved_declared
                .iter()
                .map(|raw| format!("`{raw}` names no known license; its terms are unknown")),
        );
        for why in everything {
            for p in Permission::ALL {
                doubt(matrix.get_mut(p), why.clone());
            }
        }
    }

    /// A declared family id (`openrail`, `cc`, `gpl`: a record whose key is its family) that a full
    /// license text identifies exactly is the same claim, not a conflict: the text's version
    /// wins. A versioned declared id is never replaced, and a name mentioned in prose never
    /// replaces anything: it can only add a license (and a conflict).
    fn refine_families(&mut self) {
        let db = self.db();
        let family = |k: &str| db.get(k).map(|l| l.family.clone());
        let versionless = |k: &str| {
            db.get(k)
                .is_some_and(|l| l.version.is_none() && l.key == l.family)
        };
        let refined: Vec<(String, String)> = self
            .declared_keys
            .iter()
            .filter(|d| !self.text_keys.contains(*d) && versionless(d))
            .filter_map(|d| {
                self.full_text_keys
                    .iter()
                    .find(|t| family(t).is_some() && family(t) == family(d))
                    .map(|t| (d.clone(), t.clone()))
            })
            .collect();
        for (declared, text_key) in refined {
            self.declared_keys.remove(&declared);
            self.declared_keys.insert(text_key);
        }
    }

    /// A GGUF or safetensors header, or a `license:*` tag, that names licenses none of
    /// which the card's own `license` names (a versionless family id and a member of that
    /// family agree).
    fn metadata_conflict(&mut self) {
        let db = self.db();
        let family = |k: &str| db.get(k).map(|l| l.family.clone());
        let agree = |a: &str, b: &str| {
            a == b
                || (family(a).is_some()
                    && family(a) == family(b)
                    && (family(a).as_deref() == Some(a) || family(b).as_deref() == Some(b)))
        };
        if self.card_keys.is_empty() || self.metadata_keys.is_empty() {
            return;
        }
        let apart: Vec<&String> = self
            .metadata_keys
            .iter()
            .filter(|(k, _)| !self.card_keys.iter().any(|c| agree(c, k)))
            .map(|(_, said)| said)
            .collect();
        if apart.is_empty() {
            return;
        }
        let card: Vec<&str> = self.card_keys.iter().map(String::as_str).collect();
        let message =
            format!(
            "the card declares {} but {} says otherwise; the verdict follows the most restrictive",
            card.join(", "),
            apart.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        );
        self.findings.push(Finding::new(
            Code::LicenseConflict,
            Severity::Warning,
            message,
        ));
    }

    /// A family named in prose ("an Open RAIL-M license", "a CC license") beside a specific
    /// license of that family is the same claim, not a second license.
    fn drop_family_mentions(&mut self) {
        let db = self.db();
        let generic = |k: &str| db.get(k).is_some_and(|l| l.key == l.family);
        let family = |k: &str| db.get(k).map(|l| l.family.clone());
        let all: BTreeSet<String> = self.declared_keys.union(&self.text_keys).cloned().collect();
        let dropped: Vec<String> = self
            .text_keys
            .iter()
            .filter(|k| {
                generic(k)
                    && !self.declared_keys.contains(*k)
                    && !self.full_text_keys.contains(*k)
                    && all.iter().any(|o| o != *k && family(o) == family(k))
            })
            .cloned()
            .collect();
        for k in dropped {
            self.text_keys.remove(&k);
            self.evidence
                .retain(|e| e.license.as_deref() != Some(k.as_str()));
        }
    }
}

/// Makes a permission at most `unknown` (a `forbidden` stays), saying why.
fn doubt(p: &mut crate::matrix::Answer, why: String) {
    if p.status != Status::Forbidden {
        p.status = Status::Unknown;
        if !p.conditions.contains(&why) {
            p.conditions.insert(0, why);
        }
    }
}

/// A license file that opens with a YAML front matter (choosealicense.com's texts, with
/// their title, description and permission lists): the metadata is blanked, lines kept, so
/// that only the license text is matched and accounted for.
fn blank_front_matter(doc: &Document) -> Option<Document> {
    if doc.source != SourceKind::LicenseFile {
        return None;
    }
    let lines: Vec<&str> = doc.text.lines().collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return None;
    }
    let close = lines
        .iter()
        .take(200)
        .skip(1)
        .position(|l| l.trim_end() == "---")?
        + 1;
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i <= close {
                "\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    Some(Document {
        text,
        ..doc.clone()
    })
}

/// A text that presents itself as a use policy ("ACCEPTABLE USE POLICY", "Prohibited Use
/// Policy").
fn is_unread_policy(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "acceptable use policy",
        "prohibited use policy",
        "use policy",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// A line that says which license applies ("licensed under X", "License: X", "see X at
/// URL", a title line), not one that only refers to a license in passing ("as such terms
/// are defined in the TII Falcon License").
fn gives_notice(line: &str) -> bool {
    const POINTERS: [&str; 5] = ["license:", "licence:", "refer to", "see ", "://"];
    let lower = line.to_lowercase();
    NOTICE_CUES
        .iter()
        .chain(&POINTERS)
        .any(|c| lower.contains(c))
        || line.split_whitespace().count() <= 8
}

/// A text short enough to be read as prose about a license rather than a license text.
fn is_short(text: &str) -> bool {
    text.lines().filter(|l| !l.trim().is_empty()).count() <= 12
}

/// A document that should hold license terms: any license-like file (LICENSE,
/// MODEL_LICENSE, EULA, TERMS, a use policy...) or an Ollama license layer, not a NOTICE,
/// which often holds attributions only.
fn holds_terms(doc: &Document) -> bool {
    let name = doc
        .path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        doc.source,
        SourceKind::OllamaLayer | SourceKind::LicenseFile
    ) && !name.starts_with("notice")
}

/// The most restrictive license: highest commercial-use rank, then redistribution, then
/// derivatives; ties by key for determinism.
fn strictest<'l>(licenses: &[&'l License]) -> Option<&'l License> {
    licenses.iter().copied().max_by(|a, b| {
        let rank = |l: &License| {
            (
                l.matrix.commercial_use.status.rank(),
                l.matrix.redistribution.status.rank(),
                l.matrix.derivatives.status.rank(),
            )
        };
        rank(a).cmp(&rank(b)).then_with(|| b.key.cmp(&a.key))
    })
}

/// A clause the text changed makes the permissions it decides `unknown` (or leaves them
/// stricter). Scale, policy and attribution clauses bear on commercial use and
/// redistribution.
fn apply_modifications(m: &mut Matrix, mods: &[Modification]) {
    for modification in mods {
        let names: BTreeSet<Permission> = modification
            .bears_on
            .iter()
            .flat_map(|d| d.permissions())
            .collect();
        let mut names = names;
        if names.is_empty() {
            names.extend(Permission::ALL);
        }
        // The reference's threshold is not this text's: say so where the clause is shown.
        if modification.bears_on.contains(&Decides::ScaleClause) {
            if let Some(scale) = m.scale_clause.as_mut() {
                scale.edited = true;
            }
        }
        for name in names {
            let p = m.get_mut(name);
            if p.status != Status::Forbidden {
                p.status = Status::Unknown;
                let why = "the license text was edited in the clause that decides this; read it"
                    .to_string();
                if !p.conditions.contains(&why) {
                    p.conditions.insert(0, why);
                }
            }
        }
    }
}

fn describe_modification(m: &Modification) -> String {
    match (&m.expected, &m.found) {
        (Some(e), Some(f)) => {
            let (e, f) = around_difference(e, f);
            format!("expected \"{}\", found \"{}\"", clip(&e), clip(&f))
        }
        (Some(e), None) => format!("missing \"{}\"", clip(e)),
        (None, Some(f)) => format!("added \"{}\"", clip(f)),
        (None, None) => "changed".to_string(),
    }
}

/// The words of `expected` and `found` where they differ, with four words of context
/// either side (`…` where words were left out), so that a changed "700 million" shows
/// even when the clause is long.
fn around_difference(expected: &str, found: &str) -> (String, String) {
    let (e, f): (Vec<&str>, Vec<&str>) = (
        expected.split_whitespace().collect(),
        found.split_whitespace().collect(),
    );
    let prefix = e.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let suffix = e[prefix..]
        .iter()
        .rev()
        .zip(f[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    const CONTEXT: usize = 4;
    let start = prefix.saturating_sub(CONTEXT);
    let show = |w: &[&str]| {
        let end = (w.len() - suffix + CONTEXT).min(w.len());
        let mut s = w[start..end].join(" ");
        if start > 0 {
            s.insert_str(0, "… ");
        }
        if end < w.len() {
            s.push_str(" …");
        }
        s
    };
    (show(&e), show(&f))
}

fn clip(s: &str) -> String {
    let s = crate::source::files::one_line(s);
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(119).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modification_is_quoted_where_it_differs() {
        let head = "word ".repeat(60);
        let e =
            format!("{head}greater than 700 million monthly active users in the preceding month");
        let f = format!("{head}greater than 7 million monthly active users in the preceding month");
        let m = Modification {
            bears_on: vec![Decides::ScaleClause],
            expected: Some(e),
            found: Some(f),
            line: Some(3),
        };
        let said = describe_modification(&m);
        assert!(
            said.contains("700 million")
                && said.contains("found \"… word word greater than 7 million monthly"),
            "{said}"
        );
    }
}
