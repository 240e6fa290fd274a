//! Limits the adapter builds into the plugin's own code, so a misbehaving
//! plugin cannot hang or starve the gateway worker it runs in:
//!
//! - a **step budget** per callback: every loop iteration (and every tail
//!   call, which can loop without growing the stack) costs one step; the
//!   budget is refilled each time the host enters the module. Running out
//!   logs which callback it was and traps, so the gateway's failure policy
//!   applies instead of a worker spinning forever. Plain recursion needs no
//!   count: it overflows the stack and traps on its own.
//!
//!   Loop iterations are counted in a local of the function and charged to
//!   the budget (a global) [`CHUNK`] at a time. A global read and written on
//!   every iteration costs V8 two memory accesses in the plugin's tightest
//!   loops (it halved the throughput of a streaming body transform); a
//!   local stays in a register. What goes uncharged is under [`CHUNK`]
//!   iterations per call of a function, so the budget is a little lenient,
//!   never strict: a loop that never ends is in one call of one function
//!   (the stack is finite), and is charged every [`CHUNK`] iterations.
//!   A loop whose iteration count is bounded when it starts (a counted
//!   loop: see `counted`) is charged that count once, before it starts,
//!   and costs nothing per iteration; where it leaves early, what was
//!   charged for the iterations left is given back.
//! - a **memory cap**: `memory.grow` past the cap fails as wasm defines it
//!   (returns -1), so the plugin sees an allocation failure instead of
//!   taking the host's memory.
//!
//! - **panics**: each `unreachable` becomes a `throw` of the panic tag,
//!   which the glue catches around every callback (`glue::recover`).
//!
//! The same pass folds the plugin's reads of its constant globals into the
//! constants (see [`Constant`]).
//!
//! Only the plugin's functions are instrumented; the glue's own loops are
//! bounded by what the host hands over.

use std::collections::BTreeMap;

use wasm_encoder::reencode::Reencode;
use wasm_encoder::{Encode, Function, Instruction};
use wasmparser::{FunctionBody, Operator};

use crate::AdaptError;
use crate::copy;
use counted::Trips;

mod counted;

/// The indices the instrumented code calls and updates.
pub(crate) struct Meter {
    /// The steps-left global and the helper that logs and traps when the
    /// budget is spent (`None`: no step budget).
    pub steps: Option<(u32, u32)>,
    /// The helper that grows memory within the cap (`None`: no cap).
    pub grow: Option<u32>,
    /// The tag a panic throws instead of trapping, for the glue's handlers
    /// (`None`: panics trap; see `glue::recover`).
    pub panic_tag: Option<u32>,
    /// Whether the plugin has exception handling of its own (tags), so a
    /// call may unwind into a handler in the plugin and resume there.
    pub calls_unwind: bool,
    /// Per global of the plugin: the constant it holds, if it is one.
    pub constants: Vec<Option<Constant>>,
}

/// What an immutable global with a constant initializer holds, which a
/// `global.get` of it becomes.
///
/// Position-independent code (Rust's `wasm32-wasip2` std, CPython's
/// modules) reaches its statics through `__memory_base` and its function
/// pointers through `__table_base`: `global.get`, `i32.const`, `i32.add`
/// for every address, which V8 runs as written, reading the global from
/// the instance each time. Once the module is linked those globals are
/// constants (0 and 1 in a module of its own); folded with the offsets
/// that follow, each address is one constant again, as in code built
/// without PIC. In serde_json's string escaping loop that was a fifth of
/// the plugin's instructions per byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Constant {
    /// An `i32`, to which following `i32.const x; i32.add` pairs fold.
    I32(i32),
    /// An `i64`.
    I64(i64),
}

