//! AFL target: `harness::safetensors`.

fn main() {
    afl::fuzz!(|data: &[u8]| model_license_fuzz::harness::safetensors(data));
}
