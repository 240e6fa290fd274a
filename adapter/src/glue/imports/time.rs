//! Glue for `gatewit:plugin/time`: the clock and the tick timer.

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
        // (*nanos)
        "proxy_get_current_time_nanoseconds" => 1,
        // (period)
        "proxy_set_tick_period_milliseconds" => 1,
        _ => return None,
    }))
}

/// The glue of `time.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(_cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "now-nanos" => {
            b.helper(Helper::Now);
        }
        "set-tick-period" => {
            b.lg(0)
                .host("proxy_set_tick_period_milliseconds")
                .i(I::Drop);
        }
        _ => return None,
    }
    Some(())
}