impl Constant {
    /// The constant `global` holds, when it is immutable and initialized
    /// with one `i32.const` or `i64.const`.
    pub(crate) fn of(global: &wasmparser::Global<'_>) -> Option<Constant> {
        if global.ty.mutable {
            return None;
        }
        let mut ops = global.init_expr.get_operators_reader();
        let constant = match ops.read().ok()? {
            Operator::I32Const { value } => Constant::I32(value),
            Operator::I64Const { value } => Constant::I64(value),
            _ => return None,
        };
        matches!(ops.read().ok()?, Operator::End).then_some(constant)
    }
}

/// What `op` becomes when it is a `global.get` of a constant global (by
/// [`Meter::constants`]): the constant, with each `i32.const x; i32.add`
/// that `next_add` finds after it (and steps over) folded in.
fn fold(
    meter: &Meter,
    op: &Operator<'_>,
    mut next_add: impl FnMut() -> Option<i32>,
) -> Option<Constant> {
    let Operator::GlobalGet { global_index } = op else {
        return None;
    };
    let mut constant = (*meter.constants.get(*global_index as usize)?)?;
    if let Constant::I32(ref mut v) = constant {
        while let Some(x) = next_add() {
            *v = v.wrapping_add(x);
        }
    }
    Some(constant)
}

/// Loop iterations charged to the budget at a time.
pub(crate) const CHUNK: i32 = 1024;

/// Re-encodes one function of the plugin with the limits built in.
/// `params` is its parameter count (where its own locals start).
pub(crate) fn function<R: Reencode<Error = std::convert::Infallible>>(
    re: &mut R,
    body: &FunctionBody<'_>,
    params: u32,
    meter: &Meter,
) -> Result<Function, AdaptError> {
    let mut locals = Vec::new();
    let mut counter = params;
    for local in body.get_locals_reader().map_err(malformed)? {
        let (count, ty) = local.map_err(malformed)?;
        locals.push((count, re.val_type(ty).map_err(malformed)?));
        counter = counter.saturating_add(count);
    }
    let mut w = Writer {
        re,
        meter,
        run: copy::Run::new(body.as_bytes(), body.range().start),
        out: Vec::with_capacity(body.as_bytes().len() + 16),
        code: Vec::new(),
        loops: false,
        uncounted: false,
        refunds: BTreeMap::new(),
        counter,
        condition: counter.saturating_add(1),
        bounded: 0,
    };
    let mut code = copy::Instructions::new(body).map_err(malformed)?;
    // Streamed, except that a loop the step budget looks at is read to its
    // end before any of it is written: whether it is counted depends on
    // all of it, and its exits get refunds.
    const LOOP: u8 = 0x03;
    let mut ops = Vec::new();
    let mut starts = Vec::new();
    while !code.eof() {
        if code.opcode() == Some(LOOP) && meter.steps.is_some() {
            ops.clear();
            starts.clear();
            // Every exit of a loop is inside it: its refunds are given.
            debug_assert!(w.refunds.is_empty());
            w.refunds.clear();
            let mut depth = 0u32;
            loop {
                let (op, at) = code.read().map_err(malformed)?;
                if counted::opens(&op) {
                    depth += 1;
                } else if counted::closes(&op) {
                    depth -= 1;
                }
                ops.push(op);
                starts.push(at.start);
                if depth == 0 {
                    starts.push(at.end);
                    break;
                }
            }
            let mut at = 0;
            while let Some(op) = ops.get(at) {
                at += 1;
                // What is folded is never a loop's exit, which the
                // refunds name by index.
                let next_add = || match ops.get(at..at + 2) {
                    Some([Operator::I32Const { value }, Operator::I32Add]) => {
                        at += 2;
                        Some(*value)
                    }
                    _ => None,
                };
                match fold(meter, op, next_add) {
                    Some(constant) => w.constant(constant),
                    None => w.op(&ops, at - 1, op, starts[at - 1]..starts[at])?,
                }
            }
            continue;
        }
        if let Some(at) = code.skip_copyable_run(true, counter, meter.steps.is_some()) {
            w.run.extend(at);
            continue;
        }
        let (op, at) = code.read().map_err(malformed)?;
        match fold(meter, &op, || code.take_i32_const_add()) {
            Some(constant) => w.constant(constant),
            None => w.op(&[], 0, &op, at)?,
        }
    }
    w.run.flush(&mut w.out);
    if w.loops {
        // The counter, the condition (scratch), then one per bounded loop.
        locals.push((2 + w.bounded, wasm_encoder::ValType::I32));
    }
    let mut f = Function::new(locals);
    if w.uncounted {
        // The counter counts down to the next charge; the body's own code
        // follows.
        f.instruction(&Instruction::I32Const(CHUNK))
            .instruction(&Instruction::LocalSet(counter));
    }
    f.raw(w.out);
    Ok(f)
}

