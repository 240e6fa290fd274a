//! Building the workspace's proxy-wasm test and bench modules on demand, so
//! tests and the bench driver always load what the sources say.

use anyhow::{Context as _, Result, bail};
use std::path::PathBuf;
use std::process::Command;

/// The workspace root (this crate's parent directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Cargo's target directory: `$CARGO_TARGET_DIR`, else `<root>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// Builds `package` (a `cdylib` in this workspace) in release mode for
/// `target` (e.g. `wasm32-unknown-unknown`) and returns the `.wasm` path.
/// Cargo makes this a no-op when nothing changed.
pub fn build_wasm(package: &str, target: &str) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .current_dir(workspace_root())
        .args([
            "build",
            "--quiet",
            "--release",
            "--target",
            target,
            "-p",
            package,
        ])
        .output()
        .with_context(|| format!("running `cargo build -p {package}`"))?;
    if !out.status.success() {
        bail!(
            "`cargo build -p {package} --target {target}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let path = target_dir()
        .join(target)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")));
    if !path.is_file() {
        bail!(
            "`cargo build -p {package}` succeeded but `{}` is missing",
            path.display()
        );
    }
    Ok(path)
}

/// Builds `package` (a gatewit plugin `cdylib`) as a component for
/// `wasm32-wasip2` in release mode and adapts it with `gatewit adapt`
/// (`gatewit-cli`, profile `envoy`) into a proxy-wasm module under
/// `<target>/envoy-harness/`; returns the module's path.
pub fn build_adapted(package: &str) -> Result<PathBuf> {
    let component = build_wasm(package, "wasm32-wasip2")?;
    let out_dir = target_dir().join("envoy-harness");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("creating `{}`", out_dir.display()))?;
    let module = out_dir.join(format!("{}.proxy.wasm", package.replace('-', "_")));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .current_dir(workspace_root())
        .args(["run", "--quiet", "-p", "gatewit-cli", "--", "adapt"])
        .arg(&component)
        .arg("-o")
        .arg(&module)
        .env("RUST_BACKTRACE", "0")
        .output()
        .context("running `cargo run -p gatewit-cli -- adapt`")?;
    if !out.status.success() {
        bail!(
            "`gatewit adapt {}` failed:\n{}",
            component.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(module)
}
