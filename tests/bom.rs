//! AI-BOMs: a folder of three models rendered as CycloneDX 1.6 and 1.7 and as SPDX 3.0.1,
//! each validated against the official JSON schemas vendored in tests/schemas (provenance
//! in tests/schemas/PROVENANCE.md), then read for what a compliance tool needs from them.

use std::path::Path;

use serde_json::Value;

use crate::util::{license_text, root, run_in};

fn schema(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join("tests/schemas").join(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Schema errors of a CycloneDX document of `version` (`1.6`, `1.7`).
fn cyclonedx_errors(doc: &Value, version: &str) -> Vec<String> {
    let registry = jsonschema::Registry::new()
        .extend([
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                schema("cyclonedx/spdx.schema.json"),
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                schema("cyclonedx/jsf-0.82.schema.json"),
            ),
            (
                "http://cyclonedx.org/schema/cryptography-defs.schema.json",
                schema("cyclonedx/cryptography-defs.schema.json"),
            ),
        ])
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&schema(&format!("cyclonedx/bom-{version}.schema.json")))
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn spdx_errors(doc: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .offline()
        .build(&schema("spdx/spdx-json-schema-3.0.1.json"))
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Three models: Apache-2.0 by card, Llama 3.1 by card and text (a LicenseRef), and a
/// card whose license value names nothing we know.
fn three_models(dir: &Path) {
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("apache/README.md", "---\nlicense: apache-2.0\n---\n# A\n");
    write("llama/README.md", "---\nlicense: llama3.1\n---\n# B\n");
    write("llama/LICENSE", &license_text("llama3.1"));
    write(
        "odd/README.md",
        "---\nlicense: mit but no commercial use\n---\n# C\n",
    );
}

fn bom(dir: &Path, args: &[&str]) -> (Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_model-license"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1764860400")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, text)
}

