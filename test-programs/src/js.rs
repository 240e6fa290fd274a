//! JavaScript plugins: `componentize-js` (StarlingMonkey) from the pinned
//! npm package in `toolchains/js`, which `scripts/install-deps.sh` installs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};

use crate::{COMPONENT_TARGET, wasm_path, workspace_root, write_atomically};

/// The engine features a gateway plugin has no use for. Left enabled, the
/// component imports `wasi:http` and friends (35 functions of
/// `wasi:http/types` alone), which no proxy-wasm host can serve.
const DISABLED_FEATURES: &[&str] = &["stdio", "random", "clocks", "http", "fetch-event"];

/// The componentize-js executable of the project's JavaScript toolchain.
pub fn componentize_js() -> PathBuf {
    workspace_root().join("toolchains/js/node_modules/.bin/componentize-js")
}

/// Builds `examples/<package>/plugin.js` into its component, once per
/// process, and only when the source, the WIT or the toolchain changed
/// since the last build (a StarlingMonkey build takes ~20 s).
pub(crate) fn build(package: &str) -> Result<PathBuf> {
    static BUILT: OnceLock<Mutex<HashMap<String, Result<(), String>>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("JavaScript build lock poisoned"))?;
    let result = built
        .entry(package.to_string())
        .or_insert_with(|| build_now(package).map_err(|e| format!("{e:#}")));
    if let Err(e) = result {
        bail!("cannot build the JavaScript plugin `{package}`: {e}");
    }
    Ok(wasm_path(package, COMPONENT_TARGET))
}

fn build_now(package: &str) -> Result<()> {
    let root = workspace_root();
    let source = root.join("examples").join(package).join("plugin.js");
    let wit = root.join("wit");
    let tool = componentize_js();
    let lock = root.join("toolchains/js/package-lock.json");
    let out = wasm_path(package, COMPONENT_TARGET);
    if !tool.is_file() {
        bail!(
            "the JavaScript toolchain is not installed (`{}` is missing): run `scripts/install-deps.sh js`",
            tool.display()
        );
    }
    let inputs = [source.clone(), wit.join("plugin.wit"), lock];
    if is_newer_than(&out, &inputs) {
        return Ok(());
    }
    let dir = out.parent().context("the output path has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    // componentize-js writes its output in place; build beside it, then
    // publish the bytes atomically for test binaries reading concurrently.
    let partial = dir.join(format!(".{package}-{}.js.wasm", std::process::id()));
    let output = Command::new(&tool)
        .arg(&source)
        .arg("--wit")
        .arg(&wit)
        .args(["--world-name", "plugin", "--disable"])
        .args(DISABLED_FEATURES)
        .arg("--out")
        .arg(&partial)
        .output()
        .with_context(|| format!("cannot run `{}`", tool.display()))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!(
            "`componentize-js {}` failed:\n{}{}",
            source.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let bytes =
        std::fs::read(&partial).with_context(|| format!("reading `{}`", partial.display()))?;
    let _ = std::fs::remove_file(&partial);
    write_atomically(&out, &bytes)
}

/// Whether `out` exists and was written after every one of `inputs`.
fn is_newer_than(out: &Path, inputs: &[PathBuf]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(out) else {
        return false;
    };
    inputs
        .iter()
        .all(|i| modified(i).is_some_and(|t: SystemTime| t <= built))
}
