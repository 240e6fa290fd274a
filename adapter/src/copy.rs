//! Instructions copied byte for byte instead of re-encoded.
//!
//! Both passes over the plugin's code (linking, then the glue's limits)
//! renumber only a few index spaces: function indices always, globals,
//! tables and types when linking. Most instructions carry none of them
//! (locals, constants, arithmetic, branches, loads and stores of memory
//! 0), and re-encoding those through `wasm-encoder` writes the bytes it
//! read: decoding into an `Instruction` and encoding it again was half of
//! adapting an 18 MB CPython component. The test is on the opcode bytes,
//! so it names exactly what it lets through; everything else is re-encoded.

use std::ops::Range;

use wasm_encoder::Function;
use wasmparser::{
    BinaryReader, FunctionBody, Operator, OperatorsReader, OperatorsReaderAllocations,
};

/// How an opcode's instruction is sized when it may be copied as it is
/// (see [`copyable_len`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Renumbered, or not sized here: re-encoded.
    No,
    /// No immediates: nop, else, end, return, drop, select, ref.is_null;
    /// every numeric instruction of the MVP and the sign-extension
    /// operators.
    Bare,
    /// One LEB128 immediate: br, br_if; i32.const, i64.const.
    Leb,
    /// local.get/set/tee: copied when the local is one of the body's own
    /// (a pass may add locals after them, which an index past the body's
    /// would then name).
    Local,
    /// A fixed-size immediate of this many bytes: f32.const, f64.const.
    Fixed(u8),
    /// br_table: a count, then one more label than it says.
    Table,
    /// block, loop, if: copied with an empty or one-value block type (not
    /// with a type index, which is renumbered).
    Block,
    /// Loads and stores: copied when they access memory 0 and the pass
    /// keeps it.
    Memory,
    /// The 0xFC prefix: the saturating truncations (0..=7) have no
    /// immediates.
    Misc,
}

/// Each opcode's [`Shape`].
static SHAPES: [Shape; 256] = {
    let mut t = [Shape::No; 256];
    let mut op = 0x45;
    while op <= 0xC4 {
        t[op] = Shape::Bare;
        op += 1;
    }
    let bare = [0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1];
    let mut i = 0;
    while i < bare.len() {
        t[bare[i]] = Shape::Bare;
        i += 1;
    }
    let leb = [0x0C, 0x0D, 0x41, 0x42];
    let mut i = 0;
    while i < leb.len() {
        t[leb[i]] = Shape::Leb;
        i += 1;
    }
    t[0x20] = Shape::Local;
    t[0x21] = Shape::Local;
    t[0x22] = Shape::Local;
    t[0x43] = Shape::Fixed(4);
    t[0x44] = Shape::Fixed(8);
    t[0x0E] = Shape::Table;
    t[0x02] = Shape::Block;
    t[0x03] = Shape::Block;
    t[0x04] = Shape::Block;
    let mut op = 0x28;
    while op <= 0x3E {
        t[op] = Shape::Memory;
        op += 1;
    }
    t[0xFC] = Shape::Misc;
    t
};

/// The value types a block may name in one byte (no type index): `i32`,
/// `i64`, `f32`, `f64`, `v128`, `funcref`, `externref`.
fn one_byte_valtype(t: u8) -> bool {
    matches!(t, 0x7B..=0x7F | 0x70 | 0x6F)
}

/// The length of the instruction `code` starts with, when it may be copied
/// as it is: it names no index the pass renumbers. `memory_zero_kept`:
/// whether the pass leaves memory 0's accesses as they are (no other
/// memory index, no region base added, no bounds check). `locals`: how
/// many locals the body has, parameters included. The bytes have not been
/// validated (the output is): what does not parse here is not copied.
#[inline(always)]
pub(crate) fn copyable_len(code: &[u8], memory_zero_kept: bool, locals: u32) -> Option<usize> {
    let (&opcode, rest) = code.split_first()?;
    let len = match SHAPES[usize::from(opcode)] {
        Shape::Local => match *rest.first()? {
            b if b & 0x80 == 0 => (u32::from(b) < locals).then_some(2)?,
            _ => {
                let (local, n) = leb_value(rest, leb_len)?;
                (local < locals).then_some(1 + n)?
            }
        },
        // Bit 6 of the alignment flags (in the first byte of its LEB128
        // whatever its length) means an explicit memory index follows.
        Shape::Memory if memory_zero_kept && rest.first()? & 0x40 == 0 => {
            let flags = leb_len(rest)?;
            1 + flags + leb_len(rest.get(flags..)?)?
        }
        shape => common_len(shape, rest, leb_len)?,
    };
    (len <= code.len()).then_some(len)
}

