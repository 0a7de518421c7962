//! Hostile-input costs inside the library, each timed once (run in release):
//! a 1 MiB front matter of nested `[`, an audit over a 60,000-model listing with every
//! model listed twice, and a 60,000-line inventory.
//!
//!     cargo run --release --example hostile_bench
//!
//! Whole-process time and peak memory (nested card, 1 GiB inventory) come from
//! benches/hostile.sh; figures in README.md.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout

use std::time::Instant;

use model_license::audit::{audit, parse_inventory};
use model_license::source::card;

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    println!("{label}: {:.3} s", start.elapsed().as_secs_f64());
    out
}

fn main() {
    let nested = format!("---\nlicense: {}\n---\n# x\n", "[".repeat(1 << 20));
    let parsed = timed("1 MiB nested YAML front matter", || {
        card::parse(&nested, "README.md")
    });
    assert!(!parsed.findings.is_empty(), "refused with a finding");

    let listing: Vec<String> = (0..60_000)
        .map(|i| format!("hf:org/model-{}", i % 30_000))
        .collect();
    let outcome = timed("audit of a 60,000-model listing (30,000 unique)", || {
        audit(&listing, 2, |_| Ok(Vec::new()), |_, _, _| {})
    });
    assert_eq!(outcome.verdicts.len() + outcome.errors.len(), 0);

    let inventory: String = (0..60_000)
        .map(|i| format!("hf:org/model-{}\n", i % 30_000))
        .collect();
    let inv = timed("60,000-line inventory", || parse_inventory(&inventory));
    assert_eq!(inv.entries.len(), 30_000);
}
