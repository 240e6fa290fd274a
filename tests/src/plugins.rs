//! Builds the wasm plugins (examples and raw fixtures) once per test run.

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

/// Where `cargo build --release --target wasm32-wasip2 -p <package>` puts
/// the component.
pub fn component_path(package: &str) -> PathBuf {
    target_dir()
        .join("wasm32-wasip2")
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}

fn cargo_build(packages: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root()).args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--quiet",
    ]);
    for p in packages {
        cmd.args(["-p", p]);
    }
    let output = cmd
        .output()
        .context("cannot run `cargo build` for the wasm plugins")?;
    if !output.status.success() {
        bail!(
            "`cargo build --release --target wasm32-wasip2 -p {}` failed:\n{}",
            packages.join(" -p "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// The component of plugin `package` (an example or a fixture), built on
/// first use. Every known plugin is built in one `cargo` run; if that fails
/// (one plugin does not compile), each plugin is built on its own so the
/// others stay testable, and the error names the broken one.
pub fn wasm_plugin(package: &str) -> anyhow::Result<PathBuf> {
    static ALL: OnceLock<Result<(), String>> = OnceLock::new();
    static ONE: OnceLock<Mutex<HashMap<String, Result<(), String>>>> = OnceLock::new();
    let all_ok = ALL
        .get_or_init(|| {
            let all: Vec<&str> = EXAMPLES.iter().chain(FIXTURES).copied().collect();
            cargo_build(&all).map_err(|e| format!("{e:#}"))
        })
        .is_ok();
    if !all_ok {
        let one = ONE.get_or_init(Default::default);
        let mut built = one
            .lock()
            .map_err(|_| anyhow::anyhow!("plugin build lock poisoned"))?;
        let result = built
            .entry(package.to_string())
            .or_insert_with(|| cargo_build(&[package]).map_err(|e| format!("{e:#}")));
        if let Err(e) = result {
            bail!("cannot build plugin `{package}`: {e}");
        }
    }
    let path = component_path(package);
    if !path.exists() {
        bail!(
            "plugin `{package}` was built but `{}` is missing",
            path.display()
        );
    }
    Ok(path)
}
