//! Fuse: the functions that join components which each own a memory.
//!
//! In a composition (`wac plug`, `wasm-tools compose`) the plugin calls a
//! library component through an interface both sides see in WIT. Where the
//! plugin lowers what the library lifts, the link step puts a generated
//! **adapter** ([`Adapter`]): it moves the arguments from the caller's
//! memory into the callee's (allocating with the callee's `cabi_realloc`),
//! calls, moves the results back (allocating with the caller's), and calls
//! the callee's post-return function — the canonical ABI's rules for every
//! WIT value type, generated from the function's type as wasmtime's FACT
//! does at instantiation time.
//!
//! After [`crate::lower`] there is one memory: the plugin's at offset 0 and
//! every other component's in a region above it. A component outside the
//! plugin's region reaches the glue (which works in the plugin's memory, at
//! absolute addresses) through a **host wrapper**: its pointers gain the
//! region's base on the way in, and the lists the glue allocated for it
//! (through a realloc that returns absolute addresses) lose it on the way
//! out.
//!
//! Values are described by [`Shape`], the part of a WIT type the canonical
//! ABI's layout depends on.

mod codegen;

use crate::AdaptError;
use crate::link::{Fid, Lifted};
use wasm_encoder::ValType;
use wit_parser::{Resolve, Type, TypeDefKind};

pub(crate) use crate::lower::{Guard, Region};
pub(crate) use codegen::{Bases, emit};

/// A function the fuse step adds to the linked module.
pub(crate) enum Gen {
    /// A canonical-ABI adapter: the caller lowers, the callee lifts.
    Adapter(Adapter),
    /// The way from a component outside the plugin's region to host
    /// import `host` (an index among the plan's hosts).
    HostWrapper {
        host: u32,
        memory: u32,
        sig: FuncSig,
    },
    /// `realloc` of the component owning `memory`, returning absolute
    /// addresses (what the glue writes to).
    ReallocAbs { realloc: Fid, memory: u32 },
    /// `memory.size` of a memory placed in a region.
    MemorySize(u32),
    /// `memory.grow` of a memory placed in a region (capped).
    MemoryGrow(u32),
    /// `memory.fill` of a memory placed in a region.
    MemoryFill(u32),
    /// `memory.copy` within a memory placed in a region.
    MemoryCopy(u32),
    /// A bounds check of the plugin's bulk operations on its region
    /// (`memory.fill`, `memory.copy`, `memory.init`).
    Guard { memory: u32, guard: Guard },
}

impl Gen {
    /// The core type of the generated function.
    pub(crate) fn sig(&self) -> (Vec<ValType>, Vec<ValType>) {
        use ValType::I32;
        match self {
            Gen::Adapter(a) => a.sig.core(),
            Gen::HostWrapper { sig, .. } => sig.core(),
            Gen::ReallocAbs { .. } => (vec![I32; 4], vec![I32]),
            Gen::MemorySize(_) => (vec![], vec![I32]),
            Gen::MemoryGrow(_) => (vec![I32], vec![I32]),
            Gen::MemoryFill(_) | Gen::MemoryCopy(_) => (vec![I32; 3], vec![]),
            // The bulk operations' operands, returned unchanged.
            Gen::Guard { .. } => (vec![I32; 3], vec![I32; 3]),
        }
    }

    /// A name for the function (the name section, errors).
    pub(crate) fn name(&self) -> String {
        match self {
            Gen::Adapter(a) => format!("gatewit:adapter {}", a.name),
            Gen::HostWrapper { sig, memory, .. } => {
                format!("gatewit:region-{memory} {}", sig.name)
            }
            Gen::ReallocAbs { memory, .. } => format!("gatewit:region-{memory} realloc"),
            Gen::MemorySize(m) => format!("gatewit:region-{m} memory.size"),
            Gen::MemoryGrow(m) => format!("gatewit:region-{m} memory.grow"),
            Gen::MemoryFill(m) => format!("gatewit:region-{m} memory.fill"),
            Gen::MemoryCopy(m) => format!("gatewit:region-{m} memory.copy"),
            Gen::Guard { memory, guard } => {
                let what = match guard {
                    Guard::Load | Guard::Store(_) => "access",
                    Guard::Fill => "memory.fill",
                    Guard::Copy => "memory.copy",
                    Guard::Init => "memory.init",
                };
                format!("gatewit:region-{memory} check {what}")
            }
        }
    }
}

