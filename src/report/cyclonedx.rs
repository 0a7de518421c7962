//! CycloneDX ML-BOM (JSON, spec 1.6 or 1.7): one `machine-learning-model` component per
//! model, with its declared and concluded licenses, the files the evidence came from, and
//! the permitted-use matrix as `model-license:` properties.
//!
//! Output is deterministic: components in report order (sorted by target), no serial
//! number, and a timestamp only when the caller passes one.

use std::io::{self, Write};

use serde::Serialize;

use super::bom::{BomLicense, BomModel, BomOptions};
use super::{aup_label, scale_label, Report};
use crate::db::Db;
use crate::matrix::Status;
use crate::policy::Evaluation;

/// The CycloneDX specification version written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SpecVersion {
    /// 1.6 (the default: what most consumers read today).
    #[default]
    V1_6,
    /// 1.7.
    V1_7,
}

impl SpecVersion {
    /// `1.6` or `1.7`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: String,
    bom_format: &'static str,
    spec_version: &'static str,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    tools: Tools,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<ToolComponent>,
}

#[derive(Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Supplier>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Supplier {
    name: String,
}

#[derive(Serialize)]
struct LicenseChoice {
    license: License,
}

#[derive(Serialize)]
struct License {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    acknowledgement: &'static str,
}

#[derive(Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Evidence {
    occurrences: Vec<Occurrence>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Occurrence {
    location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    additional_context: String,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

fn property(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: format!("model-license:{name}"),
        value: value.into(),
    }
}

/// Writes `report` as a CycloneDX BOM. With `evaluation` (from `check`), each component
/// also carries its policy outcome and violations.
pub fn render(
    report: &Report,
    db: &Db,
    spec: SpecVersion,
    options: &BomOptions,
    evaluation: Option<&Evaluation>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut components: Vec<Component> = report
        .models
        .iter()
        .map(|v| component(&BomModel::new(db, v)))
        .collect();
    if let Some(eval) = evaluation {
        for c in &mut components {
            let Some(judged) = eval.models.iter().find(|m| m.target == c.bom_ref) else {
                continue;
            };
            c.properties
                .push(property("policy:outcome", judged.outcome.as_str()));
            for x in &judged.violations {
                c.properties.push(property(
                    "policy:violation",
                    format!("{}: {}", x.code.as_str(), x.message),
                ));
            }
        }
    }
    let mut meta = Vec::new();
    if let Some(eval) = evaluation {
        meta.push(property("policy:outcome", eval.outcome().as_str()));
    }
    for e in &report.errors {
        meta.push(property("error", format!("{}: {}", e.target, e.message)));
    }
    let bom = Bom {
        schema: format!(
            "http://cyclonedx.org/schema/bom-{}.schema.json",
            spec.as_str()
        ),
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        version: 1,
        metadata: Metadata {
            timestamp: options.created.as_deref(),
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            properties: meta,
        },
        components,
    };
    // Serialised first, so that a closed pipe reaches the caller as an I/O error.
    let bytes = serde_json::to_vec_pretty(&bom).map_err(io::Error::other)?;
    out.write_all(&bytes)?;
    writeln!(out)
}

fn component(m: &BomModel) -> Component {
    let v = m.verdict;
    let license = |l: &BomLicense, acknowledgement: &'static str| LicenseChoice {
        license: License {
            id: l.spdx_id.clone(),
            name: l.spdx_id.is_none().then(|| l.name.clone()),
            url: l.url.clone(),
            acknowledgement,
        },
    };
    let mut licenses: Vec<LicenseChoice> =
        m.declared.iter().map(|l| license(l, "declared")).collect();
    licenses.extend(m.concluded.iter().map(|l| license(l, "concluded")));
    let occurrences: Vec<Occurrence> = v
        .evidence
        .iter()
        .filter_map(|e| {
            let path = e.path.clone()?;
            let found = match &e.license {
                Some(k) => format!("{k} ({:.2})", e.confidence),
                None => "no license identified".to_string(),
            };
            Some(Occurrence {
                location: path,
                line: e.line,
                additional_context: format!("{}: {found}", e.source.as_str()),
            })
        })
        .collect();
    let mut properties = vec![
        property(
            "license",
            v.license.as_ref().map_or("none", |l| l.key.as_str()),
        ),
        property(
            "license-expression",
            v.license
                .as_ref()
                .map_or("NOASSERTION", |l| l.expression.as_str()),
        ),
    ];
    for (name, p) in [
        ("self-hosting", &v.matrix.self_hosting),
        ("commercial-use", &v.matrix.commercial_use),
        ("redistribution", &v.matrix.redistribution),
        ("derivatives", &v.matrix.derivatives),
        ("output-training", &v.matrix.output_training),
    ] {
        properties.push(property(&format!("permission:{name}"), p.status.as_str()));
        for c in &p.conditions {
            properties.push(property(&format!("permission:{name}:condition"), c.clone()));
        }
    }
    properties.push(property("scale-clause", scale_label(v)));
    properties.push(property("acceptable-use-policy", aup_label(v)));
    if let Some(p) = &v.matrix.acceptable_use_policy {
        properties.push(property("acceptable-use-policy:name", p.name.clone()));
    }
    for a in &v.matrix.attribution {
        properties.push(property("attribution", a.clone()));
    }
    for k in &v.inherited_licenses {
        properties.push(property("inherited-license", k.clone()));
    }
    for f in &v.findings {
        properties.push(property(
            "finding",
            format!("{}: {}", f.code.as_str(), f.message),
        ));
    }
    let needs_review = [
        &v.matrix.commercial_use,
        &v.matrix.self_hosting,
        &v.matrix.redistribution,
        &v.matrix.derivatives,
    ]
    .iter()
    .any(|p| p.status == Status::Unknown);
    properties.push(property(
        "needs-review",
        if needs_review { "true" } else { "false" },
    ));
    Component {
        kind: "machine-learning-model",
        bom_ref: m.reference.clone(),
        supplier: m.supplier.clone().map(|name| Supplier { name }),
        name: m.name.clone(),
        version: m.version.clone(),
        purl: m.purl.clone(),
        licenses,
        external_references: m
            .download
            .iter()
            .map(|url| ExternalReference {
                kind: "distribution",
                url: url.clone(),
            })
            .collect(),
        evidence: (!occurrences.is_empty()).then_some(Evidence { occurrences }),
        properties,
    }
}
