//! AFL target: `harness::gguf`.

fn main() {
    afl::fuzz!(|data: &[u8]| model_license_fuzz::harness::gguf(data));
}
