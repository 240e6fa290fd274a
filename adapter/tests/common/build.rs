//! The workspace's plugins as a real toolchain emits them, so the adapter is
//! exercised on real input; built once per test run by
//! `gatewit-test-programs`. Shared by the tests (through `common`) and the
//! benches (`#[path]`).

use anyhow::Result;

/// The `.wasm` of `package` built for `target` (release).
pub fn wasm(package: &str, target: &str) -> Result<Vec<u8>> {
    gatewit_test_programs::bytes(package, target)
}
