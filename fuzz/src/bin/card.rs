//! AFL target: `harness::card`.

fn main() {
    afl::fuzz!(|data: &[u8]| model_license_fuzz::harness::card(data));
}
