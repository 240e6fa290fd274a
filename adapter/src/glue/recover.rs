//! Panic recovery: a plugin panic costs the request it happened in, not the
//! plugin instance.
//!
//! Rust plugins are built with `panic = "abort"`, and C's `abort()` is the
//! same thing in wasm: both end in an `unreachable` instruction, which
//! traps and kills the whole VM (every later request fails until the
//! gateway reloads it). The adapter turns each `unreachable` of the
//! plugin's code into `throw $panic` (see `meter`), and [`guard`] wraps
//! every callback in a handler for that tag. Nothing unwinds: the frames
//! between the panic and the handler are dropped as they are, so what they
//! owned on the heap stays allocated, and the one piece of machine state
//! they would have restored, the plugin's shadow-stack pointer (and in a
//! composition each library component's, as a panic can leave from inside
//! a library), is saved on entry and put back by the handler.
//!
//! The step budget's trap is not an `unreachable` of the plugin's code and
//! stays a trap: a loop can be stopped anywhere (inside the allocator, in
//! the middle of an update), where going on would run on broken state.

use super::{Body, Cx, Helper, I, I32, Op, S_SCRATCH};
use crate::OnPanic;
use wasm_encoder::BlockType;

/// The response code details Envoy logs for the `500` of a panic.
const DETAILS: &[u8] = b"gatewit_plugin_panicked";

/// Wraps the body of callback `name` (complete but for its final `end`) in
/// a handler for the plugin's panics. `call_ctx`: the local holding the
/// request an HTTP or Redis answer belongs to (0: none).
pub(super) fn guard(b: &mut Body, cx: &Cx, name: &str, call_ctx: Option<u32>) {
    if cx.on_panic == OnPanic::Trap {
        return;
    }
    let result = b.sig.results.first().copied();
    let ty = match result {
        Some(t) => BlockType::Result(t),
        None => BlockType::Empty,
    };
    let sp = b.local(I32);
    for _ in 1..cx.saved_stacks {
        b.local(I32);
    }
    b.ops.splice(0..0, [Op::SpSave(sp), Op::TryBegin(ty)]);
    b.ops.push(Op::CatchPanic);
    b.ops.push(Op::SpRestore(sp));
    b.helper(Helper::Panicked);
    let request_phase =
        name.ends_with("_headers") || name.ends_with("_body") || name.ends_with("_trailers");
    match (cx.on_panic, result) {
        // A rejected configuration: the host keeps the previous one (or
        // refuses to load the plugin) and logs it.
        (_, Some(_)) if name == "proxy_on_configure" => {
            b.c(0);
        }
        (OnPanic::Reply, Some(_)) if request_phase => {
            b.helper(Helper::PanicReply);
            // Stop iteration: the local reply answers the request.
            b.c(1);
        }
        // Continue (callbacks return `i32` actions; 0 is continue).
        (_, Some(_)) => {
            b.c(0);
        }
        (OnPanic::Reply, None) => {
            if let Some(ctx) = call_ctx {
                b.lg(ctx).if_().helper(Helper::PanicReply).end();
            }
        }
        (_, None) => {}
    }
    b.ops.push(Op::TryEnd);
}

/// The helpers the handlers call.
pub(super) fn helper(cx: &Cx, h: Helper) -> Body {
    match h {
        Helper::Panicked => panicked(cx),
        _ => panic_reply(),
    }
}

/// Logs (error) which callback panicked and what happens next. The
/// plugin's own panic message comes first, from its runtime (the Rust
/// SDK's panic hook, or std's default one on stderr).
fn panicked(cx: &Cx) -> Body {
    let mut b = Body::new(&[], &[]);
    let prefix = b"gatewit: the plugin panicked in `".as_slice();
    let suffix = match cx.on_panic {
        OnPanic::Continue => {
            b"`; its request, if any, goes on without it (on-panic: continue), and the plugin keeps serving".as_slice()
        }
        _ => b"`; its request, if any, is answered 500 (on-panic: reply), and the plugin keeps serving"
            .as_slice(),
    };
    b.log_entered(prefix, suffix);
    b.end();
    b
}

