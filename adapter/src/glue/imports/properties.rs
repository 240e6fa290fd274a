//! Glue for `gatewit:plugin/properties`: Envoy's properties (request attributes, route metadata).

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
        // (path, path len, *value, *value len)
        "proxy_get_property" => 4,
        // (path, path len, value, value len)
        "proxy_set_property" => 4,
        _ => return None,
    }))
}

/// The glue of `properties.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "get-property" => {
            let s = b.state();
            let (n, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            b.lg(0).lg(1).helper(Helper::SerializePath).ls(n);
            b.lg(s).ld(S_SCRATCH).lg(n);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_get_property").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(2)
                .c(1)
                .st8(0)
                .lg(2)
                .fix_ptr(cx, p, l, 1)
                .st(4)
                .lg(2)
                .lg(l)
                .st(8);
            b.else_().lg(2).c(0).st8(0).end();
        }
        "set-property" => {
            let s = b.state();
            let n = b.local(I32);
            b.lg(0).lg(1).helper(Helper::SerializePath).ls(n);
            b.lg(s)
                .ld(S_SCRATCH)
                .lg(n)
                .lg(2)
                .lg(3)
                .host("proxy_set_property");
            b.lg(4).helper(Helper::StatusResult);
        }
        _ => return None,
    }
    Some(())
}