/// The length of the LEB128 number `bytes` starts with, when it is in its
/// shortest form. Linkers pad the numbers they relocate (to five bytes:
/// `i32.const` addresses, memory offsets); those are re-encoded, so the
/// output is what re-encoding everything would give, and no larger. A
/// multi-byte number ending in `0x00` or `0x7F` may be padded (as unsigned
/// or signed); re-encoding one that is not costs only time.
#[inline(always)]
fn leb_len(bytes: &[u8]) -> Option<usize> {
    match bytes.first() {
        Some(b) if b & 0x80 == 0 => Some(1),
        _ => {
            let len = bytes.iter().take(10).position(|b| b & 0x80 == 0)? + 1;
            (!matches!(bytes.get(len - 1), Some(0x00 | 0x7F))).then_some(len)
        }
    }
}

/// The length of the LEB128 number `bytes` starts with, padded or not.
#[inline(always)]
fn leb_any(bytes: &[u8]) -> Option<usize> {
    match bytes.first() {
        Some(b) if b & 0x80 == 0 => Some(1),
        _ => Some(bytes.iter().take(10).position(|b| b & 0x80 == 0)? + 1),
    }
}

/// For a scan that only looks for the functions instructions name: the
/// length of the instruction `code` starts with, and the function it
/// calls or takes a reference to (`call`, `return_call`, `ref.func`).
/// Padded numbers and other memories' accesses are sized too; `None`:
/// not sized here (decode it).
#[inline(always)]
fn scanned_len(code: &[u8]) -> Option<(usize, Option<u32>)> {
    let (&opcode, rest) = code.split_first()?;
    let len = match opcode {
        0x10 | 0x12 | 0xD2 => {
            let (f, n) = leb_value(rest, leb_any)?;
            return (n < code.len()).then_some((1 + n, Some(f)));
        }
        // call_indirect, return_call_indirect: a type and a table.
        0x11 | 0x13 => {
            let at = leb_any(rest)?;
            1 + at + leb_any(rest.get(at..)?)?
        }
        // global.get/set, table.get/set; memory.size/grow.
        0x23..=0x26 | 0x3F | 0x40 => 1 + leb_any(rest)?,
        0x28..=0x3E => {
            let (flags, mut at) = leb_value(rest, leb_any)?;
            if flags & 0x40 != 0 {
                at += leb_any(rest.get(at..)?)?;
            }
            1 + at + leb_any(rest.get(at..)?)?
        }
        _ => common_len(SHAPES[usize::from(opcode)], rest, leb_any)?,
    };
    (len <= code.len()).then_some((len, None))
}

/// The unsigned 32-bit LEB128 number `bytes` starts with and its length,
/// as `leb` sizes it (shortest form only, or any).
#[inline(always)]
fn leb_value(bytes: &[u8], leb: impl Fn(&[u8]) -> Option<usize>) -> Option<(u32, usize)> {
    let len = leb(bytes)?;
    let mut value = 0u64;
    for (i, b) in bytes.get(..len)?.iter().enumerate() {
        value |= u64::from(b & 0x7F) << (7 * i);
    }
    Some((u32::try_from(value).ok()?, len))
}

/// The length of an instruction of `shape` other than a load or store,
/// whose immediates start `rest`, its numbers sized by `leb`.
#[inline(always)]
fn common_len(
    shape: Shape,
    rest: &[u8],
    leb: impl Fn(&[u8]) -> Option<usize> + Copy,
) -> Option<usize> {
    Some(match shape {
        Shape::Bare => 1,
        Shape::Leb | Shape::Local => 1 + leb(rest)?,
        Shape::Fixed(n) => 1 + usize::from(n),
        Shape::Table => {
            let (count, mut at) = leb_value(rest, leb)?;
            for _ in 0..=count {
                at += leb(rest.get(at..)?)?;
            }
            1 + at
        }
        Shape::Block if one_byte_valtype(*rest.first()?) || rest.first() == Some(&0x40) => 2,
        Shape::Misc if *rest.first()? <= 7 => 2,
        Shape::No | Shape::Block | Shape::Memory | Shape::Misc => return None,
    })
}

/// One function body's instructions, read one at a time from where the
/// last ended: those [`copyable_len`] sizes are stepped over unread, the
/// others decoded by a reader of their own. wasmparser's reader tracks
/// the blocks it has seen to check `else`, `end` and the legacy handlers'
/// placement, so those are decoded here instead (they carry no index).
pub(crate) struct Instructions<'a> {
    body: &'a [u8],
    /// The module offset of `body[0]`.
    base: usize,
    /// Where the next instruction starts, in `body`.
    at: usize,
    allocs: Option<OperatorsReaderAllocations>,
}

