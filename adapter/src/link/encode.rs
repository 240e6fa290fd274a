//! Write the linked module: every instantiated module's definitions, in
//! instantiation order, with each instance's index spaces mapped onto the
//! output's.

use super::malformed;
use super::types::{Types, module_types};
use super::{Fid, HostTy, Linked, Plan};
use crate::AdaptError;
use crate::copy;
use crate::fuse::{Bases, Gen, Region, emit};
use crate::lower::{Guard, Layout};
use crate::output::{Output, Segment};
use std::collections::HashMap;
use wasm_encoder::reencode::{Error as ReError, Reencode};
use wasm_encoder::{
    ConstExpr, DataCountSection, ElementSection, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, ImportSection, Instruction, MemorySection, NameMap,
    NameSection, TableSection, TagSection, ValType,
};
use wasmparser::{Operator, Parser, Payload};

/// A constant a global holds for good (immutable, constant initializer):
/// what lets data and element offsets that read `__memory_base` or
/// `__table_base` become plain constants once those globals are no longer
/// imports (a constant expression may only read imported globals).
#[derive(Clone, Copy, Debug)]
enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    RefFunc(u32),
}

impl Val {
    fn expr(self) -> ConstExpr {
        match self {
            Val::I32(v) => ConstExpr::i32_const(v),
            Val::I64(v) => ConstExpr::i64_const(v),
            Val::F32(v) => ConstExpr::f32_const(f32::from_bits(v).into()),
            Val::F64(v) => ConstExpr::f64_const(f64::from_bits(v).into()),
            Val::RefFunc(f) => ConstExpr::ref_func(f),
        }
    }
}

/// One instance's view: its indices → the output's. Borrowed throughout,
/// so each thread re-encoding the instance's functions makes its own.
#[derive(Clone, Copy)]
struct Inst<'p> {
    funcs: &'p [u32],
    tables: &'p [u32],
    memories: &'p [u32],
    globals: &'p [u32],
    tags: &'p [u32],
    types: &'p [u32],
    data_base: u32,
    elem_base: u32,
    /// Constants of the globals of the instances before this one.
    consts: &'p HashMap<u32, Val>,
    /// Per memory of the output's memories before lowering: its region,
    /// when there are several (see [`crate::lower`]).
    lowered: &'p [Lowered],
    /// Whether the instruction being re-encoded had its bounds check
    /// emitted (one with a memory argument that is not is refused, when
    /// its memory is checked).
    guarded: bool,
}

fn get(v: &[u32], i: u32, what: &str) -> Result<u32, ReError<String>> {
    v.get(i as usize)
        .copied()
        .ok_or_else(|| ReError::UserError(format!("{what} index {i} out of range")))
}

