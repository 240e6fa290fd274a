//! Link: flatten a component's static core-instance graph into one core
//! module, as a dynamic loader would at instantiation time, but ahead of it.
//!
//! A component says, in order, which core modules to instantiate and what
//! each instance's imports are: another instance's exports (functions,
//! tables, the memory, globals), or functions the component lowers from its
//! own imports (`canon lower`, `canon resource.drop`). Linking evaluates
//! that graph once: every instance's defined items get indices in the one
//! output module, every import becomes a direct reference to what it was
//! given, and the component's lowered imports become the output's function
//! imports (named `interface`/`function`, as a core module importing them
//! directly would name them), for the glue to bind.
//!
//! This is what CPython (componentize-py) needs: 14 modules dynamically
//! linked against one memory and one function table, with the preview1
//! adapter and wit-component's shim and fixup modules among them. Start
//! functions (wit-component's `_initialize` runner among them) run in
//! instantiation order from the output's `_initialize`.
//!
//! [`plan`] reads the graph ([`Plan`]); [`encode`](mod@encode) writes the
//! module.

mod encode;
mod eval;
mod types;

use crate::AdaptError;
use std::collections::HashMap;
use wasmparser::{CanonicalFunction, ExternalKind, Parser, Payload, TypeRef};

pub(crate) use encode::encode;
pub(crate) use eval::{Lifted, plan};

/// The linked module and what the glue needs to know about it.
pub(crate) struct Linked {
    /// The core module: function imports only, one memory, the guest's
    /// exports, `cabi_realloc`, `memory` and `_initialize`.
    pub bytes: Vec<u8>,
    /// Per function import of `bytes`, in order: the `realloc` its
    /// canonical options name (a function index in `bytes`), if any.
    pub import_reallocs: Vec<Option<u32>>,
    /// The `gatewit:hooks` bit set of the guest's module, if present.
    pub hooks: Option<u32>,
    /// Whether the module caps the plugin's memory itself (a composition:
    /// the plugin's memory is a region of one with a fixed size).
    pub caps_memory: bool,
    /// The global holding the plugin region's page count, in a composition.
    pub plugin_pages: Option<u32>,
    /// The shadow-stack pointers of a composition's other components (the
    /// panic recovery restores them too: a library that panics leaves its
    /// stack pointer down by its live frames).
    pub library_stack_pointers: Vec<u32>,
    /// What each of the modules' functions (the first defined functions of
    /// `bytes`, in order) calls or takes a reference to; the functions the
    /// linker adds after them are not listed.
    pub calls: Vec<Vec<u32>>,
    /// Where each of those functions comes from: its module (by where the
    /// module starts in the component's bytes) and its index among the
    /// module's bodies.
    pub origins: Vec<(usize, u32)>,
    /// Where each module whose code the output holds starts (its address
    /// in the component's bytes): the code of any other module is left
    /// out, so the adapter validates it where it is.
    pub instantiated: Vec<usize>,
}

/// A function of the linked module, before indices are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Fid {
    /// The n-th lowered component import.
    Host(u32),
    /// A function defined by an instantiated module.
    Def {
        /// The instantiation, in order.
        inst: u32,
        /// The function among that module's defined ones.
        idx: u32,
    },
    /// The n-th function the fuse step generates ([`crate::fuse::Gen`]).
    Gen(u32),
}

/// Something an instance exports, resolved.
#[derive(Clone, Copy, Debug)]
enum Item {
    Func(Fid),
    /// Tables, memories, globals and tags are all defined by some instance
    /// (the output imports none), so they have their final index already.
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

impl Item {
    fn kind(&self) -> &'static str {
        match self {
            Item::Func(_) => "function",
            Item::Table(_) => "table",
            Item::Memory(_) => "memory",
            Item::Global(_) => "global",
            Item::Tag(_) => "tag",
        }
    }
}

