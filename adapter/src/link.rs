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

use crate::AdaptError;
use crate::names::legacy_export;
use std::collections::HashMap;
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentTypeRef, ExternalKind, Instance, Parser, Payload, TypeRef,
};

pub(crate) use encode::encode;

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
}

#[derive(Default, Clone, Copy)]
struct Counts {
    funcs: u32,
    tables: u32,
    memories: u32,
    globals: u32,
    tags: u32,
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
    /// The core type of the first import it satisfies: `(module, type)`.
    pub ty: Option<(usize, u32)>,
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
    /// The guest's instance (the one exporting `gatewit:plugin/guest`).
    pub guest: u32,
    /// `(export name, function)` to export from the output.
    pub exports: Vec<(String, Fid)>,
    /// The `__stack_pointer` global, when an instance imports or exports
    /// one by that name (the panic recovery restores it).
    pub stack_pointer: Option<u32>,
}

fn malformed(e: impl std::fmt::Display) -> AdaptError {
    AdaptError::Malformed(e.to_string())
}

fn shape(m: String) -> AdaptError {
    AdaptError::UnsupportedShape(m)
}

/// Link `component` into one core module.
pub(crate) fn link(component: &[u8]) -> Result<Linked, AdaptError> {
    let plan = plan(component)?;
    encode(&plan)
}

enum CompFunc {
    Imported { instance: String, name: String },
    Other,
}