/// A lowered function of one component bound to a lifted one of another.
pub(crate) struct Adapter {
    /// `interface#function`, as the caller imports it.
    pub name: String,
    pub sig: FuncSig,
    pub caller_memory: Option<u32>,
    pub caller_realloc: Option<Fid>,
    pub callee: Lifted,
}

/// A WIT function's parameters and result, as shapes.
#[derive(Clone, Debug)]
pub(crate) struct FuncSig {
    /// `interface#function`, for messages.
    pub name: String,
    pub params: Vec<Shape>,
    pub result: Option<Shape>,
}

/// The canonical ABI's flat-parameter limit.
pub(crate) const MAX_FLAT_PARAMS: usize = 16;

impl FuncSig {
    /// The parameters' flat types, or `None` when they are passed through
    /// memory (more than [`MAX_FLAT_PARAMS`]).
    pub(crate) fn flat_params(&self) -> Option<Vec<ValType>> {
        let mut v = Vec::new();
        for p in &self.params {
            p.flat(&mut v);
        }
        (v.len() <= MAX_FLAT_PARAMS).then_some(v)
    }

    /// The result's flat type, or `None` when it goes through memory.
    pub(crate) fn flat_result(&self) -> Option<Vec<ValType>> {
        let mut v = Vec::new();
        if let Some(r) = &self.result {
            r.flat(&mut v);
        }
        (v.len() <= 1).then_some(v)
    }

    /// The parameters as one record (how they sit in memory when passed
    /// indirectly).
    pub(crate) fn params_record(&self) -> Shape {
        Shape::Record(self.params.clone())
    }

    /// The core type of the lowered (imported) function.
    pub(crate) fn core(&self) -> (Vec<ValType>, Vec<ValType>) {
        let mut params = self.flat_params().unwrap_or_else(|| vec![ValType::I32]);
        let results = match self.flat_result() {
            Some(r) => r,
            None => {
                params.push(ValType::I32);
                Vec::new()
            }
        };
        (params, results)
    }

    /// The core type of the lifted (exported) function.
    pub(crate) fn core_lifted(&self) -> (Vec<ValType>, Vec<ValType>) {
        let params = self.flat_params().unwrap_or_else(|| vec![ValType::I32]);
        let results = self.flat_result().unwrap_or_else(|| vec![ValType::I32]);
        (params, results)
    }
}

/// What the canonical ABI's layout of a value depends on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// A value without pointers: `size` bytes in memory, one flat value.
    Scalar { size: u32, flat: ValType },
    /// A list (or string) of `elem`: a pointer and a length.
    List(Box<Shape>),
    /// Fields in order (records, tuples, flags of more than 32 bits).
    Record(Vec<Shape>),
    /// A tag, then one of the payloads (variants, options, results).
    Variant(Vec<Option<Shape>>),
}

fn align_to(n: u32, a: u32) -> u32 {
    n.div_ceil(a) * a
}

impl Shape {
    fn scalar(size: u32, flat: ValType) -> Shape {
        Shape::Scalar { size, flat }
    }

    /// Size in memory, in bytes.
    pub(crate) fn size(&self) -> u32 {
        match self {
            Shape::Scalar { size, .. } => *size,
            Shape::List(_) => 8,
            Shape::Record(fields) => {
                let mut n = 0;
                for f in fields {
                    n = align_to(n, f.align()) + f.size();
                }
                align_to(n, self.align())
            }
            Shape::Variant(cases) => {
                let max = cases.iter().flatten().map(Shape::size).max().unwrap_or(0);
                align_to(self.payload_offset() + max, self.align())
            }
        }
    }

    /// Alignment in memory, in bytes.
    pub(crate) fn align(&self) -> u32 {
        match self {
            Shape::Scalar { size, .. } => *size,
            Shape::List(_) => 4,
            Shape::Record(fields) => fields.iter().map(Shape::align).max().unwrap_or(1),
            Shape::Variant(cases) => cases
                .iter()
                .flatten()
                .map(Shape::align)
                .max()
                .unwrap_or(1)
                .max(self.tag_size()),
        }
    }

