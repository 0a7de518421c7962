//! Integration tests: one binary, one module per concern.

mod cli;
mod identify;
mod util;