fn malformed(e: impl std::fmt::Display) -> AdaptError {
    AdaptError::Malformed(e.to_string())
}

/// One function's instrumented body as it is written.
struct Writer<'a, 'r, R> {
    re: &'r mut R,
    meter: &'r Meter,
    /// The instructions being copied as they are.
    run: copy::Run<'a>,
    /// The body so far (the counter's start, when it needs one, goes
    /// before it).
    out: Vec<u8>,
    /// What one instruction becomes, before it is encoded into `out`.
    code: Vec<Instruction<'a>>,
    /// Whether the function has a loop the budget charges.
    loops: bool,
    /// Whether one of those is counted per iteration.
    uncounted: bool,
    /// The early exits of counted loops, each with what to give back there
    /// (one per loop it leaves). A loop that can leave early keeps what it
    /// could not be charged at entry in a local of its own (`bounded`);
    /// the local after the counter holds a `br_if`'s condition while the
    /// refund runs, and is the scratch of a precharge (not the counter,
    /// which a loop around it may be counting in).
    refunds: BTreeMap<usize, Vec<(Trips, u32, bool)>>,
    counter: u32,
    condition: u32,
    bounded: u32,
}

impl<'a, R: Reencode<Error = std::convert::Infallible>> Writer<'a, '_, R> {
    /// Writes a folded constant global (see [`Constant`]).
    fn constant(&mut self, constant: Constant) {
        self.run.flush(&mut self.out);
        match constant {
            Constant::I32(v) => Instruction::I32Const(v),
            Constant::I64(v) => Instruction::I64Const(v),
        }
        .encode(&mut self.out);
    }

    /// Writes instruction `op`, the `at`-th of `ops` (when it is a loop
    /// the budget looks at, or follows one), found at module offsets
    /// `bytes`.
    fn op(
        &mut self,
        ops: &[Operator<'a>],
        at: usize,
        op: &Operator<'a>,
        bytes: std::ops::Range<usize>,
    ) -> Result<(), AdaptError> {
        let steps = self.meter.steps;
        let refunded = steps.is_some() && self.refunds.contains_key(&at);
        if !refunded
            && !matches!(op, Operator::Loop { .. })
            && copy::copyable_len(self.run.bytes(bytes.clone()), true, self.counter)
                == Some(bytes.len())
        {
            self.run.extend(bytes);
            return Ok(());
        }
        // The locals added after the body's own must not be reachable
        // from its code (which is validated only in the output).
        if let Some(local) = copy::local_beyond(op, self.counter) {
            return Err(malformed(format!(
                "local {local} is past the function's {} locals",
                self.counter
            )));
        }
        self.run.flush(&mut self.out);
        let code = &mut self.code;
        if let (Some(back), Some(steps)) = (self.refunds.remove(&at), steps) {
            let give_back = |code: &mut Vec<Instruction<'_>>| {
                for (trips, uncharged, stepped) in &back {
                    refund(code, steps, *trips, *uncharged, *stepped);
                }
            };
            if let Operator::BrIf { .. } = op {
                code.extend([
                    Instruction::LocalTee(self.condition),
                    Instruction::If(wasm_encoder::BlockType::Empty),
                ]);
                give_back(code);
                code.extend([Instruction::End, Instruction::LocalGet(self.condition)]);
            } else {
                give_back(code);
            }
        }
        let same = |re: &mut R| re.instruction(op.clone()).map_err(malformed);
        match op {
            Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. } => {
                if let Some(steps) = steps {
                    charge(code, steps, 1);
                }
                code.push(same(self.re)?);
            }
            Operator::Loop { .. } if let Some(steps) = steps => {
                self.loops = true;
                match counted::trips(ops, at, self.meter.calls_unwind) {
                    Some(counted) if counted.exits.is_empty() => {
                        precharge(code, steps, counted.trips, self.condition);
                        code.push(same(self.re)?);
                    }
                    Some(counted) => {
                        let uncharged = self.counter.saturating_add(2 + self.bounded);
                        self.bounded += 1;
                        precharge_bounded(code, steps, counted.trips, self.condition, uncharged);
                        for exit in counted.exits {
                            self.refunds.entry(exit.at).or_default().push((
                                counted.trips,
                                uncharged,
                                exit.stepped,
                            ));
                        }
                        code.push(same(self.re)?);
                    }
                    None => {
                        self.uncounted = true;
                        code.push(same(self.re)?);
                        iteration(code, steps, self.counter);
                    }
                }
            }
            Operator::Unreachable if let Some(tag) = self.meter.panic_tag => {
                code.push(Instruction::Throw(tag));
            }
            Operator::MemoryGrow { mem: 0 } if let Some(grow) = self.meter.grow => {
                code.push(Instruction::Call(grow));
            }
            _ => code.push(same(self.re)?),
        }
        for instruction in code.drain(..) {
            instruction.encode(&mut self.out);
        }
        Ok(())
    }
}

