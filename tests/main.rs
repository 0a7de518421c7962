//! Integration tests: one binary, one module per concern.

mod cli;
mod formats;
mod hostile;
mod props;
mod stores;
mod util;
