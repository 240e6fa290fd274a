//! The process-wide wasmtime engine, its epoch ticker, and compiled
//! components cached by content.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, anyhow};
use gatewit_test_kit::once::OnceMap;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, OptLevel, RegallocAlgorithm};

use crate::hooks;
use crate::state::HostState;

/// How often the epoch advances; time budgets are counted in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The shared engines, optimising and not. Epoch interruption lets a time
/// budget stop a plugin stuck in a loop; a background thread per engine
/// advances its epoch. The one that does not optimise also allocates
/// registers in one pass: the 12.3 MB JavaScript plugin compiles in 17 s
/// of one core instead of 29, for slower code.
pub(crate) fn engine(optimise: bool) -> anyhow::Result<&'static Engine> {
    static ENGINES: [OnceLock<Result<Engine, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    ENGINES[usize::from(optimise)]
        .get_or_init(|| {
            let mut config = Config::new();
            config.wasm_component_model(true).epoch_interruption(true);
            if !optimise {
                config
                    .cranelift_opt_level(OptLevel::None)
                    .cranelift_regalloc_algorithm(RegallocAlgorithm::SinglePass);
            }
            let engine = Engine::new(&config).map_err(|e| format!("{e:#}"))?;
            let ticker = engine.weak();
            std::thread::Builder::new()
                .name("gatewit-epoch".into())
                .spawn(move || {
                    while let Some(engine) = ticker.upgrade() {
                        engine.increment_epoch();
                        drop(engine);
                        std::thread::sleep(EPOCH_TICK);
                    }
                })
                .map_err(|e| format!("cannot start the epoch thread: {e}"))?;
            Ok(engine)
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot create the wasmtime engine: {e}"))
}

/// The linker with every gatewit interface and WASI p2, built once per
/// engine.
pub(crate) fn linker(optimise: bool) -> anyhow::Result<&'static Linker<HostState>> {
    static LINKERS: [OnceLock<Result<Linker<HostState>, String>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    let engine = engine(optimise)?;
    LINKERS[usize::from(optimise)]
        .get_or_init(|| {
            let mut linker = Linker::new(engine);
            crate::host::add_to_linker(&mut linker).map_err(|e| format!("{e:#}"))?;
            Ok(linker)
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot build the host linker: {e}"))
}

/// Where a plugin component comes from.
#[derive(Debug, Clone)]
pub enum ComponentSource {
    /// A `.wasm` component file.
    Path(PathBuf),
    /// Component bytes.
    Bytes(Vec<u8>),
}

impl From<&Path> for ComponentSource {
    fn from(p: &Path) -> Self {
        Self::Path(p.to_path_buf())
    }
}

impl From<&str> for ComponentSource {
    /// A path.
    fn from(p: &str) -> Self {
        Self::Path(PathBuf::from(p))
    }
}

impl From<PathBuf> for ComponentSource {
    fn from(p: PathBuf) -> Self {
        Self::Path(p)
    }
}

impl From<&PathBuf> for ComponentSource {
    fn from(p: &PathBuf) -> Self {
        Self::Path(p.clone())
    }
}

impl From<Vec<u8>> for ComponentSource {
    fn from(b: Vec<u8>) -> Self {
        Self::Bytes(b)
    }
}

impl From<&[u8]> for ComponentSource {
    fn from(b: &[u8]) -> Self {
        Self::Bytes(b.to_vec())
    }
}

/// A compiled plugin component plus what the host needs to know about it.
/// Cheap to clone; compiled once per distinct content per process.
#[derive(Clone)]
pub struct PluginComponent {
    pub(crate) component: Component,
    pub(crate) hooks: u32,
    /// Compiled by the optimising engine (see [`engine`]).
    pub(crate) optimised: bool,
    name: String,
}

impl std::fmt::Debug for PluginComponent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginComponent")
            .field("name", &self.name)
            .field("hooks", &format_args!("{:#x}", self.hooks))
            .finish()
    }
}

impl PluginComponent {
    /// Loads and compiles (or takes from the cache) the component at
    /// `source`, optimised.
    pub fn load(source: impl Into<ComponentSource>) -> anyhow::Result<Self> {
        Self::load_with(source, true)
    }

    /// [`PluginComponent::load`], optimised or not: compiling unoptimised
    /// is faster, and the code it makes slower.
    pub fn load_with(source: impl Into<ComponentSource>, optimise: bool) -> anyhow::Result<Self> {
        match source.into() {
            ComponentSource::Path(path) => {
                let bytes = std::fs::read(&path).with_context(|| {
                    format!("cannot read plugin component `{}`", path.display())
                })?;
                Self::compile(&bytes, &path.display().to_string(), optimise)
            }
            ComponentSource::Bytes(bytes) => Self::compile(&bytes, "<bytes>", optimise),
        }
    }

    /// Compiles `bytes`, once per distinct content and engine per process:
    /// threads asking for the same component at once wait for one
    /// compilation (Cranelift takes 17–29 s on a 12 MB JavaScript plugin).
    fn compile(bytes: &[u8], name: &str, optimise: bool) -> anyhow::Result<Self> {
        // The adapted module is a plugin's other form: the likeliest mix-up.
        if bytes.starts_with(b"\0asm\x01\0\0\0") {
            anyhow::bail!(
                "`{name}` is a core wasm module, not a component: pass the plugin component (what `cargo build --target wasm32-wasip2` or another component toolchain emits), not the module `gatewit adapt` makes for Envoy"
            );
        }
        static CACHE: OnceMap<(u64, usize, bool), (Component, u32)> =
            OnceMap::new("compiled-component", 64);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        let engine = engine(optimise)?;
        let (component, hooks) = CACHE
            .get_or_init((hasher.finish(), bytes.len(), optimise), || {
                let component = Component::new(engine, bytes)
                    .map_err(|e| format!("is not a valid WebAssembly component: {e:#}"))?;
                let hooks = hooks::read_hooks(bytes)
                    .map_err(|e| format!("is not a valid plugin component: {e:#}"))?;
                Ok((component, hooks))
            })
            .map_err(|e| anyhow!("`{name}` {e}"))?;
        Ok(Self {
            component,
            hooks,
            optimised: optimise,
            name: name.to_string(),
        })
    }

    /// Where the component came from (a path, or `<bytes>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `gatewit:hooks` bit set (all bits set when the section is absent).
    pub fn hooks(&self) -> u32 {
        self.hooks
    }
}
