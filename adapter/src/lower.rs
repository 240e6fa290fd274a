//! Lower: a composition's memories become regions of one memory, the one
//! a proxy-wasm host reads.
//!
//! The memory cap (`--max-memory`, 512 MiB by default) is shared: the
//! plugin's region is its first three quarters, the library's the last
//! quarter, so the whole stays within what the tiers let a plugin have.
//!
//! The plugin's memory stays at offset 0, so its loads and stores are
//! unchanged and the host's pointers (`proxy_on_memory_allocate`, every
//! hostcall) need no translation. Its size is its own page count, kept in a
//! global: `memory.grow` within the plugin's region only raises the count,
//! as the region's pages exist from the start (reserved, not touched: they
//! cost address space, not resident memory). The library's memory is the
//! region above: its loads and stores carry the region's base in
//! their static offset (free: the address computation already adds it), its
//! `memory.size`/`memory.grow` are the physical memory's less the base, and
//! its `memory.fill`/`memory.copy` add the base to their addresses.
//!
//! Bounds: a library address is an offset from its base, so it can never
//! reach below it into the plugin's region, and its region is the last one,
//! so past its end is past the memory's end: a trap, as on its own memory.
//! The plugin's accesses are unchecked by default, so they cost nothing
//! extra: past its page count it reaches its own reserved pages, and past
//! its cap the library's region. With `check_bounds` each of its loads,
//! stores and bulk operations is first checked ([`Guard`]: inline for loads
//! and stores, a generated function for the bulk ones): an access that ends
//! past the plugin's page count traps as an access past the memory's end,
//! as on a memory of its own. No layout gives both
//! for free: in one wasm32 memory, an unchecked address at base 0 reaches
//! every byte of it, so keeping the plugin at 0 (what the host's pointers
//! need) and out of another region takes a check per access.
//!
//! Why not Binaryen's `--multi-memory-lowering`: Debian's Binaryen 108
//! lacks it, the crate embedding a newer one is a C++ build on every clean
//! machine, and it moves every region when the first memory grows (a copy
//! of the library per plugin `memory.grow`). Placing the library above the
//! plugin's cap needs neither.

use crate::AdaptError;
use crate::link::Plan;
use wasm_encoder::ValType;
use wasmparser::{Parser, Payload};

/// How a composition's memories become one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    /// The most pages the whole memory may have (`--max-memory`).
    pub cap_pages: u32,
    /// Check the plugin's accesses against its page count (see
    /// [`crate::Options::check_bounds`]).
    pub check_bounds: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            cap_pages: crate::DEFAULT_MAX_MEMORY_PAGES,
            check_bounds: false,
        }
    }
}

/// A check of one of the plugin's accesses. Loads and stores are checked
/// inline (the end of the access past its address, static offset plus
/// width, against the page count); the bulk operations call a generated
/// function with their operands, which it returns unchanged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Guard {
    /// An access with the address on top of the stack.
    Load,
    /// An access with a value of this type above the address: stores, and
    /// SIMD lane loads (whose value is the vector they load into).
    Store(ValType),
    /// `memory.fill`: `(dst, byte, len)`, unchanged.
    Fill,
    /// `memory.copy`: `(dst, src, len)`, unchanged.
    Copy,
    /// `memory.init`: `(dst, src, len)`, only `dst` in memory.
    Init,
}

impl Guard {
    /// The guards made by a call, in the order their functions are emitted.
    pub(crate) const CALLED: [Guard; 3] = [Guard::Fill, Guard::Copy, Guard::Init];

    /// The guard's position in [`Guard::CALLED`], if it is made by a call.
    pub(crate) fn slot(self) -> Option<usize> {
        Guard::CALLED.iter().position(|g| *g == self)
    }

    /// The scratch locals an inline check uses: the address, then one per
    /// type of a stored value.
    pub(crate) const SCRATCH: [ValType; 6] = [
        ValType::I32,
        ValType::I32,
        ValType::I64,
        ValType::F32,
        ValType::F64,
        ValType::V128,
    ];

