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
//! The plugin's accesses are not checked against its page count (checking
//! each would cost every plugin load): past its count it reaches its own
//! reserved pages, and past its cap the library's region.
//!
//! Why not Binaryen's `--multi-memory-lowering`: Debian's Binaryen 108
//! lacks it, the crate embedding a newer one is a C++ build on every clean
//! machine, and it moves every region when the first memory grows (a copy
//! of the library per plugin `memory.grow`). Placing the library above the
//! plugin's cap needs neither.

use crate::AdaptError;
use crate::link::Plan;
use wasmparser::{Parser, Payload};

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
