//! The glue: core functions emitted with `wasm-encoder` that bind the
//! plugin's canonical-ABI imports to proxy-wasm hostcalls and the
//! `proxy_on_*` callbacks to the plugin's exports.
//!
//! Bodies are built in a small symbolic form ([`Op`]) because the final
//! function indices are only known once every needed hostcall import is
//! known; `merge` resolves them.

use crate::witsig::Sig;
use crate::{OnPanic, Profile};

mod exports;

mod helpers;
mod imports;
mod recover;
mod utf8;
mod wasi;

use exports::invalidate_map_cache;
pub(crate) use exports::{Guest, export_glue};
pub(crate) use helpers::helper;
use helpers::*;
pub(crate) use imports::gatewit_import;
pub(crate) use wasi::wasi_import;

pub(crate) use recover::{StackPointer, encode_recovery};
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

/// Glue-internal helper functions (not exported, except `Malloc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Helper {
    State,
    Malloc,
    EnsureScratch,
    SerializeMap,
    DeserializeMap,
    GetMap,
    FetchMap,
    KeyEq,
    CopyOut,
    StatusResult,
    Now,
    TableInsert,
    TableTake,
    StepsExhausted,
    Grow,
    Dec,
    SerializePath,
    LineWrite,
    LineFlush,
    Panicked,
    PanicReply,
    Utf8Check,
    Utf8Repair,
}

/// A call target before index assignment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FuncRef {
    /// An import of the output module: `(module, name)`.
    Host(&'static str, &'static str),
    /// A glue helper.
    Helper(Helper),
    /// A function of the plugin module, by its index in the input module.
    Orig(u32),
}

pub(crate) enum Op {
    I(I<'static>),
    Call(FuncRef),
    StateGet,
    StateSet,
    /// Entry from the host into callback `k` (its position in
    /// [`entry_points`]): refill the step budget, remember `k`.
    Enter(i32),
    /// Push the index of the callback the host entered last.
    EnteredGet,
    /// Set the steps left to `n`.
    StepsSet(i32),
    /// Save the plugin's shadow-stack pointer in a local (nothing when the
    /// plugin has none).
    SpSave(u32),
    /// Restore the plugin's shadow-stack pointer from a local.
    SpRestore(u32),
    /// Open a block of this type whose plugin panics are caught.
    TryBegin(BlockType),
    /// Where a caught panic goes on (the handler follows).
    CatchPanic,
    /// Close the handler.
    TryEnd,
}

/// The `gatewit:hooks` bits, in order, with the callback each enables.
pub(crate) const HOOKS: [&str; 13] = {
    let mut names = [""; 13];
    let mut i = 0;
    while i < names.len() {
        names[i] = gatewit_abi::CALLBACKS[i].proxy_name();
        i += 1;
    }
    names
};

/// The entry points that refill the step budget, as [`Op::Enter`] numbers
/// them: `_initialize`, then the callbacks in [`HOOKS`] order.
pub(crate) fn entry_points() -> impl Iterator<Item = &'static str> {
    std::iter::once("_initialize").chain(HOOKS)
}

pub(crate) struct Body {
    pub sig: Sig,
    pub locals: Vec<ValType>,
    pub ops: Vec<Op>,
}

// Layout of the glue's state block (allocated with `cabi_realloc` on first
// use and reached through one mutable global).
const S_SCRATCH: u64 = 0;
const S_SCRATCH_CAP: u64 = 4;
const S_SCRATCH_MODE: u64 = 8;
const S_CURRENT: u64 = 12;
const S_OUT0: u64 = 16;
const S_OUT1: u64 = 20;
const S_OUT2: u64 = 24;
const S_COUNT: u64 = 28;
const S_OUT64: u64 = 32;
const S_TABLE: u64 = 40;
const S_TABLE_CAP: u64 = 44;
const S_START: u64 = 48;
const S_TIMEOUT: u64 = 56;
/// Line buffers for stdout (handle 2) and stderr (handle 3): ptr, len, cap.
const S_LINES: u64 = 64;
/// The header map last fetched whole with `proxy_get_header_map_pairs`, kept
/// in the scratch area so later reads in the same callback need no hostcall:
/// map type + 1 (0: nothing cached), then where it lies and its size.
const S_HCACHE_MAP: u64 = 88;
const S_HCACHE_PTR: u64 = 92;
const S_HCACHE_LEN: u64 = 96;
const STATE_SIZE: i32 = 104;
/// A line longer than this is logged without waiting for its newline.
const LINE_MAX: i32 = 4096;
/// One pending outbound call: token, ctx, timeout-ms, kind, start-ns.
const ENTRY: i32 = 24;
const KIND_HTTP: i32 = 1;
const KIND_REDIS: i32 = 2;

