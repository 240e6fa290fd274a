//! Code for the fuse step's functions ([`Gen`]): the canonical ABI's moves
//! of values between memory regions, written from [`Shape`]s.
//!
//! Every list (and string) a value holds is moved the same way: allocate
//! its bytes on the receiving side, copy them, then walk the copied
//! elements and move the lists *they* hold. Values passed flat are walked
//! in their locals; values in memory are copied whole first and then walked
//! in place, so a list field is rewritten where it already sits.

use super::{Gen, Guard, Shape};
use crate::AdaptError;
use crate::link::Fid;
use crate::lower::Region;
use wasm_encoder::{BlockType, Function, Instruction as I, MemArg, ValType};

/// The regions, by memory.
pub(crate) struct Bases<'a> {
    pub regions: &'a [Region],
}

impl Bases<'_> {
    fn region(&self, m: Option<u32>, what: &str) -> Result<Region, AdaptError> {
        let m = m.ok_or_else(|| {
            AdaptError::UnsupportedShape(format!(
                "{what} moves lists but names no memory in its canonical options"
            ))
        })?;
        self.regions.get(m as usize).copied().ok_or_else(|| {
            AdaptError::Malformed(format!("memory {m} of a canonical option does not exist"))
        })
    }
}

/// A function body being written, with its locals.
struct Emit {
    params: u32,
    locals: Vec<ValType>,
    code: Vec<I<'static>>,
}

impl Emit {
    fn new(params: usize) -> Emit {
        Emit {
            params: params as u32,
            locals: Vec::new(),
            code: Vec::new(),
        }
    }
    fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.params + self.locals.len() as u32 - 1
    }
    fn i(&mut self, i: I<'static>) -> &mut Self {
        self.code.push(i);
        self
    }
    fn finish(mut self) -> Function {
        self.code.push(I::End);
        let mut f = Function::new_with_locals_types(self.locals);
        for i in &self.code {
            f.instruction(i);
        }
        f
    }
}

fn mem(offset: u32, align: u32) -> MemArg {
    MemArg {
        offset: u64::from(offset),
        align,
        memory_index: 0,
    }
}

/// What happens to each list met while walking a value.
#[derive(Clone, Copy)]
enum Move {
    /// Copy into another region: the list's pointer is relative to
    /// `src`; the copy is allocated with `realloc` (relative to `dst`).
    Copy { src: i32, dst: i32, realloc: u32 },
    /// Make a pointer absolute for the glue (`+ base`); the elements must
    /// hold no lists.
    Absolute { base: i32 },
    /// Make the glue's absolute pointers relative again (`- base`).
    Relative { base: i32 },
}

impl Emit {
    /// Move the list whose (relative or absolute) pointer is in `ptr` and
    /// length in `len`; leaves the new pointer in `ptr`.
    fn list(&mut self, ptr: u32, len: u32, elem: &Shape, mv: Move) -> Result<(), AdaptError> {
        let size = elem.size();
        match mv {
            Move::Copy { src, dst, realloc } => {
                // Bytes: len × size, refused (a trap) past 4 GiB.
                let bytes = self.local(ValType::I32);
                self.i(I::LocalGet(len))
                    .i(I::I64ExtendI32U)
                    .i(I::I64Const(i64::from(size)))
                    .i(I::I64Mul)
                    .i(I::I64Const(0xffff_ffff))
                    .i(I::I64GtU)
                    .i(I::If(BlockType::Empty))
                    .i(I::Unreachable)
                    .i(I::End);
                self.i(I::LocalGet(len))
                    .i(I::I32Const(size as i32))
                    .i(I::I32Mul)
                    .i(I::LocalSet(bytes));
                let new = self.local(ValType::I32);
                self.i(I::I32Const(0))
                    .i(I::I32Const(0))
                    .i(I::I32Const(elem.align() as i32))
                    .i(I::LocalGet(bytes))
                    .i(I::Call(realloc))
                    .i(I::LocalSet(new));
                self.i(I::LocalGet(new))
                    .i(I::I32Const(dst))
                    .i(I::I32Add)
                    .i(I::LocalGet(ptr))
                    .i(I::I32Const(src))
                    .i(I::I32Add)
                    .i(I::LocalGet(bytes))
                    .i(I::MemoryCopy {
                        src_mem: 0,
                        dst_mem: 0,
                    });
                if elem.has_lists() {
                    self.each(new, dst, len, elem, mv)?;
                }
                self.i(I::LocalGet(new)).i(I::LocalSet(ptr));
            }
            Move::Absolute { base } => {
                if elem.has_lists() {
                    return Err(AdaptError::UnsupportedShape(
                        "a component outside the plugin's memory passes lists of lists to the gateway; the adapter moves flat lists only on that way".into(),
                    ));
                }
                self.i(I::LocalGet(ptr))
                    .i(I::I32Const(base))
                    .i(I::I32Add)
                    .i(I::LocalSet(ptr));
            }
            Move::Relative { base } => {
                if elem.has_lists() {
                    self.each(ptr, 0, len, elem, mv)?;
                }
                self.i(I::LocalGet(ptr))
                    .i(I::I32Const(base))
                    .i(I::I32Sub)
                    .i(I::LocalSet(ptr));
            }
        }
        Ok(())
    }