impl<'a> Inst<'_> {
    /// Data segment `datum`, for the data section [`Output::data`] writes.
    fn segment(&mut self, datum: wasmparser::Data<'a>) -> Result<Segment<'a>, ReError<String>> {
        let active = match datum.kind {
            wasmparser::DataKind::Active {
                memory_index,
                offset_expr,
            } => {
                let base = self.base_of(memory_index)?;
                let offset = if base == 0 {
                    self.const_expr(offset_expr)?
                } else {
                    match self.fold(&offset_expr) {
                        Some(Val::I32(o)) => ConstExpr::i32_const(o.wrapping_add(base as i32)),
                        _ => {
                            return Err(ReError::UserError(
                                "a data segment of a component whose memory is lowered into a region has an offset that is not a constant".into(),
                            ));
                        }
                    }
                };
                Some((self.memory_index(memory_index)?, offset))
            }
            wasmparser::DataKind::Passive => None,
        };
        Ok(Segment {
            active,
            data: datum.data,
        })
    }
}

impl Reencode for Inst<'_> {
    type Error = String;
    fn function_index(&mut self, f: u32) -> Result<u32, ReError<String>> {
        get(self.funcs, f, "function")
    }
    fn table_index(&mut self, t: u32) -> Result<u32, ReError<String>> {
        get(self.tables, t, "table")
    }
    fn memory_index(&mut self, m: u32) -> Result<u32, ReError<String>> {
        let m = get(self.memories, m, "memory")?;
        // Lowered: every memory is a region of memory 0.
        Ok(if self.lowered.is_empty() { m } else { 0 })
    }
    fn mem_arg(
        &mut self,
        arg: wasmparser::MemArg,
    ) -> Result<wasm_encoder::MemArg, ReError<String>> {
        if !self.guarded && self.guards_of(arg.memory)?.is_some() {
            return Err(ReError::UserError(
                "the plugin accesses its memory with an instruction the bounds check does not cover (an atomic access?); adapt without `--check-bounds`".into(),
            ));
        }
        let base = self.base_of(arg.memory)?;
        Ok(wasm_encoder::MemArg {
            offset: arg.offset + base,
            align: arg.align.into(),
            memory_index: self.memory_index(arg.memory)?,
        })
    }
    fn global_index(&mut self, g: u32) -> Result<u32, ReError<String>> {
        get(self.globals, g, "global")
    }
    fn tag_index(&mut self, t: u32) -> Result<u32, ReError<String>> {
        get(self.tags, t, "tag")
    }
    fn type_index(&mut self, t: u32) -> Result<u32, ReError<String>> {
        get(self.types, t, "type")
    }
    fn data_index(&mut self, d: u32) -> Result<u32, ReError<String>> {
        Ok(self.data_base + d)
    }
    fn element_index(&mut self, e: u32) -> Result<u32, ReError<String>> {
        Ok(self.elem_base + e)
    }
    fn const_expr(&mut self, e: wasmparser::ConstExpr<'_>) -> Result<ConstExpr, ReError<String>> {
        match self.fold(&e) {
            Some(v) => Ok(v.expr()),
            None => wasm_encoder::reencode::utils::const_expr(self, e),
        }
    }
}

