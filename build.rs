//! Embeds license-db/ into the binary: writes a table of (relative path, include_str!) pairs.

use std::{env, fs, path::Path};

fn main() {
    // Read at run time, not compile time: a target/ copied from another checkout must not
    // embed that checkout's records.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("license-db");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut entries = Vec::new();
    for sub in ["licenses", "texts"] {
        let dir = root.join(sub);
        println!("cargo:rerun-if-changed={}", dir.display());
        let Ok(read) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            if path.is_file() {
                let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
                entries.push((name, path));
            }
        }
    }
    entries.sort();
    let mut out = String::from("/// Every file of license-db/, embedded at build time.\npub static FILES: &[(&str, &str)] = &[\n");
    for (name, path) in entries {
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("license_db.rs");
    fs::write(dest, out).unwrap();
}