/// Before a counted loop: `trips = …; if (trips - 1 >= steps) exhausted();
/// steps -= trips` (unsigned: 0 trips means 2^32), in `scratch`.
fn precharge(
    code: &mut Vec<Instruction<'_>>,
    (steps, exhausted): (u32, u32),
    trips: Trips,
    scratch: u32,
) {
    count(code, trips);
    code.extend([
        Instruction::LocalTee(scratch),
        Instruction::I32Const(1),
        Instruction::I32Sub,
        Instruction::GlobalGet(steps),
        Instruction::I32GeU,
        Instruction::If(wasm_encoder::BlockType::Empty),
        Instruction::Call(exhausted),
        Instruction::End,
        Instruction::GlobalGet(steps),
        Instruction::LocalGet(scratch),
        Instruction::I32Sub,
        Instruction::GlobalSet(steps),
    ]);
}

/// Before a counted loop that may leave early: as [`precharge`], but
/// what the budget cannot cover is not a trap (the loop may well stop
/// early): the budget is charged what it has, the rest is kept in
/// `uncharged` for the refunds, and the budget is then empty, so the next
/// charge traps. Such a loop runs unmetered past the budget for at most its
/// own count. `scratch = trips - 1; if (steps <= 0) exhausted();
/// if (scratch <u steps) { steps -= scratch + 1; uncharged = 0 }
/// else { uncharged = scratch + 1 - steps; steps = 0 }`.
fn precharge_bounded(
    code: &mut Vec<Instruction<'_>>,
    (steps, exhausted): (u32, u32),
    trips: Trips,
    scratch: u32,
    uncharged: u32,
) {
    count(code, trips);
    code.extend([
        Instruction::I32Const(1),
        Instruction::I32Sub,
        Instruction::LocalSet(scratch),
    ]);
    stop_if_spent(code, (steps, exhausted));
    code.extend([
        Instruction::LocalGet(scratch),
        Instruction::GlobalGet(steps),
        Instruction::I32LtU,
        Instruction::If(wasm_encoder::BlockType::Empty),
        Instruction::GlobalGet(steps),
        Instruction::LocalGet(scratch),
        Instruction::I32Sub,
        Instruction::I32Const(1),
        Instruction::I32Sub,
        Instruction::GlobalSet(steps),
        Instruction::I32Const(0),
        Instruction::LocalSet(uncharged),
        Instruction::Else,
        Instruction::LocalGet(scratch),
        Instruction::I32Const(1),
        Instruction::I32Add,
        Instruction::GlobalGet(steps),
        Instruction::I32Sub,
        Instruction::LocalSet(uncharged),
        Instruction::I32Const(0),
        Instruction::GlobalSet(steps),
        Instruction::End,
    ]);
}

