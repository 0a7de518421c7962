//! OCI image layouts (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) holding models:
//! CNCF ModelPack artifacts, Docker Model Runner models, and ordinary images with the model
//! under `/models` (KServe modelcar, olot); and Docker Model Runner's own store
//! ([`docker`]).
//!
//! One model per image manifest reachable from `index.json` (through nested indexes). A
//! ModelPack manifest whose layers all belong to an image manifest of the same layout is
//! the same model (olot writes both for one set of files): they are reported once, with the
//! ModelPack config's metadata. Every blob read is checked against its descriptor; nothing
//! is unpacked to disk, and weights are read no further than their headers.

mod archive;
mod blob;
mod config;
pub mod docker;
mod layers;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use blob::{read_json, Descriptor, MAX_JSON_BYTES};
use layers::{read_group, rule, Rule};

use crate::finding::{Code, Finding, Severity};
use crate::source::model::{Model, TargetKind};

pub use docker::{is_docker_store, scan_docker_models, scan_docker_named};

/// The annotation that names an image of a layout (`latest`, `v1`, a full reference).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Most descriptors followed from one `index.json`.
pub const MAX_MANIFESTS: usize = 1000;

/// Deepest nesting of image indexes followed.
pub const MAX_INDEX_DEPTH: usize = 8;

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

const MANIFEST_TYPES: [&str; 2] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// An image manifest: a config and layers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// `application/vnd.oci.image.manifest.v1+json` (or Docker's).
    #[serde(default)]
    pub media_type: Option<String>,
    /// `application/vnd.cncf.model.manifest.v1+json` for a ModelPack artifact.
    #[serde(default)]
    pub artifact_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// Layers in order.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

#[derive(serde::Deserialize)]
struct Index {
    manifests: Vec<Descriptor>,
}

/// Is `dir` an OCI image layout (`oci-layout` and `index.json`)?
pub fn is_oci_layout(dir: &Path) -> bool {
    dir.join("oci-layout").is_file() && dir.join("index.json").is_file()
}

/// `oci:PATH` (every image of the layout) or `oci:PATH@REF` (the image whose ref name or
/// manifest or index digest is REF). Errors are one line.
pub fn scan_oci_target(spec: &str) -> Result<Vec<Model>, String> {
    let (dir, wanted) = if spec.is_empty() {
        return Err("expected oci:PATH[@REF], PATH an OCI image layout folder".into());
    } else if Path::new(spec).is_dir() {
        (spec, None)
    } else {
        match spec.rsplit_once('@') {
            Some((dir, r)) if !r.is_empty() && Path::new(dir).is_dir() => (dir, Some(r)),
            _ => return Err("no such folder".into()),
        }
    };
    if !is_oci_layout(Path::new(dir)) {
        return Err(format!(
            "{dir} is not an OCI image layout (no oci-layout and index.json)"
        ));
    }
    let models = scan_oci(Path::new(dir), dir, wanted);
    match wanted {
        Some(r) if models.is_empty() => Err(format!("no image `{r}` in {dir}")),
        _ => Ok(models),
    }
}

/// Scans the layout at `dir`, naming models `oci:SHOWN@REF`; with `wanted`, only the image
/// it names. Sorted by target.
pub fn scan_oci(dir: &Path, shown: &str, wanted: Option<&str>) -> Vec<Model> {
    let mut walk = Walk {
        root: dir,
        found: Vec::new(),
        seen_indexes: BTreeSet::new(),
        visited: 0,
    };
    let mut layout = Model::new(format!("oci:{shown}"), TargetKind::Oci);
    match read_index_json(dir) {
        Ok(index) => walk.index(&index.manifests, None, &[], 0),
        Err(why) => layout
            .findings
            .push(Finding::new(Code::MalformedMetadata, Severity::Warning, why).at("index.json")),
    }
    if walk.visited > MAX_MANIFESTS {
        layout.findings.push(Finding::new(
            Code::MalformedMetadata,
            Severity::Warning,
            format!("more than {MAX_MANIFESTS} manifests; the rest were not read"),
        ));
    }
    let groups: Vec<Vec<&Found>> = group(&walk.found)
        .into_iter()
        .map(|g| g.into_iter().map(|i| &walk.found[i]).collect())
        .filter(|g: &Vec<&Found>| wanted.is_none_or(|w| g.iter().any(|f| f.answers_to(w))))
        .collect();
    let labels: Vec<String> = groups.iter().map(|g| label(g, &groups)).collect();
    let mut models: Vec<Model> = groups
        .iter()
        .zip(labels)
        .map(|(g, label)| group_model(dir, g, format!("oci:{shown}@{label}")))
        .collect();
    if !layout.findings.is_empty() {
        models.push(layout);
    }
    models.sort_by(|a, b| a.target.cmp(&b.target));
    models
}

/// One manifest (or a broken index) reached from `index.json`.
struct Found {
    digest: String,
    /// Ref names it was reached under (its own descriptor's, or an enclosing index's).
    refs: Vec<String>,
    /// Digests of the indexes it was reached through.
    via: Vec<String>,
    manifest: Result<Manifest, Finding>,
}

impl Found {
    fn answers_to(&self, wanted: &str) -> bool {
        self.digest == wanted
            || self.refs.iter().any(|r| r == wanted)
            || self.via.iter().any(|v| v == wanted)
    }
}

struct Walk<'a> {
    root: &'a Path,
    found: Vec<Found>,
    seen_indexes: BTreeSet<String>,
    visited: usize,
}

