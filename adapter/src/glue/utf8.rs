//! Header names and values reach the plugin as WIT `string`s, which the
//! canonical ABI requires to be UTF-8, and Rust guests trust it (their
//! bindings lift strings unchecked in release builds). Envoy passes header
//! bytes as they came (HTTP allows obs-text, bytes ≥ 0x80), so the glue
//! checks every string it hands over and replaces each byte that does not
//! start or continue a valid UTF-8 sequence with `?` (in place: the length
//! stays, no allocation). ASCII, the common case, costs one 8-byte test per
//! 8 bytes.

use super::{Body, Helper, I, I32, ma};

/// `(ptr, len)`: make the guest-owned bytes valid UTF-8.
pub(super) fn check() -> Body {
    let mut b = Body::new(&[I32, I32], &[]);
    let (p, len) = (0, 1);
    let i = b.local(I32);
    // Eight bytes at a time while they fit.
    b.c(0).ls(i);
    b.i(I::Block(wasm_encoder::BlockType::Empty))
        .i(I::Loop(wasm_encoder::BlockType::Empty));
    b.lg(i).c(8).add().lg(len).i(I::I32GtU).i(I::BrIf(1));
    b.lg(p).lg(i).add().i(I::I64Load(ma(0, 0)));
    b.i(I::I64Const(0x8080_8080_8080_8080_u64 as i64))
        .i(I::I64And)
        .i(I::I64Eqz)
        .i(I::I32Eqz)
        .if_();
    b.lg(p).lg(len).helper(Helper::Utf8Repair).i(I::Return);
    b.end();
    b.lg(i).c(8).add().ls(i).i(I::Br(0));
    b.end().end();
    // The tail, byte by byte.
    super::loop_over(&mut b, i, len, |b| {
        b.lg(p).lg(i).add().ld8(0).c(0x80).i(I::I32And).if_();
        b.lg(p).lg(len).helper(Helper::Utf8Repair).i(I::Return);
        b.end();
    });
    b.end();
    b
}

/// `(ptr, len)`: the slow path, a UTF-8 decoder that replaces each byte
/// not part of a valid sequence (RFC 3629: no overlongs, no surrogates,
/// nothing above U+10FFFF) with `?`.
pub(super) fn repair() -> Body {
    let mut b = Body::new(&[I32, I32], &[]);
    let (p, len) = (0, 1);
    let [i, byte, follow, lo, hi, j, c, ok] = [(); 8].map(|_| b.local(I32));
    b.c(0).ls(i);
    b.i(I::Block(wasm_encoder::BlockType::Empty))
        .i(I::Loop(wasm_encoder::BlockType::Empty));
    b.lg(i).lg(len).i(I::I32GeU).i(I::BrIf(1));
    b.lg(p).lg(i).add().ld8(0).ls(byte);
    // ASCII: next byte.
    b.lg(byte).c(0x80).i(I::I32LtU).if_();
    b.lg(i).c(1).add().ls(i).i(I::Br(1));
    b.end();
    // How many continuation bytes follow, and the range of the first one.
    b.c(0).ls(follow).c(0x80).ls(lo).c(0xBF).ls(hi);
    in_range(&mut b, byte, 0xC2, 0xDF);
    b.if_().c(1).ls(follow).end();
    in_range(&mut b, byte, 0xE0, 0xEF);
    b.if_().c(2).ls(follow).end();
    in_range(&mut b, byte, 0xF0, 0xF4);
    b.if_().c(3).ls(follow).end();
    for (lead, bound, value) in [
        (0xE0, lo, 0xA0),
        (0xED, hi, 0x9F),
        (0xF0, lo, 0x90),
        (0xF4, hi, 0x8F),
    ] {
        b.lg(byte)
            .c(lead)
            .i(I::I32Eq)
            .if_()
            .c(value)
            .ls(bound)
            .end();
    }
    // Valid if there is a lead, its bytes fit, and each is in range.
    b.lg(follow).c(0).i(I::I32Ne);
    b.lg(i).lg(follow).add().lg(len).i(I::I32LtU);
    b.i(I::I32And).ls(ok);
    b.c(1).ls(j);
    b.i(I::Block(wasm_encoder::BlockType::Empty))
        .i(I::Loop(wasm_encoder::BlockType::Empty));
    b.lg(ok)
        .i(I::I32Eqz)
        .lg(j)
        .lg(follow)
        .i(I::I32GtU)
        .i(I::I32Or)
        .i(I::BrIf(1));
    b.lg(p).lg(i).add().lg(j).add().ld8(0).ls(c);
    b.lg(c)
        .lg(lo)
        .i(I::I32GeU)
        .lg(c)
        .lg(hi)
        .i(I::I32LeU)
        .i(I::I32And)
        .ls(ok);
    // Only the first continuation byte has a narrowed range.
    b.c(0x80).ls(lo).c(0xBF).ls(hi);
    b.lg(j).c(1).add().ls(j).i(I::Br(0));
    b.end().end();
    b.lg(ok).if_();
    b.lg(i).lg(follow).add().c(1).add().ls(i);
    b.else_();
    b.lg(p).lg(i).add().c(i32::from(b'?')).st8(0);
    b.lg(i).c(1).add().ls(i);
    b.end();
    b.i(I::Br(0));
    b.end().end();
    b.end();
    b
}

/// Pushes `from <= local <= to`.
fn in_range(b: &mut Body, local: u32, from: i32, to: i32) {
    b.lg(local).c(from).i(I::I32GeU);
    b.lg(local).c(to).i(I::I32LeU);
    b.i(I::I32And);
}