fn property<'a>(component: &'a Value, name: &str) -> Vec<&'a str> {
    component["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

#[test]
fn cyclonedx_boms_pass_the_official_schemas_and_carry_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    three_models(dir.path());
    for version in ["1.6", "1.7"] {
        let (doc, text) = bom(
            dir.path(),
            &[
                "scan",
                "apache",
                "llama",
                "odd",
                "--format",
                "cyclonedx",
                "--cyclonedx-spec",
                version,
            ],
        );
        let errors = cyclonedx_errors(&doc, version);
        assert!(errors.is_empty(), "{version}: {errors:#?}");
        // The validator is not a formality: an id off the SPDX list is refused.
        let mut bad = doc.clone();
        bad["components"][0]["licenses"][0]["license"]["id"] = "Llama-3.1".into();
        assert!(!cyclonedx_errors(&bad, version).is_empty());
        assert_eq!(doc["specVersion"], version);
        let components = doc["components"].as_array().unwrap();
        assert_eq!(components.len(), 3);
        assert!(components
            .iter()
            .all(|c| c["type"] == "machine-learning-model"));
        let refs: std::collections::BTreeSet<&str> = components
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        assert_eq!(refs.len(), 3, "bom-refs are unique");
        let by = |target: &str| {
            components
                .iter()
                .find(|c| c["bom-ref"] == target)
                .unwrap_or_else(|| panic!("{target}"))
        };
        // An SPDX-listed license by id, declared and concluded.
        let apache = by("apache");
        let acks: Vec<(&str, &str)> = apache["licenses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["license"]["id"].as_str().unwrap_or("-"),
                    l["license"]["acknowledgement"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            acks,
            [("Apache-2.0", "declared"), ("Apache-2.0", "concluded")]
        );
        assert_eq!(
            property(apache, "model-license:permission:commercial-use"),
            ["allowed"]
        );
        // A license that is not on the SPDX list goes by name, never by an invented id.
        let llama = by("llama");
        for l in llama["licenses"].as_array().unwrap() {
            assert!(l["license"].get("id").is_none(), "{l}");
            assert_eq!(
                l["license"]["name"],
                "Llama 3.1 Community License Agreement"
            );
        }
        assert_eq!(property(llama, "model-license:scale-clause"), [">700M MAU"]);
        assert!(llama["evidence"]["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["location"] == "LICENSE"));
        // The unknown value is declared as written, nothing is concluded, and commercial
        // use stays unknown.
        let odd = by("odd");
        let licenses = odd["licenses"].as_array().unwrap();
        assert_eq!(licenses.len(), 1, "{licenses:?}");
        assert_eq!(licenses[0]["license"]["name"], "mit but no commercial use");
        assert_eq!(licenses[0]["license"]["acknowledgement"], "declared");
        assert_eq!(
            property(odd, "model-license:permission:commercial-use"),
            ["unknown"]
        );
        assert_eq!(property(odd, "model-license:needs-review"), ["true"]);
        // Deterministic: the same run gives the same bytes.
        let (_, again) = bom(
            dir.path(),
            &[
                "scan",
                "odd",
                "llama",
                "apache",
                "--format",
                "cyclonedx",
                "--cyclonedx-spec",
                version,
            ],
        );
        assert_eq!(text, again);
    }
}

#[test]
fn check_and_audit_write_boms_too() {
    let dir = tempfile::tempdir().unwrap();
    three_models(dir.path());
    let (doc, _) = bom(
        dir.path(),
        &["check", "apache", "odd", "--format", "cyclonedx"],
    );
    assert!(cyclonedx_errors(&doc, "1.6").is_empty());
    let outcome = |target: &str| {
        let c = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["bom-ref"] == target)
            .unwrap();
        property(c, "model-license:policy:outcome")[0].to_string()
    };
    assert_eq!(outcome("apache"), "pass");
    assert_eq!(outcome("odd"), "fail");
    let (doc, _) = bom(
        dir.path(),
        &["audit", "apache", "llama", "--format", "spdx"],
    );
    assert!(spdx_errors(&doc).is_empty());
    let out = run_in(dir.path(), &["check", "odd", "--format", "spdx"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gate still decides the exit code"
    );
}

#[test]
fn spdx_documents_pass_the_official_schema_with_one_declared_and_one_concluded_license() {
    let dir = tempfile::tempdir().unwrap();
    three_models(dir.path());
    let (doc, text) = bom(
        dir.path(),
        &["scan", "apache", "llama", "odd", "--format", "spdx"],
    );
    let errors = spdx_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let mut bad = doc.clone();
    bad["@graph"][1]
        .as_object_mut()
        .unwrap()
        .remove("creationInfo");
    assert!(
        !spdx_errors(&bad).is_empty(),
        "an element without creationInfo is refused"
    );
    let graph = doc["@graph"].as_array().unwrap();
    let of_type = |t: &str| -> Vec<&Value> { graph.iter().filter(|n| n["type"] == t).collect() };
    let packages = of_type("ai_AIPackage");
    assert_eq!(packages.len(), 3);
    // What the AI profile requires of a package (the JSON schema does not check these).
    for p in &packages {
        for field in [
            "name",
            "releaseTime",
            "suppliedBy",
            "software_downloadLocation",
            "software_packageVersion",
            "software_primaryPurpose",
        ] {
            assert!(p.get(field).is_some(), "{field} missing: {p}");
        }
        assert_eq!(p["software_primaryPurpose"], "model");
    }
    let relationships = of_type("Relationship");
    let find = |id: &str| graph.iter().find(|n| n["spdxId"] == id);
    for p in &packages {
        let id = p["spdxId"].as_str().unwrap();
        for kind in ["hasDeclaredLicense", "hasConcludedLicense"] {
            let r: Vec<&&Value> = relationships
                .iter()
                .filter(|r| r["from"] == id && r["relationshipType"] == kind)
                .collect();
            assert_eq!(r.len(), 1, "{kind} of {id}");
        }
    }
    // Llama 3.1 is concluded as a LicenseRef whose text travels with the document.
    let expressions = of_type("simplelicensing_LicenseExpression");
    let llama = expressions
        .iter()
        .find(|e| {
            e["spdxId"].as_str().unwrap().ends_with("/concluded")
                && e["simplelicensing_licenseExpression"]
                    .as_str()
                    .unwrap()
                    .starts_with("LicenseRef-")
        })
        .expect("a LicenseRef conclusion");
    let text_id = llama["simplelicensing_customIdToUri"][0]["value"]
        .as_str()
        .unwrap();
    let text_node = find(text_id).expect("the text element");
    assert!(text_node["simplelicensing_licenseText"]
        .as_str()
        .unwrap()
        .contains("700 million monthly active users"));
    // The unknown value concludes nothing: NoAssertionLicense.
    let odd_concluded = relationships
        .iter()
        .filter(|r| r["relationshipType"] == "hasConcludedLicense")
        .filter(|r| r["to"][0].as_str().unwrap().ends_with("NoAssertionLicense"))
        .count();
    assert_eq!(odd_concluded, 1);
    let (_, again) = bom(
        dir.path(),
        &["scan", "odd", "apache", "llama", "--format", "spdx"],
    );
    assert_eq!(text, again, "deterministic with SOURCE_DATE_EPOCH");
}

#[test]
fn an_oci_artifact_is_named_by_its_manifest_digest() {
    let (doc, _) = bom(
        &root(),
        &[
            "scan",
            "oci:fixtures/oci/olot-sample",
            "--format",
            "cyclonedx",
        ],
    );
    assert!(cyclonedx_errors(&doc, "1.6").is_empty());
    let c = &doc["components"][0];
    let purl = c["purl"].as_str().unwrap();
    assert!(
        purl.starts_with("pkg:oci/")
            && purl.ends_with(
                "@sha256%3Ae2f2f59644d107a5064483259e85dd3ddf2993474bfd5040b612ba373f002eec"
            ),
        "{purl}"
    );
    assert_eq!(c["licenses"][0]["license"]["id"], "Apache-2.0");
}
