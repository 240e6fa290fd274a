//! Glue for `gatewit:plugin/metrics`: counters, gauges and histograms.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::super::*;
use super::ints;
use super::simple;
/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    if matches!(hostcall, "proxy_increment_metric" | "proxy_record_metric") {
        // (id, offset or value)
        return Some(Sig {
            params: vec![I32, I64],
            results: vec![I32],
        });
    }
    Some(ints(match hostcall {
        // (kind, name, name len, *id)
        "proxy_define_metric" => 4,
        // (id, *value)
        "proxy_get_metric" => 2,
        _ => return None,
    }))
}

/// The glue of `metrics.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(_cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "define-metric" => {
            let s = b.state();
            let st = b.local(I32);
            b.lg(0)
                .lg(1)
                .lg(2)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_define_metric");
            b.lt(st).i(I::I32Eqz).if_();
            b.lg(3).c(0).st8(0).lg(3).lg(s).ld(S_OUT0).st(4);
            b.else_()
                .lg(3)
                .c(1)
                .st8(0)
                .lg(3)
                .lg(st)
                .c(1)
                .i(I::I32Sub)
                .st8(4)
                .end();
        }
        "increment-metric" => simple(b, "proxy_increment_metric", &[0, 1], 2),
        "record-metric" => simple(b, "proxy_record_metric", &[0, 1], 2),
        "get-metric" => {
            let s = b.state();
            let st = b.local(I32);
            b.lg(0)
                .lg(s)
                .c(S_OUT64 as i32)
                .add()
                .host("proxy_get_metric");
            b.lt(st).i(I::I32Eqz).if_();
            b.lg(1).c(0).st8(0).lg(1).lg(s).ld64(S_OUT64).st64(8);
            b.else_()
                .lg(1)
                .c(1)
                .st8(0)
                .lg(1)
                .lg(st)
                .c(1)
                .i(I::I32Sub)
                .st8(8)
                .end();
        }
        _ => return None,
    }
    Some(())
}
