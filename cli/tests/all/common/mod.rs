//! Running the `gatewit` binary as a user does.

use std::process::Command;

/// Runs `gatewit args…`: (success, stdout, stderr).
pub fn gatewit(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatewit"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("gatewit runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
