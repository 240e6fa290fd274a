//! gatewit adapter: turn a gatewit plugin component (world
//! `gatewit:plugin/plugin@0.1.x`) into one proxy-wasm ABI v0.2.1 core module
//! that Envoy (or a Higress gateway) loads.
//!
//! The plugin's main core module is re-encoded with its function indices
//! remapped, and glue functions emitted with `wasm-encoder` are added to the
//! same module: imports of `gatewit:plugin/*` and of the WASI 0.2 interfaces a
//! Rust std pulls in become calls to `env.proxy_*` hostcalls, and the
//! `proxy_on_*` callbacks call the plugin's `gatewit:plugin/guest` exports.
//! The glue follows the wasi-preview1-component-adapter rules (checked by
//! [`verify`]): the plugin's memory only, no data or element segments, no
//! start function, state behind a global pointer to a `cabi_realloc` block.
#![deny(missing_docs)]

mod copy;
mod fuse;
mod glue;
mod inspect;
mod link;
mod lower;
mod merge;
mod meter;
mod names;
mod output;
mod par;
mod verify;
mod witsig;

pub use verify::verify;

/// The proxy-wasm host flavour the output targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Stock proxy-wasm ABI v0.2.1 (Envoy): no Redis, Higress-only header
    /// and body actions are mapped to the closest stock action.
    #[default]
    Envoy,
    /// The Higress fork: Redis hostcalls, `proxy_abi_version_0_2_100`, and
    /// every header/body action passed through as-is.
    Higress,
}

impl Profile {
    /// The profile's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Envoy => "envoy",
            Profile::Higress => "higress",
        }
    }
}

/// Options for [`adapt`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The host profile to target.
    pub profile: Profile,
    /// Keep the plugin's own function names (the `name` section) for
    /// readable traps in the gateway log. Off by default: Rust's mangled
    /// names can be a sixth of the module. The glue's functions are always
    /// named (a few hundred bytes).
    pub keep_names: bool,
    /// The step budget per callback (loop iterations and tail calls in the
    /// plugin's code); running out logs the callback and traps, so a
    /// runaway loop cannot hang the gateway worker. `None`: unbounded.
    pub max_steps: Option<u32>,
    /// The most memory the plugin may grow to, in 64 KiB pages; a
    /// `memory.grow` past it fails (returns -1). `None`: the host's limit.
    pub max_memory_pages: Option<u32>,
    /// What a plugin panic costs (see [`OnPanic`]).
    pub on_panic: OnPanic,
    /// How the output spells its exception handlers (see
    /// [`ExceptionEncoding`]).
    pub exceptions: ExceptionEncoding,
    /// In a composition, check each of the plugin's loads and stores
    /// against its own memory size, so that an access past it traps (as
    /// on a memory of its own) instead of reaching the pages reserved for
    /// it or a library's region. Off by default: it costs an inline check
    /// per access (1.10× the instructions per request on the composed
    /// example, twice the module size). A library never reaches the
    /// plugin's region either way.
    pub check_bounds: bool,
}

/// What happens when the plugin panics (executes `unreachable`: a Rust
/// panic or allocation failure, C's `abort()`) inside a callback.
///
/// With [`Reply`](OnPanic::Reply) or [`Continue`](OnPanic::Continue) the
/// adapter turns the plugin's `unreachable` instructions into a wasm
/// exception that the glue catches around every callback: the callback
/// ends, the plugin's stack pointer is restored, the glue logs which
/// callback panicked, and the plugin instance (VM) goes on serving every
/// other request, as Higress's Go wrapper does with `recover()`. What the
/// skipped frames owned on the heap stays allocated (nothing unwinds).
/// Traps that are not `unreachable` (out-of-bounds access, stack overflow,
/// the step budget) still end the VM: the gateway's failure policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OnPanic {
    /// The request whose callback panicked is answered `500` locally (from
    /// an HTTP or Redis call's answer too). Fail closed: the safe choice
    /// for plugins that guard access.
    #[default]
    Reply,
    /// The request goes on as if the callback had returned continue (a
    /// panic in a call's answer only logs: a request paused on that call
    /// stays paused until Envoy's stream timeout). Fail open, as Higress's
    /// Go wrapper: for observability plugins.
    Continue,
    /// No recovery: the panic traps and the VM is lost until the gateway's
    /// failure policy replaces it.
    Trap,
}

impl OnPanic {
    /// The policy's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            OnPanic::Reply => "reply",
            OnPanic::Continue => "continue",
            OnPanic::Trap => "trap",
        }
    }
}

/// The exception-handling encoding of the glue's panic handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExceptionEncoding {
    /// `try`/`catch` (the legacy proposal): what V8 in Envoy 1.40 and
    /// Higress loads. V8 there rejects `try_table`.
    #[default]
    Legacy,
    /// `try_table` (the standardised proposal, `exnref`): what wasmtime
    /// runs; it does not implement the legacy encoding.
    Standard,
}

/// The default step budget: about a second of a tight loop in V8, orders of
/// magnitude above what a gateway callback does (parsing a 1 MB JSON body
/// takes a few million).
pub const DEFAULT_MAX_STEPS: u32 = 1_000_000_000;

