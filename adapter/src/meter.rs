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
//!   A loop whose iteration count is known when it starts (a counted loop
//!   that cannot leave early: see `counted`) is charged that count once,
//!   before it starts, and costs nothing per iteration.
//! - a **memory cap**: `memory.grow` past the cap fails as wasm defines it
//!   (returns -1), so the plugin sees an allocation failure instead of
//!   taking the host's memory.
//!
//! - **panics**: each `unreachable` becomes a `throw` of the panic tag,
//!   which the glue catches around every callback (`glue::recover`).
//!
//! Only the plugin's functions are instrumented; the glue's own loops are
//! bounded by what the host hands over.

use wasm_encoder::reencode::Reencode;
use wasm_encoder::{Function, Instruction};
use wasmparser::{FunctionBody, Operator};

use crate::AdaptError;
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
}

/// Loop iterations charged to the budget at a time (a power of two).
pub(crate) const CHUNK: i32 = 1024;

/// Re-encodes one function of the plugin with the limits built in.
/// `params` is its parameter count (where its own locals start).
pub(crate) fn function<R: Reencode<Error = std::convert::Infallible>>(
    re: &mut R,
    body: &FunctionBody<'_>,
    params: u32,
    meter: &Meter,
) -> Result<Function, AdaptError> {
    let malformed = |e: &dyn std::fmt::Display| AdaptError::Malformed(e.to_string());
    let mut locals = Vec::new();
    let mut counter = params;
    for local in body.get_locals_reader().map_err(|e| malformed(&e))? {
        let (count, ty) = local.map_err(|e| malformed(&e))?;
        locals.push((count, re.val_type(ty).map_err(|e| malformed(&e))?));
        counter = counter.saturating_add(count);
    }
    // Read whole first: a loop is looked at to its end before it is
    // encoded, and the iteration counter is declared only in functions
    // that loop.
    let ops = body
        .get_operators_reader()
        .map_err(|e| malformed(&e))?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| malformed(&e))?;
    let mut code = Vec::new();
    let mut loops = false;
    for (at, op) in ops.iter().enumerate() {
        match op {
            Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. } => {
                if let Some(steps) = meter.steps {
                    charge(&mut code, steps, 1);
                }
                code.push(re.instruction(op.clone()).map_err(|e| malformed(&e))?);
            }
            Operator::Loop { .. } => match meter.steps {
                Some(steps) => {
                    loops = true;
                    match counted::trips(&ops, at, meter.calls_unwind) {
                        Some(trips) => {
                            precharge(&mut code, steps, trips, counter);
                            code.push(re.instruction(op.clone()).map_err(|e| malformed(&e))?);
                        }
                        None => {
                            code.push(re.instruction(op.clone()).map_err(|e| malformed(&e))?);
                            iteration(&mut code, steps, counter);
                        }
                    }
                }
                None => code.push(re.instruction(op.clone()).map_err(|e| malformed(&e))?),
            },
            Operator::Unreachable if let Some(tag) = meter.panic_tag => {
                code.push(Instruction::Throw(tag));
            }
            Operator::MemoryGrow { mem: 0 } => match meter.grow {
                Some(grow) => code.push(Instruction::Call(grow)),
                None => code.push(re.instruction(op.clone()).map_err(|e| malformed(&e))?),
            },
            op => code.push(re.instruction(op.clone()).map_err(|e| malformed(&e))?),
        }
    }
    if loops {
        locals.push((1, wasm_encoder::ValType::I32));
    }
    let mut f = Function::new(locals);
    for instruction in &code {
        f.instruction(instruction);
    }
    Ok(f)
}

/// Before a counted loop: `trips = …; if (trips - 1 >= steps) exhausted();
/// steps -= trips` (unsigned: 0 trips means 2^32), in `scratch`.
fn precharge(
    code: &mut Vec<Instruction<'_>>,
    (steps, exhausted): (u32, u32),
    trips: Trips,
    scratch: u32,
) {
    match trips {
        Trips::UpTo { end, index } => code.extend([
            Instruction::LocalGet(end),
            Instruction::LocalGet(index),
            Instruction::I32Sub,
        ]),
        Trips::DownFrom { count } => code.push(Instruction::LocalGet(count)),
    }
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

/// One loop iteration: `if (++counter % CHUNK == 0) charge(CHUNK)`.
fn iteration(code: &mut Vec<Instruction<'_>>, steps: (u32, u32), counter: u32) {
    code.extend([
        Instruction::LocalGet(counter),
        Instruction::I32Const(1),
        Instruction::I32Add,
        Instruction::LocalTee(counter),
        Instruction::I32Const(CHUNK - 1),
        Instruction::I32And,
        Instruction::I32Eqz,
        Instruction::If(wasm_encoder::BlockType::Empty),
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
        Instruction::GlobalGet(steps),
        Instruction::I32Const(0),
        Instruction::I32LeS,
        Instruction::If(wasm_encoder::BlockType::Empty),
        Instruction::Call(exhausted),
        Instruction::End,
    ]);
}