/// A core module of the component, scanned once.
pub(crate) struct ModuleScan<'a> {
    pub bytes: &'a [u8],
    /// The module's name from the component's name section, for errors.
    pub name: String,
    imports: Vec<(&'a str, &'a str, TypeRef)>,
    exports: HashMap<&'a str, (ExternalKind, u32)>,
    defined: Counts,
    pub hooks: Option<u32>,
    /// The defined global the name section calls `__stack_pointer`.
    stack_pointer: Option<u32>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    funcs: u32,
    tables: u32,
    memories: u32,
    globals: u32,
    tags: u32,
}

impl ModuleScan<'_> {
    /// How many globals the module defines.
    pub(crate) fn defined_globals(&self) -> u32 {
        self.defined.globals
    }
}

/// One instantiation of a module: where each of its index spaces lands.
pub(crate) struct Instantiation {
    pub module: usize,
    pub funcs: Vec<Fid>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    pub tags: Vec<u32>,
}

/// A lowered component import: a function import of the output.
pub(crate) struct HostFunc {
    pub module: String,
    pub name: String,
    pub realloc: Option<Fid>,
    /// Its core type, once something uses it.
    pub ty: Option<HostTy>,
}

/// Where a host function's core type comes from.
pub(crate) enum HostTy {
    /// The first import it satisfies: `(module, type)`.
    Module(usize, u32),
    /// The wrapper that calls it: `(params, results)`.
    Sig(Vec<wasm_encoder::ValType>, Vec<wasm_encoder::ValType>),
}

enum CoreInstance<'a> {
    Instantiated(u32),
    Exports(HashMap<&'a str, Item>),
}

/// The evaluated graph.
pub(crate) struct Plan<'a> {
    pub modules: Vec<ModuleScan<'a>>,
    pub insts: Vec<Instantiation>,
    pub hosts: Vec<HostFunc>,
    /// The functions the fuse step generates.
    pub gens: Vec<crate::fuse::Gen>,
    /// The guest's instance (the one exporting `gatewit:plugin/guest`).
    pub guest: u32,
    /// The guest's memory (an index among all defined memories).
    pub guest_memory: Option<u32>,
    /// How many memories the instances define (one per component).
    pub memories: u32,
    /// `(export name, function)` to export from the output.
    pub exports: Vec<(String, Fid)>,
    /// The `__stack_pointer` global, when an instance imports or exports
    /// one by that name (the panic recovery restores it).
    pub stack_pointer: Option<u32>,
    /// The other components' `__stack_pointer` globals.
    pub library_stack_pointers: Vec<u32>,
}

fn malformed(e: impl std::fmt::Display) -> AdaptError {
    AdaptError::Malformed(e.to_string())
}

fn shape(m: String) -> AdaptError {
    AdaptError::UnsupportedShape(m)
}

/// Link `component` into one core module.
pub(crate) fn link(
    component: &[u8],
    layout: crate::lower::Layout,
    keep_names: bool,
) -> Result<Linked, AdaptError> {
    let plan = plan(component)?;
    encode(&plan, layout, keep_names)
}

