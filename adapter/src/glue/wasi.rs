//! Glue for the WASI 0.2 imports a Rust or C plugin's standard library
//! brings: stdout/stderr to `proxy_log` lines, clocks, randomness, exit.
//!
//! A gateway plugin has no file system and no sockets, but language
//! runtimes (CPython's libc) import them anyway. Those interfaces get the
//! answers of a host that grants nothing: no preopened directories, and
//! `not-supported` for every socket created. Their resources' methods can
//! never be reached (no handle is ever given out); if one is, the call
//! logs its name and traps.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::*;

/// The core signature the glue expects for a WASI 0.2 function, with the
/// glue for it; `None` when the adapter cannot provide it.
pub(crate) fn wasi_import(cx: &Cx, iface: &str, func: &str, found: &Sig) -> Option<Body> {
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
            b.lg(1).fix_ptr(cx, p, l, 1).st(0).lg(1).lg(l).st(4);
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
        ("wasi:filesystem/preopens", "get-directories") => {
            // No directories: an empty list.
            b = Body::new(&[I32], &[]);
            b.lg(0).c(4).st(0).lg(0).c(0).st(4);
        }
        ("wasi:sockets/instance-network", "instance-network") => {
            // A handle nothing accepts: every socket constructor refuses.
            b = Body::new(&[], &[I32]);
            b.c(1);
        }
        ("wasi:sockets/tcp-create-socket", "create-tcp-socket")
        | ("wasi:sockets/udp-create-socket", "create-udp-socket") => {
            b = Body::new(&[I32, I32], &[]);
            b.lg(1).c(1).st8(0).lg(1).c(SOCKET_NOT_SUPPORTED).st8(4);
        }
        ("wasi:sockets/ip-name-lookup", "resolve-addresses") => {
            b = Body::new(&[I32, I32, I32, I32], &[]);
            b.lg(3).c(1).st8(0).lg(3).c(SOCKET_NOT_SUPPORTED).st8(4);
        }
        ("wasi:io/poll", "poll") => {
            // Every pollable the glue hands out is ready: the first one is.
            b = Body::new(&[I32, I32, I32], &[]);
            let p = b.local(I32);
            b.lg(1).i(I::I32Eqz).if_();
            b.lg(2).c(4).st(0).lg(2).c(0).st(4).i(I::Return);
            b.end();
            let four = b.local(I32);
            b.c(4).ls(four);
            b.alloc(cx, 4, four).ls(p);
            b.lg(p).c(0).st(0);
            b.lg(2).lg(p).st(0).lg(2).c(1).st(4);
        }
        _ if UNAVAILABLE.contains(&iface) => {
            b = Body::new(&found.params, &found.results);
            let text = format!(
                "gatewit: the plugin called `{iface}#{func}`, which a proxy-wasm gateway does not provide"
            );
            b.log_const(4, text.as_bytes()).i(I::Unreachable);
        }
        _ => return None,
    }
    b.end();
    Some(b)
}

/// `error-code::not-supported` of `wasi:sockets/network`.
const SOCKET_NOT_SUPPORTED: i32 = 2;

/// Interfaces whose every other function is reachable only through a
/// resource the glue never gives out.
const UNAVAILABLE: &[&str] = &[
    "wasi:filesystem/types",
    "wasi:sockets/network",
    "wasi:sockets/tcp",
    "wasi:sockets/udp",
    "wasi:sockets/ip-name-lookup",
];
