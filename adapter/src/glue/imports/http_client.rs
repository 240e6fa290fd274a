//! Glue for `gatewit:plugin/http-client`: outbound HTTP calls to a cluster.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::super::*;
use super::ints;
/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    Some(ints(match hostcall {
        // (cluster, len, headers, len, body, len, trailers, len, timeout, *token)
        "proxy_http_call" => 10,
        _ => return None,
    }))
}

/// The glue of `http-client.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(_cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "dispatch-http-call" => {
            // (cp, cl, hp, hn, bp, bl, tp, tn, timeout, ret)
            let s = b.state();
            let (e1, e2, base, st) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
            b.lg(2).lg(3).c(0).helper(Helper::SerializeMap).ls(e1);
            b.lg(6).lg(7).lg(e1).helper(Helper::SerializeMap).ls(e2);
            b.lg(s).ld(S_SCRATCH).ls(base);
            b.lg(0).lg(1).lg(base).lg(e1).lg(4).lg(5);
            b.lg(base).lg(e1).add().lg(e2).lg(e1).i(I::I32Sub);
            b.lg(8)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_http_call")
                .lt(st);
            b.i(I::I32Eqz).if_();
            b.lg(s)
                .ld(S_OUT0)
                .lg(s)
                .ld(S_CURRENT)
                .c(KIND_HTTP)
                .lg(8)
                .helper(Helper::TableInsert);
            b.lg(9).c(0).st8(0).lg(9).lg(s).ld(S_OUT0).st(4);
            b.else_();
            b.lg(9).c(1).st8(0).lg(9).lg(st).c(1).i(I::I32Sub).st8(4);
            b.end();
        }
        _ => return None,
    }
    Some(())
}
