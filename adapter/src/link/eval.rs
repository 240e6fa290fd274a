//! Evaluate a component's instance graph, nested components included, into
//! a [`Plan`]: which core modules are instantiated, in which order, with
//! what each import resolves to.
//!
//! A component is walked section by section with its own index spaces, as
//! the component model defines them. A nested component is walked when it
//! is instantiated, with its imports bound to what the instantiation passes
//! (`wac plug` passes a library component's exported instance to the
//! plugin). Functions end up as one of:
//!
//! - a lowered import of the outermost component: a function import of the
//!   output, for the glue to bind ([`HostFunc`]);
//! - a core function of an instantiated module;
//! - a function the fuse step generates ([`Gen`]): a canonical-ABI adapter
//!   where one component lowers what another lifts, and the wrappers that
//!   let a component whose memory is not the plugin's call the glue.

use super::{
    Counts, Fid, HostFunc, HostTy, Instantiation, Item, ModuleScan, Plan, core_module_names,
    export_of, index, malformed, scan, shape,
};
use crate::AdaptError;
use crate::fuse::{self, Gen, ScopeWit};
use crate::names::legacy_export;
use std::collections::HashMap;
use std::rc::Rc;
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentTypeRef, ExternalKind, Instance, Parser, Payload, TypeRef,
};

/// How deep components may nest: far above what toolchains emit (two or
/// three levels), low enough that a hostile input cannot exhaust the stack.
const MAX_DEPTH: u32 = 16;

/// A component-level item, as far as linking needs to know it.
#[derive(Clone)]
enum CItem<'a> {
    Instance(Rc<CInstance<'a>>),
    Func(Rc<CFunc>),
    /// A resource type of an outer import: `(instance, type name)`.
    Type(Option<(String, String)>),
    /// A component definition: its bytes.
    Component(&'a [u8]),
    Other,
}

/// A component instance: an import of the outermost component (`host`), or
/// what an instantiation or an `instance` of exports gives.
struct CInstance<'a> {
    host: Option<String>,
    items: HashMap<String, CItem<'a>>,
}

/// A component function.
pub(crate) enum CFunc {
    /// A function of an outer import, `(instance, name)`.
    Host {
        module: String,
        name: String,
    },
    /// A core function lifted by some component, with its options.
    Lifted(Lifted),
    Other,
}

/// A lifted core function and the canonical options it was lifted with.
#[derive(Clone, Copy)]
pub(crate) struct Lifted {
    pub core: Fid,
    /// The memory its lists and strings live in (an output memory id).
    pub memory: Option<u32>,
    pub realloc: Option<Fid>,
    pub post_return: Option<Fid>,
}

/// The graph being evaluated (shared by every component walked).
pub(crate) struct Linker<'a> {
    pub modules: Vec<ModuleScan<'a>>,
    pub insts: Vec<Instantiation>,
    pub hosts: Vec<HostFunc>,
    pub gens: Vec<Gen>,
    counts: Counts,
    /// The `__stack_pointer` global each instance imports, exports or
    /// names, by instance.
    stack_pointers: HashMap<u32, u32>,
    scopes: u32,
}

/// A component function's local view: how this component names it (the
/// instance it imported it through, and the function), for its WIT.
type Label = Option<(String, String)>;

