//! Builds a workspace plugin with the `cargo` running the test or bench, so
//! the adapter is exercised on what a real toolchain emits. Shared by the
//! tests (through `common`) and the benches (`#[path]`), which cannot use
//! `gatewit-tests`: that crate depends on this one.

use anyhow::{Context, Result, ensure};
use std::path::PathBuf;
use std::process::Command;

/// `cargo build --release --target <target> -p <package>`, then the
/// `.wasm` it wrote.
pub fn wasm(package: &str, target: &str) -> Result<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "--release", "--target", target, "-p", package])
        .status()
        .context("cannot run cargo")?;
    ensure!(status.success(), "building `{package}` for {target} failed");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or(root.join("target"));
    let path = dir
        .join(target)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")));
    std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
}