    /// Walk the `len` elements at `start + base` (absolute).
    fn each(
        &mut self,
        start: u32,
        base: i32,
        len: u32,
        elem: &Shape,
        mv: Move,
    ) -> Result<(), AdaptError> {
        let i = self.local(ValType::I32);
        let at = self.local(ValType::I32);
        self.i(I::I32Const(0)).i(I::LocalSet(i));
        self.i(I::LocalGet(start))
            .i(I::I32Const(base))
            .i(I::I32Add)
            .i(I::LocalSet(at));
        self.i(I::Block(BlockType::Empty))
            .i(I::Loop(BlockType::Empty));
        self.i(I::LocalGet(i))
            .i(I::LocalGet(len))
            .i(I::I32GeU)
            .i(I::BrIf(1));
        self.in_memory(elem, at, 0, mv)?;
        self.i(I::LocalGet(at))
            .i(I::I32Const(elem.size() as i32))
            .i(I::I32Add)
            .i(I::LocalSet(at));
        self.i(I::LocalGet(i))
            .i(I::I32Const(1))
            .i(I::I32Add)
            .i(I::LocalSet(i))
            .i(I::Br(0))
            .i(I::End)
            .i(I::End);
        Ok(())
    }

    /// Walk the value of `shape` at absolute address `addr + offset`.
    fn in_memory(
        &mut self,
        shape: &Shape,
        addr: u32,
        offset: u32,
        mv: Move,
    ) -> Result<(), AdaptError> {
        match shape {
            Shape::Scalar { .. } => {}
            Shape::List(elem) => {
                let (ptr, len) = (self.local(ValType::I32), self.local(ValType::I32));
                self.i(I::LocalGet(addr))
                    .i(I::I32Load(mem(offset, 2)))
                    .i(I::LocalSet(ptr));
                self.i(I::LocalGet(addr))
                    .i(I::I32Load(mem(offset + 4, 2)))
                    .i(I::LocalSet(len));
                self.list(ptr, len, elem, mv)?;
                self.i(I::LocalGet(addr))
                    .i(I::LocalGet(ptr))
                    .i(I::I32Store(mem(offset, 2)));
            }
            Shape::Record(fields) => {
                for (f, o) in fields.iter().zip(Shape::offsets(fields)) {
                    if f.has_lists() {
                        self.in_memory(f, addr, offset + o, mv)?;
                    }
                }
            }
            Shape::Variant(cases) => {
                if !shape.has_lists() {
                    return Ok(());
                }
                let tag = self.local(ValType::I32);
                self.i(I::LocalGet(addr));
                match shape.tag_size() {
                    1 => self.i(I::I32Load8U(mem(offset, 0))),
                    2 => self.i(I::I32Load16U(mem(offset, 1))),
                    _ => self.i(I::I32Load(mem(offset, 2))),
                };
                self.i(I::LocalSet(tag));
                let payload = offset + shape.payload_offset();
                self.each_case(tag, cases, |e, case| e.in_memory(case, addr, payload, mv))?;
            }
        }
        Ok(())
    }

    /// Walk a function's parameters, passed flat in its first locals
    /// (core types `flat`).
    fn params(&mut self, params: &[Shape], flat: &[ValType], mv: Move) -> Result<(), AdaptError> {
        let slots: Vec<(u32, ValType)> = (0..).zip(flat.iter().copied()).collect();
        let mut at = 0;
        for p in params {
            self.flat(p, &slots, &mut at, mv)?;
        }
        Ok(())
    }

