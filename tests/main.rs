//! Integration tests: one binary, one module per concern.

mod cli;
mod formats;
mod hostile;
mod stores;
mod util;
