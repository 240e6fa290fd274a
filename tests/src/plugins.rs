//! The wasm plugins the tiers load, built once per test run by
//! `gatewit-test-programs` (this module names them for the scenario table).

use std::path::PathBuf;

pub use gatewit_test_programs::{
    COMPONENT_TARGET, COMPOSED_EXAMPLES, CORE_TARGET, EXAMPLES, FIXTURES, JS_EXAMPLES, PY_EXAMPLES,
    target_dir, wasm_path, workspace_root,
};

/// Where `cargo build --release --target wasm32-wasip2 -p <package>` puts
/// the component.
pub fn component_path(package: &str) -> PathBuf {
    wasm_path(package, COMPONENT_TARGET)
}

/// `package` (a `cdylib` of the workspace) built for `target`, once per run;
/// returns the `.wasm` path.
pub fn built_once(package: &str, target: &str) -> anyhow::Result<PathBuf> {
    gatewit_test_programs::build(package, target)
}

/// The component of plugin `package` (`wasm32-wasip2`), built on first use.
pub fn wasm_plugin(package: &str) -> anyhow::Result<PathBuf> {
    built_once(package, COMPONENT_TARGET)
}

/// The proxy-wasm core module of `package` (a `cdylib` built for
/// `wasm32-unknown-unknown`, like the bench plugins under `bench/plugins/`),
/// built on first use.
pub fn core_module(package: &str) -> anyhow::Result<PathBuf> {
    built_once(package, CORE_TARGET)
}
