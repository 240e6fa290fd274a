//! The glue's own helper functions (state block, allocation, header-map
//! (de)serialization, the call table, line buffering): each a core
//! function the generated code calls.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::*;
use gatewit_abi::proxy::log_level;

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
            b.empty_alloc(cx, 4).i(I::Return).end();
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
            // Four bytes at a time while they are equal as they are (names
            // are lowercase on both sides almost always), then byte by
            // byte, folding case, from the first word that differs.
            b.i(I::Block(BlockType::Empty)).i(I::Loop(BlockType::Empty));
            b.lg(k).c(4).add().lg(2).i(I::I32GtU).i(I::BrIf(1));
            // Unaligned: names sit anywhere.
            b.lg(0).lg(k).add().i(I::I32Load(ma(0, 0)));
            b.lg(1).lg(k).add().i(I::I32Load(ma(0, 0)));
            b.i(I::I32Ne).i(I::BrIf(1));
            b.lg(k).c(4).add().ls(k).i(I::Br(0));
            b.end().end();
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
            // stderr (3; stdout is 2) logs at error level,
            // stdout at info.
            b.abi(log_level::ERROR)
                .abi(log_level::INFO)
                .lg(0)
                .c(3)
                .i(I::I32Eq)
                .i(I::Select)
                .lg(p)
                .lg(n);
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
pub(super) fn line_buffer(b: &mut Body, s: u32, lb: u32) {
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

pub(super) fn loop_over(b: &mut Body, i: u32, n: u32, f: impl FnOnce(&mut Body)) {
    b.i(I::Block(BlockType::Empty)).i(I::Loop(BlockType::Empty));
    b.lg(i).lg(n).i(I::I32GeU).i(I::BrIf(1));
    f(b);
    b.lg(i).c(1).add().ls(i).i(I::Br(0));
    b.end().end();
}

pub(super) fn serialize_map() -> Body {
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

pub(super) fn deserialize_map(cx: &Cx) -> Body {
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

pub(super) fn table_insert(cx: &Cx) -> Body {
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

pub(super) fn table_take() -> Body {
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