impl Walk<'_> {
    fn index(
        &mut self,
        manifests: &[Descriptor],
        ref_name: Option<&str>,
        via: &[String],
        depth: usize,
    ) {
        for desc in manifests {
            self.visited += 1;
            if self.visited > MAX_MANIFESTS {
                return;
            }
            let ref_name = desc
                .annotations
                .get(REF_NAME)
                .map(String::as_str)
                .or(ref_name);
            self.visit(desc, ref_name, via, depth);
        }
    }

    fn visit(&mut self, desc: &Descriptor, ref_name: Option<&str>, via: &[String], depth: usize) {
        // Build attestations (`vnd.docker.reference.type`) describe an image; they are none.
        if desc.annotations.contains_key("vnd.docker.reference.type") {
            return;
        }
        if let Some(seen) = self.found.iter_mut().find(|f| f.digest == desc.digest) {
            push_new(&mut seen.refs, ref_name.into_iter());
            push_new(&mut seen.via, via.iter().map(String::as_str));
            return;
        }
        let media_type = desc.media_type.as_str();
        let is_index = INDEX_TYPES.contains(&media_type);
        if !is_index && !media_type.is_empty() && !MANIFEST_TYPES.contains(&media_type) {
            return;
        }
        if is_index && !self.seen_indexes.insert(desc.digest.clone()) {
            return;
        }
        let mut found = Found {
            digest: desc.digest.clone(),
            refs: ref_name.map(String::from).into_iter().collect(),
            via: via.to_vec(),
            manifest: Err(Finding::new(Code::MalformedMetadata, Severity::Warning, "")),
        };
        let what = if is_index { "image index" } else { "manifest" };
        let value = match read_json(self.root, desc) {
            Ok(v) => v,
            Err(e) => {
                found.manifest = Err(e.finding(what, desc));
                return self.found.push(found);
            }
        };
        let malformed = |why: String| {
            Finding::new(Code::MalformedMetadata, Severity::Warning, why)
                .at(blob::blob_rel(&desc.digest))
        };
        if value.get("manifests").is_none() {
            found.manifest = serde_json::from_value(value)
                .map_err(|e| malformed(format!("manifest is malformed: {e}")));
            return self.found.push(found);
        }
        if depth >= MAX_INDEX_DEPTH {
            found.manifest = Err(malformed(format!(
                "image indexes nested deeper than {MAX_INDEX_DEPTH}; not read"
            )));
            return self.found.push(found);
        }
        match serde_json::from_value::<Index>(value) {
            Ok(index) => {
                let mut via = via.to_vec();
                via.push(desc.digest.clone());
                self.index(&index.manifests, ref_name, &via, depth + 1);
            }
            Err(e) => {
                found.manifest = Err(malformed(format!("image index is malformed: {e}")));
                self.found.push(found);
            }
        }
    }
}

/// Appends the items `list` lacks.
fn push_new<'a>(list: &mut Vec<String>, items: impl Iterator<Item = &'a str>) {
    for item in items {
        if !list.iter().any(|x| x == item) {
            list.push(item.to_string());
        }
    }
}

fn read_index_json(dir: &Path) -> Result<Index, String> {
    let path = dir.join("index.json");
    // A FIFO would block the open.
    if !path.is_file() {
        return Err("index.json is not a regular file".into());
    }
    let file = File::open(path).map_err(|e| format!("index.json: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("index.json: {e}"))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(format!("index.json is larger than {MAX_JSON_BYTES} bytes"));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("index.json is malformed: {e}"))
}

/// Indexes of `found` grouped into models: a ModelPack manifest joins every image manifest
/// that holds all of its layers; everything else stands alone. Each group lists its
/// ModelPack manifest first; groups in the order they were found.
fn group(found: &[Found]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..found.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn layers(f: &Found) -> Option<(Rule, BTreeSet<&str>)> {
        let m = f.manifest.as_ref().ok()?;
        Some((
            rule(m),
            m.layers.iter().map(|l| l.digest.as_str()).collect(),
        ))
    }
    let shapes: Vec<_> = found.iter().map(layers).collect();
    for (i, a) in shapes.iter().enumerate() {
        let Some((Rule::ModelPack, pack)) = a else {
            continue;
        };
        for (j, b) in shapes.iter().enumerate() {
            if let Some((Rule::Image, image)) = b {
                if !pack.is_empty() && pack.is_subset(image) {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    parent[rj] = ri;
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of = vec![usize::MAX; found.len()];
    for i in 0..found.len() {
        let r = root(&mut parent, i);
        if group_of[r] == usize::MAX {
            group_of[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of[r]].push(i);
    }
    for g in &mut groups {
        g.sort_by_key(|&i| (shapes[i].as_ref().map(|(r, _)| *r), i));
    }
    groups
}

/// The part of a model's target after `@`: its first ref name when no other model shares
/// it, else its manifest digest.
fn label(group: &[&Found], groups: &[Vec<&Found>]) -> String {
    let refs = || group.iter().flat_map(|f| &f.refs);
    let shared = |r: &String| {
        groups
            .iter()
            .filter(|g| g.iter().any(|f| f.refs.contains(r)))
            .count()
            > 1
    };
    match refs().find(|r| !shared(r)) {
        Some(r) => r.clone(),
        None => group[0].digest.clone(),
    }
}

fn group_model(root: &Path, group: &[&Found], target: String) -> Model {
    let mut model = Model::new(target, TargetKind::Oci);
    model.digest = group.first().map(|f| f.digest.clone());
    let manifests: Vec<&Manifest> = group
        .iter()
        .filter_map(|f| f.manifest.as_ref().ok())
        .collect();
    for f in group {
        if let Err(finding) = &f.manifest {
            model.findings.push(finding.clone());
        }
    }
    let config_name = read_group(root, &manifests, &mut model);
    let ref_name = group.iter().flat_map(|f| &f.refs).next().cloned();
    if let Some(name) = config_name.or(ref_name) {
        model.name = Some(name);
    }
    model
}
