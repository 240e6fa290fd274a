//! Loops whose iteration count is bounded when they are entered, so the
//! step budget can be charged once, before the loop, instead of on every
//! iteration.
//!
//! A loop is bounded when a local `$i` moves by one each iteration (one
//! `i32.add` of 1 or -1, unconditional in the loop's body) and the loop
//! tests it against a bound it never writes. The shapes LLVM emits:
//!
//! - a **latch** at the body's end, `…; local.get $end; local.get $i;
//!   i32.ne; br_if 0` (or with `$i`'s increment feeding the compare, or
//!   `$end` after it): runs at most `$end - $i` times, `$i` read at entry
//!   (mod 2^32, 0 meaning 2^32); `local.get $n; i32.const -1; i32.add;
//!   local.tee $n; br_if 0` runs at most `$n` times. A `br` out of the loop
//!   may follow the latch (it runs once the count is spent);
//! - a **test at the top**, `block; local.get $end; local.get $i;
//!   (local.tee $c;) i32.ne; br_if 0; … return; end` (or `…; i32.eq;
//!   br_if <out>`), then `$i` (or its copy `$c`) plus one stored into `$i`
//!   once further down: runs at most `$end - $i + 1` times, the last one
//!   leaving at the test. The loop may continue only after the increment.
//!
//! The body must not write the bound or the count but for that increment,
//! branch back to the loop where that could skip it, return from a tail
//! call, throw, or hold exception handlers; and it may call only when the
//! plugin has no exception handling of its own (`calls_unwind` false: a
//! call can then leave the loop only by trapping, or by the glue's panic
//! tag, which ends the callback). Every other way out (`br`/`br_if` to an
//! enclosing block, `return`, and falling out of a loop tested at the top)
//! is an early exit, listed so the meter can give back what was charged
//! for the iterations that did not run. A per-byte transform
//! (`make_ascii_uppercase`, a copy, a checksum) runs exactly its count; a
//! scan that stops at a match (serde_json's escape scan of serialisation)
//! stops early and is refunded.

use wasmparser::{BlockType, Operator};

/// How many times a loop will run at most, in terms of locals read at its
/// entry (and, at an exit, how many are left: the same expression, read
/// there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trips {
    /// `end - index` times.
    UpTo { end: u32, index: u32 },
    /// `end - index + 1` times (tested at the top).
    UpToInclusive { end: u32, index: u32 },
    /// `count` times.
    DownFrom { count: u32 },
}

/// An early exit of a bounded loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exit {
    /// The index (into the function's operators) of the `br`, `br_if` or
    /// `return` that leaves, or of the loop's `end` it falls out at.
    pub at: usize,
    /// Whether the index moved in this iteration before the exit: the
    /// iterations left are then [`Trips`] read there, not one less.
    pub stepped: bool,
}

/// A bounded loop: its trip count and its early exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counted {
    /// How many times it runs at most.
    pub trips: Trips,
    /// Where it can leave before its count is spent.
    pub exits: Vec<Exit>,
}

/// What the shape of a loop says before its body is checked.
struct Shape {
    trips: Trips,
    /// The local that moves by one each iteration, and where in the body
    /// it is written (`None`: in the latch, past the body).
    index: u32,
    step: Option<usize>,
    /// A copy of the index taken by the test at the top, if any, and where.
    copy: Option<(u32, usize)>,
    /// How much of the body the checks cover (the latch excluded).
    checked: usize,
    /// Whether the loop may continue from the body after the step (tested
    /// at the top), and falls out early at its end.
    tested_at_top: bool,
    /// What follows the test at the top inside its block: it always leaves
    /// the loop, so it may reuse the copy's local.
    tail: std::ops::Range<usize>,
}

