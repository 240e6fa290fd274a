//! The workspace's wasm test programs, built once per test run.
//!
//! Every program is a `cdylib` package of this workspace, listed here with
//! the target it is built for. The first [`build`] for a target builds all
//! of that target's programs in one `cargo build --release` (cargo's own
//! lock orders concurrent test binaries; later calls are cargo's no-op
//! check), so a test run compiles each program once whichever tests ask for
//! it, and into the same `target/` the demo and the benchmarks use.
#![deny(missing_docs)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context as _, Result, bail};

mod compose;
mod foreign;
pub use compose::{COMPOSED, Composed, wac};
pub use foreign::Lang;

/// The target gatewit plugins are built for: rustc emits the component.
pub const COMPONENT_TARGET: &str = "wasm32-wasip2";
/// `wasm32-wasip1`: plugins wrapped with the preview1 component adapter, and
/// the proxy-wasm fixtures of the emulator.
pub const WASIP1_TARGET: &str = "wasm32-wasip1";
/// The target plain proxy-wasm modules (bench plugins on the `proxy-wasm`
/// crate or the raw ABI) are built for: no WASI imports.
pub const CORE_TARGET: &str = "wasm32-unknown-unknown";

/// Every example plugin of the workspace (`examples/`).
pub const EXAMPLES: &[&str] = &[
    "hello-world",
    "my-plugin",
    "http-call",
    "redis-demo",
    "body-rewrite",
    "route-call",
    "queue-counter",
    "ip-acl",
];
/// Example plugins written in JavaScript (`examples/<name>/plugin.js`), built
/// by the pinned componentize-js of `toolchains/js` into the path a
/// `wasm32-wasip2` build of a cargo package of that name would have, so the
/// tiers load them like any other component.
pub const JS_EXAMPLES: &[&str] = &["my-plugin-js"];
/// Example plugins written in Python (`examples/<name>/app.py`), built by
/// the pinned componentize-py of the project venv, placed as
/// [`JS_EXAMPLES`] are.
pub const PY_EXAMPLES: &[&str] = &["my-plugin-py"];
/// Example plugins made of two components composed with `wac plug`
/// (`examples/<name>/{plugin,…}`), placed as [`JS_EXAMPLES`] are; see
/// [`COMPOSED`] for their parts.
pub const COMPOSED_EXAMPLES: &[&str] = &["my-plugin-composed"];
/// The fixture plugins under `tests/plugins/` (raw ones, and `sdk-fixture`
/// on the SDK).
pub const FIXTURES: &[&str] = &["raw-fixture", "raw-hooks", "sdk-fixture"];
/// The adapter's own fixture plugin (`adapter/tests/fixture-plugin`).
pub const ADAPTER_FIXTURE: &str = "gatewit-adapter-fixture";
/// The gatewit bench plugins (components, adapted before use).
pub const BENCH_COMPONENTS: &[&str] = &[
    "gatewit-bench-gatewit-headers",
    "gatewit-bench-gatewit-noop",
    "gatewit-bench-composed-inline",
];
/// The examples the tiers also run as `wasm32-wasip1` + preview1 adapter.
pub const WASIP1_EXAMPLES: &[&str] = &[
    "hello-world",
    "my-plugin",
    "http-call",
    "redis-demo",
    "body-rewrite",
];
/// The proxy-wasm fixtures of the emulator's tests
/// (`proxy-emulator/tests/plugins`), built for `wasm32-wasip1`.
pub const EMULATOR_FIXTURES: &[&str] = &[
    "gatewit-emu-fixture-headers",
    "gatewit-emu-fixture-http-call",
    "gatewit-emu-fixture-local-reply",
    "gatewit-emu-fixture-body",
    "gatewit-emu-fixture-looping",
    "gatewit-emu-fixture-redis-raw",
];
/// The plain proxy-wasm modules of the benchmarks and the Envoy harness.
pub const CORE_MODULES: &[&str] = &[
    "gatewit-bench-empty",
    "gatewit-bench-crate-headers",
    "gatewit-bench-crate-noop",
    "gatewit-bench-floor-values",
    "gatewit-bench-floor-pairs",
    "gatewit-envoy-pause-probe",
];