    /// The guard an access needs, the memory it reads or writes (the
    /// module's index) and the end of the access past its address (`0`
    /// for the bulk operations, which carry their length); `None` for an
    /// instruction that is no plain access (atomics are refused by the
    /// re-encoder when guarded).
    pub(crate) fn of(op: &wasmparser::Operator<'_>) -> Option<(Guard, u32, u64)> {
        use wasmparser::Operator as O;
        let (g, width, m) = match op {
            O::I32Load { memarg } | O::F32Load { memarg } => (Guard::Load, 4, memarg),
            O::I64Load { memarg } | O::F64Load { memarg } => (Guard::Load, 8, memarg),
            O::I32Load8S { memarg }
            | O::I32Load8U { memarg }
            | O::I64Load8S { memarg }
            | O::I64Load8U { memarg }
            | O::V128Load8Splat { memarg } => (Guard::Load, 1, memarg),
            O::I32Load16S { memarg }
            | O::I32Load16U { memarg }
            | O::I64Load16S { memarg }
            | O::I64Load16U { memarg }
            | O::V128Load16Splat { memarg } => (Guard::Load, 2, memarg),
            O::I64Load32S { memarg }
            | O::I64Load32U { memarg }
            | O::V128Load32Splat { memarg }
            | O::V128Load32Zero { memarg } => (Guard::Load, 4, memarg),
            O::V128Load8x8S { memarg }
            | O::V128Load8x8U { memarg }
            | O::V128Load16x4S { memarg }
            | O::V128Load16x4U { memarg }
            | O::V128Load32x2S { memarg }
            | O::V128Load32x2U { memarg }
            | O::V128Load64Splat { memarg }
            | O::V128Load64Zero { memarg } => (Guard::Load, 8, memarg),
            O::V128Load { memarg } => (Guard::Load, 16, memarg),
            O::I32Store { memarg } => (Guard::Store(ValType::I32), 4, memarg),
            O::I32Store8 { memarg } => (Guard::Store(ValType::I32), 1, memarg),
            O::I32Store16 { memarg } => (Guard::Store(ValType::I32), 2, memarg),
            O::I64Store { memarg } => (Guard::Store(ValType::I64), 8, memarg),
            O::I64Store8 { memarg } => (Guard::Store(ValType::I64), 1, memarg),
            O::I64Store16 { memarg } => (Guard::Store(ValType::I64), 2, memarg),
            O::I64Store32 { memarg } => (Guard::Store(ValType::I64), 4, memarg),
            O::F32Store { memarg } => (Guard::Store(ValType::F32), 4, memarg),
            O::F64Store { memarg } => (Guard::Store(ValType::F64), 8, memarg),
            O::V128Store { memarg } => (Guard::Store(ValType::V128), 16, memarg),
            O::V128Load8Lane { memarg, .. } | O::V128Store8Lane { memarg, .. } => {
                (Guard::Store(ValType::V128), 1, memarg)
            }
            O::V128Load16Lane { memarg, .. } | O::V128Store16Lane { memarg, .. } => {
                (Guard::Store(ValType::V128), 2, memarg)
            }
            O::V128Load32Lane { memarg, .. } | O::V128Store32Lane { memarg, .. } => {
                (Guard::Store(ValType::V128), 4, memarg)
            }
            O::V128Load64Lane { memarg, .. } | O::V128Store64Lane { memarg, .. } => {
                (Guard::Store(ValType::V128), 8, memarg)
            }
            O::MemoryFill { mem } => return Some((Guard::Fill, *mem, 0)),
            O::MemoryCopy { dst_mem, src_mem } if dst_mem == src_mem => {
                return Some((Guard::Copy, *dst_mem, 0));
            }
            O::MemoryInit { mem, .. } => return Some((Guard::Init, *mem, 0)),
            _ => return None,
        };
        Some((g, m.memory, m.offset + width))
    }
}

/// The length of a checked access.
#[derive(Clone, Copy)]
pub(crate) enum Len {
    /// Known statically (a load's or store's offset plus width).
    Const(u64),
    /// In an `i32` local (a bulk operation's length).
    Local(u32),
}

