//! Identification benchmarks (criterion): building the identifier from the embedded db,
//! identifying one pristine text, one edited text, a multi-license file, a non-license,
//! and the whole generated corpus.
//! `cargo bench --bench identify`; whole-process figures against askalono: `benches/compare.sh`.

mod corpus;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use model_license::identify::Identifier;
use model_license::Db;

fn bench(c: &mut Criterion) {
    let db = Db::embedded().expect("embedded db");
    let id = Identifier::new(&db);
    let text = |key: &str| {
        let l = db.get(key).expect("record");
        db.text(&l.texts[0]).expect("text").to_string()
    };
    let llama = text("llama3.1");
    let edited = corpus::rewrap(&llama.replacen("700 million", "7 million", 1), 72);
    let combo = format!(
        "{llama}\n\n{}\n\n{}",
        text("llama3.1-aup"),
        text("apache-2.0")
    );
    let code = include_str!("../src/identify/matcher.rs");
    let cases = corpus::generate(&db);

    c.bench_function("identifier_new", |b| b.iter(|| Identifier::new(&db)));
    c.bench_function("identify/llama3.1_exact", |b| {
        b.iter(|| id.identify(&llama))
    });
    c.bench_function("identify/llama3.1_rewrapped_modified", |b| {
        b.iter(|| id.identify(&edited))
    });
    c.bench_function("identify/llama3.1+aup+apache", |b| {
        b.iter(|| id.identify(&combo))
    });
    c.bench_function("identify/source_code", |b| b.iter(|| id.identify(code)));
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.sample_size(10);
    g.bench_function("identify_all", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| id.identify(&c.text).matches.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