/// The trip count of the loop that starts at `ops[at]`, if it is bounded.
pub(crate) fn trips(ops: &[Operator<'_>], at: usize, calls_unwind: bool) -> Option<Counted> {
    let Operator::Loop {
        blockty: BlockType::Empty,
    } = ops.get(at)?
    else {
        return None;
    };
    let end = matching_end(ops, at)?;
    let body = ops.get(at + 1..end)?;
    let shape = latch(body).or_else(|| top_test(body))?;
    let bound = match shape.trips {
        Trips::UpTo { end, .. } | Trips::UpToInclusive { end, .. } => Some(end),
        Trips::DownFrom { .. } => None,
    };
    let mut depth = 0u32;
    let mut exits = Vec::new();
    for (k, op) in body[..shape.checked].iter().enumerate() {
        let stepped = shape.step.is_some_and(|s| k > s);
        if matches!(
            op,
            Operator::Try { .. }
                | Operator::TryTable { .. }
                | Operator::Catch { .. }
                | Operator::CatchAll
                | Operator::Delegate { .. }
        ) {
            // Handlers: their `catch` clauses are branches not followed
            // here.
            return None;
        }
        match op {
            op if opens(op) => depth += 1,
            op if closes(op) => depth = depth.checked_sub(1)?,
            // Branches that stay inside the body.
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth }
                if *relative_depth < depth => {}
            // Back to the loop: only once the index moved, into a loop
            // tested at the top.
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth }
                if *relative_depth == depth && shape.tested_at_top && stepped => {}
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth }
                if *relative_depth == depth =>
            {
                return None;
            }
            // Past the loop's own label: early exits.
            Operator::Br { .. } | Operator::BrIf { .. } | Operator::Return => {
                exits.push(Exit {
                    at: at + 1 + k,
                    stepped,
                });
            }
            Operator::BrTable { targets }
                if targets.default() < depth
                    && targets.targets().all(|t| t.is_ok_and(|t| t < depth)) => {}
            Operator::BrTable { .. }
            | Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. }
            | Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. }
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
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                let allowed = if *local_index == shape.index {
                    shape.step == Some(k)
                } else if let Some((copy, written)) = shape.copy
                    && *local_index == copy
                {
                    // The tail leaves the loop: what it writes into the
                    // copy does not matter (the refunds read the index
                    // and the bound, which nothing but the step writes).
                    written == k || shape.tail.contains(&k)
                } else {
                    Some(*local_index) != bound
                };
                if !allowed {
                    return None;
                }
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    if shape.tested_at_top {
        exits.push(Exit {
            at: end,
            stepped: true,
        });
    }
    Some(Counted {
        trips: shape.trips,
        exits,
    })
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
pub(super) fn opens(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. }
    )
}

/// Whether `op` closes a block (`end`, or a legacy `try`'s `delegate`).
pub(super) fn closes(op: &Operator<'_>) -> bool {
    matches!(op, Operator::End | Operator::Delegate { .. })
}