/// Trap unless `[addr, addr + len)` lies within the region whose page
/// count global `pages` holds; `addr` is an `i32` local. The trap is an
/// access past the memory's end (address 2^32), the one a memory of its
/// own would give, so the host reports it as such.
pub(crate) fn check(pages: u32, addr: u32, len: Len) -> Vec<wasm_encoder::Instruction<'static>> {
    use wasm_encoder::Instruction as I;
    let mut out = vec![I::LocalGet(addr), I::I64ExtendI32U];
    match len {
        Len::Const(n) => out.push(I::I64Const(n as i64)),
        Len::Local(l) => out.extend([I::LocalGet(l), I::I64ExtendI32U]),
    }
    out.extend([
        I::I64Add,
        I::GlobalGet(pages),
        I::I64ExtendI32U,
        I::I64Const(16),
        I::I64Shl,
        I::I64GtU,
        I::If(wasm_encoder::BlockType::Empty),
        I::I32Const(-1),
        I::I32Load8U(wasm_encoder::MemArg {
            offset: 1,
            align: 0,
            memory_index: 0,
        }),
        I::Drop,
        I::End,
    ]);
    out
}

/// Where a memory ended up in the one output memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Region {
    /// First page of the region.
    pub base_pages: u32,
    /// The most pages the component may grow its memory to.
    pub cap_pages: u32,
    /// The global holding the memory's size in pages, when the region is
    /// not the last one (its size is then the component's own count, not
    /// the physical memory's).
    pub size_global: Option<u32>,
}

impl Region {
    /// The region's first byte.
    pub(crate) fn base(&self) -> i32 {
        (u64::from(self.base_pages) * 65536) as i32
    }
}

/// Each defined memory's initial size in pages, by memory index.
pub(crate) fn memory_mins(plan: &Plan<'_>) -> Result<Vec<u64>, AdaptError> {
    let mut mins = Vec::new();
    for inst in &plan.insts {
        for p in Parser::new(0).parse_all(plan.modules[inst.module].bytes) {
            if let Payload::MemorySection(r) =
                p.map_err(|e| AdaptError::Malformed(e.to_string()))?
            {
                for m in r {
                    mins.push(m.map_err(|e| AdaptError::Malformed(e.to_string()))?.initial);
                }
            }
        }
    }
    Ok(mins)
}

/// The regions of a plan with several memories (empty with one memory:
/// nothing to lower). `cap_pages` is the plugin's region.
pub(crate) fn regions(plan: &Plan<'_>, cap_pages: u32) -> Result<Vec<Region>, AdaptError> {
    if plan.memories <= 1 {
        return Ok(Vec::new());
    }
    if plan.memories > 2 {
        return Err(AdaptError::UnsupportedShape(format!(
            "{} components own a memory; the adapter lowers a plugin and one library component into one memory so far",
            plan.memories
        )));
    }
    let guest = plan.guest_memory.ok_or_else(|| {
        AdaptError::UnsupportedShape(
            "the plugin's core module uses no memory of its own in a composition".into(),
        )
    })?;
    let mins = memory_mins(plan)?;
    let plugin_min = mins.get(guest as usize).copied().unwrap_or(0);
    let library_min = (0..plan.memories)
        .filter(|m| *m != guest)
        .map(|m| mins.get(m as usize).copied().unwrap_or(0))
        .sum::<u64>();
    // The whole memory stays within the cap (what the host shim and the
    // emulator enforce): a quarter of it for the library.
    let library_cap = (cap_pages / 4).max(library_min.min(u64::from(u32::MAX)) as u32);
    let plugin_cap = cap_pages.saturating_sub(library_cap);
    if plugin_min > u64::from(plugin_cap) {
        return Err(AdaptError::UnsupportedShape(format!(
            "the plugin's memory starts at {plugin_min} pages, above its region of {plugin_cap} pages (three quarters of `--max-memory`, {cap_pages} pages)"
        )));
    }
    let globals: u32 = plan
        .insts
        .iter()
        .map(|i| plan.modules[i.module].defined_globals())
        .sum();
    Ok((0..plan.memories)
        .map(|m| {
            if m == guest {
                Region {
                    base_pages: 0,
                    cap_pages: plugin_cap,
                    size_global: Some(globals),
                }
            } else {
                Region {
                    base_pages: plugin_cap,
                    cap_pages: library_cap,
                    size_global: None,
                }
            }
        })
        .collect())
}
