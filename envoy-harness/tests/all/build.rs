//! Building the workspace's proxy-wasm test modules on demand, so the
//! tests always load what the sources say.

use anyhow::{Context as _, Result};
use std::path::PathBuf;

use gatewit_test_programs::target_dir;

/// Builds `package` (a `cdylib` in this workspace) in release mode for
/// `target` (e.g. `wasm32-unknown-unknown`) and returns the `.wasm` path;
/// every test program of that target is built with it, once per run.
pub fn build_wasm(package: &str, target: &str) -> Result<PathBuf> {
    gatewit_test_programs::build(package, target)
}

/// Builds `package` (a gatewit plugin `cdylib`) as a component for
/// `wasm32-wasip2` in release mode and adapts it with the adapter library
/// (profile `envoy`, as `gatewit adapt` does) into a proxy-wasm module
/// under `<target>/envoy-harness/`; returns the module's path.
pub fn build_adapted(package: &str) -> Result<PathBuf> {
    let component = build_wasm(package, "wasm32-wasip2")?;
    let out_dir = target_dir().join("envoy-harness");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("creating `{}`", out_dir.display()))?;
    let module = out_dir.join(format!("{}.proxy.wasm", package.replace('-', "_")));
    let bytes =
        std::fs::read(&component).with_context(|| format!("reading `{}`", component.display()))?;
    let adapted = gatewit_adapter::adapt(&bytes, &gatewit_adapter::Options::default())
        .with_context(|| format!("adapting `{}`", component.display()))?;
    gatewit_test_programs::write_atomically(&module, &adapted.module)?;
    Ok(module)
}
