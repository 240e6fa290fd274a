//! Re-encode the plugin's main core module with remapped function indices
//! and add the glue to it.

use crate::glue::{self, Body, Cx, FuncRef, Helper, Op};
use crate::inspect::Plugin;
use crate::output::Output;
use crate::witsig::{Sig, Wit};
use crate::{AdaptError, OnPanic, Options, Profile, Report};
use std::collections::{BTreeMap, HashMap};
use wasm_encoder::reencode::{Error as ReError, Reencode};
use wasm_encoder::{
    ConstExpr, DataCountSection, ElementSection, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, MemorySection, StartSection,
    TableSection, TagKind, TagSection, TagType, TypeSection, ValType,
};
use wasmparser::Payload;

/// The plugin's indices in the output. Its code is validated only there,
/// so an index past the plugin's own (which the glue's additions would
/// make valid) becomes `u32::MAX`, which nothing is: the output does not
/// validate, and `inspect::blame` names the plugin's error.
#[derive(Clone, Copy)]
struct Remap<'a> {
    funcs: &'a [u32],
    types: u32,
    globals: u32,
    tags: u32,
}

fn within(index: u32, count: u32) -> u32 {
    if index < count { index } else { u32::MAX }
}

impl Reencode for Remap<'_> {
    type Error = std::convert::Infallible;
    fn function_index(&mut self, func: u32) -> Result<u32, ReError<Self::Error>> {
        Ok(self.funcs.get(func as usize).copied().unwrap_or(u32::MAX))
    }
    fn type_index(&mut self, ty: u32) -> Result<u32, ReError<Self::Error>> {
        Ok(within(ty, self.types))
    }
    fn global_index(&mut self, global: u32) -> Result<u32, ReError<Self::Error>> {
        Ok(within(global, self.globals))
    }
    fn tag_index(&mut self, tag: u32) -> Result<u32, ReError<Self::Error>> {
        Ok(within(tag, self.tags))
    }
}

fn malformed(e: impl std::fmt::Display) -> AdaptError {
    AdaptError::Malformed(e.to_string())
}

/// What becomes of one plugin import.
pub(super) enum Bind {
    Keep,
    Glue(Body),
}

mod bind;
mod live;
mod read;

