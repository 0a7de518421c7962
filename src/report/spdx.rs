//! SPDX 3.0.1 (JSON-LD) with the AI profile: one `ai_AIPackage` per model, exactly one
//! `hasDeclaredLicense` and one `hasConcludedLicense` relationship each, and every license
//! that is not on the SPDX list as a `simplelicensing_SimpleLicensingText` with its text.
//!
//! Element ids live under a namespace derived from the report's content, so the same models
//! give the same ids. What is not known is said so: `NOASSERTION` for a download location
//! or version, SPDX's `NoAssertionElement` for a supplier and `NoAssertionLicense` for a
//! license that could not be established.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::bom::{BomLicense, BomModel, BomOptions};
use super::{aup_label, scale_label, Report};
use crate::db::Db;
use crate::identify::normalize::word_hash;

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION: &str = "_:creationinfo";
const NO_ASSERTION_ELEMENT: &str = "https://spdx.org/rdf/3.0.1/terms/Core/NoAssertionElement";
const NO_ASSERTION_LICENSE: &str = "https://spdx.org/rdf/3.0.1/terms/Expanded/NoAssertionLicense";

#[derive(Serialize)]
struct Document {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<Node>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Node {
    CreationInfo(CreationInfo),
    Agent(Named),
    Package(Box<AiPackage>),
    Expression(Expression),
    Text(LicenseText),
    Relationship(Relationship),
    SpdxDocument(SpdxDocument),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: &'static str,
    spec_version: &'static str,
    created: String,
    created_by: Vec<String>,
    created_using: Vec<String>,
}

/// A SoftwareAgent, Tool or Organization: an element with a name.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Named {
    #[serde(rename = "type")]
    kind: &'static str,
    spdx_id: String,
    creation_info: &'static str,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AiPackage {
    #[serde(rename = "type")]
    kind: &'static str,
    spdx_id: String,
    creation_info: &'static str,
    name: String,
    comment: String,
    release_time: String,
    supplied_by: String,
    #[serde(rename = "software_packageVersion")]
    software_package_version: String,
    #[serde(rename = "software_downloadLocation")]
    software_download_location: String,
    #[serde(rename = "software_primaryPurpose")]
    software_primary_purpose: &'static str,
    #[serde(
        rename = "software_packageUrl",
        skip_serializing_if = "Option::is_none"
    )]
    software_package_url: Option<String>,
}

#[derive(Serialize)]
struct Expression {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "spdxId")]
    spdx_id: String,
    #[serde(rename = "creationInfo")]
    creation_info: &'static str,
    #[serde(rename = "simplelicensing_licenseExpression")]
    expression: String,
    #[serde(
        rename = "simplelicensing_customIdToUri",
        skip_serializing_if = "Vec::is_empty"
    )]
    custom_ids: Vec<DictionaryEntry>,
}

#[derive(Serialize)]
struct DictionaryEntry {
    #[serde(rename = "type")]
    kind: &'static str,
    key: String,
    value: String,
}

#[derive(Serialize)]
struct LicenseText {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "spdxId")]
    spdx_id: String,
    #[serde(rename = "creationInfo")]
    creation_info: &'static str,
    name: String,
    #[serde(rename = "simplelicensing_licenseText")]
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    #[serde(rename = "type")]
    kind: &'static str,
    spdx_id: String,
    creation_info: &'static str,
    from: String,
    relationship_type: &'static str,
    to: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxDocument {
    #[serde(rename = "type")]
    kind: &'static str,
    spdx_id: String,
    creation_info: &'static str,
    name: String,
    data_license: &'static str,
    profile_conformance: Vec<&'static str>,
    root_element: Vec<String>,
    element: Vec<String>,
}

/// Builds the graph while handing out element ids under one namespace.
struct Graph {
    base: String,
    nodes: Vec<Node>,
    ids: Vec<String>,
    /// Custom license texts already written, by expression id.
    texts: BTreeMap<String, String>,
}

impl Graph {
    fn push(&mut self, id: String, node: Node) -> String {
        self.ids.push(id.clone());
        self.nodes.push(node);
        id
    }

    /// The text element of a license not on the SPDX list, written once per document.
    fn text(&mut self, db: &Db, l: &BomLicense) -> Option<String> {
        if l.spdx_id.is_some() {
            return None;
        }
        if let Some(id) = self.texts.get(&l.expression_id) {
            return Some(id.clone());
        }
        // A record's reference text, or (for a value no record matches) the value itself.
        let text = match &l.key {
            Some(key) => db
                .get(key)
                .and_then(|r| r.texts.first())
                .and_then(|t| db.text(t))
                .map(str::to_string)
                .unwrap_or_else(|| l.name.clone()),
            None => l.name.clone(),
        };
        let id = format!("{}license/{}", self.base, self.texts.len());
        self.texts.insert(l.expression_id.clone(), id.clone());
        Some(self.push(
            id.clone(),
            Node::Text(LicenseText {
                kind: "simplelicensing_SimpleLicensingText",
                spdx_id: id,
                creation_info: CREATION,
                name: l.name.clone(),
                text,
            }),
        ))
    }