    /// A variant's tag size in bytes.
    pub(crate) fn tag_size(&self) -> u32 {
        match self {
            Shape::Variant(cases) => tag_size(cases.len()),
            _ => 0,
        }
    }

    /// Where a variant's payload starts.
    pub(crate) fn payload_offset(&self) -> u32 {
        match self {
            Shape::Variant(cases) => {
                let a = cases.iter().flatten().map(Shape::align).max().unwrap_or(1);
                align_to(self.tag_size(), a)
            }
            _ => 0,
        }
    }

    /// Field offsets of a record.
    pub(crate) fn offsets(fields: &[Shape]) -> Vec<u32> {
        let mut n = 0;
        fields
            .iter()
            .map(|f| {
                n = align_to(n, f.align());
                let at = n;
                n += f.size();
                at
            })
            .collect()
    }

    /// Appends the flat types.
    pub(crate) fn flat(&self, out: &mut Vec<ValType>) {
        match self {
            Shape::Scalar { flat, .. } => out.push(*flat),
            Shape::List(_) => out.extend([ValType::I32, ValType::I32]),
            Shape::Record(fields) => fields.iter().for_each(|f| f.flat(out)),
            Shape::Variant(cases) => {
                out.push(ValType::I32);
                let start = out.len();
                for c in cases.iter().flatten() {
                    let mut v = Vec::new();
                    c.flat(&mut v);
                    for (i, t) in v.into_iter().enumerate() {
                        match out.get_mut(start + i) {
                            Some(slot) => *slot = join(*slot, t),
                            None => out.push(t),
                        }
                    }
                }
            }
        }
    }

    /// Whether the value holds a pointer anywhere.
    pub(crate) fn has_lists(&self) -> bool {
        match self {
            Shape::Scalar { .. } => false,
            Shape::List(_) => true,
            Shape::Record(fields) => fields.iter().any(Shape::has_lists),
            Shape::Variant(cases) => cases.iter().flatten().any(Shape::has_lists),
        }
    }
}

fn tag_size(cases: usize) -> u32 {
    match cases {
        0..=256 => 1,
        257..=65536 => 2,
        _ => 4,
    }
}

/// The canonical ABI's join of two flat types sharing a variant slot.
fn join(a: ValType, b: ValType) -> ValType {
    use ValType::*;
    match (a, b) {
        (a, b) if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    }
}

/// A component's WIT, decoded from the component itself.
pub(crate) struct ScopeWit {
    resolve: Resolve,
    world: wit_parser::WorldId,
}

impl ScopeWit {
    /// Decode the WIT world of `component`.
    pub(crate) fn decode(component: &[u8]) -> Result<ScopeWit, AdaptError> {
        match wit_parser::decoding::decode(component) {
            Ok(wit_parser::decoding::DecodedWasm::Component(resolve, world)) => {
                Ok(ScopeWit { resolve, world })
            }
            Ok(_) => Err(AdaptError::UnsupportedShape(
                "a nested component holds a WIT package, not a component".into(),
            )),
            Err(e) => Err(AdaptError::UnsupportedShape(format!(
                "the WIT of a component in the composition cannot be read: {e:#}"
            ))),
        }
    }

    /// The imported function `func` of interface `iface` (as the
    /// component's import names it), as shapes.
    pub(crate) fn func(&self, iface: &str, func: &str) -> Result<FuncSig, AdaptError> {
        let r = &self.resolve;
        let name = format!("{iface}#{func}");
        let missing = || {
            AdaptError::UnsupportedShape(format!(
                "`{name}` is lowered, but the component's WIT has no such import"
            ))
        };
        let f = r.worlds[self.world]
            .imports
            .iter()
            .find_map(|(key, item)| match item {
                wit_parser::WorldItem::Interface { id, .. } => {
                    let i = &r.interfaces[*id];
                    let id_name = match (i.package, &i.name) {
                        (Some(p), Some(n)) => r.id_of_name(p, n),
                        _ => r.name_world_key(key),
                    };
                    (id_name == iface).then(|| i.functions.get(func)).flatten()
                }
                wit_parser::WorldItem::Function(f) if iface.is_empty() && f.name == func => Some(f),
                _ => None,
            })
            .ok_or_else(missing)?;
        let shape = |t: &Type| self.shape(t, &name);
        Ok(FuncSig {
            name: name.clone(),
            params: f
                .params
                .iter()
                .map(|p| shape(&p.ty))
                .collect::<Result<_, _>>()?,
            result: f.result.as_ref().map(shape).transpose()?,
        })
    }

