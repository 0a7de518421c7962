//! AFL target: `harness::policy` (license-db is loaded once, before the fork server starts).

use model_license::db::Db;

fn main() {
    let db = Db::embedded().expect("embedded license-db loads");
    afl::fuzz!(|data: &[u8]| model_license_fuzz::harness::policy(&db, data));
}
