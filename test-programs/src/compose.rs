//! Composed example plugins: a plugin component and a library component,
//! both cargo packages of the workspace, joined by `wac plug` (the pinned
//! `wac-cli` of `toolchains/wac/pin`, which `scripts/install-deps.sh`
//! installs into `.tools/`), as a plugin author composes them.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};

use crate::{COMPONENT_TARGET, wasm_path, workspace_root, write_atomically};

/// A composed example: its name (where its component lands, as a package
/// of that name would), the plugin package and the library package.
pub struct Composed {
    /// The example's name (`examples/<name>`).
    pub name: &'static str,
    /// The plugin component's package (the socket).
    pub plugin: &'static str,
    /// The library component's package (the plug).
    pub library: &'static str,
}

/// Every composed example.
pub const COMPOSED: &[Composed] = &[Composed {
    name: "my-plugin-composed",
    plugin: "my-plugin-composed-plugin",
    library: "my-plugin-composed-greeter",
}];

/// The pinned `wac`.
pub fn wac() -> PathBuf {
    workspace_root().join(".tools/bin/wac")
}

/// Build `c`'s two components and compose them; returns the composition's
/// path. Skipped when the composition is newer than both parts and `wac`.
pub(crate) fn build(c: &Composed) -> Result<PathBuf> {
    static LOCK: Mutex<()> = Mutex::new(());
    let plugin = crate::build(c.plugin, COMPONENT_TARGET)?;
    let library = crate::build(c.library, COMPONENT_TARGET)?;
    let out = wasm_path(c.name, COMPONENT_TARGET);
    let _guard = LOCK
        .lock()
        .map_err(|_| anyhow::anyhow!("composition lock poisoned"))?;
    let wac = wac();
    if !wac.is_file() {
        bail!(
            "`{}` is missing: run `scripts/install-deps.sh wac` (it installs the pinned wac-cli)",
            wac.display()
        );
    }
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let Some(done) = modified(&out)
        && [&plugin, &library, &wac]
            .iter()
            .all(|p| modified(p).is_some_and(|t| t <= done))
    {
        return Ok(out);
    }
    let tmp = out.with_extension(format!("{}.plug.wasm", std::process::id()));
    let output = Command::new(&wac)
        .arg("plug")
        .arg(&plugin)
        .arg("--plug")
        .arg(&library)
        .arg("-o")
        .arg(&tmp)
        .output()
        .with_context(|| format!("cannot run `{}`", wac.display()))?;
    if !output.status.success() {
        bail!(
            "`wac plug {} --plug {}` failed:\n{}",
            plugin.display(),
            library.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let bytes = std::fs::read(&tmp).with_context(|| format!("reading `{}`", tmp.display()))?;
    let _ = std::fs::remove_file(&tmp);
    write_atomically(&out, &bytes)?;
    Ok(out)
}
