//! The process-wide engine and the compiled modules it keeps, by content.
//!
//! Compiling is most of an emulator's start-up: about 25 s of Cranelift for
//! a 12 MB JavaScript plugin, milliseconds for a Rust one. Scenarios and
//! tests start many emulators on the same module, so each distinct module
//! is compiled once per process, and threads asking for the same module at
//! once wait for the one compilation instead of each running their own.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use gatewit_test_kit::once::OnceMap;
use wasmtime::{Config, Engine, Module};

/// The engine every emulator shares: fuel metering on (each store gets its
/// own fuel), everything else wasmtime's default.
fn engine() -> anyhow::Result<&'static Engine> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = Config::new();
            config.consume_fuel(true);
            Engine::new(&config).map_err(|e| format!("{e:#}"))
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot create the wasmtime engine: {e}"))
}

/// `bytes` compiled, or taken from the cache.
pub(crate) fn module(bytes: &[u8]) -> anyhow::Result<Module> {
    static CACHE: OnceMap<(u64, usize), Module> = OnceMap::new("compiled-module", 64);
    let engine = engine()?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    CACHE
        .get_or_init((hasher.finish(), bytes.len()), || {
            Module::new(engine, bytes).map_err(|e| format!("{e:#}"))
        })
        .context("cannot compile the plugin module")
}
