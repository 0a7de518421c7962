//! A scan: target strings -> models -> verdicts -> one [`Report`].
//!
//! Targets are local paths (folders or single files), stores (`hf-cache:`, `ollama:`,
//! `lmstudio:`, `docker-models:`), OCI image layouts (`oci:PATH[@REF]`) and
//! `api:PROVIDER/MODEL` for closed API models. A target that cannot be scanned at all becomes a [`TargetError`]; every other
//! target is still reported.

use std::path::Path;

use crate::db::Db;
use crate::evidence::SourceKind;
use crate::identify::Identifier;
use crate::lineage;
use crate::report::{Report, TargetError};
#[cfg(feature = "hub")]
use crate::source::hub::HubClient;
use crate::source::layout::{candidates, scan_layout};
use crate::source::{
    detect_layout, local, locate, oci, Declared, Layout, Model, StoreEnv, TargetKind,
};
use crate::target::Target;
use crate::verdict::{judge, Verdict};

/// Where the stores live and how to read them: resolved by the caller (the CLI reads the
/// environment), never by the library.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Default locations of the HF cache, Ollama, LM Studio and Docker Model Runner stores.
    pub stores: StoreEnv,
    /// Scan every snapshot of an HF cache repo, not only `refs/main`'s.
    pub all_revisions: bool,
}

/// The license database and the identifier built from it: what every scan needs.
pub struct Scanner {
    db: Db,
    identifier: Identifier,
    options: ScanOptions,
    #[cfg(feature = "hub")]
    hub: Option<HubClient>,
    #[cfg(feature = "hub")]
    mlflow: Option<crate::source::mlflow::MlflowClient>,
}

impl Scanner {
    /// A scanner over `db`.
    pub fn new(db: Db) -> Scanner {
        let identifier = Identifier::new(&db);
        Scanner {
            db,
            identifier,
            options: ScanOptions::default(),
            #[cfg(feature = "hub")]
            hub: None,
            #[cfg(feature = "hub")]
            mlflow: None,
        }
    }

    /// The same scanner with `options`.
    pub fn with_options(mut self, options: ScanOptions) -> Scanner {
        self.options = options;
        self
    }

    /// The same scanner, reading `hf:` targets through `hub`.
    #[cfg(feature = "hub")]
    pub fn with_hub(mut self, hub: HubClient) -> Scanner {
        self.hub = Some(hub);
        self
    }

    /// The same scanner, reading `mlflow:` targets through `client`.
    #[cfg(feature = "hub")]
    pub fn with_mlflow(mut self, client: crate::source::mlflow::MlflowClient) -> Scanner {
        self.mlflow = Some(client);
        self
    }

    /// The MLflow registry client, when `mlflow:` targets can be read.
    #[cfg(feature = "hub")]
    pub fn mlflow(&self) -> Option<&crate::source::mlflow::MlflowClient> {
        self.mlflow.as_ref()
    }

    /// The Hub client, when `hf:` targets can be read.
    #[cfg(feature = "hub")]
    pub fn hub(&self) -> Option<&HubClient> {
        self.hub.as_ref()
    }

    /// The license database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Finds the models a target names. Errors are one line for the report.
    pub fn models(&self, target: &str) -> Result<Vec<Model>, String> {
        match target.parse::<Target>()? {
            Target::Hub { .. } => self.hub_model(target).map(|m| vec![m]),
            Target::Mlflow(spec) => self.mlflow_models(&spec),
            Target::Api { provider, model } => Ok(vec![api_model(target, &provider, &model)]),
            Target::Oci(spec) => oci::scan_oci_target(&spec),
            Target::Store { layout, rest } => {
                let prefix = &target[..target.len() - rest.len()];
                self.store(layout, prefix, &rest)
            }
            Target::Path(_) => self.path_models(target),
        }
    }

