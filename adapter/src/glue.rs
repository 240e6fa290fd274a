//! The glue: core functions emitted with `wasm-encoder` that bind the
//! plugin's canonical-ABI imports to proxy-wasm hostcalls and the
//! `proxy_on_*` callbacks to the plugin's exports.
//!
//! Bodies are built in a small symbolic form ([`Op`]) because the final
//! function indices are only known once every needed hostcall import is
//! known; `merge` resolves them.

use crate::witsig::Sig;
use crate::{OnPanic, Profile};

mod gateway;
mod recover;
mod utf8;

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
    /// `local s = state()`.
    fn state(&mut self) -> u32 {
        let s = self.local(I32);
        self.helper(Helper::State).ls(s);
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
    /// Pushes `ptr` unless `len` is 0, then pushes `dangling` (a non-null
    /// aligned pointer, as Rust's `cabi_realloc` returns for empty lists).
    fn fix_ptr(&mut self, ptr: u32, len: u32, dangling: i32) -> &mut Self {
        self.lg(ptr).c(dangling).lg(len).i(I::Select)
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
    fn log_const(&mut self, level: i32, text: &'static [u8]) -> &mut Self {
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
}

/// The core signature of an output import.
pub(crate) fn host_sig(module: &str, name: &str) -> Sig {
    let p = |n: usize| vec![I32; n];
    let (params, results) = match (module, name) {
        ("wasi_snapshot_preview1", "random_get") => (p(2), p(1)),
        (_, "proxy_log") => (p(3), p(1)),
        (_, "proxy_get_log_level") => (p(1), p(1)),
        (_, "proxy_get_current_time_nanoseconds") => (p(1), p(1)),
        (_, "proxy_set_tick_period_milliseconds") => (p(1), p(1)),
        (_, "proxy_get_header_map_value") => (p(5), p(1)),
        (_, "proxy_get_header_map_pairs") => (p(3), p(1)),
        (_, "proxy_set_header_map_pairs") => (p(3), p(1)),
        (_, "proxy_add_header_map_value") | (_, "proxy_replace_header_map_value") => (p(5), p(1)),
        (_, "proxy_remove_header_map_value") => (p(3), p(1)),
        (_, "proxy_get_buffer_bytes") => (p(5), p(1)),
        (_, "proxy_set_buffer_bytes") => (p(5), p(1)),
        (_, "proxy_send_local_response") => (p(8), p(1)),
        (_, "proxy_continue_stream") => (p(1), p(1)),
        (_, "proxy_set_effective_context") => (p(1), p(1)),
        (_, "proxy_http_call") => (p(10), p(1)),
        (_, "proxy_get_property") => (p(4), p(1)),
        (_, "proxy_set_property") => (p(4), p(1)),
        (_, "proxy_get_shared_data") => (p(5), p(1)),
        (_, "proxy_set_shared_data") => (p(5), p(1)),
        (_, "proxy_define_metric") => (p(4), p(1)),
        (_, "proxy_increment_metric") | (_, "proxy_record_metric") => (vec![I32, I64], p(1)),
        (_, "proxy_get_metric") => (p(2), p(1)),
        (_, "proxy_redis_init") => (p(7), p(1)),
        (_, "proxy_redis_call") => (p(5), p(1)),
        (_, "proxy_register_shared_queue") => (p(3), p(1)),
        (_, "proxy_resolve_shared_queue") => (p(5), p(1)),
        (_, "proxy_enqueue_shared_queue") => (p(3), p(1)),
        (_, "proxy_dequeue_shared_queue") => (p(3), p(1)),
        (_, "proxy_call_foreign_function") => (p(6), p(1)),
        (_, "proxy_inject_encoded_data_to_filter_chain") => (p(3), p(1)),
        (_, "proxy_get_upstream_hosts") => (p(2), p(1)),
        (_, "proxy_set_upstream_override_host") => (p(2), p(1)),
        _ => unreachable!("glue only calls hostcalls listed in `host_sig`: {module}.{name}"),
    };
    Sig { params, results }
}

// ---------------------------------------------------------------- helpers

pub(crate) fn helper(cx: &Cx, h: Helper) -> Body {
    match h {
        Helper::State => {
            let mut b = Body::new(&[], &[I32]);
            let s = b.local(I32);
            b.ops.push(Op::StateGet);
            b.lt(s).i(I::I32Eqz).if_();
            b.c(STATE_SIZE).ls(s);
            b.alloc(cx, 8, s).ls(s);
            b.lg(s).c(0).c(STATE_SIZE).i(I::MemoryFill(0));
            b.lg(s).ops.push(Op::StateSet);
            b.end().lg(s);
            b.end();
            b
        }
        Helper::StepsExhausted => {
            // Logging runs the plugin's allocator (metered too): give it
            // room first; the trap follows anyway.
            let mut b = Body::new(&[], &[]);
            b.ops.push(Op::StepsSet(i32::MAX));
            b.log_entered(
                b"gatewit: `",
                b"` ran out of the plugin's step budget (a runaway loop?) and was stopped, so the gateway worker is not hung",
            );
            b.i(I::Unreachable).end();
            b
        }
        Helper::Panicked | Helper::PanicReply => recover::helper(cx, h),
        Helper::Grow => {
            // `memory.grow` within the cap; past it, -1 as a failed grow.
            // In 64 bits: `delta` is unsigned and may be near 2^32.
            let mut b = Body::new(&[I32], &[I32]);
            let max = i64::from(cx.max_pages.unwrap_or(65536));
            b.i(I::MemorySize(0)).i(I::I64ExtendI32U);
            b.lg(0).i(I::I64ExtendI32U).i(I::I64Add);
            b.i(I::I64Const(max)).i(I::I64GtU).if_();
            b.c(-1).i(I::Return);
            b.end();
            b.lg(0).i(I::MemoryGrow(0)).end();
            b
        }
        Helper::Malloc => {
            // While the glue reads short-lived host data (serialized header
            // maps), allocations land in the reusable scratch area.
            let mut b = Body::new(&[I32], &[I32]);
            let s = b.state();
            b.lg(s).ld(S_SCRATCH_MODE).if_();
            b.lg(0).helper(Helper::EnsureScratch);
            b.lg(s).ld(S_SCRATCH).i(I::Return);
            b.end();
            b.alloc(cx, 1, 0).end();
            b
        }
        Helper::EnsureScratch => {
            let mut b = Body::new(&[I32], &[]);
            let s = b.state();
            let cap = b.local(I32);
            // Whoever writes the scratch area overwrites the cached map.
            b.store_at(s, S_HCACHE_MAP, |b| {
                b.c(0);
            });
            b.lg(s).ld(S_SCRATCH_CAP).lt(cap).lg(0).i(I::I32LtU).if_();
            // new capacity: max(size, 2 * cap, 256)
            let new = b.local(I32);
            b.lg(cap).c(1).i(I::I32Shl).ls(new);
            b.lg(new)
                .c(256)
                .lg(new)
                .c(256)
                .i(I::I32GtU)
                .i(I::Select)
                .ls(new);
            b.lg(new)
                .lg(0)
                .lg(new)
                .lg(0)
                .i(I::I32GtU)
                .i(I::Select)
                .ls(new);
            b.lg(s);
            b.lg(s)
                .ld(S_SCRATCH)
                .lg(cap)
                .c(8)
                .lg(new)
                .call(FuncRef::Orig(cx.realloc));
            b.st(S_SCRATCH);
            b.store_at(s, S_SCRATCH_CAP, |b| {
                b.lg(new);
            });
            b.end().end();
            b
        }
        Helper::SerializeMap => serialize_map(),
        Helper::DeserializeMap => deserialize_map(cx),
        Helper::FetchMap => {
            // (map type) -> status: makes the cache hold that whole map,
            // fetching it unless it already does. Envoy answers every
            // data-returning hostcall by calling back into the VM (`malloc`),
            // which costs more than the hostcall itself; one fetch per
            // callback serves every read of the map in it.
            let mut b = Body::new(&[I32], &[I32]);
            let s = b.state();
            let st = b.local(I32);
            b.lg(s)
                .ld(S_HCACHE_MAP)
                .lg(0)
                .c(1)
                .add()
                .i(I::I32Eq)
                .if_()
                .c(0)
                .i(I::Return)
                .end();
            b.store_at(s, S_SCRATCH_MODE, |b| {
                b.c(1);
            });
            b.lg(0)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .lg(s)
                .c(S_OUT1 as i32)
                .add()
                .host("proxy_get_header_map_pairs")
                .ls(st);
            b.store_at(s, S_SCRATCH_MODE, |b| {
                b.c(0);
            });
            b.lg(st).if_().lg(st).i(I::Return).end();
            b.store_at(s, S_HCACHE_PTR, |b| {
                b.lg(s).ld(S_OUT0);
            });
            b.store_at(s, S_HCACHE_LEN, |b| {
                b.lg(s).ld(S_OUT1);
            });
            b.store_at(s, S_HCACHE_MAP, |b| {
                b.lg(0).c(1).add();
            });
            b.c(0).end();
            b
        }
        Helper::GetMap => {
            let mut b = Body::new(&[I32], &[I32]);
            let s = b.state();
            b.lg(0).helper(Helper::FetchMap).if_();
            b.store_at(s, S_COUNT, |b| {
                b.c(0);
            });
            b.c(4).i(I::Return).end();
            b.lg(s)
                .ld(S_HCACHE_PTR)
                .lg(s)
                .ld(S_HCACHE_LEN)
                .helper(Helper::DeserializeMap);
            b.end();
            b
        }
        Helper::KeyEq => {
            // (stored key, plugin's key, len) -> 1 if equal; Envoy stores
            // keys lowercase and lowercases the names it is asked for.
            let mut b = Body::new(&[I32, I32, I32], &[I32]);
            let (k, x, y) = (b.local(I32), b.local(I32), b.local(I32));
            let lower = |b: &mut Body, v: u32| {
                // v + 32 when v is in 'A'..='Z'
                b.lg(v)
                    .lg(v)
                    .c(65)
                    .i(I::I32Sub)
                    .c(26)
                    .i(I::I32LtU)
                    .c(5)
                    .i(I::I32Shl)
                    .add()
                    .ls(v);
            };
            b.c(0).ls(k);
            loop_over(&mut b, k, 2, |b| {
                b.lg(0).lg(k).add().ld8(0).ls(x);
                b.lg(1).lg(k).add().ld8(0).ls(y);
                lower(b, x);
                lower(b, y);
                b.lg(x).lg(y).i(I::I32Ne).if_().c(0).i(I::Return).end();
            });
            b.c(1).end();
            b
        }
        Helper::CopyOut => {
            // (src, len) -> fresh allocation holding a copy, as a valid
            // UTF-8 string (only header names and values are copied out).
            let mut b = Body::new(&[I32, I32], &[I32]);
            let p = b.local(I32);
            b.lg(1).i(I::I32Eqz).if_().c(1).i(I::Return).end();
            b.alloc(cx, 1, 1).lt(p).lg(0).lg(1).i(I::MemoryCopy {
                src_mem: 0,
                dst_mem: 0,
            });
            b.lg(p).lg(1).helper(Helper::Utf8Check);
            b.lg(p).end();
            b
        }
        Helper::Utf8Check => utf8::check(),
        Helper::Utf8Repair => utf8::repair(),
        Helper::StatusResult => {
            // (status, ret): result<_, status-error> at ret.
            let mut b = Body::new(&[I32, I32], &[]);
            b.lg(1).lg(0).c(0).i(I::I32Ne).st8(0);
            b.lg(0).if_().lg(1).lg(0).c(1).i(I::I32Sub).st8(1).end();
            b.end();
            b
        }
        Helper::Now => {
            let mut b = Body::new(&[], &[I64]);
            let s = b.state();
            b.lg(s)
                .c(S_OUT64 as i32)
                .add()
                .host("proxy_get_current_time_nanoseconds")
                .i(I::Drop);
            b.lg(s).ld64(S_OUT64).end();
            b
        }
        Helper::TableInsert => table_insert(cx),
        Helper::TableTake => table_take(),
        Helper::Dec => {
            // (value, dst) -> length written, decimal.
            let mut b = Body::new(&[I32, I32], &[I32]);
            let n = b.local(I32);
            let t = b.local(I32);
            let p = b.local(I32);
            b.c(1).ls(n).lg(0).ls(t);
            b.i(I::Block(BlockType::Empty)).i(I::Loop(BlockType::Empty));
            b.lg(t).c(10).i(I::I32LtU).i(I::BrIf(1));
            b.lg(t).c(10).i(I::I32DivU).ls(t);
            b.lg(n).c(1).add().ls(n).i(I::Br(0));
            b.end().end();
            b.lg(1).lg(n).add().ls(p);
            b.i(I::Loop(BlockType::Empty));
            b.lg(p).c(1).i(I::I32Sub).lt(p);
            b.lg(0).c(10).i(I::I32RemU).c(48).add().st8(0);
            b.lg(0).c(10).i(I::I32DivU).lt(0).i(I::BrIf(0));
            b.end();
            b.lg(n).end();
            b
        }
        Helper::LineWrite => {
            // (handle, ptr, len): append to the stream's line buffer and log
            // it once a write ends with a newline (Rust's stderr writes a
            // formatted line in pieces).
            let mut b = Body::new(&[I32, I32, I32], &[]);
            let s = b.state();
            let (lb, need, cap, ncap) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
            line_buffer(&mut b, s, lb);
            b.lg(lb).ld(4).lg(2).add().ls(need);
            b.lg(lb).ld(8).ls(cap);
            b.lg(need).lg(cap).i(I::I32GtU).if_();
            b.lg(cap).c(1).i(I::I32Shl).ls(ncap);
            b.lg(ncap)
                .c(128)
                .lg(ncap)
                .c(128)
                .i(I::I32GtU)
                .i(I::Select)
                .ls(ncap);
            b.lg(ncap)
                .lg(need)
                .lg(ncap)
                .lg(need)
                .i(I::I32GtU)
                .i(I::Select)
                .ls(ncap);
            b.lg(lb)
                .lg(lb)
                .ld(0)
                .lg(cap)
                .c(1)
                .lg(ncap)
                .call(FuncRef::Orig(cx.realloc))
                .st(0);
            b.lg(lb).lg(ncap).st(8);
            b.end();
            b.lg(lb)
                .ld(0)
                .lg(lb)
                .ld(4)
                .add()
                .lg(1)
                .lg(2)
                .i(I::MemoryCopy {
                    src_mem: 0,
                    dst_mem: 0,
                });
            b.lg(lb).lg(need).st(4);
            b.lg(2).if_();
            b.lg(1)
                .lg(2)
                .add()
                .c(1)
                .i(I::I32Sub)
                .ld8(0)
                .c(b'\n' as i32)
                .i(I::I32Eq);
            b.lg(need).c(LINE_MAX).i(I::I32GeU).i(I::I32Or).if_();
            b.lg(0).helper(Helper::LineFlush);
            b.end().end();
            b.end();
            b
        }
        Helper::LineFlush => {
            // (handle): log the pending line, without its newline.
            let mut b = Body::new(&[I32], &[]);
            let s = b.state();
            let (lb, n, p) = (b.local(I32), b.local(I32), b.local(I32));
            line_buffer(&mut b, s, lb);
            b.lg(lb).ld(4).ls(n).lg(lb).ld(0).ls(p);
            b.lg(n).if_();
            b.lg(p)
                .lg(n)
                .add()
                .c(1)
                .i(I::I32Sub)
                .ld8(0)
                .c(b'\n' as i32)
                .i(I::I32Eq)
                .if_();
            b.lg(n).c(1).i(I::I32Sub).ls(n);
            b.end().end();
            b.lg(n).if_();
            b.c(4).c(2).lg(0).c(3).i(I::I32Eq).i(I::Select).lg(p).lg(n);
            b.host("proxy_log").i(I::Drop);
            b.end();
            b.lg(lb).c(0).st(4);
            b.end();
            b
        }
        Helper::SerializePath => {
            // (list<string> ptr, n) -> length; bytes at the scratch start,
            // segments separated by NUL (the proxy-wasm property path).
            let mut b = Body::new(&[I32, I32], &[I32]);
            let s = b.state();
            let total = b.local(I32);
            let i = b.local(I32);
            let e = b.local(I32);
            let w = b.local(I32);
            let l = b.local(I32);
            b.c(0).ls(total).c(0).ls(i);
            loop_over(&mut b, i, 1, |b| {
                b.lg(0).lg(i).c(8).i(I::I32Mul).add().ls(e);
                b.lg(total).lg(e).ld(4).add().c(1).add().ls(total);
            });
            b.lg(total).helper(Helper::EnsureScratch);
            b.lg(s).ld(S_SCRATCH).ls(w).c(0).ls(i);
            loop_over(&mut b, i, 1, |b| {
                b.lg(0).lg(i).c(8).i(I::I32Mul).add().ls(e);
                b.lg(e).ld(4).ls(l);
                b.lg(w).lg(e).ld(0).lg(l).i(I::MemoryCopy {
                    src_mem: 0,
                    dst_mem: 0,
                });
                b.lg(w).lg(l).add().lt(w).c(0).st8(0);
                b.lg(w).c(1).add().ls(w);
            });
            // no separator after the last segment
            b.lg(total).lg(total).c(0).i(I::I32Ne).i(I::I32Sub).end();
            b
        }
    }
}

/// `for i in 0..n` where `n` is local `n`; `i` must already be set.
/// `lb` = the line buffer (ptr, len, cap) of the stream whose handle is
/// parameter 0: stdout (2) or stderr (3).
fn line_buffer(b: &mut Body, s: u32, lb: u32) {
    b.lg(s)
        .c(S_LINES as i32)
        .add()
        .lg(0)
        .c(3)
        .i(I::I32Eq)
        .c(12)
        .i(I::I32Mul)
        .add()
        .ls(lb);
}

fn loop_over(b: &mut Body, i: u32, n: u32, f: impl FnOnce(&mut Body)) {
    b.i(I::Block(BlockType::Empty)).i(I::Loop(BlockType::Empty));
    b.lg(i).lg(n).i(I::I32GeU).i(I::BrIf(1));
    f(b);
    b.lg(i).c(1).add().ls(i).i(I::Br(0));
    b.end().end();
}

fn serialize_map() -> Body {
    // (list<tuple<string,string>> ptr, n, offset) -> end offset; the map is
    // written to scratch[offset..end].
    let mut b = Body::new(&[I32, I32, I32], &[I32]);
    let (list, n, off) = (0, 1, 2);
    let s = b.state();
    let total = b.local(I32);
    let i = b.local(I32);
    let e = b.local(I32);
    let base = b.local(I32);
    let w = b.local(I32);
    let l = b.local(I32);
    b.lg(n).c(8).i(I::I32Mul).c(4).add().ls(total);
    b.c(0).ls(i);
    loop_over(&mut b, i, n, |b| {
        b.lg(list).lg(i).c(16).i(I::I32Mul).add().ls(e);
        b.lg(total)
            .lg(e)
            .ld(4)
            .add()
            .lg(e)
            .ld(12)
            .add()
            .c(2)
            .add()
            .ls(total);
    });
    b.lg(off).lg(total).add().helper(Helper::EnsureScratch);
    b.lg(s).ld(S_SCRATCH).lg(off).add().ls(base);
    b.lg(base).lg(n).st(0);
    b.lg(base).c(4).add().lg(n).c(8).i(I::I32Mul).add().ls(w);
    b.c(0).ls(i);
    loop_over(&mut b, i, n, |b| {
        b.lg(list).lg(i).c(16).i(I::I32Mul).add().ls(e);
        for (k, field) in [(0u64, 0u64), (4, 8)] {
            // size entry, then the bytes and a NUL
            b.lg(e).ld(field + 4).ls(l);
            b.lg(base).lg(i).c(8).i(I::I32Mul).add().lg(l).st(4 + k);
            b.lg(w).lg(e).ld(field).lg(l).i(I::MemoryCopy {
                src_mem: 0,
                dst_mem: 0,
            });
            b.lg(w).lg(l).add().lt(w).c(0).st8(0);
            b.lg(w).c(1).add().ls(w);
        }
    });
    b.lg(off).lg(total).add().end();
    b
}

fn deserialize_map(cx: &Cx) -> Body {
    // (buf, len) -> owned list<tuple<string,string>>; count in S_COUNT.
    // Every key and value is its own allocation: wit-bindgen frees them one
    // by one. The serialized map itself stays in the scratch area.
    let mut b = Body::new(&[I32, I32], &[I32]);
    let (buf, len) = (0, 1);
    let s = b.state();
    let n = b.local(I32);
    let list = b.local(I32);
    let i = b.local(I32);
    let e = b.local(I32);
    let w = b.local(I32);
    let l = b.local(I32);
    let bytes = b.local(I32);
    b.c(0).ls(n);
    b.lg(len).c(4).i(I::I32GeU).if_().lg(buf).ld(0).ls(n).end();
    b.store_at(s, S_COUNT, |b| {
        b.lg(n);
    });
    b.lg(n).i(I::I32Eqz).if_().c(4).i(I::Return).end();
    b.lg(n).c(16).i(I::I32Mul).ls(bytes);
    b.alloc(cx, 4, bytes).ls(list);
    b.lg(buf).c(4).add().lg(n).c(8).i(I::I32Mul).add().ls(w);
    b.c(0).ls(i);
    loop_over(&mut b, i, n, |b| {
        b.lg(list).lg(i).c(16).i(I::I32Mul).add().ls(e);
        for k in [0u64, 4] {
            b.lg(buf).lg(i).c(8).i(I::I32Mul).add().ld(4 + k).ls(l);
            b.lg(e).lg(w).lg(l).helper(Helper::CopyOut).st(2 * k);
            b.lg(e).lg(l).st(2 * k + 4);
            b.lg(w).lg(l).add().c(1).add().ls(w);
        }
    });
    b.lg(list).end();
    b
}

fn table_insert(cx: &Cx) -> Body {
    // (token, ctx, kind, timeout-ms): remember which request made a call.
    let mut b = Body::new(&[I32, I32, I32, I32], &[]);
    let s = b.state();
    let t = b.local(I32);
    let cap = b.local(I32);
    let i = b.local(I32);
    let e = b.local(I32);
    let ncap = b.local(I32);
    b.lg(s)
        .ld(S_TABLE)
        .ls(t)
        .lg(s)
        .ld(S_TABLE_CAP)
        .ls(cap)
        .c(0)
        .ls(i);
    b.i(I::Block(BlockType::Empty)); // found
    b.i(I::Block(BlockType::Empty)); // grow
    b.i(I::Loop(BlockType::Empty));
    b.lg(i).lg(cap).i(I::I32GeU).i(I::BrIf(1));
    b.lg(t)
        .lg(i)
        .c(ENTRY)
        .i(I::I32Mul)
        .add()
        .lt(e)
        .ld(12)
        .i(I::I32Eqz)
        .i(I::BrIf(2));
    b.lg(i).c(1).add().ls(i).i(I::Br(0));
    b.end().end();
    // full: double the table (cabi_realloc keeps the old entries)
    b.lg(cap)
        .c(1)
        .i(I::I32Shl)
        .c(8)
        .lg(cap)
        .i(I::Select)
        .ls(ncap);
    b.lg(t)
        .lg(cap)
        .c(ENTRY)
        .i(I::I32Mul)
        .c(8)
        .lg(ncap)
        .c(ENTRY)
        .i(I::I32Mul)
        .call(FuncRef::Orig(cx.realloc))
        .ls(t);
    b.lg(t).lg(cap).c(ENTRY).i(I::I32Mul).add().lt(e);
    b.c(0)
        .lg(ncap)
        .lg(cap)
        .i(I::I32Sub)
        .c(ENTRY)
        .i(I::I32Mul)
        .i(I::MemoryFill(0));
    b.lg(s).lg(t).st(S_TABLE).lg(s).lg(ncap).st(S_TABLE_CAP);
    b.end();
    b.lg(e)
        .lg(0)
        .st(0)
        .lg(e)
        .lg(1)
        .st(4)
        .lg(e)
        .lg(3)
        .st(8)
        .lg(e)
        .lg(2)
        .st(12);
    b.lg(e).helper(Helper::Now).st64(16);
    b.end();
    b
}

fn table_take() -> Body {
    // (token, kind) -> ctx (0 when unknown); frees the entry and leaves its
    // start time and timeout in the state block.
    let mut b = Body::new(&[I32, I32], &[I32]);
    let s = b.state();
    let i = b.local(I32);
    let e = b.local(I32);
    let cap = b.local(I32);
    b.lg(s).ld(S_TABLE_CAP).ls(cap).c(0).ls(i);
    b.lg(s).c(0).st(S_TIMEOUT);
    loop_over(&mut b, i, cap, |b| {
        b.lg(s).ld(S_TABLE).lg(i).c(ENTRY).i(I::I32Mul).add().ls(e);
        b.lg(e)
            .ld(12)
            .lg(1)
            .i(I::I32Eq)
            .lg(e)
            .ld(0)
            .lg(0)
            .i(I::I32Eq)
            .i(I::I32And)
            .if_();
        b.lg(e).c(0).st(12);
        b.lg(s).lg(e).ld64(16).st64(S_START);
        b.lg(s).lg(e).ld(8).st(S_TIMEOUT);
        b.lg(e).ld(4).i(I::Return);
        b.end();
    });
    b.c(0).end();
    b
}

// ----------------------------------------------------- gatewit imports

/// Glue for `gatewit:plugin/<iface>#<func>`; `sig` is the checked core type.
pub(crate) fn gatewit_import(cx: &Cx, iface: &str, func: &str, sig: &Sig) -> Option<Body> {
    let mut b = Body::with_sig(sig);
    let simple = |b: &mut Body, host: &'static str, args: &[u32], ret: u32| {
        for a in args {
            b.lg(*a);
        }
        b.host(host).lg(ret).helper(Helper::StatusResult);
    };
    match (iface, func) {
        ("http", "get-header") => {
            // (map, name ptr, name len, ret): served from the cached map.
            let s = b.state();
            let (p, n, w, i, kl, vl) = (
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
            );
            b.lg(3).c(0).st8(0);
            b.lg(0).helper(Helper::FetchMap).if_().i(I::Return).end();
            b.lg(s).ld(S_HCACHE_PTR).ls(p).c(0).ls(n);
            b.lg(s)
                .ld(S_HCACHE_LEN)
                .c(4)
                .i(I::I32GeU)
                .if_()
                .lg(p)
                .ld(0)
                .ls(n)
                .end();
            b.lg(p).c(4).add().lg(n).c(8).i(I::I32Mul).add().ls(w);
            b.c(0).ls(i);
            loop_over(&mut b, i, n, |b| {
                b.lg(p).lg(i).c(8).i(I::I32Mul).add().ld(4).ls(kl);
                b.lg(p).lg(i).c(8).i(I::I32Mul).add().ld(8).ls(vl);
                b.lg(kl).lg(2).i(I::I32Eq).if_();
                b.lg(w).lg(1).lg(2).helper(Helper::KeyEq).if_();
                b.lg(3).c(1).st8(0);
                b.lg(3)
                    .lg(w)
                    .lg(kl)
                    .add()
                    .c(1)
                    .add()
                    .lg(vl)
                    .helper(Helper::CopyOut)
                    .st(4);
                b.lg(3).lg(vl).st(8).i(I::Return);
                b.end().end();
                b.lg(w).lg(kl).add().lg(vl).add().c(2).add().ls(w);
            });
        }
        ("http", "get-headers") => {
            let s = b.state();
            b.lg(1).lg(0).helper(Helper::GetMap).st(0);
            b.lg(1).lg(s).ld(S_COUNT).st(4);
        }
        ("http", "set-headers") => {
            let s = b.state();
            let end = b.local(I32);
            b.lg(1).lg(2).c(0).helper(Helper::SerializeMap).ls(end);
            b.lg(0)
                .lg(s)
                .ld(S_SCRATCH)
                .lg(end)
                .host("proxy_set_header_map_pairs");
            b.lg(3).helper(Helper::StatusResult);
        }
        ("http", "add-header") => {
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            simple(&mut b, "proxy_add_header_map_value", &[0, 1, 2, 3, 4], 5)
        }
        ("http", "replace-header") => {
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            simple(
                &mut b,
                "proxy_replace_header_map_value",
                &[0, 1, 2, 3, 4],
                5,
            )
        }
        ("http", "remove-header") => {
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            simple(&mut b, "proxy_remove_header_map_value", &[0, 1, 2], 3)
        }
        ("http", "get-body") => {
            let s = b.state();
            let (p, l) = (b.local(I32), b.local(I32));
            b.c(0).ls(l);
            b.lg(0).lg(1).lg(2);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_get_buffer_bytes").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.end();
            b.lg(3).fix_ptr(p, l, 1).st(0).lg(3).lg(l).st(4);
        }
        // proxy_set_buffer_bytes(start, size): (0, max) replaces, (max, 0)
        // appends, (0, 0) prepends (Envoy's Buffer::copyFrom).
        ("http", "replace-body") | ("http", "append-body") | ("http", "prepend-body") => {
            let (start, size) = match func {
                "replace-body" => (0, i32::MAX),
                "append-body" => (i32::MAX, 0),
                _ => (0, 0),
            };
            b.lg(0)
                .c(start)
                .c(size)
                .lg(1)
                .lg(2)
                .host("proxy_set_buffer_bytes");
            b.lg(3).helper(Helper::StatusResult);
        }
        ("http", "send-local-reply") => {
            // (status, hp, hn, bp, bl, grpc?, grpc, dp, dl, ret)
            let s = b.state();
            let end = b.local(I32);
            b.lg(1).lg(2).c(0).helper(Helper::SerializeMap).ls(end);
            b.lg(0).lg(7).lg(8).lg(3).lg(4).lg(s).ld(S_SCRATCH).lg(end);
            b.lg(6).c(-1).lg(5).i(I::Select);
            b.host("proxy_send_local_response")
                .lg(9)
                .helper(Helper::StatusResult);
        }
        ("http", "resume-request") | ("http", "resume-response") => {
            let stream = if func == "resume-request" { 0 } else { 1 };
            // Resuming runs the filters after this one, which may change
            // the maps before control comes back.
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            b.c(stream)
                .host("proxy_continue_stream")
                .lg(0)
                .helper(Helper::StatusResult);
        }
        ("properties", "get-property") => {
            let s = b.state();
            let (n, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            b.lg(0).lg(1).helper(Helper::SerializePath).ls(n);
            b.lg(s).ld(S_SCRATCH).lg(n);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_get_property").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(2)
                .c(1)
                .st8(0)
                .lg(2)
                .fix_ptr(p, l, 1)
                .st(4)
                .lg(2)
                .lg(l)
                .st(8);
            b.else_().lg(2).c(0).st8(0).end();
        }
        ("properties", "set-property") => {
            let s = b.state();
            let n = b.local(I32);
            b.lg(0).lg(1).helper(Helper::SerializePath).ls(n);
            b.lg(s)
                .ld(S_SCRATCH)
                .lg(n)
                .lg(2)
                .lg(3)
                .host("proxy_set_property");
            b.lg(4).helper(Helper::StatusResult);
        }
        ("http-client", "dispatch-http-call") => {
            // (cp, cl, hp, hn, bp, bl, tp, tn, timeout, ret)
            let s = b.state();
            let (e1, e2, base, st) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
            b.lg(2).lg(3).c(0).helper(Helper::SerializeMap).ls(e1);
            b.lg(6).lg(7).lg(e1).helper(Helper::SerializeMap).ls(e2);
            b.lg(s).ld(S_SCRATCH).ls(base);
            b.lg(0).lg(1).lg(base).lg(e1).lg(4).lg(5);
            b.lg(base).lg(e1).add().lg(e2).lg(e1).i(I::I32Sub);
            b.lg(8)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_http_call")
                .lt(st);
            b.i(I::I32Eqz).if_();
            b.lg(s)
                .ld(S_OUT0)
                .lg(s)
                .ld(S_CURRENT)
                .c(KIND_HTTP)
                .lg(8)
                .helper(Helper::TableInsert);
            b.lg(9).c(0).st8(0).lg(9).lg(s).ld(S_OUT0).st(4);
            b.else_();
            b.lg(9).c(1).st8(0).lg(9).lg(st).c(1).i(I::I32Sub).st8(4);
            b.end();
        }
        ("redis", "redis-init") => redis_init(cx, &mut b),
        ("redis", "redis-call") => {
            // (cp, cl, qp, ql, ret)
            if cx.profile == Profile::Higress {
                let s = b.state();
                let st = b.local(I32);
                b.lg(0).lg(1).lg(2).lg(3).lg(s).c(S_OUT0 as i32).add();
                b.host("proxy_redis_call").lt(st).i(I::I32Eqz).if_();
                b.lg(s).ld(S_OUT0).lg(s).ld(S_CURRENT).c(KIND_REDIS).c(0);
                b.helper(Helper::TableInsert);
                b.lg(4).c(0).st8(0).lg(4).lg(s).ld(S_OUT0).st(4);
                b.else_();
                b.lg(4).c(1).st8(0).lg(4).lg(st).c(1).i(I::I32Sub).st8(4);
                b.end();
            } else {
                // Stock Envoy has no Redis: `unimplemented` (status 12 - 1).
                b.lg(4).c(1).st8(0).lg(4).c(11).st8(4);
            }
        }
        ("log", "log") => {
            b.lg(0).lg(1).lg(2).host("proxy_log").i(I::Drop);
        }
        ("log", "get-log-level") => {
            let s = b.state();
            b.lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_get_log_level")
                .i(I::I32Eqz)
                .if_();
            b.lg(s).ld(S_OUT0).i(I::Return).end();
            b.c(2);
        }
        ("metrics", "define-metric") => {
            let s = b.state();
            let st = b.local(I32);
            b.lg(0)
                .lg(1)
                .lg(2)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_define_metric");
            b.lt(st).i(I::I32Eqz).if_();
            b.lg(3).c(0).st8(0).lg(3).lg(s).ld(S_OUT0).st(4);
            b.else_()
                .lg(3)
                .c(1)
                .st8(0)
                .lg(3)
                .lg(st)
                .c(1)
                .i(I::I32Sub)
                .st8(4)
                .end();
        }
        ("metrics", "increment-metric") => simple(&mut b, "proxy_increment_metric", &[0, 1], 2),
        ("metrics", "record-metric") => simple(&mut b, "proxy_record_metric", &[0, 1], 2),
        ("metrics", "get-metric") => {
            let s = b.state();
            let st = b.local(I32);
            b.lg(0)
                .lg(s)
                .c(S_OUT64 as i32)
                .add()
                .host("proxy_get_metric");
            b.lt(st).i(I::I32Eqz).if_();
            b.lg(1).c(0).st8(0).lg(1).lg(s).ld64(S_OUT64).st64(8);
            b.else_()
                .lg(1)
                .c(1)
                .st8(0)
                .lg(1)
                .lg(st)
                .c(1)
                .i(I::I32Sub)
                .st8(8)
                .end();
        }
        ("shared-data", "get-shared-data") => {
            let s = b.state();
            let (p, l) = (b.local(I32), b.local(I32));
            b.lg(0).lg(1);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.lg(s).c(S_OUT2 as i32).add();
            b.host("proxy_get_shared_data").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(2)
                .c(1)
                .st8(0)
                .lg(2)
                .fix_ptr(p, l, 1)
                .st(4)
                .lg(2)
                .lg(l)
                .st(8);
            b.lg(2).lg(s).ld(S_OUT2).st(12);
            b.else_().lg(2).c(0).st8(0).end();
        }
        ("shared-data", "set-shared-data") => {
            simple(&mut b, "proxy_set_shared_data", &[0, 1, 2, 3, 4], 5)
        }
        // Queue names and items go to Envoy in place; the id comes back
        // through the state block.
        ("shared-data", "register-shared-queue") => {
            // (name ptr, name len, ret)
            let s = b.state();
            b.lg(0).lg(1).lg(s).c(S_OUT0 as i32).add();
            b.host("proxy_register_shared_queue");
            id_result(&mut b, s, 2);
        }
        ("shared-data", "resolve-shared-queue") => {
            // (vm-id ptr, vm-id len, name ptr, name len, ret)
            let s = b.state();
            b.lg(0).lg(1).lg(2).lg(3).lg(s).c(S_OUT0 as i32).add();
            b.host("proxy_resolve_shared_queue");
            id_result(&mut b, s, 4);
        }
        ("shared-data", "enqueue-shared-queue") => {
            simple(&mut b, "proxy_enqueue_shared_queue", &[0, 1, 2], 3)
        }
        ("shared-data", "dequeue-shared-queue") => {
            // (queue, ret) -> result<option<list<u8>>, status-error>: the
            // result's payload at 4, the option's list at 8. Envoy allocated
            // the item with `malloc` = `cabi_realloc`, so it is handed over
            // as the plugin's own list.
            let s = b.state();
            let (st, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            b.lg(0);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_dequeue_shared_queue")
                .lt(st)
                .i(I::I32Eqz)
                .if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(1).c(0).st8(0).lg(1).c(1).st8(4);
            b.lg(1).fix_ptr(p, l, 1).st(8).lg(1).lg(l).st(12);
            b.else_();
            // Empty (7): ok(none); any other status: err(status - 1).
            b.lg(st).c(7).i(I::I32Eq).if_();
            b.lg(1).c(0).st8(0).lg(1).c(0).st8(4);
            b.else_();
            b.lg(1).c(1).st8(0).lg(1).lg(st).c(1).i(I::I32Sub).st8(4);
            b.end().end();
        }
        ("time", "now-nanos") => {
            b.helper(Helper::Now);
        }
        ("time", "set-tick-period") => {
            b.lg(0)
                .host("proxy_set_tick_period_milliseconds")
                .i(I::Drop);
        }
        ("gateway", name) => gateway::import(cx, name, &mut b)?,
        _ => return None,
    }
    b.end();
    Some(b)
}

/// With a hostcall's status on the stack: `result<u32, status-error>` at
/// parameter `ret`, the id taken from the state block's first out-param.
fn id_result(b: &mut Body, s: u32, ret: u32) {
    let st = b.local(I32);
    b.lt(st).i(I::I32Eqz).if_();
    b.lg(ret).c(0).st8(0).lg(ret).lg(s).ld(S_OUT0).st(4);
    b.else_();
    b.lg(ret)
        .c(1)
        .st8(0)
        .lg(ret)
        .lg(st)
        .c(1)
        .i(I::I32Sub)
        .st8(4);
    b.end();
}

fn redis_init(cx: &Cx, b: &mut Body) {
    // (cp, cl, up, ul, pp, pl, timeout, db, flush?, flush, max?, max,
    //  disable, ret)
    let ret = 13;
    if cx.profile != Profile::Higress {
        // Stock Envoy: err(unsupported).
        b.lg(ret).c(1).st8(0).lg(ret).c(0).st8(1);
        return;
    }
    let s = b.state();
    let (w, base, st) = (b.local(I32), b.local(I32), b.local(I32));
    // `disable-buffer` is flush timeout 0 and buffer size 0 (as Higress's
    // Go SDK does).
    b.lg(12)
        .if_()
        .c(1)
        .ls(8)
        .c(0)
        .ls(9)
        .c(1)
        .ls(10)
        .c(0)
        .ls(11)
        .end();
    // Enough room for the cluster and the query string.
    b.lg(1).c(96).add().helper(Helper::EnsureScratch);
    b.lg(s).ld(S_SCRATCH).ls(base);
    b.lg(base).lg(0).lg(1).i(I::MemoryCopy {
        src_mem: 0,
        dst_mem: 0,
    });
    b.lg(1).ls(w);
    // The query as Higress's Go SDK writes it: `db` only when non-zero,
    // then the buffer settings given, `?` before the first, `&` between.
    for (flag, value, key) in [
        (7, 7, b"db=".as_slice()),
        (8, 9, b"buffer_flush_timeout=".as_slice()),
        (10, 11, b"max_buffer_size_before_flush=".as_slice()),
    ] {
        b.lg(flag).if_();
        b.lg(base).lg(w).add();
        b.c(i32::from(b'?'))
            .c(i32::from(b'&'))
            .lg(w)
            .lg(1)
            .i(I::I32Eq)
            .i(I::Select);
        b.st8(0);
        b.lg(w).c(1).add().ls(w);
        b.put_const(base, w, key);
        b.lg(w)
            .lg(value)
            .lg(base)
            .lg(w)
            .add()
            .helper(Helper::Dec)
            .add()
            .ls(w);
        b.end();
    }
    b.lg(base)
        .lg(w)
        .lg(2)
        .lg(3)
        .lg(4)
        .lg(5)
        .lg(6)
        .host("proxy_redis_init")
        .lt(st);
    b.i(I::I32Eqz).if_();
    b.lg(ret).c(0).st8(0);
    b.else_();
    b.lg(ret)
        .c(1)
        .st8(0)
        .lg(ret)
        .c(1)
        .st8(1)
        .lg(ret)
        .lg(st)
        .c(1)
        .i(I::I32Sub)
        .st8(2);
    b.end();
}

// --------------------------------------------------------- WASI imports

/// The core signature the glue expects for a WASI 0.2 function, with the
/// glue for it; `None` when the adapter cannot provide it.
pub(crate) fn wasi_import(cx: &Cx, iface: &str, func: &str) -> Option<Body> {
    let mut b;
    match (iface, func) {
        (_, f) if f.starts_with("[resource-drop]") => {
            b = Body::new(&[I32], &[]);
        }
        ("wasi:io/poll", "[method]pollable.block") => b = Body::new(&[I32], &[]),
        ("wasi:io/poll", "[method]pollable.ready") => {
            b = Body::new(&[I32], &[I32]);
            b.c(1);
        }
        ("wasi:io/streams", "[method]output-stream.check-write") => {
            b = Body::new(&[I32, I32], &[]);
            b.lg(1).c(0).st8(0).lg(1).i(I::I64Const(1 << 20)).st64(8);
        }
        ("wasi:io/streams", "[method]output-stream.write")
        | ("wasi:io/streams", "[method]output-stream.blocking-write-and-flush") => {
            // Output goes to the gateway log, one entry per line: stdout
            // (handle 2) at info, stderr (handle 3) at error.
            b = Body::new(&[I32, I32, I32, I32], &[]);
            b.lg(0).lg(1).lg(2).helper(Helper::LineWrite);
            b.lg(3).c(0).st8(0);
        }
        ("wasi:io/streams", "[method]output-stream.flush")
        | ("wasi:io/streams", "[method]output-stream.blocking-flush") => {
            // Not a line boundary: Rust's std flushes after every piece of
            // a formatted line, so partial lines wait for their newline.
            b = Body::new(&[I32, I32], &[]);
            b.lg(1).c(0).st8(0);
        }
        ("wasi:io/streams", "[method]output-stream.subscribe")
        | ("wasi:io/streams", "[method]input-stream.subscribe") => {
            b = Body::new(&[I32], &[I32]);
            b.c(1);
        }
        ("wasi:io/streams", "[method]input-stream.read")
        | ("wasi:io/streams", "[method]input-stream.blocking-read") => {
            // stdin is always closed: err(stream-error::closed)
            b = Body::new(&[I32, I64, I32], &[]);
            b.lg(2).c(1).st8(0).lg(2).c(1).st8(4);
        }
        ("wasi:cli/environment", "get-environment") | ("wasi:cli/environment", "get-arguments") => {
            b = Body::new(&[I32], &[]);
            b.lg(0).c(4).st(0).lg(0).c(0).st(4);
        }
        ("wasi:cli/environment", "initial-cwd") => {
            b = Body::new(&[I32], &[]);
            b.lg(0).c(0).st8(0);
        }
        ("wasi:cli/exit", "exit") => {
            b = Body::new(&[I32], &[]);
            b.log_const(5, b"gatewit: plugin called exit");
            b.i(I::Unreachable);
        }
        ("wasi:cli/stdin", "get-stdin") => {
            b = Body::new(&[], &[I32]);
            b.c(1);
        }
        ("wasi:cli/stdout", "get-stdout") => {
            b = Body::new(&[], &[I32]);
            b.c(2);
        }
        ("wasi:cli/stderr", "get-stderr") => {
            b = Body::new(&[], &[I32]);
            b.c(3);
        }
        ("wasi:cli/terminal-stdin", "get-terminal-stdin")
        | ("wasi:cli/terminal-stdout", "get-terminal-stdout")
        | ("wasi:cli/terminal-stderr", "get-terminal-stderr") => {
            b = Body::new(&[I32], &[]);
            b.lg(0).c(0).st8(0);
        }
        ("wasi:clocks/wall-clock", "now") => {
            b = Body::new(&[I32], &[]);
            let t = b.local(I64);
            b.helper(Helper::Now).ls(t);
            b.lg(0)
                .lg(t)
                .i(I::I64Const(1_000_000_000))
                .i(I::I64DivU)
                .st64(0);
            b.lg(0)
                .lg(t)
                .i(I::I64Const(1_000_000_000))
                .i(I::I64RemU)
                .i(I::I32WrapI64)
                .st(8);
        }
        ("wasi:clocks/wall-clock", "resolution") => {
            b = Body::new(&[I32], &[]);
            b.lg(0).i(I::I64Const(0)).st64(0).lg(0).c(1).st(8);
        }
        ("wasi:clocks/monotonic-clock", "now") => {
            b = Body::new(&[], &[I64]);
            b.helper(Helper::Now);
        }
        ("wasi:clocks/monotonic-clock", "resolution") => {
            b = Body::new(&[], &[I64]);
            b.i(I::I64Const(1));
        }
        ("wasi:clocks/monotonic-clock", "subscribe-instant")
        | ("wasi:clocks/monotonic-clock", "subscribe-duration") => {
            b = Body::new(&[I64], &[I32]);
            b.c(1);
        }
        ("wasi:random/random", "get-random-bytes")
        | ("wasi:random/insecure", "get-insecure-random-bytes") => {
            b = Body::new(&[I64, I32], &[]);
            let (l, p) = (b.local(I32), b.local(I32));
            b.lg(0).i(I::I32WrapI64).ls(l);
            b.alloc(cx, 1, l).ls(p);
            b.lg(p)
                .lg(l)
                .call(FuncRef::Host("wasi_snapshot_preview1", "random_get"));
            b.i(I::Drop);
            b.lg(1).fix_ptr(p, l, 1).st(0).lg(1).lg(l).st(4);
        }
        ("wasi:random/random", "get-random-u64")
        | ("wasi:random/insecure", "get-insecure-random-u64") => {
            b = Body::new(&[], &[I64]);
            let s = b.state();
            b.lg(s).c(S_OUT64 as i32).add().c(8);
            b.call(FuncRef::Host("wasi_snapshot_preview1", "random_get"))
                .i(I::Drop);
            b.lg(s).ld64(S_OUT64);
        }
        ("wasi:random/insecure-seed", "insecure-seed") => {
            b = Body::new(&[I32], &[]);
            b.lg(0).c(16);
            b.call(FuncRef::Host("wasi_snapshot_preview1", "random_get"))
                .i(I::Drop);
        }
        _ => return None,
    }
    b.end();
    Some(b)
}

// ------------------------------------------------------------- exports

/// The plugin's guest exports the callbacks call, by input index.
#[derive(Default)]
pub(crate) struct Guest {
    pub funcs: std::collections::BTreeMap<String, u32>,
    pub post: std::collections::BTreeMap<String, u32>,
    pub initialize: Option<u32>,
}

impl Guest {
    fn f(&self, name: &str) -> Option<u32> {
        self.funcs.get(name).copied()
    }
}

/// Calls guest export `name` (input index `f`; its arguments are on the
/// stack), then its post-return function when the plugin has one: the
/// canonical ABI requires it after every call, and toolchains such as
/// componentize-js free the call's results (and trap on the next call)
/// there. `returns_i32`: the export returns one `i32` (an action or a
/// return-area pointer), which stays on the stack and is also what
/// post-return receives.
fn call_guest(b: &mut Body, g: &Guest, name: &str, f: u32, returns_i32: bool) {
    b.call(FuncRef::Orig(f));
    let Some(post) = g.post.get(name).copied() else {
        return;
    };
    if returns_i32 {
        let r = b.local(I32);
        b.lt(r).lg(r).call(FuncRef::Orig(post));
    } else {
        b.call(FuncRef::Orig(post));
    }
}

/// Map a plugin header action to the profile's.
fn header_action(b: &mut Body, profile: Profile) {
    if profile == Profile::Envoy {
        // continue-and-end-stream → continue; stop-all-* → pause.
        let a = b.local(I32);
        b.ls(a);
        b.lg(a).c(1).lg(a).c(1).i(I::I32LtU).i(I::Select);
        b.c(0).lg(a).c(2).i(I::I32Ne).i(I::Select);
    }
}

fn body_action(b: &mut Body, profile: Profile) {
    if profile == Profile::Envoy {
        // stop-and-watermark / stop-no-buffer → pause (stop and buffer).
        let a = b.local(I32);
        b.ls(a).lg(a).c(1).lg(a).c(2).i(I::I32LtU).i(I::Select);
    }
}

fn set_current(b: &mut Body, ctx: Option<u32>) {
    let s = b.state();
    b.lg(s);
    match ctx {
        Some(c) => b.lg(c),
        None => b.c(0),
    };
    b.st(S_CURRENT);
    // Another callback: Envoy and other filters may have changed the maps.
    invalidate_map_cache(b, s);
}

fn invalidate_map_cache(b: &mut Body, s: u32) {
    b.store_at(s, S_HCACHE_MAP, |b| {
        b.c(0);
    });
}

/// The body of a `proxy_*` export, or `None` when the plugin lacks the
/// guest function behind it.
pub(crate) fn export_glue(cx: &Cx, g: &Guest, name: &str) -> Option<Body> {
    let mut b;
    // The request an HTTP or Redis answer belongs to.
    let mut call_ctx = None;
    match name {
        "proxy_abi_version_0_2_1" | "proxy_abi_version_0_2_100" => {
            b = Body::new(&[], &[]);
        }
        "_initialize" => {
            b = Body::new(&[], &[]);
            if let Some(f) = g.initialize {
                b.call(FuncRef::Orig(f));
            }
        }
        "proxy_on_configure" => {
            let f = g.f("on-plugin-start")?;
            b = Body::new(&[I32, I32], &[I32]);
            let s = b.state();
            let (p, l, r, ok) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
            set_current(&mut b, None);
            b.c(0).ls(l);
            b.lg(1).if_();
            b.c(7)
                .c(0)
                .lg(1)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .lg(s)
                .c(S_OUT1 as i32)
                .add();
            b.host("proxy_get_buffer_bytes").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.end().end();
            b.fix_ptr(p, l, 1).lg(l).call(FuncRef::Orig(f)).lt(r);
            b.ld8(0).i(I::I32Eqz).ls(ok);
            // err(message): log it so the operator sees why the
            // configuration was rejected.
            b.lg(ok).i(I::I32Eqz).if_();
            b.c(4).lg(r).ld(4).lg(r).ld(8).host("proxy_log").i(I::Drop);
            b.end();
            if let Some(post) = g.post.get("on-plugin-start") {
                b.lg(r).call(FuncRef::Orig(*post));
            }
            b.lg(ok);
        }
        "proxy_on_context_create" => {
            let f = g.f("on-context-create")?;
            b = Body::new(&[I32, I32], &[]);
            // parent 0: the root (plugin) context, not a request
            b.lg(1).if_();
            set_current(&mut b, Some(0));
            b.lg(0);
            call_guest(&mut b, g, "on-context-create", f, false);
            b.end();
        }
        "proxy_on_request_headers"
        | "proxy_on_response_headers"
        | "proxy_on_request_body"
        | "proxy_on_response_body" => {
            let guest = name.trim_start_matches("proxy_").replace('_', "-");
            let f = g.f(&guest)?;
            b = Body::new(&[I32, I32, I32], &[I32]);
            set_current(&mut b, Some(0));
            b.lg(0).lg(1).lg(2);
            call_guest(&mut b, g, &guest, f, true);
            if name.ends_with("headers") {
                header_action(&mut b, cx.profile);
            } else {
                body_action(&mut b, cx.profile);
            }
        }
        "proxy_on_request_trailers" | "proxy_on_response_trailers" => {
            let guest = name.trim_start_matches("proxy_").replace('_', "-");
            let f = g.f(&guest)?;
            b = Body::new(&[I32, I32], &[I32]);
            set_current(&mut b, Some(0));
            b.lg(0).lg(1);
            call_guest(&mut b, g, &guest, f, true);
            header_action(&mut b, cx.profile);
        }
        "proxy_on_log" => {
            let f = g.f("on-request-done")?;
            b = Body::new(&[I32], &[]);
            set_current(&mut b, Some(0));
            b.lg(0);
            call_guest(&mut b, g, "on-request-done", f, false);
        }
        "proxy_on_tick" => {
            let f = g.f("on-tick")?;
            b = Body::new(&[I32], &[]);
            set_current(&mut b, None);
            call_guest(&mut b, g, "on-tick", f, false);
        }
        "proxy_on_queue_ready" => {
            // (root, queue): plugin level, like a tick.
            let f = g.f("on-queue-ready")?;
            b = Body::new(&[I32, I32], &[]);
            set_current(&mut b, None);
            b.lg(1);
            call_guest(&mut b, g, "on-queue-ready", f, false);
        }
        "proxy_on_http_call_response" => {
            let f = g.f("on-http-call-response")?;
            // (root, token, nheaders, body-size, ntrailers)
            b = Body::new(&[I32, I32, I32, I32, I32], &[]);
            let s = b.state();
            let ctx = b.local(I32);
            let (hp, hn, bp, bl, tp, tn) = (
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
            );
            call_ctx = Some(ctx);
            b.lg(1).c(KIND_HTTP).helper(Helper::TableTake).ls(ctx);
            b.lg(ctx)
                .if_()
                .lg(ctx)
                .host("proxy_set_effective_context")
                .i(I::Drop)
                .end();
            set_current(&mut b, Some(ctx));
            b.lg(2).i(I::I32Eqz).if_();
            // No headers: the call failed. Timeout if the call's time ran
            // out, reset otherwise.
            b.lg(ctx).lg(1);
            b.c(1);
            b.c(0).c(1);
            b.helper(Helper::Now).lg(s).ld64(S_START).i(I::I64Sub);
            b.lg(s)
                .ld(S_TIMEOUT)
                .i(I::I64ExtendI32U)
                .i(I::I64Const(1_000_000))
                .i(I::I64Mul);
            b.i(I::I64GeU)
                .lg(s)
                .ld(S_TIMEOUT)
                .c(0)
                .i(I::I32Ne)
                .i(I::I32And)
                .i(I::Select);
            b.c(0).c(0).c(0).c(0).c(0);
            call_guest(&mut b, g, "on-http-call-response", f, false);
            b.i(I::Return).end();
            b.c(6)
                .helper(Helper::GetMap)
                .ls(hp)
                .lg(s)
                .ld(S_COUNT)
                .ls(hn);
            b.c(0).ls(bl);
            b.lg(3).if_();
            b.c(4)
                .c(0)
                .lg(3)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .lg(s)
                .c(S_OUT1 as i32)
                .add();
            b.host("proxy_get_buffer_bytes").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(bp).lg(s).ld(S_OUT1).ls(bl);
            b.end().end();
            b.c(4).ls(tp).c(0).ls(tn);
            b.lg(4).if_();
            b.c(7)
                .helper(Helper::GetMap)
                .ls(tp)
                .lg(s)
                .ld(S_COUNT)
                .ls(tn);
            b.end();
            b.lg(ctx)
                .lg(1)
                .c(0)
                .lg(hp)
                .lg(hn)
                .fix_ptr(bp, bl, 1)
                .lg(bl)
                .lg(tp)
                .lg(tn);
            call_guest(&mut b, g, "on-http-call-response", f, false);
        }
        "proxy_on_redis_call_response" => {
            let f = g.f("on-redis-call-response")?;
            // (root, token, status, size)
            b = Body::new(&[I32, I32, I32, I32], &[]);
            let s = b.state();
            let (ctx, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            call_ctx = Some(ctx);
            b.lg(1).c(KIND_REDIS).helper(Helper::TableTake).ls(ctx);
            b.lg(ctx)
                .if_()
                .lg(ctx)
                .host("proxy_set_effective_context")
                .i(I::Drop)
                .end();
            set_current(&mut b, Some(ctx));
            b.lg(2).if_();
            b.lg(ctx).lg(1).c(1).lg(2).c(0);
            call_guest(&mut b, g, "on-redis-call-response", f, false);
            b.i(I::Return);
            b.end();
            b.c(0).ls(l);
            b.lg(3).if_();
            b.c(9)
                .c(0)
                .lg(3)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .lg(s)
                .c(S_OUT1 as i32)
                .add();
            b.host("proxy_get_buffer_bytes").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.end().end();
            b.lg(ctx).lg(1).c(0).fix_ptr(p, l, 1).lg(l);
            call_guest(&mut b, g, "on-redis-call-response", f, false);
        }
        _ => return None,
    }
    if name.starts_with("proxy_on_") {
        recover::guard(&mut b, cx, name, call_ctx);
    }
    b.end();
    Some(b)
}