    /// A license expression element for `licenses` (joined by AND), or SPDX's
    /// `NoAssertionLicense` when there are none.
    fn expression(&mut self, db: &Db, id: String, licenses: &[BomLicense]) -> String {
        if licenses.is_empty() {
            return NO_ASSERTION_LICENSE.to_string();
        }
        let mut custom_ids = Vec::new();
        for l in licenses {
            if let Some(text) = self.text(db, l) {
                custom_ids.push(DictionaryEntry {
                    kind: "DictionaryEntry",
                    key: l.expression_id.clone(),
                    value: text,
                });
            }
        }
        let expression = licenses
            .iter()
            .map(|l| l.expression_id.as_str())
            .collect::<Vec<_>>()
            .join(" AND ");
        self.push(
            id.clone(),
            Node::Expression(Expression {
                kind: "simplelicensing_LicenseExpression",
                spdx_id: id,
                creation_info: CREATION,
                expression,
                custom_ids,
            }),
        )
    }

    fn relationship(&mut self, id: String, from: &str, kind: &'static str, to: String) {
        self.push(
            id.clone(),
            Node::Relationship(Relationship {
                kind: "Relationship",
                spdx_id: id,
                creation_info: CREATION,
                from: from.to_string(),
                relationship_type: kind,
                to: vec![to],
            }),
        );
    }
}

/// Writes `report` as an SPDX 3.0.1 JSON-LD document. `options.created` is required by
/// SPDX; without it the Unix epoch is written.
pub fn render(
    report: &Report,
    db: &Db,
    options: &BomOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let created = options
        .created
        .clone()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let content = serde_json::to_vec(&report.models).map_err(io::Error::other)?;
    let base = format!(
        "https://spdx.org/spdxdocs/model-license-{:016x}/",
        word_hash(&content)
    );
    let mut g = Graph {
        base: base.clone(),
        nodes: Vec::new(),
        ids: Vec::new(),
        texts: BTreeMap::new(),
    };
    let agent = g.push(
        format!("{base}agent"),
        Node::Agent(Named {
            kind: "SoftwareAgent",
            spdx_id: format!("{base}agent"),
            creation_info: CREATION,
            name: env!("CARGO_PKG_NAME").to_string(),
        }),
    );
    let tool = g.push(
        format!("{base}tool"),
        Node::Agent(Named {
            kind: "Tool",
            spdx_id: format!("{base}tool"),
            creation_info: CREATION,
            name: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
        }),
    );
    let mut suppliers: BTreeMap<String, String> = BTreeMap::new();
    let mut roots = Vec::new();
    for (i, v) in report.models.iter().enumerate() {
        let m = BomModel::new(db, v);
        let supplied_by = match &m.supplier {
            Some(owner) => match suppliers.get(owner) {
                Some(id) => id.clone(),
                None => {
                    let id = format!("{base}supplier/{}", suppliers.len());
                    suppliers.insert(owner.clone(), id.clone());
                    g.push(
                        id.clone(),
                        Node::Agent(Named {
                            kind: "Organization",
                            spdx_id: id.clone(),
                            creation_info: CREATION,
                            name: owner.clone(),
                        }),
                    )
                }
            },
            None => NO_ASSERTION_ELEMENT.to_string(),
        };
        let package = format!("{base}model/{i}");
        g.push(
            package.clone(),
            Node::Package(Box::new(AiPackage {
                kind: "ai_AIPackage",
                spdx_id: package.clone(),
                creation_info: CREATION,
                name: m.name.clone(),
                comment: comment(&m),
                release_time: created.clone(),
                supplied_by,
                software_package_version: m.version.clone().unwrap_or_else(|| "NOASSERTION".into()),
                software_download_location: m
                    .download
                    .clone()
                    .unwrap_or_else(|| "NOASSERTION".into()),
                software_primary_purpose: "model",
                software_package_url: m.purl.clone(),
            })),
        );
        roots.push(package.clone());
        let declared = g.expression(db, format!("{package}/declared"), &m.declared);
        let concluded = g.expression(db, format!("{package}/concluded"), &m.concluded);
        g.relationship(
            format!("{package}/has-declared-license"),
            &package,
            "hasDeclaredLicense",
            declared,
        );
        g.relationship(
            format!("{package}/has-concluded-license"),
            &package,
            "hasConcludedLicense",
            concluded,
        );
    }
    let document = format!("{base}document");
    let mut element = g.ids.clone();
    element.retain(|id| id != &document);
    g.nodes.insert(
        0,
        Node::CreationInfo(CreationInfo {
            kind: "CreationInfo",
            id: CREATION,
            spec_version: "3.0.1",
            created,
            created_by: vec![agent],
            created_using: vec![tool],
        }),
    );
    g.nodes.push(Node::SpdxDocument(SpdxDocument {
        kind: "SpdxDocument",
        spdx_id: document,
        creation_info: CREATION,
        name: format!("model-license report of {} models", report.models.len()),
        data_license: "https://spdx.org/licenses/CC0-1.0",
        profile_conformance: vec!["core", "software", "ai", "simpleLicensing"],
        root_element: roots,
        element,
    }));
    let doc = Document {
        context: CONTEXT,
        graph: g.nodes,
    };
    // Serialised first, so that a closed pipe reaches the caller as an I/O error.
    let bytes = serde_json::to_vec_pretty(&doc).map_err(io::Error::other)?;
    out.write_all(&bytes)?;
    writeln!(out)
}

/// The target, the permitted-use matrix and what `releaseTime` means here, in one line.
fn comment(m: &BomModel) -> String {
    let v = m.verdict;
    let x = &v.matrix;
    format!(
        "model-license: target {}; self-hosting {}, commercial use {}, redistribution {}, \
         derivatives {}, output training {}; scale clause {}; acceptable-use policy {}. \
         releaseTime is the time of this report (the release time is not known).",
        v.target,
        x.self_hosting.status,
        x.commercial_use.status,
        x.redistribution.status,
        x.derivatives.status,
        x.output_training.status,
        scale_label(v),
        aup_label(v)
    )
}