    fn shape(&self, t: &Type, func: &str) -> Result<Shape, AdaptError> {
        use ValType::*;
        Ok(match t {
            Type::Bool | Type::U8 | Type::S8 => Shape::scalar(1, I32),
            Type::U16 | Type::S16 => Shape::scalar(2, I32),
            Type::U32 | Type::S32 | Type::Char => Shape::scalar(4, I32),
            Type::U64 | Type::S64 => Shape::scalar(8, I64),
            Type::F32 => Shape::scalar(4, F32),
            Type::F64 => Shape::scalar(8, F64),
            Type::String => Shape::List(Box::new(Shape::scalar(1, I32))),
            Type::ErrorContext => return Err(self.unsupported(func, "error-context")),
            Type::Id(id) => {
                let def = &self.resolve.types[*id];
                let name = def.name.clone().unwrap_or_else(|| def.kind.as_str().into());
                match &def.kind {
                    TypeDefKind::Type(t) => self.shape(t, func)?,
                    TypeDefKind::Record(r) => Shape::Record(
                        r.fields
                            .iter()
                            .map(|f| self.shape(&f.ty, func))
                            .collect::<Result<_, _>>()?,
                    ),
                    TypeDefKind::Tuple(t) => Shape::Record(
                        t.types
                            .iter()
                            .map(|t| self.shape(t, func))
                            .collect::<Result<_, _>>()?,
                    ),
                    TypeDefKind::Flags(f) => match f.flags.len() {
                        0 => Shape::Record(Vec::new()),
                        1..=8 => Shape::scalar(1, I32),
                        9..=16 => Shape::scalar(2, I32),
                        n => Shape::Record(vec![Shape::scalar(4, I32); n.div_ceil(32)]),
                    },
                    TypeDefKind::Enum(e) => Shape::scalar(tag_size(e.cases.len()), I32),
                    TypeDefKind::Variant(v) => Shape::Variant(
                        v.cases
                            .iter()
                            .map(|c| c.ty.as_ref().map(|t| self.shape(t, func)).transpose())
                            .collect::<Result<_, _>>()?,
                    ),
                    TypeDefKind::Option(t) => {
                        Shape::Variant(vec![None, Some(self.shape(t, func)?)])
                    }
                    TypeDefKind::Result(r) => Shape::Variant(vec![
                        r.ok.as_ref().map(|t| self.shape(t, func)).transpose()?,
                        r.err.as_ref().map(|t| self.shape(t, func)).transpose()?,
                    ]),
                    TypeDefKind::List(t) => Shape::List(Box::new(self.shape(t, func)?)),
                    // A handle is an index into the caller's table: it
                    // crosses to the host unchanged, but not to another
                    // component (whose table it is not in).
                    TypeDefKind::Handle(_) => Shape::Scalar { size: 4, flat: I32 },
                    TypeDefKind::Resource
                    | TypeDefKind::Future(_)
                    | TypeDefKind::Stream(_)
                    | TypeDefKind::Map(..)
                    | TypeDefKind::FixedLengthList(..)
                    | TypeDefKind::Unknown => {
                        return Err(
                            self.unsupported(func, &format!("{} `{name}`", def.kind.as_str()))
                        );
                    }
                }
            }
        })
    }

    fn unsupported(&self, func: &str, what: &str) -> AdaptError {
        AdaptError::UnsupportedShape(format!(
            "`{func}` carries a {what}, which the adapter cannot pass between components or to the gateway yet"
        ))
    }

    /// Whether a function passes a resource handle (refused across
    /// components: each component has its own handle table).
    pub(crate) fn handles(&self, iface: &str, func: &str) -> Option<String> {
        let r = &self.resolve;
        for item in r.worlds[self.world].imports.values() {
            let wit_parser::WorldItem::Interface { id, .. } = item else {
                continue;
            };
            let i = &r.interfaces[*id];
            let id_name = match (i.package, &i.name) {
                (Some(p), Some(n)) => r.id_of_name(p, n),
                _ => continue,
            };
            if id_name != iface {
                continue;
            }
            let f = i.functions.get(func)?;
            let tys = f.params.iter().map(|p| &p.ty).chain(f.result.as_ref());
            for t in tys {
                if let Some(h) = self.find_handle(t, 0) {
                    return Some(h);
                }
            }
        }
        None
    }

