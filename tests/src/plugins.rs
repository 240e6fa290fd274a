//! Builds the wasm plugins (examples, raw fixtures, bench plugins) once per
//! test run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, bail};

/// Every example plugin of the workspace.
pub const EXAMPLES: &[&str] = &[
    "hello-world",
    "my-plugin",
    "http-call",
    "redis-demo",
    "body-rewrite",
    "route-call",
    "queue-counter",
];
/// The raw (no-SDK) fixture plugins under `tests/plugins/`.
pub const FIXTURES: &[&str] = &["raw-fixture", "raw-hooks"];

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The workspace's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// The target gatewit plugins are built for: rustc emits the component.
pub const COMPONENT_TARGET: &str = "wasm32-wasip2";
/// The target plain proxy-wasm modules are built for (the bench plugins
/// written on the `proxy-wasm` crate or on the raw ABI): no WASI imports,
/// which Envoy would not provide.
pub const CORE_TARGET: &str = "wasm32-unknown-unknown";

/// Where `cargo build --release --target <target> -p <package>` puts the
/// `.wasm` file.
pub fn wasm_path(package: &str, target: &str) -> PathBuf {
    target_dir()
        .join(target)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}

/// Where `cargo build --release --target wasm32-wasip2 -p <package>` puts
/// the component.
pub fn component_path(package: &str) -> PathBuf {
    wasm_path(package, COMPONENT_TARGET)
}

fn cargo_build(target: &str, packages: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .args(["build", "--release", "--target", target, "--quiet"]);
    for p in packages {
        cmd.args(["-p", p]);
    }
    let output = cmd
        .output()
        .context("cannot run `cargo build` for the wasm plugins")?;
    if !output.status.success() {
        bail!(
            "`cargo build --release --target {target} -p {}` failed:\n{}",
            packages.join(" -p "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// `package` (a `cdylib` of the workspace) built for `target` on its own,
/// once per run; returns the `.wasm` path.
pub fn built_once(package: &str, target: &str) -> anyhow::Result<PathBuf> {
    /// (package, target) → how its build went.
    type Builds = HashMap<(String, String), Result<(), String>>;
    static BUILT: OnceLock<Mutex<Builds>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("plugin build lock poisoned"))?;
    let result = built
        .entry((package.to_string(), target.to_string()))
        .or_insert_with(|| cargo_build(target, &[package]).map_err(|e| format!("{e:#}")));
    if let Err(e) = result {
        bail!("cannot build plugin `{package}` for `{target}`: {e}");
    }
    existing(package, target)
}

fn existing(package: &str, target: &str) -> anyhow::Result<PathBuf> {
    let path = wasm_path(package, target);
    if !path.exists() {
        bail!(
            "plugin `{package}` was built but `{}` is missing",
            path.display()
        );
    }
    Ok(path)
}

/// The component of plugin `package`, built on first use. The examples and
/// fixtures are built in one `cargo` run; if that fails (one plugin does not
/// compile), each is built on its own so the others stay testable, and the
/// error names the broken one. Any other plugin (e.g. a bench plugin) is
/// built on its own.
pub fn wasm_plugin(package: &str) -> anyhow::Result<PathBuf> {
    static ALL: OnceLock<Result<(), String>> = OnceLock::new();
    if !EXAMPLES.iter().chain(FIXTURES).any(|p| *p == package) {
        return built_once(package, COMPONENT_TARGET);
    }
    let all_ok = ALL
        .get_or_init(|| {
            let all: Vec<&str> = EXAMPLES.iter().chain(FIXTURES).copied().collect();
            cargo_build(COMPONENT_TARGET, &all).map_err(|e| format!("{e:#}"))
        })
        .is_ok();
    if !all_ok {
        return built_once(package, COMPONENT_TARGET);
    }
    existing(package, COMPONENT_TARGET)
}

/// The proxy-wasm core module of `package` (a `cdylib` built for
/// `wasm32-unknown-unknown`, like the bench plugins under `bench/plugins/`),
/// built on first use.
pub fn core_module(package: &str) -> anyhow::Result<PathBuf> {
    built_once(package, CORE_TARGET)
}