    /// Walk a value passed flat, in `slots` (local, type) from `*at`.
    fn flat(
        &mut self,
        shape: &Shape,
        slots: &[(u32, ValType)],
        at: &mut usize,
        mv: Move,
    ) -> Result<(), AdaptError> {
        let slot = |k: usize| {
            slots.get(k).copied().ok_or_else(|| {
                AdaptError::Malformed("a function's flat parameters do not match its WIT".into())
            })
        };
        match shape {
            Shape::Scalar { .. } => *at += 1,
            Shape::List(elem) => {
                let (p, pt) = slot(*at)?;
                let (l, lt) = slot(*at + 1)?;
                *at += 2;
                // In a variant, a pointer may share an i64 slot.
                let (ptr, len) = (self.local(ValType::I32), self.local(ValType::I32));
                for (from, t, to) in [(p, pt, ptr), (l, lt, len)] {
                    self.i(I::LocalGet(from));
                    if t == ValType::I64 {
                        self.i(I::I32WrapI64);
                    }
                    self.i(I::LocalSet(to));
                }
                self.list(ptr, len, elem, mv)?;
                self.i(I::LocalGet(ptr));
                if pt == ValType::I64 {
                    self.i(I::I64ExtendI32U);
                }
                self.i(I::LocalSet(p));
            }
            Shape::Record(fields) => {
                for f in fields {
                    self.flat(f, slots, at, mv)?;
                }
            }
            Shape::Variant(cases) => {
                let (tag, _) = slot(*at)?;
                *at += 1;
                let mut joined = Vec::new();
                shape.flat(&mut joined);
                let n = joined.len() - 1;
                let payload = slots.get(*at..*at + n).ok_or_else(|| {
                    AdaptError::Malformed(
                        "a function's flat parameters do not match its WIT".into(),
                    )
                })?;
                self.each_case(tag, cases, |e, case| e.flat(case, payload, &mut 0, mv))?;
                *at += n;
            }
        }
        Ok(())
    }

    /// Walk, for the case local `tag` holds, that case's payload with
    /// `walk` (only cases that hold lists have anything to move).
    fn each_case(
        &mut self,
        tag: u32,
        cases: &[Option<Shape>],
        mut walk: impl FnMut(&mut Self, &Shape) -> Result<(), AdaptError>,
    ) -> Result<(), AdaptError> {
        for (k, case) in cases.iter().enumerate() {
            let Some(case) = case.as_ref().filter(|c| c.has_lists()) else {
                continue;
            };
            self.i(I::LocalGet(tag))
                .i(I::I32Const(k as i32))
                .i(I::I32Eq)
                .i(I::If(BlockType::Empty));
            walk(self, case)?;
            self.i(I::End);
        }
        Ok(())
    }
}

