//! Loops whose iteration count is bounded when they are entered, so the
//! step budget can be charged once, before the loop, instead of on every
//! iteration.
//!
//! The shapes are the two latches LLVM emits for a counted loop with a
//! 32-bit index that moves by one:
//!
//! - `local.get $end; local.get $i; i32.const 1; i32.add; local.tee $i;
//!   i32.ne; br_if 0` (or with the `$end` read after the `tee`): runs
//!   `$end - $i` times (mod 2^32, 0 meaning 2^32), `$i` read at entry;
//! - `local.get $n; i32.const -1; i32.add; local.tee $n; br_if 0`: runs
//!   `$n` times (the same way).
//!
//! The body before the latch must not write either local, branch back to
//! the loop, return, or throw; and it may call only when the plugin has no
//! exception handling of its own (`calls_unwind` false: a call can then
//! leave the loop only by trapping, or by the glue's panic tag, which ends
//! the callback). It may leave the loop early with `br`/`br_if` to an
//! enclosing block: such a loop runs at most that many times, and each
//! early exit is listed, so the meter can give back what was charged for
//! the iterations that did not run (`$end - $i - 1`, or `$n - 1`, read at
//! the exit).
//! A per-byte transform (`make_ascii_uppercase`, a copy, a checksum) runs
//! exactly its count; a scan that stops at a match (serde_json's escape
//! and string scans) stops early and is refunded.

use wasmparser::{BlockType, Operator};

/// How many times a loop will run, in terms of locals read at its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trips {
    /// `end - index` times.
    UpTo { end: u32, index: u32 },
    /// `count` times.
    DownFrom { count: u32 },
}

/// A counted loop: its trip count and its early exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counted {
    /// How many times it runs at most.
    pub trips: Trips,
    /// The indices (into the function's operators) of the `br`/`br_if`
    /// that leave it before its count is spent.
    pub exits: Vec<usize>,
}

/// The trip count of the loop that starts at `ops[at]`, if it is counted.
pub(crate) fn trips(ops: &[Operator<'_>], at: usize, calls_unwind: bool) -> Option<Counted> {
    let Operator::Loop {
        blockty: BlockType::Empty,
    } = ops.get(at)?
    else {
        return None;
    };
    let end = matching_end(ops, at)?;
    let (trips, latch) = latch(ops.get(at + 1..end)?)?;
    let written = |x: u32| match trips {
        Trips::UpTo { end, index } => x == end || x == index,
        Trips::DownFrom { count } => x == count,
    };
    let mut depth = 0u32;
    let mut exits = Vec::new();
    for (k, op) in ops[at + 1..at + 1 + latch].iter().enumerate() {
        match op {
            op if opens(op) => depth += 1,
            op if closes(op) => depth = depth.checked_sub(1)?,
            // Branches that stay inside the body.
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth }
                if *relative_depth < depth => {}
            // Branches past the loop's own label: early exits.
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth }
                if *relative_depth > depth =>
            {
                exits.push(at + 1 + k);
            }
            Operator::BrTable { targets }
                if targets.default() < depth
                    && targets.targets().all(|t| t.is_ok_and(|t| t < depth)) => {}
            Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. }
            | Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. }
            | Operator::Return
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
            | Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::Rethrow { .. } => return None,
            Operator::Call { .. } | Operator::CallIndirect { .. } | Operator::CallRef { .. }
                if calls_unwind =>
            {
                return None;
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index }
                if written(*local_index) =>
            {
                return None;
            }
            _ => {}
        }
    }
    (depth == 0).then_some(Counted { trips, exits })
}

