//! Integration tests: one binary, one module per concern.
#[cfg(feature = "hub")]
mod hub;