    /// A folder or a file (a store's folder is recognised by its layout).
    fn path_models(&self, target: &str) -> Result<Vec<Model>, String> {
        let path = Path::new(target);
        match std::fs::symlink_metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err("no such file or folder".into())
            }
            Err(e) => return Err(e.to_string()),
        }
        if let Err(e) = std::fs::metadata(path) {
            return Err(format!("cannot be read: {e}"));
        }
        match detect_layout(path) {
            Some(layout) => Ok(scan_layout(layout, path, self.options.all_revisions)),
            None => Ok(local::scan(path, target)),
        }
    }

    #[cfg(feature = "hub")]
    fn hub_model(&self, target: &str) -> Result<Model, String> {
        let hub = self
            .hub
            .as_ref()
            .ok_or("the Hugging Face Hub client is not configured")?;
        // The report names the target already: its message should not say it twice.
        hub.fetch(target).map_err(|e| {
            let message = e.to_string();
            match message
                .strip_prefix(target)
                .and_then(|m| m.strip_prefix(": "))
            {
                Some(rest) => rest.to_string(),
                None => message,
            }
        })
    }

    /// The versions `mlflow:NAME[/VERSION]` names. One version that cannot be read is the
    /// target's error; among several, it is a model whose files could not be read.
    #[cfg(feature = "hub")]
    fn mlflow_models(&self, spec: &str) -> Result<Vec<Model>, String> {
        use crate::finding::{Code, Finding, Severity};
        let client = self
            .mlflow
            .as_ref()
            .ok_or("no MLflow tracking server: set MLFLOW_TRACKING_URI or give --mlflow URL")?;
        let versions = client.resolve(spec)?;
        if let [one] = versions.as_slice() {
            return client.fetch(one);
        }
        let mut out = Vec::new();
        for v in &versions {
            match client.fetch(v) {
                Ok(models) => out.extend(models),
                Err(why) => {
                    let mut m = Model::new(v.target(), TargetKind::Mlflow);
                    m.findings
                        .push(Finding::new(Code::UnreadableFile, Severity::Error, why));
                    out.push(m);
                }
            }
        }
        Ok(out)
    }

    #[cfg(not(feature = "hub"))]
    fn mlflow_models(&self, _spec: &str) -> Result<Vec<Model>, String> {
        Err("this build has no MLflow support (cargo feature `hub`)".into())
    }

    #[cfg(not(feature = "hub"))]
    fn hub_model(&self, _target: &str) -> Result<Model, String> {
        Err("this build has no Hub support (cargo feature `hub`)".into())
    }

    /// `PREFIX:` (the default location), `PREFIX:DIR`, or `PREFIX:NAME` (one model of the
    /// default store, by the name the store gives it).
    fn store(&self, layout: Layout, prefix: &str, rest: &str) -> Result<Vec<Model>, String> {
        let given = Path::new(rest);
        if !rest.is_empty() && given.is_dir() {
            return Ok(scan_layout(layout, given, self.options.all_revisions));
        }
        let Some(dir) = locate(layout, &self.options.stores) else {
            let looked: Vec<String> = candidates(layout, &self.options.stores)
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            return Err(format!(
                "no {} store found (looked in {})",
                prefix.trim_end_matches(':'),
                looked.join(", ")
            ));
        };
        if rest.is_empty() {
            return Ok(scan_layout(layout, &dir, self.options.all_revisions));
        }
        let found: Vec<Model> = if layout == Layout::DockerModels {
            // Docker names a model by any of its tags, with or without defaults.
            oci::scan_docker_named(&dir, rest)
        } else {
            let wanted = format!("{prefix}{rest}");
            scan_layout(layout, &dir, self.options.all_revisions)
                .into_iter()
                .filter(|m| {
                    m.target == wanted
                        || m.name.as_deref() == Some(rest)
                        || m.target.strip_prefix(prefix) == Some(rest)
                })
                .collect()
        };
        if found.is_empty() {
            return Err(format!("no model `{rest}` in {}", dir.display()));
        }
        Ok(found)
    }

    /// Judges models, in parallel on the machine's cores.
    pub fn judge_all(&self, models: Vec<Model>) -> Vec<Verdict> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(models.len().max(1));
        if threads <= 1 || models.len() < 8 {
            return models
                .into_iter()
                .map(|m| judge(&self.db, &self.identifier, m))
                .collect();
        }
        let chunk = models.len().div_ceil(threads);
        let mut models = models;
        let mut chunks = Vec::new();
        while !models.is_empty() {
            let rest = models.split_off(chunk.min(models.len()));
            chunks.push(std::mem::replace(&mut models, rest));
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|c| {
                    s.spawn(move || {
                        c.into_iter()
                            .map(|m| judge(&self.db, &self.identifier, m))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("judging never panics"))
                .collect()
        })
    }

    /// Finds and judges the models of one target (lineage is applied over a whole run, by
    /// [`Scanner::finish`]).
    pub fn verdicts(&self, target: &str) -> Result<Vec<Verdict>, String> {
        self.models(target).map(|models| self.judge_all(models))
    }

    /// Applies lineage across every verdict of a run and builds its report.
    pub fn finish(&self, mut verdicts: Vec<Verdict>, errors: Vec<TargetError>) -> Report {
        lineage::apply(&self.db, &mut verdicts);
        Report::new(verdicts, errors)
    }

    /// Scans every target into one report.
    pub fn scan(&self, targets: &[String]) -> Report {
        let mut models = Vec::new();
        let mut errors = Vec::new();
        for target in targets {
            match self.models(target) {
                Ok(found) => models.extend(found),
                Err(message) => errors.push(TargetError {
                    target: target.clone(),
                    message,
                }),
            }
        }
        let verdicts = self.judge_all(models);
        self.finish(verdicts, errors)
    }
}

/// `api:PROVIDER/MODEL`: a closed model reached only through its provider's API; its
/// terms are the provider's, resolved through license-db aliases of the provider name.
fn api_model(target: &str, provider: &str, name: &str) -> Model {
    let mut model = Model::new(target, TargetKind::Api);
    model.name = Some(format!("{provider}/{name}"));
    model.declared.push(Declared {
        source: SourceKind::ProviderTerms,
        field: "provider".into(),
        value: format!("{provider}-api-terms"),
        path: None,
        line: None,
    });
    model
}