/// The loop's count, as read at its entry, on the stack.
fn count(code: &mut Vec<Instruction<'_>>, trips: Trips) {
    match trips {
        Trips::UpTo { end, index } => code.extend([
            Instruction::LocalGet(end),
            Instruction::LocalGet(index),
            Instruction::I32Sub,
        ]),
        Trips::UpToInclusive { end, index } => code.extend([
            Instruction::LocalGet(end),
            Instruction::LocalGet(index),
            Instruction::I32Sub,
            Instruction::I32Const(1),
            Instruction::I32Add,
        ]),
        Trips::DownFrom { count } => code.push(Instruction::LocalGet(count)),
    }
}

/// At an early exit of a bounded loop: give back what was charged for
/// the iterations that will not run, less what was never charged. The
/// count read at the exit (`end - i`, `end - i + 1` or `n`) is what is
/// left with the exiting iteration when the index has not moved in it yet
/// (that iteration stays charged: `left - 1`), and what is left without
/// it once the index moved (`stepped`: `left`):
/// `steps += left' >u uncharged ? left' - uncharged : 0`. So each run of
/// the loop costs at least one step, and a loop around it that the meter
/// cannot count is still charged.
fn refund(
    code: &mut Vec<Instruction<'_>>,
    (steps, _): (u32, u32),
    trips: Trips,
    uncharged: u32,
    stepped: bool,
) {
    let unrun = |code: &mut Vec<Instruction<'_>>| {
        count(code, trips);
        if !stepped {
            code.extend([Instruction::I32Const(1), Instruction::I32Sub]);
        }
    };
    code.push(Instruction::GlobalGet(steps));
    unrun(code);
    code.extend([
        Instruction::LocalGet(uncharged),
        Instruction::I32Sub,
        Instruction::I32Const(0),
    ]);
    unrun(code);
    code.extend([
        Instruction::LocalGet(uncharged),
        Instruction::I32GtU,
        Instruction::Select,
        Instruction::I32Add,
        Instruction::GlobalSet(steps),
    ]);
}

/// One loop iteration: `if (--counter == 0) { counter = CHUNK;
/// charge(CHUNK) }` (the counter starts at CHUNK when the function is
/// entered: counting down, an iteration costs a decrement and a test).
fn iteration(code: &mut Vec<Instruction<'_>>, steps: (u32, u32), counter: u32) {
    code.extend([
        Instruction::LocalGet(counter),
        Instruction::I32Const(1),
        Instruction::I32Sub,
        Instruction::LocalTee(counter),
        Instruction::I32Eqz,
        Instruction::If(wasm_encoder::BlockType::Empty),
        Instruction::I32Const(CHUNK),
        Instruction::LocalSet(counter),
    ]);
    charge(code, steps, CHUNK);
    code.push(Instruction::End);
}

/// `steps -= n; if (steps <= 0) exhausted()`.
fn charge(code: &mut Vec<Instruction<'_>>, (steps, exhausted): (u32, u32), n: i32) {
    code.extend([
        Instruction::GlobalGet(steps),
        Instruction::I32Const(n),
        Instruction::I32Sub,
        Instruction::GlobalSet(steps),
    ]);
    stop_if_spent(code, (steps, exhausted));
}

/// `if (steps <= 0) exhausted()`.
fn stop_if_spent(code: &mut Vec<Instruction<'_>>, (steps, exhausted): (u32, u32)) {
    code.extend([
        Instruction::GlobalGet(steps),
        Instruction::I32Const(0),
        Instruction::I32LeS,
        Instruction::If(wasm_encoder::BlockType::Empty),
        Instruction::Call(exhausted),
        Instruction::End,
    ]);
}