/// The component name section's names of core modules, for errors. It
/// comes last in the binary, so it is read before the walk.
fn core_module_names(component: &[u8]) -> HashMap<u32, String> {
    let mut names = HashMap::new();
    let mut depth = 0u32;
    for payload in Parser::new(0).parse_all(component) {
        let Ok(payload) = payload else { break };
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CustomSection(c) if depth == 0 && c.name() == "component-name" => {
                if let wasmparser::KnownCustom::ComponentName(r) = c.as_known() {
                    for n in r.into_iter().flatten() {
                        if let wasmparser::ComponentName::CoreModules(map) = n {
                            for n in map.into_iter().flatten() {
                                names.insert(n.index, n.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    names
}

fn index(space: &[u32], i: u32) -> Result<u32, AdaptError> {
    space
        .get(i as usize)
        .copied()
        .ok_or_else(|| malformed(format!("core item index {i} out of range")))
}

/// What core instance `inst` exports as `name`.
fn export_of(
    instances: &[CoreInstance<'_>],
    insts: &[Instantiation],
    modules: &[ModuleScan<'_>],
    inst: u32,
    name: &str,
) -> Result<Item, String> {
    match instances.get(inst as usize) {
        None => Err(format!("core instance {inst} does not exist")),
        Some(CoreInstance::Exports(map)) => map
            .get(name)
            .copied()
            .ok_or_else(|| format!("the instance given exports no `{name}`")),
        Some(CoreInstance::Instantiated(k)) => {
            let i = &insts[*k as usize];
            let m = &modules[i.module];
            let (kind, idx) = m
                .exports
                .get(name)
                .copied()
                .ok_or_else(|| format!("core module `{}` exports no `{name}`", m.name))?;
            let at = |v: &[u32]| {
                v.get(idx as usize)
                    .copied()
                    .ok_or("export index out of range".to_string())
            };
            Ok(match kind {
                ExternalKind::Func | ExternalKind::FuncExact => Item::Func(
                    *i.funcs
                        .get(idx as usize)
                        .ok_or("export index out of range")?,
                ),
                ExternalKind::Table => Item::Table(at(&i.tables)?),
                ExternalKind::Memory => Item::Memory(at(&i.memories)?),
                ExternalKind::Global => Item::Global(at(&i.globals)?),
                ExternalKind::Tag => Item::Tag(at(&i.tags)?),
            })
        }
    }
}

fn canon_name(c: &CanonicalFunction) -> String {
    let d = format!("{c:?}");
    let head = d.split([' ', '{', '(']).next().unwrap_or("canon");
    format!("canon {head}")
}

fn table64() -> AdaptError {
    shape(
        "a core module has a 64-bit table (table64); proxy-wasm hosts index tables with i32".into(),
    )
}

fn scan(bytes: &[u8]) -> Result<ModuleScan<'_>, AdaptError> {
    let mut m = ModuleScan {
        bytes,
        name: String::new(),
        imports: Vec::new(),
        exports: HashMap::new(),
        defined: Counts::default(),
        hooks: None,
        stack_pointer: None,
    };
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(malformed)? {
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.map_err(malformed)?;
                    if matches!(i.ty, TypeRef::Table(t) if t.table64) {
                        return Err(table64());
                    }
                    m.imports.push((i.module, i.name, i.ty));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(malformed)?;
                    m.exports.insert(e.name, (e.kind, e.index));
                }
            }
            Payload::FunctionSection(r) => m.defined.funcs += r.count(),
            Payload::TableSection(r) => {
                for t in r.clone() {
                    if t.map_err(malformed)?.ty.table64 {
                        return Err(table64());
                    }
                }
                m.defined.tables += r.count()
            }
            Payload::MemorySection(r) => {
                crate::merge::check_memories(&r)?;
                m.defined.memories += r.count()
            }
            Payload::GlobalSection(r) => m.defined.globals += r.count(),
            Payload::TagSection(r) => m.defined.tags += r.count(),
            Payload::CustomSection(c) if c.name() == "name" => {
                if let wasmparser::KnownCustom::Name(r) = c.as_known() {
                    for n in r.into_iter().flatten() {
                        if let wasmparser::Name::Global(map) = n {
                            m.stack_pointer = map
                                .into_iter()
                                .flatten()
                                .find(|n| n.name == "__stack_pointer")
                                .map(|n| n.index);
                        }
                    }
                }
            }
            Payload::CustomSection(c) if c.name() == gatewit_abi::HOOKS_SECTION => {
                let d = c.data();
                if d.len() != 4 {
                    return Err(malformed(format!(
                        "the `gatewit:hooks` section holds {} bytes, expected a 4-byte bit set",
                        d.len()
                    )));
                }
                m.hooks = Some(u32::from_le_bytes([d[0], d[1], d[2], d[3]]));
            }
            _ => {}
        }
    }
    Ok(m)
}
