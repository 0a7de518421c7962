//! Integration tests: one binary, one module per concern.

mod cli;
mod policy;
mod util;
