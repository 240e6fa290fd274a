//! The process-wide engines and the compiled modules they keep, by content.
//!
//! Compiling is most of an emulator's start-up: 25 s of one core's
//! Cranelift for the 12.8 MB adapted JavaScript plugin (36 s with
//! Cranelift's default register allocator, 42 s optimised), milliseconds
//! for a Rust one. Scenarios and tests start many emulators on
//! the same module, so each distinct module is compiled once per process,
//! and threads asking for the same module at once wait for the one
//! compilation instead of each running their own.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use gatewit_test_kit::once::OnceMap;
use wasmtime::{Config, Engine, Module, OptLevel, RegallocAlgorithm};

/// The engines every emulator shares, optimising and not: fuel metering on
/// (each store gets its own fuel), everything else wasmtime's default. The
/// one that does not optimise also allocates registers in one pass: the
/// 12.8 MB JavaScript plugin compiles in 25 s of one core instead of 36,
/// for code that runs slower (100,000 requests through the Python plugin:
/// 10.7 s instead of 7.5), a trade the tests win by ~11 s of CPU.
fn engine(optimise: bool) -> anyhow::Result<&'static Engine> {
    static ENGINES: [OnceLock<Result<Engine, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    ENGINES[usize::from(optimise)]
        .get_or_init(|| {
            let mut config = Config::new();
            config.consume_fuel(true);
            if !optimise {
                config
                    .cranelift_opt_level(OptLevel::None)
                    .cranelift_regalloc_algorithm(RegallocAlgorithm::SinglePass);
            }
            Engine::new(&config).map_err(|e| format!("{e:#}"))
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot create the wasmtime engine: {e}"))
}

/// `bytes` compiled (optimised or not), or taken from the cache.
pub(crate) fn module(bytes: &[u8], optimise: bool) -> anyhow::Result<Module> {
    static CACHE: OnceMap<(u64, usize, bool), Module> = OnceMap::new("compiled-module", 64);
    let engine = engine(optimise)?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    CACHE
        .get_or_init((hasher.finish(), bytes.len(), optimise), || {
            Module::new(engine, bytes).map_err(|e| format!("{e:#}"))
        })
        .context("cannot compile the plugin module")
}