impl Inst<'_> {
    /// The byte offset of the region instance memory `m` lives in.
    fn base_of(&self, m: u32) -> Result<u64, ReError<String>> {
        let m = get(self.memories, m, "memory")?;
        Ok(self
            .lowered
            .get(m as usize)
            .map_or(0, |l| u64::from(l.region.base_pages) * 65536))
    }

    /// The check functions of instance memory `m`, when it is checked.
    fn guards_of(&self, m: u32) -> Result<Option<Guards>, ReError<String>> {
        let m = get(self.memories, m, "memory")?;
        Ok(self.lowered.get(m as usize).and_then(|l| l.guards))
    }

    /// Whether this instance's memory 0 is the output's, unmoved and
    /// unchecked, so its loads and stores stay as they are.
    fn keeps_memory_zero(&self) -> bool {
        let mut cx = *self;
        matches!(cx.memory_index(0), Ok(0))
            && matches!(self.base_of(0), Ok(0))
            && matches!(self.guards_of(0), Ok(None))
    }

    /// Whether any memory of this instance is checked (its functions then
    /// get the scratch locals of [`Guard::SCRATCH`]).
    fn checks(&self) -> bool {
        self.memories.iter().any(|m| {
            self.lowered
                .get(*m as usize)
                .is_some_and(|l| l.guards.is_some())
        })
    }

    /// Emit the bounds check `op` needs first, if any (see
    /// [`crate::lower`]); `scratch` is the first of the function's scratch
    /// locals.
    fn emit_guard(
        &self,
        f: &mut Function,
        op: &Operator<'_>,
        scratch: u32,
        named: &mut Vec<u32>,
    ) -> Result<bool, ReError<String>> {
        let Some((guard, mem, end)) = Guard::of(op) else {
            return Ok(false);
        };
        let Some(g) = self.guards_of(mem)? else {
            return Ok(false);
        };
        let value = match guard {
            Guard::Store(t) => Guard::SCRATCH[1..]
                .iter()
                .position(|s| *s == t)
                .map(|i| scratch + 1 + i as u32),
            _ => None,
        };
        match guard.slot() {
            Some(slot) => {
                f.instruction(&Instruction::Call(g.calls[slot]));
                named.push(g.calls[slot]);
            }
            None => {
                if let Some(v) = value {
                    f.instruction(&Instruction::LocalSet(v));
                }
                f.instruction(&Instruction::LocalSet(scratch));
                for ins in crate::lower::check(g.pages, scratch, crate::lower::Len::Const(end)) {
                    f.instruction(&ins);
                }
                f.instruction(&Instruction::LocalGet(scratch));
                if let Some(v) = value {
                    f.instruction(&Instruction::LocalGet(v));
                }
            }
        }
        Ok(true)
    }

    /// The function that replaces a memory instruction of a lowered
    /// memory, if `op` is one.
    fn memory_op(&self, op: &Operator<'_>) -> Result<Option<u32>, ReError<String>> {
        let (mem, which) = match op {
            Operator::MemorySize { mem } => (*mem, 0),
            Operator::MemoryGrow { mem } => (*mem, 1),
            Operator::MemoryFill { mem } => (*mem, 2),
            Operator::MemoryCopy { dst_mem, src_mem } if dst_mem == src_mem => (*dst_mem, 3),
            Operator::MemoryInit { mem, .. } => {
                let m = get(self.memories, *mem, "memory")?;
                if self
                    .lowered
                    .get(m as usize)
                    .is_some_and(|l| l.region.base_pages > 0)
                {
                    return Err(ReError::UserError(
                        "`memory.init` in a component whose memory is lowered into a region is not supported yet".into(),
                    ));
                }
                return Ok(None);
            }
            _ => return Ok(None),
        };
        let m = get(self.memories, mem, "memory")?;
        Ok(self.lowered.get(m as usize).and_then(|l| l.ops[which]))
    }

    /// Evaluate a constant expression, when all it reads is known.
    fn fold(&self, e: &wasmparser::ConstExpr<'_>) -> Option<Val> {
        let mut stack = Vec::new();
        for op in e.get_operators_reader() {
            let v = match op.ok()? {
                Operator::I32Const { value } => Val::I32(value),
                Operator::I64Const { value } => Val::I64(value),
                Operator::F32Const { value } => Val::F32(value.bits()),
                Operator::F64Const { value } => Val::F64(value.bits()),
                Operator::RefFunc { function_index } => {
                    Val::RefFunc(*self.funcs.get(function_index as usize)?)
                }
                Operator::GlobalGet { global_index } => {
                    *self.consts.get(self.globals.get(global_index as usize)?)?
                }
                op @ (Operator::I32Add | Operator::I32Sub | Operator::I32Mul) => {
                    let (Val::I32(b), Val::I32(a)) = (stack.pop()?, stack.pop()?) else {
                        return None;
                    };
                    Val::I32(match op {
                        Operator::I32Add => a.wrapping_add(b),
                        Operator::I32Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    })
                }
                op @ (Operator::I64Add | Operator::I64Sub | Operator::I64Mul) => {
                    let (Val::I64(b), Val::I64(a)) = (stack.pop()?, stack.pop()?) else {
                        return None;
                    };
                    Val::I64(match op {
                        Operator::I64Add => a.wrapping_add(b),
                        Operator::I64Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    })
                }
                Operator::End => break,
                _ => return None,
            };
            stack.push(v);
        }
        match stack[..] {
            [v] => Some(v),
            _ => None,
        }
    }
}

fn re(e: ReError<String>) -> AdaptError {
    match e {
        ReError::UserError(m) => AdaptError::Malformed(m),
        other => {
            AdaptError::UnsupportedShape(format!("a core module cannot be re-encoded: {other}"))
        }
    }
}

/// A memory lowered into a region of memory 0, and the functions that
/// replace its `memory.size`, `memory.grow`, `memory.fill` and
/// `memory.copy` (`None` where the instruction stays as it is).
#[derive(Clone, Copy)]
pub(crate) struct Lowered {
    pub region: Region,
    pub ops: [Option<u32>; 4],
    /// How accesses to the region are checked, when they are.
    pub guards: Option<Guards>,
}