/// One component's index spaces.
#[derive(Default)]
struct Spaces<'a> {
    core_modules: Vec<Option<usize>>,
    core_instances: Vec<super::CoreInstance<'a>>,
    core_funcs: Vec<Result<Fid, String>>,
    core_tables: Vec<u32>,
    core_memories: Vec<u32>,
    core_globals: Vec<u32>,
    core_tags: Vec<u32>,
    instances: Vec<(CItem<'a>, Option<String>)>,
    funcs: Vec<(CItem<'a>, Label)>,
    types: Vec<CItem<'a>>,
    components: Vec<CItem<'a>>,
}

impl<'a> Spaces<'a> {
    fn core_func(&self, f: u32) -> Result<Fid, AdaptError> {
        self.core_funcs
            .get(f as usize)
            .cloned()
            .ok_or_else(|| malformed("core function index out of range"))?
            .map_err(shape)
    }

    fn push(&mut self, kind: ComponentExternalKind, item: CItem<'a>, label: Option<String>) {
        match kind {
            ComponentExternalKind::Instance => self.instances.push((item, label)),
            ComponentExternalKind::Func => self.funcs.push((item, None)),
            ComponentExternalKind::Type => self.types.push(item),
            ComponentExternalKind::Component => self.components.push(item),
            ComponentExternalKind::Module => self.core_modules.push(None),
            ComponentExternalKind::Value => {}
        }
    }

    fn get(&self, kind: ComponentExternalKind, i: u32) -> Result<CItem<'a>, AdaptError> {
        let found = match kind {
            ComponentExternalKind::Instance => self.instances.get(i as usize).map(|x| x.0.clone()),
            ComponentExternalKind::Func => self.funcs.get(i as usize).map(|x| x.0.clone()),
            ComponentExternalKind::Type => self.types.get(i as usize).cloned(),
            ComponentExternalKind::Component => self.components.get(i as usize).cloned(),
            ComponentExternalKind::Module | ComponentExternalKind::Value => Some(CItem::Other),
        };
        found.ok_or_else(|| malformed(format!("component item index {i} out of range")))
    }
}

/// What an instance's export `name` is.
fn instance_export<'a>(inst: &CItem<'a>, name: &str) -> CItem<'a> {
    match inst {
        CItem::Instance(i) => match i.items.get(name) {
            Some(item) => item.clone(),
            None => match &i.host {
                Some(host) => CItem::Func(Rc::new(CFunc::Host {
                    module: host.clone(),
                    name: name.to_string(),
                })),
                None => CItem::Other,
            },
        },
        _ => CItem::Other,
    }
}

impl<'a> Linker<'a> {
    pub(crate) fn new() -> Self {
        Linker {
            modules: Vec::new(),
            insts: Vec::new(),
            hosts: Vec::new(),
            gens: Vec::new(),
            counts: Counts::default(),
            stack_pointers: HashMap::new(),
            scopes: 0,
        }
    }

