//! Adapted plugins for the emulator and Envoy tiers: each example component
//! turned into a proxy-wasm module by `gatewit-adapter` (once per test run
//! and profile), and the same example built the other way — `wasm32-wasip1`
//! wrapped into a component with the preview1 reactor adapter, as
//! `wasm-tools component new --adapt` does.

use std::path::PathBuf;

use anyhow::Context;
use gatewit_adapter::{ExceptionEncoding, Options, Profile, adapt};
use gatewit_test_kit::once::OnceMap;

use crate::plugins::{built_once, component_path, target_dir, wasm_plugin};

/// How a plugin component was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Toolchain {
    /// `cargo build --target wasm32-wasip2` (the component comes out of rustc).
    Wasip2,
    /// `cargo build --target wasm32-wasip1`, then the core module is wrapped
    /// with the preview1 reactor adapter.
    Wasip1Adapted,
}

/// The component of `package` built with `toolchain`.
pub fn component(package: &str, toolchain: Toolchain) -> anyhow::Result<Vec<u8>> {
    match toolchain {
        Toolchain::Wasip2 => {
            let path = wasm_plugin(package)?;
            std::fs::read(&path).with_context(|| format!("reading `{}`", path.display()))
        }
        Toolchain::Wasip1Adapted => wasip1_component(package),
    }
}

fn wasip1_component(package: &str) -> anyhow::Result<Vec<u8>> {
    let path = built_once(package, "wasm32-wasip1")?;
    let module = std::fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?;
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .with_context(|| format!("`{}` is not a module wit-component accepts", path.display()))?
        .adapter(
            "wasi_snapshot_preview1",
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )
        .context("loading the preview1 reactor adapter")?
        .encode()
        .with_context(|| format!("wrapping `{}` into a component", path.display()))
}

/// The profile an example needs: `redis-demo` talks to Redis, which only the
/// Higress profile provides.
pub fn profile_for(package: &str) -> Profile {
    if package == "redis-demo" {
        Profile::Higress
    } else {
        Profile::Envoy
    }
}

/// `package` built with `toolchain`, adapted for `profile`, written under
/// `target/adapted/` (Envoy loads modules from files). Built once per run.
pub fn adapted_module(
    package: &str,
    toolchain: Toolchain,
    profile: Profile,
) -> anyhow::Result<PathBuf> {
    adapted_for(package, toolchain, profile, ExceptionEncoding::Legacy)
}

/// [`adapted_module`] for the emulator: its panic handlers in the standard
/// exception encoding, which wasmtime runs (V8 in Envoy runs only the
/// legacy one).
pub fn emulator_module(
    package: &str,
    toolchain: Toolchain,
    profile: Profile,
) -> anyhow::Result<PathBuf> {
    adapted_for(package, toolchain, profile, ExceptionEncoding::Standard)
}

fn adapted_for(
    package: &str,
    toolchain: Toolchain,
    profile: Profile,
    exceptions: ExceptionEncoding,
) -> anyhow::Result<PathBuf> {
    type Key = (String, Toolchain, Profile, ExceptionEncoding);
    // A debug-build adaptation of the Python example takes seconds, a Rust
    // plugin's milliseconds: one slot per module, so neither waits for the
    // other.
    static CACHE: OnceMap<Key, PathBuf> = OnceMap::new("adapted-module", usize::MAX);
    CACHE.get_or_init(
        (package.to_string(), toolchain, profile, exceptions),
        || write_adapted(package, toolchain, profile, exceptions).map_err(|e| format!("{e:#}")),
    )
}

fn write_adapted(
    package: &str,
    toolchain: Toolchain,
    profile: Profile,
    exceptions: ExceptionEncoding,
) -> anyhow::Result<PathBuf> {
    let component = component(package, toolchain)?;
    let adapted = adapt(
        &component,
        &Options {
            profile,
            exceptions,
            ..Options::default()
        },
    )
    .with_context(|| format!("adapting `{package}` ({toolchain:?}, {profile:?})"))?;
    let dir = target_dir().join("adapted");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating `{}`", dir.display()))?;
    let name = format!(
        "{package}-{}-{}{}.proxy.wasm",
        match toolchain {
            Toolchain::Wasip2 => "wasip2",
            Toolchain::Wasip1Adapted => "wasip1",
        },
        match profile {
            Profile::Envoy => "envoy",
            Profile::Higress => "higress",
        },
        match exceptions {
            ExceptionEncoding::Legacy => "",
            ExceptionEncoding::Standard => "-standard",
        }
    );
    let path = dir.join(&name);
    gatewit_test_programs::write_atomically(&path, &adapted.module)?;
    Ok(path)
}

/// The wasip2 component path of `package` (built once per run).
pub fn component_file(package: &str) -> anyhow::Result<PathBuf> {
    wasm_plugin(package)?;
    Ok(component_path(package))
}