    fn find_handle(&self, t: &Type, depth: u32) -> Option<String> {
        let Type::Id(id) = t else { return None };
        if depth > 64 {
            return None;
        }
        let def = &self.resolve.types[*id];
        let inner: Vec<&Type> = match &def.kind {
            TypeDefKind::Handle(h) => {
                let (wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) = h;
                let res = &self.resolve.types[*r];
                return Some(res.name.clone().unwrap_or_else(|| "resource".into()));
            }
            TypeDefKind::Type(t) | TypeDefKind::Option(t) | TypeDefKind::List(t) => vec![t],
            TypeDefKind::Record(r) => r.fields.iter().map(|f| &f.ty).collect(),
            TypeDefKind::Tuple(t) => t.types.iter().collect(),
            TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).collect(),
            TypeDefKind::Result(r) => r.ok.iter().chain(r.err.iter()).collect(),
            _ => Vec::new(),
        };
        inner
            .into_iter()
            .find_map(|t| self.find_handle(t, depth + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;

    fn string() -> Shape {
        Shape::List(Box::new(Shape::scalar(1, I32)))
    }

    #[test]
    fn layouts_follow_the_canonical_abi() {
        // record { a: u8, b: string, c: u64 }: 1, pad to 4, 8, pad to 8, 8.
        let r = Shape::Record(vec![Shape::scalar(1, I32), string(), Shape::scalar(8, I64)]);
        assert_eq!((r.size(), r.align()), (24, 8));
        assert_eq!(
            Shape::offsets(&[Shape::scalar(1, I32), string(), Shape::scalar(8, I64)]),
            [0, 4, 16]
        );
        // result<string, u64>: tag, payload at 8; flat i32 + join(i32, i64), i32.
        let v = Shape::Variant(vec![Some(string()), Some(Shape::scalar(8, I64))]);
        assert_eq!((v.size(), v.align(), v.payload_offset()), (16, 8, 8));
        let mut flat = Vec::new();
        v.flat(&mut flat);
        assert_eq!(flat, [I32, I64, I32]);
        // option<f32> joins nothing: i32 tag, f32.
        let o = Shape::Variant(vec![None, Some(Shape::scalar(4, F32))]);
        let mut flat = Vec::new();
        o.flat(&mut flat);
        assert_eq!(flat, [I32, F32]);
        assert!(v.has_lists() && !o.has_lists());
    }

    fn wit(text: &str) -> ScopeWit {
        let mut resolve = Resolve::new();
        let pkg = resolve.push_str("test.wit", text).expect("valid WIT");
        let world = resolve.select_world(&[pkg], Some("w")).expect("world `w`");
        ScopeWit { resolve, world }
    }

    #[test]
    fn what_cannot_cross_a_component_boundary_is_named() {
        let w = wit("package t:t@0.1.0;
            interface i {
                resource conn;
                record req { c: option<borrow<conn>> }
                take: func(r: req);
                wait: func() -> future<u32>;
                fine: func(a: list<tuple<string, u8>>) -> result<string>;
            }
            world w { import i; }");
        assert_eq!(w.handles("t:t/i@0.1.0", "take").as_deref(), Some("conn"));
        let e = w.func("t:t/i@0.1.0", "wait").unwrap_err().to_string();
        assert!(
            e.contains("`t:t/i@0.1.0#wait`") && e.contains("future"),
            "{e}"
        );
        let e = w.func("t:t/i@0.1.0", "nope").unwrap_err().to_string();
        assert!(
            e.contains("`t:t/i@0.1.0#nope`") && e.contains("no such import"),
            "{e}"
        );
        let fine = w.func("t:t/i@0.1.0", "fine").expect("plain values");
        assert_eq!(w.handles("t:t/i@0.1.0", "fine"), None);
        assert_eq!(fine.core(), (vec![I32, I32, I32], vec![]));
        assert_eq!(fine.core_lifted(), (vec![I32, I32], vec![I32]));
    }
}
