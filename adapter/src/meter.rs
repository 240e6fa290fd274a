//! Limits the adapter builds into the plugin's own code, so a misbehaving
//! plugin cannot hang or starve the gateway worker it runs in:
//!
//! - a **step budget** per callback: every loop iteration (and every tail
//!   call, which can loop without growing the stack) costs one step; the
//!   budget is refilled each time the host enters the module. Running out
//!   logs which callback it was and traps, so the gateway's failure policy
//!   applies instead of a worker spinning forever. Plain recursion needs no
//!   count: it overflows the stack and traps on its own.
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
}

/// Re-encodes one function of the plugin with the limits built in.
pub(crate) fn function<R: Reencode<Error = std::convert::Infallible>>(
    re: &mut R,
    body: &FunctionBody<'_>,
    meter: &Meter,
) -> Result<Function, AdaptError> {
    let malformed = |e: &dyn std::fmt::Display| AdaptError::Malformed(e.to_string());
    let mut locals = Vec::new();
    for local in body.get_locals_reader().map_err(|e| malformed(&e))? {
        let (count, ty) = local.map_err(|e| malformed(&e))?;
        locals.push((count, re.val_type(ty).map_err(|e| malformed(&e))?));
    }
    let mut f = Function::new(locals);
    let mut ops = body.get_operators_reader().map_err(|e| malformed(&e))?;
    while !ops.eof() {
        let op = ops.read().map_err(|e| malformed(&e))?;
        match op {
            Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. } => {
                step(&mut f, meter);
                f.instruction(&re.instruction(op).map_err(|e| malformed(&e))?);
            }
            Operator::Loop { .. } => {
                f.instruction(&re.instruction(op).map_err(|e| malformed(&e))?);
                step(&mut f, meter);
            }
            Operator::Unreachable if let Some(tag) = meter.panic_tag => {
                f.instruction(&Instruction::Throw(tag));
            }
            Operator::MemoryGrow { mem: 0 } => match meter.grow {
                Some(grow) => {
                    f.instruction(&Instruction::Call(grow));
                }
                None => {
                    f.instruction(&re.instruction(op).map_err(|e| malformed(&e))?);
                }
            },
            op => {
                f.instruction(&re.instruction(op).map_err(|e| malformed(&e))?);
            }
        }
    }
    Ok(f)
}

/// One step: `if (--steps == 0) exhausted()`.
fn step(f: &mut Function, meter: &Meter) {
    let Some((steps, exhausted)) = meter.steps else {
        return;
    };
    f.instruction(&Instruction::GlobalGet(steps))
        .instruction(&Instruction::I32Const(-1))
        .instruction(&Instruction::I32Add)
        .instruction(&Instruction::GlobalSet(steps))
        .instruction(&Instruction::GlobalGet(steps))
        .instruction(&Instruction::I32Eqz)
        .instruction(&Instruction::If(wasm_encoder::BlockType::Empty))
        .instruction(&Instruction::Call(exhausted))
        .instruction(&Instruction::End);
}
