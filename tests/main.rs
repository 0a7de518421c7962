//! Integration tests: one binary, one module per concern.

mod check;
mod cli;
mod formats;
mod hostile;
mod policy;
mod props;
mod stores;
mod util;
