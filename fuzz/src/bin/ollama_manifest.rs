//! AFL target: `harness::ollama_manifest`.

fn main() {
    afl::fuzz!(|data: &[u8]| model_license_fuzz::harness::ollama_manifest(data));
}