/// The body of `item`. `fid` gives a function's final index, `host` a host
/// import's.
pub(crate) fn emit(
    item: &Gen,
    bases: &Bases<'_>,
    fid: &dyn Fn(Fid) -> Result<u32, AdaptError>,
    host: &dyn Fn(u32) -> Result<u32, AdaptError>,
) -> Result<Function, AdaptError> {
    let (params, _) = item.sig();
    let mut e = Emit::new(params.len());
    match item {
        Gen::Adapter(a) => {
            let what = format!("`{}`", a.name);
            let caller = bases.region(a.caller_memory, &what)?;
            let callee = bases.region(a.callee.memory, &what)?;
            let realloc_of = |r: Option<Fid>, side: &str| -> Result<u32, AdaptError> {
                fid(r.ok_or_else(|| {
                    AdaptError::UnsupportedShape(format!(
                        "{what} passes lists, but the {side} names no `realloc` to allocate them"
                    ))
                })?)
            };
            let sig = &a.sig;
            let needs = |s: &Shape| s.has_lists();
            let into_callee = if sig.params.iter().any(needs) || sig.flat_params().is_none() {
                Some(Move::Copy {
                    src: caller.base(),
                    dst: callee.base(),
                    realloc: realloc_of(a.callee.realloc, "callee")?,
                })
            } else {
                None
            };
            match (sig.flat_params(), into_callee) {
                (Some(flat), Some(mv)) => e.params(&sig.params, &flat, mv)?,
                (None, Some(Move::Copy { src, dst, realloc })) => {
                    let rec = sig.params_record();
                    let q = e.local(ValType::I32);
                    e.i(I::I32Const(0))
                        .i(I::I32Const(0))
                        .i(I::I32Const(rec.align() as i32))
                        .i(I::I32Const(rec.size() as i32))
                        .i(I::Call(realloc))
                        .i(I::LocalSet(q));
                    let at = e.local(ValType::I32);
                    e.i(I::LocalGet(q))
                        .i(I::I32Const(dst))
                        .i(I::I32Add)
                        .i(I::LocalSet(at));
                    e.i(I::LocalGet(at))
                        .i(I::LocalGet(0))
                        .i(I::I32Const(src))
                        .i(I::I32Add)
                        .i(I::I32Const(rec.size() as i32))
                        .i(I::MemoryCopy {
                            src_mem: 0,
                            dst_mem: 0,
                        });
                    e.in_memory(&rec, at, 0, Move::Copy { src, dst, realloc })?;
                    e.i(I::LocalGet(q)).i(I::LocalSet(0));
                }
                _ => {}
            }
            let n_args = sig.core_lifted().0.len() as u32;
            for i in 0..n_args {
                e.i(I::LocalGet(i));
            }
            e.i(I::Call(fid(a.callee.core)?));
            let post = a.callee.post_return.map(&fid).transpose()?;
            match sig.flat_result() {
                Some(r) if r.is_empty() => {
                    if let Some(p) = post {
                        e.i(I::Call(p));
                    }
                }
                Some(r) => {
                    let v = e.local(r[0]);
                    e.i(I::LocalSet(v));
                    if let Some(p) = post {
                        e.i(I::LocalGet(v)).i(I::Call(p));
                    }
                    e.i(I::LocalGet(v));
                }
                None => {
                    let result = sig.result.clone().unwrap_or(Shape::Record(Vec::new()));
                    let r = e.local(ValType::I32);
                    e.i(I::LocalSet(r));
                    // The caller's return area is its last parameter.
                    let retptr = params.len() as u32 - 1;
                    let at = e.local(ValType::I32);
                    e.i(I::LocalGet(retptr))
                        .i(I::I32Const(caller.base()))
                        .i(I::I32Add)
                        .i(I::LocalSet(at));
                    e.i(I::LocalGet(at))
                        .i(I::LocalGet(r))
                        .i(I::I32Const(callee.base()))
                        .i(I::I32Add)
                        .i(I::I32Const(result.size() as i32))
                        .i(I::MemoryCopy {
                            src_mem: 0,
                            dst_mem: 0,
                        });
                    if result.has_lists() {
                        let mv = Move::Copy {
                            src: callee.base(),
                            dst: caller.base(),
                            realloc: realloc_of(a.caller_realloc, "caller")?,
                        };
                        e.in_memory(&result, at, 0, mv)?;
                    }
                    if let Some(p) = post {
                        e.i(I::LocalGet(r)).i(I::Call(p));
                    }
                }
            }
        }
        Gen::HostWrapper {
            host: h,
            memory,
            sig,
        } => {
            let region = bases.region(Some(*memory), &format!("`{}`", sig.name))?;
            let base = region.base();
            let Some(flat) = sig.flat_params() else {
                return Err(AdaptError::UnsupportedShape(format!(
                    "`{}` takes more than {} flat parameters from a component outside the plugin's memory",
                    sig.name,
                    super::MAX_FLAT_PARAMS
                )));
            };
            e.params(&sig.params, &flat, Move::Absolute { base })?;
            let retptr = sig.flat_result().is_none().then(|| params.len() as u32 - 1);
            if let Some(rp) = retptr {
                e.i(I::LocalGet(rp))
                    .i(I::I32Const(base))
                    .i(I::I32Add)
                    .i(I::LocalSet(rp));
            }
            for i in 0..params.len() as u32 {
                e.i(I::LocalGet(i));
            }
            e.i(I::Call(host(*h)?));
            if let (Some(rp), Some(result)) = (retptr, &sig.result)
                && result.has_lists()
            {
                e.in_memory(result, rp, 0, Move::Relative { base })?;
            }
        }
        Gen::ReallocAbs { realloc, memory } => {
            let base = bases.region(Some(*memory), "a realloc")?.base();
            e.i(I::LocalGet(0))
                .i(I::I32Eqz)
                .i(I::If(BlockType::Result(ValType::I32)))
                .i(I::I32Const(0))
                .i(I::Else)
                .i(I::LocalGet(0))
                .i(I::I32Const(base))
                .i(I::I32Sub)
                .i(I::End);
            e.i(I::LocalGet(1))
                .i(I::LocalGet(2))
                .i(I::LocalGet(3))
                .i(I::Call(fid(*realloc)?))
                .i(I::I32Const(base))
                .i(I::I32Add);
        }
        Gen::MemorySize(m) => {
            let r = bases.region(Some(*m), "memory.size")?;
            match r.size_global {
                Some(g) => e.i(I::GlobalGet(g)),
                None => e
                    .i(I::MemorySize(0))
                    .i(I::I32Const(r.base_pages as i32))
                    .i(I::I32Sub),
            };
        }
        Gen::MemoryGrow(m) => {
            let r = bases.region(Some(*m), "memory.grow")?;
            let old = e.local(ValType::I32);
            match r.size_global {
                Some(g) => e.i(I::GlobalGet(g)),
                None => e
                    .i(I::MemorySize(0))
                    .i(I::I32Const(r.base_pages as i32))
                    .i(I::I32Sub),
            };
            e.i(I::LocalSet(old));
            // Past the region's cap: -1, a failed grow.
            e.i(I::LocalGet(old))
                .i(I::I64ExtendI32U)
                .i(I::LocalGet(0))
                .i(I::I64ExtendI32U)
                .i(I::I64Add)
                .i(I::I64Const(i64::from(r.cap_pages)))
                .i(I::I64GtU)
                .i(I::If(BlockType::Empty))
                .i(I::I32Const(-1))
                .i(I::Return)
                .i(I::End);
            match r.size_global {
                // The region's pages already exist: only its count grows.
                Some(g) => {
                    e.i(I::LocalGet(old))
                        .i(I::LocalGet(0))
                        .i(I::I32Add)
                        .i(I::GlobalSet(g))
                        .i(I::LocalGet(old));
                }
                None => {
                    e.i(I::LocalGet(0))
                        .i(I::MemoryGrow(0))
                        .i(I::I32Const(-1))
                        .i(I::I32Eq)
                        .i(I::If(BlockType::Result(ValType::I32)))
                        .i(I::I32Const(-1))
                        .i(I::Else)
                        .i(I::LocalGet(old))
                        .i(I::End);
                }
            }
        }
        Gen::MemoryFill(m) => {
            let base = bases.region(Some(*m), "memory.fill")?.base();
            e.i(I::LocalGet(0))
                .i(I::I32Const(base))
                .i(I::I32Add)
                .i(I::LocalGet(1))
                .i(I::LocalGet(2))
                .i(I::MemoryFill(0));
        }
        Gen::MemoryCopy(m) => {
            let base = bases.region(Some(*m), "memory.copy")?.base();
            e.i(I::LocalGet(0))
                .i(I::I32Const(base))
                .i(I::I32Add)
                .i(I::LocalGet(1))
                .i(I::I32Const(base))
                .i(I::I32Add)
                .i(I::LocalGet(2))
                .i(I::MemoryCopy {
                    src_mem: 0,
                    dst_mem: 0,
                });
        }
        Gen::Guard { memory, guard } => {
            let pages = bases
                .region(Some(*memory), "a bounds check")?
                .size_global
                .ok_or_else(|| {
                    AdaptError::Malformed(format!(
                        "memory {memory} is checked but its region keeps no page count"
                    ))
                })?;
            // `(dst, src or byte, len)`: `dst` is in memory, and `src` too
            // for a copy.
            for addr in [0, 1]
                .into_iter()
                .take(1 + usize::from(*guard == Guard::Copy))
            {
                for ins in crate::lower::check(pages, addr, crate::lower::Len::Local(2)) {
                    e.i(ins);
                }
            }
            e.i(I::LocalGet(0)).i(I::LocalGet(1)).i(I::LocalGet(2));
        }
    }
    Ok(e.finish())
}