impl<'a> Instructions<'a> {
    /// The instructions of `body` (after its locals).
    pub(crate) fn new(body: &FunctionBody<'a>) -> wasmparser::Result<Self> {
        let base = body.range().start;
        let at = body.get_operators_reader()?.original_position() - base;
        Ok(Instructions {
            body: body.as_bytes(),
            base,
            at,
            allocs: None,
        })
    }

    /// Whether every instruction has been read.
    pub(crate) fn eof(&self) -> bool {
        self.at >= self.body.len()
    }

    /// The next instruction's opcode.
    pub(crate) fn opcode(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    /// Steps over the instructions from the next on that may be copied as
    /// they are (see [`copyable_len`]), up to the first that may
    /// not or, with `stop_at_loop`, the first `loop`; says where they were,
    /// if there were any. One call per run, not per instruction: most of
    /// a big plugin's instructions are copied.
    pub(crate) fn skip_copyable_run(
        &mut self,
        memory_zero_kept: bool,
        locals: u32,
        stop_at_loop: bool,
    ) -> Option<Range<usize>> {
        const LOOP: u8 = 0x03;
        let (body, start) = (self.body, self.at);
        let mut at = start;
        while let Some(code) = body.get(at..) {
            if stop_at_loop && code.first() == Some(&LOOP) {
                break;
            }
            match copyable_len(code, memory_zero_kept, locals) {
                Some(len) => at += len,
                None => break,
            }
        }
        self.at = at;
        (at > start).then(|| self.base + start..self.base + at)
    }

    /// Steps over the instructions from the next on that are sized from
    /// their bytes alone, adding the functions they name to `named` (see
    /// [`scanned_len`]); says whether it stepped over any.
    pub(crate) fn skip_scanned_run(&mut self, named: &mut Vec<u32>) -> bool {
        let (body, start) = (self.body, self.at);
        let mut at = start;
        while let Some((len, function)) = body.get(at..).and_then(scanned_len) {
            at += len;
            if let Some(f) = function {
                named.push(f);
            }
        }
        self.at = at;
        at > start
    }

    /// Steps over `i32.const x; i32.add` when those come next, and says
    /// `x`: what a constant just pushed absorbs (the meter's folding of
    /// constant globals, `meter::Constant`).
    pub(crate) fn take_i32_const_add(&mut self) -> Option<i32> {
        const I32_CONST: u8 = 0x41;
        const I32_ADD: u8 = 0x6A;
        let rest = self.body.get(self.at..)?;
        if rest.first() != Some(&I32_CONST) {
            return None;
        }
        let mut reader = BinaryReader::new(rest.get(1..)?, 0);
        let x = reader.read_var_i32().ok()?;
        let len = 1 + reader.original_position();
        (rest.get(len) == Some(&I32_ADD)).then(|| {
            self.at += len + 1;
            x
        })
    }

    /// Reads the next instruction, and where it was (module offsets).
    pub(crate) fn read(&mut self) -> wasmparser::Result<(Operator<'a>, Range<usize>)> {
        let start = self.base + self.at;
        let rest = self.body.get(self.at..).unwrap_or_default();
        let (op, len) = match rest.first() {
            Some(0x05) => (Operator::Else, 1),
            Some(0x0B) => (Operator::End, 1),
            Some(0x19) => (Operator::CatchAll, 1),
            Some(0x07) => {
                let (tag_index, len) = leb_at(rest, start)?;
                (Operator::Catch { tag_index }, len)
            }
            Some(0x18) => {
                let (relative_depth, len) = leb_at(rest, start)?;
                (Operator::Delegate { relative_depth }, len)
            }
            _ => {
                let mut reader = OperatorsReader::new_with_allocs(
                    BinaryReader::new(rest, start),
                    self.allocs.take().unwrap_or_default(),
                );
                let op = reader.read()?;
                let len = reader.original_position() - start;
                self.allocs = Some(reader.into_allocations());
                (op, len)
            }
        };
        self.at += len;
        Ok((op, start..start + len))
    }
}

/// The local `op` names when it is not one of the body's `locals`: an
/// index a pass's added locals would make valid, so the pass refuses it.
pub(crate) fn local_beyond(op: &Operator<'_>, locals: u32) -> Option<u32> {
    match op {
        Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index } => (*local_index >= locals).then_some(*local_index),
        _ => None,
    }
}