/// The index of the `end` that closes the block opened at `ops[at]`.
fn matching_end(ops: &[Operator<'_>], at: usize) -> Option<usize> {
    let mut depth = 0u32;
    for (k, op) in ops.iter().enumerate().skip(at) {
        if opens(op) {
            depth += 1;
        } else if closes(op) {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}

/// Whether `op` opens a block that an `end` (or `delegate`) closes.
fn opens(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. }
    )
}

fn closes(op: &Operator<'_>) -> bool {
    matches!(op, Operator::End | Operator::Delegate { .. })
}

/// The loop's latch at the end of `body` (the loop's operators between
/// `loop` and its `end`): the trip count and where the latch starts.
fn latch(body: &[Operator<'_>]) -> Option<(Trips, usize)> {
    use Operator::{BrIf, I32Add, I32Const, I32Ne, LocalGet, LocalTee};
    match body {
        [
            ..,
            LocalGet { local_index: end },
            LocalGet { local_index: i },
            I32Const { value: 1 },
            I32Add,
            LocalTee { local_index: t },
            I32Ne,
            BrIf { relative_depth: 0 },
        ]
        | [
            ..,
            LocalGet { local_index: i },
            I32Const { value: 1 },
            I32Add,
            LocalTee { local_index: t },
            LocalGet { local_index: end },
            I32Ne,
            BrIf { relative_depth: 0 },
        ] if i == t && end != i => Some((
            Trips::UpTo {
                end: *end,
                index: *i,
            },
            body.len() - 7,
        )),
        [
            ..,
            LocalGet { local_index: n },
            I32Const { value: -1 },
            I32Add,
            LocalTee { local_index: t },
            BrIf { relative_depth: 0 },
        ] if n == t => Some((Trips::DownFrom { count: *n }, body.len() - 5)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(wat: &str) -> Vec<Operator<'static>> {
        let module = wat::parse_str(format!("(module (func (param i32 i32) (local i32) {wat}))"))
            .expect("valid wat");
        let module: &'static [u8] = Box::leak(module.into_boxed_slice());
        for payload in wasmparser::Parser::new(0).parse_all(module) {
            if let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload {
                return body
                    .get_operators_reader()
                    .expect("operators")
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .expect("operators");
            }
        }
        panic!("no code")
    }

    const UPPERCASE: &str = "loop
        local.get 0 local.get 0 i32.load8_u i32.const 32 i32.xor i32.store8
        local.get 1 local.get 2 i32.const 1 i32.add local.tee 2 i32.ne br_if 0
      end";

    #[test]
    fn counted_latches_are_recognised() {
        let counted = |trips| {
            Some(Counted {
                trips,
                exits: Vec::new(),
            })
        };
        assert_eq!(
            trips(&ops(UPPERCASE), 0, true),
            counted(Trips::UpTo { end: 1, index: 2 })
        );
        let down = "loop local.get 0 i32.const 7 i32.store8
            local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end";
        assert_eq!(
            trips(&ops(down), 0, true),
            counted(Trips::DownFrom { count: 1 })
        );
        // A nested block whose branches stay inside is fine.
        let inner = "loop block local.get 0 br_if 0 end
            local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end";
        assert_eq!(
            trips(&ops(inner), 0, true),
            counted(Trips::DownFrom { count: 1 })
        );
        // A call is fine when nothing in the plugin can catch what it throws.
        let calls = "loop call 0
            local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end";
        assert_eq!(trips(&ops(calls), 0, true), None);
        assert_eq!(
            trips(&ops(calls), 0, false),
            counted(Trips::DownFrom { count: 1 })
        );
    }

    #[test]
    fn early_exits_are_listed() {
        // A scan that stops at a zero byte: `br_if 1` leaves the loop.
        let scan = ops("block loop
              local.get 0 i32.load8_u i32.eqz br_if 1
              local.get 1 local.get 2 i32.const 1 i32.add local.tee 2 i32.ne br_if 0
            end end");
        let exit = scan
            .iter()
            .position(|op| matches!(op, Operator::BrIf { relative_depth: 1 }))
            .expect("the exit");
        assert_eq!(
            trips(&scan, 1, true),
            Some(Counted {
                trips: Trips::UpTo { end: 1, index: 2 },
                exits: vec![exit],
            })
        );
        // Out of a block inside the body: two labels out.
        let nested = ops("block loop block local.get 0 br_if 2 end
              local.get 1 i32.const -1 i32.add local.tee 1 br_if 0
            end end");
        let exit = nested
            .iter()
            .position(|op| matches!(op, Operator::BrIf { relative_depth: 2 }))
            .expect("the exit");
        assert_eq!(trips(&nested, 1, true).map(|c| c.exits), Some(vec![exit]));
    }

    #[test]
    fn loops_that_continue_return_or_move_their_bounds_are_not() {
        for wat in [
            // continues from the middle
            "loop local.get 0 br_if 0
               local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end",
            // returns
            "loop local.get 0 if return end
               local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end",
            // writes its bound
            "loop i32.const 9 local.set 1
               local.get 1 local.get 2 i32.const 1 i32.add local.tee 2 i32.ne br_if 0 end",
            // steps by two
            "loop local.get 1 i32.const -2 i32.add local.tee 1 br_if 0 end",
            // not a latch at all
            "loop local.get 0 br_if 0 end",
        ] {
            let ops = ops(wat);
            let at = ops
                .iter()
                .position(|op| matches!(op, Operator::Loop { .. }))
                .expect("a loop");
            assert_eq!(trips(&ops, at, true), None, "{wat}");
        }
    }
}