fn ma(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        memory_index: 0,
    }
}

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

impl Body {
    fn new(params: &[ValType], results: &[ValType]) -> Body {
        Body {
            sig: Sig {
                params: params.to_vec(),
                results: results.to_vec(),
            },
            locals: Vec::new(),
            ops: Vec::new(),
        }
    }
    fn with_sig(sig: &Sig) -> Body {
        Body::new(&sig.params, &sig.results)
    }
    fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        (self.sig.params.len() + self.locals.len() - 1) as u32
    }
    fn i(&mut self, ins: I<'static>) -> &mut Self {
        self.ops.push(Op::I(ins));
        self
    }
    fn lg(&mut self, l: u32) -> &mut Self {
        self.i(I::LocalGet(l))
    }
    fn ls(&mut self, l: u32) -> &mut Self {
        self.i(I::LocalSet(l))
    }
    fn lt(&mut self, l: u32) -> &mut Self {
        self.i(I::LocalTee(l))
    }
    fn c(&mut self, v: i32) -> &mut Self {
        self.i(I::I32Const(v))
    }
    /// A proxy-wasm value (a `gatewit_abi::proxy` constant) as an `i32`.
    fn abi(&mut self, v: u32) -> &mut Self {
        self.c(v.cast_signed())
    }
    fn ld(&mut self, off: u64) -> &mut Self {
        self.i(I::I32Load(ma(off, 2)))
    }
    fn st(&mut self, off: u64) -> &mut Self {
        self.i(I::I32Store(ma(off, 2)))
    }
    fn ld8(&mut self, off: u64) -> &mut Self {
        self.i(I::I32Load8U(ma(off, 0)))
    }
    fn st8(&mut self, off: u64) -> &mut Self {
        self.i(I::I32Store8(ma(off, 0)))
    }
    fn ld64(&mut self, off: u64) -> &mut Self {
        self.i(I::I64Load(ma(off, 3)))
    }
    fn st64(&mut self, off: u64) -> &mut Self {
        self.i(I::I64Store(ma(off, 3)))
    }
    fn call(&mut self, f: FuncRef) -> &mut Self {
        self.ops.push(Op::Call(f));
        self
    }
    fn host(&mut self, name: &'static str) -> &mut Self {
        self.call(FuncRef::Host("env", name))
    }
    fn helper(&mut self, h: Helper) -> &mut Self {
        self.call(FuncRef::Helper(h))
    }
    fn add(&mut self) -> &mut Self {
        self.i(I::I32Add)
    }
    fn end(&mut self) -> &mut Self {
        self.i(I::End)
    }
    fn if_(&mut self) -> &mut Self {
        self.i(I::If(BlockType::Empty))
    }
    fn else_(&mut self) -> &mut Self {
        self.i(I::Else)
    }
    /// `local s = state()`. The block exists from the first callback on,
    /// so the test is inline and the helper only runs the first time.
    fn state(&mut self) -> u32 {
        let s = self.local(I32);
        self.ops.push(Op::StateGet);
        self.lt(s).i(I::I32Eqz).if_();
        self.helper(Helper::State).ls(s);
        self.end();
        s
    }
    /// Store the i32 on top of the stack... as `mem[base + off] = value`,
    /// where the value is produced by `f`.
    fn store_at(&mut self, base: u32, off: u64, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.lg(base);
        f(self);
        self.st(off)
    }
    /// `cabi_realloc(0, 0, align, <size on stack>)`: the caller pushes the
    /// size first, so it is spilled to a local.
    fn alloc(&mut self, cx: &Cx, align: i32, size: u32) -> &mut Self {
        self.c(0)
            .c(0)
            .c(align)
            .lg(size)
            .call(FuncRef::Orig(cx.realloc))
    }
    /// Pushes `ptr`, or for an empty list (`len` 0) a fresh
    /// `cabi_realloc(0, 0, align, 0)`: the canonical ABI hands every list
    /// to the plugin as an allocation it owns, empty ones included, and
    /// runtimes that free what they are given (CPython's bindings) would
    /// free a made-up pointer.
    fn fix_ptr(&mut self, cx: &Cx, ptr: u32, len: u32, align: i32) -> &mut Self {
        self.lg(len).i(I::I32Eqz).if_();
        self.empty_alloc(cx, align).ls(ptr);
        self.end();
        self.lg(ptr)
    }
    /// `cabi_realloc(0, 0, align, 0)`: an owned empty allocation.
    fn empty_alloc(&mut self, cx: &Cx, align: i32) -> &mut Self {
        self.c(0).c(0).c(align).c(0).call(FuncRef::Orig(cx.realloc))
    }
    /// Write a constant string at `dst` (a local), for messages the glue
    /// logs itself: stores, never a data segment.
    fn put_const(&mut self, dst: u32, at: u32, text: &[u8]) -> &mut Self {
        // Eight bytes per store, the rest one by one.
        let chunks = text.chunks_exact(8);
        let tail = chunks.remainder();
        for (k, chunk) in chunks.enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.lg(dst)
                .lg(at)
                .add()
                .i(I::I64Const(i64::from_le_bytes(word)));
            self.i(I::I64Store(ma(8 * k as u64, 0)));
        }
        let done = text.len() - tail.len();
        for (k, b) in tail.iter().enumerate() {
            self.lg(dst)
                .lg(at)
                .add()
                .c(*b as i32)
                .st8((done + k) as u64);
        }
        self.lg(at).c(text.len() as i32).add().ls(at)
    }
    /// Logs (error) `prefix`, the name of the callback the host entered
    /// last, then `suffix`: the glue's lines about a callback that failed.
    fn log_entered(&mut self, prefix: &[u8], suffix: &[u8]) -> &mut Self {
        let longest = entry_points().map(str::len).max().unwrap_or(0);
        let s = self.state();
        let (base, at) = (self.local(I32), self.local(I32));
        self.c((prefix.len() + longest + suffix.len()) as i32)
            .helper(Helper::EnsureScratch);
        self.lg(s).ld(S_SCRATCH).ls(base).c(0).ls(at);
        self.put_const(base, at, prefix);
        for (k, name) in entry_points().enumerate() {
            self.ops.push(Op::EnteredGet);
            self.c(k as i32).i(I::I32Eq).if_();
            self.put_const(base, at, name.as_bytes());
            self.end();
        }
        self.put_const(base, at, suffix);
        self.c(4).lg(base).lg(at).host("proxy_log").i(I::Drop)
    }
    /// `proxy_log(level, ptr, len)` with a constant message written to the
    /// scratch area.
    fn log_const(&mut self, level: i32, text: &[u8]) -> &mut Self {
        let s = self.state();
        let at = self.local(I32);
        let base = self.local(I32);
        self.c(text.len() as i32).helper(Helper::EnsureScratch);
        self.lg(s).ld(S_SCRATCH).ls(base).c(0).ls(at);
        self.put_const(base, at, text);
        self.c(level).lg(base).lg(at).host("proxy_log").i(I::Drop)
    }
}

