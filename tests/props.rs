//! Property tests over the fuzz targets' entry points, inside `cargo test`: random bytes,
//! and the committed fuzz seeds (fuzz/corpus/<target>/) with random edits. The checks are
//! the AFL harness's own (fuzz/src/harness.rs), so CI runs them on every build; the long
//! AFL runs are in docs/fuzzing.md.

#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::fs;
use std::sync::OnceLock;

use model_license::db::Db;
use model_license::identify::Identifier;
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::formats::writer::{Gguf, Val};
use crate::util::root;

/// The committed seeds of one fuzz target.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.into_iter().map(|p| fs::read(p).unwrap()).collect()
}

/// One edit of a seed: what AFL's havoc stage does, in small.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Truncate(usize),
    /// Copies a chunk of the input elsewhere (repeats length fields, keys, lines).
    Splice(usize, usize, usize),
    /// Sets 8 bytes to an interesting integer (a length or count field).
    Int(usize, u64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let interesting = prop::sample::select(vec![
        0,
        1,
        7,
        8,
        255,
        65_535,
        65_536,
        u32::MAX as u64,
        1 << 32,
        1 << 40,
        i64::MAX as u64,
        u64::MAX,
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Set(at, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1..64usize).prop_map(|(at, n)| Edit::Remove(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1..256usize, any::<usize>()).prop_map(|(a, n, b)| Edit::Splice(a, n, b)),
        (any::<usize>(), interesting).prop_map(|(at, v)| Edit::Int(at, v)),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = data.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match e {
            Edit::Set(i, b) if len > 0 => data[i % len] = *b,
            Edit::Insert(i, b) => {
                let i = at(*i);
                data.splice(i..i, b.iter().copied());
            }
            Edit::Remove(i, n) => {
                let i = at(*i);
                data.drain(i..(i + n).min(len));
            }
            Edit::Truncate(i) => data.truncate(at(*i)),
            Edit::Splice(a, n, b) if len > 0 => {
                let a = a % len;
                let chunk = data[a..(a + n).min(len)].to_vec();
                let b = at(*b);
                data.splice(b..b, chunk);
            }
            Edit::Int(i, v) if len >= 8 => {
                let i = i % (len - 7);
                data[i..i + 8].copy_from_slice(&v.to_le_bytes());
            }
            _ => {}
        }
    }
    data
}

/// A seed of `target` with 1 to 8 random edits.
fn mutated(target: &str) -> impl Strategy<Value = Vec<u8>> {
    let seeds = seeds(target);
    (
        prop::sample::select(seeds),
        prop::collection::vec(edit(), 1..8),
    )
        .prop_map(|(seed, edits)| apply(seed, &edits))
}

fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A well-formed GGUF header with random keys and values (strings, lists, integers).
fn gguf_file() -> impl Strategy<Value = Vec<u8>> {
    let key = prop::sample::select(vec![
        "general.license",
        "general.license.name",
        "general.license.link",
        "general.name",
        "general.base_model.count",
        "general.base_model.0.name",
        "general.base_model.0.repo_url",
        "general.base_model.70.organization",
        "tokenizer.ggml.tokens",
        "x",
    ]);
    let val = prop_oneof![
        any::<u32>().prop_map(Val::U32),
        any::<i32>().prop_map(Val::I32),
        ".{0,40}".prop_map(Val::Str),
        prop::collection::vec(".{0,8}", 0..6).prop_map(Val::Strs),
        prop::collection::vec(any::<f32>(), 0..6).prop_map(Val::F32s),
    ];
    (
        prop::collection::vec((key, val), 0..8),
        any::<bool>(),
        2..4u32,
    )
        .prop_map(|(kvs, big_endian, version)| {
            let mut g = Gguf::new();
            g.version = version;
            g.big_endian = big_endian;
            for (k, v) in kvs {
                g = g.kv(k, v);
            }
            g.bytes()
        })
}

fn db() -> &'static (Db, Identifier) {
    static DB: OnceLock<(Db, Identifier)> = OnceLock::new();
    DB.get_or_init(|| {
        let db = Db::embedded().unwrap();
        let identifier = Identifier::new(&db);
        (db, identifier)
    })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn gguf_random(data in random_bytes()) {
        harness::gguf(&data);
    }

    #[test]
    fn gguf_mutated(data in mutated("gguf")) {
        harness::gguf(&data);
    }

    #[test]
    fn gguf_well_formed_then_mutated(data in gguf_file(), edits in prop::collection::vec(edit(), 0..4)) {
        harness::gguf(&apply(data, &edits));
    }

    #[test]
    fn safetensors_random(data in random_bytes()) {
        harness::safetensors(&data);
    }

    #[test]
    fn safetensors_mutated(data in mutated("safetensors")) {
        harness::safetensors(&data);
    }

    #[test]
    fn card_random(text in "(---\n)?(\\PC{0,20}\n){0,12}(---\n)?\\PC{0,40}") {
        harness::card(text.as_bytes());
    }

    #[test]
    fn card_mutated(data in mutated("card")) {
        harness::card(&data);
    }

    #[test]
    fn ollama_manifest_random(data in random_bytes()) {
        harness::ollama_manifest(&data);
    }

    #[test]
    fn ollama_manifest_mutated(data in mutated("ollama_manifest")) {
        harness::ollama_manifest(&data);
    }
}

proptest! {
    // Identification is the slowest entry point: fewer cases.
    #![proptest_config(config(48))]

    #[test]
    fn identify_random(text in "(\\PC{0,80}\n){0,20}") {
        let (db, identifier) = db();
        harness::identify(db, identifier, text.as_bytes());
    }

    #[test]
    fn identify_mutated(data in mutated("identify")) {
        let (db, identifier) = db();
        harness::identify(db, identifier, &data);
    }

    #[test]
    fn policy_random(text in "(\\[[a-z]{0,12}\\]\n)?([a-z_]{1,16} = (\"\\PC{0,12}\"|[0-9-]{1,20}|\\[\"[a-z0-9.-]{0,12}\"\\])\n){0,6}") {
        harness::policy(&db().0, text.as_bytes());
    }

    #[test]
    fn policy_mutated(data in mutated("policy")) {
        harness::policy(&db().0, &data);
    }
}

/// The properties hold on every seed itself, unedited (so a seed that already breaks a
/// check fails here, named).
#[test]
fn every_seed_passes_its_harness() {
    let (db, identifier) = db();
    for data in seeds("gguf") {
        harness::gguf(&data);
    }
    for data in seeds("safetensors") {
        harness::safetensors(&data);
    }
    for data in seeds("card") {
        harness::card(&data);
    }
    for data in seeds("ollama_manifest") {
        harness::ollama_manifest(&data);
    }
    for data in seeds("identify") {
        harness::identify(db, identifier, &data);
    }
    for data in seeds("policy") {
        harness::policy(db, &data);
    }
}

/// The sparse reader the harness uses really is a long file of zeros after the data.
#[test]
fn sparse_reader_reads_data_then_zeros() {
    use std::io::{Read, Seek, SeekFrom};
    let mut r = harness::Sparse::new(b"abc", 6);
    let mut all = Vec::new();
    r.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"abc\0\0\0");
    r.seek(SeekFrom::Start(1)).unwrap();
    let mut two = [0u8; 2];
    r.read_exact(&mut two).unwrap();
    assert_eq!(&two, b"bc");
    assert!(r.seek(SeekFrom::Current(-10)).is_err());
}

/// Line counting in the identify check follows editors: `\r\n`, `\n` and lone `\r`.
#[test]
fn editor_lines_counts_every_line_ending() {
    assert_eq!(harness::editor_lines(""), 1);
    assert_eq!(harness::editor_lines("a"), 1);
    assert_eq!(harness::editor_lines("a\n"), 1);
    assert_eq!(harness::editor_lines("a\r\nb\r\n"), 2);
    assert_eq!(harness::editor_lines("a\rb\rc"), 3);
    assert_eq!(harness::editor_lines("a\n\nb"), 3);
}