/// The packages built together for `target`.
pub fn programs(target: &str) -> Vec<&'static str> {
    match target {
        COMPONENT_TARGET => EXAMPLES
            .iter()
            .chain(COMPOSED.iter().flat_map(|c| [&c.plugin, &c.library]))
            .chain(FIXTURES)
            .chain([&ADAPTER_FIXTURE])
            .chain(BENCH_COMPONENTS)
            .copied()
            .collect(),
        WASIP1_TARGET => WASIP1_EXAMPLES
            .iter()
            .chain([&ADAPTER_FIXTURE])
            .chain(EMULATOR_FIXTURES)
            .copied()
            .collect(),
        CORE_TARGET => CORE_MODULES.to_vec(),
        _ => Vec::new(),
    }
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The workspace's target directory (honours `CARGO_TARGET_DIR`, relative
/// to the workspace root as cargo reads it).
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

/// Where `cargo build --release --target <target> -p <package>` puts the
/// `.wasm` file.
pub fn wasm_path(package: &str, target: &str) -> PathBuf {
    target_dir()
        .join(target)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}

fn cargo_build(target: &str, packages: &[&str]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // `scripts/test.sh` lints the native build through clippy-driver as the
    // workspace compiler; the wasm builds are plain builds.
    cmd.current_dir(workspace_root())
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .args(["build", "--release", "--quiet", "--target", target]);
    for p in packages {
        cmd.args(["-p", p]);
    }
    let output = cmd
        .output()
        .context("cannot run `cargo build` for the wasm test programs")?;
    if !output.status.success() {
        bail!(
            "`cargo build --release --target {target} -p {}` failed:\n{}",
            packages.join(" -p "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// `package` built for `target`; returns the `.wasm` path. The first call
/// for a target builds every program of [`programs`]`(target)` at once; if
/// that fails (one program does not compile), each is then built on its own,
/// so the others stay testable and the error names the broken one. A
/// package not in the table is built on its own.
pub fn build(package: &str, target: &str) -> Result<PathBuf> {
    if JS_EXAMPLES.contains(&package) && target == COMPONENT_TARGET {
        return crate::foreign::build(package, Lang::JavaScript);
    }
    if PY_EXAMPLES.contains(&package) && target == COMPONENT_TARGET {
        return crate::foreign::build(package, Lang::Python);
    }
    if let Some(c) = COMPOSED.iter().find(|c| c.name == package)
        && target == COMPONENT_TARGET
    {
        return crate::compose::build(c);
    }
    /// target → how building all of its programs went.
    static ALL: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    /// (package, target) → how building it alone went.
    type Alone = HashMap<(String, String), Result<(), String>>;
    static ONE: OnceLock<Mutex<Alone>> = OnceLock::new();

    let table = programs(target);
    if table.contains(&package) {
        let mut all = ALL
            .get_or_init(Default::default)
            .lock()
            .map_err(|_| anyhow::anyhow!("test-program build lock poisoned"))?;
        let ok = *all
            .entry(target.to_string())
            .or_insert_with(|| cargo_build(target, &table).is_ok());
        drop(all);
        if ok {
            return existing(package, target);
        }
    }
    let mut one = ONE
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("test-program build lock poisoned"))?;
    let result = one
        .entry((package.to_string(), target.to_string()))
        .or_insert_with(|| cargo_build(target, &[package]).map_err(|e| format!("{e:#}")));
    if let Err(e) = result {
        bail!("cannot build `{package}` for `{target}`: {e}");
    }
    existing(package, target)
}

/// The bytes of `package` built for `target` (see [`build`]).
pub fn bytes(package: &str, target: &str) -> Result<Vec<u8>> {
    let path = build(package, target)?;
    std::fs::read(&path).with_context(|| format!("reading `{}`", path.display()))
}

fn existing(package: &str, target: &str) -> Result<PathBuf> {
    let path = wasm_path(package, target);
    if !path.is_file() {
        bail!(
            "`{package}` was built for `{target}` but `{}` is missing",
            path.display()
        );
    }
    Ok(path)
}

/// Writes `bytes` to `path` as one step for readers: into a file of its own
/// beside it, then renamed into place. Tests (threads of one binary, and
/// other test binaries) write the same adapted module at once; none may read
/// half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let partial = path.with_file_name(format!(".{}-{n}.{name}", std::process::id()));
    std::fs::write(&partial, bytes).with_context(|| format!("writing `{}`", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing `{}`", path.display()))
}