/// `local.get $i; i32.const 1; i32.add; local.set|tee $i` ending at
/// `body[k]` (or `local.get $c` for the index's copy `$c`): the local
/// written and the local read.
fn step_at(body: &[Operator<'_>], k: usize) -> Option<(u32, u32)> {
    use Operator::{I32Add, I32Const, LocalGet, LocalSet, LocalTee};
    let window = body.get(k.checked_sub(3)?..=k)?;
    match window {
        [
            LocalGet { local_index: from },
            I32Const { value: 1 },
            I32Add,
            LocalSet { local_index: to } | LocalTee { local_index: to },
        ] => Some((*to, *from)),
        _ => None,
    }
}

/// The loop's latch at the end of `body` (the loop's operators between
/// `loop` and its `end`).
fn latch(body: &[Operator<'_>]) -> Option<Shape> {
    use Operator::{Br, BrIf, I32Add, I32Const, I32Ne, LocalGet, LocalTee};
    // A `br` out after the latch runs once the count is spent.
    let body = match body {
        [rest @ .., Br { relative_depth }] if *relative_depth >= 1 => rest,
        _ => body,
    };
    let shape = |trips, index, step, checked| Shape {
        trips,
        index,
        step,
        copy: None,
        checked,
        tested_at_top: false,
        tail: 0..0,
    };
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
        ] if i == t && end != i => Some(shape(
            Trips::UpTo {
                end: *end,
                index: *i,
            },
            *i,
            None,
            body.len() - 7,
        )),
        [
            ..,
            LocalGet { local_index: n },
            I32Const { value: -1 },
            I32Add,
            LocalTee { local_index: t },
            BrIf { relative_depth: 0 },
        ] if n == t => Some(shape(
            Trips::DownFrom { count: *n },
            *n,
            None,
            body.len() - 5,
        )),
        // The compare alone at the end, the increment further up.
        [
            ..,
            LocalGet { local_index: a },
            LocalGet { local_index: b },
            I32Ne,
            BrIf { relative_depth: 0 },
        ] if a != b => {
            let checked = body.len() - 4;
            // The one write of either local, an increment by one, at the
            // body's top level: that one is the index.
            let (k, (index, _)) = top_level(&body[..checked])
                .filter_map(|k| Some((k, step_at(body, k)?)))
                .find(|(_, (to, from))| (to == a || to == b) && from == to)?;
            let end = if index == *a { *b } else { *a };
            Some(shape(Trips::UpTo { end, index }, index, Some(k), checked))
        }
        _ => None,
    }
}