pub(crate) fn merge(
    plugin: &Plugin<'_>,
    options: &Options,
) -> Result<(Vec<u8>, Report), AdaptError> {
    let bytes: &[u8] = &plugin.module;
    let wit = Wit::load();

    let input = read::read(bytes)?;
    read::check_exports(&input, &wit, &plugin.import_reallocs)?;
    let read::Input {
        func_types,
        imports,
        defined_types,
        n_globals,
        guest,
        realloc,
        sections,
        orig_names,
        stack,
        n_tags,
    } = input;
    let type_of = |t: u32| read::type_of(&func_types, t);
    let cx = Cx {
        realloc,
        profile: options.profile,
        // A composition's plugin memory is capped by its region already.
        max_pages: options.max_memory_pages.filter(|_| !plugin.caps_memory),
        on_panic: options.on_panic,
        saved_stacks: 1 + plugin.library_stack_pointers.len() as u32,
    };

    let bind::Bound {
        binds,
        mut report,
        imported,
    } = bind::bind(plugin, &imports, &type_of, &cx, &wit)?;

    // ---- choose the exports
    let hooks = plugin.hooks_section.unwrap_or(u32::MAX);
    let imports_fn = |i: &str, f: &str| imported.contains(&(i.to_string(), f.to_string()));
    let mut exports: Vec<(String, Body)> = Vec::new();
    let mut names = vec!["_initialize".to_string()];
    // proxy-wasm-cpp-host takes the first `proxy_abi_version_*` export it
    // meets, so the Higress marker goes first; 0.2.1 stays for hosts that
    // do not know 0.2.100.
    if options.profile == Profile::Higress {
        names.push("proxy_abi_version_0_2_100".to_string());
    }
    names.push("proxy_abi_version_0_2_1".to_string());
    for callback in gatewit_abi::CALLBACKS {
        use gatewit_abi::Callback;
        // The async callbacks follow the imports that cause them, whatever
        // the hooks section says: an unanswered call would also leave its
        // entry in the glue's call table.
        let wanted = match callback {
            Callback::Tick => imports_fn("time", "set-tick-period"),
            Callback::HttpCallResponse => imports_fn("http-client", "dispatch-http-call"),
            Callback::RedisCallResponse => {
                options.profile == Profile::Higress && imports_fn("redis", "redis-call")
            }
            // Envoy only delivers it to the VM that registered the queue,
            // so without `register-shared-queue` it can never fire.
            Callback::QueueReady => {
                callback.is_in(hooks) && imports_fn("shared-data", "register-shared-queue")
            }
            _ => callback.is_in(hooks),
        };
        if wanted {
            names.push(callback.proxy_name().to_string());
        }
    }
    for name in names {
        if let Some(mut b) = glue::export_glue(&cx, &guest, &name) {
            if let Some(k) = glue::entry_points().position(|e| e == name) {
                b.ops.insert(0, Op::Enter(k as i32));
            }
            exports.push((name, b));
        }
    }

    // ---- collect helpers and hostcalls
    let mut helpers: BTreeMap<Helper, Body> = BTreeMap::new();
    let mut todo = vec![Helper::Malloc];
    if options.max_steps.is_some() {
        todo.push(Helper::StepsExhausted);
    }
    let recovering = options.on_panic != OnPanic::Trap;
    if cx.max_pages.is_some() {
        todo.push(Helper::Grow);
    }
    let scan = |ops: &[Op], todo: &mut Vec<Helper>| {
        for op in ops {
            if let Op::Call(FuncRef::Helper(h)) = op {
                todo.push(*h);
            }
        }
    };
    for b in binds
        .iter()
        .filter_map(|b| if let Bind::Glue(b) = b { Some(b) } else { None })
    {
        scan(&b.ops, &mut todo);
    }
    for (_, b) in &exports {
        scan(&b.ops, &mut todo);
    }
    while let Some(h) = todo.pop() {
        if helpers.contains_key(&h) {
            continue;
        }
        let b = glue::helper(&cx, h);
        scan(&b.ops, &mut todo);
        helpers.insert(h, b);
    }
    let bodies: Vec<&Body> = binds
        .iter()
        .filter_map(|b| if let Bind::Glue(b) = b { Some(b) } else { None })
        .chain(helpers.values())
        .chain(exports.iter().map(|(_, b)| b))
        .collect();
    let mut hosts: Vec<(&'static str, &'static str)> = Vec::new();
    for b in &bodies {
        for op in &b.ops {
            if let Op::Call(FuncRef::Host(m, n)) = op
                && !hosts.contains(&(*m, *n))
            {
                hosts.push((*m, *n));
            }
        }
    }

    // ---- assign indices
    let mut new_imports: Vec<(String, String, u32)> = Vec::new(); // (module, name, input type or MAX)
    let mut remap = vec![0u32; imports.len() + defined_types.len()];
    for (i, ((m, n, t), bind)) in imports.iter().zip(&binds).enumerate() {
        if let Bind::Keep = bind {
            remap[i] = new_imports.len() as u32;
            new_imports.push((m.clone(), n.clone(), *t));
        }
    }
    let mut host_index: HashMap<(&str, &str), u32> = HashMap::new();
    let mut host_types = Vec::new();
    for (m, n) in &hosts {
        if let Some(pos) = new_imports
            .iter()
            .position(|(km, kn, _)| km == m && kn == n)
        {
            let sig = type_of(new_imports[pos].2)?;
            if sig != glue::host_sig(m, n) {
                return Err(AdaptError::SignatureMismatch {
                    name: format!("{m}#{n}"),
                    found: sig.to_string(),
                    expected: glue::host_sig(m, n).to_string(),
                });
            }
            host_index.insert((m, n), pos as u32);
            continue;
        }
        host_index.insert((m, n), new_imports.len() as u32);
        new_imports.push((m.to_string(), n.to_string(), u32::MAX));
        host_types.push((m.to_string(), n.to_string()));
    }
    let n_imp = new_imports.len() as u32;
    let glue_calls = bodies
        .iter()
        .flat_map(|b| &b.ops)
        .filter_map(|op| match op {
            Op::Call(FuncRef::Orig(f)) => Some(*f),
            _ => None,
        });
    let plugin_bodies: Vec<_> = sections
        .iter()
        .filter_map(|p| match p {
            Payload::CodeSectionEntry(body) => Some(body.clone()),
            _ => None,
        })
        .collect();
    let live = live::live(
        &sections,
        &plugin_bodies,
        imports.len(),
        glue_calls,
        plugin.calls.as_deref(),
    )?;
    // The output validates the bodies it keeps; those it drops are
    // validated here, so that a malformed one is not dropped unnoticed
    // (see `inspect::blame`).
    if live.contains(&false) {
        let mut dropped = Vec::new();
        for (j, kept) in live.iter().enumerate() {
            if let (false, Some(&body)) = (kept, plugin.origins.get(j)) {
                dropped.push(body);
            }
        }
        dropped.sort_unstable();
        plugin
            .bodies
            .validate(|body| dropped.binary_search(&body).is_ok())
            .map_err(|e| malformed(format!("a function the output drops: {e}")))?;
    }
    // A dropped function keeps no index: a call to one that slipped
    // through would not validate, rather than call something else.
    let mut next = n_imp;
    for (j, kept) in live.iter().enumerate() {
        remap[imports.len() + j] = if *kept {
            next += 1;
            next - 1
        } else {
            u32::MAX
        };
    }
    for (i, bind) in binds.iter().enumerate() {
        if let Bind::Glue(_) = bind {
            remap[i] = next;
            next += 1;
        }
    }
    let mut helper_index = HashMap::new();
    for h in helpers.keys() {
        helper_index.insert(*h, next);
        next += 1;
    }
    let mut export_index = Vec::new();
    for (name, _) in &exports {
        export_index.push((name.clone(), next));
        next += 1;
    }
    let state_global = n_globals;
    // With a step budget: steps left. With a step budget or panic
    // recovery: the callback last entered, for their log lines.
    let steps_global = n_globals + 1;
    let entered_global = n_globals + 1 + u32::from(options.max_steps.is_some());
    let tracks_entry = options.max_steps.is_some() || recovering;
    // The plugin's stack pointer first, then its libraries' (see
    // `Cx::saved_stacks`).
    let stack_pointers: Vec<u32> = stack
        .index()
        .into_iter()
        .chain(
            plugin
                .library_stack_pointers
                .iter()
                .copied()
                .filter(|g| Some(*g) != stack.index()),
        )
        .collect();
    let panic_tag = recovering.then_some(n_tags);

    // ---- encode
    let mut re = Remap {
        funcs: &remap,
        types: func_types.len() as u32,
        globals: n_globals,
        tags: n_tags,
    };
    // The glue adds some kilobytes to the plugin.
    let mut module = Output::with_capacity(bytes.len() + (256 << 10));
    let mut types = TypeSection::new();
    let mut sig_types: HashMap<(Vec<ValType>, Vec<ValType>), u32> = HashMap::new();
    // Reuse the plugin's own function types where they fit.
    for (i, t) in func_types.iter().enumerate() {
        if let Some(sig) = t {
            sig_types
                .entry((sig.params.clone(), sig.results.clone()))
                .or_insert(i as u32);
        }
    }
    let mut n_types = func_types.len() as u32;
    let mut type_for = |types: &mut TypeSection, sig: &Sig| -> u32 {
        *sig_types
            .entry((sig.params.clone(), sig.results.clone()))
            .or_insert_with(|| {
                types
                    .ty()
                    .function(sig.params.iter().copied(), sig.results.iter().copied());
                n_types += 1;
                n_types - 1
            })
    };
    let sec = |id: u8| sections.iter().filter(move |p| payload_id(p) == Some(id));
    if let Some(Payload::TypeSection(r)) = sec(1).next() {
        re.parse_type_section(&mut types, r.clone())
            .map_err(malformed)?;
    }
    let host_type_idx: Vec<u32> = new_imports
        .iter()
        .map(|(m, n, t)| {
            if *t == u32::MAX {
                type_for(&mut types, &glue::host_sig(m, n))
            } else {
                *t
            }
        })
        .collect();
    let body_type_idx: Vec<u32> = bodies
        .iter()
        .map(|b| type_for(&mut types, &b.sig))
        .collect();
    // The panic tag's type: no payload.
    let panic_tag_type = type_for(
        &mut types,
        &Sig {
            params: Vec::new(),
            results: Vec::new(),
        },
    );
    module.section(&types);

    let mut imps = ImportSection::new();
    for ((m, n, _), t) in new_imports.iter().zip(&host_type_idx) {
        imps.import(m, n, EntityType::Function(*t));
    }
    module.section(&imps);

    let mut funcs = FunctionSection::new();
    for (t, _) in defined_types.iter().zip(&live).filter(|(_, kept)| **kept) {
        funcs.function(*t);
    }
    for t in &body_type_idx {
        funcs.function(*t);
    }
    module.section(&funcs);

    if let Some(Payload::TableSection(r)) = sec(4).next() {
        let mut s = TableSection::new();
        re.parse_table_section(&mut s, r.clone())
            .map_err(malformed)?;
        module.section(&s);
    }
    if let Some(Payload::MemorySection(r)) = sec(5).next() {
        let mut s = MemorySection::new();
        re.parse_memory_section(&mut s, r.clone())
            .map_err(malformed)?;
        module.section(&s);
    }
    // Exception-handling tags (the plugin's own `throw`/`try_table`) stay;
    // the panic tag follows them.
    let mut tags = TagSection::new();
    if let Some(Payload::TagSection(r)) = sec(13).next() {
        re.parse_tag_section(&mut tags, r.clone())
            .map_err(malformed)?;
    }
    if panic_tag.is_some() {
        tags.tag(TagType {
            kind: TagKind::Exception,
            func_type_idx: panic_tag_type,
        });
    }
    if !tags.is_empty() {
        module.section(&tags);
    }
    let mut globals = GlobalSection::new();
    let mut constants = Vec::new();
    if let Some(Payload::GlobalSection(r)) = sec(6).next() {
        for g in r.clone() {
            let g = g.map_err(malformed)?;
            constants.push(crate::meter::Constant::of(&g));
            re.parse_global(&mut globals, g).map_err(malformed)?;
        }
    }
    // The glue's only state: a pointer to its block (0 until first use).
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(0),
    );
    let added = options
        .max_steps
        .map(|max| max as i32)
        .into_iter()
        .chain(tracks_entry.then_some(0));
    {
        for init in added {
            globals.global(
                GlobalType {
                    val_type: ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &ConstExpr::i32_const(init),
            );
        }
    }
    module.section(&globals);

    let mut exps = ExportSection::new();
    exps.export("memory", ExportKind::Memory, 0);
    let malloc = helper_index[&Helper::Malloc];
    exps.export("malloc", ExportKind::Func, malloc);
    exps.export("proxy_on_memory_allocate", ExportKind::Func, malloc);
    for (name, idx) in &export_index {
        exps.export(name, ExportKind::Func, *idx);
    }
    if let Some(g) = plugin.plugin_pages {
        exps.export(gatewit_abi::PLUGIN_PAGES_EXPORT, ExportKind::Global, g);
    }
    module.section(&exps);
    if let Some(Payload::StartSection { func, .. }) = sec(8).next() {
        module.section(&StartSection {
            function_index: remap[*func as usize],
        });
    }
    if let Some(Payload::ElementSection(r)) = sec(9).next() {
        let mut s = ElementSection::new();
        re.parse_element_section(&mut s, r.clone())
            .map_err(malformed)?;
        module.section(&s);
    }
    if let Some(Payload::DataCountSection { count, .. }) = sec(12).next() {
        module.section(&DataCountSection { count: *count });
    }
    let meter = crate::meter::Meter {
        steps: helper_index
            .get(&Helper::StepsExhausted)
            .map(|&exhausted| (steps_global, exhausted)),
        grow: helper_index.get(&Helper::Grow).copied(),
        panic_tag,
        // The plugin's own tags (the panic tag comes after them).
        calls_unwind: n_tags > 0,
        constants,
    };
    // Each kept body with its parameter count (where its locals start).
    let plugin_bodies: Vec<_> = plugin_bodies
        .into_iter()
        .zip(&defined_types)
        .zip(&live)
        .filter(|(_, kept)| **kept)
        .map(|((body, &t), _)| {
            let params = func_types
                .get(t as usize)
                .and_then(Option::as_ref)
                .map_or(0, |sig| sig.params.len() as u32);
            (body, params)
        })
        .collect();
    let encoded = crate::par::map(&plugin_bodies, |(body, params)| {
        crate::meter::function(&mut { re }, body, *params, &meter)
    })?;
    let mut code = encoded;
    for b in &bodies {
        let mut f = Function::new_with_locals_types(b.locals.iter().copied());
        for op in &b.ops {
            match op {
                Op::I(i) => {
                    f.instruction(i);
                }
                Op::Call(r) => {
                    let idx = match r {
                        FuncRef::Host(m, n) => host_index[&(*m, *n)],
                        FuncRef::Helper(h) => helper_index[h],
                        FuncRef::Orig(i) => remap[*i as usize],
                    };
                    f.instruction(&wasm_encoder::Instruction::Call(idx));
                }
                Op::StateGet => {
                    f.instruction(&wasm_encoder::Instruction::GlobalGet(state_global));
                }
                Op::StateSet => {
                    f.instruction(&wasm_encoder::Instruction::GlobalSet(state_global));
                }
                Op::Enter(k) => {
                    if let Some(max) = options.max_steps {
                        f.instruction(&wasm_encoder::Instruction::I32Const(max as i32))
                            .instruction(&wasm_encoder::Instruction::GlobalSet(steps_global));
                    }
                    if tracks_entry {
                        f.instruction(&wasm_encoder::Instruction::I32Const(*k))
                            .instruction(&wasm_encoder::Instruction::GlobalSet(entered_global));
                    }
                }
                Op::SpSave(_)
                | Op::SpRestore(_)
                | Op::TryBegin(_)
                | Op::CatchPanic
                | Op::TryEnd => {
                    crate::glue::encode_recovery(
                        &mut f,
                        op,
                        &stack_pointers,
                        panic_tag,
                        options.exceptions,
                    );
                }
                Op::EnteredGet => {
                    f.instruction(&wasm_encoder::Instruction::GlobalGet(entered_global));
                }
                Op::StepsSet(n) => {
                    f.instruction(&wasm_encoder::Instruction::I32Const(*n))
                        .instruction(&wasm_encoder::Instruction::GlobalSet(steps_global));
                }
            }
        }
        code.push(f);
    }
    module.code(code.iter());
    // The data as it is: nothing in it is renumbered (a CPython plugin
    // carries 11 MB of it).
    if let Some(Payload::DataSection(r)) = sec(11).next() {
        module.section(&wasm_encoder::RawSection {
            id: wasm_encoder::SectionId::Data as u8,
            data: plugin
                .module
                .get(r.range())
                .ok_or_else(|| malformed("the data section is past the module's end"))?,
        });
    }
    // Function names, so traps in the gateway's log point somewhere: the
    // plugin's own (remapped), then the glue's.
    let mut fnames: BTreeMap<u32, String> = BTreeMap::new();
    for (old, name) in orig_names.iter().filter(|_| options.keep_names) {
        if let Some(&new) = remap.get(*old as usize)
            && new != u32::MAX
        {
            fnames.insert(new, name.clone());
        }
    }
    for (i, ((m, n, _), bind)) in imports.iter().zip(&binds).enumerate() {
        if options.keep_names || matches!(bind, Bind::Glue(_)) {
            fnames.entry(remap[i]).or_insert_with(|| format!("{m}#{n}"));
        }
    }
    for ((m, n), idx) in &host_index {
        fnames.entry(*idx).or_insert_with(|| format!("{m}.{n}"));
    }
    for (h, idx) in &helper_index {
        fnames.insert(*idx, format!("gatewit-glue:{h:?}"));
    }
    for (name, idx) in &export_index {
        fnames.insert(*idx, format!("gatewit-glue:{name}"));
    }
    let mut map = wasm_encoder::NameMap::new();
    for (idx, name) in &fnames {
        map.append(*idx, name);
    }
    let mut names = wasm_encoder::NameSection::new();
    names.functions(&map);
    module.section(&names);
    let out = module.finish();

    report.imports = new_imports
        .iter()
        .map(|(m, n, _)| format!("{m}.{n}"))
        .collect();
    report.exports = ["memory", "malloc", "proxy_on_memory_allocate"]
        .iter()
        .map(|s| s.to_string())
        .chain(export_index.iter().map(|(n, _)| n.clone()))
        .collect();
    report.hooks = export_index
        .iter()
        .filter(|(n, _)| n.starts_with("proxy_on_"))
        .map(|(n, _)| n.clone())
        .collect();
    Ok((out, report))
}