    /// Walk `component` (the outermost one: `env` is `None`, its imports
    /// are the host's) and return its exports.
    fn walk(
        &mut self,
        component: &'a [u8],
        env: Option<&HashMap<String, CItem<'a>>>,
        depth: u32,
    ) -> Result<HashMap<String, CItem<'a>>, AdaptError> {
        if depth > MAX_DEPTH {
            return Err(shape(format!(
                "components nest more than {MAX_DEPTH} levels deep"
            )));
        }
        let scope = self.scopes;
        self.scopes += 1;
        let mut sp = Spaces::default();
        let mut exports = HashMap::new();
        let module_names = core_module_names(component);
        let mut wit: Option<Rc<ScopeWit>> = None;
        let mut nested = 0u32;
        for payload in Parser::new(0).parse_all(component) {
            let payload = payload.map_err(malformed)?;
            if nested > 0 {
                match payload {
                    Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => nested += 1,
                    Payload::End(_) => nested -= 1,
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
                    let index = sp.core_modules.len() as u32;
                    m.name = module_names
                        .get(&index)
                        .cloned()
                        .unwrap_or_else(|| format!("#{index}"));
                    sp.core_modules.push(Some(self.modules.len()));
                    self.modules.push(m);
                    nested += 1;
                }
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    let bytes = component.get(unchecked_range.clone()).ok_or_else(|| {
                        malformed("a nested component runs past the end of the input")
                    })?;
                    sp.components.push(CItem::Component(bytes));
                    nested += 1;
                }
                Payload::InstanceSection(r) => {
                    for inst in r {
                        self.core_instance(&mut sp, inst.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentAliasSection(r) => {
                    for a in r {
                        self.alias(&mut sp, a.map_err(malformed)?)?;
                    }
                }
                Payload::ComponentImportSection(r) => {
                    for i in r {
                        let i = i.map_err(malformed)?;
                        let name = i.name.name;
                        let kind = match i.ty {
                            ComponentTypeRef::Instance(_) => ComponentExternalKind::Instance,
                            ComponentTypeRef::Func(_) => ComponentExternalKind::Func,
                            ComponentTypeRef::Type(_) => ComponentExternalKind::Type,
                            ComponentTypeRef::Module(_) => ComponentExternalKind::Module,
                            ComponentTypeRef::Component(_) => ComponentExternalKind::Component,
                            ComponentTypeRef::Value(_) => ComponentExternalKind::Value,
                        };
                        let item = match env {
                            None => match kind {
                                ComponentExternalKind::Instance => {
                                    CItem::Instance(Rc::new(CInstance {
                                        host: Some(name.to_string()),
                                        items: HashMap::new(),
                                    }))
                                }
                                ComponentExternalKind::Func => CItem::Func(Rc::new(CFunc::Host {
                                    module: String::new(),
                                    name: name.to_string(),
                                })),
                                _ => CItem::Other,
                            },
                            Some(env) => env.get(name).cloned().unwrap_or(CItem::Other),
                        };
                        sp.push(kind, item, Some(name.to_string()));
                    }
                }
                Payload::ComponentExportSection(r) => {
                    for e in r {
                        let e = e.map_err(malformed)?;
                        let item = sp.get(e.kind, e.index)?;
                        exports.insert(e.name.name.to_string(), item.clone());
                        sp.push(e.kind, item, None);
                    }
                }
                Payload::ComponentInstanceSection(r) => {
                    for inst in r {
                        let item = match inst.map_err(malformed)? {
                            wasmparser::ComponentInstance::Instantiate {
                                component_index,
                                args,
                            } => {
                                let Some(CItem::Component(bytes)) =
                                    sp.components.get(component_index as usize).cloned()
                                else {
                                    return Err(shape(format!(
                                        "component {component_index} is instantiated, but it is not one the composition defines (an imported component?)"
                                    )));
                                };
                                let mut given = HashMap::new();
                                for a in args.iter() {
                                    given.insert(a.name.to_string(), sp.get(a.kind, a.index)?);
                                }
                                let out = self.walk(bytes, Some(&given), depth + 1)?;
                                CItem::Instance(Rc::new(CInstance {
                                    host: None,
                                    items: out,
                                }))
                            }
                            wasmparser::ComponentInstance::FromExports(list) => {
                                let mut items = HashMap::new();
                                for e in list.iter() {
                                    items.insert(e.name.name.to_string(), sp.get(e.kind, e.index)?);
                                }
                                CItem::Instance(Rc::new(CInstance { host: None, items }))
                            }
                        };
                        sp.instances.push((item, None));
                    }
                }
                Payload::ComponentTypeSection(r) => {
                    for _ in r {
                        sp.types.push(CItem::Other);
                    }
                }
                Payload::ComponentCanonicalSection(r) => {
                    for c in r {
                        let c = c.map_err(malformed)?;
                        self.canon(&mut sp, c, scope, component, &mut wit)?;
                    }
                }
                _ => {}
            }
        }
        Ok(exports)
    }

    fn alias(&mut self, sp: &mut Spaces<'a>, a: ComponentAlias<'a>) -> Result<(), AdaptError> {
        match a {
            ComponentAlias::CoreInstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let item = export_of(
                    &sp.core_instances,
                    &self.insts,
                    &self.modules,
                    instance_index,
                    name,
                );
                match kind {
                    ExternalKind::Func | ExternalKind::FuncExact => {
                        sp.core_funcs.push(item.and_then(|i| match i {
                            Item::Func(f) => Ok(f),
                            other => Err(format!("`{name}` is a {}", other.kind())),
                        }))
                    }
                    _ => match (kind, item.map_err(shape)?) {
                        (ExternalKind::Table, Item::Table(t)) => sp.core_tables.push(t),
                        (ExternalKind::Memory, Item::Memory(m)) => sp.core_memories.push(m),
                        (ExternalKind::Global, Item::Global(g)) => sp.core_globals.push(g),
                        (ExternalKind::Tag, Item::Tag(t)) => sp.core_tags.push(t),
                        (_, other) => {
                            return Err(malformed(format!(
                                "alias of `{name}` names the wrong kind ({})",
                                other.kind()
                            )));
                        }
                    },
                }
            }
            ComponentAlias::InstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let (from, label) = sp
                    .instances
                    .get(instance_index as usize)
                    .cloned()
                    .ok_or_else(|| malformed("component instance index out of range"))?;
                let item = match (kind, &from) {
                    (ComponentExternalKind::Type, CItem::Instance(i)) => match &i.host {
                        Some(host) => CItem::Type(Some((host.clone(), name.to_string()))),
                        None => i.items.get(name).cloned().unwrap_or(CItem::Type(None)),
                    },
                    _ => instance_export(&from, name),
                };
                match kind {
                    ComponentExternalKind::Func => {
                        sp.funcs.push((item, label.map(|l| (l, name.to_string()))))
                    }
                    _ => sp.push(kind, item, None),
                }
            }
            ComponentAlias::Outer { kind, .. } => match kind {
                ComponentOuterAliasKind::CoreModule => sp.core_modules.push(None),
                ComponentOuterAliasKind::Type => sp.types.push(CItem::Other),
                ComponentOuterAliasKind::Component => sp.components.push(CItem::Other),
                ComponentOuterAliasKind::CoreType => {}
            },
        }
        Ok(())
    }

    fn core_instance(&mut self, sp: &mut Spaces<'a>, inst: Instance<'a>) -> Result<(), AdaptError> {
        match inst {
            Instance::Instantiate { module_index, args } => {
                let m = sp
                    .core_modules
                    .get(module_index as usize)
                    .copied()
                    .flatten()
                    .ok_or_else(|| {
                        shape(format!("core module {module_index} is not one the component defines (an imported core module?)"))
                    })?;
                if self.insts.iter().any(|i| i.module == m) {
                    return Err(shape(format!(
                        "core module `{}` is instantiated twice; a linked module holds each module's code once",
                        self.modules[m].name
                    )));
                }
                let mut named: HashMap<&str, u32> = HashMap::new();
                for a in args.iter() {
                    named.insert(a.name, a.index);
                }
                let k = self.insts.len() as u32;
                let mut me = Instantiation {
                    module: m,
                    funcs: Vec::new(),
                    tables: Vec::new(),
                    memories: Vec::new(),
                    globals: Vec::new(),
                    tags: Vec::new(),
                };
                let scan = &self.modules[m];
                let label = &scan.name;
                for (im, iname, ty) in &scan.imports {
                    let from = named.get(im).ok_or_else(|| {
                        shape(format!("core module `{label}` imports `{im}.{iname}`, but its instantiation provides no instance named `{im}`"))
                    })?;
                    let item =
                        export_of(&sp.core_instances, &self.insts, &self.modules, *from, iname)
                            .map_err(|e| {
                                shape(format!("core module `{label}` imports `{im}.{iname}`: {e}"))
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
                            if let (Fid::Host(h), TypeRef::Func(t) | TypeRef::FuncExact(t)) =
                                (f, ty)
                            {
                                self.hosts[h as usize]
                                    .ty
                                    .get_or_insert(HostTy::Module(m, *t));
                            }
                            me.funcs.push(f)
                        }
                        Item::Table(t) => me.tables.push(t),
                        Item::Memory(x) => me.memories.push(x),
                        Item::Global(g) => {
                            if *iname == "__stack_pointer" {
                                self.stack_pointers.entry(k).or_insert(g);
                            }
                            me.globals.push(g)
                        }
                        Item::Tag(t) => me.tags.push(t),
                    }
                }
                let scan = &self.modules[m];
                let d = scan.defined;
                let c = &mut self.counts;
                me.funcs
                    .extend((0..d.funcs).map(|idx| Fid::Def { inst: k, idx }));
                me.tables.extend(c.tables..c.tables + d.tables);
                me.globals.extend(c.globals..c.globals + d.globals);
                me.tags.extend(c.tags..c.tags + d.tags);
                me.memories.extend(c.memories..c.memories + d.memories);
                c.tables += d.tables;
                c.globals += d.globals;
                c.tags += d.tags;
                c.memories += d.memories;
                let own_sp = match scan.exports.get("__stack_pointer").copied() {
                    Some((ExternalKind::Global, g)) => Some(g),
                    _ => scan.stack_pointer,
                };
                if let Some(g) = own_sp.and_then(|g| me.globals.get(g as usize).copied()) {
                    self.stack_pointers.entry(k).or_insert(g);
                }
                self.insts.push(me);
                sp.core_instances.push(super::CoreInstance::Instantiated(k));
            }
            Instance::FromExports(exports) => {
                let mut map = HashMap::new();
                for e in exports.iter() {
                    let item = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => {
                            Item::Func(sp.core_func(e.index)?)
                        }
                        ExternalKind::Table => Item::Table(index(&sp.core_tables, e.index)?),
                        ExternalKind::Memory => Item::Memory(index(&sp.core_memories, e.index)?),
                        ExternalKind::Global => Item::Global(index(&sp.core_globals, e.index)?),
                        ExternalKind::Tag => Item::Tag(index(&sp.core_tags, e.index)?),
                    };
                    map.insert(e.name, item);
                }
                sp.core_instances.push(super::CoreInstance::Exports(map));
            }
        }
        Ok(())
    }

    fn canon(
        &mut self,
        sp: &mut Spaces<'a>,
        c: CanonicalFunction,
        scope: u32,
        component: &'a [u8],
        wit: &mut Option<Rc<ScopeWit>>,
    ) -> Result<(), AdaptError> {
        match c {
            CanonicalFunction::Lift { core_func_index, options, .. } => {
                let core = sp.core_func(core_func_index);
                let item = match core {
                    Ok(core) => {
                        let o = self.options(sp, &options, "a lifted function")?;
                        CFunc::Lifted(Lifted {
                            core,
                            memory: o.memory,
                            realloc: o.realloc,
                            post_return: o.post_return,
                        })
                    }
                    Err(_) => CFunc::Other,
                };
                sp.funcs.push((CItem::Func(Rc::new(item)), None));
            }
            CanonicalFunction::Lower { func_index, options } => {
                let (item, label) = sp
                    .funcs
                    .get(func_index as usize)
                    .cloned()
                    .ok_or_else(|| malformed("component function index out of range"))?;
                let what = match &label {
                    Some((i, f)) => format!("`{i}#{f}`"),
                    None => format!("component function {func_index}"),
                };
                let o = self.options(sp, &options, &what)?;
                let CItem::Func(f) = item else {
                    return Err(shape(format!(
                        "{what} is lowered, but it is neither an import nor a function another component lifts"
                    )));
                };
                let fid = match &*f {
                    CFunc::Host { module, name } => {
                        let h = self.hosts.len() as u32;
                        self.hosts.push(HostFunc {
                            module: module.clone(),
                            name: name.clone(),
                            realloc: o.realloc,
                            ty: None,
                        });
                        match o.memory {
                            // In a nested component the memory may not be
                            // the plugin's: the glue (which works in the
                            // plugin's memory) is then reached through a
                            // wrapper that moves pointers between regions
                            // (a plain call where the memory is the
                            // plugin's after all; see `encode`).
                            Some(mem) if scope != 0 => {
                                let (iface, func) = label.clone().unwrap_or_default();
                                let w = scope_wit(wit, component)?;
                                let sig = w.func(&iface, &func)?;
                                self.wrap_host(h, mem, sig, o.realloc)?
                            }
                            _ => Fid::Host(h),
                        }
                    }
                    CFunc::Lifted(callee) => {
                        let (iface, func) = label.clone().ok_or_else(|| {
                            shape(format!("{what} is lowered from another component, but not through an imported instance"))
                        })?;
                        let w = scope_wit(wit, component)?;
                        if let Some(resource) = w.handles(&iface, &func) {
                            return Err(shape(format!(
                                "`{iface}#{func}` passes a handle of resource `{resource}` between components; resources across a component boundary are not supported"
                            )));
                        }
                        let sig = w.func(&iface, &func)?;
                        let g = self.gens.len() as u32;
                        self.gens.push(Gen::Adapter(fuse::Adapter {
                            name: format!("{iface}#{func}"),
                            sig,
                            caller_memory: o.memory,
                            caller_realloc: o.realloc,
                            callee: *callee,
                        }));
                        Fid::Gen(g)
                    }
                    CFunc::Other => {
                        return Err(shape(format!(
                            "{what} is lowered, but it is neither an import nor a function another component lifts"
                        )));
                    }
                };
                sp.core_funcs.push(Ok(fid));
            }
            CanonicalFunction::ResourceDrop { resource } => match sp.types.get(resource as usize) {
                Some(CItem::Type(Some((module, ty)))) => {
                    sp.core_funcs.push(Ok(Fid::Host(self.hosts.len() as u32)));
                    self.hosts.push(HostFunc {
                        module: module.clone(),
                        name: format!("[resource-drop]{ty}"),
                        realloc: None,
                        ty: None,
                    });
                }
                _ => sp.core_funcs.push(Err(
                    "`canon resource.drop` of a resource a component defines itself is not supported".into(),
                )),
            },
            other => sp.core_funcs.push(Err(format!(
                "the component uses `{}`, which a proxy-wasm module cannot provide",
                super::canon_name(&other)
            ))),
        }
        Ok(())
    }

    fn options(
        &self,
        sp: &Spaces<'a>,
        options: &[CanonicalOption],
        what: &str,
    ) -> Result<Options, AdaptError> {
        let mut o = Options::default();
        for opt in options {
            match opt {
                CanonicalOption::UTF8 => {}
                CanonicalOption::Memory(m) => o.memory = Some(index(&sp.core_memories, *m)?),
                CanonicalOption::Realloc(f) => o.realloc = Some(sp.core_func(*f)?),
                CanonicalOption::PostReturn(f) => o.post_return = Some(sp.core_func(*f)?),
                other => {
                    return Err(shape(format!(
                        "{what} uses canonical option {other:?}; the adapter handles UTF-8 strings, one memory per component, synchronous calls"
                    )));
                }
            }
        }
        Ok(o)
    }

    /// A wrapper through which a component whose memory is not the
    /// plugin's calls host import `h`.
    fn wrap_host(
        &mut self,
        h: u32,
        memory: u32,
        sig: fuse::FuncSig,
        realloc: Option<Fid>,
    ) -> Result<Fid, AdaptError> {
        let realloc = match realloc {
            Some(r) => {
                let g = self.gens.len() as u32;
                self.gens.push(Gen::ReallocAbs { realloc: r, memory });
                Some(Fid::Gen(g))
            }
            None => None,
        };
        let host = &mut self.hosts[h as usize];
        host.realloc = realloc;
        let (params, results) = sig.core();
        host.ty = Some(HostTy::Sig(params, results));
        let g = self.gens.len() as u32;
        self.gens.push(Gen::HostWrapper {
            host: h,
            memory,
            sig,
        });
        Ok(Fid::Gen(g))
    }
}

