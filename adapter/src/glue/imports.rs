//! Glue for the `gatewit:plugin` imports: each WIT function onto its
//! proxy-wasm hostcalls, one file per interface.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::*;

mod gateway;
mod http;
mod http_client;
mod log;
mod metrics;
mod properties;
mod redis;
mod shared_data;
mod time;

/// The core signature of a proxy-wasm hostcall an interface's glue calls,
/// each listed by the interface file that calls it; `None` for another name.
pub(super) fn hostcall_sig(name: &str) -> Option<Sig> {
    http::hostcall(name)
        .or_else(|| log::hostcall(name))
        .or_else(|| time::hostcall(name))
        .or_else(|| properties::hostcall(name))
        .or_else(|| shared_data::hostcall(name))
        .or_else(|| metrics::hostcall(name))
        .or_else(|| redis::hostcall(name))
        .or_else(|| http_client::hostcall(name))
        .or_else(|| gateway::hostcall(name))
}

/// `n` `i32` parameters and an `i32` status.
fn ints(n: usize) -> Sig {
    Sig {
        params: vec![I32; n],
        results: vec![I32],
    }
}

/// Glue for `gatewit:plugin/<iface>#<func>`; `sig` is the checked core type.
pub(crate) fn gatewit_import(cx: &Cx, iface: &str, func: &str, sig: &Sig) -> Option<Body> {
    let mut b = Body::with_sig(sig);
    match iface {
        "http" => http::import(cx, func, &mut b)?,
        "properties" => properties::import(cx, func, &mut b)?,
        "http-client" => http_client::import(cx, func, &mut b)?,
        "redis" => redis::import(cx, func, &mut b)?,
        "log" => log::import(cx, func, &mut b)?,
        "metrics" => metrics::import(cx, func, &mut b)?,
        "shared-data" => shared_data::import(cx, func, &mut b)?,
        "time" => time::import(cx, func, &mut b)?,
        "gateway" => gateway::import(cx, func, &mut b)?,
        _ => return None,
    }
    b.end();
    Some(b)
}

/// A hostcall taking parameters `args` whose status becomes the
/// `result<_, status-error>` at parameter `ret`.
fn simple(b: &mut Body, host: &'static str, args: &[u32], ret: u32) {
    for a in args {
        b.lg(*a);
    }
    b.host(host).lg(ret).helper(Helper::StatusResult);
}