fn conv(t: &wasmparser::ValType) -> Result<ValType, AdaptError> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(_) => {
            return Err(AdaptError::UnsupportedShape(
                "reference-typed function signatures".into(),
            ));
        }
    })
}

fn payload_id(p: &Payload<'_>) -> Option<u8> {
    Some(match p {
        Payload::TypeSection(_) => 1,
        Payload::TableSection(_) => 4,
        Payload::MemorySection(_) => 5,
        Payload::TagSection(_) => 13,
        Payload::GlobalSection(_) => 6,
        Payload::StartSection { .. } => 8,
        Payload::ElementSection(_) => 9,
        Payload::DataSection(_) => 11,
        Payload::DataCountSection { .. } => 12,
        _ => return None,
    })
}

/// The plugin's memory must be one a proxy-wasm host can share: exactly one,
/// 32-bit, unshared, with 64 KiB pages. Anything else is refused here, by
/// name, rather than producing a module the host cannot load.
pub(crate) fn check_memories(r: &wasmparser::MemorySectionReader<'_>) -> Result<(), AdaptError> {
    if r.count() > 1 {
        return Err(AdaptError::UnsupportedShape(format!(
            "the plugin module defines {} memories (multi-memory); a proxy-wasm module has exactly one",
            r.count()
        )));
    }
    for memory in r.clone() {
        let memory = memory.map_err(malformed)?;
        let refuse = |what: &str| {
            Err(AdaptError::UnsupportedShape(format!(
                "the plugin's memory is {what}; proxy-wasm hosts use one 32-bit memory with 64 KiB pages"
            )))
        };
        if memory.memory64 {
            return refuse("64-bit (memory64)");
        }
        if memory.shared {
            return refuse("shared (threads)");
        }
        if memory.page_size_log2.is_some_and(|p| p != 16) {
            return refuse("of custom page size (custom-page-sizes)");
        }
    }
    Ok(())
}