/// The `u32` immediate after the opcode `rest` starts with (at module
/// offset `start`), and the instruction's length.
fn leb_at(rest: &[u8], start: usize) -> wasmparser::Result<(u32, usize)> {
    let mut reader = BinaryReader::new(rest.get(1..).unwrap_or_default(), start + 1);
    let value = reader.read_var_u32()?;
    Ok((value, reader.original_position() - start))
}

/// A run of instructions of one function body being copied as they are,
/// by their offsets in the module (a run is written out when an
/// instruction that must be re-encoded comes, and at the end).
pub(crate) struct Run<'a> {
    body: &'a [u8],
    /// The module offset of `body[0]`.
    base: usize,
    pending: Option<Range<usize>>,
}

impl<'a> Run<'a> {
    /// Runs over the body whose bytes are `body`, at module offset `base`.
    pub(crate) fn new(body: &'a [u8], base: usize) -> Self {
        Run {
            body,
            base,
            pending: None,
        }
    }

    /// The bytes of the instruction at module offsets `at`.
    pub(crate) fn bytes(&self, at: Range<usize>) -> &'a [u8] {
        self.body
            .get(at.start - self.base..at.end - self.base)
            .unwrap_or_default()
    }

    /// Add the instruction at `at` (which follows the run's last) to the
    /// run.
    pub(crate) fn extend(&mut self, at: Range<usize>) {
        match &mut self.pending {
            Some(run) if run.end == at.start => run.end = at.end,
            _ => self.pending = Some(at),
        }
    }

    /// Write the run so far into `f`.
    pub(crate) fn flush(&mut self, f: &mut Vec<u8>) {
        if let Some(run) = self.pending.take() {
            f.extend_from_slice(self.bytes(run));
        }
    }

    /// Write the run so far into function `f`.
    pub(crate) fn flush_into(&mut self, f: &mut Function) {
        if let Some(run) = self.pending.take() {
            f.raw(self.bytes(run).iter().copied());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Instructions, copyable_len};
    use wasm_encoder::{BlockType, Encode, Function, Instruction, MemArg, ValType};
    use wasmparser::{BinaryReader, FunctionBody, Operator};

    fn as_is(code: &[u8], memory_zero_kept: bool) -> bool {
        copyable_len(code, memory_zero_kept, u32::MAX) == Some(code.len())
    }

    fn enc(i: Instruction<'_>) -> Vec<u8> {
        let mut v = Vec::new();
        i.encode(&mut v);
        v
    }

    #[test]
    fn index_free_instructions_copy() {
        for i in [
            Instruction::LocalGet(300),
            Instruction::I32Const(-5),
            Instruction::I64Const(1 << 40),
            Instruction::F64Const(1.5.into()),
            Instruction::I32Add,
            Instruction::I64ExtendI32U,
            Instruction::I32Extend8S,
            Instruction::BrIf(2),
            Instruction::BrTable(vec![0, 1].into(), 2),
            Instruction::Block(BlockType::Empty),
            Instruction::Loop(BlockType::Result(ValType::I64)),
            Instruction::End,
            Instruction::I32TruncSatF64U,
        ] {
            assert!(as_is(&enc(i.clone()), true), "{i:?}");
        }
    }

    #[test]
    fn renumbered_instructions_are_reencoded() {
        let arg = |memory_index| MemArg {
            offset: 8,
            align: 2,
            memory_index,
        };
        for i in [
            Instruction::Call(3),
            Instruction::ReturnCall(3),
            Instruction::CallIndirect {
                type_index: 1,
                table_index: 0,
            },
            Instruction::GlobalGet(0),
            Instruction::RefFunc(1),
            Instruction::Block(BlockType::FunctionType(4)),
            Instruction::I32Load(arg(1)),
            Instruction::MemoryGrow(0),
            Instruction::MemoryCopy {
                src_mem: 0,
                dst_mem: 0,
            },
            Instruction::Unreachable,
            Instruction::TypedSelect(ValType::I32),
        ] {
            assert!(!as_is(&enc(i.clone()), true), "{i:?}");
        }
        // Padded numbers are re-encoded (to their shortest form).
        assert!(!as_is(&[0x20, 0x81, 0x80, 0x80, 0x80, 0x00], true));
        assert!(!as_is(&[0x41, 0x80, 0x80, 0x80, 0x80, 0x00], true));
        assert!(as_is(&[0x41, 0xC8, 0x01], true));
        // Memory 0 renumbered or rebased: its accesses too.
        assert!(as_is(&enc(Instruction::I32Load(arg(0))), true));
        assert!(!as_is(&enc(Instruction::I32Load(arg(0))), false));
    }

    /// Stepping and reading one at a time goes through a body exactly as
    /// wasmparser's own reader does: the same instructions at the same
    /// offsets, the legacy handlers and `else` included (which the reader
    /// checks against the blocks it has seen), with padded LEB128s.
    #[test]
    fn instructions_read_as_wasmparser_reads_them() {
        let arg = |memory_index| MemArg {
            offset: 16,
            align: 3,
            memory_index,
        };
        let mut f = Function::new([(2, ValType::I32)]);
        for i in [
            Instruction::Block(BlockType::Empty),
            Instruction::Loop(BlockType::Empty),
            Instruction::LocalGet(0),
            Instruction::BrIf(0),
            Instruction::End,
            Instruction::LocalGet(0),
            Instruction::If(BlockType::Result(ValType::I32)),
            Instruction::I32Const(7),
            Instruction::Else,
            Instruction::Call(1),
            Instruction::End,
            Instruction::Try(BlockType::Empty),
            Instruction::Call(1),
            Instruction::Drop,
            Instruction::Catch(0),
            Instruction::CatchAll,
            Instruction::End,
            Instruction::Try(BlockType::Empty),
            Instruction::Delegate(0),
            Instruction::I32Const(0),
            Instruction::I64Load(arg(0)),
            Instruction::I32Const(0),
            Instruction::I64Load(arg(1)),
            Instruction::I64Add,
            Instruction::Drop,
            Instruction::LocalGet(1),
            Instruction::BrTable(vec![0, 0, 0].into(), 0),
            Instruction::End,
        ] {
            f.instruction(&i);
        }
        // `local.get 1` with its index padded to five bytes, and
        // `i32.const 200` (two bytes, not padded), then `end`.
        f.raw([0x20, 0x81, 0x80, 0x80, 0x80, 0x00, 0x1A]);
        f.raw([0x41, 0xC8, 0x01, 0x1A, 0x0B]);
        let body = f.into_raw_body();
        let body = FunctionBody::new(BinaryReader::new(&body, 100));
        let mut expected = Vec::new();
        let mut reader = body.get_operators_reader().expect("the body");
        while !reader.eof() {
            let at = reader.original_position();
            let op = reader.read().expect("an instruction");
            expected.push((Some(op), at..reader.original_position()));
        }
        let boundary = |at: usize| expected.iter().any(|(_, i)| i.start == at || i.end == at);
        for (kept, stop_at_loop) in [(false, false), (true, false), (true, true)] {
            let mut code = Instructions::new(&body).expect("the body");
            let mut seen = Vec::new();
            let mut loops_run = false;
            while !code.eof() {
                match code.skip_copyable_run(kept, u32::MAX, stop_at_loop) {
                    // A run of whole instructions, each stepped over.
                    Some(run) => {
                        assert!(boundary(run.start) && boundary(run.end), "{run:?}");
                        for (op, at) in &expected {
                            if run.start <= at.start && at.end <= run.end {
                                let is_loop = matches!(op, Some(Operator::Loop { .. }));
                                assert!(!(stop_at_loop && is_loop));
                                loops_run |= is_loop;
                                seen.push((None, at.clone()));
                            }
                        }
                    }
                    None => {
                        let (op, at) = code.read().expect("an instruction");
                        seen.push((Some(op), at));
                    }
                }
            }
            // A loop is copied unless the run stops at it.
            assert_eq!(loops_run, !stop_at_loop);
            assert_eq!(seen.len(), expected.len());
            for ((op, at), (want, want_at)) in seen.iter().zip(&expected) {
                assert_eq!(at, want_at, "{want:?}");
                if let Some(op) = op {
                    assert_eq!(Some(op), want.as_ref());
                }
            }
            // The scan for functions named steps the same way, and finds
            // every call.
            let mut code = Instructions::new(&body).expect("the body");
            let mut calls = Vec::new();
            while !code.eof() {
                if !code.skip_scanned_run(&mut calls)
                    && let (Operator::Call { function_index }, _) =
                        code.read().expect("an instruction")
                {
                    calls.push(function_index);
                }
                assert!(boundary(code.at + code.base));
            }
            assert_eq!(calls, [1, 1]);
            // What is stepped over never names a function, global or
            // other memory.
            for ((op, _), (want, _)) in seen.iter().zip(&expected) {
                if op.is_none() {
                    assert!(
                        !matches!(
                            want,
                            Some(
                                Operator::Call { .. }
                                    | Operator::I64Load { .. }
                                    | Operator::Catch { .. }
                                    | Operator::Delegate { .. }
                            )
                        ) || (kept
                            && matches!(want, Some(Operator::I64Load { memarg }) if memarg.memory == 0))
                    );
                }
            }
        }
    }
}