/// Walk the component's top-level sections, evaluating the core-instance
/// graph.
pub(crate) fn plan(component: &[u8]) -> Result<Plan<'_>, AdaptError> {
    let mut modules: Vec<ModuleScan<'_>> = Vec::new();
    // Core index spaces.
    let mut core_modules: Vec<Option<usize>> = Vec::new();
    let mut core_instances: Vec<CoreInstance<'_>> = Vec::new();
    let mut core_funcs: Vec<Result<Fid, String>> = Vec::new();
    let mut core_tables = Vec::new();
    let mut core_memories = Vec::new();
    let mut core_globals = Vec::new();
    let mut core_tags = Vec::new();
    // Component index spaces, as far as linking needs them.
    let mut comp_instances: Vec<Option<String>> = Vec::new();
    let mut comp_funcs: Vec<CompFunc> = Vec::new();
    let mut comp_types: Vec<Option<(String, String)>> = Vec::new();

    let mut insts: Vec<Instantiation> = Vec::new();
    let mut hosts: Vec<HostFunc> = Vec::new();
    let mut counts = Counts::default();
    let module_names = core_module_names(component);
    let mut stack_pointer = None;
    let mut depth = 0u32;

    for payload in Parser::new(0).parse_all(component) {
        let payload = payload.map_err(malformed)?;
        if depth > 0 {
            match payload {
                Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                    if matches!(payload, Payload::ModuleSection { .. }) {
                        return Err(shape(
                            "a nested component holds core modules (a composition of components, each with its own memory); linking one is not supported yet".into(),
                        ));
                    }
                    depth += 1;
                }
                Payload::End(_) => depth -= 1,
                _ => {}
            }
            continue;
        }
        match payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let bytes = crate::inspect::module_bytes(component, &unchecked_range)?;
                let mut m = scan(bytes)?;
                let index = core_modules.len() as u32;
                m.name = module_names
                    .get(&index)
                    .cloned()
                    .unwrap_or_else(|| format!("#{index}"));
                core_modules.push(Some(modules.len()));
                modules.push(m);
                depth += 1;
            }
            Payload::ComponentSection { .. } => depth += 1,
            Payload::InstanceSection(r) => {
                for inst in r {
                    match inst.map_err(malformed)? {
                        Instance::Instantiate { module_index, args } => {
                            let m = core_modules
                                .get(module_index as usize)
                                .copied()
                                .flatten()
                                .ok_or_else(|| {
                                    shape(format!("core module {module_index} is not one the component defines (an imported core module?)"))
                                })?;
                            if insts.iter().any(|i| i.module == m) {
                                return Err(shape(format!(
                                    "core module `{}` is instantiated twice; a linked module holds each module's code once",
                                    modules[m].name
                                )));
                            }
                            let mut named: HashMap<&str, u32> = HashMap::new();
                            for a in args.iter() {
                                named.insert(a.name, a.index);
                            }
                            let scan = &modules[m];
                            let label = &scan.name;
                            let k = insts.len() as u32;
                            let mut me = Instantiation {
                                module: m,
                                funcs: Vec::new(),
                                tables: Vec::new(),
                                memories: Vec::new(),
                                globals: Vec::new(),
                                tags: Vec::new(),
                            };
                            for (im, iname, ty) in &scan.imports {
                                let from = named.get(im).ok_or_else(|| {
                                    shape(format!("core module `{label}` imports `{im}.{iname}`, but its instantiation provides no instance named `{im}`"))
                                })?;
                                let item =
                                    export_of(&core_instances, &insts, &modules, *from, iname)
                                        .map_err(|e| {
                                            shape(format!(
                                                "core module `{label}` imports `{im}.{iname}`: {e}"
                                            ))
                                        })?;
                                let want = match ty {
                                    TypeRef::Func(_) | TypeRef::FuncExact(_) => "function",
                                    TypeRef::Table(_) => "table",
                                    TypeRef::Memory(_) => "memory",
                                    TypeRef::Global(_) => "global",
                                    TypeRef::Tag(_) => "tag",
                                };
                                if item.kind() != want {
                                    return Err(shape(format!(
                                        "core module `{label}` imports `{im}.{iname}` as a {want}, but it is given a {}",
                                        item.kind()
                                    )));
                                }
                                match item {
                                    Item::Func(f) => {
                                        if let (
                                            Fid::Host(h),
                                            TypeRef::Func(t) | TypeRef::FuncExact(t),
                                        ) = (f, ty)
                                        {
                                            hosts[h as usize].ty.get_or_insert((m, *t));
                                        }
                                        me.funcs.push(f)
                                    }
                                    Item::Table(t) => me.tables.push(t),
                                    Item::Memory(x) => me.memories.push(x),
                                    Item::Global(g) => {
                                        if *iname == "__stack_pointer" {
                                            stack_pointer.get_or_insert(g);
                                        }
                                        me.globals.push(g)
                                    }
                                    Item::Tag(t) => me.tags.push(t),
                                }
                            }
                            let d = scan.defined;
                            me.funcs
                                .extend((0..d.funcs).map(|idx| Fid::Def { inst: k, idx }));
                            me.tables.extend(counts.tables..counts.tables + d.tables);
                            me.globals
                                .extend(counts.globals..counts.globals + d.globals);
                            me.tags.extend(counts.tags..counts.tags + d.tags);
                            if d.memories > 0 {
                                if counts.memories + d.memories > 1 {
                                    return Err(shape(format!(
                                        "core module `{label}` defines a second linear memory; components that each own a memory (compositions) are not linked yet"
                                    )));
                                }
                                me.memories.push(0);
                            }
                            counts.tables += d.tables;
                            counts.globals += d.globals;
                            counts.tags += d.tags;
                            counts.memories += d.memories;
                            if let Some((ExternalKind::Global, g)) =
                                scan.exports.get("__stack_pointer").copied()
                            {
                                stack_pointer.get_or_insert(me.globals[g as usize]);
                            }
                            insts.push(me);
                            core_instances.push(CoreInstance::Instantiated(k));
                        }
                        Instance::FromExports(exports) => {
                            let mut map = HashMap::new();
                            for e in exports.iter() {
                                let item = match e.kind {
                                    ExternalKind::Func | ExternalKind::FuncExact => Item::Func(
                                        core_funcs
                                            .get(e.index as usize)
                                            .cloned()
                                            .ok_or_else(|| {
                                                malformed("core function index out of range")
                                            })?
                                            .map_err(shape)?,
                                    ),
                                    ExternalKind::Table => {
                                        Item::Table(index(&core_tables, e.index)?)
                                    }
                                    ExternalKind::Memory => {
                                        Item::Memory(index(&core_memories, e.index)?)
                                    }
                                    ExternalKind::Global => {
                                        Item::Global(index(&core_globals, e.index)?)
                                    }
                                    ExternalKind::Tag => Item::Tag(index(&core_tags, e.index)?),
                                };
                                map.insert(e.name, item);
                            }
                            core_instances.push(CoreInstance::Exports(map));
                        }
                    }
                }
            }
            Payload::ComponentAliasSection(r) => {
                for a in r {
                    match a.map_err(malformed)? {
                        ComponentAlias::CoreInstanceExport {
                            kind,
                            instance_index,
                            name,
                        } => {
                            let item =
                                export_of(&core_instances, &insts, &modules, instance_index, name);
                            match kind {
                                ExternalKind::Func | ExternalKind::FuncExact => {
                                    core_funcs.push(item.and_then(|i| match i {
                                        Item::Func(f) => Ok(f),
                                        other => Err(format!("`{name}` is a {}", other.kind())),
                                    }))
                                }
                                _ => {
                                    let item = item.map_err(shape)?;
                                    match (kind, item) {
                                        (ExternalKind::Table, Item::Table(t)) => {
                                            core_tables.push(t)
                                        }
                                        (ExternalKind::Memory, Item::Memory(m)) => {
                                            core_memories.push(m)
                                        }
                                        (ExternalKind::Global, Item::Global(g)) => {
                                            core_globals.push(g)
                                        }
                                        (ExternalKind::Tag, Item::Tag(t)) => core_tags.push(t),
                                        (_, other) => {
                                            return Err(malformed(format!(
                                                "alias of `{name}` names the wrong kind ({})",
                                                other.kind()
                                            )));
                                        }
                                    }
                                }
                            }
                        }
                        ComponentAlias::InstanceExport {
                            kind,
                            instance_index,
                            name,
                        } => {
                            let from = comp_instances
                                .get(instance_index as usize)
                                .cloned()
                                .flatten();
                            match kind {
                                ComponentExternalKind::Func => comp_funcs.push(match from {
                                    Some(instance) => CompFunc::Imported {
                                        instance,
                                        name: name.to_string(),
                                    },
                                    None => CompFunc::Other,
                                }),
                                ComponentExternalKind::Type => {
                                    comp_types.push(from.map(|i| (i, name.to_string())))
                                }
                                ComponentExternalKind::Instance => comp_instances.push(None),
                                ComponentExternalKind::Module => core_modules.push(None),
                                ComponentExternalKind::Component | ComponentExternalKind::Value => {
                                }
                            }
                        }
                        ComponentAlias::Outer { kind, .. } => match kind {
                            ComponentOuterAliasKind::CoreModule => core_modules.push(None),
                            ComponentOuterAliasKind::Type => comp_types.push(None),
                            ComponentOuterAliasKind::CoreType
                            | ComponentOuterAliasKind::Component => {}
                        },
                    }
                }
            }
            Payload::ComponentImportSection(r) => {
                for i in r {
                    let i = i.map_err(malformed)?;
                    match i.ty {
                        ComponentTypeRef::Instance(_) => {
                            comp_instances.push(Some(i.name.name.to_string()))
                        }
                        ComponentTypeRef::Func(_) => comp_funcs.push(CompFunc::Imported {
                            instance: String::new(),
                            name: i.name.name.to_string(),
                        }),
                        ComponentTypeRef::Type(_) => comp_types.push(None),
                        ComponentTypeRef::Module(_) => core_modules.push(None),
                        ComponentTypeRef::Value(_) | ComponentTypeRef::Component(_) => {}
                    }
                }
            }
            Payload::ComponentExportSection(r) => {
                for e in r {
                    let e = e.map_err(malformed)?;
                    match e.kind {
                        ComponentExternalKind::Instance => comp_instances.push(None),
                        ComponentExternalKind::Func => comp_funcs.push(CompFunc::Other),
                        ComponentExternalKind::Type => {
                            let t = comp_types.get(e.index as usize).cloned().flatten();
                            comp_types.push(t)
                        }
                        ComponentExternalKind::Module => core_modules.push(None),
                        ComponentExternalKind::Component | ComponentExternalKind::Value => {}
                    }
                }
            }
            Payload::ComponentInstanceSection(r) => {
                for _ in r {
                    comp_instances.push(None);
                }
            }
            Payload::ComponentTypeSection(r) => {
                for _ in r {
                    comp_types.push(None);
                }
            }
            Payload::ComponentCanonicalSection(r) => {
                for c in r {
                    match c.map_err(malformed)? {
                        CanonicalFunction::Lift { .. } => comp_funcs.push(CompFunc::Other),
                        CanonicalFunction::Lower {
                            func_index,
                            options,
                        } => {
                            let (module, name) = match comp_funcs.get(func_index as usize) {
                                Some(CompFunc::Imported { instance, name }) => {
                                    (instance.clone(), name.clone())
                                }
                                _ => {
                                    return Err(shape(format!(
                                        "component function {func_index} is lowered, but it is not one of the component's imports (a function of another component in a composition?)"
                                    )));
                                }
                            };
                            let mut realloc = None;
                            for o in options.iter() {
                                match o {
                                    CanonicalOption::UTF8 => {}
                                    CanonicalOption::Memory(m) => {
                                        index(&core_memories, *m)?;
                                    }
                                    CanonicalOption::Realloc(f) => {
                                        realloc = Some(
                                            core_funcs
                                                .get(*f as usize)
                                                .cloned()
                                                .ok_or_else(|| {
                                                    malformed("realloc index out of range")
                                                })?
                                                .map_err(shape)?,
                                        );
                                    }
                                    other => {
                                        return Err(shape(format!(
                                            "`{module}#{name}` is lowered with canonical option {other:?}; the adapter lowers UTF-8, one memory, synchronous calls"
                                        )));
                                    }
                                }
                            }
                            core_funcs.push(Ok(Fid::Host(hosts.len() as u32)));
                            hosts.push(HostFunc {
                                module,
                                name,
                                realloc,
                                ty: None,
                            });
                        }
                        CanonicalFunction::ResourceDrop { resource } => {
                            match comp_types.get(resource as usize).cloned().flatten() {
                                Some((module, ty)) => {
                                    core_funcs.push(Ok(Fid::Host(hosts.len() as u32)));
                                    hosts.push(HostFunc {
                                        module,
                                        name: format!("[resource-drop]{ty}"),
                                        realloc: None,
                                        ty: None,
                                    });
                                }
                                None => core_funcs.push(Err(
                                    "`canon resource.drop` of a resource the component defines itself is not supported".into(),
                                )),
                            }
                        }
                        other => core_funcs.push(Err(format!(
                            "the component uses `{}`, which a proxy-wasm module cannot provide",
                            canon_name(&other)
                        ))),
                    }
                }
            }
            _ => {}
        }
    }

    // The guest: the instance whose module exports the guest functions.
    let mut guests = insts.iter().enumerate().filter(|(_, i)| {
        modules[i.module]
            .exports
            .keys()
            .any(|e| legacy_export(e).starts_with("gatewit:plugin/guest@"))
    });
    let (guest, g) = guests.next().ok_or_else(|| {
        shape("no core instance exports the `gatewit:plugin/guest` functions".into())
    })?;
    if guests.next().is_some() {
        return Err(shape(
            "several core instances export `gatewit:plugin/guest` functions".into(),
        ));
    }
    let mut exports = Vec::new();
    let gm = &modules[g.module];
    for (name, (kind, idx)) in &gm.exports {
        let plain = legacy_export(name);
        let wanted = plain.starts_with("gatewit:plugin/guest@")
            || plain.starts_with("cabi_post_gatewit:plugin/guest@")
            || plain == "cabi_realloc";
        if wanted && matches!(kind, ExternalKind::Func) {
            exports.push((plain.into_owned(), g.funcs[*idx as usize]));
        }
    }
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    if counts.memories == 0 {
        return Err(shape("no core module defines a linear memory".into()));
    }
    Ok(Plan {
        modules,
        insts,
        hosts,
        guest: guest as u32,
        exports,
        stack_pointer,
    })
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
