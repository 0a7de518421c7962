//! Renderers, one per output format.

pub mod csv;
