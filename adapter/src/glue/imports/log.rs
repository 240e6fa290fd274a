//! Glue for `gatewit:plugin/log`: the gateway's log.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::super::*;
use super::ints;
use gatewit_abi::proxy::log_level;
/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    Some(ints(match hostcall {
        // (level, message, len)
        "proxy_log" => 3,
        // (*level)
        "proxy_get_log_level" => 1,
        _ => return None,
    }))
}

/// The glue of `log.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(_cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "log" => {
            b.lg(0).lg(1).lg(2).host("proxy_log").i(I::Drop);
        }
        "get-log-level" => {
            let s = b.state();
            b.lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_get_log_level")
                .i(I::I32Eqz)
                .if_();
            // The WIT levels are proxy-wasm's; info when the host says none.
            b.lg(s).ld(S_OUT0).i(I::Return).end();
            b.abi(log_level::INFO);
        }
        _ => return None,
    }
    Some(())
}