/// A checked region's page count global and the functions checking its
/// bulk operations (by [`Guard::slot`]).
#[derive(Clone, Copy)]
pub(crate) struct Guards {
    pub pages: u32,
    pub calls: [u32; Guard::CALLED.len()],
}

/// Write the module `plan` describes.
/// `keep_names`: whether the output names the modules' functions (for
/// `--keep-names`; CPython's 12,000 names cost some milliseconds to read
/// and write, for nothing otherwise).
pub(crate) fn encode(
    plan: &Plan<'_>,
    layout: Layout,
    keep_names: bool,
) -> Result<Linked, AdaptError> {
    let mut types = Types::default();
    let per_module: Vec<Vec<u32>> = plan
        .modules
        .iter()
        .map(|m| module_types(m.bytes, &mut types))
        .collect::<Result<_, _>>()?;

    // Imports: the lowered component functions some module imports.
    let mut imports = ImportSection::new();
    let mut host_index: HashMap<u32, u32> = HashMap::new();
    let mut import_reallocs_fid = Vec::new();
    for (k, h) in plan.hosts.iter().enumerate() {
        let ty = match &h.ty {
            Some(HostTy::Module(m, t)) => per_module[*m][*t as usize],
            Some(HostTy::Sig(p, r)) => types.get((p.clone(), r.clone())),
            None => continue,
        };
        host_index.insert(k as u32, host_index.len() as u32);
        imports.import(&h.module, &h.name, EntityType::Function(ty));
        import_reallocs_fid.push(h.realloc);
    }
    let n_imports = host_index.len() as u32;
    let mut def_base = Vec::with_capacity(plan.insts.len());
    let mut next = n_imports;
    for i in &plan.insts {
        def_base.push(next);
        next += plan.modules[i.module].defined.funcs;
    }
    let initialize = next;
    next += 1;

    // Several memories (a composition): one memory, in regions.
    let regions = crate::lower::regions(plan, layout.cap_pages)?;
    let mut gens: Vec<&Gen> = plan.gens.iter().collect();
    let mut extra = Vec::new();
    for (m, r) in regions.iter().enumerate() {
        let m = m as u32;
        let mut ops = if r.base_pages == 0 {
            vec![Gen::MemorySize(m), Gen::MemoryGrow(m)]
        } else {
            vec![
                Gen::MemorySize(m),
                Gen::MemoryGrow(m),
                Gen::MemoryFill(m),
                Gen::MemoryCopy(m),
            ]
        };
        let n_ops = ops.len();
        if layout.check_bounds && r.size_global.is_some() {
            ops.extend(Guard::CALLED.iter().map(|g| Gen::Guard {
                memory: m,
                guard: *g,
            }));
        }
        extra.push((n_ops, ops));
    }
    for (_, ops) in &extra {
        gens.extend(ops.iter());
    }
    // Wrappers and reallocs of the plugin's own region move nothing:
    // they are the function they wrap.
    let base_of = |m: u32| regions.get(m as usize).map_or(0, |r| r.base_pages);
    let mut gen_index: Vec<Option<u32>> = Vec::new();
    for g in &gens {
        let alias = match g {
            Gen::HostWrapper { memory, .. } | Gen::ReallocAbs { memory, .. } => {
                base_of(*memory) == 0
            }
            _ => false,
        };
        if alias {
            gen_index.push(None);
        } else {
            gen_index.push(Some(next));
            next += 1;
        }
    }
    let mut lowered = Vec::new();
    let mut k = plan.gens.len();
    for (r, (n_ops, ops)) in regions.iter().zip(&extra) {
        let mut l = Lowered {
            region: *r,
            ops: [None; 4],
            guards: None,
        };
        for slot in 0..*n_ops {
            l.ops[slot] = gen_index[k];
            k += 1;
        }
        if ops.len() > *n_ops {
            let mut calls = [0; Guard::CALLED.len()];
            for c in &mut calls {
                *c = gen_index[k].unwrap_or_default();
                k += 1;
            }
            l.guards = r.size_global.map(|pages| Guards { pages, calls });
        }
        lowered.push(l);
    }
    let fid = |f: Fid| -> Result<u32, AdaptError> {
        fn resolve(
            f: Fid,
            plan: &Plan<'_>,
            host_index: &HashMap<u32, u32>,
            def_base: &[u32],
            gen_index: &[Option<u32>],
            depth: u32,
        ) -> Result<u32, AdaptError> {
            match f {
                Fid::Gen(g) => match (gen_index.get(g as usize), plan.gens.get(g as usize)) {
                    (Some(Some(i)), _) => Ok(*i),
                    (Some(None), Some(Gen::HostWrapper { host, .. })) if depth == 0 => {
                        resolve(Fid::Host(*host), plan, host_index, def_base, gen_index, 1)
                    }
                    (Some(None), Some(Gen::ReallocAbs { realloc, .. })) if depth == 0 => {
                        resolve(*realloc, plan, host_index, def_base, gen_index, 1)
                    }
                    _ => Err(AdaptError::Malformed(format!(
                        "generated function {g} does not exist"
                    ))),
                },
                other => resolve_plain(other, plan, host_index, def_base),
            }
        }
        resolve(f, plan, &host_index, &def_base, &gen_index, 0)
    };
    fn resolve_plain(
        f: Fid,
        plan: &Plan<'_>,
        host_index: &HashMap<u32, u32>,
        def_base: &[u32],
    ) -> Result<u32, AdaptError> {
        match f {
            Fid::Host(k) => host_index.get(&k).copied().ok_or_else(|| {
                let h = &plan.hosts[k as usize];
                AdaptError::UnsupportedShape(format!(
                    "`{}#{}` is lowered for a use other than a core module import (a canonical option?)",
                    h.module, h.name
                ))
            }),
            Fid::Def { inst, idx } => Ok(def_base[inst as usize] + idx),
            Fid::Gen(g) => Err(AdaptError::Malformed(format!(
                "generated function {g} wraps another generated function"
            ))),
        }
    }

    let mut functions = FunctionSection::new();
    let mut tables = TableSection::new();
    let mut memories = MemorySection::new();
    let mut tags = TagSection::new();
    let mut globals = GlobalSection::new();
    let mut elements = ElementSection::new();
    let mut code: Vec<Function> = Vec::new();
    // What each of the modules' functions calls or takes a reference to
    // (for the reachability of `merge::live`, which need not scan them
    // again).
    let mut calls: Vec<Vec<u32>> = Vec::new();
    let mut origins = Vec::new();
    let mut data: Vec<Segment<'_>> = Vec::new();
    let (mut n_data, mut n_elem, mut n_global) = (0u32, 0u32, 0u32);
    let mut consts: HashMap<u32, Val> = HashMap::new();
    let mut starts = Vec::new();
    let mut func_names: std::collections::BTreeMap<u32, String> = Default::default();
    for inst in &plan.insts {
        let module = &plan.modules[inst.module];
        let funcs = inst
            .funcs
            .iter()
            .map(|f| fid(*f))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cx = Inst {
            funcs: &funcs,
            tables: &inst.tables,
            memories: &inst.memories,
            globals: &inst.globals,
            tags: &inst.tags,
            types: &per_module[inst.module],
            data_base: n_data,
            elem_base: n_elem,
            consts: &consts,
            lowered: &lowered,
            guarded: false,
        };
        let mut new_consts = Vec::new();
        let mut bodies = Vec::new();
        // Per defined function: its parameter count.
        let mut params = Vec::new();
        for p in Parser::new(0).parse_all(module.bytes) {
            match p.map_err(malformed)? {
                Payload::FunctionSection(r) => {
                    for t in r {
                        let t = cx.type_index(t.map_err(malformed)?).map_err(re)?;
                        functions.function(t);
                        params.push(types.params.get(t as usize).copied().unwrap_or(0));
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        cx.parse_table(&mut tables, t.map_err(malformed)?)
                            .map_err(re)?;
                    }
                }
                Payload::MemorySection(r) if lowered.is_empty() => {
                    cx.parse_memory_section(&mut memories, r).map_err(re)?;
                }
                Payload::TagSection(r) => cx.parse_tag_section(&mut tags, r).map_err(re)?,
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.map_err(malformed)?;
                        let out = n_global;
                        n_global += 1;
                        let init = match cx.fold(&g.init_expr) {
                            Some(v) => {
                                if !g.ty.mutable {
                                    new_consts.push((out, v));
                                }
                                v.expr()
                            }
                            None => cx.const_expr(g.init_expr).map_err(re)?,
                        };
                        globals.global(cx.global_type(g.ty).map_err(re)?, &init);
                    }
                }
                Payload::ElementSection(r) => {
                    for e in r {
                        n_elem += 1;
                        cx.parse_element(&mut elements, e.map_err(malformed)?)
                            .map_err(re)?;
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        n_data += 1;
                        data.push(cx.segment(d.map_err(malformed)?).map_err(re)?);
                    }
                }
                Payload::CodeSectionEntry(body) => bodies.push(body),
                Payload::StartSection { func, .. } => {
                    starts.push(cx.function_index(func).map_err(re)?);
                }
                // The modules' function names, so `--keep-names` gives a
                // linked plugin readable traps too (a name section that
                // does not parse is only a lost name).
                Payload::CustomSection(c) if keep_names => {
                    if let wasmparser::KnownCustom::Name(reader) = c.as_known() {
                        let imported = inst.funcs.len() as u32 - module.defined.funcs;
                        for name in reader.into_iter().flatten() {
                            if let wasmparser::Name::Function(map) = name {
                                for n in map.into_iter().flatten() {
                                    if n.index >= imported
                                        && let Some(out) = funcs.get(n.index as usize)
                                    {
                                        func_names.insert(*out, n.name.to_string());
                                    }
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let checks = cx.checks();
        let memory_zero_kept = !checks && cx.keeps_memory_zero();
        let bodies: Vec<_> = bodies.into_iter().zip(params).collect();
        let encoded = crate::par::map(&bodies, |body| {
            let (body, params) = body;
            let mut cx = cx;
            let (mut f, scratch) = if checks {
                let mut locals = Vec::new();
                let mut n = *params;
                for l in body.get_locals_reader().map_err(malformed)? {
                    let (count, ty) = l.map_err(malformed)?;
                    locals.push((count, cx.val_type(ty).map_err(re)?));
                    n = n.saturating_add(count);
                }
                locals.extend(Guard::SCRATCH.iter().map(|t| (1, *t)));
                (Function::new(locals), n)
            } else {
                (cx.new_function_with_parsed_locals(body).map_err(re)?, 0)
            };
            // Only the bounds checks add locals (their scratch).
            let locals = if checks { scratch } else { u32::MAX };
            let mut named = Vec::new();
            let mut code = copy::Instructions::new(body).map_err(malformed)?;
            let mut run = copy::Run::new(body.as_bytes(), body.range().start);
            while !code.eof() {
                if let Some(at) = code.skip_copyable_run(memory_zero_kept, locals, false) {
                    run.extend(at);
                    continue;
                }
                run.flush_into(&mut f);
                let (op, _) = code.read().map_err(malformed)?;
                if let Some(local) = copy::local_beyond(&op, locals) {
                    return Err(malformed(format!(
                        "local {local} is past the function's {locals} locals"
                    )));
                }
                if let Operator::Call { function_index }
                | Operator::ReturnCall { function_index }
                | Operator::RefFunc { function_index } = op
                {
                    named.extend(cx.funcs.get(function_index as usize));
                }
                cx.guarded = checks
                    && cx
                        .emit_guard(&mut f, &op, scratch, &mut named)
                        .map_err(re)?;
                match cx.memory_op(&op).map_err(re)? {
                    Some(call) => {
                        named.push(call);
                        f.instruction(&Instruction::Call(call))
                    }
                    None => f.instruction(&cx.instruction(op).map_err(re)?),
                };
            }
            run.flush_into(&mut f);
            Ok::<_, AdaptError>((f, named))
        })?;
        for (i, (f, named)) in encoded.into_iter().enumerate() {
            code.push(f);
            calls.push(named);
            origins.push((module.bytes.as_ptr() as usize, i as u32));
        }
        consts.extend(new_consts);
    }

    // `_initialize`: the modules' start functions, in instantiation order.
    functions.function(types.get((Vec::new(), Vec::new())));
    let mut init = Function::new([]);
    for s in &starts {
        init.instruction(&Instruction::Call(*s));
    }
    init.instruction(&Instruction::End);
    code.push(init);

    // The fuse step's functions, and the lowered memory.
    let bases = Bases { regions: &regions };
    let host = |h: u32| {
        host_index
            .get(&h)
            .copied()
            .ok_or_else(|| AdaptError::Malformed(format!("host function {h} has no import")))
    };
    for (g, at) in gens.iter().zip(&gen_index) {
        let Some(at) = at else { continue };
        let (p, r) = g.sig();
        functions.function(types.get((p, r)));
        code.push(emit(g, &bases, &fid, &host)?);
        func_names.insert(*at, g.name());
    }
    if let Some((top_m, top)) = regions.iter().enumerate().max_by_key(|(_, r)| r.base_pages) {
        let mins = crate::lower::memory_mins(plan)?;
        let min_of = |m: usize| mins.get(m).copied().unwrap_or(0);
        memories.memory(wasm_encoder::MemoryType {
            minimum: u64::from(top.base_pages) + min_of(top_m),
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        for (m, r) in regions.iter().enumerate() {
            if let Some(g) = r.size_global {
                let min = min_of(m);
                globals.global(
                    wasm_encoder::GlobalType {
                        val_type: ValType::I32,
                        mutable: true,
                        shared: false,
                    },
                    &ConstExpr::i32_const(min as i32),
                );
                debug_assert_eq!(g, n_global);
                n_global += 1;
            }
        }
    }

    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("_initialize", ExportKind::Func, initialize);
    for (name, f) in &plan.exports {
        exports.export(name, ExportKind::Func, fid(*f)?);
    }

    let size: usize = plan.modules.iter().map(|m| m.bytes.len()).sum();
    let mut module = Output::with_capacity(size + (64 << 10));
    module.section(&types.section);
    module.section(&imports);
    module.section(&functions);
    if !tables.is_empty() {
        module.section(&tables);
    }
    module.section(&memories);
    if !tags.is_empty() {
        module.section(&tags);
    }
    if !globals.is_empty() {
        module.section(&globals);
    }
    module.section(&exports);
    if !elements.is_empty() {
        module.section(&elements);
    }
    if n_data > 0 {
        module.section(&DataCountSection { count: n_data });
    }
    module.code(code.iter());
    if n_data > 0 {
        module.data(&data);
    }
    let mut names = NameSection::new();
    let mut fmap = NameMap::new();
    for (idx, name) in &func_names {
        fmap.append(*idx, name);
    }
    names.functions(&fmap);
    if let Some(sp) = plan.stack_pointer {
        let mut map = NameMap::new();
        map.append(sp, "__stack_pointer");
        names.globals(&map);
    }
    module.section(&names);
    let import_reallocs = import_reallocs_fid
        .into_iter()
        .map(|r| r.map(&fid).transpose())
        .collect::<Result<_, _>>()?;
    Ok(Linked {
        bytes: module.finish(),
        caps_memory: !regions.is_empty(),
        plugin_pages: regions.iter().find_map(|r| r.size_global),
        library_stack_pointers: plan.library_stack_pointers.clone(),
        calls,
        origins,
        instantiated: plan
            .insts
            .iter()
            .filter_map(|i| plan.modules.get(i.module))
            .map(|m| m.bytes.as_ptr() as usize)
            .collect(),
        import_reallocs,
        hooks: plan.modules[plan.insts[plan.guest as usize].module].hooks,
    })
}
