//! AFL target: `harness::identify` (license-db and the index are built once, before the
//! fork server starts).

use model_license::db::Db;
use model_license::identify::Identifier;

fn main() {
    let db = Db::embedded().expect("embedded license-db loads");
    let identifier = Identifier::new(&db);
    afl::fuzz!(|data: &[u8]| model_license_fuzz::harness::identify(&db, &identifier, data));
}
