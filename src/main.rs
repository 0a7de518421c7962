//! The `model-license` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    model_license::cli::main()
}
