//! The process-wide engine and the compiled modules it keeps, by content.
//!
//! Compiling is most of an emulator's start-up: about 25 s of Cranelift for
//! a 12 MB JavaScript plugin, milliseconds for a Rust one. Scenarios and
//! tests start many emulators on the same module, so each distinct module
//! is compiled once per process, and threads asking for the same module at
//! once wait for the one compilation instead of each running their own.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, anyhow};
use wasmtime::{Config, Engine, Module};

/// Distinct modules kept at most; past it the cache starts over (fuzzing
/// and generated-module tests compile thousands, each used once).
const MAX_CACHED: usize = 64;

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

type Slot = Arc<OnceLock<Result<Module, String>>>;

/// `bytes` compiled, or taken from the cache.
pub(crate) fn module(bytes: &[u8]) -> anyhow::Result<Module> {
    static CACHE: OnceLock<Mutex<HashMap<(u64, usize), Slot>>> = OnceLock::new();
    let engine = engine()?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let key = (hasher.finish(), bytes.len());
    let slot = {
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .map_err(|_| anyhow!("the compiled-module cache is poisoned"))?;
        if cache.len() >= MAX_CACHED && !cache.contains_key(&key) {
            cache.clear();
        }
        Arc::clone(cache.entry(key).or_default())
    };
    slot.get_or_init(|| Module::new(engine, bytes).map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(|e| anyhow!("{e}"))
        .context("cannot compile the plugin module")
}