#[derive(Default)]
struct Options {
    memory: Option<u32>,
    realloc: Option<Fid>,
    post_return: Option<Fid>,
}

/// The WIT of the component being walked, decoded on first need.
fn scope_wit(
    slot: &mut Option<Rc<ScopeWit>>,
    component: &[u8],
) -> Result<Rc<ScopeWit>, AdaptError> {
    if let Some(w) = slot {
        return Ok(w.clone());
    }
    let w = Rc::new(ScopeWit::decode(component)?);
    *slot = Some(w.clone());
    Ok(w)
}

/// Evaluate `component` into a [`Plan`].
pub(crate) fn plan(component: &[u8]) -> Result<Plan<'_>, AdaptError> {
    let mut l = Linker::new();
    l.walk(component, None, 0)?;
    let Linker {
        modules,
        insts,
        hosts,
        gens,
        counts,
        stack_pointers,
        ..
    } = l;

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
    let guest_memory = g.memories.first().copied();
    // The plugin's own stack pointer (the panic recovery restores it);
    // else the first one seen, as a dynamically linked plugin shares one.
    let stack_pointer = stack_pointers
        .get(&(guest as u32))
        .or_else(|| (0..insts.len() as u32).find_map(|k| stack_pointers.get(&k)))
        .copied();
    let mut library_stack_pointers: Vec<u32> = stack_pointers
        .values()
        .copied()
        .filter(|g| Some(*g) != stack_pointer)
        .collect();
    library_stack_pointers.sort_unstable();
    library_stack_pointers.dedup();
    Ok(Plan {
        modules,
        insts,
        hosts,
        gens,
        guest: guest as u32,
        guest_memory,
        memories: counts.memories,
        exports,
        stack_pointer,
        library_stack_pointers,
    })
}