/// The default memory cap: 512 MiB (8192 pages), room for buffering a
/// 100 MB body several times over.
pub const DEFAULT_MAX_MEMORY_PAGES: u32 = 8192;

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: Profile::default(),
            keep_names: false,
            max_steps: Some(DEFAULT_MAX_STEPS),
            max_memory_pages: Some(DEFAULT_MAX_MEMORY_PAGES),
            on_panic: OnPanic::default(),
            exceptions: ExceptionEncoding::default(),
            check_bounds: false,
        }
    }
}

/// What [`adapt`] did, for the CLI and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The world interface found, e.g. `gatewit:plugin/guest@0.1.0`.
    pub world: String,
    /// The `gatewit:plugin` version found, e.g. `0.1.0`.
    pub version: String,
    /// Imports of the output module, as `module.name`, in order.
    pub imports: Vec<String>,
    /// Exports of the output module, in order.
    pub exports: Vec<String>,
    /// The `proxy_on_*` callbacks exported.
    pub hooks: Vec<String>,
    /// Plugin imports bound to glue (`module#name`).
    pub glued: Vec<String>,
    /// `wasi_snapshot_preview1` imports passed through to the host.
    pub passthrough: Vec<String>,
    /// Whether a `gatewit:hooks` section limited the callbacks.
    pub hooks_section: Option<u32>,
    /// Size of the input component in bytes.
    pub input_size: usize,
    /// Size of the output module in bytes.
    pub output_size: usize,
}

/// The adapted module and what was done.
#[derive(Debug, Clone)]
pub struct Adapted {
    /// The proxy-wasm core module.
    pub module: Vec<u8>,
    /// What was done.
    pub report: Report,
}

/// Why a component could not be adapted.
#[derive(Debug, thiserror::Error)]
pub enum AdaptError {
    /// The input is not a WebAssembly binary at all, or is malformed.
    #[error("input is not a valid WebAssembly component: {0}")]
    Malformed(String),
    /// The input is a core module; the adapter wants a component.
    #[error(
        "input is a core wasm module, not a component: build the plugin for `wasm32-wasip2` (or wrap a `wasm32-wasip1` module with `wasm-tools component new --adapt`)"
    )]
    CoreModule,
    /// The component does not export the `gatewit:plugin/guest` interface.
    #[error(
        "component does not target the `gatewit:plugin/plugin` world: it does not export `gatewit:plugin/guest@0.1.x` (it exports: {found})"
    )]
    WrongWorld {
        /// The interfaces the component exports instead.
        found: String,
    },
    /// The component targets another version of the world.
    #[error(
        "component targets `{found}`, which this adapter cannot handle: it supports `gatewit:plugin@0.1.x`"
    )]
    IncompatibleVersion {
        /// The foreign versioned name found.
        found: String,
    },
    /// The plugin imports functions the adapter cannot provide.
    #[error("component imports what a proxy-wasm host cannot provide: {}", names.join(", "))]
    UnsupportedImports {
        /// The imports, as `module#name`.
        names: Vec<String>,
    },
    /// A core function's type does not match the canonical ABI of the WIT.
    #[error("`{name}` has core type {found} but the WIT lowers it to {expected}")]
    SignatureMismatch {
        /// The import or export.
        name: String,
        /// The type found in the module.
        found: String,
        /// The type the WIT asks for.
        expected: String,
    },
    /// A component shape the adapter does not handle.
    #[error("unsupported component shape: {0}")]
    UnsupportedShape(String),
    /// The input is larger than [`MAX_INPUT_SIZE`].
    #[error(
        "input is {size} bytes, more than the {} MiB a plugin component may have: is it the right file?",
        MAX_INPUT_SIZE >> 20
    )]
    TooLarge {
        /// The input's size in bytes.
        size: usize,
    },
    /// The adapter produced a module that breaks a rule (a bug).
    #[error("adapter output failed verification: {0}")]
    Verify(String),
}

/// The largest component [`adapt`] takes: far above any real plugin (a
/// JavaScript engine with its script is ~12 MB, CPython ~40 MB), small enough
/// that a wrong file fails at once instead of filling memory.
pub const MAX_INPUT_SIZE: usize = 256 << 20;

/// Adapt a plugin component to a proxy-wasm v0.2.1 core module.
pub fn adapt(component: &[u8], options: &Options) -> Result<Adapted, AdaptError> {
    if component.len() > MAX_INPUT_SIZE {
        return Err(AdaptError::TooLarge {
            size: component.len(),
        });
    }
    let cap = options.max_memory_pages.unwrap_or(DEFAULT_MAX_MEMORY_PAGES);
    let layout = lower::Layout {
        cap_pages: cap,
        check_bounds: options.check_bounds,
    };
    let adapted = inspect::inspect(component, layout, options.keep_names).and_then(|plugin| {
        let (module, report) = merge::merge(&plugin, options)?;
        verify::verify_against(&plugin.module, &module)?;
        Ok((plugin, module, report))
    });
    let (plugin, module, mut report) = adapted.map_err(|e| inspect::blame(component, e))?;
    report.world = plugin.world.clone();
    report.version = plugin.version.clone();
    report.hooks_section = plugin.hooks_section;
    report.input_size = component.len();
    report.output_size = module.len();
    Ok(Adapted { module, report })
}