/// What the generators need to know about the plugin module.
pub(crate) struct Cx {
    /// Index of `cabi_realloc` in the input module.
    pub realloc: u32,
    pub profile: Profile,
    /// The memory cap in 64 KiB pages, if any.
    pub max_pages: Option<u32>,
    pub on_panic: OnPanic,
    /// How many shadow-stack pointers the panic recovery saves and
    /// restores (the plugin's, and a composition's libraries'), at least 1.
    pub saved_stacks: u32,
}

/// The core signature of an output import.
pub(crate) fn host_sig(module: &str, name: &str) -> Sig {
    try_host_sig(module, name).unwrap_or_else(|| {
        unreachable!("glue only calls hostcalls listed in `host_sig`: {module}.{name}")
    })
}

/// The core signature of a hostcall the glue may import, or `None`. The
/// interfaces' hostcalls are listed by their glue files (`imports/`); the
/// ones here serve the exports and WASI.
pub(crate) fn try_host_sig(module: &str, name: &str) -> Option<Sig> {
    let ints = |n: usize| Sig {
        params: vec![I32; n],
        results: vec![I32],
    };
    match (module, name) {
        ("wasi_snapshot_preview1", "random_get") => Some(ints(2)),
        // (context)
        (_, "proxy_set_effective_context") => Some(ints(1)),
        _ => imports::hostcall_sig(name),
    }
}