/// The indices of `body`'s operators at its top level (outside any block
/// it opens).
fn top_level<'b>(body: &'b [Operator<'_>]) -> impl Iterator<Item = usize> + 'b {
    let mut depth = 0u32;
    body.iter().enumerate().filter_map(move |(k, op)| {
        let here = depth;
        if opens(op) {
            depth += 1;
        } else if closes(op) {
            depth = depth.saturating_sub(1);
        }
        (here == 0 && !opens(op)).then_some(k)
    })
}

/// A test of the index against its bound at the top of `body`, and the
/// index's increment further down.
fn top_test(body: &[Operator<'_>]) -> Option<Shape> {
    use Operator::{Block, BrIf, I32Eq, I32Ne, LocalGet, LocalTee};
    // The two locals compared, the copy of the index if one is taken, and
    // where the body goes on after the test.
    let (a, b, copy, tail, after) = match body {
        // `block; (a, b) != → on; …leave…; end`
        [
            Block {
                blockty: BlockType::Empty,
            },
            LocalGet { local_index: a },
            LocalGet { local_index: b },
            rest @ ..,
        ] => {
            let (copy, at) = match rest {
                [
                    LocalTee { local_index: c },
                    I32Ne,
                    BrIf { relative_depth: 0 },
                    ..,
                ] => (Some((*c, 3)), 6),
                [I32Ne, BrIf { relative_depth: 0 }, ..] => (None, 5),
                _ => return None,
            };
            // What follows the test in its block must leave the loop: it
            // ends in `return`, `unreachable` or a `br` out, and nothing
            // in it branches to the block's end.
            let close = matching_end(body, 0)?;
            if !leaves(&body[at..close]) {
                return None;
            }
            (*a, *b, copy, at..close, close + 1)
        }
        // `(a, b) == → out`
        [
            LocalGet { local_index: a },
            LocalGet { local_index: b },
            I32Eq,
            BrIf { relative_depth },
            ..,
        ] if *relative_depth >= 1 => (*a, *b, None, 0..0, 4),
        _ => return None,
    };
    if a == b {
        return None;
    }
    let (k, (index, _)) = top_level(body)
        .filter(|k| *k >= after)
        .filter_map(|k| Some((k, step_at(body, k)?)))
        .find(|(_, (to, from))| {
            (*to == a || *to == b) && (from == to || copy.is_some_and(|(c, _)| c == *from))
        })?;
    // The copy must be of the index, into a local of its own.
    if let Some((c, _)) = copy
        && (b != index || c == a || c == b)
    {
        return None;
    }
    let end = if index == a { b } else { a };
    Some(Shape {
        trips: Trips::UpToInclusive { end, index },
        index,
        step: Some(k),
        copy,
        checked: body.len(),
        tested_at_top: true,
        tail,
    })
}

/// Whether `tail` (the inside of a block after its test) always leaves
/// the loop: it ends in `return`, `unreachable` or a `br` past the loop,
/// and no branch in it goes to the block's own end.
fn leaves(tail: &[Operator<'_>]) -> bool {
    let last = match tail.last() {
        Some(Operator::Return | Operator::Unreachable) => true,
        // From inside the block: 0 is the block, 1 the loop.
        Some(Operator::Br { relative_depth }) => *relative_depth >= 2,
        _ => false,
    };
    let mut depth = 0u32;
    last && tail.iter().all(|op| {
        let ok = match op {
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                *relative_depth != depth
            }
            Operator::BrTable { targets } => {
                targets.default() != depth && targets.targets().all(|t| t.is_ok_and(|t| t != depth))
            }
            _ => true,
        };
        if opens(op) {
            depth += 1;
        } else if closes(op) {
            depth = depth.saturating_sub(1);
        }
        ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(wat: &str) -> Vec<Operator<'static>> {
        let module = wat::parse_str(format!(
            "(module (func (param i32 i32) (local i32 i32) {wat}))"
        ))
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
                exits: vec![Exit {
                    at: exit,
                    stepped: false,
                }],
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
        assert_eq!(
            trips(&nested, 1, true).map(|c| c.exits),
            Some(vec![Exit {
                at: exit,
                stepped: false
            }])
        );
        // A return is an exit too.
        let returns = ops("loop local.get 0 if return end
            local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end");
        let exit = returns
            .iter()
            .position(|op| matches!(op, Operator::Return))
            .expect("the return");
        assert_eq!(
            trips(&returns, 0, true).map(|c| c.exits),
            Some(vec![Exit {
                at: exit,
                stepped: false
            }])
        );
    }

    /// The position of the first operator `is` picks.
    fn find(ops: &[Operator<'_>], is: impl Fn(&Operator<'_>) -> bool) -> usize {
        ops.iter().position(is).expect("the operator")
    }

    #[test]
    fn loops_tested_at_the_top_are_bounded() {
        // serde_json's escape scan: `i == len` returns at the top, the
        // index moves from its copy, the loop goes on while no byte needs
        // escaping and falls out at one that does.
        let scan = ops("loop
              block local.get 1 local.get 2 local.tee 3 i32.ne br_if 0 return end
              local.get 3 i32.const 1 i32.add local.set 2
              local.get 0 local.get 3 i32.add i32.load8_u i32.eqz br_if 0
            end");
        let ret = find(&scan, |op| matches!(op, Operator::Return));
        // The test's tail may reuse the copy's local (it leaves), not
        // write the index: the refund where it leaves reads it.
        let tail = |write: &str| {
            ops(&format!(
                "loop
                  block local.get 1 local.get 2 local.tee 3 i32.ne br_if 0
                    i32.const 7 {write} return end
                  local.get 3 i32.const 1 i32.add local.set 2
                  local.get 0 local.get 3 i32.add i32.load8_u i32.eqz br_if 0
                end"
            ))
        };
        assert!(trips(&tail("local.set 3"), 0, true).is_some());
        assert_eq!(trips(&tail("local.set 2"), 0, true), None);
        assert_eq!(trips(&tail("local.set 1"), 0, true), None);
        let end = scan.len() - 2;
        assert_eq!(
            trips(&scan, 0, true),
            Some(Counted {
                trips: Trips::UpToInclusive { end: 1, index: 2 },
                exits: vec![
                    Exit {
                        at: ret,
                        stepped: false
                    },
                    Exit {
                        at: end,
                        stepped: true
                    },
                ],
            })
        );
        // The direct form: `i == len` branches out.
        let direct = ops("block loop
              local.get 2 local.get 1 i32.eq br_if 1
              local.get 2 i32.const 1 i32.add local.set 2
              local.get 0 local.get 2 i32.add i32.load8_u br_if 0
            end end");
        assert_eq!(
            trips(&direct, 1, true).map(|c| c.trips),
            Some(Trips::UpToInclusive { end: 1, index: 2 })
        );
        for wat in [
            // the test's block can fall through with `i == len`
            "loop block local.get 1 local.get 2 local.tee 3 i32.ne br_if 0 nop end
               local.get 3 i32.const 1 i32.add local.set 2
               local.get 0 br_if 0 end",
            // goes on before the index moved
            "loop block local.get 1 local.get 2 local.tee 3 i32.ne br_if 0 return end
               local.get 0 br_if 0
               local.get 3 i32.const 1 i32.add local.set 2
               local.get 0 br_if 0 end",
            // moves the index only sometimes
            "loop block local.get 1 local.get 2 local.tee 3 i32.ne br_if 0 return end
               local.get 0 if local.get 3 i32.const 1 i32.add local.set 2 end
               local.get 0 br_if 0 end",
            // moves the bound
            "loop block local.get 1 local.get 2 local.tee 3 i32.ne br_if 0 return end
               local.get 3 i32.const 1 i32.add local.set 2
               i32.const 0 local.set 1
               local.get 0 br_if 0 end",
            // the copy is of the bound
            "loop block local.get 2 local.get 1 local.tee 3 i32.ne br_if 0 return end
               local.get 3 i32.const 1 i32.add local.set 2
               local.get 0 br_if 0 end",
            // the copy goes into the bound: it would chase the index
            "loop block local.get 1 local.get 2 local.tee 1 i32.ne br_if 0 return end
               local.get 1 i32.const 1 i32.add local.set 2
               local.get 0 br_if 0 end",
        ] {
            assert_eq!(trips(&ops(wat), 0, true), None, "{wat}");
        }
    }

    #[test]
    fn latches_after_the_increment_and_before_a_br_out() {
        // serde_json's slow escape scan: the index is stored before the
        // compare; exits before the increment.
        let slow = ops("block loop
              local.get 0 local.get 2 i32.add i32.load8_u i32.const 34 i32.eq br_if 1
              local.get 0 local.get 2 i32.const 1 i32.add local.tee 2 i32.store
              local.get 1 local.get 2 i32.ne br_if 0
            end end");
        let exit = find(&slow, |op| {
            matches!(op, Operator::BrIf { relative_depth: 1 })
        });
        assert_eq!(
            trips(&slow, 1, true),
            Some(Counted {
                trips: Trips::UpTo { end: 1, index: 2 },
                exits: vec![Exit {
                    at: exit,
                    stepped: false
                }],
            })
        );
        // UTF-8 validation's byte loop: the latch, then a `br` out.
        let bytes = ops("block loop
              local.get 0 local.get 2 i32.add i32.load8_s i32.const 0 i32.lt_s br_if 1
              local.get 1 local.get 2 i32.const 1 i32.add local.tee 2 i32.ne br_if 0
              br 1
            end end");
        assert_eq!(
            trips(&bytes, 1, true).map(|c| (c.trips, c.exits.len())),
            Some((Trips::UpTo { end: 1, index: 2 }, 1))
        );
        // The increment in a branch is not one per iteration.
        let sometimes = ops("loop
              local.get 0 if local.get 2 i32.const 1 i32.add local.set 2 end
              local.get 1 local.get 2 i32.ne br_if 0
            end");
        assert_eq!(trips(&sometimes, 0, true), None);
    }

    #[test]
    fn loops_that_continue_or_move_their_bounds_are_not() {
        for wat in [
            // continues from the middle
            "loop local.get 0 br_if 0
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