/// Answers the current request `500`, with response code details
/// [`DETAILS`] for the access log.
fn panic_reply() -> Body {
    let mut b = Body::new(&[], &[]);
    let s = b.state();
    let (base, at) = (b.local(I32), b.local(I32));
    b.c(DETAILS.len() as i32 + 4).helper(Helper::EnsureScratch);
    b.lg(s).ld(S_SCRATCH).ls(base).c(0).ls(at);
    b.put_const(base, at, DETAILS);
    // No extra headers: a pairs map of count 0 after the details.
    b.lg(base).lg(at).add().c(0).st(0);
    // (status, details, body, headers, grpc-status: none)
    b.c(500).lg(base).lg(at);
    b.c(0).c(0);
    b.lg(base).lg(at).add().c(4);
    b.c(-1);
    b.host("proxy_send_local_response").i(I::Drop);
    b.end();
    b
}

/// What the input module says about its shadow-stack pointer.
#[derive(Default)]
pub(crate) struct StackPointer {
    /// The global the `name` section calls `__stack_pointer`.
    pub named: Option<u32>,
    /// Per global: whether it is a mutable `i32`, as a stack pointer is.
    /// The first one is where LLVM's `wasm-ld` puts `__stack_pointer` in
    /// every module it links (names or not).
    pub fits: Vec<bool>,
}

impl StackPointer {
    /// The global to save and restore around callbacks, if any: the named
    /// one, else the first, when it can be one (a name alone proves
    /// nothing).
    pub fn index(&self) -> Option<u32> {
        let fits = |g: u32| self.fits.get(g as usize).copied().unwrap_or(false);
        self.named.filter(|&g| fits(g)).or(fits(0).then_some(0))
    }
}

/// Encodes the recovery ops: `SpSave`/`SpRestore` against the stack
/// pointers (the plugin's, then its libraries', each in the local after
/// the previous one's), and the handler block in `encoding`:
///
/// - legacy: `try (bt) … catch $panic … end`;
/// - standard: `block $done (bt) block $caught try_table (bt) (catch
///   $panic $caught) … end br $done end … end`.
///
/// The guarded bodies branch to no enclosing label (they `return`), so the
/// extra blocks of the standard form change no branch depth.
pub(crate) fn encode_recovery(
    f: &mut wasm_encoder::Function,
    op: &Op,
    stack_pointers: &[u32],
    tag: Option<u32>,
    encoding: crate::ExceptionEncoding,
) {
    use crate::ExceptionEncoding::{Legacy, Standard};
    use wasm_encoder::Instruction as W;
    let tag = tag.unwrap_or(0);
    match (op, encoding) {
        (Op::SpSave(l), _) => {
            for (local, g) in (*l..).zip(stack_pointers) {
                f.instruction(&W::GlobalGet(*g))
                    .instruction(&W::LocalSet(local));
            }
        }
        (Op::SpRestore(l), _) => {
            for (local, g) in (*l..).zip(stack_pointers) {
                f.instruction(&W::LocalGet(local))
                    .instruction(&W::GlobalSet(*g));
            }
        }
        (Op::TryBegin(ty), Legacy) => {
            f.instruction(&W::Try(*ty));
        }
        (Op::TryBegin(ty), Standard) => {
            let catch = [wasm_encoder::Catch::One { tag, label: 0 }];
            f.instruction(&W::Block(*ty))
                .instruction(&W::Block(BlockType::Empty))
                .instruction(&W::TryTable(*ty, catch.as_slice().into()));
        }
        (Op::CatchPanic, Legacy) => {
            f.instruction(&W::Catch(tag));
        }
        (Op::CatchPanic, Standard) => {
            f.instruction(&W::End)
                .instruction(&W::Br(1))
                .instruction(&W::End);
        }
        (Op::TryEnd, _) => {
            f.instruction(&W::End);
        }
        _ => {}
    }
}
