//! Integration tests: one binary, one module per concern.

mod bom;
mod check;
mod cli;
mod fail_closed;
mod formats;
mod hostile;
mod html;
#[cfg(feature = "hub")]
mod hub;
#[cfg(feature = "hub")]
mod hub_cli;
mod identify;
mod merge;
#[cfg(feature = "hub")]
mod mlflow;
mod oci;
mod official;
mod policy;
mod props;
mod stores;
mod util;
