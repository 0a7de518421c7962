//! Integration tests: one binary, one module per concern.

mod check;
mod cli;
mod fail_closed;
mod formats;
mod hostile;
#[cfg(feature = "hub")]
mod hub;
#[cfg(feature = "hub")]
mod hub_cli;
mod identify;
mod oci;
mod official;
mod policy;
mod props;
mod stores;
mod util;
